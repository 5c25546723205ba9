"""The quota half of SQLiteStorage: guild settings, role tiers, usage counters, cooldowns and the charges ledger."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from typing import TYPE_CHECKING, Any

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

if TYPE_CHECKING:
    import aiosqlite

# The conditional upserts that make a reservation atomic without reading first. SQLite's upsert sees the
# committed row, and BEGIN IMMEDIATE (the write lock taken up front) means no other connection or process
# can change it between this statement and COMMIT. A refused update returns no row.
_ADD_WITHIN_CAP = """
    INSERT INTO quota_counters (scope, key, period, used) VALUES (?, ?, ?, ?)
    ON CONFLICT (scope, key, period) DO UPDATE SET used = quota_counters.used + excluded.used
    WHERE ? IS NULL OR quota_counters.used + excluded.used <= ?
    RETURNING used
"""
_START_COOLDOWN = """
    INSERT INTO quota_cooldowns (key, last_at) VALUES (?, ?)
    ON CONFLICT (key) DO UPDATE SET last_at = excluded.last_at
    WHERE quota_cooldowns.last_at + ? <= excluded.last_at
    RETURNING last_at
"""
# Never below zero: an admin's reset may already have cleared what a late refund gives back.
_GIVE_BACK = """
    UPDATE quota_counters SET used = MAX(used - ?, 0)
    WHERE scope = ? AND key = ? AND period = ?
