"""Database: every storage concern's queries on one driver, with the schema migrated when it opens."""

from __future__ import annotations

import logging

from kontext.storage.driver import Driver
from kontext.storage.guilds import GuildQueries
from kontext.storage.jobs import JobQueries
from kontext.storage.ledger import LedgerQueries
from kontext.storage.schema import MIGRATIONS, migrate
from kontext.storage.slots import SlotQueries

log = logging.getLogger(__name__)


class Database(JobQueries, SlotQueries, GuildQueries, LedgerQueries):
    """The Storage of the bot on one driver (SQLite or PostgreSQL); the same queries whichever it is."""

    def __init__(self, driver: Driver, *, migrations: tuple[tuple[str, ...], ...] = MIGRATIONS) -> None:
        super().__init__(driver)
        self.migrations = migrations

    def __repr__(self) -> str:
        return f"<Database {self.driver!r}>"

    async def open(self) -> None:
        """Connect and apply pending migrations; a no-op when already open."""
        if self.driver.is_open:
            return
        await self.driver.connect()
        try:
            applied = await migrate(self.driver, self.migrations)
        except BaseException:
            await self.driver.close()
            raise
        log.info("storage open: %s (schema version %s, %s applied now)", self.driver, len(self.migrations), applied)

    async def close(self) -> None:
        """Release the connection(s); safe to call twice."""
        await self.driver.close()

    async def ping(self) -> bool:
        """True when the database answers."""
        return await self.driver.ping()

    async def get_meta(self, key: str) -> str | None:
        """A value of the bot's own bookkeeping (for example the last synced command set), or None."""
        row = await self._fetchrow("SELECT value FROM meta WHERE key = $1", key)
        return str(row[0]) if row is not None else None

    async def set_meta(self, key: str, value: str) -> None:
        """Store a bookkeeping value, replacing any earlier one."""
        sql = "INSERT INTO meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value"
        await self._execute(sql, key, value)
