"""The schema, written once for every backend, and the one migration runner that creates or upgrades it."""

from __future__ import annotations

import logging

from kontext.models import now
from kontext.storage.driver import Connection, Driver

log = logging.getLogger(__name__)

# The only differences between the backends' schemas. SQLite's INTEGER is already 64-bit and its REAL a double;
# its booleans are 0/1 integers. The job request stays TEXT (JSON) on PostgreSQL too, not JSONB: JSONB refuses
# "\u0000", which SQLite and the API accept in prompts.
COLUMN_TYPES: dict[str, dict[str, str]] = {
    "sqlite": {"bigint": "INTEGER", "real": "REAL", "bool": "INTEGER", "true": "1"},
    "postgresql": {"bigint": "BIGINT", "real": "DOUBLE PRECISION", "bool": "BOOLEAN", "true": "TRUE"},
}

# Migration N is MIGRATIONS[N - 1]: append new steps, never edit applied ones (databases at every version exist).
# {bigint}, {real}, {bool} and {true} stand for the COLUMN_TYPES of the backend.
MIGRATIONS: tuple[tuple[str, ...], ...] = (
    (
        """
        CREATE TABLE jobs (
            id TEXT PRIMARY KEY,
            user_id {bigint} NOT NULL,
            channel_id {bigint} NOT NULL,
            request TEXT NOT NULL,
            guild_id {bigint},
            kind TEXT NOT NULL,
            state TEXT NOT NULL,
            message_id {bigint},
            interaction_id {bigint},
            task_id TEXT,
            result_url TEXT,
            fail_code TEXT,
            fail_message TEXT,
            source_job_id TEXT,
            source_message_id {bigint},
            cost_micros {bigint} NOT NULL DEFAULT 0,
            created_at {real} NOT NULL,
            updated_at {real} NOT NULL,
            submitted_at {real},
            finished_at {real},
            delivered_at {real}
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
            guild_id {bigint} PRIMARY KEY,
            daily_user_limit INTEGER,
            daily_cap_micros {bigint},
            monthly_cap_micros {bigint},
            allow_max {bool} NOT NULL DEFAULT {true},
            cooldown_seconds INTEGER NOT NULL DEFAULT 0,
            max_concurrent_per_user INTEGER,
            allowed_channel_ids TEXT NOT NULL DEFAULT '',
            watermark TEXT,
            updated_at {real} NOT NULL
        )
        """,
        """
        CREATE TABLE guild_role_limits (
            guild_id {bigint} NOT NULL,
            role_id {bigint} NOT NULL,
            daily_limit INTEGER,
            PRIMARY KEY (guild_id, role_id)
        )
        """,
        """
        CREATE TABLE quota_counters (
            scope TEXT NOT NULL,
            key TEXT NOT NULL,
            period TEXT NOT NULL,
            used {bigint} NOT NULL CHECK (used >= 0),
            PRIMARY KEY (scope, key, period)
        )
        """,
        "CREATE TABLE quota_cooldowns (key TEXT PRIMARY KEY, last_at {real} NOT NULL)",
        """
        CREATE TABLE quota_charges (
            job_id TEXT PRIMARY KEY,
            guild_id {bigint} NOT NULL,
            user_id {bigint} NOT NULL,
            mode TEXT NOT NULL,
            amount_micros {bigint} NOT NULL CHECK (amount_micros >= 0),
            day TEXT NOT NULL,
            month TEXT NOT NULL,
            state TEXT NOT NULL CHECK (state IN ('reserved', 'committed', 'refunded')),
            counters TEXT NOT NULL,
            created_at {real} NOT NULL,
            settled_at {real}
        )
        """,
        "CREATE INDEX quota_charges_guild_day_idx ON quota_charges (guild_id, day)",
        "CREATE INDEX quota_charges_guild_month_idx ON quota_charges (guild_id, month)",
        "CREATE INDEX quota_charges_state_created_idx ON quota_charges (state, created_at)",
    ),
    (
        # Leases (kontext.jobs.leases): which process runs a job, until when; an expired lease may be taken over.
        "ALTER TABLE jobs ADD COLUMN lease_owner TEXT",
        "ALTER TABLE jobs ADD COLUMN lease_until {real}",
    ),
    (
        # History (kontext.jobs.history): a member's latest jobs in a server, newest first.
        "CREATE INDEX jobs_guild_user_created_idx ON jobs (guild_id, user_id, created_at)",
    ),
    (
        # Safety per channel (GuildSettings.safety_limit_in): the server's safety limit; NULL: the bot's default.
        "ALTER TABLE guild_settings ADD COLUMN safety_limit INTEGER",
        "ALTER TABLE guild_settings ADD COLUMN safety_top_age_restricted {bool}",
    ),
    (
        # Batches (kontext.jobs.batches): one row per image sharing the batch row's id; the most a server allows.
        "ALTER TABLE jobs ADD COLUMN batch_id TEXT",
        "ALTER TABLE jobs ADD COLUMN batch_index INTEGER NOT NULL DEFAULT 0",
        "ALTER TABLE jobs ADD COLUMN batch_size INTEGER NOT NULL DEFAULT 1",
        "CREATE INDEX jobs_batch_id_idx ON jobs (batch_id)",
        "ALTER TABLE guild_settings ADD COLUMN max_batch INTEGER",
    ),
    (
        # Pings (cogs.utils.delivery): whether a finished image arrives as a new message that pings its requester.
        "ALTER TABLE guild_settings ADD COLUMN ping_results {bool} NOT NULL DEFAULT {true}",
    ),
    (
        # The API budget across processes (kontext.jobs.budget): slot N is leased to the job whose task it counts.
        "CREATE TABLE api_slots (slot INTEGER PRIMARY KEY, job_id TEXT, owner TEXT, lease_until {real})",
        "CREATE INDEX api_slots_job_id_idx ON api_slots (job_id)",
    ),
    (
        # The requester's language (kontext.models.Job.locale): a resumed job's progress and result stay in it.
        "ALTER TABLE jobs ADD COLUMN locale TEXT",
    ),
    (
        # Each server's settings version (kontext.storage.guilds): every change to its settings or role tiers bumps
        # it, so a reservation made with settings read a moment ago can tell they are still the stored ones.
        "CREATE TABLE guild_versions (guild_id {bigint} PRIMARY KEY, version {bigint} NOT NULL)",
    ),
)

