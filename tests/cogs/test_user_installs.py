"""User installs, DMs and group DMs: the real bot against the fake Discord, answering through the interaction only."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import aiohttp
import discord
import pytest

from cogs.utils.errors import personal_generation_off, personal_limit_reached
from cogs.utils.guide import dm_help_intro
from cogs.utils.personal import by_dm_note, long_job_note
from kontext.models import ACTIVE_STATES, JobState
from tests.fakes.discord import FakeDiscord, FakeGuild
from tests.fakes.discord.models import FakeInteraction
from tests.harness import World, idle, world_for
from tests.images.test_imaging import noisy_png

EVERYWHERE = {"integration_types": [0, 1], "contexts": [0, 1, 2]}
# Sync globally, as a production bot does: user installs only ever see global commands.
GLOBAL = {"DEV_GUILD_ID": ""}


def _bot_token_requests(fake: FakeDiscord, channel: dict[str, Any]) -> list[str]:
    """Requests the bot made with its own token to a channel (reads included)."""
    return [f"{r.method} {r.path}" for r in fake.requests if r.path.startswith(f"/channels/{channel['id']}")]


def _place(world: World, where: str) -> tuple[FakeGuild | None, dict[str, Any]]:
    """Where a personal command runs: the bot's DM, a group DM, or a server that never added the bot."""
    fake = world.discord
    if where == "dm":
        return None, fake.dm_channel(world.user)
    if where == "group":
        return None, fake.add_group_dm(world.user, fake.add_user("bob"), name="friends")
    elsewhere = fake.add_guild_without_bot()
    fake.add_member(elsewhere, user_id=int(world.user["id"]), name="alice")
    return elsewhere, elsewhere.channels[0]


async def _personal_slash(world: World, where: str, name: str, options: dict[str, Any]) -> FakeInteraction:
    guild, channel = _place(world, where)
    return await world.discord.send_slash(name, options, guild=guild, user=world.user, channel=channel)


# ---- the fake Discord: user-install interactions and its refusals ---------------------------------------------------


async def test_fake_sends_user_install_interactions_as_discord_does(tmp_path: Path) -> None:
    async with world_for(tmp_path, env=GLOBAL) as world:
        fake, uid = world.discord, world.user["id"]
        dm = await fake.send_slash("help", guild=None, user=world.user, channel=fake.dm_channel(world.user))
        group = fake.add_group_dm(world.user, fake.add_user("bob"))
        in_group = await fake.send_slash("help", guild=None, user=world.user, channel=group)
        elsewhere = fake.add_guild_without_bot()
        fake.add_member(elsewhere, user_id=int(uid))
        in_server = await fake.send_slash("help", guild=elsewhere, user=world.user)
        at_home = await world.slash("help")
        await fake.wait_for(lambda: all(i.responded for i in (dm, in_group, in_server, at_home)))

        for inter, context in ((dm, 1), (in_group, 2)):
            payload = inter.payload
            assert "guild_id" not in payload and "member" not in payload and payload["user"]["id"] == uid
            assert payload["context"] == context
            assert payload["authorizing_integration_owners"] == {"1": uid}
            assert set(payload["channel"]) <= {"id", "type", "name", "recipients", "owner_id", "flags"}
        assert in_group.payload["channel"]["type"] == 3 and dm.payload["channel"]["type"] == 1
        assert in_server.payload["context"] == 0 and in_server.payload["guild_id"] == str(elsewhere.id)
        assert in_server.payload["authorizing_integration_owners"] == {"1": uid}
        assert at_home.payload["authorizing_integration_owners"] == {"0": str(world.guild.id)}
        # The bot hears nothing of a server that never added it.
        assert world.bot.get_guild(elsewhere.id) is None


async def test_fake_refuses_the_bot_token_where_the_bot_is_not(tmp_path: Path) -> None:
    async with world_for(tmp_path, env=GLOBAL) as world:
        fake = world.discord
        group = fake.add_group_dm(world.user, fake.add_user("bob"))
        inter = await fake.send_slash("help", guild=None, user=world.user, channel=group)
        await fake.wait_for(lambda: inter.responded)
        elsewhere = fake.add_guild_without_bot()
        for channel in (group, elsewhere.channels[0]):
            target = world.bot.get_partial_messageable(int(channel["id"]))
            with pytest.raises(discord.Forbidden) as refused:
                await target.send("hello")
            assert refused.value.status == 403 and refused.value.code == 50001
        assert inter.original is not None
        with pytest.raises(discord.Forbidden) as refused:
            await (
                world.bot.get_partial_messageable(int(group["id"]))
                .get_partial_message(inter.original.id)
                .edit(content="changed")
            )
        assert refused.value.code == 50001
        # The interaction's own routes still answer there.
        await discord.Webhook.from_url(
            f"https://discord.com/api/webhooks/{fake.application_id}/{inter.token}", client=world.bot
        ).edit_message(inter.original.id, content="through the token")
        assert inter.original.content == "through the token"


