"""/history and /show end to end: the real bot against the local fake Discord and fake image API."""

from __future__ import annotations

import re
import secrets
from pathlib import Path
from typing import Any

from kontext.models import GenerationRequest, Job, JobState
from tests.fakes.discord import FakeInteraction, FakeMessage
from tests.harness import World, world_for
from tests.storage.support import job_by_message

EPHEMERAL = 64
MANAGE_GUILD = 1 << 5
MEMBER_PERMISSIONS = (1 << 10) | (1 << 11)  # view channel, send messages
BIG = 1_234_567_890_123_456_789


async def seed(world: World, count: int, *, user_id: int, guild_id: int, prompt: str = "image {i}") -> list[Job]:
    """`count` delivered jobs of a user, one second apart, the newest last; each with a result message id."""
    jobs = []
    for i in range(count):
        job = Job(
            id=secrets.token_hex(8),
            user_id=user_id,
            channel_id=int(world.channel["id"]),
            guild_id=guild_id,
            request=GenerationRequest(prompt=prompt.format(i=i)),
            state=JobState.DELIVERED,
            message_id=BIG - 1000 + i,
            cost_micros=30_000,
            created_at=1_700_000_000.0 + i,
            delivered_at=1_700_000_010.0 + i,
        )
        await world.bot.storage.insert_job(job)
        jobs.append(job)
    return jobs


async def answered(world: World, interaction: FakeInteraction) -> FakeMessage:
    await world.discord.wait_for(lambda: interaction.original is not None and not interaction.original.loading)
    assert interaction.original is not None
    return interaction.original


async def refusal(world: World, interaction: FakeInteraction) -> str:
    await world.discord.wait_for(lambda: bool(interaction.responses) or bool(interaction.followups))
    await world.discord.wait_for(lambda: interaction.original is not None and not interaction.original.loading)
    assert interaction.original is not None and interaction.original.ephemeral, "a refusal must be ephemeral"
    return interaction.original.text


def entries(message: FakeMessage) -> list[str]:
    """The prompts listed on a history page, in order."""
    return re.findall(r"^> (.*)$", message.text, flags=re.M)


def labels(message: FakeMessage) -> list[str]:
    return [c.get("label") for c in _walk(message.components) if c.get("type") == 2]


def _walk(components: list[dict[str, Any]]):
    for component in components:
        yield component
        yield from _walk(component.get("components") or [])


async def click(world: World, message: FakeMessage, label: str, user: dict[str, Any]) -> FakeInteraction:
    before = len(message.edits)
    interaction = await world.discord.click(message, message.component(label)["custom_id"], user=user)
    await world.discord.wait_for(lambda: len(message.edits) > before or bool(interaction.responses))
    await world.discord.wait_for(lambda: len(message.edits) > before or interaction.original is not None)
    return interaction


async def test_history_pages_25_images_newest_first_ten_at_a_time(tmp_path: Path) -> None:
    async with world_for(tmp_path) as world:
        me = int(world.user["id"])
        jobs = await seed(world, 25, user_id=me, guild_id=world.guild.id)
        # Not listed: a failed job, another member's image, and an image of another server.
        failed = Job(
            id="f" * 16,
            user_id=me,
            channel_id=1,
            guild_id=world.guild.id,
            created_at=1_800_000_000.0,
            request=GenerationRequest(prompt="failed one"),
            state=JobState.FAILED,
        )
        await world.bot.storage.insert_job(failed)
        await seed(world, 1, user_id=me + 1, guild_id=world.guild.id, prompt="someone else {i}")
        await seed(world, 1, user_id=me, guild_id=world.guild.id + 1, prompt="elsewhere {i}")

        interaction = await world.slash("history")
        page = await answered(world, interaction)

        assert page.ephemeral and page.components_v2
        assert entries(page) == [f"image {i}" for i in range(24, 14, -1)]
        assert labels(page) == ["Older"]
        assert "**1.** <t:1700000034:R> · $0.03 · pro" in page.text
        assert (
            f"[open](https://discord.com/channels/{world.guild.id}/{world.channel['id']}/{BIG - 1000 + 24})"
            in page.text
        )
        assert f"`{jobs[24].id}`" in page.text and "Page 1" in page.text

        await click(world, page, "Older", world.user)
        assert entries(page) == [f"image {i}" for i in range(14, 4, -1)]
        assert labels(page) == ["Newer", "Older"] and "Page 2" in page.text and "**11.**" in page.text

        await click(world, page, "Older", world.user)
        assert entries(page) == [f"image {i}" for i in range(4, -1, -1)]
        assert labels(page) == ["Newer"], "the last page has no Older"
        assert "Page 3" in page.text and "**25.**" in page.text

        await click(world, page, "Newer", world.user)
        assert entries(page) == [f"image {i}" for i in range(14, 4, -1)]