# The runner's own bookkeeping: one row per applied migration.
_VERSION_TABLE = "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, applied_at {real} NOT NULL)"


def render(statement: str, dialect: str) -> str:
    """A schema statement in one backend's column types."""
    return statement.format(**COLUMN_TYPES[dialect])


async def current_version(conn: Connection) -> int:
    """The highest migration applied to the database (0 for an empty one)."""
    row = await conn.fetchrow("SELECT COALESCE(MAX(version), 0) FROM schema_version")
    return int(row[0]) if row is not None else 0


async def migrate(driver: Driver, migrations: tuple[tuple[str, ...], ...] = MIGRATIONS) -> int:
    """Apply the migrations the database lacks, in one transaction under the migration lock; how many were applied.

    RuntimeError when the database is at a version newer than `migrations` knows (newer code wrote it).
    """
    async with driver.migrating() as conn:
        await conn.execute(render(_VERSION_TABLE, driver.dialect))
        current = await current_version(conn)
        if current > len(migrations):
            raise RuntimeError(f"database schema version {current} is newer than this code knows ({len(migrations)})")
        for version, steps in enumerate(migrations[current:], start=current + 1):
            for statement in steps:
                await conn.execute(render(statement, driver.dialect))
            await conn.execute("INSERT INTO schema_version (version, applied_at) VALUES ($1, $2)", version, now())
            log.info("migration %s applied to %s", version, driver)
        return len(migrations) - current
