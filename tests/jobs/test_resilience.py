"""Jobs that survive: crashes and restarts, duplicates, lost permissions, a failing API."""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from pathlib import Path

import pytest

from kontext.models import ACTIVE_STATES, JobState
from kontext.quotas.records import ChargeState
from tests.harness import World, idle, image_of, start_bot, stop_bot, world_for
from tests.quotas.quota_support import charge_state, global_usage
from tests.storage.support import job_by_message

GENEROUS = {
    "DEFAULT_MAX_CONCURRENT_PER_USER": "100",
    "DEFAULT_DAILY_USER_LIMIT": "1000",
    "POLL_TIMEOUT": "30",
}


def uploads_to(world: World, message_id: int) -> int:
    """How many times Discord received an image upload for this message (by any route)."""
    return sum(1 for r in world.discord.requests if r.files and (r.response or {}).get("id") == str(message_id))


async def start_jobs(world: World, count: int) -> None:
    for n in range(count):
        await world.slash("imagine", {"prompt": f"job {n}"})

    async def placeholders() -> int:
        jobs = await world.bot.storage.jobs_in_states(ACTIVE_STATES)
        return sum(job.message_id is not None for job in jobs)

    for _ in range(500):
        if await placeholders() == count:
            return
        await asyncio.sleep(0.01)
    raise AssertionError("the placeholders never appeared")


async def test_a_killed_bot_resumes_every_job_and_delivers_each_exactly_once(tmp_path: Path) -> None:
    env = {**GENEROUS, "MAX_TASKS_IN_FLIGHT": "30", "API_CONCURRENCY": "30"}
    async with world_for(tmp_path, env=env) as world:
        world.api.outcome(lambda body: "never")
        await start_jobs(world, 40)
        await world.discord.wait_for(lambda: len(world.api.submits) == 30)
        for _ in range(500):  # until every submit's answer is recorded: this test is not about mid-submit crashes
            if len([j for j in await world.bot.storage.jobs_in_states(ACTIVE_STATES) if j.task_id]) == 30:
                break
            await asyncio.sleep(0.01)
        await world.kill()

        reopened = await _reopen(world)
        jobs = await reopened.jobs_in_states(ACTIVE_STATES)
        queued = [job for job in jobs if job.state == JobState.QUEUED]
        submitted = sorted((job for job in jobs if job.task_id), key=lambda job: job.id)
        assert len(queued) == 10 and len(submitted) == 30, Counter(j.state.value for j in jobs)
        # Shape the database into 10 jobs in each state the issue names, as a crash would leave them.
        tasks = world.api.tasks
        for job in submitted:
            tasks[job.task_id].never = False  # the API finishes them while the bot is down
        for job in submitted[:10]:
            await reopened.update_job(job.id, state=JobState.PENDING)
        for job in submitted[10:20]:
            await reopened.update_job(job.id, state=JobState.PROCESSING)
        for n, job in enumerate(submitted[20:]):
            state = JobState.FINISHED if n < 5 else JobState.DELIVERING  # died before posting
            await reopened.update_job(job.id, state=state, result_url=world.api.file_url(tasks[job.task_id]))
        await reopened.close()
        world.api.outcome(None)

        await world.start_again()
        placeholders = [world.discord.messages[job.message_id] for job in jobs]
        await world.discord.wait_for(lambda: all(world.result_of(m) for m in placeholders), 20)
        await idle(world.bot.jobs)

        assert len(world.api.submits) == 40, "only the 10 queued jobs may be submitted by the new process"
        assert max(Counter(body["input"]["prompt"] for body in world.api.submits).values()) == 1
        for job in jobs:
            final = await world.bot.storage.get_job(job.id)
            assert final.state == JobState.DELIVERED, (job.id, final.state, final.fail_code)
            result = world.result_of(world.discord.messages[job.message_id])
            assert result is not None and final.message_id == result.id, "the placeholder points at the result"
            assert uploads_to(world, final.message_id) == 1
            assert await charge_state(world.bot.storage, job.id) == ChargeState.COMMITTED


async def _reopen(world: World):
    from kontext.storage import open_storage

    storage = open_storage(world.settings.database_url)
    await storage.open()
    return storage


