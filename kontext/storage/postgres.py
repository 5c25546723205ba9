"""PostgreSQL backend of Storage: an asyncpg pool; migrations serialised by an advisory lock."""

from __future__ import annotations

import logging
import re
import zlib
from collections.abc import Iterable, Sequence
from typing import Any

import asyncpg

from kontext.env_values import redact_url
from kontext.models import ACTIVE_STATES, Job, JobState, now
from kontext.storage.base import (
    JOB_COLUMNS,
    DuplicateJobError,
    as_states,
    encode_fields,
    job_from_row,
    job_to_row,
)
from kontext.storage.postgres_quotas import PostgresQuotaMixin

log = logging.getLogger(__name__)

# Migration N is MIGRATIONS[N - 1]: append new steps, never edit applied ones. Same schema as SQLite's.
# The request stays TEXT (JSON), not JSONB: JSONB refuses "\u0000", which SQLite and the API accept in prompts.
MIGRATIONS: tuple[tuple[str, ...], ...] = (
    (
        """
        CREATE TABLE jobs (
            id TEXT PRIMARY KEY,
            user_id BIGINT NOT NULL,
            channel_id BIGINT NOT NULL,
            request TEXT NOT NULL,
            guild_id BIGINT,
            kind TEXT NOT NULL,
            state TEXT NOT NULL,
            message_id BIGINT,
            interaction_id BIGINT,
            task_id TEXT,
            result_url TEXT,
            fail_code TEXT,
            fail_message TEXT,
            source_job_id TEXT,
            source_message_id BIGINT,
            cost_micros BIGINT NOT NULL DEFAULT 0,
            created_at DOUBLE PRECISION NOT NULL,
            updated_at DOUBLE PRECISION NOT NULL,
            submitted_at DOUBLE PRECISION,
            finished_at DOUBLE PRECISION,
            delivered_at DOUBLE PRECISION
        )
        """,
        "CREATE INDEX jobs_state_created_idx ON jobs (state, created_at)",
        "CREATE INDEX jobs_message_id_idx ON jobs (message_id)",
    ),
    (
        "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
        "CREATE INDEX jobs_task_id_idx ON jobs (task_id)",
    ),
    (
        # Quotas (kontext.quotas.service): per-guild settings and role tiers, usage counters, cooldowns, charges ledger.
        """
        CREATE TABLE guild_settings (
            guild_id BIGINT PRIMARY KEY,
            daily_user_limit INTEGER,
            daily_cap_micros BIGINT,
            monthly_cap_micros BIGINT,
            allow_max BOOLEAN NOT NULL DEFAULT TRUE,
            cooldown_seconds INTEGER NOT NULL DEFAULT 0,
            max_concurrent_per_user INTEGER,
            allowed_channel_ids TEXT NOT NULL DEFAULT '',
            watermark TEXT,
            updated_at DOUBLE PRECISION NOT NULL
        )
        """,
        """
        CREATE TABLE guild_role_limits (
            guild_id BIGINT NOT NULL,
            role_id BIGINT NOT NULL,
            daily_limit INTEGER,
            PRIMARY KEY (guild_id, role_id)
        )
        """,
        """
        CREATE TABLE quota_counters (
            scope TEXT NOT NULL,
            key TEXT NOT NULL,
            period TEXT NOT NULL,
            used BIGINT NOT NULL CHECK (used >= 0),
            PRIMARY KEY (scope, key, period)
        )
        """,
        "CREATE TABLE quota_cooldowns (key TEXT PRIMARY KEY, last_at DOUBLE PRECISION NOT NULL)",
        """
        CREATE TABLE quota_charges (
            job_id TEXT PRIMARY KEY,
            guild_id BIGINT NOT NULL,
            user_id BIGINT NOT NULL,
            mode TEXT NOT NULL,
            amount_micros BIGINT NOT NULL CHECK (amount_micros >= 0),
            day TEXT NOT NULL,
            month TEXT NOT NULL,
            state TEXT NOT NULL CHECK (state IN ('reserved', 'committed', 'refunded')),
            counters TEXT NOT NULL,
            created_at DOUBLE PRECISION NOT NULL,
            settled_at DOUBLE PRECISION
        )
        """,
        "CREATE INDEX quota_charges_guild_day_idx ON quota_charges (guild_id, day)",
        "CREATE INDEX quota_charges_guild_month_idx ON quota_charges (guild_id, month)",
        "CREATE INDEX quota_charges_state_created_idx ON quota_charges (state, created_at)",
    ),
    (
        # Leases (kontext.jobs.service): which process runs a job, until when; an expired lease may be taken over.
        "ALTER TABLE jobs ADD COLUMN lease_owner TEXT",
        "ALTER TABLE jobs ADD COLUMN lease_until DOUBLE PRECISION",
    ),
)

# First key of the two-int advisory lock taken while migrating ("KNTX"); the second is the schema's hash.
_MIGRATION_LOCK_CLASS = 0x4B4E5458
_SCHEMA_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")
_SELECT_JOBS = f"SELECT {', '.join(JOB_COLUMNS)} FROM jobs"