async def test_history_pages_stay_put_while_new_images_arrive_and_outlive_a_restart(tmp_path: Path) -> None:
    async with world_for(tmp_path) as world:
        me = int(world.user["id"])
        await seed(world, 12, user_id=me, guild_id=world.guild.id)
        page = await answered(world, await world.slash("history"))
        newer = Job(
            id="e" * 16,
            user_id=me,
            channel_id=1,
            guild_id=world.guild.id,
            state=JobState.DELIVERED,
            request=GenerationRequest(prompt="made later"),
            message_id=5,
        )
        await world.bot.storage.insert_job(newer)
        await world.restart()

        await click(world, page, "Older", world.user)

        assert entries(page) == ["image 1", "image 0"]


async def test_history_buttons_answer_only_the_member_who_asked(tmp_path: Path) -> None:
    async with world_for(tmp_path) as world:
        await seed(world, 12, user_id=int(world.user["id"]), guild_id=world.guild.id)
        page = await answered(world, await world.slash("history"))
        bob = world.discord.add_member(world.guild, name="bob", permissions=MANAGE_GUILD | MEMBER_PERMISSIONS)["user"]

        refused = await world.discord.click(page, page.component("Older")["custom_id"], user=bob)

        assert "`/history` shows your own" in await refusal(world, refused)
        assert entries(page) == [f"image {i}" for i in range(11, 1, -1)]


async def test_history_of_another_member_needs_manage_server(tmp_path: Path) -> None:
    async with world_for(tmp_path) as world:
        await seed(world, 3, user_id=int(world.user["id"]), guild_id=world.guild.id)
        alice = world.guild.members[int(world.user["id"])]
        bob = world.discord.add_member(world.guild, name="bob", permissions=MEMBER_PERMISSIONS)["user"]
        admin = world.discord.add_member(world.guild, name="admin", permissions=MANAGE_GUILD | MEMBER_PERMISSIONS)[
            "user"
        ]

        refused = await world.slash("history", {"member": alice}, user=bob)
        assert "Manage Server" in await refusal(world, refused)
        assert "image 0" not in refused.original.text

        shown = await answered(world, await world.slash("history", {"member": alice}, user=admin))
        assert shown.ephemeral and entries(shown) == ["image 2", "image 1", "image 0"]
        assert f"Images by <@{world.user['id']}>" in shown.text
        assert shown.mentions == [], "naming the member pings nobody"

        own = await answered(world, await world.slash("history", user=bob))
        assert "Nothing here yet" in own.text and labels(own) == []


async def test_history_of_long_hostile_prompts_stays_within_discords_limits(tmp_path: Path) -> None:
    async with world_for(tmp_path) as world:
        prompt = "*_~`|<>[]#-\\ @everyone " * 250 + "{i}"  # escaping doubles most of it
        await seed(world, 10, user_id=int(world.user["id"]), guild_id=world.guild.id, prompt=prompt)
        page = await answered(world, await world.slash("history"))  # the fake refuses anything over a limit
        assert len(entries(page)) == 10 and labels(page) == []
        assert "@everyone" not in page.text


async def result_and_job(world: World, prompt: str = "a red barn") -> tuple[FakeMessage, Job]:
    result = await world.finished(await world.slash("imagine", {"prompt": prompt}))
    job = await job_by_message(world.bot.storage, result.id)
    assert job is not None
    return result, job


async def test_show_reposts_a_result_privately_with_its_own_media_and_buttons(tmp_path: Path) -> None:
    async with world_for(tmp_path) as world:
        result, job = await result_and_job(world)

        copy = await answered(world, await world.slash("show", {"job": job.id}))

        assert copy.ephemeral and copy.components_v2
        assert copy.media_urls == result.media_urls, "the posted message's own media"
        assert "/files/" not in copy.media_urls[0], "never the API's temporary result URL"
        assert labels(copy) == ["Re-roll", "Edit", "Delete"]
        assert "a red barn" in copy.text and "💵 $0.03" in copy.text
        assert f"/{result.id})" in copy.text, "a link to the result"


