"""SQLite driver (the default): one aiosqlite connection in WAL mode, shared under an asyncio lock."""

from __future__ import annotations

import asyncio
import functools
import logging
import re
import sqlite3
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path
from typing import Any

import aiosqlite

from kontext.storage.base import register_transient_check
from kontext.storage.driver import HandleHolder, Row, UniqueViolation

log = logging.getLogger(__name__)

_BUSY_TIMEOUT_S = 10.0


def is_transient_error(error: BaseException) -> bool:
    """A locked or busy database file, or a failing disk: worth another try."""
    if isinstance(error, sqlite3.OperationalError):
        text = str(error).lower()
        return "locked" in text or "busy" in text or "disk i/o" in text
    return False


register_transient_check(is_transient_error)


class SQLiteDriver(HandleHolder[aiosqlite.Connection]):
    """One SQLite file; a single connection, with an asyncio lock so statements and transactions never interleave."""

    dialect = "sqlite"
    name = "SQLite"

    def __init__(self, path: str | Path) -> None:
        self.path = str(path)
        # aiosqlite serialises statements, but a BEGIN ... COMMIT sequence on the shared connection would
        # swallow other coroutines' statements into it; the lock keeps each operation whole.
        self._lock = asyncio.Lock()

    def __repr__(self) -> str:
        return f"<SQLiteDriver path={self.path!r} open={self.is_open}>"

    def __str__(self) -> str:
        return f"SQLite {self.path}"

    async def connect(self) -> None:
        """Open the file (creating its directory) and switch it to WAL."""
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        # isolation_level=None: autocommit, so each single statement is atomic and BEGIN is ours to issue.
        conn = await aiosqlite.connect(self.path, timeout=_BUSY_TIMEOUT_S, isolation_level=None)
        try:
            conn.row_factory = sqlite3.Row
            await _retry_locked(lambda: conn.execute("PRAGMA journal_mode=WAL"))
            await conn.execute("PRAGMA synchronous=NORMAL")
            await conn.execute("PRAGMA foreign_keys=ON")
        except BaseException:
            await conn.close()
            raise
        self._handle = conn

    async def ping(self) -> bool:
        """True when the file answers SELECT 1."""
        if self._handle is None:
            return False
        try:
            async with self.connection() as conn:
                return await conn.fetchrow("SELECT 1") is not None
        except (sqlite3.Error, ValueError, RuntimeError):
            log.warning("SQLite ping failed", exc_info=True)
            return False

    @asynccontextmanager
    async def connection(self) -> AsyncIterator[_SQLiteConnection]:
        """The shared connection, held under the lock."""
        async with self._lock:
            yield _SQLiteConnection(self._db)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[_SQLiteConnection]:
        """The lock and an IMMEDIATE transaction (the write lock is taken up front, so no upgrade deadlock)."""
        async with self._lock:
            db = self._db
            try:
                await db.execute("BEGIN IMMEDIATE")
                yield _SQLiteConnection(db)
                await db.execute("COMMIT")
            except BaseException:
                # A cancelled await does not stop the statement on aiosqlite's thread: BEGIN or COMMIT may still
                # run after we leave. Queue a ROLLBACK behind it, under the lock, so no transaction is left open.
                rollback = asyncio.ensure_future(_rollback_quietly(db))
                try:
                    await asyncio.shield(rollback)
                except asyncio.CancelledError:
                    await rollback
                    raise
                raise

    def migrating(self) -> AbstractAsyncContextManager[_SQLiteConnection]:
        """An IMMEDIATE transaction: a second process opening the same file waits at BEGIN, then finds nothing to do."""
        return self.transaction()


class _SQLiteConnection:
    """The Connection of the shared aiosqlite connection: `$n` placeholders become SQLite's `?n`."""

    def __init__(self, db: aiosqlite.Connection) -> None:
        self._db = db

    async def execute(self, sql: str, *params: Any) -> int:
        """Run a statement; how many rows it changed."""
        async with self._cursor(sql, params) as cur:
            return cur.rowcount

    async def fetch(self, sql: str, *params: Any) -> Sequence[Row]:
        """Every row of a query."""
        async with self._cursor(sql, params) as cur:
            return await cur.fetchall()

    async def fetchrow(self, sql: str, *params: Any) -> Row | None:
        """The first row of a query, or None."""
        async with self._cursor(sql, params) as cur:
            return await cur.fetchone()

    @asynccontextmanager
    async def _cursor(self, sql: str, params: tuple[Any, ...]) -> AsyncIterator[aiosqlite.Cursor]:
        try:
            async with self._db.execute(_sqlite_placeholders(sql), params) as cur:
                yield cur
        except sqlite3.IntegrityError as exc:
            if "UNIQUE" in str(exc):
                raise UniqueViolation(str(exc)) from exc
            raise


@functools.lru_cache(maxsize=512)
def _sqlite_placeholders(sql: str) -> str:
    return re.sub(r"\$(\d+)", r"?\1", sql)


async def _retry_locked(run: Callable[[], Awaitable[object]], attempts: int = 20) -> None:
    """Switching a new file to WAL fails with "database is locked" while another connection does the same."""
    for attempt in range(attempts):
        try:
            await run()
            return
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) or attempt == attempts - 1:
                raise
            await asyncio.sleep(0.01 * (attempt + 1))


async def _rollback_quietly(db: aiosqlite.Connection) -> None:
    try:
        await db.execute("ROLLBACK")
    except sqlite3.OperationalError as error:
        if "no transaction" not in str(error):
            raise
