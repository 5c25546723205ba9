"""The process's edges: a start-up failure a host can act on in one line, and a shutdown that always ends."""

from __future__ import annotations

import logging
import os
import socket
import threading
from collections.abc import Callable

log = logging.getLogger(__name__)


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