async def test_show_rerolls_edits_and_deletes_from_the_copy(tmp_path: Path) -> None:
    async with world_for(tmp_path) as world:
        result, job = await result_and_job(world)
        copy = await answered(world, await world.slash("show", {"job": job.id}))
        await world.restart()

        reroll = await world.discord.click(copy, copy.component("Re-roll")["custom_id"], user=world.user)
        rerolled = await world.finished(reroll)
        assert len(world.api.submits) == 2 and len(rerolled.files) == 1 and not rerolled.ephemeral
        assert world.api.submits[1]["input"] == world.api.submits[0]["input"]

        edit = await world.discord.click(copy, copy.component("Edit")["custom_id"], user=world.user)
        await world.discord.wait_for(lambda: edit.modal is not None)
        edited = await world.finished(await world.discord.submit_modal(edit, {"What should change?": "add snow"}))
        assert world.api.submits[2]["input"]["image_url"] == result.media_urls[0], "the posted result's image"
        edited_job = await job_by_message(world.bot.storage, edited.id)
        assert (
            edited_job is not None and edited_job.source_message_id == result.id and edited_job.source_job_id == job.id
        )

        await world.discord.click(copy, copy.component("Delete")["custom_id"], user=world.user)
        await world.discord.wait_for(lambda: result.deleted and copy.deleted)


async def test_show_refuses_another_members_job_and_another_servers(tmp_path: Path) -> None:
    async with world_for(tmp_path) as world:
        _, job = await result_and_job(world)
        bob = world.discord.add_member(world.guild, name="bob", permissions=MEMBER_PERMISSIONS)["user"]
        refused = await world.slash("show", {"job": job.id}, user=bob)
        assert f"That image is <@{world.user['id']}>'s" in await refusal(world, refused)
        assert refused.original.media_urls == []

        admin = world.discord.add_member(world.guild, name="admin", permissions=MANAGE_GUILD | MEMBER_PERMISSIONS)
        shown = await answered(world, await world.slash("show", {"job": job.id}, user=admin["user"]))
        assert len(shown.media_urls) == 1

        elsewhere = (await seed(world, 1, user_id=int(world.user["id"]), guild_id=world.guild.id + 1))[0]
        for unknown in (elsewhere.id, "0123456789abcdef", "not a job"):
            refused = await world.slash("show", {"job": unknown})
            assert "I have no image with job id" in await refusal(world, refused)
        assert len(world.api.submits) == 1


async def test_show_explains_a_deleted_result_and_a_failed_job(tmp_path: Path) -> None:
    async with world_for(tmp_path) as world:
        result, job = await result_and_job(world)
        await world.discord.click(result, result.component("Delete")["custom_id"], user=world.user)
        await world.discord.wait_for(lambda: result.deleted)
        assert "was deleted" in await refusal(world, await world.slash("show", {"job": job.id}))

        world.api.outcome(lambda body: ("failed", "CONTENT_VIOLATION", "no"))
        failed = await world.finished(await world.slash("imagine", {"prompt": "a cat"}))
        failed_job = await job_by_message(world.bot.storage, failed.id)
        assert failed_job is not None
        assert "no image to show" in await refusal(world, await world.slash("show", {"job": failed_job.id}))


async def test_show_autocompletes_the_members_own_recent_images(tmp_path: Path) -> None:
    async with world_for(tmp_path) as world:
        mine = await seed(
            world, 30, user_id=int(world.user["id"]), guild_id=world.guild.id, prompt="a  fox\nnumber {i}"
        )
        await seed(world, 1, user_id=int(world.user["id"]) + 1, guild_id=world.guild.id, prompt="not mine {i}")

        typed = await world.discord.send_autocomplete("show", "job", "", guild=world.guild, user=world.user)
        await world.discord.wait_for(lambda: typed.autocomplete_choices is not None)
        choices = typed.autocomplete_choices or []
        assert len(choices) == 25, "Discord's most"
        assert choices[0] == {"name": f"{mine[29].id} · a fox number 29", "value": mine[29].id}

        typed = await world.discord.send_autocomplete("show", "job", "NUMBER 7", guild=world.guild, user=world.user)
        await world.discord.wait_for(lambda: typed.autocomplete_choices is not None)
        assert [choice["value"] for choice in typed.autocomplete_choices or []] == [mine[7].id]


async def test_history_buttons_check_manage_server_again_at_each_click(tmp_path: Path) -> None:
    async with world_for(tmp_path) as world:
        await seed(world, 12, user_id=int(world.user["id"]), guild_id=world.guild.id)
        alice = world.guild.members[int(world.user["id"])]
        admin = world.discord.add_member(world.guild, name="admin", permissions=MANAGE_GUILD | MEMBER_PERMISSIONS)[
            "user"
        ]
        page = await answered(world, await world.slash("history", {"member": alice}, user=admin))
        world.guild.member_permissions[int(admin["id"])] = MEMBER_PERMISSIONS  # no longer an admin

        refused = await world.discord.click(page, page.component("Older")["custom_id"], user=admin)

        assert "Manage Server" in await refusal(world, refused)
        assert entries(page) == [f"image {i}" for i in range(11, 1, -1)]