async def _followups(fake: FakeDiscord, inter: FakeInteraction, count: int) -> list[int]:
    url = f"{fake.base_url}/api/v10/webhooks/{fake.application_id}/{inter.token}?wait=true"
    statuses = []
    async with aiohttp.ClientSession() as session:
        for n in range(count):
            async with session.post(url, json={"content": f"follow-up {n}"}) as response:
                body = await response.json()
                statuses.append(body.get("code", response.status) if response.status != 200 else 200)
    return statuses


async def test_fake_allows_a_user_installed_interaction_five_follow_ups(tmp_path: Path) -> None:
    async with world_for(tmp_path, env=GLOBAL) as world:
        fake = world.discord
        personal = await fake.send_slash("help", guild=None, user=world.user, channel=fake.dm_channel(world.user))
        at_home = await world.slash("help")
        await fake.wait_for(lambda: personal.responded and at_home.responded)
        assert await _followups(fake, personal, 6) == [200] * 5 + [40094]
        assert await _followups(fake, at_home, 6) == [200] * 6  # a server's installation is not limited


async def test_fake_checks_integration_types_and_contexts_at_sync(tmp_path: Path) -> None:
    async with world_for(tmp_path, env=GLOBAL) as world:
        fake = world.discord
        url = f"{fake.base_url}/api/v10/applications/{fake.application_id}/commands"
        command = {"name": "ping", "description": "pong", "type": 1}
        async with aiohttp.ClientSession(headers={"Authorization": "Bot test-discord-token"}) as session:
            for bad in ({"integration_types": [2]}, {"contexts": [0, 3]}, {"contexts": []}, {"contexts": [1, 1]}):
                async with session.put(url, json=[{**command, **bad}]) as response:
                    assert response.status == 400, bad
                    assert (await response.json())["code"] == 50035
            async with session.put(url, json=[{**command, **EVERYWHERE}]) as response:
                assert response.status == 200


async def test_fake_offers_a_server_only_command_nowhere_else(tmp_path: Path) -> None:
    async with world_for(tmp_path, env=GLOBAL) as world:
        fake = world.discord
        with pytest.raises(ValueError, match="does not offer /usage"):
            await fake.send_slash("usage", guild=None, user=world.user, channel=fake.dm_channel(world.user))


# ---- registration -----------------------------------------------------------------------------------------------


async def test_registered_commands_carry_installs_and_contexts(tmp_path: Path) -> None:
    async with world_for(tmp_path, env=GLOBAL) as world:
        commands = {(c["name"], c["type"]): c for c in world.discord.commands}
        for name in ("imagine", "edit", "help", "history", "show", "quota"):
            command = commands[(name, 1)]
            assert (command["integration_types"], command["contexts"]) == ([0, 1], [0, 1, 2]), name
        menu = commands[("Edit image", 3)]
        assert (menu["integration_types"], menu["contexts"]) == ([0, 1], [0, 1, 2])
        for name in ("settings", "usage"):  # server admin commands stay in servers
            assert commands[(name, 1)]["contexts"] == [0], name
            assert 1 not in (commands[(name, 1)].get("integration_types") or [0]), name


# ---- /imagine where the bot is not --------------------------------------------------------------------------------


@pytest.mark.parametrize("where", ["dm", "group", "server without the bot"])
async def test_imagine_personal_goes_through_the_interaction_only_and_the_limit_refuses_next(
    tmp_path: Path, where: str
) -> None:
    async with world_for(tmp_path, env={**GLOBAL, "PERSONAL_DAILY_LIMIT": "1"}) as world:
        fake = world.discord
        guild, channel = _place(world, where)
        first = await fake.send_slash("imagine", {"prompt": "a fox"}, guild=guild, user=world.user, channel=channel)
        message = await world.finished(first)

        assert message.components_v2 and len(message.files) == 1, "the result is in the interaction's response"
        answered = first.responses[0]
        assert answered["type"] == 4 and long_job_note() in answered["data"]["content"], (
            "the progress answered through the token, saying what happens after 15 minutes"
        )
        assert _bot_token_requests(fake, channel) == []
        assert not fake.requests_to("*", r"^/channels/"), "no bot-token channel route at all"
        assert first.followup_posts <= 5
        job = next(iter(await world.bot.history.recent(None, int(world.user["id"]))))
        assert job.guild_id is None and job.cost_micros == 30_000  # personal: the owner's prices, no server's

        submits = len(world.api.submits)
        second = await fake.send_slash("imagine", {"prompt": "again"}, guild=guild, user=world.user, channel=channel)
        await fake.wait_for(lambda: second.original is not None and not second.original.loading)
        refusal = second.original
        assert refusal.ephemeral
        assert personal_limit_reached(1, "").split(" You can")[0] in refusal.text
        assert "Nothing was charged" in refusal.text
        assert len(world.api.submits) == submits, "a refused request reaches no image service"
        usage = await world.bot.quotas.user_usage(None, int(world.user["id"]))
        assert (usage.images_today, usage.in_flight) == (1, 0)
        assert not fake.requests_to("*", r"^/channels/")


