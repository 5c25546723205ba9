"""SQLite driver (the default): one connection in WAL mode, shared under an asyncio lock, run from the event loop's
thread whenever that cannot wait, and from a thread of its own when it might.

In WAL mode with synchronous=NORMAL a commit does not sync the disk, so a statement that changes or reads a row takes a
few microseconds: less than a trip to another thread and back (two wake-ups and the GIL handed over twice, ~45 µs of
CPU). Such a statement runs on the event loop's thread with SQLite's busy timeout at 0, so it never waits there: if
another process holds the file's write lock, SQLite says so at once and the statement goes to the connection's thread,
which waits up to the busy timeout. Reads of many rows go to the thread too, and so do WAL checkpoints, the one step
that writes the database file and syncs it: commits do not run one (wal_autocheckpoint=0); the driver queues one on
the thread every CHECKPOINT_EVERY statements it ran on the event loop.
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

_BUSY_TIMEOUT_S = 10.0  # how long a statement on the connection's thread waits for another process's lock
CHECKPOINT_EVERY = 1000  # statements run on the event loop between two checkpoints (the WAL holds ~1-2 pages each)


def is_transient_error(error: BaseException) -> bool:
    """A locked or busy database file, or a failing disk: worth another try."""
    if isinstance(error, sqlite3.OperationalError):
        return _is_busy(error) or "disk i/o" in str(error).lower()
    return False


register_transient_check(is_transient_error)


class _Thread:
    """The one thread a connection lives on: calls run there in the order they were made.

    Calls need not wait for each other: many can be queued at once, and the thread answers every call it finished
    in one wake-up of the event loop, so a burst of statements costs a few trips, not one each.
    """

    _ANSWER_EVERY = 64  # answer at least this often while calls keep coming

    def __init__(self) -> None:
        self.pending = 0  # calls made and not yet answered (counted on the event loop's thread alone)
        self._calls: queue.SimpleQueue[_Call | None] = queue.SimpleQueue()
        self._worker = threading.Thread(target=self._work, name="sqlite", daemon=True)
        self._worker.start()

    async def call(self, function: Callable[..., T], *args: Any) -> T:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[T] = loop.create_future()
        self._calls.put((loop, future, function, args))  # queued now, before this coroutine first waits
        self.pending += 1
        return await future

    def stop(self) -> None:
        self._calls.put(None)

    def _work(self) -> None:
        done: list[tuple[asyncio.AbstractEventLoop, asyncio.Future[Any], Any, BaseException | None]] = []
        while True:
            try:
                call = self._calls.get(block=not done)
            except queue.Empty:
                self._answer(done)
                done = []
                continue
            if call is None:
                self._answer(done)
                return
            loop, future, function, args = call
            try:
                done.append((loop, future, function(*args), None))
            except BaseException as error:
                done.append((loop, future, None, error))
            if len(done) >= self._ANSWER_EVERY:
                self._answer(done)
                done = []

    def _answer(
        self, done: list[tuple[asyncio.AbstractEventLoop, asyncio.Future[Any], Any, BaseException | None]]
    ) -> None:
        """From the connection's thread: hand each finished call's result to its event loop, one wake-up per loop."""
        by_loop: dict[asyncio.AbstractEventLoop, list[tuple[asyncio.Future[Any], Any, BaseException | None]]] = {}
        for loop, future, result, error in done:
            by_loop.setdefault(loop, []).append((future, result, error))
        for loop, answers in by_loop.items():
            try:
                loop.call_soon_threadsafe(self._settle, answers)
            except RuntimeError:  # the loop was closed: nobody is waiting any more
                pass

    def _settle(self, answers: list[tuple[asyncio.Future[Any], Any, BaseException | None]]) -> None:
        self.pending -= len(answers)
        _settle(answers)


_Call = tuple[asyncio.AbstractEventLoop, "asyncio.Future[Any]", Callable[..., Any], tuple[Any, ...]]


def _settle(answers: list[tuple[asyncio.Future[Any], Any, BaseException | None]]) -> None:
    for future, result, error in answers:
        if future.done():  # cancelled while the statement ran: it ran all the same, its result is unwanted
            continue
        if error is None:
            future.set_result(result)
        else:
            future.set_exception(error)


class _Handle:
    """The one connection, its thread, and the checkpoints the statements run on the event loop call for."""

    def __init__(self, conn: sqlite3.Connection, thread: _Thread, lock: asyncio.Lock) -> None:
        self.conn = conn
        self.thread = thread
        self._lock = lock  # the transactions' lock: a checkpoint must not run beside a transaction's inline statements
        self._since_checkpoint = 0
        self._checkpoint: asyncio.Task[None] | None = None

    def ran_here(self) -> None:
        """Count a statement run on the event loop; every CHECKPOINT_EVERY, queue a checkpoint on the thread."""
        self._since_checkpoint += 1
        if self._since_checkpoint >= CHECKPOINT_EVERY and (self._checkpoint is None or self._checkpoint.done()):
            self._since_checkpoint = 0
            self._checkpoint = asyncio.ensure_future(self._run_checkpoint())

    async def _run_checkpoint(self) -> None:
        # PASSIVE: copies what no reader still needs, without waiting for anyone; the next one catches up. Under the
        # transactions' lock: a transaction runs its statements on the event loop's thread, and the connection must
        # never be used from both threads at once (statements outside transactions wait for the lock too).
        try:
            async with self._lock:
                await self.thread.call(_statement, self.conn, _all_rows, "PRAGMA wal_checkpoint(PASSIVE)", ())
        except sqlite3.Error as error:
            log.warning("SQLite checkpoint failed (%s); the next one tries again", error)

    async def close(self) -> None:
        if self._checkpoint is not None:
            await self._checkpoint  # queued (or about to be) on the thread: let it run before the connection closes
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
            # timeout=0: a statement on the event loop never waits for a lock (the thread's calls set their own).
            conn = await thread.call(
                functools.partial(sqlite3.connect, self.path, timeout=0, isolation_level=None, check_same_thread=False)
            )
        except BaseException:
            thread.stop()
            raise
        try:
            conn.row_factory = sqlite3.Row
            await _retry_locked(lambda: thread.call(_patiently, conn, _all_rows, "PRAGMA journal_mode=WAL", ()))
            await thread.call(conn.execute, "PRAGMA synchronous=NORMAL")
            await thread.call(conn.execute, "PRAGMA foreign_keys=ON")
            await thread.call(conn.execute, "PRAGMA wal_autocheckpoint=0")  # checkpoints run on the thread (_Handle)
        except BaseException:
            await thread.call(conn.close)
            thread.stop()
            raise
        self._handle = _Handle(conn, thread, self._lock)

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
                # BEGIN goes to the thread when another process holds the write lock (or the thread still runs
                # statements queued before this lock was taken). Then the write lock is ours and the thread idle
                # (every statement made outside waits for the lock), so the statements and COMMIT run right here.
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
        return _SQLiteConnection(self._db, outside, inline=inline)


class _SQLiteConnection:
    """The Connection of the shared sqlite3 connection: `$n` placeholders become SQLite's `?n`.

    A statement runs on the event loop's thread when nothing is queued on the connection's thread and it cannot wait
    (see the module's docstring); otherwise it is queued there, in order.

    `outside`: the transactions' lock, for statements made outside any transaction: while a transaction holds it (or
    waits for it) a statement waits its turn; otherwise it runs (or is queued on the thread) at once, before its
    coroutine first waits, so a transaction that takes the lock later begins behind it and no statement ever lands
    inside someone else's transaction.
    """

    def __init__(self, handle: _Handle, outside: asyncio.Lock | None = None, *, inline: bool = False) -> None:
        self._handle = handle
        self._outside = outside
        self._inline = inline  # inside an open transaction: always right here (see SQLiteDriver.transaction)

    async def execute(self, sql: str, *params: Any) -> int:
        """Run a statement; how many rows it changed."""
        return await self._run(_rowcount, sql, params, here=True)

    async def fetch(self, sql: str, *params: Any) -> Sequence[Row]:
        """Every row of a query (on the connection's thread: they may be many)."""
        return await self._run(_all_rows, sql, params, here=False)

    async def fetchrow(self, sql: str, *params: Any) -> Row | None:
        """The first row of a query, or None."""
        return await self._run(_first_row, sql, params, here=True)

    async def _run(self, read: Callable[[sqlite3.Cursor], T], sql: str, params: tuple[Any, ...], *, here: bool) -> T:
        sql = _sqlite_placeholders(sql)
        try:
            if self._inline:
                return _statement(self._handle.conn, read, sql, params)
            if self._outside is not None and self._outside.locked():
                async with self._outside:
                    return await self._here_or_queued(read, sql, params, here)
            return await self._here_or_queued(read, sql, params, here)
        except sqlite3.IntegrityError as exc:
            if "UNIQUE" in str(exc):
                raise UniqueViolation(str(exc)) from exc
            raise

    async def _here_or_queued(
        self, read: Callable[[sqlite3.Cursor], T], sql: str, params: tuple[Any, ...], here: bool
    ) -> T:
        handle = self._handle
        if here and not handle.thread.pending:  # the thread idle: nobody else is using the connection
            try:
                result = _statement(handle.conn, read, sql, params)
            except sqlite3.OperationalError as error:
                if not _is_busy(error):
                    raise
                # Another process holds the lock (SQLite undid the statement): wait for it on the thread, not here.
            else:
                handle.ran_here()
                return result
        return await handle.thread.call(_patiently, handle.conn, read, sql, params)


def _statement(conn: sqlite3.Connection, read: Callable[[sqlite3.Cursor], T], sql: str, params: tuple[Any, ...]) -> T:
    """On the connection's thread: run one statement, read what it returned, close its cursor."""
    cursor = conn.execute(sql, params)
    try:
        return read(cursor)
    finally:
        cursor.close()


def _patiently(conn: sqlite3.Connection, read: Callable[[sqlite3.Cursor], T], sql: str, params: tuple[Any, ...]) -> T:
    """On the connection's thread: run a statement waiting up to the busy timeout for other processes' locks."""
    conn.execute(f"PRAGMA busy_timeout = {int(_BUSY_TIMEOUT_S * 1000)}")
    try:
        return _statement(conn, read, sql, params)
    finally:
        conn.execute("PRAGMA busy_timeout = 0")


def _is_busy(error: sqlite3.OperationalError) -> bool:
    text = str(error).lower()
    return "locked" in text or "busy" in text


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
