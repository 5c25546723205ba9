-- The sqlite schema history as the code before issue 13 wrote it (migrations 1-4), frozen:
-- tests/storage/test_migrations.py builds old databases from it and upgrades them with today's code.

-- migration 0 (the runner's own table)
CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, applied_at REAL NOT NULL);

-- migration 1
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
);
CREATE INDEX jobs_state_created_idx ON jobs (state, created_at);
CREATE INDEX jobs_message_id_idx ON jobs (message_id);

-- migration 2
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE INDEX jobs_task_id_idx ON jobs (task_id);

-- migration 3
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
);
CREATE TABLE guild_role_limits (
    guild_id INTEGER NOT NULL,
    role_id INTEGER NOT NULL,
    daily_limit INTEGER,
    PRIMARY KEY (guild_id, role_id)
);
CREATE TABLE quota_counters (
    scope TEXT NOT NULL,
    key TEXT NOT NULL,
    period TEXT NOT NULL,
    used INTEGER NOT NULL CHECK (used >= 0),
    PRIMARY KEY (scope, key, period)
);
CREATE TABLE quota_cooldowns (key TEXT PRIMARY KEY, last_at REAL NOT NULL);
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
);
CREATE INDEX quota_charges_guild_day_idx ON quota_charges (guild_id, day);
CREATE INDEX quota_charges_guild_month_idx ON quota_charges (guild_id, month);
CREATE INDEX quota_charges_state_created_idx ON quota_charges (state, created_at);

-- migration 4
ALTER TABLE jobs ADD COLUMN lease_owner TEXT;
ALTER TABLE jobs ADD COLUMN lease_until REAL;
