"""The process's edges: a start-up failure a host can act on in one line, and a shutdown that always ends."""

from __future__ import annotations

import logging
import os
import socket
import sqlite3
import threading
from collections.abc import Callable
from urllib.parse import urlsplit

from kontext.storage import SQLITE_PREFIX, sqlite_path

log = logging.getLogger(__name__)

# SQLSTATE classes of a server that will not let us in (as opposed to a bug in our SQL): connection exceptions,
# authentication, a database that does not exist, too many connections, a server starting or shutting down.
_REFUSAL_SQLSTATES: tuple[str, ...] = ("08", "28", "3D", "53", "57P")


class StartupError(Exception):
    """Something outside the process (database, Discord) stops it from starting; the message is one line."""


def network_reason(error: BaseException) -> str:
    """A connection error in a few words ("connection refused"), without the traceback."""
    if not isinstance(error, OSError):
        return str(error) or type(error).__name__
    if isinstance(error, socket.gaierror):
        return f"unknown host: {error.strerror}"
    if isinstance(error, TimeoutError):
        return "no answer"
    if error.errno is not None and error.errno > 0:
        return os.strerror(error.errno).lower()
    return str(error) or type(error).__name__


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


class ShutdownWatchdog:
    """Ends the process `deadline` seconds after it was asked to stop, whatever the event loop is doing.

    A thread, not a task: it fires even when the loop is stuck (a hung close, a blocking call).
    """

    def __init__(self, deadline: float, *, exit_process: Callable[[int], object] = os._exit, code: int = 1) -> None:
        self.deadline = deadline
        self._exit = exit_process
        self._code = code
        self._timer = threading.Timer(deadline, self.fire)
        self._timer.daemon = True  # never the reason the process stays up

    def start(self) -> None:
        """Start counting."""
        self._timer.start()

    def fire(self, why: str | None = None) -> None:
        """Exit now: unfinished jobs stay as recorded and resume at the next start."""
        self._timer.cancel()
        why = why or f"shutdown did not finish within {self.deadline:g} s"
        log.error("%s: exiting now; unfinished jobs resume at the next start", why)
        for handler in logging.getLogger().handlers:
            handler.flush()
        self._exit(self._code)
