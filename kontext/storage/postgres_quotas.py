"""The quota half of PostgresStorage: guild settings, role tiers, usage counters, cooldowns and the charges ledger."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import asyncpg

from kontext.models import now
from kontext.quotas.records import (
    GUILD_SETTING_COLUMNS,
    Charge,
    ChargeState,
    ChargeTotals,
    Cooldown,
    CooldownActiveError,
    Counter,
    CounterKey,
    DuplicateChargeError,
    LimitReachedError,
    Spender,
    charge_from_row,
    check_period,
    decode_counters,
    decode_guild_settings,
    encode_counters,
    encode_guild_settings,
    settled_state,
    totals_from_rows,
)

# The conditional upserts that make a reservation atomic without reading first. Under READ COMMITTED,
# ON CONFLICT DO UPDATE locks the existing row (even when the WHERE refuses) and evaluates the WHERE on its
# latest committed version, so concurrent reservations in any number of processes queue on the row and each
# sees the others' totals. A refused update returns no row; the lock is held until the transaction ends.
_ADD_WITHIN_CAP = """
    INSERT INTO quota_counters (scope, key, period, used) VALUES ($1, $2, $3, $4)
    ON CONFLICT (scope, key, period) DO UPDATE SET used = quota_counters.used + excluded.used
    WHERE $5::bigint IS NULL OR quota_counters.used + excluded.used <= $5::bigint
    RETURNING used
"""
_START_COOLDOWN = """
    INSERT INTO quota_cooldowns (key, last_at) VALUES ($1, $2)
    ON CONFLICT (key) DO UPDATE SET last_at = excluded.last_at
    WHERE quota_cooldowns.last_at + $3::double precision <= excluded.last_at
    RETURNING last_at
"""
# Never below zero: an admin's reset may already have cleared what a late refund gives back.
_GIVE_BACK = """
    UPDATE quota_counters SET used = GREATEST(used - $1, 0)
    WHERE scope = $2 AND key = $3 AND period = $4
