"""SQLite backend of Storage (the default): one aiosqlite connection in WAL mode."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import aiosqlite

from kontext.models import ACTIVE_STATES, Job, JobState, now
from kontext.storage.base import JOB_COLUMNS, DuplicateJobError, as_states, encode_fields, job_from_row, job_to_row
from kontext.storage.sqlite_quotas import SQLiteQuotaMixin

log = logging.getLogger(__name__)

# Migration N is MIGRATIONS[N - 1]: append new steps, never edit applied ones.
MIGRATIONS: tuple[tuple[str, ...], ...] = (
    (
        """
        CREATE TABLE jobs (
            id TEXT PRIMARY KEY,
            user_id INTEGER NOT NULL,
            channel_id INTEGER NOT NULL,
            request TEXT NOT NULL,
            guild_id INTEGER,
            kind TEXT NOT NULL,
            state TEXT NOT NULL,
            message_id INTEGER,
            interaction_id INTEGER,
            task_id TEXT,
            result_url TEXT,
            fail_code TEXT,
            fail_message TEXT,
            source_job_id TEXT,
            source_message_id INTEGER,
            cost_micros INTEGER NOT NULL DEFAULT 0,
            created_at REAL NOT NULL,
            updated_at REAL NOT NULL,
            submitted_at REAL,
            finished_at REAL,
            delivered_at REAL
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
            guild_id INTEGER PRIMARY KEY,
            daily_user_limit INTEGER,
            daily_cap_micros INTEGER,
            monthly_cap_micros INTEGER,
            allow_max INTEGER NOT NULL DEFAULT 1,
            cooldown_seconds INTEGER NOT NULL DEFAULT 0,
            max_concurrent_per_user INTEGER,
            allowed_channel_ids TEXT NOT NULL DEFAULT '',
            watermark TEXT,
            updated_at REAL NOT NULL
        )
        """,
        """
        CREATE TABLE guild_role_limits (
            guild_id INTEGER NOT NULL,
            role_id INTEGER NOT NULL,
            daily_limit INTEGER,
            PRIMARY KEY (guild_id, role_id)
        )
        """,
        """
        CREATE TABLE quota_counters (
            scope TEXT NOT NULL,
            key TEXT NOT NULL,
            period TEXT NOT NULL,
            used INTEGER NOT NULL CHECK (used >= 0),
            PRIMARY KEY (scope, key, period)
        )
        """,
        "CREATE TABLE quota_cooldowns (key TEXT PRIMARY KEY, last_at REAL NOT NULL)",
        """
        CREATE TABLE quota_charges (
            job_id TEXT PRIMARY KEY,
            guild_id INTEGER NOT NULL,
            user_id INTEGER NOT NULL,
            mode TEXT NOT NULL,
            amount_micros INTEGER NOT NULL CHECK (amount_micros >= 0),
            day TEXT NOT NULL,
            month TEXT NOT NULL,
            state TEXT NOT NULL CHECK (state IN ('reserved', 'committed', 'refunded')),
            counters TEXT NOT NULL,
            created_at REAL NOT NULL,
            settled_at REAL
        )
        """,
        "CREATE INDEX quota_charges_guild_day_idx ON quota_charges (guild_id, day)",
        "CREATE INDEX quota_charges_guild_month_idx ON quota_charges (guild_id, month)",
        "CREATE INDEX quota_charges_state_created_idx ON quota_charges (state, created_at)",
    ),
    (
        # Leases (kontext.jobs.service): which process runs a job, until when; an expired lease may be taken over.
        "ALTER TABLE jobs ADD COLUMN lease_owner TEXT",
        "ALTER TABLE jobs ADD COLUMN lease_until REAL",
    ),
)

_BUSY_TIMEOUT_S = 10.0
_SELECT_JOBS = f"SELECT {', '.join(JOB_COLUMNS)} FROM jobs"


class SQLiteStorage(SQLiteQuotaMixin):
    """Storage in one SQLite file; a single connection, with an asyncio lock so transactions never interleave."""

    def __init__(self, path: str | Path, *, migrations: tuple[tuple[str, ...], ...] = MIGRATIONS) -> None:
        self.path = str(path)
        self._migrations = migrations
        self._conn: aiosqlite.Connection | None = None
        # aiosqlite serialises statements, but a BEGIN ... COMMIT sequence on the shared connection would
        # swallow other coroutines' statements into it; the lock keeps each operation whole.
        self._lock = asyncio.Lock()

    def __repr__(self) -> str:
        return f"<SQLiteStorage path={self.path!r} open={self._conn is not None}>"

    async def open(self) -> None:
        """Connect (creating the file's directory), switch to WAL, and apply pending migrations."""
        if self._conn is not None:
            return
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        # isolation_level=None: autocommit, so each single statement is atomic and BEGIN is ours to issue.
        conn = await aiosqlite.connect(self.path, timeout=_BUSY_TIMEOUT_S, isolation_level=None)
        try:
            conn.row_factory = sqlite3.Row
            await _retry_locked(lambda: conn.execute("PRAGMA journal_mode=WAL"))
            await conn.execute("PRAGMA synchronous=NORMAL")
            await conn.execute("PRAGMA foreign_keys=ON")
            self._conn = conn
            applied = await self._migrate()
        except BaseException:
            self._conn = None
            await conn.close()
            raise
        log.info(
            "SQLite storage open at %s (schema version %s, %s applied now)", self.path, len(self._migrations), applied
        )

    async def close(self) -> None:
        """Close the connection; safe to call twice."""
        conn, self._conn = self._conn, None
        if conn is not None:
            await conn.close()

    async def schema_version(self) -> int:
        """The highest migration applied."""
        async with self._lock:
            return await self._current_version(self._db)

    async def ping(self) -> bool:
        """True when the database answers SELECT 1."""
        if self._conn is None:
            return False
        try:
            async with self._lock, self._conn.execute("SELECT 1") as cur:
                return (await cur.fetchone()) is not None
        except (sqlite3.Error, ValueError):
            log.warning("SQLite ping failed", exc_info=True)
            return False

    async def insert_job(self, job: Job) -> None:
        """Store a new job."""
        row = job_to_row(job)
        sql = f"INSERT INTO jobs ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})"
        async with self._lock:
            try:
                await self._db.execute(sql, tuple(row.values()))
            except sqlite3.IntegrityError as exc:
                if "UNIQUE" in str(exc):  # the primary key is the only unique constraint
                    raise DuplicateJobError(job.id) from exc
                raise

    async def get_job(self, job_id: str) -> Job | None:
        """The job with this id, or None."""
        async with self._lock:
            return await self._get(job_id)

    async def update_job(self, job_id: str, **fields: Any) -> bool:
        """Set fields and updated_at in one UPDATE (atomic on its own in autocommit); False if there is no such job."""
        values = encode_fields(fields)
        values.setdefault("updated_at", now())
        assignments = ", ".join(f"{name} = ?" for name in values)
        async with self._lock:
            cur = await self._db.execute(f"UPDATE jobs SET {assignments} WHERE id = ?", (*values.values(), job_id))
            return cur.rowcount == 1

    async def transition(
        self, job_id: str, expected: Iterable[JobState], new: JobState, *, owner: str | None = None, **fields: Any
    ) -> bool:
        """Compare-and-set the state (and the lease owner, when given) in one UPDATE; True if this call made it."""
        states = as_states(expected)
        if not states:
            return False
        values = {"state": JobState(new).value, **encode_fields(fields, allow_state=False)}
        values.setdefault("updated_at", now())
        assignments = ", ".join(f"{name} = ?" for name in values)
        placeholders = ", ".join("?" * len(states))
        sql = f"UPDATE jobs SET {assignments} WHERE id = ? AND state IN ({placeholders})"
        params: tuple[Any, ...] = (*values.values(), job_id, *states)
        if owner is not None:
            sql += " AND lease_owner = ?"
            params = (*params, owner)
        async with self._lock:
            cur = await self._db.execute(sql, params)
            return cur.rowcount == 1

    async def claim_job(self, job_id: str, owner: str, until: float, *, now: float) -> bool:
        """Take the lease in one UPDATE if it is free, lapsed or already ours; True if this process holds it now."""
        active = as_states(ACTIVE_STATES)
        sql = (
            "UPDATE jobs SET lease_owner = ?, lease_until = ? "
            f"WHERE id = ? AND state IN ({', '.join('?' * len(active))})"
            " AND (lease_owner IS NULL OR lease_owner = ? OR lease_until IS NULL OR lease_until < ?)"
        )
        async with self._lock:
            cur = await self._db.execute(sql, (owner, until, job_id, *active, owner, now))
            return cur.rowcount == 1

    async def renew_leases(self, owner: str, job_ids: Sequence[str], until: float) -> int:
        """Extend the leases still ours."""
        if not job_ids:
            return 0
        sql = f"UPDATE jobs SET lease_until = ? WHERE lease_owner = ? AND id IN ({', '.join('?' * len(job_ids))})"
        async with self._lock:
            cur = await self._db.execute(sql, (until, owner, *job_ids))
            return cur.rowcount

    async def release_leases(self, owner: str) -> int:
        """Mark our unfinished jobs' leases lapsed."""
        active = as_states(ACTIVE_STATES)
        sql = f"UPDATE jobs SET lease_until = 0 WHERE lease_owner = ? AND state IN ({', '.join('?' * len(active))})"
        async with self._lock:
            cur = await self._db.execute(sql, (owner, *active))
            return cur.rowcount

    async def jobs_in_states(self, states: Iterable[JobState], *, limit: int | None = None) -> list[Job]:
        """Jobs in any of the states, oldest first."""
        wanted = as_states(states)
        if not wanted or (limit is not None and limit <= 0):
            return []
        sql = f"{_SELECT_JOBS} WHERE state IN ({', '.join('?' * len(wanted))}) ORDER BY created_at, id"
        params: tuple[Any, ...] = wanted
        if limit is not None:
            sql += " LIMIT ?"
            params = (*wanted, limit)
        async with self._lock, self._db.execute(sql, params) as cur:
            return [job_from_row(row) for row in await cur.fetchall()]

    async def find_job_by_message(self, message_id: int) -> Job | None:
        """The newest job whose message is message_id."""
        sql = f"{_SELECT_JOBS} WHERE message_id = ? ORDER BY created_at DESC, id DESC LIMIT 1"
        async with self._lock, self._db.execute(sql, (message_id,)) as cur:
            row = await cur.fetchone()
        return job_from_row(row) if row is not None else None

    async def count_jobs(self, *, states: Iterable[JobState] | None = None) -> int:
        """Number of jobs, optionally only those in the given states."""
        if states is None:
            sql, params = "SELECT COUNT(*) FROM jobs", ()
        else:
            wanted = as_states(states)
            if not wanted:
                return 0
            sql, params = f"SELECT COUNT(*) FROM jobs WHERE state IN ({', '.join('?' * len(wanted))})", wanted
        async with self._lock, self._db.execute(sql, params) as cur:
            row = await cur.fetchone()
        return int(row[0]) if row is not None else 0

    async def get_meta(self, key: str) -> str | None:
        """A value of the bot's own bookkeeping (for example the last synced command set), or None."""
        async with self._lock, self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)) as cur:
            row = await cur.fetchone()
        return str(row[0]) if row is not None else None

    async def set_meta(self, key: str, value: str) -> None:
        """Store a bookkeeping value, replacing any earlier one."""
        sql = "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value"
        async with self._lock:
            await self._db.execute(sql, (key, value))

    @property
    def _db(self) -> aiosqlite.Connection:
        if self._conn is None:
            raise RuntimeError("SQLiteStorage is not open: await storage.open() first")
        return self._conn

    @asynccontextmanager
    async def _transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        """Hold the lock and an IMMEDIATE transaction (the write lock is taken up front, so no upgrade deadlock)."""
        async with self._lock:
            db = self._db
            try:
                await db.execute("BEGIN IMMEDIATE")
                yield db
                await db.execute("COMMIT")
            except BaseException:
                # A cancelled await does not stop the statement on aiosqlite's thread: BEGIN or COMMIT may still
                # run after we leave. Queue a ROLLBACK behind it, under the lock, so no transaction is left open.
                rollback = asyncio.ensure_future(_rollback_quietly(db))
                try:
                    await asyncio.shield(rollback)
                except asyncio.CancelledError:
                    await rollback
                    raise
                raise

    async def _get(self, job_id: str) -> Job | None:
        async with self._db.execute(f"{_SELECT_JOBS} WHERE id = ?", (job_id,)) as cur:
            row = await cur.fetchone()
        return job_from_row(row) if row is not None else None

    async def _migrate(self) -> int:
        # BEGIN IMMEDIATE makes a second process opening the same file wait here, then find nothing to do.
        async with self._transaction() as db:
            await db.execute(
                "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, applied_at REAL NOT NULL)"
            )
            current = await self._current_version(db)
            if current > len(self._migrations):
                raise RuntimeError(
                    f"database schema version {current} is newer than this code knows ({len(self._migrations)})"
                )
            for version, steps in enumerate(self._migrations[current:], start=current + 1):
                for sql in steps:
                    await db.execute(sql)
                await db.execute("INSERT INTO schema_version (version, applied_at) VALUES (?, ?)", (version, now()))
                log.info("SQLite migration %s applied to %s", version, self.path)
            return len(self._migrations) - current

    @staticmethod
    async def _current_version(db: aiosqlite.Connection) -> int:
        async with db.execute("SELECT COALESCE(MAX(version), 0) FROM schema_version") as cur:
            row = await cur.fetchone()
        return int(row[0]) if row is not None else 0


async def _retry_locked(run: Callable[[], Awaitable[object]], attempts: int = 20) -> None:
    """Switching a new file to WAL fails with "database is locked" while another connection does the same."""
    for attempt in range(attempts):
        try:
            await run()
            return
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) or attempt == attempts - 1:
                raise
            await asyncio.sleep(0.01 * (attempt + 1))


async def _rollback_quietly(db: aiosqlite.Connection) -> None:
    try:
        await db.execute("ROLLBACK")
    except sqlite3.OperationalError as error:
        if "no transaction" not in str(error):
            raise
