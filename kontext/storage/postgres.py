"""PostgreSQL driver: an asyncpg pool; migrations serialised by an advisory lock."""

from __future__ import annotations

import logging
import re
import zlib
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any

import asyncpg

from kontext.env_values import redact_url
from kontext.storage.base import register_transient_check
from kontext.storage.driver import HandleHolder, Row, UniqueViolation

log = logging.getLogger(__name__)

# First key of the two-int advisory lock taken while migrating ("KNTX"); the second is the schema's hash.
_MIGRATION_LOCK_CLASS = 0x4B4E5458
_SCHEMA_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")
# SQLSTATE classes that say "try again": 08 connection exception, 40 transaction rollback (serialization,
# deadlock), 53 insufficient resources (too many connections), 57 operator intervention (admin shutdown,
# pg_terminate_backend, the server starting up).
_TRANSIENT_SQLSTATE_CLASSES = ("08", "40", "53", "57")


def is_transient_error(error: BaseException) -> bool:
    """A lost connection or a server that asks to try again, as opposed to a wrong statement."""
    # InterfaceError: the connection closed mid-operation; InternalClientError: a connection killed while the pool
    # resets it on release ("another operation is in progress"), after the statement itself had committed.
    if isinstance(error, asyncpg.InterfaceError | asyncpg.InternalClientError):
        return True
    if isinstance(error, asyncpg.PostgresError):
        return str(getattr(error, "sqlstate", "") or "")[:2] in _TRANSIENT_SQLSTATE_CLASSES
    return False


register_transient_check(is_transient_error)


class PostgresDriver(HandleHolder[asyncpg.Pool]):
    """PostgreSQL through an asyncpg pool; `schema` confines the storage to one schema (created if missing)."""

    dialect = "postgresql"
    name = "PostgreSQL"

    def __init__(
        self, dsn: str, *, schema: str | None = None, min_size: int = 1, max_size: int = 10, timeout: float = 10.0
    ) -> None:
        if schema is not None and not _SCHEMA_NAME.fullmatch(schema):
            raise ValueError(f"schema name must match {_SCHEMA_NAME.pattern}: {schema!r}")
        self._dsn = dsn
        self.schema = schema
        self._min_size = min_size
        self._max_size = max_size
        self._timeout = timeout  # for connecting and for each statement: a lost server must not hang a job's step

    def __repr__(self) -> str:
        return f"<PostgresDriver dsn={redact_url(self._dsn)!r} schema={self.schema!r} open={self.is_open}>"

    def __str__(self) -> str:
        return f"PostgreSQL {redact_url(self._dsn)} (schema {self.schema or 'default'})"

    async def connect(self) -> None:
        """Create the pool."""
        self._handle = await asyncpg.create_pool(
            self._dsn,
            min_size=self._min_size,
            max_size=self._max_size,
            server_settings={"search_path": self.schema} if self.schema else None,
            timeout=self._timeout,
            command_timeout=self._timeout,
        )

    async def ping(self) -> bool:
        """True when the server answers SELECT 1 within 5 seconds."""
        if self._handle is None:
            return False
        try:
            return await self._handle.fetchval("SELECT 1", timeout=5) == 1
        except (asyncpg.PostgresError, asyncpg.InterfaceError, OSError, TimeoutError):
            log.warning("PostgreSQL ping failed", exc_info=True)
            return False

    @asynccontextmanager
    async def connection(self) -> AsyncIterator[_PostgresConnection]:
        """A pooled connection in autocommit."""
        # Waiting for a free connection is bounded like a statement: in an outage every pooled connection may be
        # stuck in a job's retries, and a user's command must be refused in time, not admitted when it ends.
        async with self._db.acquire(timeout=self._timeout) as conn:
            yield _PostgresConnection(conn)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[_PostgresConnection]:
        """A pooled connection inside one READ COMMITTED transaction."""
        async with self._db.acquire(timeout=self._timeout) as conn, conn.transaction():
            yield _PostgresConnection(conn)

    @asynccontextmanager
    async def migrating(self) -> AsyncIterator[_PostgresConnection]:
        """A transaction holding the schema's advisory lock, in the schema (created if missing)."""
        # The transaction-scoped lock makes a second process opening at the same moment wait, then find every
        # migration applied; COMMIT or ROLLBACK releases it.
        async with self.transaction() as conn:
            await conn.execute("SELECT pg_advisory_xact_lock($1, $2)", _MIGRATION_LOCK_CLASS, _schema_key(self.schema))
            if self.schema:
                await conn.execute(f'CREATE SCHEMA IF NOT EXISTS "{self.schema}"')
            yield conn


class _PostgresConnection:
    """The Connection of one asyncpg connection; a unique-key refusal becomes UniqueViolation."""

    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def execute(self, sql: str, *params: Any) -> int:
        """Run a statement; how many rows it changed (from its status, such as 'UPDATE 1')."""
        try:
            status = await self._conn.execute(sql, *params)
        except asyncpg.UniqueViolationError as exc:
            raise UniqueViolation(str(exc)) from exc
        tail = status.rpartition(" ")[2]
        return int(tail) if tail.isdigit() else 0

    async def fetch(self, sql: str, *params: Any) -> Sequence[Row]:
        """Every row of a query."""
        return await self._conn.fetch(sql, *params)

    async def fetchrow(self, sql: str, *params: Any) -> Row | None:
        """The first row of a query, or None."""
        return await self._conn.fetchrow(sql, *params)


def _schema_key(schema: str | None) -> int:
    """A signed 32-bit key for the advisory lock, so separate schemas migrate independently."""
    key = zlib.crc32((schema or "").encode())
    return key - (1 << 32) if key >= 1 << 31 else key
