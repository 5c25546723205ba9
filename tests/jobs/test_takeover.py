"""Jobs leased to real bot processes: taken over when their owner is SIGKILLed, handed on through deploys."""

from __future__ import annotations

import asyncio
import contextlib
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from kontext.config import Settings
from kontext.models import ACTIVE_STATES, JobState
from kontext.storage import open_storage
from kontext.storage.base import Storage
from tests.fakes.apixo import FakeApixo
from tests.fakes.discord import FakeDiscord, FakeGuild, FakeInteraction
from tests.harness import ServingBot, bot_env, image_of, start_bot, started, stop_bot
from tests.jobs.test_scale import DATABASE, pg_url  # noqa: F401 - pg_url is a fixture
from tests.quotas.quota_support import global_usage
from tests.storage.support import job_by_message

pytestmark = pytest.mark.skipif(not DATABASE, reason="needs PostgreSQL: set TEST_DATABASE_URL")
LEASE = 2.0
SWEEP = 0.2
PRICE = 30_000


@dataclass
class Deployment:
    """A fake Discord and image API, one server and member, the bot's settings, and a view of its database."""

    discord: FakeDiscord
    api: FakeApixo
    guild: FakeGuild
    user: dict[str, Any]
    env: dict[str, str]
    storage: Storage

    def process(self, name: str) -> ServingBot:
        return ServingBot(self.discord, self.env)

    async def imagine(self, prompt: str) -> FakeInteraction:
        return await self.discord.send_slash("imagine", {"prompt": prompt}, guild=self.guild, user=self.user)

    def uploads(self, message_id: int) -> int:
        """How many times Discord was sent an image for this message, by any process and route."""
        return sum(1 for r in self.discord.requests if r.files and (r.response or {}).get("id") == str(message_id))


@pytest.fixture
async def deployment(pg_url: str, tmp_path: Path) -> AsyncIterator[Deployment]:  # noqa: F811
    discord, api = FakeDiscord(), FakeApixo(generation_time=1.0)
    await discord.start()
    await api.start()
    guild = discord.add_guild()
    user = discord.add_member(guild, name="alice")["user"]
    env = bot_env(
        api,
        pg_url,
        DEV_GUILD_ID=str(guild.id),
        DEFAULT_MAX_CONCURRENT_PER_USER="1000",
        DEFAULT_DAILY_USER_LIMIT="1000",
        POLL_TIMEOUT="60",
        JOB_LEASE=str(LEASE),
        LEASE_SWEEP_INTERVAL=str(SWEEP),
    )
    storage = open_storage(pg_url)
    await storage.open()
    try:
        yield Deployment(discord, api, guild, user, env, storage)
    finally:
        await storage.close()
        await api.close()
        await discord.close()


async def settled(deployment: Deployment, interactions: list[FakeInteraction], within: float) -> None:
    """Wait until every interaction shows its image and no job is unfinished."""
    await deployment.discord.wait_for(lambda: all(image_of(deployment.discord, i) for i in interactions), within)
    for _ in range(100):
        if await deployment.storage.count_jobs(states=ACTIVE_STATES) == 0 and not await charged_jobs_unsettled(
            deployment
        ):
            return
        await asyncio.sleep(0.05)
    raise AssertionError("jobs or their charges still unsettled after their images were posted")


async def charged_jobs_unsettled(deployment: Deployment) -> int:
    """Reservations of jobs that exist (a reservation of no job is an orphan, settled by the orphan settlement)."""
    return sum(
        [await deployment.storage.get_job(c.job_id) is not None for c in await deployment.storage.reserved_charges()]
    )


async def test_a_live_process_takes_over_the_jobs_of_a_sigkilled_one_within_the_lease(
    deployment: Deployment,
) -> None:
    owner = await deployment.process("owner").start()
    survivor: Any = None
    try:
        deployment.api.outcome(lambda body: "never")
        interactions = [await deployment.imagine(f"orphan {n}") for n in range(20)]
        await deployment.discord.wait_for(lambda: len(deployment.api.submits) == 20, 15)
        for _ in range(200):  # until every submit's answer is recorded: mid-submit crashes are another test
            jobs = await deployment.storage.jobs_in_states(ACTIVE_STATES)
            if len(jobs) == 20 and all(job.task_id for job in jobs):
                break
            await asyncio.sleep(0.05)
        survivor, survivor_task = await start_bot(deployment.discord, Settings.from_env(deployment.env))
        await asyncio.sleep(SWEEP * 3)
        assert survivor.jobs.running == 0, "jobs a live process holds are not taken"

        await owner.kill()
        loop = asyncio.get_running_loop()
        killed_at = loop.time()
        for task in deployment.api.tasks.values():
            task.never = False  # the API finishes them; only the survivor is left to ask
        deployment.api.outcome(None)
        await deployment.discord.wait_for(lambda: survivor.jobs.running > 0, LEASE + 2)
        taken_after = loop.time() - killed_at
        await settled(deployment, interactions, LEASE + 20)

        assert taken_after <= LEASE + SWEEP + 1.0, f"taken over {taken_after:.2f}s after the kill"
        assert len(deployment.api.submits) == 20, "nothing submitted twice"
        for interaction in interactions:
            job = await job_by_message(deployment.storage, image_of(deployment.discord, interaction).id)
            assert job is not None and job.state == JobState.DELIVERED and job.lease_owner == survivor.jobs.owner
            assert deployment.uploads(job.message_id) == 1
        usage = await global_usage(survivor.storage)
        assert usage.today.committed == 20 and usage.spent_today_micros == 20 * PRICE
        await stop_bot(survivor, survivor_task)
        survivor = None
    finally:
        await owner.kill()
        if survivor is not None:
            with contextlib.suppress(Exception):
                await survivor.close()


async def test_overlapping_deploys_strand_nothing_and_do_nothing_twice(deployment: Deployment) -> None:
    processes = [await deployment.process("deploy-0").start()]
    every: list[FakeInteraction] = []
    try:
        for round_ in range(3):
            old = processes[-1]
            new = await deployment.process(f"deploy-{round_ + 1}").start()  # the new release, beside the old one
            processes.append(new)
            submitted = len(deployment.api.submits)
            interactions = [await deployment.imagine(f"round {round_} #{n}") for n in range(30)]
            await deployment.discord.wait_for(lambda batch=interactions: all(i.responses for i in batch), 10)
            await deployment.discord.wait_for(lambda at=submitted: len(deployment.api.submits) >= at + 10, 15)
            assert await old.terminate() == 0  # mid-flight: the old release is stopped
            await settled(deployment, interactions, 40)
            every += interactions

            assert all(started(i.responses[0]) for i in interactions)
            prompts = Counter(body["input"]["prompt"] for body in deployment.api.submits)
            assert len(deployment.api.submits) == len(every) and max(prompts.values()) == 1, "nothing submitted twice"
            posted = Counter(deployment.uploads(image_of(deployment.discord, i).id) for i in interactions)
            assert posted == Counter({1: 30}), f"posted twice: {posted[2]} of 30 in round {round_}"
        assert len(await deployment.storage.jobs_in_states([JobState.DELIVERED])) == 90
        usage = await global_usage(deployment.storage)
        assert usage.today.committed == 90 and usage.today.committed_micros == 90 * PRICE, usage.today
        # Both releases reserve for every command and the loser of the first-response race refunds its own; a loser
        # stopped before its refund leaves a reservation with no job, which the orphan settlement refunds.
        for charge in await deployment.storage.reserved_charges():
            assert await deployment.storage.get_job(charge.job_id) is None, "no job was charged twice"
    finally:
        for process in processes:
            await process.kill()