async def test_a_result_posted_just_before_a_crash_is_not_posted_again(tmp_path: Path) -> None:
    async with world_for(tmp_path) as world:
        message = await world.finished(await world.slash("imagine", {"prompt": "posted once"}))
        job = await job_by_message(world.bot.storage, message.id)
        # The crash came between posting and recording: the database still says DELIVERING.
        await world.bot.storage.update_job(job.id, state=JobState.DELIVERING)
        await world.kill()
        uploads = uploads_to(world, message.id)
        await world.start_again()
        for _ in range(200):
            if (await world.bot.storage.get_job(job.id)).state == JobState.DELIVERED:
                break
            await asyncio.sleep(0.01)
        assert (await world.bot.storage.get_job(job.id)).state == JobState.DELIVERED
        assert uploads_to(world, message.id) == uploads == 1


async def test_a_job_caught_mid_submit_is_not_resent_but_refunded(tmp_path: Path) -> None:
    async with world_for(tmp_path, env=GENEROUS) as world:
        world.api.outcome(lambda body: "never")
        await start_jobs(world, 1)
        await world.discord.wait_for(lambda: len(world.api.submits) == 1)
        await world.kill()
        reopened = await _reopen(world)
        (job,) = await reopened.jobs_in_states(ACTIVE_STATES)
        await reopened.update_job(job.id, state=JobState.SUBMITTING, task_id=None)
        await reopened.close()
        await world.start_again()
        message = world.discord.messages[job.message_id]
        await world.discord.wait_for(lambda: bool(message.embeds))
        await idle(world.bot.jobs)
        text = str(message.embeds[0])
        assert "restarted while sending" in text and "You were not charged" in text
        assert len(world.api.submits) == 1
        assert await charge_state(world.bot.storage, job.id) == ChargeState.REFUNDED


