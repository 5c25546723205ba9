"""The SQLite driver's own rules: statements queue on the connection's thread in order, never inside a transaction."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from kontext.storage.sqlite import SQLiteDriver

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
