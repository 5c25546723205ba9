"""The charges ledger, usage counters and cooldowns, written once for every backend: reserve and settle atomically."""

from __future__ import annotations

from collections.abc import Sequence

from kontext.quotas.records import (
    Charge,
    ChargeState,
    ChargeTotals,
    Cooldown,
    CooldownActiveError,
    Counter,
    CounterKey,
    DuplicateChargeError,
    LimitReachedError,
    SettingsChangedError,
    Spender,
    charge_from_row,
    check_period,
    decode_counters,
    encode_counters,
    settled_state,
    totals_from_rows,
)
from kontext.storage.driver import Connection, Queries, UniqueViolation, placeholders
from kontext.storage.guilds import settings_version

# The conditional upserts that make a reservation atomic without reading first; a refused update returns no row.
# SQLite: BEGIN IMMEDIATE takes the write lock up front, so no other connection or process can change the row
# between this statement and COMMIT. PostgreSQL, under READ COMMITTED: ON CONFLICT DO UPDATE locks the existing
# row (even when the WHERE refuses) and evaluates the WHERE on its latest committed version, so concurrent
# reservations in any number of processes queue on the row and each sees the others' totals.
_ADD_WITHIN_CAP = """
    INSERT INTO quota_counters (scope, key, period, used) VALUES ($1, $2, $3, $4)
    ON CONFLICT (scope, key, period) DO UPDATE SET used = quota_counters.used + excluded.used
    WHERE CAST($5 AS BIGINT) IS NULL OR quota_counters.used + excluded.used <= CAST($5 AS BIGINT)
    RETURNING used
"""
_START_COOLDOWN = """
    INSERT INTO quota_cooldowns (key, last_at) VALUES ($1, $2)
    ON CONFLICT (key) DO UPDATE SET last_at = excluded.last_at
    WHERE quota_cooldowns.last_at + CAST($3 AS DOUBLE PRECISION) <= excluded.last_at
    RETURNING last_at
"""
# Never below zero: an admin's reset may already have cleared what a late refund gives back.
_GIVE_BACK = """
    UPDATE quota_counters SET used = CASE WHEN used > $1 THEN used - $1 ELSE 0 END
    WHERE scope = $2 AND key = $3 AND period = $4
"""
_COUNTER_VALUE = "SELECT used FROM quota_counters WHERE scope = $1 AND key = $2 AND period = $3"
_CHARGE_COLUMNS = "job_id, guild_id, user_id, mode, amount_micros, day, month, state, counters, created_at, settled_at"


