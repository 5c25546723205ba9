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
    late: bool = False  # the estimate shown has passed and the job is still running


# The states in which the image service has the task: the user reads a ticking estimate, not the vendor's word for it.
WORKING: frozenset[JobState] = frozenset({JobState.SUBMITTING, JobState.PENDING, JobState.PROCESSING})
ESTIMATE_SLACK = 5.0  # seconds an estimate may move by without an edit: the relative timestamp already ticks
LATE_AFTER = 5.0  # seconds past the estimate shown before a job still running says it is taking longer than usual


def worth_showing(shown: Progress | None, latest: Progress, *, slack: float = ESTIMATE_SLACK) -> bool:
    """Whether `latest` changes what the user reads enough to edit the message now showing `shown`.

    A new place in line, a batch's count, queued → working, late or not are always shown. While the image service
    has the task, its own steps (submitted, pending → processing) are not news on their own: the message shows an
    estimate that ticks on the user's client, and it is edited only when that estimate moves by more than `slack`
    seconds (a long wait in the vendor's queue moves it; the usual second or two does not).
    """
    if shown is None:
        return True
    if latest == shown:
        return False
    quiet = dataclasses.replace(latest, state=shown.state, estimate_at=shown.estimate_at)
    if quiet != shown or shown.state not in WORKING or latest.state not in WORKING:
        return True  # something besides the vendor's step and the estimate changed
    if shown.estimate_at is None or latest.estimate_at is None:
        return True  # without an estimate the state's words are all the user has (a batch's images): show them
    return abs(latest.estimate_at - shown.estimate_at) > slack


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
    """Sends progress when what the user reads changed (`worth_showing`), no more often than `interval`, always
    ending on the latest worth showing; says so once a job runs `late_after` seconds past the estimate shown.

    `shown` is what the job's acknowledgement already shows (None: nothing yet, or unknown after a restart).
    `shown_in` hears the message each edit landed in (the job service records a new one). `turn` is awaited before
    each edit: while commands wait for their first answers behind a busy loop, a progress edit waits for them.
    """

    def __init__(
        self,
        job: Job,
        delivery: Delivery,
        interval: float,
        *,
        shown: Progress | None = None,
        shown_in: Callable[[int | None], Awaitable[None]] | None = None,
        clock: Callable[[], float] = time.monotonic,
        wall: Callable[[], float] = time.time,
        slack: float = ESTIMATE_SLACK,
        late_after: float = LATE_AFTER,
        turn: Callable[[], Awaitable[None]] | None = None,
    ) -> None:
        self._job, self._delivery, self._interval, self._clock = job, delivery, interval, clock
        self._turn = turn  # awaited before each edit: commands waiting for their answer go first (Foreground)
        self._wall, self._slack, self._late_after = wall, slack, late_after
        self._shown_in = shown_in
        self._latest: Progress | None = shown
        self._sent: Progress | None = shown
        self._last_sent_at = float("-inf")
        self._flusher: asyncio.Task[None] | None = None
        self._late_timer: asyncio.TimerHandle | None = None
        self._sending = False
        self._closed = False
        self._watch_estimate()

    def update(self, **changes: object) -> None:
        """Merge `changes` into what the user sees and schedule an edit if that is worth showing."""
        if self._closed:
            return
        if "estimate_at" in changes:
            changes.setdefault("late", False)  # a new estimate is not late until it passes in turn
        base = self._latest or Progress(state=self._job.state)
        self._latest = dataclasses.replace(base, **changes)  # type: ignore[arg-type]
        if self._due() and (self._flusher is None or self._flusher.done()):
            self._flusher = asyncio.create_task(self._flush(), name=f"progress-{self._job.id}")

    def _due(self) -> bool:
        return self._latest is not None and worth_showing(self._sent, self._latest, slack=self._slack)

    def _watch_estimate(self) -> None:
        """Wake when the estimate the user reads has been past for `late_after` seconds (one timer, no task)."""
        if self._late_timer is not None:
            self._late_timer.cancel()
            self._late_timer = None
        shown = self._sent
        if self._closed or shown is None or shown.late or shown.estimate_at is None or shown.state not in WORKING:
            return
        delay = max(0.0, shown.estimate_at + self._late_after - self._wall())
        self._late_timer = asyncio.get_running_loop().call_later(delay, self._check_late)

    def _check_late(self) -> None:
        self._late_timer = None
        latest = self._latest
        if self._closed or latest is None or latest.late or latest.state not in WORKING:
            return
        if latest.estimate_at is not None and latest.estimate_at + self._late_after > self._wall():
            # A later estimate arrived, too close to the one shown to edit for: the clock the user reads is late by
            # less than that, so wait for this one instead.
            delay = latest.estimate_at + self._late_after - self._wall()
            self._late_timer = asyncio.get_running_loop().call_later(delay, self._check_late)
            return
        self.update(late=True)

    async def _flush(self) -> None:
        while self._due() and not self._closed:
            wait = self._last_sent_at + self._interval - self._clock()
            if wait > 0:
                await asyncio.sleep(wait)
                continue
            if self._turn is not None:
                await self._turn()
                if self._closed or not self._due():
                    break
            snapshot = self._latest
            assert snapshot is not None
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
            self._watch_estimate()
            if self._shown_in is not None:
                await self._shown_in(message_id)

    async def close(self) -> None:
        """Stop reporting; wait for an edit already on the wire so it cannot overwrite the result."""
        self._closed = True
        if self._late_timer is not None:
            self._late_timer.cancel()
            self._late_timer = None
        if self._flusher is not None and not self._flusher.done():
            if not self._sending:
                self._flusher.cancel()  # only a wait is interrupted, never an edit halfway through
            with contextlib.suppress(asyncio.CancelledError):
                await self._flusher
