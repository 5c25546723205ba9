"""Jobs in flight ride out a lost PostgreSQL: every connection dropped for a while, or killed again and again."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

import asyncpg
import pytest

from kontext.models import ACTIVE_STATES, JobState
from kontext.quotas.records import ChargeState
from tests.harness import idle, image_of, started
from tests.jobs.test_scale import DATABASE, Cluster, pg_url  # noqa: F401 - pg_url is a fixture
from tests.quotas.quota_support import charge_state, global_usage
from tests.storage.support import job_by_message
from tests.storage.tcp_proxy import TcpProxy

pytestmark = pytest.mark.skipif(not DATABASE, reason="needs PostgreSQL: set TEST_DATABASE_URL")
# Timings scaled down from the (a 6 s outage, kills every 250 ms for 10 s); the outage still outlasts
# several statement timeouts, so every kind of failure (refused, cut mid-statement, silent) is met.
STATEMENT_TIMEOUT = 1.0
OUTAGE = 2.5
KILL_EVERY = 0.25
KILL_FOR = 2.0
ENV = {
    "DEFAULT_MAX_CONCURRENT_PER_USER": "100",
    "DEFAULT_DAILY_USER_LIMIT": "1000",
    "POLL_TIMEOUT": "30",
    "DATABASE_TIMEOUT": str(STATEMENT_TIMEOUT),
    "JOB_LEASE": "3",
    "LEASE_SWEEP_INTERVAL": "0.2",
}


def uploads(cluster: Cluster, message_id: int) -> int:
    """How many times Discord was sent an image for this message."""
    return sum(1 for r in cluster.discord.requests if r.files and (r.response or {}).get("id") == str(message_id))


def failure_posts(cluster: Cluster) -> int:
    """How many times Discord was sent a failure embed."""
    return sum(1 for r in cluster.discord.requests if "Couldn't make this image" in str(r.json or ""))


async def delivered_once_and_charged_once(cluster: Cluster, interactions: list[Any], within: float = 30.0) -> None:
    """Each interaction's image uploaded exactly once, its job delivered, its charge committed, nothing left over."""
    await cluster.discord.wait_for(lambda: all(image_of(cluster.discord, i) for i in interactions), within)
    bot = next(iter(cluster.bots.values()))[0]
    for _ in range(int(within * 10)):
        if await bot.storage.count_jobs(states=ACTIVE_STATES) == 0:
            break
        await asyncio.sleep(0.1)
    for each, _ in cluster.bots.values():
        await idle(each.jobs)
    for interaction in interactions:
        job = await job_by_message(bot.storage, image_of(cluster.discord, interaction).id)
        assert job is not None and job.state == JobState.DELIVERED, (job and job.state, job and job.fail_code)
        assert uploads(cluster, job.message_id) == 1, job.id
        assert await charge_state(bot.storage, job.id) == ChargeState.COMMITTED
    assert await bot.storage.count_jobs(states=ACTIVE_STATES) == 0, "nothing may be stuck"


async def test_twenty_jobs_in_flight_ride_out_every_connection_dropped(pg_url: str) -> None:  # noqa: F811
    proxy = await TcpProxy.for_url(pg_url).start()
    try:
        async with Cluster(proxy.url(pg_url), api_options={"generation_time": 0.5}, **ENV) as cluster:
            bot = await cluster.start(0)
            interactions = [await cluster.imagine(0, f"through the outage {n}") for n in range(20)]
            await cluster.discord.wait_for(lambda: all(i.responses for i in interactions), 10)
            assert all(started(i.responses[0]) for i in interactions)
            await cluster.discord.wait_for(lambda: len(cluster.api.submits) == 20, 10)
            outage = asyncio.create_task(proxy.drop(OUTAGE))
            await asyncio.sleep(STATEMENT_TIMEOUT)
            refused = await cluster.imagine(0, "during the outage")
            await cluster.discord.wait_for(lambda: bool(refused.responses), 5)
            answer = refused.responses[0]
            assert not started(answer), "nothing may start during the outage"
            assert "temporarily unavailable" in answer["data"]["content"]
            assert "Nothing was charged" in answer["data"]["content"]
            await outage

            await delivered_once_and_charged_once(cluster, interactions)
            assert len(cluster.api.submits) == 20, "nothing submitted twice"
            assert failure_posts(cluster) == 0
            usage = await global_usage(bot.storage)
            assert usage.today.committed == 20 and usage.today.refunded == 0
            assert usage.spent_today_micros == 20 * 30_000
            assert await bot.storage.count_jobs() == 20
    finally:
        await proxy.close()


async def kill_connections(admin: asyncpg.Connection, database: str, *, every: float, seconds: float) -> int:
    """pg_terminate_backend on every connection to `database` but ours, every `every` s for `seconds`."""
    killed = 0
    loop = asyncio.get_running_loop()
    end = loop.time() + seconds
    while loop.time() < end:
        killed += await admin.fetchval(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = $1 AND pid <> pg_backend_pid()",
            database,
        )
        await asyncio.sleep(every)
    return killed


async def test_jobs_in_flight_survive_their_connections_killed_again_and_again(pg_url: str) -> None:  # noqa: F811
    database = pg_url.rsplit("/", 1)[1]
    admin = await asyncpg.connect(pg_url)
    try:
        async with Cluster(pg_url, api_options={"generation_time": 0.3}, **ENV) as cluster:
            bot = await cluster.start(0)
            every: list[Any] = []
            for round_ in range(5):
                interactions = [await cluster.imagine(0, f"round {round_} #{n}") for n in range(8)]
                await cluster.discord.wait_for(lambda batch=interactions: all(i.responses for i in batch), 10)
                assert all(started(i.responses[0]) for i in interactions)
                killed = await kill_connections(admin, database, every=KILL_EVERY, seconds=KILL_FOR)
                assert killed > 0
                every += interactions
                await delivered_once_and_charged_once(cluster, interactions)
            assert failure_posts(cluster) == 0, "nothing delivered then failed, no image thrown away"
            assert len(cluster.api.submits) == len(every)
            usage = await global_usage(bot.storage)
            assert usage.today.committed == len(every) and usage.today.refunded == 0
    finally:
        with contextlib.suppress(Exception):
            await admin.close()