async def test_imagine_in_a_server_that_added_the_bot_keeps_its_rules(tmp_path: Path) -> None:
    async with world_for(tmp_path, env={"PERSONAL_DAILY_LIMIT": "0"}) as world:
        message = await world.finished(await world.slash("imagine", {"prompt": "a fox"}))
        assert len(message.files) == 1  # a personal limit of 0 does not touch a server's own
        usage = await world.bot.quotas.user_usage(world.guild.id, int(world.user["id"]))
        assert usage.images_today == 1


# ---- past the 15-minute token ----------------------------------------------------------------------------------


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def _outlive_the_token(world: World, clock: Clock) -> FakeInteraction:
    fake = world.discord
    group = fake.add_group_dm(world.user, fake.add_user("bob"))
    inter = await fake.send_slash("imagine", {"prompt": "a slow fox"}, guild=None, user=world.user, channel=group)
    await fake.wait_for(lambda: inter.original is not None and bool(world.api.submits))  # answered, and running
    clock.now += fake.token_lifetime + 1
    return inter


async def test_a_personal_job_that_outlives_the_token_comes_by_dm(tmp_path: Path) -> None:
    clock = Clock()
    options = {"discord_options": {"clock": clock}, "api_options": {"generation_time": 0.3}}
    async with world_for(tmp_path, env=GLOBAL, **options) as world:
        inter = await _outlive_the_token(world, clock)
        dm = world.discord.dm_channel(world.user)
        await world.discord.wait_for(lambda: any(m.files for m in world.discord.channel_messages(dm)))
        await idle(world.bot.jobs)
        note, card = world.discord.channel_messages(dm)
        assert by_dm_note(await _only_job(world)) in note.content
        assert card.components_v2 and len(card.files) == 1
        assert not inter.original.files, "the expired response could not be given the image"
        assert _bot_token_requests(world.discord, world.discord.channels[inter.channel_id]) == []


async def test_a_personal_job_past_the_token_with_dms_closed_is_kept_for_show(tmp_path: Path) -> None:
    clock = Clock()
    options = {"discord_options": {"clock": clock}, "api_options": {"generation_time": 0.3}}
    async with world_for(tmp_path, env=GLOBAL, **options) as world:
        fake = world.discord
        fake.closed_dms.add(int(world.user["id"]))
        inter = await _outlive_the_token(world, clock)
        await fake.wait_for(lambda: fake.requests_to("POST", r"^/channels/\d+/messages$"), 10)
        await idle(world.bot.jobs)
        job = await _only_job(world)
        assert fake.requests_to("POST", r"^/channels/\d+/messages$")[-1].response["code"] == 50007
        assert long_job_note() in inter.original.content, "told beforehand where the image would go"
        group = fake.channels[inter.channel_id]

        history = await fake.send_slash("history", guild=None, user=world.user, channel=group)
        await fake.wait_for(lambda: history.original is not None)
        assert job.id in history.original.text

        show = await fake.send_slash("show", {"job": job.id}, guild=None, user=world.user, channel=group)
        await fake.wait_for(lambda: show.original is not None and not show.original.loading)
        assert show.original.ephemeral and len(show.original.files) == 1
        assert show.original.files[0][1] == world.api.image_bytes_for(next(iter(world.api.tasks)))
        assert _bot_token_requests(fake, group) == []


async def _only_job(world: World):
    jobs = await world.bot.history.recent(None, int(world.user["id"]))
    assert len(jobs) == 1
    return jobs[0]


# ---- DMs ---------------------------------------------------------------------------------------------------------


async def test_a_plain_dm_gets_the_help(tmp_path: Path) -> None:
    async with world_for(tmp_path, env=GLOBAL) as world:
        fake = world.discord
        dm = fake.dm_channel(world.user)
        await fake.post_message(dm, world.user, "hi, what can you do?")
        await fake.wait_for(lambda: len(fake.channel_messages(dm)) == 2)
        answer = fake.channel_messages(dm)[-1]
        assert answer.content == dm_help_intro() and answer.embeds[0]["title"] == "FLUX Kontext: help"
        assert "0 of 10 images today" in answer.text  # the personal limit


