"""Callback mode: signed per-job callback URLs, a hub that wakes a job's waiter, and the wait that confirms.

The API signs nothing, so a callback is only ever a hint: it wakes the job's waiter early, and the waiter asks the
status endpoint before it believes anything. The HMAC in the URL keeps strangers from making us ask; duplicates (the
vendor retries at 30 s, 2 min and 10 min) wake nobody once the job is done.

While callbacks are reaching this process (one confirmed lately, no finished task found by polling since), a job
waits for its own callback and polls only once, at its time limit: a slow job costs no polls. Otherwise (no callback
confirmed yet, the public URL unreachable, a callback missed) a job polls after the grace period as in async mode.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import hashlib
import hmac
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Literal, Protocol

from kontext.api.errors import GenerationTimedOut, KontextError
from kontext.api.status import TaskStatus
from kontext.polling.policy import status_backoff

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

    async def wait(self, job_id: str, timeout: float) -> bool:  # noqa: ASYNC109
        """Wait up to `timeout` seconds for the job's callback; True when one arrived, False on timeout."""
        return await self.expect(job_id).wait(timeout)

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


class StatusSource(Protocol):
    """What the wait needs from the API client (KontextClient, or JobService's GuardedClient)."""

    async def status(self, task_id: str) -> TaskStatus: ...


async def wait_for_result(
    hub: CallbackHub,
    client: StatusSource,
    job_id: str,
    task_id: str,
    *,
    grace: float,
    interval: float,
    timeout: float,  # noqa: ASYNC109 - the task's limit, reported as GenerationTimedOut, not a cancellation
    gate: asyncio.Semaphore | None = None,
    on_status: Callable[[TaskStatus], Awaitable[None]] | None = None,
    elapsed: Callable[[], float] | None = None,
) -> TaskStatus:
    """Wait for a task in callback mode and return its confirmed final status (success or failed).

    A callback wakes the wait at once, and a status query confirms it (a callback alone proves nothing). Without one,
    the wait polls: while callbacks flow (`hub.flowing`) only once, at the time limit; otherwise after `grace`
    seconds, then every `interval` seconds, still waking early when a callback comes. It re-checks whether callbacks
    flow at least every `grace` seconds, and raises GenerationTimedOut once the final poll at `timeout` finds the
    task unfinished. `gate` bounds concurrent status queries; `on_status` sees every unfinished answer (to record
    processing); `elapsed` says how long the task has been waited for (default: since this call). Status errors
    are asked again after a growing pause until the time limit, as in polling mode.
    """
    if elapsed is None:
        began = time.monotonic()

        def elapsed() -> float:
            return time.monotonic() - began

    recheck = max(grace, interval)
    waiter = hub.expect(job_id)
    last_poll: float | None = None
    try:
        while True:
            now = elapsed()
            if hub.flowing:
                due = timeout
            else:
                due = min(grace if last_poll is None else last_poll + interval, timeout)
            wake = min(due, now + recheck)
            woken = await waiter.wait(wake - now)
            if not woken and (wake < due or (due < timeout and hub.flowing)):
                continue  # only a re-check, or callbacks began to flow while this job waited: re-plan
            if woken:
                claim = waiter.hint.state if waiter.hint is not None else "unparsed"
                log.debug("job %s: callback says %s; confirming with a status query", job_id, claim)
                if last_poll is not None and elapsed() < last_poll + interval:
                    # A burst of callbacks (the vendor's retries, a signed URL replayed) is confirmed by one query
                    # per poll interval, never one each: callbacks must not turn into load on the API.
                    await asyncio.sleep(last_poll + interval - elapsed())
                    waiter.consume()
            status = await _status_until(client, job_id, task_id, gate, interval, lambda: timeout - elapsed())
            last_poll = elapsed()
            if status.done:
                if woken:
                    hub.confirmed()
                else:
                    hub.missed()
                    log.info("job %s: task %s finished with no callback in time; found by polling", job_id, task_id)
                return status
            if on_status is not None:
                await on_status(status)
            if last_poll >= timeout or (not woken and due >= timeout):  # that was the final poll, at the limit
                raise GenerationTimedOut(task_id, timeout)
    finally:
        hub.done(job_id)


async def _status_until(
    client: StatusSource,
    job_id: str,
    task_id: str,
    gate: asyncio.Semaphore | None,
    interval: float,
    remaining: Callable[[], float],
) -> TaskStatus:
    """The task's status; the image is paid for, so errors are asked again with a growing pause until the limit."""
    failures = 0
    while True:
        try:
            async with gate or contextlib.nullcontext():
                return await client.status(task_id)
        except KontextError as error:
            failures += 1
            if remaining() <= 0:
                raise
            log.warning("job %s: status of task %s failed (%s); asking again", job_id, task_id, error)
            await asyncio.sleep(min(status_backoff(failures, interval), max(0.0, remaining())))
