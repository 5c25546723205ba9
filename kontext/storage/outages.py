"""Riding out a lost database: a job step's write is retried with bounded backoff until the database is back."""

from __future__ import annotations

import asyncio
import logging
import random
import sqlite3
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar
from urllib.parse import urlsplit

from kontext.env_values import SQLITE_PREFIX, sqlite_path
from kontext.process import StartupError, network_reason
from kontext.storage.base import is_transient

log = logging.getLogger(__name__)
T = TypeVar("T")

# New requests are refused at once for this long after a write found the database out of reach: each would
# otherwise hold its user for a connect timeout before hearing the same answer.
REFUSE_AFTER_FAILURE = 5.0


class StorageUnavailable(Exception):
    """The database is out of reach: nothing was charged or started (new request), or the job stays as recorded."""

    def __init__(self, what: str, waited: float) -> None:
        super().__init__(f"the database was out of reach for {waited:.0f}s ({what})")
        self.waited = waited


class StorageRetry:
    """Runs storage operations, retrying transient failures with exponential backoff and jitter up to `limit` s."""

    def __init__(
        self,
        limit: float = 120.0,
        *,
        base_delay: float = 0.05,
        max_delay: float = 2.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.limit = limit
        self.base_delay = base_delay
        self.max_delay = max_delay
        self._clock = clock
        self._failed_at: float | None = None

    @property
    def recently_down(self) -> bool:
        """True while the latest storage failure is recent and no operation has succeeded since."""
        return self._failed_at is not None and self._clock() - self._failed_at < REFUSE_AFTER_FAILURE

    def check(self) -> None:
        """Raise StorageUnavailable at once when the database was just found out of reach."""
        if self.recently_down:
            raise StorageUnavailable("refused while the database is out of reach", 0.0)

    def failed(self) -> None:
        """Note a transient failure seen outside run() (admission's own reads and writes)."""
        self._failed_at = self._clock()

    async def once(self, what: str, operation: Callable[[], Awaitable[T]]) -> T:
        """Await `operation()` once (a user is waiting): a transient failure becomes StorageUnavailable at once."""
        return await self.run(what, operation, limit=0.0)

    async def run(self, what: str, operation: Callable[[], Awaitable[T]], *, limit: float | None = None) -> T:
        """Await `operation()` until it succeeds; retry transient errors; StorageUnavailable after `limit` seconds."""
        limit = self.limit if limit is None else limit
        began = self._clock()
        attempt = 0
        while True:
            try:
                result = await operation()
            except Exception as error:
                if not is_transient(error):
                    raise
                self.failed()
                waited = self._clock() - began
                if waited >= limit:
                    if limit > 0:
                        log.error("database out of reach for %.1fs (%s); giving up on %s", waited, error, what)
                    else:
                        log.warning("%s: database out of reach (%s: %s)", what, type(error).__name__, error)
                    raise StorageUnavailable(what, waited) from error
                delay = min(self.max_delay, self.base_delay * 2**attempt) * random.uniform(0.5, 1.0)
                attempt += 1
                logger = log.warning if attempt == 1 else log.debug
                logger(
                    "%s: database error (%s: %s); retry %d in %.2fs", what, type(error).__name__, error, attempt, delay
                )
                await asyncio.sleep(min(delay, max(0.0, limit - waited)))
                continue
            self._failed_at = None
            if attempt:
                log.info("%s: done after %d retries", what, attempt)
            return result


async def within(operation: Awaitable[T], seconds: float) -> T:
    """`operation`'s result, or TimeoutError after `seconds` without waiting for it to unwind.

    asyncio.wait_for waits for a cancelled operation to finish cancelling; a database driver that gives a connection
    back to its pool after a cancelled statement can take its own statement timeout to do so (a database gone
    silent), which would hold a stop that must end in seconds.
    """
    task = asyncio.ensure_future(operation)
    done, _ = await asyncio.wait([task], timeout=seconds)
    if not done:
        task.cancel()
        task.add_done_callback(lambda finished: finished.cancelled() or finished.exception())  # nobody awaits it
        raise TimeoutError(f"no answer within {seconds:g} s")
    return task.result()


# SQLSTATE classes of a server that will not let us in (as opposed to a bug in our SQL): connection exceptions,
# authentication, a database that does not exist, too many connections, a server starting or shutting down.
_REFUSAL_SQLSTATES: tuple[str, ...] = ("08", "28", "3D", "53", "57P")


def database_location(url: str) -> str:
    """Where a DATABASE_URL points, fit for logs: host:port (never the password) or the SQLite file."""
    if url.startswith(SQLITE_PREFIX):
        return sqlite_path(url)
    try:
        parts = urlsplit(url)
        port = parts.port or 5432
    except ValueError:
        return "(unparseable DATABASE_URL)"
    return f"{parts.hostname or 'localhost'}:{port}"


def database_unavailable(url: str, error: BaseException) -> StartupError | None:
    """One line for a database that cannot be opened, or None when the error looks like a bug of ours."""
    where = database_location(url)
    if url.startswith(SQLITE_PREFIX):
        if isinstance(error, (sqlite3.OperationalError, OSError)):
            return StartupError(f"cannot open the SQLite database {where}: {error} (check DATABASE_URL)")
        return None
    if isinstance(error, OSError):  # refused, unreachable, unknown host, timed out
        return StartupError(
            f"cannot reach the database at {where} ({network_reason(error)}): "
            "check DATABASE_URL and that PostgreSQL is running"
        )
    sqlstate = getattr(error, "sqlstate", None)
    if isinstance(sqlstate, str) and sqlstate.startswith(_REFUSAL_SQLSTATES):
        # asyncpg's message names the user or the database, never the password.
        return StartupError(f"the database at {where} refused the connection: {error} (check DATABASE_URL)")
    return None
