"""Scale-out end to end: two bot processes, each with half the shards, on one PostgreSQL database."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import pytest

from bot import KontextBot, create_bot
from kontext.config import Settings
from kontext.models import ACTIVE_STATES, JobState
from tests.fakes.apixo import FakeApixo
from tests.fakes.discord import FakeDiscord, FakeGuild
from tests.harness import FAST_RETRY, bot_env, idle, image_of, started, stop_bot
from tests.quotas.quota_support import global_usage
from tests.storage.support import job_by_message

DATABASE = os.environ.get("TEST_DATABASE_URL")
pytestmark = pytest.mark.skipif(not DATABASE, reason="needs PostgreSQL: set TEST_DATABASE_URL")


@pytest.fixture
async def pg_url() -> AsyncIterator[str]:
    """A fresh, empty PostgreSQL database for one test, as a new deployment would have."""
    assert DATABASE is not None
    name = f"kontext_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect(DATABASE)
    await admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield DATABASE.rsplit("/", 1)[0] + "/" + name
    finally:
        await admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        await admin.close()


def shard_of(guild: FakeGuild) -> int:
    return (guild.id >> 22) % 2


class Cluster:
    """One fake Discord and fake API, two guilds (one per shard), one user in both, and bot processes on demand."""

    def __init__(self, url: str, *, api_options: dict[str, Any] | None = None, **env: str) -> None:
        self.url = url
        self.env = env
        self.discord = FakeDiscord()
        self.api = FakeApixo(**(api_options or {}))
        self.bots: dict[int, tuple[KontextBot, asyncio.Task[Any]]] = {}

    async def __aenter__(self) -> Cluster:
        await self.discord.start()
        await self.api.start()
        self.guilds: dict[int, FakeGuild] = {}
        while len(self.guilds) < 2:
            guild = self.discord.add_guild()
            self.guilds.setdefault(shard_of(guild), guild)
        self.user = self.discord.add_member(self.guilds[0], name="alice")["user"]
        self.discord.add_member(self.guilds[1], user_id=int(self.user["id"]), name="alice")
        self.discord.install()
        return self

    async def start(self, shard: int) -> KontextBot:
        env = {"SHARD_COUNT": "2", "SHARD_IDS": str(shard), **self.env}
        settings = Settings.from_env(bot_env(self.api, self.url, **env))
        bot = await create_bot(settings, retry=FAST_RETRY, guild_ready_timeout=0.05, identify_spacing=0)
        await bot.login(settings.discord_token)
        self.bots[shard] = (bot, asyncio.create_task(bot.connect(reconnect=False)))
        await asyncio.wait_for(bot.wait_until_ready(), 10)
        return bot

    async def kill(self, shard: int) -> None:
        """Stop a process as a crash would: its jobs stop dead, nothing is recorded."""
        bot, task = self.bots.pop(shard)
        jobs = list(bot.jobs._tasks.values())
        for job in jobs:
            job.cancel()
        await asyncio.gather(*jobs, return_exceptions=True)
        await stop_bot(bot, task)

    async def imagine(self, shard: int, prompt: str):
        return await self.discord.send_slash("imagine", {"prompt": prompt}, guild=self.guilds[shard], user=self.user)

    async def __aexit__(self, *exc: object) -> None:
        for shard in list(self.bots):
            bot, task = self.bots.pop(shard)
            await stop_bot(bot, task)
        await self.api.close()
        await self.discord.close()


async def test_two_processes_on_one_database_accept_exactly_what_the_shared_limit_allows(pg_url: str) -> None:
    # The owner's global budget ($0.30 = 10 pro images) is the limit both processes must share.
    env = {
        "GLOBAL_DAILY_BUDGET_USD": "0.30",
        "DEFAULT_MAX_CONCURRENT_PER_USER": "100",
        "DEFAULT_DAILY_USER_LIMIT": "100",
    }
    async with Cluster(pg_url, **env) as cluster:
        bots = [await cluster.start(0), await cluster.start(1)]
        # One command to each process first, answered before the rest race in together: both take some whichever
        # is quicker at the start (its first settings read, say), and the race for the last images is the test.
        first = [await cluster.imagine(n, f"split first {n}") for n in (0, 1)]
        await cluster.discord.wait_for(lambda: all(i.responses for i in first), 10)
        rest = await asyncio.gather(*(cluster.imagine(n % 2, f"split {n}") for n in range(48)))
        interactions = [*first, *rest]
        await cluster.discord.wait_for(lambda: all(i.responses for i in interactions), 10)
        accepted = [i for i in interactions if started(i.responses[0])]
        assert len(accepted) == 10
        assert {int(i.guild_id) for i in accepted} == {g.id for g in cluster.guilds.values()}, "both took some"
        await cluster.discord.wait_for(lambda: all(image_of(cluster.discord, i) for i in accepted), 20)
        for bot in bots:
            await idle(bot.jobs)
        usage = await global_usage(bots[0].storage)
        assert usage.spent_today_micros == 300_000 and usage.today.committed == 10


async def test_each_process_resumes_only_its_own_shards_jobs(pg_url: str) -> None:
    env = {"DEFAULT_MAX_CONCURRENT_PER_USER": "100", "POLL_TIMEOUT": "30"}
    async with Cluster(pg_url, **env) as cluster:
        await cluster.start(0)
        await cluster.start(1)
        cluster.api.outcome(lambda body: "never")
        interactions = {shard: [await cluster.imagine(shard, f"s{shard} #{n}") for n in range(3)] for shard in (0, 1)}
        everyone = interactions[0] + interactions[1]
        await cluster.discord.wait_for(lambda: len(cluster.api.submits) == 6, 10)
        await cluster.discord.wait_for(lambda: all(i.original is not None for i in everyone))  # answered with progress
        await asyncio.sleep(0.2)  # let the submit answers be recorded
        await cluster.kill(0)
        await cluster.kill(1)
        for task in cluster.api.tasks.values():
            task.never = False
        cluster.api.outcome(None)

        first = await cluster.start(0)
        await cluster.discord.wait_for(lambda: all(image_of(cluster.discord, i) for i in interactions[0]), 20)
        await idle(first.jobs)
        shard_one = [image_of(cluster.discord, i) for i in interactions[1]]
        assert not any(shard_one), "shard 1's jobs belong to shard 1's process"
        waiting = await first.storage.jobs_in_states(ACTIVE_STATES)
        assert {job.guild_id for job in waiting} == {cluster.guilds[1].id} and len(waiting) == 3

        second = await cluster.start(1)
        await cluster.discord.wait_for(lambda: all(image_of(cluster.discord, i) for i in interactions[1]), 20)
        await idle(second.jobs)
        assert len(cluster.api.submits) == 6, "nothing was submitted twice"
        for interaction in everyone:
            job = await job_by_message(second.storage, image_of(cluster.discord, interaction).id)
            assert job is not None and job.state == JobState.DELIVERED
            uploads = [
                r for r in cluster.discord.requests if r.files and (r.response or {}).get("id") == str(job.message_id)
            ]
            assert len(uploads) == 1


async def test_a_process_set_to_take_over_any_shard_takes_up_a_stopped_shards_jobs(pg_url: str) -> None:
    env = {"DEFAULT_MAX_CONCURRENT_PER_USER": "100", "TAKEOVER_ANY_SHARD": "true", "LEASE_SWEEP_INTERVAL": "0.2"}
    async with Cluster(pg_url, **env) as cluster:
        survivor = await cluster.start(0)
        await cluster.start(1)
        cluster.api.outcome(lambda body: "never")
        interactions = [await cluster.imagine(1, f"shard 1 #{n}") for n in range(3)]
        await cluster.discord.wait_for(lambda: len(cluster.api.submits) == 3, 10)
        await asyncio.sleep(0.2)  # let the submit answers be recorded
        await cluster.kill(1)  # shard 1's process stops for good; nobody runs shard 1 any more
        for task in cluster.api.tasks.values():
            task.never = False
        cluster.api.outcome(None)

        await cluster.discord.wait_for(lambda: all(image_of(cluster.discord, i) for i in interactions), 10)
        await idle(survivor.jobs)
        assert len(cluster.api.submits) == 3, "nothing was submitted twice"
        for interaction in interactions:
            job = await job_by_message(survivor.storage, image_of(cluster.discord, interaction).id)
            assert job is not None and job.state == JobState.DELIVERED and job.lease_owner == survivor.jobs.owner
