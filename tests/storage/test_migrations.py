"""Databases written by earlier code open and upgrade in place, on both backends, to the schema new ones get."""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

from kontext.models import JobState
from kontext.storage.database import Database
from kontext.storage.driver import Connection
from kontext.storage.schema import MIGRATIONS
from tests.storage.support import schema_version
from tests.storage.test_storage import BIG_SNOWFLAKE

LEGACY = Path(__file__).parent / "legacy"
LEGACY_VERSION = 4  # the last migration the code before issue 13 wrote; later ones exist only in MIGRATIONS
NamedStorage = Callable[[str], Database]


def legacy_migrations(backend: str) -> dict[int, list[str]]:
    """The statements of each migration of the frozen history (0: the runner's own table)."""
    steps: dict[int, list[str]] = {}
    for block in re.split(r"^-- migration ", (LEGACY / f"{backend}.sql").read_text(), flags=re.M)[1:]:
        number, _, body = block.partition("\n")
        steps[int(number.split()[0])] = [s.strip() for s in body.split(";") if s.strip()]
    return steps


@pytest.fixture(params=["sqlite", "postgres"])
async def named_storage(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[NamedStorage]:
    """Unopened storages, each on a database of its own (a file, or a PostgreSQL schema) named by the test."""
    made: list[Database] = []
    if request.param == "sqlite":
        from kontext.storage.sqlite import SQLiteDriver

        def sqlite(name: str) -> Database:
            made.append(Database(SQLiteDriver(tmp_path / f"{name}.db")))
            return made[-1]

        yield sqlite
    else:
        url = os.environ.get("TEST_DATABASE_URL")
        if not url:
            pytest.skip("TEST_DATABASE_URL is not set")
        from kontext.storage.postgres import PostgresDriver

        prefix = f"t_{uuid.uuid4().hex[:12]}"

        def postgres(name: str) -> Database:
            made.append(Database(PostgresDriver(url, schema=f"{prefix}_{name}", max_size=2)))
            return made[-1]

        yield postgres
    for store in made:
        if request.param == "postgres":
            if not store.driver.is_open:
                await store.driver.connect()
            async with store.driver.connection() as conn:
                await conn.execute(f'DROP SCHEMA IF EXISTS "{store.driver.schema}" CASCADE')  # type: ignore[attr-defined]
        await store.close()


def backend_of(store: Database) -> str:
    return "sqlite" if store.driver.dialect == "sqlite" else "postgres"


async def build_legacy(store: Database, version: int) -> None:
    """A database as the code before issue 13 left it at `version` (with one job from version 1 on)."""
    steps = legacy_migrations(backend_of(store))
    async with store.driver.migrating() as conn:  # creates the PostgreSQL schema, as the old runner did
        for number in range(version + 1):
            for statement in steps[number]:
                await conn.execute(statement)
            if number:
                await conn.execute("INSERT INTO schema_version (version, applied_at) VALUES ($1, $2)", number, 1.0)
        if version >= 1:  # the columns of migration 1, as the old code wrote them
            await conn.execute(
                "INSERT INTO jobs (id, user_id, channel_id, request, kind, state, message_id, created_at, updated_at) "
                "VALUES ($1, $2, $3, $4, 'generate', 'queued', $5, 5.0, 5.0)",
                "old-job",
                BIG_SNOWFLAKE,
                BIG_SNOWFLAKE + 1,
                '{"prompt":"a red fox"}',
                BIG_SNOWFLAKE + 2,
            )


async def describe(store: Database) -> list[tuple[object, ...]]:
    """Every table's columns and every index, as the database reports them."""
    async with store.driver.connection() as conn:
        if backend_of(store) == "sqlite":
            return [tuple(r) for r in await _sqlite_schema(conn)]
        schema = store.driver.schema  # type: ignore[attr-defined]
        columns = await conn.fetch(
            "SELECT table_name, column_name, data_type, is_nullable, column_default FROM information_schema.columns "
            "WHERE table_schema = $1 ORDER BY table_name, ordinal_position",
            schema,
        )
        indexes = await conn.fetch("SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = $1", schema)
        return [tuple(r) for r in columns] + sorted((r[0], r[1].replace(f"{schema}.", "")) for r in indexes)


async def _sqlite_schema(conn: Connection) -> list[object]:
    columns = await conn.fetch(
        'SELECT m.name, p.name, p.type, p."notnull", p.dflt_value, p.pk FROM sqlite_master m '
        "JOIN pragma_table_info(m.name) p WHERE m.type = 'table' ORDER BY m.name, p.cid"
    )
    indexes = await conn.fetch("SELECT name, sql FROM sqlite_master WHERE type = 'index' ORDER BY name")
    return [*columns, *indexes]


async def test_migrations_create_the_schema_the_earlier_code_created(named_storage: NamedStorage) -> None:
    old, new = named_storage("old"), named_storage("new")
    await old.driver.connect()
    await build_legacy(old, LEGACY_VERSION)
    new.migrations = MIGRATIONS[:LEGACY_VERSION]
    await new.open()

    assert await describe(new) == await describe(old)


@pytest.mark.parametrize("version", range(LEGACY_VERSION + 1))
async def test_migrations_upgrade_a_database_of_every_earlier_version_in_place(
    named_storage: NamedStorage, version: int
) -> None:
    old, fresh = named_storage("old"), named_storage("fresh")
    await old.driver.connect()
    await build_legacy(old, version)
    await old.driver.close()

    await old.open()
    await fresh.open()

    assert await schema_version(old) == len(MIGRATIONS)
    assert await describe(old) == await describe(fresh)
    if version >= 1:
        job = await old.get_job("old-job")
        assert job is not None and job.state == JobState.QUEUED and job.message_id == BIG_SNOWFLAKE + 2
        assert (job.lease_owner, job.lease_until) == (None, None)
        assert await old.claim_job("old-job", "me", 100.0, now=10.0), "an old job gets a lease after the upgrade"


async def test_migration_5_indexes_a_members_jobs_by_server_and_time(named_storage: NamedStorage) -> None:
    old = named_storage("old")
    await old.driver.connect()
    await build_legacy(old, LEGACY_VERSION)
    await old.driver.close()

    await old.open()

    assert await schema_version(old) == len(MIGRATIONS)
    indexes = [str(row) for row in await describe(old)]
    assert any("jobs_guild_user_created_idx" in row and "guild_id, user_id, created_at" in row for row in indexes)
    assert [job.id for job in await old.recent_jobs(0, BIG_SNOWFLAKE, list(JobState), limit=5)] == []
