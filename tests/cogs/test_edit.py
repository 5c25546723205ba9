"""Editing end to end: /edit, reply-to-edit, the "Edit image" menu, and result buttons that chain edits."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from kontext.models import JobState
from tests.fakes.discord import FakeMessage
from tests.harness import World, idle, world_for
from tests.storage.support import job_by_message

EPHEMERAL = 64
MANAGE_MESSAGES = 1 << 13


def png(width: int = 800, height: int = 600) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (200, 120, 40)).save(buffer, "PNG")
    return buffer.getvalue()


def image_attachment(world: World, width: int = 800, height: int = 600, name: str = "photo.png") -> dict[str, Any]:
    return world.discord.add_attachment(png(width, height), name, "image/png", width=width, height=height)


async def refusal(world: World, interaction) -> str:
    await world.discord.wait_for(lambda: bool(interaction.responses))
    response = interaction.responses[0]
    assert response["data"]["flags"] & EPHEMERAL, "a refusal must be ephemeral"
    return response["data"]["content"]


async def reply_result(world: World, user_message: FakeMessage) -> FakeMessage:
    """The bot's reply to a user's message, once its job is over."""

    def replied() -> FakeMessage | None:
        for message in world.discord.messages.values():
            reference = message.message_reference or {}
            if message.author["id"] == world.discord.bot_user["id"] and reference.get("message_id") == str(
                user_message.id
            ):
                return message
        return None

    await world.discord.wait_for(lambda: replied() is not None)
    message = replied()
    assert message is not None
    # Progress lines start with "**Imagining" or "**Editing"; anything else is the final answer.
    await world.discord.wait_for(
        lambda: bool(message.embeds) or message.components_v2 or not message.content.startswith("**")
    )
    await idle(world.bot.jobs)
    return world.result_of(message) or message  # a result collapses its placeholder onto a new message


async def test_edit_sends_the_attachment_url_and_the_nearest_aspect_ratio(tmp_path: Path) -> None:
    async with world_for(tmp_path) as world:
        attachment = image_attachment(world, 800, 600)
        interaction = await world.slash("edit", {"prompt": "make it night", "image": attachment})
        message = await world.finished(interaction)
        body = world.api.submits[0]["input"]
        assert body["image_url"] == attachment["url"]
        assert body["aspect_ratio"] == "4:3"
        assert body["prompt"] == "make it night"
        assert "· 4:3 (closest to the input image) ·" in message.text
        assert message.files[0][1] == world.api.image_bytes_for(next(iter(world.api.tasks)))


async def test_edit_keeps_an_explicit_aspect_ratio(tmp_path: Path) -> None:
    async with world_for(tmp_path) as world:
        attachment = image_attachment(world, 800, 600)
        await world.finished(
            await world.slash("edit", {"prompt": "wider", "image": attachment, "aspect_ratio": "21:9"})
        )
        assert world.api.submits[0]["input"]["aspect_ratio"] == "21:9"


@pytest.mark.parametrize(
    ("data", "filename", "content_type", "words"),
    [
        (b"GIF89a" + b"\0" * 100, "cat.gif", "image/gif", "JPEG, PNG and WebP"),
        (b"just some notes", "notes.txt", "text/plain", "JPEG, PNG and WebP"),
        (b"\x89PNG\r\n\x1a\n" + b"\0" * (11 * 1024 * 1024), "huge.png", "image/png", "up to 10 MB"),
    ],
    ids=["gif", "text", "11MB-png"],
)
async def test_edit_refuses_what_the_api_cannot_take_without_calling_it(
    tmp_path: Path, data: bytes, filename: str, content_type: str, words: str
) -> None:
    async with world_for(tmp_path, discord_options={"attachment_size_limit": 25 * 1024 * 1024}) as world:
        attachment = world.discord.add_attachment(data, filename, content_type)
        interaction = await world.slash("edit", {"prompt": "make it night", "image": attachment})
        assert words in await refusal(world, interaction)
        assert world.api.submits == []


def jpeg(width: int = 800, height: int = 600) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (40, 120, 200)).save(buffer, "JPEG")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("data", "filename", "content_type", "words"),
    [
        (b"", "empty.png", "image/png", "empty (0 bytes)"),
        (jpeg()[:600], "cut.jpg", None, "Discord couldn't read `cut.jpg` as an image"),
        (b"<html>definitely not a picture</html>", "fake.png", None, "Discord couldn't read `fake.png` as an image"),
    ],
    ids=["zero-bytes", "truncated-jpeg", "text-named-png"],
)
async def test_edit_refuses_files_discord_could_not_read_before_any_api_call_or_charge(
    tmp_path: Path, data: bytes, filename: str, content_type: str | None, words: str
) -> None:
    async with world_for(tmp_path) as world:
        attachment = world.discord.add_attachment(data, filename, content_type)
        assert "width" not in attachment, "Discord gives dimensions only to images it could decode"
        interaction = await world.slash("edit", {"prompt": "make it night", "image": attachment})
        assert words in await refusal(world, interaction)
        assert world.api.submits == []
        usage = await world.bot.quotas.guild_usage(world.guild.id)
        assert usage.spent_today_micros == 0 and usage.today.committed == 0


@pytest.mark.parametrize("content_type", ["application/octet-stream", None])
async def test_edit_takes_a_generically_typed_png_on_its_name(tmp_path: Path, content_type: str | None) -> None:
    async with world_for(tmp_path) as world:
        attachment = world.discord.add_attachment(png(), "photo.png", "application/octet-stream")
        for key in ("width", "height") if content_type is None else ():
            attachment.pop(key)
        if content_type is None:
            attachment.pop("content_type")  # Discord's field is optional
        message = await world.finished(await world.slash("edit", {"prompt": "make it night", "image": attachment}))
        assert world.api.submits[0]["input"]["image_url"] == attachment["url"]
        assert len(message.files) == 1


async def test_edit_button_works_when_discord_types_the_result_generically(tmp_path: Path) -> None:
    async with world_for(tmp_path) as world:
        result = await world.finished(await world.slash("imagine", {"prompt": "a red barn"}))
        result.components[0]["components"][0]["items"][0]["media"]["content_type"] = "application/octet-stream"
        click = await world.discord.click(result, result.component("Edit")["custom_id"], user=world.user)
        await world.discord.wait_for(lambda: click.modal is not None)
        edited = await world.finished(await world.discord.submit_modal(click, {"What should change?": "add snow"}))
        assert world.api.submits[1]["input"]["image_url"] == result.media_urls[0]
        assert len(edited.files) == 1


async def test_reply_with_a_mention_edits_the_bots_own_result(tmp_path: Path) -> None:
    async with world_for(tmp_path) as world:
        result = await imagine(world)
        request = await world.discord.post_message(
            world.channel, world.user, "make it night", reference=result, mention_bot=True
        )
        answer = await reply_result(world, request)
        body = world.api.submits[1]["input"]
        assert body["image_url"] == result.media_urls[0] and body["prompt"] == "make it night"
        assert len(answer.files) == 1
        assert (
            f"edited from [this image](https://discord.com/channels/{world.guild.id}/{world.channel['id']}/{result.id})"
            in answer.text
        )


async def test_reply_to_someone_elses_image_without_the_intent_explains_the_menu(tmp_path: Path) -> None:
    async with world_for(tmp_path) as world:
        bob = world.discord.add_member(world.guild, name="bob")
        original = await world.discord.post_message(world.channel, bob, "look", attachments=[image_attachment(world)])
        request = await world.discord.post_message(
            world.channel, world.user, "make it night", reference=original, mention_bot=True
        )
        answer = await reply_result(world, request)
        assert "Edit image" in answer.content and "doesn't let me see" in answer.content
        assert world.api.submits == []


async def test_reply_to_someone_elses_image_with_the_intent_edits_it(tmp_path: Path) -> None:
    async with world_for(tmp_path, env={"MESSAGE_CONTENT_INTENT": "true"}) as world:
        bob = world.discord.add_member(world.guild, name="bob")
        original = await world.discord.post_message(world.channel, bob, "look", attachments=[image_attachment(world)])
        request = await world.discord.post_message(
            world.channel, world.user, "make it night", reference=original, mention_bot=True
        )
        answer = await reply_result(world, request)
        assert world.api.submits[0]["input"]["image_url"] == original.attachments[0]["url"]
        assert len(answer.files) == 1


async def test_mention_with_an_attached_image_edits_that_image(tmp_path: Path) -> None:
    async with world_for(tmp_path) as world:
        attachment = image_attachment(world, 600, 800)
        request = await world.discord.post_message(
            world.channel, world.user, "add snow", attachments=[attachment], mention_bot=True
        )
        answer = await reply_result(world, request)
        body = world.api.submits[0]["input"]
        assert body["image_url"] == request.attachments[0]["url"] and body["aspect_ratio"] == "3:4"
        assert len(answer.files) == 1


async def test_mention_without_an_image_generates_from_the_text(tmp_path: Path) -> None:
    async with world_for(tmp_path) as world:
        request = await world.discord.post_message(world.channel, world.user, "a castle at dawn", mention_bot=True)
        answer = await reply_result(world, request)
        body = world.api.submits[0]["input"]
        assert "image_url" not in body and body["prompt"] == "a castle at dawn"
        assert len(answer.files) == 1


async def test_mention_without_an_instruction_gets_a_how_to(tmp_path: Path) -> None:
    async with world_for(tmp_path) as world:
        request = await world.discord.post_message(world.channel, world.user, "", mention_bot=True)
        answer = await reply_result(world, request)
        assert "Tell me what to do" in answer.content
        assert world.api.submits == []


async def test_reply_to_a_deleted_message_gets_a_clear_answer(tmp_path: Path) -> None:
    async with world_for(tmp_path) as world:
        original = await world.discord.post_message(
            world.channel, world.user, "x", attachments=[image_attachment(world)]
        )
        original.deleted = True
        request = await world.discord.post_message(
            world.channel, world.user, "make it night", reference=original, mention_bot=True
        )
        answer = await reply_result(world, request)
        assert "can't see the message you replied to" in answer.content
        assert world.api.submits == []


async def test_mention_with_a_pasted_image_link_edits_it(tmp_path: Path) -> None:
    async with world_for(tmp_path) as world:
        hosted = image_attachment(world, 1920, 1080, name="linked.png")
        request = await world.discord.post_message(
            world.channel, world.user, f"add a moon {hosted['url']}", mention_bot=True
        )
        await reply_result(world, request)
        body = world.api.submits[0]["input"]
        assert body["image_url"] == hosted["url"] and body["prompt"] == "add a moon"


async def test_reply_to_an_image_embed_edits_it(tmp_path: Path) -> None:
    async with world_for(tmp_path, env={"MESSAGE_CONTENT_INTENT": "true"}) as world:
        hosted = image_attachment(world, 1920, 1080, name="linked.png")
        embed = {
            "type": "image",
            "url": hosted["url"],
            "thumbnail": {"url": hosted["url"], "width": 1920, "height": 1080},
        }
        original = await world.discord.post_message(world.channel, world.user, hosted["url"], embeds=[embed])
        request = await world.discord.post_message(
            world.channel, world.user, "add a moon", reference=original, mention_bot=True
        )
        await reply_result(world, request)
        body = world.api.submits[0]["input"]
        assert body["image_url"] == hosted["url"] and body["aspect_ratio"] == "16:9"


async def test_context_menu_opens_a_modal_and_edits(tmp_path: Path) -> None:
    async with world_for(tmp_path) as world:
        target = await world.discord.post_message(world.channel, world.user, "", attachments=[image_attachment(world)])
        menu = await world.discord.send_message_command("Edit image", target, guild=world.guild, user=world.user)
        await world.discord.wait_for(lambda: menu.modal is not None)
        submitted = await world.discord.submit_modal(menu, {"What should change?": "make it night"})
        message = await world.finished(submitted)
        body = world.api.submits[0]["input"]
        assert body["image_url"] == target.attachments[0]["url"] and body["prompt"] == "make it night"
        assert len(message.files) == 1


async def test_context_menu_edits_the_image_of_a_result_card(tmp_path: Path) -> None:
    async with world_for(tmp_path) as world:
        result = await imagine(world)
        assert result.attachments == [], "Discord leaves the card's image out of attachments"
        menu = await world.discord.send_message_command("Edit image", result, guild=world.guild, user=world.user)
        await world.discord.wait_for(lambda: menu.modal is not None)
        message = await world.finished(await world.discord.submit_modal(menu, {"What should change?": "add snow"}))
        assert world.api.submits[1]["input"]["image_url"] == result.media_urls[0]
        assert len(message.files) == 1


async def test_context_menu_lets_the_user_pick_among_several_images(tmp_path: Path) -> None:
    async with world_for(tmp_path) as world:
        first, second = image_attachment(world, name="a.png"), image_attachment(world, 600, 600, name="b.png")
        target = await world.discord.post_message(world.channel, world.user, "", attachments=[first, second])
        menu = await world.discord.send_message_command("Edit image", target, guild=world.guild, user=world.user)
        await world.discord.wait_for(lambda: menu.modal is not None)
        submitted = await world.discord.submit_modal(menu, {"What should change?": "sepia", "Which image?": ["1"]})
        await world.finished(submitted)
        body = world.api.submits[0]["input"]
        assert body["image_url"] == target.attachments[1]["url"] and body["aspect_ratio"] == "1:1"


async def test_context_menu_on_a_message_without_an_image_explains(tmp_path: Path) -> None:
    async with world_for(tmp_path) as world:
        target = await world.discord.post_message(world.channel, world.user, "just words")
        menu = await world.discord.send_message_command("Edit image", target, guild=world.guild, user=world.user)
        assert "no image I can see" in await refusal(world, menu)
        assert world.api.submits == []


async def imagine(world: World, prompt: str = "a red barn") -> FakeMessage:
    return await world.finished(await world.slash("imagine", {"prompt": prompt}))


def button(message: FakeMessage, label: str) -> str:
    return message.component(label)["custom_id"]


async def test_reroll_makes_a_new_job_with_the_same_request_for_the_clicker(tmp_path: Path) -> None:
    async with world_for(tmp_path) as world:
        result = await imagine(world)
        bob = world.discord.add_member(world.guild, name="bob")["user"]
        click = await world.discord.click(result, button(result, "Re-roll"), user=bob)
        rerolled = await world.finished(click)
        assert len(world.api.submits) == 2
        assert world.api.submits[1]["input"] == world.api.submits[0]["input"]
        assert rerolled.id != result.id and len(rerolled.files) == 1
        assert rerolled.files[0][1] != result.files[0][1], "a re-roll is a new picture, in simulation too"
        job = await job_by_message(world.bot.storage, rerolled.id)
        assert job is not None and job.user_id == int(bob["id"])


async def test_edit_button_chains_three_edits_from_each_result_attachment(tmp_path: Path) -> None:
    async with world_for(tmp_path) as world:
        result = await imagine(world)
        for step, instruction in enumerate(["make it night", "add snow", "replace the sign's text with 'OPEN'"], 1):
            click = await world.discord.click(result, button(result, "Edit"), user=world.user)
            await world.discord.wait_for(lambda click=click: click.modal is not None)
            submitted = await world.discord.submit_modal(click, {"What should change?": instruction})
            edited = await world.finished(submitted)
            body = world.api.submits[step]["input"]
            assert body["prompt"] == instruction
            assert body["image_url"] == result.media_urls[0], "the input must be the result's own attachment"
            assert "/files/" not in body["image_url"], "never the API's temporary result URL"
            assert f"/{result.id})" in edited.text, "the chain links to its source"
            source_job = await job_by_message(world.bot.storage, result.id)
            job = await job_by_message(world.bot.storage, edited.id)
            assert job is not None and source_job is not None and job.source_job_id == source_job.id
            result = edited
        assert len(world.api.submits) == 4


async def test_delete_obeys_its_rule(tmp_path: Path) -> None:
    async with world_for(tmp_path) as world:
        result = await imagine(world)
        bob = world.discord.add_member(world.guild, name="bob")["user"]
        refused = await world.discord.click(result, button(result, "Delete"), user=bob)
        assert "Only" in await refusal(world, refused)
        assert not result.deleted
        moderator_role = world.discord.add_role(world.guild, "mods", permissions=MANAGE_MESSAGES)
        moderator = world.discord.add_member(world.guild, name="mod", roles=[int(moderator_role["id"])])["user"]
        await world.discord.click(result, button(result, "Delete"), user=moderator)
        await world.discord.wait_for(lambda: result.deleted)
        mine = await imagine(world, "another")
        await world.discord.click(mine, button(mine, "Delete"), user=world.user)
        await world.discord.wait_for(lambda: mine.deleted)


async def test_buttons_work_on_a_result_from_a_previous_process(tmp_path: Path) -> None:
    async with world_for(tmp_path) as world:
        result = await imagine(world)
        await world.restart()
        click = await world.discord.click(result, button(result, "Re-roll"), user=world.user)
        assert len((await world.finished(click)).files) == 1
        click = await world.discord.click(result, button(result, "Edit"), user=world.user)
        await world.discord.wait_for(lambda: click.modal is not None)
        edited = await world.finished(await world.discord.submit_modal(click, {"What should change?": "add snow"}))
        assert world.api.submits[-1]["input"]["image_url"] == result.media_urls[0]
        assert len(edited.files) == 1
        await world.discord.click(result, button(result, "Delete"), user=world.user)
        await world.discord.wait_for(lambda: result.deleted)
        job = await job_by_message(world.bot.storage, edited.id)
        assert job is not None and job.state == JobState.DELIVERED
