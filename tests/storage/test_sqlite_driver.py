"""The SQLite driver's rules: statements run in order, never inside a transaction, never waiting on the event loop."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TypeVar

import pytest

from kontext.storage import sqlite
from kontext.storage.sqlite import SQLiteDriver

T = TypeVar("T")
TIMEOUT = 10.0  # a broken driver fails the test instead of hanging it (no speed is asserted)


@pytest.fixture
async def driver(tmp_path: Path):
    driver = SQLiteDriver(tmp_path / "driver.db")
    await driver.connect()
    async with driver.connection() as conn:
        await conn.execute("CREATE TABLE t (n INTEGER PRIMARY KEY AUTOINCREMENT, x INTEGER)")
    yield driver
    await driver.close()


async def _rows(driver: SQLiteDriver) -> list[tuple[int, int]]:
    async with driver.connection() as conn:
        return [tuple(row) for row in await conn.fetch("SELECT n, x FROM t ORDER BY n")]


async def test_statements_made_at_once_all_run_in_the_order_they_were_made(driver: SQLiteDriver) -> None:
    async def insert(x: int) -> int:
        async with driver.connection() as conn:
            return await conn.execute("INSERT INTO t (x) VALUES ($1)", x)

    assert await asyncio.gather(*(insert(x) for x in range(200))) == [1] * 200
    assert await _rows(driver) == [(x + 1, x) for x in range(200)]


async def test_a_statement_waits_for_an_open_transaction_and_survives_its_rollback(driver: SQLiteDriver) -> None:
    opened, release = asyncio.Event(), asyncio.Event()

    async def rolled_back() -> None:
        async with driver.transaction() as conn:
            await conn.execute("INSERT INTO t (x) VALUES (1)")
            opened.set()
            await release.wait()
            raise RuntimeError("rolled back")

    transaction = asyncio.create_task(rolled_back())
    await opened.wait()

    async def outside() -> None:
        async with driver.connection() as conn:
            await conn.execute("INSERT INTO t (x) VALUES (2)")

    statement = asyncio.create_task(outside())
    for _ in range(20):
        await asyncio.sleep(0)
    assert not statement.done()  # it would have landed inside the transaction, and been rolled back with it
    release.set()
    with pytest.raises(RuntimeError):
        await asyncio.wait_for(transaction, TIMEOUT)
    await asyncio.wait_for(statement, TIMEOUT)
    assert [x for _, x in await _rows(driver)] == [2]


async def test_a_connection_held_across_a_transaction_still_keeps_out_of_it(driver: SQLiteDriver) -> None:
    # One connection() used for two statements with a transaction opening in between: the second waits for it.
    opened, release = asyncio.Event(), asyncio.Event()

    async def rolled_back() -> None:
        async with driver.transaction():
            opened.set()
            await release.wait()
            raise RuntimeError("rolled back")

    async with driver.connection() as conn:
        await conn.execute("INSERT INTO t (x) VALUES (1)")
        transaction = asyncio.create_task(rolled_back())
        await opened.wait()
        second = asyncio.create_task(conn.execute("INSERT INTO t (x) VALUES (2)"))
        for _ in range(20):
            await asyncio.sleep(0)
        assert not second.done()
        release.set()
        with pytest.raises(RuntimeError):
            await asyncio.wait_for(transaction, TIMEOUT)
        await asyncio.wait_for(second, TIMEOUT)
    assert [x for _, x in await _rows(driver)] == [1, 2]


async def _blocked_by_another_process(driver: SQLiteDriver, work: Callable[[], Awaitable[T]]) -> T:
    """Run `work` while another process holds the file's write lock: it must wait with the event loop still turning;
    then the lock is let go and `work`'s result returned."""
    other = sqlite3.connect(driver.path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another process's write lock
    try:
        blocked = asyncio.create_task(work())
        for _ in range(20):
            await asyncio.sleep(0.001)  # the event loop goes on turning meanwhile
        assert not blocked.done()
    finally:
        other.execute("COMMIT")
        other.close()
    return await asyncio.wait_for(blocked, TIMEOUT)


def _trace(driver: SQLiteDriver) -> list[tuple[bool, str]]:
    """(ran on this thread, statement) for every statement the driver's connection runs from now on."""
    here = threading.get_ident()
    seen: list[tuple[bool, str]] = []
    driver._db.conn.set_trace_callback(lambda sql: seen.append((threading.get_ident() == here, sql)))
    return seen


async def test_statements_and_transactions_run_on_the_event_loop_when_nothing_waits(driver: SQLiteDriver) -> None:
    seen = _trace(driver)
    async with driver.connection() as conn:
        await conn.execute("INSERT INTO t (x) VALUES (1)")
        assert (await conn.fetchrow("SELECT x FROM t"))[0] == 1
    async with driver.transaction() as conn:
        await conn.execute("INSERT INTO t (x) VALUES (2)")

    assert seen == [
        (True, "INSERT INTO t (x) VALUES (1)"),
        (True, "SELECT x FROM t"),
        (True, "BEGIN IMMEDIATE"),
        (True, "INSERT INTO t (x) VALUES (2)"),
        (True, "COMMIT"),
    ]
    await _rows(driver)
    assert (False, "SELECT n, x FROM t ORDER BY n") in seen[5:]  # rows, perhaps many: on the connection's thread


async def test_a_write_another_process_holds_the_lock_for_waits_on_the_thread_not_the_event_loop(
    driver: SQLiteDriver,
) -> None:
    async def insert() -> int:
        async with driver.connection() as conn:
            return await conn.execute("INSERT INTO t (x) VALUES (1)")

    assert await _blocked_by_another_process(driver, insert) == 1
    assert await _rows(driver) == [(1, 1)]


async def test_checkpoints_run_on_the_thread_every_so_many_statements(
    driver: SQLiteDriver, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sqlite, "CHECKPOINT_EVERY", 5)
    seen = _trace(driver)
    async with driver.connection() as conn:
        for x in range(12):
            await conn.execute("INSERT INTO t (x) VALUES ($1)", x)
            await asyncio.sleep(0)  # the checkpoint's task takes its turn
    await _rows(driver)

    checkpoints = [here for here, sql in seen if sql.startswith("PRAGMA wal_checkpoint")]
    assert checkpoints == [False, False]


async def test_a_checkpoint_falling_due_in_a_transaction_waits_for_its_end(
    driver: SQLiteDriver, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A transaction's statements run on the event loop's thread: a checkpoint on the connection's thread meanwhile
    # would use the one connection from two threads at once.
    monkeypatch.setattr(sqlite, "CHECKPOINT_EVERY", 1)
    seen = _trace(driver)
    async with driver.transaction() as conn:  # its BEGIN makes a checkpoint due
        for _ in range(20):
            await asyncio.sleep(0.001)  # the checkpoint's task has every chance to run
        await conn.execute("INSERT INTO t (x) VALUES (1)")
    for _ in range(20):
        await asyncio.sleep(0.001)
    statements = [sql for _, sql in seen]
    assert statements.index("COMMIT") < statements.index("PRAGMA wal_checkpoint(PASSIVE)"), statements


async def test_a_checkpoint_due_as_the_driver_closes_runs_before_it_closes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(sqlite, "CHECKPOINT_EVERY", 1)
    driver = SQLiteDriver(tmp_path / "closing.db")
    await driver.connect()
    async with driver.connection() as conn:
        await conn.execute("CREATE TABLE t (x INTEGER)")  # a checkpoint falls due, its task not yet started
    await driver.close()
    for _ in range(20):
        await asyncio.sleep(0.001)  # a checkpoint left behind would fail on the closed connection meanwhile
    assert "checkpoint failed" not in caplog.text


async def test_a_transaction_another_process_holds_the_lock_for_begins_on_the_thread(driver: SQLiteDriver) -> None:
    async def transaction() -> None:
        async with driver.transaction() as conn:
            await conn.execute("INSERT INTO t (x) VALUES (1)")
            await conn.execute("INSERT INTO t (x) VALUES (2)")

    await _blocked_by_another_process(driver, transaction)
    assert [x for _, x in await _rows(driver)] == [1, 2]
