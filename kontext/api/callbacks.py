"""Callback mode: signed per-job callback URLs, and a hub that wakes a job's waiter.

The API signs nothing, so a callback is only ever a hint: it wakes the job's wait early (kontext.jobs.waiting), and the
wait asks the status endpoint before it believes anything. The HMAC in the URL keeps strangers from making us ask;
duplicates (the vendor retries at 30 s, 2 min and 10 min) wake nobody once the job is done.
"""

from __future__ import annotations

import asyncio
import collections
import hashlib
import hmac
import logging
import time
from collections.abc import Callable
from typing import Literal

from kontext.api.status import TaskStatus

log = logging.getLogger(__name__)

SIGNATURE_CHARS = 32  # 128 bits of HMAC-SHA256 in hex: plenty against guessing, short in logs and URLs
TRUST_WINDOW = 600.0  # seconds a confirmed callback vouches for the callback path
CALLBACK_PATH = "/callback"

Notified = Literal["woke", "early", "duplicate"]


def callback_signature(secret: str, job_id: str) -> str:
    """The URL signature of a job id: HMAC-SHA256 under the callback secret, hex, truncated."""
    digest = hmac.new(secret.encode(), job_id.encode(), hashlib.sha256).hexdigest()
    return digest[:SIGNATURE_CHARS]


def signature_ok(secret: str, job_id: str, signature: str) -> bool:
    """Whether `signature` is the job id's signature, compared in constant time."""
    expected = callback_signature(secret, job_id).encode()
    return hmac.compare_digest(expected, signature.encode("utf-8", "replace"))


def callback_url(base_url: str, secret: str, job_id: str) -> str:
    """The public URL the API should POST a job's callback to: BASE/callback/JOB_ID/SIGNATURE."""
    return f"{base_url.rstrip('/')}{CALLBACK_PATH}/{job_id}/{callback_signature(secret, job_id)}"


def callback_urls(base_url: str | None, secret: str) -> Callable[[str], str | None]:
    """Each job's signed callback URL under `base_url`; None for every job when not in callback mode."""
    if base_url is None:
        return lambda job_id: None
    return lambda job_id: callback_url(base_url, secret, job_id)


class CallbackWaiter:
    """One job's mailbox: set when a callback arrives, consumed by wait()."""

    def __init__(self, job_id: str) -> None:
        self.job_id = job_id
        self.hint: TaskStatus | None = None  # what the last callback claimed; never trusted, only logged
        self.arrivals = 0
        self._event = asyncio.Event()

    def notify(self, hint: TaskStatus | None) -> None:
        """A callback arrived: remember its claim and wake the waiter (several before a wait wake it once)."""
        self.hint = hint
        self.arrivals += 1
        self._event.set()

    async def wait(self, timeout: float) -> bool:  # noqa: ASYNC109 - the timeout is the point of this wait
        """Wait up to `timeout` seconds; True when a callback arrived (the wake-up is consumed), False otherwise."""
        if not self._event.is_set():
            try:
                await asyncio.wait_for(self._event.wait(), max(0.0, timeout))
            except TimeoutError:
                return False
        self._event.clear()
        return True

    def consume(self) -> None:
        """Forget callbacks that arrived since the last wait: the status query about to be made answers them too."""
        self._event.clear()


class CallbackHub:
    """Routes verified callbacks to the waiter of their job, in this process.

    A callback may arrive before its job waits (a fast task, a job about to be resumed): it is kept, boundedly, and
    the next expect() starts woken. Callbacks for jobs already finished here are recognised as duplicates.
    """

    def __init__(
        self, *, remember: int = 2048, trust_window: float = TRUST_WINDOW, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._waiters: dict[str, CallbackWaiter] = {}
        self._early: collections.OrderedDict[str, TaskStatus | None] = collections.OrderedDict()
        self._finished: collections.OrderedDict[str, None] = collections.OrderedDict()
        self._remember = remember
        self._trust_window = trust_window
        self._clock = clock
        self._confirmed_at: float | None = None  # the latest callback a status query confirmed
        self._missed = False  # a finished task was found by polling after that, with no callback

    @property
    def flowing(self) -> bool:
        """Whether callbacks are reaching this process: one was confirmed lately and no callback was missed since."""
        confirmed = self._confirmed_at
        return confirmed is not None and not self._missed and self._clock() - confirmed <= self._trust_window

    def confirmed(self) -> None:
        """A callback's claim was borne out by the status query: the callback path works."""
        self._confirmed_at = self._clock()
        self._missed = False

    def missed(self) -> None:
        """A poll found a task finished whose callback had not come: stop counting on callbacks until one does."""
        self._missed = True

    def __len__(self) -> int:
        return len(self._waiters)

    def expect(self, job_id: str) -> CallbackWaiter:
        """The job's waiter, created if needed; already woken if its callback came first. Call before submitting."""
        waiter = self._waiters.get(job_id)
        if waiter is None:
            waiter = self._waiters[job_id] = CallbackWaiter(job_id)
            self._finished.pop(job_id, None)
            if job_id in self._early:
                waiter.notify(self._early.pop(job_id))
        return waiter

    def notify(self, job_id: str, hint: TaskStatus | None = None) -> Notified:
        """Hand a (signature-checked) callback to its job's waiter; never blocks, never queries anything."""
        waiter = self._waiters.get(job_id)
        if waiter is not None:
            waiter.notify(hint)
            return "woke"
        if job_id in self._finished:
            return "duplicate"
        # Not a job waiting here: about to be resumed, or a callback routed to the wrong process. Either way its
        # own process may be missing one: stop counting on callbacks until one is confirmed again.
        self._missed = True
        self._early[job_id] = hint
        self._early.move_to_end(job_id)
        while len(self._early) > self._remember:
            self._early.popitem(last=False)
        return "early"

    def done(self, job_id: str) -> None:
        """The job no longer waits: forget its waiter; later callbacks for it are duplicates."""
        self._waiters.pop(job_id, None)
        self._early.pop(job_id, None)
        self._finished[job_id] = None
        self._finished.move_to_end(job_id)
        while len(self._finished) > self._remember:
            self._finished.popitem(last=False)


class RefusalLog:
    """Refused (forged) callbacks, logged as a count: the first at once, then at most one line per `period`.

    A flood of forged requests must not become a flood of log lines: whatever arrives within a period is summed
    into the next line (or the one flush() writes at shutdown).
    """

    def __init__(self, *, period: float = 60.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.period = period
        self._clock = clock
        self._pending = 0
        self._latest = ""
        self._logged_at: float | None = None

    def refused(self, why: str) -> None:
        """Count one refused callback; log the count if the last line is a period old."""
        self._pending += 1
        self._latest = why
        now = self._clock()
        if self._logged_at is None or now - self._logged_at >= self.period:
            self.flush()
            self._logged_at = now

    def flush(self) -> None:
        """Log what was counted since the last line, if anything."""
        if self._pending:
            log.warning(
                "refused %d forged callback%s (the latest: %s)",
                self._pending,
                "" if self._pending == 1 else "s",
                self._latest,
            )
            self._pending = 0
