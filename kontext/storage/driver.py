"""The narrow interface a database backend implements: connect, run one statement or one transaction, ping.

Every query above it is written once, with numbered placeholders (`$1`, `$2`, a number may repeat) and portable
SQL (`CAST(x AS ...)`, `IN (...)`, upserts with RETURNING); a driver only adapts placeholders, connections,
locking, transactions and its own errors (a unique-key refusal becomes UniqueViolation).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from typing import Any, Generic, Protocol, TypeVar

# A result row: read by column name (row["id"]) or unpacked by position.
Row = Any


class UniqueViolation(Exception):
    """An INSERT refused because its primary (or a unique) key is already taken."""


class Connection(Protocol):
    """One connection, inside or outside a transaction, held by one coroutine at a time."""

    async def execute(self, sql: str, *params: Any) -> int:
        """Run a statement; how many rows it changed."""
        ...

    async def fetch(self, sql: str, *params: Any) -> Sequence[Row]:
        """Every row of a query."""
        ...

    async def fetchrow(self, sql: str, *params: Any) -> Row | None:
        """The first row of a query, or None."""
        ...


class Driver(Protocol):
    """One database backend; `dialect` names its entry in kontext.storage.schema.COLUMN_TYPES."""

    dialect: str

    @property
    def is_open(self) -> bool:
        """True between connect() and close()."""
        ...

    async def connect(self) -> None:
        """Open the connection or pool."""
        ...

    async def close(self) -> None:
        """Release the connection(s); safe to call twice."""
        ...

    async def ping(self) -> bool:
        """True when the database answers a trivial query (False when closed or out of reach)."""
        ...

    def connection(self) -> AbstractAsyncContextManager[Connection]:
        """A connection for statements that are atomic one by one (RuntimeError when not open)."""
        ...

    def transaction(self) -> AbstractAsyncContextManager[Connection]:
        """A connection inside one transaction: committed on leaving, rolled back on any exception or cancel."""
        ...

    def migrating(self) -> AbstractAsyncContextManager[Connection]:
        """A transaction that holds the schema's migration lock, so concurrent openers migrate one at a time."""
        ...


class _Closable(Protocol):
    async def close(self) -> None: ...


H = TypeVar("H", bound=_Closable)


class HandleHolder(Generic[H]):
    """What both drivers share: one handle (asyncpg's pool; the SQLite connection and its thread), open to closed."""

    name: str  # for messages: "PostgreSQL", "SQLite"
    _handle: H | None = None

    @property
    def is_open(self) -> bool:
        """True between connect() and close()."""
        return self._handle is not None

    async def close(self) -> None:
        """Release the handle; safe to call twice."""
        handle, self._handle = self._handle, None
        if handle is not None:
            await handle.close()

    @property
    def _db(self) -> H:
        if self._handle is None:
            raise RuntimeError(f"the {self.name} storage is not open: await storage.open() first")
        return self._handle


class Queries:
    """What the query modules share: the driver, and one-statement shortcuts on a connection of their own."""

    def __init__(self, driver: Driver) -> None:
        self.driver = driver

    async def _execute(self, sql: str, *params: Any) -> int:
        async with self.driver.connection() as conn:
            return await conn.execute(sql, *params)

    async def _fetch(self, sql: str, *params: Any) -> Sequence[Row]:
        async with self.driver.connection() as conn:
            return await conn.fetch(sql, *params)

    async def _fetchrow(self, sql: str, *params: Any) -> Row | None:
        async with self.driver.connection() as conn:
            return await conn.fetchrow(sql, *params)


def placeholders(count: int, *, start: int = 1) -> str:
    """`$start, $start+1, ...` for `count` values (an IN list or a VALUES row)."""
    return ", ".join(f"${i}" for i in range(start, start + count))


def assignments(values: Mapping[str, Any], *, start: int = 1) -> str:
    """`a = $start, b = $start+1, ...` for an UPDATE's SET."""
    return ", ".join(f"{name} = ${i}" for i, name in enumerate(values, start=start))
