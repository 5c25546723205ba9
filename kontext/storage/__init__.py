"""Persistence: protocols by concern (base), queries written once (jobs, slots, guilds, ledger) above a narrow driver
interface (driver), one schema and migration runner (schema), the SQLite and PostgreSQL drivers, and
open_storage() to pick one."""

from __future__ import annotations

from typing import TYPE_CHECKING

from kontext.env_values import SQLITE_PREFIX, check_database_url, sqlite_path

if TYPE_CHECKING:
    from kontext.storage.database import Database


def open_storage(url: str, *, timeout: float = 10.0) -> Database:
    """Build the storage for a DATABASE_URL (sqlite:///path or postgresql://...), not yet opened.

    `timeout` bounds connecting to PostgreSQL and each statement (SQLite waits for its own locks).
    """
    problem = check_database_url(url)
    if problem is not None:
        raise ValueError(problem)
    from kontext.storage.database import Database

    # Imported here: only the chosen driver gets loaded (asyncpg only for PostgreSQL).
    if url.startswith(SQLITE_PREFIX):
        from kontext.storage.sqlite import SQLiteDriver

        return Database(SQLiteDriver(sqlite_path(url)))
    from kontext.storage.postgres import PostgresDriver

    return Database(PostgresDriver(url, timeout=timeout))