async def test_help_and_quota_in_a_dm_show_the_personal_limit(tmp_path: Path) -> None:
    async with world_for(tmp_path, env={**GLOBAL, "PERSONAL_DAILY_LIMIT": "3"}) as world:
        quota = await _personal_slash(world, "dm", "quota", {})
        await world.discord.wait_for(lambda: quota.original is not None)
        assert "0 of 3" in quota.original.text and "personal daily limit" in quota.original.text


# ---- the rest of the flow where the bot is not ---------------------------------------------------------------------


async def test_edit_image_menu_in_a_group_dm_answers_through_the_interaction(tmp_path: Path) -> None:
    async with world_for(tmp_path, env=GLOBAL) as world:
        fake = world.discord
        group = fake.add_group_dm(world.user, fake.add_user("bob"))
        picture = fake.add_attachment(noisy_png(64, 64), "cat.png", "image/png", width=64, height=64)
        target = await fake.post_message(group, world.user, "", attachments=[picture])
        menu = await fake.send_message_command("Edit image", target, user=world.user, channel=group)
        await fake.wait_for(lambda: menu.modal is not None)
        message = await world.finished(await fake.submit_modal(menu, {"What should change?": "make it night"}))
        assert len(message.files) == 1 and world.api.submits[0]["input"]["image_url"] == picture["url"]
        assert _bot_token_requests(fake, group) == []


async def test_delete_in_a_group_dm_goes_through_the_interaction(tmp_path: Path) -> None:
    async with world_for(tmp_path, env=GLOBAL) as world:
        fake = world.discord
        group = fake.add_group_dm(world.user, fake.add_user("bob"))
        inter = await fake.send_slash("imagine", {"prompt": "a fox"}, user=world.user, channel=group)
        result = await world.finished(inter)
        await fake.click(result, result.component("Delete")["custom_id"], user=world.user)
        await fake.wait_for(lambda: result.deleted)
        assert _bot_token_requests(fake, group) == []


async def test_a_personal_job_taken_up_after_a_restart_comes_by_dm(tmp_path: Path) -> None:
    async with world_for(tmp_path, env=GLOBAL, api_options={"generation_time": 0.5}) as world:
        fake = world.discord
        group = fake.add_group_dm(world.user, fake.add_user("bob"))
        await fake.send_slash("imagine", {"prompt": "a fox"}, user=world.user, channel=group)
        for _ in range(500):  # until the task is recorded: a crash mid-submit is a different story
            jobs = await world.bot.history.storage.recent_jobs(None, int(world.user["id"]), ACTIVE_STATES, limit=1)
            if jobs and jobs[0].task_id:
                break
            await asyncio.sleep(0.01)
        await world.kill()
        await world.start_again()  # the interaction's token died with the process
        dm = fake.dm_channel(world.user)
        await fake.wait_for(lambda: any(m.files for m in fake.channel_messages(dm)), 10)
        await idle(world.bot.jobs)
        job = await _only_job(world)
        assert job.state == JobState.DELIVERED
        assert _bot_token_requests(fake, group) == []


async def test_a_members_own_install_in_a_server_that_added_the_bot_keeps_the_servers_rules(tmp_path: Path) -> None:
    async with world_for(tmp_path, env={**GLOBAL, "PERSONAL_DAILY_LIMIT": "5"}) as world:
        await world.bot.quotas.update_settings(world.guild.id, daily_user_limit=1)
        first = await world.slash("imagine", {"prompt": "a fox"}, install="user")
        assert first.payload["authorizing_integration_owners"] == {"1": world.user["id"]}
        assert len((await world.finished(first)).files) == 1
        assert _bot_token_requests(world.discord, world.channel) == [], "a user's install answers by its token"
        second = await world.slash("imagine", {"prompt": "again"}, install="user")
        await world.discord.wait_for(lambda: second.original is not None and not second.original.loading)
        assert "for today in this server" in second.original.text, "no way around the server's limit"


async def test_a_personal_limit_of_zero_turns_personal_images_off_in_words(tmp_path: Path) -> None:
    async with world_for(tmp_path, env={**GLOBAL, "PERSONAL_DAILY_LIMIT": "0"}) as world:
        refused = await _personal_slash(world, "dm", "imagine", {"prompt": "a fox"})
        await world.discord.wait_for(lambda: refused.original is not None and not refused.original.loading)
        assert personal_generation_off() in refused.original.text and refused.original.ephemeral
        assert world.api.submits == []
