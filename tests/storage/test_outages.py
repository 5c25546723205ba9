"""Jobs that ride out a lost database and lost answers (SQLite, faults injected into the live storage object)."""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from pathlib import Path

import pytest

from kontext.models import ACTIVE_STATES, JobState
from kontext.quotas.records import ChargeState
from kontext.storage.base import is_transient
from kontext.storage.outages import StorageRetry, StorageUnavailable
from tests.harness import World, idle, image_of, start_bot, started, stop_bot, world_for
from tests.jobs.test_resilience import GENEROUS, uploads_to
from tests.quotas.quota_support import charge_state
from tests.storage.storage_faults import StorageFaults
from tests.storage.support import job_by_message

FAST_LEASES = {"JOB_LEASE": "1", "LEASE_SWEEP_INTERVAL": "0.1"}


def every_other() -> object:
    """A rule that loses the answer of every second matching operation."""
    seen: Counter[str] = Counter()

    def rule(name: str, args: tuple, kwargs: dict) -> bool:
        if name not in ("transition", "settle_charge"):
            return False
        seen[name] += 1
        return seen[name] % 2 == 1

    return rule


async def all_delivered_once(world: World, interactions: list, within: float = 20.0) -> None:
    """Every interaction's job delivered, its image uploaded once and its charge committed once."""
    await world.discord.wait_for(lambda: all(image_of(world.discord, i) for i in interactions), within)
    for _ in range(int(within * 20)):
        if await world.bot.storage.count_jobs(states=ACTIVE_STATES) == 0:
            break
        await asyncio.sleep(0.05)
    await idle(world.bot.jobs)
    for interaction in interactions:
        job = await job_by_message(world.bot.storage, image_of(world.discord, interaction).id)
        assert job is not None and job.state == JobState.DELIVERED, (job and job.state, job and job.fail_code)
        assert uploads_to(world, job.message_id) == 1
        assert await charge_state(world.bot.storage, job.id) == ChargeState.COMMITTED
    usage = await world.bot.quotas.guild_usage(world.guild.id)
    assert usage.today.committed == len(interactions) and usage.today.refunded == 0


def failure_posts(world: World) -> int:
    """How many times Discord was sent a failure embed."""
    return sum(1 for r in world.discord.requests if "Couldn't make this image" in str(r.json or ""))