"""
_CHARGE_COLUMNS = "job_id, guild_id, user_id, mode, amount_micros, day, month, state, counters, created_at, settled_at"


class SQLiteQuotaMixin:
    """Quota storage on SQLiteStorage's single connection; every write holds its lock and an IMMEDIATE transaction."""

    if TYPE_CHECKING:
        _lock: asyncio.Lock

        @property
        def _db(self) -> aiosqlite.Connection: ...

        def _transaction(self) -> AbstractAsyncContextManager[aiosqlite.Connection]: ...

    async def get_guild_settings(self, guild_id: int) -> dict[str, Any] | None:
        """The stored settings of a guild, or None when it never changed any."""
        sql = f"SELECT {', '.join(GUILD_SETTING_COLUMNS)} FROM guild_settings WHERE guild_id = ?"
        async with self._lock, self._db.execute(sql, (guild_id,)) as cur:
            row = await cur.fetchone()
        return decode_guild_settings(row) if row is not None else None

    async def save_guild_settings(self, guild_id: int, values: Mapping[str, Any]) -> None:
        """Upsert the given settings columns."""
        row = {**encode_guild_settings(values), "updated_at": now()}
        columns = ", ".join(row)
        updates = ", ".join(f"{name} = excluded.{name}" for name in row)
        sql = (
            f"INSERT INTO guild_settings (guild_id, {columns}) VALUES (?, {', '.join('?' * len(row))}) "
            f"ON CONFLICT (guild_id) DO UPDATE SET {updates}"
        )
        async with self._lock:
            await self._db.execute(sql, (guild_id, *row.values()))

    async def role_limits(self, guild_id: int) -> dict[int, int | None]:
        """Role id to daily limit (None: unlimited) for every tier of the guild."""
        sql = "SELECT role_id, daily_limit FROM guild_role_limits WHERE guild_id = ? ORDER BY role_id"
        async with self._lock, self._db.execute(sql, (guild_id,)) as cur:
            return {int(role): (None if limit is None else int(limit)) for role, limit in await cur.fetchall()}

    async def set_role_limit(self, guild_id: int, role_id: int, limit: int | None) -> None:
        """Create or replace one role tier."""
        sql = (
            "INSERT INTO guild_role_limits (guild_id, role_id, daily_limit) VALUES (?, ?, ?) "
            "ON CONFLICT (guild_id, role_id) DO UPDATE SET daily_limit = excluded.daily_limit"
        )
        async with self._lock:
            await self._db.execute(sql, (guild_id, role_id, limit))

    async def delete_role_limit(self, guild_id: int, role_id: int) -> bool:
        """Remove one role tier; True if there was one."""
        sql = "DELETE FROM guild_role_limits WHERE guild_id = ? AND role_id = ?"
        async with self._lock:
            cur = await self._db.execute(sql, (guild_id, role_id))
            return cur.rowcount == 1

    async def reserve_charge(self, charge: Charge, counters: Sequence[Counter], cooldown: Cooldown | None) -> None:
        """Record the charge, add each counter within its cap and start the cooldown, all or nothing."""
        async with self._transaction() as db:
            try:
                await db.execute(
                    f"INSERT INTO quota_charges ({_CHARGE_COLUMNS}) VALUES ({', '.join('?' * 11)})",
                    (
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
                    ),
                )
            except sqlite3.IntegrityError as exc:
                if "UNIQUE" in str(exc):
                    raise DuplicateChargeError(charge.job_id) from exc
                raise
            for counter in counters:
                row = None
                if counter.cap is None or counter.amount <= counter.cap:  # a fresh row must not start over its cap
                    params = (*counter.ident, counter.amount, counter.cap, counter.cap)
                    async with db.execute(_ADD_WITHIN_CAP, params) as cur:
                        row = await cur.fetchone()
                if row is None:
                    raise LimitReachedError(counter, await _counter_value(db, counter.ident))
            if cooldown is not None:
                params = (cooldown.key, cooldown.now, cooldown.seconds)
                async with db.execute(_START_COOLDOWN, params) as cur:
                    row = await cur.fetchone()
                if row is None:
                    async with db.execute("SELECT last_at FROM quota_cooldowns WHERE key = ?", (cooldown.key,)) as cur:
                        last = await cur.fetchone()
                    raise CooldownActiveError(cooldown, float(last[0]) if last is not None else cooldown.now)

    async def settle_charge(self, job_id: str, state: ChargeState, settled_at: float) -> bool:
        """Move a reserved charge to `state` once and give back its counters accordingly."""
        state = settled_state(state)
        async with self._transaction() as db:
            sql = (
                "UPDATE quota_charges SET state = ?, settled_at = ? "
                "WHERE job_id = ? AND state = 'reserved' RETURNING counters"
            )
            async with db.execute(sql, (state.value, settled_at, job_id)) as cur:
                row = await cur.fetchone()
            if row is None:
                return False
            for counter in decode_counters(row[0]):
                if state is ChargeState.REFUNDED or counter.held:
                    await db.execute(_GIVE_BACK, (counter.amount, *counter.ident))
            return True

    async def get_charge(self, job_id: str) -> Charge | None:
        """The ledger entry of a job, or None."""
        sql = f"SELECT {_CHARGE_COLUMNS} FROM quota_charges WHERE job_id = ?"
        async with self._lock, self._db.execute(sql, (job_id,)) as cur:
            row = await cur.fetchone()
        return charge_from_row(row) if row is not None else None

    async def reserved_charges(self, *, created_before: float | None = None, limit: int = 100) -> list[Charge]:
        """Charges still reserved, oldest first."""
        sql = (
            f"SELECT {_CHARGE_COLUMNS} FROM quota_charges WHERE state = 'reserved' "
            "AND (? IS NULL OR created_at < ?) ORDER BY created_at, job_id LIMIT ?"
        )
        async with self._lock, self._db.execute(sql, (created_before, created_before, limit)) as cur:
            return [charge_from_row(row) for row in await cur.fetchall()]

    async def counter_values(self, keys: Sequence[CounterKey]) -> list[int]:
        """Each counter's value, 0 when it has no row."""
        async with self._lock:
            return [await _counter_value(self._db, key) for key in keys]

    async def set_counter(self, key: CounterKey, value: int) -> None:
        """Set one counter."""
        sql = (
            "INSERT INTO quota_counters (scope, key, period, used) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (scope, key, period) DO UPDATE SET used = excluded.used"
        )
        async with self._lock:
            await self._db.execute(sql, (*key, value))

    async def charge_totals(
        self, guild_id: int | None, *, day: str | None = None, month: str | None = None
    ) -> ChargeTotals:
        """Counts and sums by state for one day or month."""
        column, period = check_period(day, month)
        sql = (
            f"SELECT state, COUNT(*), SUM(amount_micros) FROM quota_charges "
            f"WHERE {column} = ? AND (? IS NULL OR guild_id = ?) GROUP BY state"
        )
        async with self._lock, self._db.execute(sql, (period, guild_id, guild_id)) as cur:
            return totals_from_rows(await cur.fetchall())

    async def top_spenders(
        self, guild_id: int, *, day: str | None = None, month: str | None = None, limit: int = 5
    ) -> list[Spender]:
        """The biggest spenders of a guild in one day or month."""
        column, period = check_period(day, month)
        sql = (
            "SELECT user_id, COUNT(*) AS images, SUM(amount_micros) AS micros FROM quota_charges "
            f"WHERE guild_id = ? AND {column} = ? AND state IN ('reserved', 'committed') "
            "GROUP BY user_id ORDER BY micros DESC, images DESC, user_id LIMIT ?"
        )
        async with self._lock, self._db.execute(sql, (guild_id, period, limit)) as cur:
            return [Spender(int(u), int(n), int(m or 0)) for u, n, m in await cur.fetchall()]


async def _counter_value(db: aiosqlite.Connection, key: CounterKey) -> int:
    sql = "SELECT used FROM quota_counters WHERE scope = ? AND key = ? AND period = ?"
    async with db.execute(sql, key) as cur:
        row = await cur.fetchone()
    return int(row[0]) if row is not None else 0