class LedgerQueries(Queries):
    """LedgerStore on any driver; each reservation or settlement is one transaction."""

    async def reserve_charges(
        self,
        charges: Sequence[Charge],
        counters: Sequence[Counter],
        cooldown: Cooldown | None,
        *,
        settings: tuple[int, int] | None = None,
    ) -> None:
        """Record the charges, add each counter within its cap and start the cooldown, all or nothing; with
        `settings` (guild id, version), only if that guild's settings version is still the one given."""
        async with self.driver.transaction() as conn:
            if settings is not None:
                # The caps come from settings read earlier (perhaps cached): refuse, charging nothing, if they changed
                # since. Inside the transaction: on SQLite no other write can land before COMMIT; on PostgreSQL a
                # change committing after this read races as a change made just after the reservation would.
                stored = await settings_version(conn, settings[0])
                if stored != settings[1]:
                    raise SettingsChangedError(settings[0], settings[1], stored)
            for charge in charges:
                try:
                    await conn.execute(
                        f"INSERT INTO quota_charges ({_CHARGE_COLUMNS}) VALUES ({placeholders(11)})",
                        charge.job_id,
                        charge.guild_id,
                        charge.user_id,
                        charge.mode,
                        charge.amount_micros,
                        charge.day,
                        charge.month,
                        ChargeState.RESERVED.value,
                        encode_counters(charge.counters),
                        charge.created_at,
                        None,
                    )
                except UniqueViolation as exc:
                    raise DuplicateChargeError(charge.job_id) from exc
            for counter in counters:
                added = None
                if counter.cap is None or counter.amount <= counter.cap:  # a fresh row must not start over its cap
                    added = await conn.fetchrow(_ADD_WITHIN_CAP, *counter.ident, counter.amount, counter.cap)
                if added is None:
                    raise LimitReachedError(counter, await _counter_value(conn, counter.ident))
            if cooldown is not None:
                started = await conn.fetchrow(_START_COOLDOWN, cooldown.key, cooldown.now, float(cooldown.seconds))
                if started is None:
                    last = await conn.fetchrow("SELECT last_at FROM quota_cooldowns WHERE key = $1", cooldown.key)
                    raise CooldownActiveError(cooldown, float(last[0]) if last is not None else cooldown.now)

    async def settle_charge(self, job_id: str, state: ChargeState, settled_at: float) -> bool:
        """Move a reserved charge to `state` once and give back its counters accordingly."""
        state = settled_state(state)
        async with self.driver.transaction() as conn:
            # A concurrent settlement of the same job waits for this row (PostgreSQL's row lock, SQLite's write
            # lock), then re-checks state = 'reserved' and matches nothing: exactly one settlement wins.
            row = await conn.fetchrow(
                "UPDATE quota_charges SET state = $1, settled_at = $2 "
                "WHERE job_id = $3 AND state = 'reserved' RETURNING counters",
                state.value,
                settled_at,
                job_id,
            )
            if row is None:
                return False
            for counter in decode_counters(row[0]):
                if state is ChargeState.REFUNDED or counter.held:
                    await conn.execute(_GIVE_BACK, counter.amount, *counter.ident)
            return True

    async def get_charge(self, job_id: str) -> Charge | None:
        """The ledger entry of a job, or None."""
        row = await self._fetchrow(f"SELECT {_CHARGE_COLUMNS} FROM quota_charges WHERE job_id = $1", job_id)
        return charge_from_row(row) if row is not None else None

    async def reserved_charges(self, *, created_before: float | None = None, limit: int = 100) -> list[Charge]:
        """Charges still reserved, oldest first."""
        sql = (
            f"SELECT {_CHARGE_COLUMNS} FROM quota_charges WHERE state = 'reserved' "
            "AND (CAST($1 AS DOUBLE PRECISION) IS NULL OR created_at < $1) ORDER BY created_at, job_id LIMIT $2"
        )
        return [charge_from_row(row) for row in await self._fetch(sql, created_before, limit)]

    async def counter_values(self, keys: Sequence[CounterKey]) -> list[int]:
        """Each counter's value, 0 when it has no row."""
        async with self.driver.connection() as conn:
            return [await _counter_value(conn, key) for key in keys]

    async def set_counter(self, key: CounterKey, value: int) -> None:
        """Set one counter."""
        sql = (
            "INSERT INTO quota_counters (scope, key, period, used) VALUES ($1, $2, $3, $4) "
            "ON CONFLICT (scope, key, period) DO UPDATE SET used = excluded.used"
        )
        await self._execute(sql, *key, value)

    async def charge_totals(
        self, guild_id: int | None, *, day: str | None = None, month: str | None = None
    ) -> ChargeTotals:
        """Counts and sums by state for one day or month."""
        column, period = check_period(day, month)
        sql = (
            "SELECT state, COUNT(*), SUM(amount_micros) FROM quota_charges "
            f"WHERE {column} = $1 AND (CAST($2 AS BIGINT) IS NULL OR guild_id = $2) GROUP BY state"
        )
        return totals_from_rows(await self._fetch(sql, period, guild_id))

    async def top_spenders(
        self, guild_id: int, *, day: str | None = None, month: str | None = None, limit: int = 5
    ) -> list[Spender]:
        """The biggest spenders of a guild in one day or month."""
        column, period = check_period(day, month)
        sql = (
            "SELECT user_id, COUNT(*) AS images, SUM(amount_micros) AS micros FROM quota_charges "
            f"WHERE guild_id = $1 AND {column} = $2 AND state IN ('reserved', 'committed') "
            "GROUP BY user_id ORDER BY micros DESC, images DESC, user_id LIMIT $3"
        )
        return [Spender(int(u), int(n), int(m or 0)) for u, n, m in await self._fetch(sql, guild_id, period, limit)]


async def _counter_value(conn: Connection, key: CounterKey) -> int:
    row = await conn.fetchrow(_COUNTER_VALUE, *key)
    return int(row[0]) if row is not None else 0