"""
_COUNTER_VALUE = "SELECT used FROM quota_counters WHERE scope = $1 AND key = $2 AND period = $3"
_CHARGE_COLUMNS = "job_id, guild_id, user_id, mode, amount_micros, day, month, state, counters, created_at, settled_at"
_CHARGE_PLACEHOLDERS = ", ".join(f"${i}" for i in range(1, 12))


class PostgresQuotaMixin:
    """Quota storage on PostgresStorage's pool; each reservation or settlement is one transaction."""

    if TYPE_CHECKING:

        @property
        def _db(self) -> asyncpg.Pool: ...

    async def get_guild_settings(self, guild_id: int) -> dict[str, Any] | None:
        """The stored settings of a guild, or None when it never changed any."""
        sql = f"SELECT {', '.join(GUILD_SETTING_COLUMNS)} FROM guild_settings WHERE guild_id = $1"
        row = await self._db.fetchrow(sql, guild_id)
        return decode_guild_settings(row) if row is not None else None

    async def save_guild_settings(self, guild_id: int, values: Mapping[str, Any]) -> None:
        """Upsert the given settings columns."""
        row = {**encode_guild_settings(values), "updated_at": now()}
        placeholders = ", ".join(f"${i}" for i in range(2, len(row) + 2))
        updates = ", ".join(f"{name} = excluded.{name}" for name in row)
        sql = (
            f"INSERT INTO guild_settings (guild_id, {', '.join(row)}) VALUES ($1, {placeholders}) "
            f"ON CONFLICT (guild_id) DO UPDATE SET {updates}"
        )
        await self._db.execute(sql, guild_id, *row.values())

    async def role_limits(self, guild_id: int) -> dict[int, int | None]:
        """Role id to daily limit (None: unlimited) for every tier of the guild."""
        sql = "SELECT role_id, daily_limit FROM guild_role_limits WHERE guild_id = $1 ORDER BY role_id"
        return {int(r["role_id"]): r["daily_limit"] for r in await self._db.fetch(sql, guild_id)}

    async def set_role_limit(self, guild_id: int, role_id: int, limit: int | None) -> None:
        """Create or replace one role tier."""
        sql = (
            "INSERT INTO guild_role_limits (guild_id, role_id, daily_limit) VALUES ($1, $2, $3) "
            "ON CONFLICT (guild_id, role_id) DO UPDATE SET daily_limit = excluded.daily_limit"
        )
        await self._db.execute(sql, guild_id, role_id, limit)

    async def delete_role_limit(self, guild_id: int, role_id: int) -> bool:
        """Remove one role tier; True if there was one."""
        status = await self._db.execute(
            "DELETE FROM guild_role_limits WHERE guild_id = $1 AND role_id = $2", guild_id, role_id
        )
        return status == "DELETE 1"

    async def reserve_charge(self, charge: Charge, counters: Sequence[Counter], cooldown: Cooldown | None) -> None:
        """Record the charge, add each counter within its cap and start the cooldown, all or nothing."""
        async with self._db.acquire() as conn, conn.transaction():
            try:
                await conn.execute(
                    f"INSERT INTO quota_charges ({_CHARGE_COLUMNS}) VALUES ({_CHARGE_PLACEHOLDERS})",
                    charge.job_id,
                    charge.guild_id,
                    charge.user_id,
                    charge.mode,
                    charge.amount_micros,
                    charge.day,
                    charge.month,
                    ChargeState.RESERVED.value,
                    encode_counters(counters),
                    charge.created_at,
                    None,
                )
            except asyncpg.UniqueViolationError as exc:
                raise DuplicateChargeError(charge.job_id) from exc
            for counter in counters:
                used = None
                if counter.cap is None or counter.amount <= counter.cap:  # a fresh row must not start over its cap
                    used = await conn.fetchval(_ADD_WITHIN_CAP, *counter.ident, counter.amount, counter.cap)
                if used is None:
                    current = await conn.fetchval(_COUNTER_VALUE, *counter.ident)
                    raise LimitReachedError(counter, int(current or 0))
            if cooldown is not None:
                started = await conn.fetchval(_START_COOLDOWN, cooldown.key, cooldown.now, float(cooldown.seconds))
                if started is None:
                    last = await conn.fetchval("SELECT last_at FROM quota_cooldowns WHERE key = $1", cooldown.key)
                    raise CooldownActiveError(cooldown, float(last) if last is not None else cooldown.now)

    async def settle_charge(self, job_id: str, state: ChargeState, settled_at: float) -> bool:
        """Move a reserved charge to `state` once and give back its counters accordingly."""
        state = settled_state(state)
        async with self._db.acquire() as conn, conn.transaction():
            # The row lock taken by this UPDATE makes a concurrent commit/refund of the same job wait, then
            # re-check state = 'reserved' and match nothing: exactly one settlement wins.
            text = await conn.fetchval(
                "UPDATE quota_charges SET state = $1, settled_at = $2 "
                "WHERE job_id = $3 AND state = 'reserved' RETURNING counters",
                state.value,
                settled_at,
                job_id,
            )
            if text is None:
                return False
            for counter in decode_counters(text):
                if state is ChargeState.REFUNDED or counter.held:
                    await conn.execute(_GIVE_BACK, counter.amount, *counter.ident)
            return True

    async def get_charge(self, job_id: str) -> Charge | None:
        """The ledger entry of a job, or None."""
        row = await self._db.fetchrow(f"SELECT {_CHARGE_COLUMNS} FROM quota_charges WHERE job_id = $1", job_id)
        return charge_from_row(row) if row is not None else None

    async def reserved_charges(self, *, created_before: float | None = None, limit: int = 100) -> list[Charge]:
        """Charges still reserved, oldest first."""
        sql = (
            f"SELECT {_CHARGE_COLUMNS} FROM quota_charges WHERE state = 'reserved' "
            "AND ($1::double precision IS NULL OR created_at < $1) ORDER BY created_at, job_id LIMIT $2"
        )
        return [charge_from_row(row) for row in await self._db.fetch(sql, created_before, limit)]

    async def counter_values(self, keys: Sequence[CounterKey]) -> list[int]:
        """Each counter's value, 0 when it has no row."""
        async with self._db.acquire() as conn:
            return [int(await conn.fetchval(_COUNTER_VALUE, *key) or 0) for key in keys]

    async def set_counter(self, key: CounterKey, value: int) -> None:
        """Set one counter."""
        sql = (
            "INSERT INTO quota_counters (scope, key, period, used) VALUES ($1, $2, $3, $4) "
            "ON CONFLICT (scope, key, period) DO UPDATE SET used = excluded.used"
        )
        await self._db.execute(sql, *key, value)

    async def charge_totals(
        self, guild_id: int | None, *, day: str | None = None, month: str | None = None
    ) -> ChargeTotals:
        """Counts and sums by state for one day or month."""
        column, period = check_period(day, month)
        sql = (
            "SELECT state, COUNT(*), SUM(amount_micros) FROM quota_charges "
            f"WHERE {column} = $1 AND ($2::bigint IS NULL OR guild_id = $2) GROUP BY state"
        )
        return totals_from_rows(tuple(r) for r in await self._db.fetch(sql, period, guild_id))

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
        rows = await self._db.fetch(sql, guild_id, period, limit)
        return [Spender(int(r["user_id"]), int(r["images"]), int(r["micros"] or 0)) for r in rows]
