"""Delivery: a result that pings its requester, exactly once, and outlives Discord's limits (tokens, placeholders)."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest

from cogs.utils.delivery import render_progress
from kontext.config import Settings
from kontext.jobs.delivery import Progress
from kontext.models import GenerationRequest, Job, JobState
from kontext.quotas.records import ChargeState
from kontext.storage import open_storage
from tests.fakes.apixo import FakeApixo
from tests.fakes.discord import FakeDiscord, FakeMessage
from tests.fakes.discord.basics import READ_MESSAGE_HISTORY as READ_HISTORY
from tests.fakes.discord.basics import SEND_MESSAGES
from tests.harness import ServingBot, World, bot_env, idle, result_of, start_bot, stop_bot, world_for
from tests.quotas.quota_support import charge_state
from tests.storage.support import job_by_message

MANAGE_GUILD = 1 << 5


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = time.monotonic()

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def only_the_requester(world: World, result: FakeMessage) -> None:
    """The result pings its requester and nobody else: no other user, no role, no @everyone."""
    requester = world.user["id"]
    assert result.pinged == [int(requester)]
    assert result.allowed_mentions is not None
    assert result.allowed_mentions["parse"] == []
    assert [int(u) for u in result.allowed_mentions["users"]] == [int(requester)]
    assert not result.allowed_mentions.get("replied_user")
    assert result.mention_roles == [] and not result.mention_everyone


def test_render_progress_shows_a_ticking_estimate_then_says_when_it_is_late() -> None:
    job = Job(id="j1", user_id=1, channel_id=2, guild_id=3, request=GenerationRequest(prompt="a fox"))

    on_time = render_progress(job, Progress(JobState.PROCESSING, estimate_at=2e9))
    late = render_progress(job, Progress(JobState.PROCESSING, estimate_at=2e9, late=True))

    assert on_time.endswith("🎨 Generating · ready <t:2000000000:R>")
    assert late.endswith("🎨 Generating · taking longer than usual")  # no clock saying "… ago"


def results_in(world: World) -> list[FakeMessage]:
    return [m for m in world.discord.channel_messages(world.channel) if m.files]


async def test_a_finished_image_is_a_new_message_pinging_only_the_requester(tmp_path: Path) -> None:
    async with world_for(tmp_path, api_options={"generation_time": 0.2}) as world:
        world.discord.add_member(world.guild, name="bystander")
        interaction = await world.slash("imagine", {"prompt": "a red fox for <@&1> @everyone"})
        result = await world.finished(interaction)
        placeholder = interaction.original
        assert placeholder is not None and result.id != placeholder.id
        assert result.components_v2 and result.content == "" and len(result.files) == 1
        assert f"<@{world.user['id']}>" in result.text  # the mention lives in a text display of the card
        only_the_requester(world, result)
        assert result.referenced is placeholder, "it replies to the command's placeholder"
        # The placeholder gives way: one line pointing at the result, which pings nobody (edits never do).
        assert placeholder.content.startswith("✅ Ready: https://discord.com/channels/")
        assert placeholder.content.split()[2].endswith(f"/{result.id}")
        assert not placeholder.components and not placeholder.embeds and placeholder.pinged == []
        assert results_in(world) == [result]
        job = await job_by_message(world.bot.storage, result.id)
        assert job is not None and job.state == "delivered"


async def test_reply_to_edit_gets_its_result_as_a_pinging_reply_to_the_request(tmp_path: Path) -> None:
    async with world_for(tmp_path, api_options={"generation_time": 0.2}) as world:
        request = await world.discord.post_message(world.channel, world.user, "a lighthouse", mention_bot=True)
        await world.discord.wait_for(lambda: any(m.referenced is request and m.files for m in results_in(world)))
        await idle(world.bot.jobs)
        (result,) = results_in(world)
        only_the_requester(world, result)
        (placeholder,) = [m for m in world.discord.channel_messages(world.channel) if m.content.startswith("✅")]
        assert placeholder.referenced is request and world.result_of(placeholder) is result


async def test_past_the_interaction_token_the_result_comes_by_bot_token_replying_to_the_request(
    tmp_path: Path,
) -> None:
    clock = Clock()
    async with world_for(tmp_path, discord_options={"clock": clock}, api_options={"generation_time": 0.3}) as world:
        interaction = await world.slash("imagine", {"prompt": "a slow cathedral"})
        await world.discord.wait_for(lambda: interaction.original is not None and bool(world.api.submits))
        clock.advance(16 * 60)  # the interaction token is dead from here on
        result = await world.finished(interaction)
        assert result.files[0][1] == world.api.image_bytes_for(next(iter(world.api.tasks)))
        expired = [r for r in world.discord.requests if r.path.startswith("/webhooks/") and r.status == 401]
        assert expired, "the test should have made the token expire"
        channel = world.channel["id"]
        posts = [r for r in world.discord.requests_to("POST", rf"/channels/{channel}/messages$") if r.files]
        assert len(posts) == 1 and posts[0].response["id"] == str(result.id), "posted once, with the bot token"
        assert result.referenced is interaction.original
        only_the_requester(world, result)
        collapse = world.discord.requests_to("PATCH", rf"/channels/{channel}/messages/{interaction.original.id}$")
        assert collapse and interaction.original.content.startswith("✅ Ready:")


async def test_with_pings_off_the_placeholder_is_edited_into_the_result(tmp_path: Path) -> None:
    async with world_for(tmp_path, api_options={"generation_time": 0.2}) as world:
        admin = world.discord.add_member(world.guild, name="admin", permissions=MANAGE_GUILD)
        answer = await world.slash("settings", {"on": False}, subcommand="pings", user=admin)
        await world.discord.wait_for(lambda: bool(answer.responses))
        assert "off" in str(answer.responses[0]["data"]["embeds"][0])
        assert not (await world.bot.quotas.settings(world.guild.id)).ping_results
        interaction = await world.slash("imagine", {"prompt": "a quiet pond"})
        result = await world.finished(interaction)
        assert result is interaction.original and result.components_v2 and len(result.files) == 1
        assert result.pinged == [], "an edit notifies nobody"
        assert results_in(world) == [result]
        assert not world.discord.requests_to("POST", rf"/channels/{world.channel['id']}/messages$")


async def test_where_the_bot_may_not_post_the_placeholder_shows_the_result_and_the_log_says_so(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    async with world_for(tmp_path, api_options={"generation_time": 0.2}) as world:
        interaction = await world.slash("imagine", {"prompt": "a locked room"})
        await world.discord.wait_for(lambda: interaction.original is not None)
        # Taken away while the image was made (commands check it before they start).
        denied = {"id": str(world.discord.application_id), "type": 1, "allow": "0", "deny": str(SEND_MESSAGES)}
        world.channel["permission_overwrites"].append(denied)
        result = await world.finished(interaction)
        assert result is interaction.original and len(result.files) == 1
        assert results_in(world) == [result]
        assert "cannot post the result" in caplog.text
        job = await job_by_message(world.bot.storage, result.id)
        assert job is not None and job.state == "delivered"
        assert await charge_state(world.bot.storage, job.id) == ChargeState.COMMITTED


@pytest.mark.parametrize("found_by", ["channel search", "nonce"])
async def test_a_kill_between_posting_the_result_and_recording_it_leaves_exactly_one(
    tmp_path: Path, found_by: str
) -> None:
    clock = Clock()
    async with world_for(tmp_path, discord_options={"clock": clock}, api_options={"generation_time": 0.2}) as world:
        channel = world.channel["id"]
        held = world.discord.hold_next("POST", rf"/channels/{channel}/messages$")  # Discord posts, the bot never hears
        interaction = await world.slash("imagine", {"prompt": "posted once"})
        await asyncio.wait_for(held.reached.wait(), 10)
        job = await job_by_message(world.bot.storage, interaction.original.id)
        await world.kill()
        held.release()
        (posted,) = results_in(world)
        storage = open_storage(world.settings.database_url)
        await storage.open()
        assert (await storage.get_job(job.id)).state == "delivering", "the crash came before the post was recorded"
        await storage.close()
        if found_by == "channel search":
            clock.advance(10 * 60)  # long past Discord's nonce window: only the channel's messages can tell
            for n in range(120):  # and the channel went on talking: the result is no longer among the latest 100
                await world.discord.post_message(world.channel, world.user, f"chatter {n}")
        else:
            # No history to read (nor the placeholder to fetch): Discord's nonce returns the message already posted.
            denied = {"id": str(world.discord.application_id), "type": 1, "allow": "0", "deny": str(READ_HISTORY)}
            world.channel["permission_overwrites"].append(denied)
        await world.start_again()
        for _ in range(500):
            if (await world.bot.storage.get_job(job.id)).state == "delivered":
                break
            await asyncio.sleep(0.01)
        await idle(world.bot.jobs)
        assert results_in(world) == [posted]
        final = await world.bot.storage.get_job(job.id)
        assert final.state == "delivered" and final.message_id == posted.id
        assert world.result_of(interaction.original) is posted, "the placeholder was collapsed onto it"
        assert await charge_state(world.bot.storage, job.id) == ChargeState.COMMITTED


async def test_a_deleted_placeholder_gets_the_result_in_a_new_message(tmp_path: Path) -> None:
    async with world_for(tmp_path, api_options={"generation_time": 0.2}) as world:
        interaction = await world.slash("imagine", {"prompt": "a fleeting thought"})
        await world.discord.wait_for(lambda: interaction.original is not None and bool(world.api.submits))
        interaction.original.deleted = True
        await idle(world.bot.jobs)
        posted = [
            m for m in world.discord.channel_messages(world.channel) if m.files and m.id != interaction.original.id
        ]
        assert len(posted) == 1
        assert f"<@{world.user['id']}>" in posted[0].text and posted[0].components_v2
        assert [int(user["id"]) for user in posted[0].mentions] == [int(world.user["id"])]  # a new message: a ping
        job = await job_by_message(world.bot.storage, posted[0].id)
        assert job is not None and job.state == "delivered"


async def test_a_deleted_reply_placeholder_gets_the_result_as_a_reply_to_the_request(tmp_path: Path) -> None:
    async with world_for(tmp_path, api_options={"generation_time": 0.2}) as world:
        request = await world.discord.post_message(world.channel, world.user, "a lighthouse", mention_bot=True)

        def placeholder():
            return next((m for m in world.discord.channel_messages(world.channel) if m.referenced is request), None)

        await world.discord.wait_for(lambda: placeholder() is not None)
        placeholder().deleted = True

        def replies():
            return [m for m in world.discord.channel_messages(world.channel) if m.referenced is request and m.files]

        await world.discord.wait_for(lambda: bool(replies()))
        await idle(world.bot.jobs)
        assert len(replies()) == 1


async def test_discord_rate_limits_are_survived(tmp_path: Path) -> None:
    # (discord.py also retries 5xx itself, after fixed real-time sleeps; that is its code, not tested here.)
    async with world_for(tmp_path, api_options={"generation_time": 0.2}) as world:
        world.discord.fail_next("PATCH", r"/messages/@original$", status=429, times=3)
        interaction = await world.slash("imagine", {"prompt": "through the storm"})
        message = await world.finished(interaction)
        assert len(message.files) == 1
        throttled = [r for r in world.discord.requests if r.status == 429]
        assert len(throttled) == 3
        job = await job_by_message(world.bot.storage, message.id)
        assert job is not None and job.state == "delivered"


async def test_a_process_sigkilled_after_discord_took_the_result_posts_it_once(tmp_path: Path) -> None:
    discord_fake, api = FakeDiscord(), FakeApixo(generation_time=0.2)
    await discord_fake.start()
    await api.start()
    guild = discord_fake.add_guild()
    user = discord_fake.add_member(guild, name="alice")["user"]
    channel = guild.channels[0]
    lease = {"JOB_LEASE": "1", "LEASE_SWEEP_INTERVAL": "0.2"}  # a killed process's lease lapses at once
    env = bot_env(api, f"sqlite:///{tmp_path / 'bot.db'}", DEV_GUILD_ID=str(guild.id), **lease)
    process = ServingBot(discord_fake, env)
    try:
        await process.start()
        held = discord_fake.hold_next("POST", rf"/channels/{channel['id']}/messages$")
        interaction = await discord_fake.send_slash("imagine", {"prompt": "one of a kind"}, guild=guild, user=user)
        await asyncio.wait_for(held.reached.wait(), 20)  # Discord has posted the result; the bot never hears back
        await process.kill()
    finally:
        await process.kill()
        held.release()
    results = [m for m in discord_fake.channel_messages(channel) if m.files]
    assert (
        len(results) == 1 and interaction.original is not None and result_of(discord_fake, interaction.original) is None
    )

    bot, task = await start_bot(discord_fake, Settings.from_env(env))
    try:
        await discord_fake.wait_for(lambda: result_of(discord_fake, interaction.original) is not None, 20)
        for _ in range(500):
            job = await job_by_message(bot.storage, results[0].id)
            if job is not None and job.state == "delivered":
                break
            await asyncio.sleep(0.01)
        await idle(bot.jobs)
        assert [m for m in discord_fake.channel_messages(channel) if m.files] == results
        assert result_of(discord_fake, interaction.original) is results[0]
        assert job is not None and job.state == "delivered"
        assert await charge_state(bot.storage, job.id) == ChargeState.COMMITTED
    finally:
        await stop_bot(bot, task)
        await api.close()
        await discord_fake.close()
