"""Persistence: the storage protocol (base), its SQLite and PostgreSQL backends, and open_storage() to pick one."""

from __future__ import annotations

from typing import TYPE_CHECKING

from kontext.env_values import SQLITE_PREFIX, check_database_url, sqlite_path

if TYPE_CHECKING:
    from kontext.storage.base import Storage


def open_storage(url: str, *, timeout: float = 10.0) -> Storage:
    """Build the backend for a DATABASE_URL (sqlite:///path or postgresql://...), not yet opened.

    `timeout` bounds connecting to PostgreSQL and each statement (SQLite waits for its own locks).
    """
    problem = check_database_url(url)
    if problem is not None:
        raise ValueError(problem)
    # Imported here: only the chosen driver gets loaded (asyncpg only for PostgreSQL).
    if url.startswith(SQLITE_PREFIX):
        from kontext.storage.sqlite import SQLiteStorage

        return SQLiteStorage(sqlite_path(url))
    from kontext.storage.postgres import PostgresStorage

    return PostgresStorage(url, timeout=timeout)
