"""Callback mode: signed per-job callback URLs, a hub that wakes a job's waiter, and the wait that confirms.

The API signs nothing, so a callback is only ever a hint: it wakes the job's waiter early, and the waiter asks the
status endpoint before it believes anything. The HMAC in the URL keeps strangers from making us ask; duplicates (the
vendor retries at 30 s, 2 min and 10 min) wake nobody once the job is done. A callback that never comes costs only
the grace period: the waiter then polls as in async mode.
"""

from __future__ import annotations

import asyncio
import collections
import hashlib
import hmac
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Literal, Protocol

from kontext.client import GenerationTimedOut, TaskStatus
from kontext.scheduling import PollSchedule

log = logging.getLogger(__name__)

SIGNATURE_CHARS = 32  # 128 bits of HMAC-SHA256 in hex: plenty against guessing, short in logs and URLs
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


class CallbackHub:
    """Routes verified callbacks to the waiter of their job, in this process.

    A callback may arrive before its job waits (a fast task, a job about to be resumed): it is kept, boundedly, and
    the next expect() starts woken. Callbacks for jobs already finished here are recognised as duplicates.
    """

    def __init__(self, *, remember: int = 2048) -> None:
        self._waiters: dict[str, CallbackWaiter] = {}
        self._early: collections.OrderedDict[str, TaskStatus | None] = collections.OrderedDict()
        self._finished: collections.OrderedDict[str, None] = collections.OrderedDict()
        self._remember = remember

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

    Waits for the job's callback up to `grace` seconds, then confirms with a status query (a callback alone proves
    nothing). While the task is not done it polls every `interval` seconds, still waking early when a callback
    comes, and raises GenerationTimedOut once `timeout` seconds have passed; the last wait is cut short so the final
    poll lands on the limit. `gate` bounds concurrent status queries; `on_status` sees every unfinished answer (to
    record processing); `elapsed` says how long the task has been waited for (default: since this call). Status
    errors propagate, as in polling mode.
    """
    if elapsed is None:
        began = time.monotonic()

        def elapsed() -> float:
            return time.monotonic() - began

    waiter = hub.expect(job_id)
    try:
        for delay in PollSchedule(grace, interval, timeout).delays(elapsed):
            woken = await waiter.wait(delay)
            if woken:
                claim = waiter.hint.state if waiter.hint is not None else "unparsed"
                log.debug("job %s: callback says %s; confirming with a status query", job_id, claim)
            if gate is not None:
                async with gate:
                    status = await client.status(task_id)
            else:
                status = await client.status(task_id)
            if status.done:
                if not woken:
                    log.debug("job %s: task %s finished with no callback in time; found by polling", job_id, task_id)
                return status
            if on_status is not None:
                await on_status(status)
        raise GenerationTimedOut(task_id, timeout)
    finally:
        hub.done(job_id)
