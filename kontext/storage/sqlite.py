"""SQLite driver (the default): one connection in WAL mode on a thread of its own, shared under an asyncio lock.

Each statement (run and read to the end) is one trip to that thread: a job's dozen writes cost a dozen trips, not the
two or three per statement a cursor object's separate execute, fetch and close would.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import queue
import re
import sqlite3
import threading
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path
from typing import Any, TypeVar

from kontext.storage.base import register_transient_check
from kontext.storage.driver import HandleHolder, Row, UniqueViolation

log = logging.getLogger(__name__)
T = TypeVar("T")

_BUSY_TIMEOUT_S = 10.0


def is_transient_error(error: BaseException) -> bool:
    """A locked or busy database file, or a failing disk: worth another try."""
    if isinstance(error, sqlite3.OperationalError):
        text = str(error).lower()
        return "locked" in text or "busy" in text or "disk i/o" in text
    return False


register_transient_check(is_transient_error)


class _Thread:
    """The one thread a connection lives on: calls run there in the order they were made.

    Calls need not wait for each other: many can be queued at once, and the thread answers every call it finished
    in one wake-up of the event loop, so a burst of statements costs a few trips, not one each.
    """

    _ANSWER_EVERY = 64  # answer at least this often while calls keep coming

    def __init__(self) -> None:
        self._calls: queue.SimpleQueue[_Call | None] = queue.SimpleQueue()
        self._worker = threading.Thread(target=self._work, name="sqlite", daemon=True)
        self._worker.start()

    async def call(self, function: Callable[..., T], *args: Any) -> T:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[T] = loop.create_future()
        self._calls.put((loop, future, function, args))  # queued now, before this coroutine first waits
        return await future

    def stop(self) -> None:
        self._calls.put(None)

    def _work(self) -> None:
        done: list[tuple[asyncio.AbstractEventLoop, asyncio.Future[Any], Any, BaseException | None]] = []
        while True:
            try:
                call = self._calls.get(block=not done)
            except queue.Empty:
                _answer(done)
                done = []
                continue
            if call is None:
                _answer(done)
                return
            loop, future, function, args = call
            try:
                done.append((loop, future, function(*args), None))
            except BaseException as error:
                done.append((loop, future, None, error))
            if len(done) >= self._ANSWER_EVERY:
                _answer(done)
                done = []


_Call = tuple[asyncio.AbstractEventLoop, "asyncio.Future[Any]", Callable[..., Any], tuple[Any, ...]]


def _answer(done: list[tuple[asyncio.AbstractEventLoop, asyncio.Future[Any], Any, BaseException | None]]) -> None:
    """From the connection's thread: hand each finished call's result to its event loop, one wake-up per loop."""
    by_loop: dict[asyncio.AbstractEventLoop, list[tuple[asyncio.Future[Any], Any, BaseException | None]]] = {}
    for loop, future, result, error in done:
        by_loop.setdefault(loop, []).append((future, result, error))
    for loop, answers in by_loop.items():
        try:
            loop.call_soon_threadsafe(_settle, answers)
        except RuntimeError:  # the loop was closed: nobody is waiting any more
            pass


def _settle(answers: list[tuple[asyncio.Future[Any], Any, BaseException | None]]) -> None:
    for future, result, error in answers:
        if future.done():  # cancelled while the statement ran: it ran all the same, its result is unwanted
            continue
        if error is None:
            future.set_result(result)
        else:
            future.set_exception(error)


class _Handle:
    """The one connection and the thread it lives on."""

    def __init__(self, conn: sqlite3.Connection, thread: _Thread) -> None:
        self.conn = conn
        self.thread = thread

    async def close(self) -> None:
        try:
            await self.thread.call(self.conn.close)
        finally:
            self.thread.stop()


class SQLiteDriver(HandleHolder[_Handle]):
    """One SQLite file; a single connection, with an asyncio lock so statements and transactions never interleave."""

    dialect = "sqlite"
    name = "SQLite"

    def __init__(self, path: str | Path) -> None:
        self.path = str(path)
        # The thread runs statements one at a time, but a BEGIN ... COMMIT sequence on the shared connection would
        # swallow other coroutines' statements into it: a transaction holds the lock, and a statement waits for it.
        self._lock = asyncio.Lock()

    def __repr__(self) -> str:
        return f"<SQLiteDriver path={self.path!r} open={self.is_open}>"

    def __str__(self) -> str:
        return f"SQLite {self.path}"

    async def connect(self) -> None:
        """Open the file (creating its directory) and switch it to WAL."""
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        thread = _Thread()
        try:
            # isolation_level=None: autocommit, so each single statement is atomic and BEGIN is ours to issue.
            conn = await thread.call(
                functools.partial(
                    sqlite3.connect, self.path, timeout=_BUSY_TIMEOUT_S, isolation_level=None, check_same_thread=False
                )
            )
        except BaseException:
            thread.stop()
            raise
        try:
            conn.row_factory = sqlite3.Row
            await _retry_locked(lambda: thread.call(conn.execute, "PRAGMA journal_mode=WAL"))
            await thread.call(conn.execute, "PRAGMA synchronous=NORMAL")
            await thread.call(conn.execute, "PRAGMA foreign_keys=ON")
        except BaseException:
            await thread.call(conn.close)
            thread.stop()
            raise
        self._handle = _Handle(conn, thread)

    async def ping(self) -> bool:
        """True when the file answers SELECT 1."""
        if not self.is_open:
            return False
        try:
            async with self.connection() as conn:
                return await conn.fetchrow("SELECT 1") is not None
        except (sqlite3.Error, ValueError, RuntimeError):
            log.warning("SQLite ping failed", exc_info=True)
            return False

    @asynccontextmanager
    async def connection(self) -> AsyncIterator[_SQLiteConnection]:
        """The shared connection, for statements atomic one by one: they queue on its thread (in order) without
        waiting for each other, and each waits only while a transaction is open or waiting to open."""
        yield self._open(outside=self._lock)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[_SQLiteConnection]:
        """The lock and an IMMEDIATE transaction (the write lock is taken up front, so no upgrade deadlock)."""
        async with self._lock:
            db = self._open()
            try:
                # BEGIN may wait for another process's write lock, and COMMIT may checkpoint the WAL to disk: both on
                # the thread. In between the write lock is ours and the thread idle (every statement made outside
                # waits for the lock), so the statements run right here: a transaction costs two trips, not one each.
                await db.execute("BEGIN IMMEDIATE")
                yield self._open(inline=True)
                await db.execute("COMMIT")
            except BaseException:
                # A cancelled await does not stop the statement on the connection's thread: BEGIN or COMMIT may
                # still run after we leave. Queue a ROLLBACK behind it, under the lock, so no transaction is left
                # open.
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

    def _open(self, *, outside: asyncio.Lock | None = None, inline: bool = False) -> _SQLiteConnection:
        handle = self._db
        return _SQLiteConnection(handle.conn, handle.thread, outside, inline=inline)


class _SQLiteConnection:
    """The Connection of the shared sqlite3 connection: `$n` placeholders become SQLite's `?n`; one trip each.

    `outside`: the transactions' lock, for statements made outside any transaction: while a transaction holds it (or
    waits for it) a statement waits its turn; otherwise it is queued on the thread at once, before its coroutine
    first waits, so a transaction that takes the lock later queues its BEGIN behind it and no statement ever lands
    inside someone else's transaction.
    """

    def __init__(
        self, conn: sqlite3.Connection, thread: _Thread, outside: asyncio.Lock | None = None, *, inline: bool = False
    ) -> None:
        self._conn = conn
        self._thread = thread
        self._outside = outside
        self._inline = inline  # inside an open transaction: run on the caller's thread (see SQLiteDriver.transaction)

    async def execute(self, sql: str, *params: Any) -> int:
        """Run a statement; how many rows it changed."""
        return await self._run(_rowcount, sql, params)

    async def fetch(self, sql: str, *params: Any) -> Sequence[Row]:
        """Every row of a query."""
        return await self._run(_all_rows, sql, params)

    async def fetchrow(self, sql: str, *params: Any) -> Row | None:
        """The first row of a query, or None."""
        return await self._run(_first_row, sql, params)

    async def _run(self, read: Callable[[sqlite3.Cursor], T], sql: str, params: tuple[Any, ...]) -> T:
        call = (_statement, self._conn, read, _sqlite_placeholders(sql), params)
        try:
            if self._inline:
                return _statement(*call[1:])
            if self._outside is not None and self._outside.locked():
                async with self._outside:
                    return await self._thread.call(*call)
            return await self._thread.call(*call)
        except sqlite3.IntegrityError as exc:
            if "UNIQUE" in str(exc):
                raise UniqueViolation(str(exc)) from exc
            raise


def _statement(conn: sqlite3.Connection, read: Callable[[sqlite3.Cursor], T], sql: str, params: tuple[Any, ...]) -> T:
    """On the connection's thread: run one statement, read what it returned, close its cursor."""
    cursor = conn.execute(sql, params)
    try:
        return read(cursor)
    finally:
        cursor.close()


def _rowcount(cursor: sqlite3.Cursor) -> int:
    cursor.fetchall()  # a RETURNING statement's changes are counted once its rows are read
    return cursor.rowcount


def _all_rows(cursor: sqlite3.Cursor) -> list[sqlite3.Row]:
    return cursor.fetchall()


def _first_row(cursor: sqlite3.Cursor) -> sqlite3.Row | None:
    return cursor.fetchone()


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


async def _rollback_quietly(db: _SQLiteConnection) -> None:
    try:
        await db.execute("ROLLBACK")
    except sqlite3.OperationalError as error:
        if "no transaction" not in str(error):
            raise