async def test_a_write_whose_answer_was_lost_is_not_taken_for_another_process(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    async with world_for(tmp_path, env=GENEROUS, api_options={"generation_time": 0.1}) as world:
        faults = StorageFaults(world.bot.storage)
        faults.lose_answers(every_other())
        interactions = [await world.slash("imagine", {"prompt": f"lost answer {n}"}) for n in range(5)]
        await all_delivered_once(world, interactions)
        assert faults.lost["transition"] >= 15 and faults.lost["settle_charge"] >= 2
        assert "lets go" not in caplog.text
        assert len(world.api.submits) == 5


async def test_jobs_in_flight_wait_out_a_database_outage_and_new_requests_are_refused_free(tmp_path: Path) -> None:
    async with world_for(tmp_path, env=GENEROUS, api_options={"generation_time": 0.3}) as world:
        world.bot.jobs.retry.max_delay = 0.05
        faults = StorageFaults(world.bot.storage)
        interactions = [await world.slash("imagine", {"prompt": f"outage {n}"}) for n in range(5)]
        await world.discord.wait_for(lambda: len(world.api.submits) == 5)
        outage = asyncio.create_task(faults.outage(1.0))
        await asyncio.sleep(0.05)
        refused = await world.slash("imagine", {"prompt": "during the outage"})
        await world.discord.wait_for(lambda: bool(refused.responses))
        answer = refused.responses[0]
        assert not started(answer) and answer["data"]["flags"] & 64
        assert "temporarily unavailable" in answer["data"]["content"]
        assert "Nothing was charged" in answer["data"]["content"]
        await outage
        assert faults.refused["transition"] > 0, "the outage must have caught job steps"
        await all_delivered_once(world, interactions)
        assert len(world.api.submits) == 5 and await world.bot.storage.count_jobs() == 5
        assert failure_posts(world) == 0


async def test_a_posted_image_stays_delivered_when_recording_it_fails_and_the_record_catches_up(
    tmp_path: Path,
) -> None:
    env = {**GENEROUS, **FAST_LEASES, "DATABASE_RETRY_LIMIT": "0.2"}
    async with world_for(tmp_path, env=env) as world:
        faults = StorageFaults(world.bot.storage)

        def recording_delivered(name: str, args: tuple, kwargs: dict) -> bool:
            return name == "transition" and args[2] == JobState.DELIVERED

        faults.outage_on(recording_delivered, 0.6)  # longer than the retry limit: this process gives up on it
        interaction = await world.slash("imagine", {"prompt": "posted, then the database went"})
        await world.discord.wait_for(lambda: faults.refused["transition"] > 0)
        await world.discord.wait_for(lambda: not faults.down)
        await all_delivered_once(world, [interaction])
        assert failure_posts(world) == 0, "a delivered image is never replaced by a failure"


async def test_status_errors_are_asked_again_until_the_image_is_ready(tmp_path: Path) -> None:
    async with world_for(tmp_path, env=GENEROUS) as world:
        world.bot.jobs.breaker.threshold = 10_000
        world.api.fail_status(500, times=15)  # five times the client's own attempts (3 each in tests)
        message = await world.finished(await world.slash("imagine", {"prompt": "patience"}))
        assert message.files, message.embeds[0] if message.embeds else message
        statuses = [route for route, _ in world.api.requests if route == "status"]
        assert len(statuses) > 15


async def test_status_errors_until_the_time_limit_end_the_job_then(tmp_path: Path) -> None:
    async with world_for(tmp_path, env={**GENEROUS, "POLL_TIMEOUT": "0.5"}) as world:
        world.bot.jobs.breaker.threshold = 10_000
        world.api.fail_status(500, times=None)
        message = await world.finished(await world.slash("imagine", {"prompt": "never answers"}))
        assert "having trouble" in str(message.embeds[0]) and "You were not charged" in str(message.embeds[0])


async def test_the_process_that_loses_the_first_response_race_logs_at_info(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    async with world_for(tmp_path, env=GENEROUS) as world:
        second, second_task = await start_bot(world.discord, world.settings)
        try:
            interactions = [await world.slash("imagine", {"prompt": f"race {n}"}) for n in range(4)]
            await world.discord.wait_for(lambda: all(image_of(world.discord, i) for i in interactions))
            await idle(world.bot.jobs)
            await idle(second.jobs)
            await asyncio.sleep(0.1)
            assert "answered by another process first" in caplog.text
            errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
            assert errors == [], [r.getMessage() for r in errors]
            assert await world.bot.storage.count_jobs() == 4 and len(world.api.submits) == 4
            usage = await world.bot.quotas.guild_usage(world.guild.id)
            assert usage.today.committed == 4
        finally:
            await stop_bot(second, second_task)


def test_is_transient_tells_a_lost_connection_from_a_wrong_statement() -> None:
    import sqlite3

    import asyncpg

    import kontext.storage.postgres
    import kontext.storage.sqlite  # noqa: F401 - each driver adds its own errors' test when imported

    for error in (
        ConnectionResetError(),
        TimeoutError(),
        asyncpg.exceptions.AdminShutdownError("terminating connection due to administrator command"),
        asyncpg.exceptions.ConnectionDoesNotExistError("connection was closed in the middle of operation"),
        asyncpg.InternalClientError("cannot switch to state 15; another operation (2) is in progress"),
        asyncpg.exceptions.CannotConnectNowError("the database system is starting up"),
        sqlite3.OperationalError("database is locked"),
    ):
        assert is_transient(error), error
    for error in (
        asyncpg.exceptions.UniqueViolationError("duplicate key"),
        asyncpg.exceptions.UndefinedTableError("no such table"),
        sqlite3.OperationalError("no such table: jobs"),
        ValueError("bug"),
    ):
        assert not is_transient(error), error


async def test_storage_retry_gives_up_after_its_limit_and_refuses_new_work_until_a_success() -> None:
    retry = StorageRetry(0.05, base_delay=0.001, max_delay=0.01)
    calls = 0

    async def down() -> None:
        nonlocal calls
        calls += 1
        raise ConnectionRefusedError("down")

    async def up() -> int:
        return 1

    with pytest.raises(StorageUnavailable):
        await retry.run("a write", down)
    assert calls > 2, "retried before giving up"
    with pytest.raises(StorageUnavailable):
        retry.check()  # a new request is refused at once, free
    with pytest.raises(ValueError):
        await retry.run("a bug", lambda: _raise(ValueError("not transient")))
    assert await retry.run("a write", up) == 1
    retry.check()


async def _raise(error: Exception) -> None:
    raise error
