"""The servers' settings and role tiers, written once for every backend."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kontext.models import now
from kontext.quotas.records import GUILD_SETTING_COLUMNS, decode_guild_settings, encode_guild_settings
from kontext.storage.driver import Connection, Queries, placeholders

# In the transaction of each change to a server's settings or tiers (reservations compare it: LedgerQueries).
_BUMP_VERSION = """
    INSERT INTO guild_versions (guild_id, version) VALUES ($1, 1)
    ON CONFLICT (guild_id) DO UPDATE SET version = guild_versions.version + 1
"""
_VERSION = "SELECT version FROM guild_versions WHERE guild_id = $1"


class GuildQueries(Queries):
    """GuildSettingsStore on any driver; each read is one statement, each change one transaction with its version."""

    async def guild_version(self, guild_id: int) -> int:
        """How many times the guild's settings or tiers changed (0: never)."""
        async with self.driver.connection() as conn:
            return await settings_version(conn, guild_id)

    async def get_guild_settings(self, guild_id: int) -> dict[str, Any] | None:
        """The stored settings of a guild, or None when it never changed any."""
        sql = f"SELECT {', '.join(GUILD_SETTING_COLUMNS)} FROM guild_settings WHERE guild_id = $1"
        row = await self._fetchrow(sql, guild_id)
        return decode_guild_settings(row) if row is not None else None

    async def save_guild_settings(self, guild_id: int, values: Mapping[str, Any]) -> None:
        """Upsert the given settings columns."""
        row = {**encode_guild_settings(values), "updated_at": now()}
        updates = ", ".join(f"{name} = excluded.{name}" for name in row)
        sql = (
            f"INSERT INTO guild_settings (guild_id, {', '.join(row)}) VALUES ($1, {placeholders(len(row), start=2)}) "
            f"ON CONFLICT (guild_id) DO UPDATE SET {updates}"
        )
        async with self.driver.transaction() as conn:
            await conn.execute(sql, guild_id, *row.values())
            await conn.execute(_BUMP_VERSION, guild_id)

    async def role_limits(self, guild_id: int) -> dict[int, int | None]:
        """Role id to daily limit (None: unlimited) for every tier of the guild."""
        sql = "SELECT role_id, daily_limit FROM guild_role_limits WHERE guild_id = $1 ORDER BY role_id"
        rows = await self._fetch(sql, guild_id)
        return {int(role): (None if limit is None else int(limit)) for role, limit in rows}

    async def set_role_limit(self, guild_id: int, role_id: int, limit: int | None) -> None:
        """Create or replace one role tier."""
        sql = (
            "INSERT INTO guild_role_limits (guild_id, role_id, daily_limit) VALUES ($1, $2, $3) "
            "ON CONFLICT (guild_id, role_id) DO UPDATE SET daily_limit = excluded.daily_limit"
        )
        async with self.driver.transaction() as conn:
            await conn.execute(sql, guild_id, role_id, limit)
            await conn.execute(_BUMP_VERSION, guild_id)

    async def delete_role_limit(self, guild_id: int, role_id: int) -> bool:
        """Remove one role tier; True if there was one."""
        sql = "DELETE FROM guild_role_limits WHERE guild_id = $1 AND role_id = $2"
        async with self.driver.transaction() as conn:
            if await conn.execute(sql, guild_id, role_id) != 1:
                return False
            await conn.execute(_BUMP_VERSION, guild_id)
            return True


async def settings_version(conn: Connection, guild_id: int) -> int:
    """The guild's settings version as `conn` sees it (0: never changed)."""
    row = await conn.fetchrow(_VERSION, guild_id)
    return int(row[0]) if row is not None else 0
