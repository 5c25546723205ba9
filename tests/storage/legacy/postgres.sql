-- The postgres schema history as the code before issue 13 wrote it (migrations 1-4), frozen:
-- tests/storage/test_migrations.py builds old databases from it and upgrades them with today's code.

-- migration 0 (the runner's own table)
CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, applied_at DOUBLE PRECISION NOT NULL);

-- migration 1
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
);
CREATE INDEX jobs_state_created_idx ON jobs (state, created_at);
CREATE INDEX jobs_message_id_idx ON jobs (message_id);

-- migration 2
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE INDEX jobs_task_id_idx ON jobs (task_id);

-- migration 3
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
);
CREATE TABLE guild_role_limits (
    guild_id BIGINT NOT NULL,
    role_id BIGINT NOT NULL,
    daily_limit INTEGER,
    PRIMARY KEY (guild_id, role_id)
);
CREATE TABLE quota_counters (
    scope TEXT NOT NULL,
    key TEXT NOT NULL,
    period TEXT NOT NULL,
    used BIGINT NOT NULL CHECK (used >= 0),
    PRIMARY KEY (scope, key, period)
);
CREATE TABLE quota_cooldowns (key TEXT PRIMARY KEY, last_at DOUBLE PRECISION NOT NULL);
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
);
CREATE INDEX quota_charges_guild_day_idx ON quota_charges (guild_id, day);
CREATE INDEX quota_charges_guild_month_idx ON quota_charges (guild_id, month);
CREATE INDEX quota_charges_state_created_idx ON quota_charges (state, created_at);

-- migration 4
ALTER TABLE jobs ADD COLUMN lease_owner TEXT;
ALTER TABLE jobs ADD COLUMN lease_until DOUBLE PRECISION;
