"""Storage behaviour, run on every backend by the `storage` fixture."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Callable
from pathlib import Path

import pytest

from kontext.env_values import redact_url
from kontext.models import ACTIVE_STATES, GenerationRequest, Job, JobState
from kontext.storage import open_storage
from kontext.storage.base import (
    DuplicateJobError,
    GuildSettingsStore,
    JobStore,
    LeaseStore,
    LedgerStore,
    Lifecycle,
    MetaStore,
    QuotaStore,
    Storage,
)
from kontext.storage.database import Database
from kontext.storage.postgres import PostgresDriver
from kontext.storage.schema import MIGRATIONS
from kontext.storage.sqlite import SQLiteDriver
from tests.storage.support import job_by_message, schema_version

StorageFactory = Callable[[], Storage]  # what the make_storage fixture returns
BIG_SNOWFLAKE = 1_234_567_890_123_456_789


def make_job(job_id: str = "job-1", *, created_at: float = 1_700_000_000.25, **overrides: object) -> Job:
    values: dict[str, object] = {
        "id": job_id,
        "user_id": 111,
        "channel_id": 222,
        "request": GenerationRequest(prompt="a red fox"),
        "created_at": created_at,
        "updated_at": created_at,
    }
    values.update(overrides)
    return Job(**values)  # type: ignore[arg-type]


def full_job() -> Job:
    """A job with every field away from its default, to prove each one survives the round trip."""
    return Job(
        id="job-full",
        user_id=BIG_SNOWFLAKE,
        channel_id=BIG_SNOWFLAKE + 1,
        request=GenerationRequest(
            prompt="Replace 'OPEN' with 'CLOSED' \u2014 \u72d0\u72f8 \U0001f98a, keep the face\x00",
            mode="max",
            aspect_ratio="9:16",
            output_format="png",
            prompt_upsampling=True,
            safety_tolerance=0,
            safety_lowered_from=2,
            image_url="https://cdn.example.com/a.png?ex=1&is=2",
            watermark="KX",
            enable_translation=False,
            upload_cn=True,
        ),
        guild_id=BIG_SNOWFLAKE + 2,
        kind="edit",
        state=JobState.DELIVERING,
        message_id=BIG_SNOWFLAKE + 3,
        task_id="task_12345678",
        result_url="https://results.example.com/r.png",
        fail_code="NSFW_DETECTED",
        fail_message="It said no: \u00e9\u00e8",
        source_job_id="job-source",
        source_message_id=BIG_SNOWFLAKE + 5,
        cost_micros=9_007_199_254_740_993,  # above 2**53: would lose precision as a float
        created_at=1_700_000_000.123456,
        updated_at=1_700_000_001.654321,
        submitted_at=1_700_000_002.5,
        finished_at=1_700_000_003.0000001,
        delivered_at=1_700_000_004.75,
        lease_owner="host:123:abcd",
        lease_until=1_700_000_005.25,
        batch_id="job-batch",
        batch_index=3,
        batch_size=4,
        locale="pt-BR",
    )


async def test_storage_satisfies_every_protocol(storage: Storage) -> None:
    for protocol in (Storage, Lifecycle, JobStore, LeaseStore, GuildSettingsStore, LedgerStore, QuotaStore, MetaStore):
        assert isinstance(storage, protocol), protocol.__name__


async def test_storage_round_trips_every_field(storage: Storage) -> None:
    job = full_job()
    defaults = Job(id="", user_id=0, channel_id=0, request=GenerationRequest(prompt="x"))
    unchanged = [f.name for f in dataclasses.fields(Job) if getattr(job, f.name) == getattr(defaults, f.name)]
    assert unchanged == [], "give these fields a non-default value in full_job()"

    await storage.insert_job(job)

    assert await storage.get_job(job.id) == job


async def test_storage_inserts_a_batch_all_or_none_and_reads_its_images_in_order(storage: Storage) -> None:
    batch = make_job("batch", batch_size=3)
    images = [make_job(f"img-{n}", batch_id="batch", batch_index=n, batch_size=3) for n in (2, 0, 1)]
    await storage.insert_job(make_job("taken"))

    with pytest.raises(DuplicateJobError):
        await storage.insert_jobs([batch, *images, make_job("taken")])
    assert await storage.get_job("batch") is None and await storage.get_job("img-2") is None

    await storage.insert_jobs([batch, *images])
    assert [job.id for job in await storage.batch_jobs("batch")] == ["img-0", "img-1", "img-2"]
    assert await storage.batch_jobs("taken") == []


async def test_storage_get_job_returns_none_when_missing(storage: Storage) -> None:
    assert await storage.get_job("nope") is None


async def test_storage_insert_job_refuses_duplicate_id(storage: Storage) -> None:
    await storage.insert_job(make_job())

    with pytest.raises(DuplicateJobError):
        await storage.insert_job(make_job())


async def test_storage_update_job_sets_fields_and_updated_at(storage: Storage) -> None:
    job = make_job(created_at=1000.0)
    await storage.insert_job(job)
    new_request = GenerationRequest(prompt="a blue fox", mode="max")

    assert await storage.update_job(job.id, state=JobState.PENDING, task_id="task_1", request=new_request) is True

    updated = await storage.get_job(job.id)
    assert updated is not None
    assert (updated.state, updated.task_id, updated.request) == (JobState.PENDING, "task_1", new_request)
    assert updated.updated_at > 1000.0
    assert updated.created_at == 1000.0


async def test_storage_update_job_can_clear_a_field(storage: Storage) -> None:
    await storage.insert_job(make_job(message_id=5))

    assert await storage.update_job("job-1", message_id=None) is True

    updated = await storage.get_job("job-1")
    assert updated is not None and updated.message_id is None


async def test_storage_update_job_returns_false_when_missing(storage: Storage) -> None:
    assert await storage.update_job("nope", task_id="t") is False


@pytest.mark.parametrize("field", ["id", "no_such_field"])
async def test_storage_update_job_rejects_unknown_or_id_field(storage: Storage, field: str) -> None:
    await storage.insert_job(make_job())

    with pytest.raises(TypeError):
        await storage.update_job("job-1", **{field: "x"})


async def test_storage_transition_happens_once(storage: Storage) -> None:
    await storage.insert_job(make_job(created_at=1000.0))

    first = await storage.transition("job-1", [JobState.QUEUED], JobState.SUBMITTING, submitted_at=1234.5)
    second = await storage.transition("job-1", [JobState.QUEUED], JobState.SUBMITTING, submitted_at=9999.0)

    assert (first, second) == (True, False)
    job = await storage.get_job("job-1")
    assert job is not None
    assert (job.state, job.submitted_at) == (JobState.SUBMITTING, 1234.5)
    assert job.updated_at > 1000.0


async def test_storage_transition_refuses_from_wrong_state(storage: Storage) -> None:
    await storage.insert_job(make_job(state=JobState.PENDING, created_at=1000.0))

    moved = await storage.transition(
        "job-1", [JobState.FINISHED, JobState.DELIVERING], JobState.DELIVERED, result_url="x"
    )

    assert moved is False
    assert await storage.get_job("job-1") == make_job(state=JobState.PENDING, created_at=1000.0)


async def test_storage_transition_accepts_any_of_several_states(storage: Storage) -> None:
    await storage.insert_job(make_job(state=JobState.PROCESSING))

    assert await storage.transition("job-1", ACTIVE_STATES, JobState.FAILED, fail_code="GENERATION_FAILED")
    job = await storage.get_job("job-1")
    assert job is not None and (job.state, job.fail_code) == (JobState.FAILED, "GENERATION_FAILED")


async def test_storage_transition_accepts_a_single_state(storage: Storage) -> None:
    await storage.insert_job(make_job())

    assert await storage.transition("job-1", JobState.QUEUED, JobState.SUBMITTING)  # type: ignore[arg-type]


async def test_storage_transition_of_missing_job_is_false(storage: Storage) -> None:
    assert await storage.transition("nope", [JobState.QUEUED], JobState.SUBMITTING) is False


async def test_storage_transition_rejects_state_as_field(storage: Storage) -> None:
    await storage.insert_job(make_job())

    with pytest.raises(TypeError):
        await storage.transition("job-1", [JobState.QUEUED], JobState.SUBMITTING, state=JobState.FAILED)


async def test_storage_transition_has_one_winner_among_concurrent_callers(storage: Storage) -> None:
    await storage.insert_job(make_job())

    results = await asyncio.gather(
        *(storage.transition("job-1", [JobState.QUEUED], JobState.SUBMITTING, task_id=f"task_{i}") for i in range(20))
    )

    assert results.count(True) == 1
    job = await storage.get_job("job-1")
    assert job is not None and job.task_id == f"task_{results.index(True)}"


async def test_storage_jobs_in_states_oldest_first(storage: Storage) -> None:
    for job_id, created, state in [
        ("c", 3.0, JobState.PENDING),
        ("a", 1.0, JobState.QUEUED),
        ("x", 0.5, JobState.DELIVERED),
        ("b2", 2.0, JobState.PROCESSING),
        ("b1", 2.0, JobState.PENDING),
    ]:
        await storage.insert_job(make_job(job_id, created_at=created, state=state))

    jobs = await storage.jobs_in_states(ACTIVE_STATES)

    assert [j.id for j in jobs] == ["a", "b1", "b2", "c"]


async def test_storage_jobs_in_states_honours_limit(storage: Storage) -> None:
    for i in range(5):
        await storage.insert_job(make_job(f"j{i}", created_at=float(10 - i)))

    jobs = await storage.jobs_in_states([JobState.QUEUED], limit=2)

    assert [j.id for j in jobs] == ["j4", "j3"]


async def test_storage_jobs_in_states_with_no_states_is_empty(storage: Storage) -> None:
    await storage.insert_job(make_job())

    assert await storage.jobs_in_states([]) == []


async def test_job_by_message_finds_the_newest_job_of_a_message(storage: Storage) -> None:
    await storage.insert_job(make_job("old", created_at=1.0, message_id=BIG_SNOWFLAKE))
    await storage.insert_job(make_job("new", created_at=2.0, message_id=BIG_SNOWFLAKE))
    await storage.insert_job(make_job("other", created_at=3.0, message_id=42))

    found = await job_by_message(storage, BIG_SNOWFLAKE)

    assert found is not None and found.id == "new"
    assert await job_by_message(storage, 7) is None


async def test_storage_count_jobs(storage: Storage) -> None:
    await storage.insert_job(make_job("a"))
    await storage.insert_job(make_job("b", state=JobState.FAILED))
    await storage.insert_job(make_job("c", state=JobState.PENDING))

    assert await storage.count_jobs() == 3
    assert await storage.count_jobs(states=ACTIVE_STATES) == 2
    assert await storage.count_jobs(states=[JobState.DELIVERED]) == 0


async def test_storage_ping(storage: Storage) -> None:
    assert await storage.ping() is True
    await storage.close()
    assert await storage.ping() is False


async def test_storage_schema_version_after_open_and_reopen(make_storage: StorageFactory) -> None:
    first = make_storage()
    await first.open()
    await first.open()  # a second open on the same object is a no-op
    assert await schema_version(first) == len(MIGRATIONS)
    await first.insert_job(make_job())
    await first.close()

    second = make_storage()
    await second.open()

    assert await schema_version(second) == len(MIGRATIONS)
    assert await second.count_jobs() == 1


async def test_storage_concurrent_opens_migrate_once(make_storage: StorageFactory) -> None:
    stores = [make_storage() for _ in range(3)]

    await asyncio.gather(*(s.open() for s in stores))

    assert [await schema_version(s) for s in stores] == [len(MIGRATIONS)] * 3


async def test_storage_refuses_use_before_open(make_storage: StorageFactory) -> None:
    with pytest.raises(RuntimeError, match="not open"):
        await make_storage().get_job("x")


async def test_storage_refuses_schema_newer_than_code(make_storage: StorageFactory) -> None:
    store = make_storage()
    await store.open()
    await store.close()
    store.migrations = store.migrations[:0]  # type: ignore[attr-defined]  # pretend to be older code

    with pytest.raises(RuntimeError, match="newer"):
        await store.open()


def test_open_storage_picks_backend_by_scheme(tmp_path: Path) -> None:
    sqlite = open_storage(f"sqlite:///{tmp_path}/x.db")
    assert isinstance(sqlite.driver, SQLiteDriver) and sqlite.driver.path == f"{tmp_path}/x.db"
    assert isinstance(open_storage("sqlite:///:memory:").driver, SQLiteDriver)
    assert isinstance(open_storage("postgresql://u:secret@localhost/db").driver, PostgresDriver)
    assert isinstance(open_storage("postgres://localhost/db").driver, PostgresDriver)
    assert all(isinstance(store, Database) for store in (sqlite, open_storage("postgres://localhost/db")))


@pytest.mark.parametrize(
    "url", ["mysql://u:secret@h/db", "sqlite://relative.db", "sqlite:///", "postgresql://", "data/kontext.db", ""]
)
def test_open_storage_rejects_unknown_or_incomplete_url(url: str) -> None:
    with pytest.raises(ValueError) as excinfo:
        open_storage(url)
    assert "secret" not in str(excinfo.value)


async def test_open_storage_sqlite_creates_parent_directory(tmp_path: Path) -> None:
    store = open_storage(f"sqlite:///{tmp_path}/a/b/kontext.db")
    await store.open()
    try:
        assert (tmp_path / "a" / "b" / "kontext.db").exists()
    finally:
        await store.close()


async def test_open_storage_sqlite_memory_works() -> None:
    store = open_storage("sqlite:///:memory:")
    await store.open()
    try:
        await store.insert_job(make_job())
        assert await store.count_jobs() == 1
    finally:
        await store.close()


def test_redact_url_hides_password() -> None:
    assert redact_url("postgresql://bot:hunter2@db:5432/k") == "postgresql://bot:***@db:5432/k"
    assert redact_url("sqlite:///data/kontext.db") == "sqlite:///data/kontext.db"


async def test_storage_meta_round_trip_and_overwrite(storage: Storage) -> None:
    assert await storage.get_meta("commands_hash") is None
    await storage.set_meta("commands_hash", "abc")
    await storage.set_meta("commands_hash", "def")
    assert await storage.get_meta("commands_hash") == "def"


async def test_storage_survives_a_write_cancelled_midway(storage: Storage) -> None:
    job = make_job("cancelled-write")
    await storage.insert_job(job)
    for _ in range(20):
        task = asyncio.create_task(storage.update_job(job.id, fail_message="x"))
        await asyncio.sleep(0)
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        # The connection must not be left inside a transaction by the cancelled write.
        assert await storage.update_job(job.id, fail_message="y") is True


async def test_storage_transition_with_an_owner_moves_only_a_job_that_owner_holds(storage: Storage) -> None:
    await storage.insert_job(make_job("job-1", lease_owner="a", lease_until=100.0))
    assert not await storage.transition("job-1", [JobState.QUEUED], JobState.SUBMITTING, owner="b")
    assert await storage.transition("job-1", [JobState.QUEUED], JobState.SUBMITTING, owner="a", lease_until=200.0)
    job = await storage.get_job("job-1")
    assert job is not None and job.state == JobState.SUBMITTING and job.lease_until == 200.0


async def test_storage_claim_job_takes_only_a_free_lapsed_or_own_lease(storage: Storage) -> None:
    await storage.insert_job(make_job("free"))
    await storage.insert_job(make_job("live", lease_owner="a", lease_until=1000.0))
    await storage.insert_job(make_job("lapsed", lease_owner="a", lease_until=10.0))
    await storage.insert_job(make_job("done", state=JobState.DELIVERED, lease_owner="a", lease_until=10.0))
    claims = {job_id: await storage.claim_job(job_id, "b", 2000.0, now=500.0) for job_id in ("free", "live", "lapsed")}
    assert claims == {"free": True, "live": False, "lapsed": True}
    assert not await storage.claim_job("done", "b", 2000.0, now=500.0), "a finished job is nobody's to take"
    assert await storage.claim_job("live", "a", 3000.0, now=500.0), "the holder may extend its own"
    lapsed = await storage.get_job("lapsed")
    assert lapsed is not None and (lapsed.lease_owner, lapsed.lease_until) == ("b", 2000.0)


async def test_storage_jobs_in_states_claimable_leaves_out_live_leases_of_others(storage: Storage) -> None:
    await storage.insert_job(make_job("free", created_at=1.0))
    await storage.insert_job(make_job("theirs-live", created_at=2.0, lease_owner="a", lease_until=1000.0))
    await storage.insert_job(make_job("theirs-lapsed", created_at=3.0, lease_owner="a", lease_until=10.0))
    await storage.insert_job(make_job("mine", created_at=4.0, lease_owner="b", lease_until=1000.0))

    found = await storage.jobs_in_states([JobState.QUEUED], claimable_by=("b", 500.0))

    assert [job.id for job in found] == ["free", "theirs-lapsed", "mine"]
    limited = await storage.jobs_in_states([JobState.QUEUED], claimable_by=("b", 500.0), limit=2)
    assert [job.id for job in limited] == ["free", "theirs-lapsed"]


async def test_storage_renew_and_release_touch_only_the_owners_leases(storage: Storage) -> None:
    await storage.insert_job(make_job("mine", lease_owner="a", lease_until=100.0))
    await storage.insert_job(make_job("theirs", lease_owner="b", lease_until=100.0))
    await storage.insert_job(make_job("finished", state=JobState.FAILED, lease_owner="a", lease_until=100.0))
    assert await storage.renew_leases("a", ["mine", "theirs"], 500.0) == 1
    assert (await storage.get_job("theirs")).lease_until == 100.0
    assert await storage.renew_leases("a", [], 500.0) == 0
    assert await storage.release_leases("a") == 1
    assert (await storage.get_job("mine")).lease_until == 0
    assert (await storage.get_job("finished")).lease_until == 100.0


async def test_storage_recent_jobs_are_one_members_in_one_server_newest_first(storage: Storage) -> None:
    for i in range(5):
        await storage.insert_job(
            make_job(f"mine-{i}", created_at=100.0 + i, guild_id=BIG_SNOWFLAKE, user_id=7, state=JobState.DELIVERED)
        )
    await storage.insert_job(make_job("tie", created_at=104.0, guild_id=BIG_SNOWFLAKE, user_id=7, state="delivered"))
    await storage.insert_job(make_job("failed", created_at=200.0, guild_id=BIG_SNOWFLAKE, user_id=7, state="failed"))
    await storage.insert_job(make_job("other-user", created_at=300.0, guild_id=BIG_SNOWFLAKE, user_id=8))
    await storage.insert_job(make_job("other-guild", created_at=300.0, guild_id=1, user_id=7, state="delivered"))
    delivered = [JobState.DELIVERED]

    def ids(jobs: list[Job]) -> list[str]:
        return [job.id for job in jobs]

    assert ids(await storage.recent_jobs(BIG_SNOWFLAKE, 7, delivered, limit=3)) == ["tie", "mine-4", "mine-3"]
    assert ids(await storage.recent_jobs(BIG_SNOWFLAKE, 7, delivered, limit=3, offset=3)) == [
        "mine-2",
        "mine-1",
        "mine-0",
    ]
    assert ids(await storage.recent_jobs(BIG_SNOWFLAKE, 7, delivered, limit=3, offset=6)) == []
    assert ids(await storage.recent_jobs(BIG_SNOWFLAKE, 7, delivered, limit=2, before=103.0)) == ["mine-2", "mine-1"]
    assert ids(await storage.recent_jobs(BIG_SNOWFLAKE, 7, list(JobState), limit=1)) == ["failed"]
    assert await storage.recent_jobs(BIG_SNOWFLAKE, 7, [], limit=3) == []
    assert await storage.recent_jobs(BIG_SNOWFLAKE, 7, delivered, limit=0) == []


async def test_storage_recent_jobs_without_a_guild_are_the_users_personal_ones(storage: Storage) -> None:
    await storage.insert_job(make_job("dm-1", created_at=100.0, guild_id=None, user_id=7, state="delivered"))
    await storage.insert_job(make_job("dm-2", created_at=101.0, guild_id=None, user_id=7, state="delivered"))
    await storage.insert_job(make_job("server", created_at=102.0, guild_id=BIG_SNOWFLAKE, user_id=7, state="delivered"))
    await storage.insert_job(make_job("theirs", created_at=103.0, guild_id=None, user_id=8, state="delivered"))
    found = await storage.recent_jobs(None, 7, [JobState.DELIVERED], limit=5, before=200.0)
    assert [job.id for job in found] == ["dm-2", "dm-1"]