async def test_no_permission_to_post_refunds_logs_and_stops(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    async with world_for(tmp_path, env=GENEROUS, api_options={"generation_time": 0.3}) as world:
        await start_jobs(world, 1)
        await world.kill()  # from now on only the bot token can reach the placeholder
        channel = world.channel["id"]
        world.discord.fail_next("*", rf"/channels/{channel}/messages", status=403, times=1000)
        await world.start_again()
        await asyncio.sleep(0.5)
        await idle(world.bot.jobs)
        (job,) = [j for j in await world.bot.storage.jobs_in_states([JobState.FAILED])]
        assert await charge_state(world.bot.storage, job.id) == ChargeState.REFUNDED
        attempts = len(world.discord.requests_to("*", rf"/channels/{channel}/messages"))
        await asyncio.sleep(0.3)
        # Progress edits (one or two), the result's post and its fallback edit, the look for a result that landed
        # anyway (the placeholder, the channel's history), the failure's edit: a bounded number, never a loop.
        assert len(world.discord.requests_to("*", rf"/channels/{channel}/messages")) == attempts <= 8
        assert "could not tell the user" in caplog.text


async def test_two_processes_running_the_same_jobs_submit_and_deliver_each_once(tmp_path: Path) -> None:
    # An overlapping deploy: the new process starts, and resumes every unfinished job, while the old one still runs
    # them: five waiting for a slot, five waiting for the API.
    env = {**GENEROUS, "MAX_TASKS_IN_FLIGHT": "5"}
    async with world_for(tmp_path, env=env, api_options={"generation_time": 1.0}) as world:
        await start_jobs(world, 10)
        await world.discord.wait_for(lambda: len(world.api.submits) == 5)
        new, new_task = await start_bot(world.discord, world.settings)
        try:

            async def delivered() -> int:
                return await world.bot.storage.count_jobs(states=[JobState.DELIVERED])

            for _ in range(1000):
                if await delivered() == 10:
                    break
                await asyncio.sleep(0.01)
            await idle(world.bot.jobs)
            await idle(new.jobs)
            jobs = await world.bot.storage.jobs_in_states([JobState.DELIVERED])
            assert len(jobs) == 10
            assert len(world.api.submits) == 10, "no job was submitted twice"
            assert all(uploads_to(world, job.message_id) == 1 for job in jobs), "each result was posted once"
            usage = await global_usage(world.bot.storage)
            assert usage.today.committed == 10 and usage.today.refunded == 0
        finally:
            await stop_bot(new, new_task)


async def test_a_double_click_on_reroll_starts_one_job(tmp_path: Path) -> None:
    async with world_for(tmp_path) as world:
        result = await world.finished(await world.slash("imagine", {"prompt": "twice?"}))
        custom_id = result.component("Re-roll")["custom_id"]
        first, second = await asyncio.gather(
            world.discord.click(result, custom_id, user=world.user),
            world.discord.click(result, custom_id, user=world.user),
        )
        await world.discord.wait_for(lambda: bool(first.responses) and bool(second.responses))
        ephemeral = sorted(bool((i.responses[0]["data"].get("flags") or 0) & 64) for i in (first, second))
        assert ephemeral == [False, True], "one job's public progress, one private refusal"
        refused = first if (first.responses[0]["data"].get("flags") or 0) & 64 else second
        assert "Already on it" in refused.responses[0]["data"]["content"]
        await idle(world.bot.jobs)
        await asyncio.sleep(0.05)
        await idle(world.bot.jobs)
        assert len(world.api.submits) == 2


async def test_the_same_command_delivered_twice_starts_one_job(tmp_path: Path) -> None:
    async with world_for(tmp_path) as world:
        interaction = await world.slash("imagine", {"prompt": "echo"})
        await world.discord.gateway.dispatch("INTERACTION_CREATE", interaction.payload, guild_id=world.guild.id)
        await world.finished(interaction)
        await asyncio.sleep(0.1)
        await idle(world.bot.jobs)
        assert len(world.api.submits) == 1
        assert await world.bot.storage.count_jobs() == 1


async def test_a_failing_api_opens_the_breaker_and_new_jobs_are_refused_free(tmp_path: Path) -> None:
    async with world_for(tmp_path, env=GENEROUS) as world:
        world.api.fail_submit(500, times=5)
        for n in range(5):
            await world.finished(await world.slash("imagine", {"prompt": f"doomed {n}"}))
        interaction = await world.slash("imagine", {"prompt": "not even tried"})
        await world.discord.wait_for(lambda: bool(interaction.responses))
        response = interaction.responses[0]
        assert response["data"]["flags"] & 64 and "failing right now" in response["data"]["content"]
        assert "Nothing was charged" in response["data"]["content"]
        assert len(world.api.submits) == 5
        assert (await world.bot.quotas.guild_usage(world.guild.id)).spent_today_micros == 0
        world.bot.jobs.breaker.cooldown = 0.0  # the cooldown is over
        message = await world.finished(await world.slash("imagine", {"prompt": "back again"}))
        assert len(message.files) == 1


async def test_fault_soak_every_job_ends_delivered_or_refunded(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    from tests.fakes.apixo import FakeApixo

    class Flaky(FakeApixo):
        def __init__(self) -> None:
            super().__init__()
            import random

            self.random = random.Random(20261124)

        async def intercept(self, route, request):
            roll = self.random.random()
            if route == "status" and roll < 0.20:
                self.fail_status(500)
            elif route == "submit" and roll < 0.10:
                self.fail_submit(429, headers={"Retry-After": "0"})
            elif route == "file" and roll < 0.05:
                self.hang_download()
            return await super().intercept(route, request)

    env = {
        **GENEROUS,
        "API_REQUEST_TIMEOUT": "0.3",
        "MAX_TASKS_IN_FLIGHT": "50",
        "API_CONCURRENCY": "50",
        "DEFAULT_MAX_CONCURRENT_PER_USER": "1000",
    }
    async with world_for(tmp_path, env=env, api=Flaky()) as world:
        world.bot.jobs.breaker.threshold = 10_000  # the soak is about each job's own end, not the breaker
        interactions = [await world.slash("imagine", {"prompt": f"soak {n}"}) for n in range(200)]
        for interaction in interactions:
            await world.finished(interaction, within=60)
        await idle(world.bot.jobs)
        states = Counter()
        for interaction in interactions:
            job = await job_by_message(world.bot.storage, world.result_of(interaction.original).id)
            charge = await charge_state(world.bot.storage, job.id)
            states[job.state.value] += 1
            if job.state == JobState.DELIVERED:
                assert charge == ChargeState.COMMITTED
            else:
                assert job.state == JobState.FAILED and charge == ChargeState.REFUNDED
        assert await world.bot.storage.count_jobs(states=ACTIVE_STATES) == 0, "nothing may be stuck"
        assert states["delivered"] + states["failed"] == 200
        assert states["delivered"] > 150, states
        usage = await world.bot.quotas.guild_usage(world.guild.id)
        assert usage.today.committed == states["delivered"]
        assert usage.spent_today_micros == 30_000 * states["delivered"]


async def test_sigterm_stops_the_process_quickly_and_a_restart_delivers_everything(tmp_path: Path) -> None:

    from kontext.config import Settings
    from tests.fakes.apixo import FakeApixo
    from tests.fakes.discord import FakeDiscord
    from tests.harness import ServingBot, bot_env, start_bot, stop_bot

    discord_fake, api = FakeDiscord(), FakeApixo()
    await discord_fake.start()
    await api.start()
    guild = discord_fake.add_guild()
    user = discord_fake.add_member(guild, name="alice")["user"]
    env = bot_env(api, f"sqlite:///{tmp_path / 'bot.db'}", DEV_GUILD_ID=str(guild.id), **GENEROUS)
    process = ServingBot(discord_fake, env)
    try:
        await process.start()
        api.outcome(lambda body: "never")
        interactions = [
            await discord_fake.send_slash("imagine", {"prompt": f"deploy {n}"}, guild=guild, user=user)
            for n in range(5)
        ]
        await discord_fake.wait_for(lambda: len(api.submits) == 5, 10)
        await asyncio.sleep(0.2)  # let the answers to the submits be recorded

        loop = asyncio.get_running_loop()
        began = loop.time()
        code = await process.terminate(10)
        assert loop.time() - began < 10 and code == 0, process.log()
    finally:
        await process.kill()

    for task in api.tasks.values():
        task.never = False
    api.outcome(None)
    settings = Settings.from_env(env)
    bot, task = await start_bot(discord_fake, settings)
    try:
        await discord_fake.wait_for(lambda: all(image_of(discord_fake, i) for i in interactions), 20)
        await idle(bot.jobs)
        assert len(api.submits) == 5, "nothing may be submitted twice"
        for interaction in interactions:
            job = await job_by_message(bot.storage, image_of(discord_fake, interaction).id)
            assert job is not None and job.state == JobState.DELIVERED
    finally:
        await stop_bot(bot, task)
        await api.close()
        await discord_fake.close()


async def test_a_result_posted_as_a_new_message_then_lost_from_the_record_is_not_posted_twice(tmp_path: Path) -> None:
    async with world_for(tmp_path, env=GENEROUS) as world:
        world.api.outcome(lambda body: "never")
        await start_jobs(world, 1)
        await world.discord.wait_for(lambda: len(world.api.submits) == 1)
        await asyncio.sleep(0.2)  # let the submit's answer be recorded
        (job,) = await world.bot.storage.jobs_in_states(ACTIVE_STATES)
        await world.kill()  # from now on only the bot token can reach the channel
        task = world.api.tasks[job.task_id]
        task.never = False
        reopened = await _reopen(world)
        await reopened.update_job(job.id, state=JobState.FINISHED, result_url=world.api.file_url(task))
        await reopened.close()
        placeholder = world.discord.messages[job.message_id]
        placeholder.deleted = True  # someone deleted the placeholder: the result goes out as a new message
        await world.start_again()
        await world.discord.wait_for(lambda: any(m.files for m in world.discord.messages.values()))
        await idle(world.bot.jobs)
        (posted,) = [m for m in world.discord.messages.values() if m.files]

        # A crash between posting that message and recording it: the record still names the deleted placeholder.
        await world.kill()
        reopened = await _reopen(world)
        await reopened.update_job(job.id, state=JobState.DELIVERING, message_id=placeholder.id, lease_until=0.0)
        await reopened.close()
        await world.start_again()
        for _ in range(200):
            if (await world.bot.storage.get_job(job.id)).state == JobState.DELIVERED:
                break
            await asyncio.sleep(0.01)
        await idle(world.bot.jobs)
        assert [m.id for m in world.discord.messages.values() if m.files] == [posted.id]
        sends = world.discord.requests_to("POST", rf"/channels/{world.channel['id']}/messages")
        assert len([r for r in sends if r.files]) == 1, "found in the channel, not posted again"
        assert (await world.bot.storage.get_job(job.id)).message_id == posted.id
