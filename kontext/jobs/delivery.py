"""What the job flow shows its requester: progress snapshots, the throttled reporter, and the Delivery protocol."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Protocol

from kontext.models import Job, JobState

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Progress:
    """What the user should see while a job runs."""

    state: JobState
    queue_position: int | None = None
    estimate_at: float | None = None  # unix time the image is expected
    done: int | None = None  # a batch: how many of its `total` images have ended
    total: int | None = None


@dataclass(frozen=True, slots=True)
class Shot:
    """One image of a batch as it ended: its bytes, or the error that ended it (refunded)."""

    job: Job
    image: bytes | None = None
    error: BaseException | None = None


@dataclass(frozen=True, slots=True)
class Outcome:
    """A finished generation, downloaded; for a batch, `image` is its first success and `shots` every image."""

    image: bytes
    result_url: str
    seconds: float  # from accepting the job to having the image
    shots: tuple[Shot, ...] = ()


class Delivery(Protocol):
    """How the domain shows a job to its requester; the Discord side implements it.

    Each call returns the id of the message now showing the job (None: unknown or unchanged): when the placeholder
    is gone and the job goes on in a new message, the job service records that (a delivery never writes the job).
    """

    async def progress(self, job: Job, progress: Progress) -> int | None: ...

    async def succeeded(self, job: Job, outcome: Outcome) -> int | None: ...

    async def failed(self, job: Job, error: BaseException, *, refunded: bool) -> int | None: ...

    async def delivered_already(self, job: Job) -> int | None:
        """After a crash mid-delivery: the message already showing the user this job's result, or None."""
        ...


class ProgressReporter:
    """Sends progress only when it changed, and no more often than `interval`, always ending on the latest.

    `shown_in` hears the message each edit landed in (the job service records a new one).
    """

    def __init__(
        self,
        job: Job,
        delivery: Delivery,
        interval: float,
        *,
        shown_in: Callable[[int | None], Awaitable[None]] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._job, self._delivery, self._interval, self._clock = job, delivery, interval, clock
        self._shown_in = shown_in
        self._latest: Progress | None = None
        self._sent: Progress | None = None
        self._last_sent_at = float("-inf")
        self._flusher: asyncio.Task[None] | None = None
        self._sending = False
        self._closed = False

    def update(self, **changes: object) -> None:
        """Merge `changes` into what the user sees and schedule an edit if that differs from the last one."""
        if self._closed:
            return
        base = self._latest or Progress(state=self._job.state)
        self._latest = dataclasses.replace(base, **changes)  # type: ignore[arg-type]
        if self._latest != self._sent and (self._flusher is None or self._flusher.done()):
            self._flusher = asyncio.create_task(self._flush(), name=f"progress-{self._job.id}")

    async def _flush(self) -> None:
        while self._latest is not None and self._latest != self._sent and not self._closed:
            wait = self._last_sent_at + self._interval - self._clock()
            if wait > 0:
                await asyncio.sleep(wait)
                continue
            snapshot = self._latest
            self._last_sent_at = self._clock()
            self._sending = True
            message_id: int | None = None
            try:
                message_id = await self._delivery.progress(self._job, snapshot)
            except Exception:
                # A lost progress edit is cosmetic; the result delivery has its own error handling.
                log.warning("job %s: progress edit failed", self._job.id, exc_info=True)
            finally:
                self._sending = False
            self._sent = snapshot
            if self._shown_in is not None:
                await self._shown_in(message_id)

    async def close(self) -> None:
        """Stop reporting; wait for an edit already on the wire so it cannot overwrite the result."""
        self._closed = True
        if self._flusher is not None and not self._flusher.done():
            if not self._sending:
                self._flusher.cancel()  # only a wait is interrupted, never an edit halfway through
            with contextlib.suppress(asyncio.CancelledError):
                await self._flusher