class PostgresStorage(PostgresQuotaMixin):
    """Storage in PostgreSQL through an asyncpg pool; `schema` confines it to one schema (created if missing)."""

    def __init__(
        self,
        dsn: str,
        *,
        schema: str | None = None,
        min_size: int = 1,
        max_size: int = 10,
        timeout: float = 10.0,
        migrations: tuple[tuple[str, ...], ...] = MIGRATIONS,
    ) -> None:
        if schema is not None and not _SCHEMA_NAME.fullmatch(schema):
            raise ValueError(f"schema name must match {_SCHEMA_NAME.pattern}: {schema!r}")
        self._dsn = dsn
        self.schema = schema
        self._min_size = min_size
        self._max_size = max_size
        self._timeout = timeout  # for connecting and for each statement: a lost server must not hang a job's step
        self._migrations = migrations
        self._pool: asyncpg.Pool | None = None

    def __repr__(self) -> str:
        return f"<PostgresStorage dsn={redact_url(self._dsn)!r} schema={self.schema!r} open={self._pool is not None}>"

    async def open(self) -> None:
        """Create the pool and apply pending migrations under an advisory lock."""
        if self._pool is not None:
            return
        server_settings = {"search_path": self.schema} if self.schema else None
        pool = await asyncpg.create_pool(
            self._dsn,
            min_size=self._min_size,
            max_size=self._max_size,
            server_settings=server_settings,
            timeout=self._timeout,
            command_timeout=self._timeout,
        )
        try:
            applied = await self._migrate(pool)
        except BaseException:
            await pool.close()
            raise
        self._pool = pool
        log.info(
            "PostgreSQL storage open at %s (schema %s, version %s, %s applied now)",
            redact_url(self._dsn),
            self.schema or "default",
            len(self._migrations),
            applied,
        )

    async def close(self) -> None:
        """Close the pool; safe to call twice."""
        pool, self._pool = self._pool, None
        if pool is not None:
            await pool.close()

    async def schema_version(self) -> int:
        """The highest migration applied."""
        return int(await self._db.fetchval("SELECT COALESCE(MAX(version), 0) FROM schema_version"))

    async def ping(self) -> bool:
        """True when the database answers SELECT 1 within 5 seconds."""
        if self._pool is None:
            return False
        try:
            return await self._pool.fetchval("SELECT 1", timeout=5) == 1
        except (asyncpg.PostgresError, asyncpg.InterfaceError, OSError, TimeoutError):
            log.warning("PostgreSQL ping failed", exc_info=True)
            return False

    async def insert_job(self, job: Job) -> None:
        """Store a new job."""
        row = job_to_row(job)
        placeholders = ", ".join(f"${i}" for i in range(1, len(row) + 1))
        try:
            await self._db.execute(f"INSERT INTO jobs ({', '.join(row)}) VALUES ({placeholders})", *row.values())
        except asyncpg.UniqueViolationError as exc:
            raise DuplicateJobError(job.id) from exc

    async def get_job(self, job_id: str) -> Job | None:
        """The job with this id, or None."""
        row = await self._db.fetchrow(f"{_SELECT_JOBS} WHERE id = $1", job_id)
        return job_from_row(row) if row is not None else None

    async def update_job(self, job_id: str, **fields: Any) -> bool:
        """Set fields and updated_at in one UPDATE; False if there is no such job."""
        values = encode_fields(fields)
        values.setdefault("updated_at", now())
        assignments = ", ".join(f"{name} = ${i}" for i, name in enumerate(values, start=1))
        sql = f"UPDATE jobs SET {assignments} WHERE id = ${len(values) + 1}"
        return await self._db.execute(sql, *values.values(), job_id) == "UPDATE 1"

    async def transition(
        self, job_id: str, expected: Iterable[JobState], new: JobState, *, owner: str | None = None, **fields: Any
    ) -> bool:
        """Compare-and-set the state (and the lease owner, when given) in one UPDATE; True if this call made it."""
        states = as_states(expected)
        if not states:
            return False
        values = {"state": JobState(new).value, **encode_fields(fields, allow_state=False)}
        values.setdefault("updated_at", now())
        assignments = ", ".join(f"{name} = ${i}" for i, name in enumerate(values, start=1))
        n = len(values)
        # Under READ COMMITTED a concurrent loser waits for the winner's row lock, then re-checks the
        # WHERE against the new row and matches nothing: exactly one caller wins.
        sql = f"UPDATE jobs SET {assignments} WHERE id = ${n + 1} AND state = ANY(${n + 2}::text[])"
        params: list[Any] = [*values.values(), job_id, list(states)]
        if owner is not None:
            sql += f" AND lease_owner = ${n + 3}"
            params.append(owner)
        return _affected(await self._db.execute(sql, *params)) == 1

    async def claim_job(self, job_id: str, owner: str, until: float, *, now: float) -> bool:
        """Take the lease in one UPDATE if it is free, lapsed or already ours; True if this process holds it now."""
        sql = (
            "UPDATE jobs SET lease_owner = $1, lease_until = $2 WHERE id = $3 AND state = ANY($4::text[]) "
            "AND (lease_owner IS NULL OR lease_owner = $1 OR lease_until IS NULL OR lease_until < $5)"
        )
        return _affected(await self._db.execute(sql, owner, until, job_id, list(as_states(ACTIVE_STATES)), now)) == 1

    async def renew_leases(self, owner: str, job_ids: Sequence[str], until: float) -> int:
        """Extend the leases still ours."""
        if not job_ids:
            return 0
        sql = "UPDATE jobs SET lease_until = $1 WHERE lease_owner = $2 AND id = ANY($3::text[])"
        return _affected(await self._db.execute(sql, until, owner, list(job_ids)))

    async def release_leases(self, owner: str) -> int:
        """Mark our unfinished jobs' leases lapsed."""
        sql = "UPDATE jobs SET lease_until = 0 WHERE lease_owner = $1 AND state = ANY($2::text[])"
        return _affected(await self._db.execute(sql, owner, list(as_states(ACTIVE_STATES))))

    async def jobs_in_states(self, states: Iterable[JobState], *, limit: int | None = None) -> list[Job]:
        """Jobs in any of the states, oldest first."""
        wanted = as_states(states)
        if not wanted or (limit is not None and limit <= 0):
            return []
        sql = f"{_SELECT_JOBS} WHERE state = ANY($1::text[]) ORDER BY created_at, id LIMIT $2"
        rows = await self._db.fetch(sql, list(wanted), limit)  # LIMIT NULL means no limit
        return [job_from_row(row) for row in rows]

    async def find_job_by_message(self, message_id: int) -> Job | None:
        """The newest job whose message is message_id."""
        sql = f"{_SELECT_JOBS} WHERE message_id = $1 ORDER BY created_at DESC, id DESC LIMIT 1"
        row = await self._db.fetchrow(sql, message_id)
        return job_from_row(row) if row is not None else None

    async def count_jobs(self, *, states: Iterable[JobState] | None = None) -> int:
        """Number of jobs, optionally only those in the given states."""
        if states is None:
            return int(await self._db.fetchval("SELECT COUNT(*) FROM jobs"))
        wanted = as_states(states)
        if not wanted:
            return 0
        return int(await self._db.fetchval("SELECT COUNT(*) FROM jobs WHERE state = ANY($1::text[])", list(wanted)))

    async def get_meta(self, key: str) -> str | None:
        """A value of the bot's own bookkeeping (for example the last synced command set), or None."""
        return await self._db.fetchval("SELECT value FROM meta WHERE key = $1", key)

    async def set_meta(self, key: str, value: str) -> None:
        """Store a bookkeeping value, replacing any earlier one."""
        sql = "INSERT INTO meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value"
        await self._db.execute(sql, key, value)

    @property
    def _db(self) -> asyncpg.Pool:
        if self._pool is None:
            raise RuntimeError("PostgresStorage is not open: await storage.open() first")
        return self._pool

    async def _migrate(self, pool: asyncpg.Pool) -> int:
        # The transaction-scoped advisory lock makes a second process opening at the same moment wait,
        # then find every migration applied; it is released by COMMIT or ROLLBACK.
        async with pool.acquire() as conn, conn.transaction():
            await conn.execute("SELECT pg_advisory_xact_lock($1, $2)", _MIGRATION_LOCK_CLASS, _schema_key(self.schema))
            if self.schema:
                await conn.execute(f'CREATE SCHEMA IF NOT EXISTS "{self.schema}"')
            await conn.execute(
                "CREATE TABLE IF NOT EXISTS schema_version "
                "(version INTEGER PRIMARY KEY, applied_at DOUBLE PRECISION NOT NULL)"
            )
            current = int(await conn.fetchval("SELECT COALESCE(MAX(version), 0) FROM schema_version"))
            if current > len(self._migrations):
                raise RuntimeError(
                    f"database schema version {current} is newer than this code knows ({len(self._migrations)})"
                )
            for version, steps in enumerate(self._migrations[current:], start=current + 1):
                for sql in steps:
                    await conn.execute(sql)
                await conn.execute("INSERT INTO schema_version (version, applied_at) VALUES ($1, $2)", version, now())
                log.info("PostgreSQL migration %s applied (schema %s)", version, self.schema or "default")
            return len(self._migrations) - current


def _schema_key(schema: str | None) -> int:
    """A signed 32-bit key for the advisory lock, so separate schemas migrate independently."""
    key = zlib.crc32((schema or "").encode())
    return key - (1 << 32) if key >= 1 << 31 else key


def _affected(status: str) -> int:
    """Rows affected, from a command status such as 'UPDATE 1'."""
    tail = status.rpartition(" ")[2]
    return int(tail) if tail.isdigit() else 0
