"""The wait for a submitted task: one loop for both modes, polling as the job's plan says or woken by a callback.

Polling mode asks the status endpoint when the job's poll plan says. Callback mode waits for the API's callback and
asks once to confirm it (a callback proves nothing: the API signs nothing); it polls only when the callback is late.
Either way a status error is asked again with a growing pause until the job's time limit (the image is paid for once
submitted), and the end (done, failed, timed out) is decided in one place: `TaskWaiter.wait`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Protocol

from kontext.api.callbacks import CallbackHub, CallbackWaiter
from kontext.api.errors import GenerationFailed, GenerationTimedOut, KontextError
from kontext.api.status import TaskStatus
from kontext.jobs.foreground import Foreground
from kontext.jobs.gate import StatusGate
from kontext.polling.policy import PollPlan

log = logging.getLogger(__name__)


class StatusSource(Protocol):
    """What the wait needs from the API client (KontextClient, or JobService's GuardedClient)."""

    async def status(self, task_id: str) -> TaskStatus: ...


def status_backoff(failures: int, interval: float, cap: float = 30.0) -> float:
    """The pause before asking about a task again after `failures` status errors in a row."""
    return min(cap, interval * 2 ** (failures - 1))


class _Pace(Protocol):
    """When to ask next: the mode's half of the wait."""

    async def next(self) -> bool | None:
        """Wait until the next status query is due: True when a callback woke it, False when planned, None: no more."""
        ...

    def answered(self, status: TaskStatus, woken: bool) -> None: ...

    def close(self) -> None: ...


class _Planned:
    """Polling mode: the poll plan gives each delay, and may move the poll while it waits (`PollPlan.revise`); the
    plan running out is the time limit."""

    def __init__(self, plan: PollPlan, elapsed: Callable[[], float]) -> None:
        self._plan = plan
        self._elapsed = elapsed
        self._delays = plan.delays(elapsed)

    async def next(self) -> bool | None:
        delay = next(self._delays, None)
        if delay is None:
            return None
        due, again = self._plan.revise(self._elapsed() + max(0.0, delay))
        while True:
            wait = due - self._elapsed()
            if again is None or wait <= again:
                await asyncio.sleep(max(0.0, wait))
                return False
            await asyncio.sleep(again)
            due, again = self._plan.revise(due)

    def answered(self, status: TaskStatus, woken: bool) -> None:
        """A plan learns from the answer through its own note()."""

    def close(self) -> None:
        """Nothing to let go of."""


@dataclass(slots=True)
class _Callbacks:
    """Callback mode: the job's callback wakes the wait; polls only when callbacks are not flowing, or at the limit.

    While callbacks reach this process (`hub.flowing`), the only poll is at the time limit: a slow job costs no polls.
    Otherwise the first poll is after `grace` seconds, then every `interval` seconds. Whether callbacks flow is
    re-checked at least every `grace` seconds, and a burst of callbacks is confirmed by one query per interval.
    """

    hub: CallbackHub
    job_id: str
    grace: float
    interval: float
    timeout: float
    elapsed: Callable[[], float]
    _waiter: CallbackWaiter = field(init=False)
    _last_poll: float | None = field(default=None, init=False)
    _final: bool = field(default=False, init=False)  # the query about to be made (or just made) is at the limit

    def __post_init__(self) -> None:
        self._waiter = self.hub.expect(self.job_id)

    def _due(self) -> float:
        if self.hub.flowing:
            return self.timeout
        first = self.grace if self._last_poll is None else self._last_poll + self.interval
        return min(first, self.timeout)

    async def next(self) -> bool | None:
        if self._final:
            return None
        recheck = max(self.grace, self.interval)
        while True:
            now = self.elapsed()
            due = self._due()
            wake = min(due, now + recheck)
            woken = await self._waiter.wait(wake - now)
            if not woken and (wake < due or (due < self.timeout and self.hub.flowing)):
                continue  # only a re-check, or callbacks began to flow while this job waited: re-plan
            break
        if woken:
            hint = self._waiter.hint
            log.debug(
                "job %s: callback says %s; confirming with a status query",
                self.job_id,
                hint.state if hint is not None else "unparsed",
            )
            last = self._last_poll
            if last is not None and self.elapsed() < last + self.interval:
                # A burst of callbacks (the vendor's retries, a signed URL replayed) is confirmed by one query per
                # poll interval, never one each: callbacks must not turn into load on the API.
                await asyncio.sleep(last + self.interval - self.elapsed())
                self._waiter.consume()
        self._final = not woken and due >= self.timeout
        return woken

    def answered(self, status: TaskStatus, woken: bool) -> None:
        self._last_poll = self.elapsed()
        self._final = self._final or self._last_poll >= self.timeout
        if not status.done:
            return
        if woken:
            self.hub.confirmed()
        else:
            self.hub.missed()
            log.info("job %s: task %s finished with no callback in time; found by polling", self.job_id, status.task_id)

    def close(self) -> None:
        self.hub.done(self.job_id)


@dataclass(frozen=True, slots=True)
class TaskWaiter:
    """Waits for API tasks to end: when to ask is the mode's (the plan, or callbacks), the rest is one loop.

    `gate` bounds concurrent status queries across jobs, the polls likeliest to find their job done first (each
    poll ranked by its plan's `urgency`, every wait bounded: kontext.jobs.gate); `interval` is the pause that status
    errors back off from (and callback mode's poll interval); `callbacks` (with `grace`) turns callback mode on;
    `foreground` holds each poll back while interactions wait for their answers behind a busy loop
    (kontext.jobs.foreground).
    """

    client: StatusSource
    interval: float
    gate: StatusGate | None = None
    foreground: Foreground | None = None
    callbacks: CallbackHub | None = None
    grace: float = 20.0

    async def wait(
        self,
        job_id: str,
        task_id: str,
        plan: PollPlan,
        *,
        timeout: float,  # noqa: ASYNC109 - the task's limit, reported as GenerationTimedOut, not a cancellation
        elapsed: Callable[[], float] | None = None,
        on_status: Callable[[TaskStatus], Awaitable[None]] | None = None,
    ) -> TaskStatus:
        """The task's successful final status; GenerationFailed when it failed, GenerationTimedOut past `timeout`.

        `plan` is told what each answer saw (and gives the delays in polling mode); `on_status` sees every
        unfinished answer; `elapsed` says how long the task has been waited for (default: since this call). Status
        errors are asked again after a growing pause until the limit, then the last one is raised.
        """
        if elapsed is None:
            began = time.monotonic()

            def elapsed() -> float:
                return time.monotonic() - began

        pace: _Pace = (
            _Planned(plan, elapsed)
            if self.callbacks is None
            else _Callbacks(
                self.callbacks, job_id, grace=self.grace, interval=self.interval, timeout=timeout, elapsed=elapsed
            )
        )
        failures = 0
        last_error: KontextError | None = None
        woken = False
        try:
            while True:
                if failures:
                    assert last_error is not None
                    remaining = timeout - elapsed()
                    if remaining <= 0:
                        raise last_error  # the image may be lost to status errors only at the time limit
                    await asyncio.sleep(min(status_backoff(failures, self.interval), remaining))
                else:
                    due = await pace.next()
                    if due is None:
                        raise GenerationTimedOut(task_id, timeout)
                    woken = due
                if self.foreground is not None:
                    await self.foreground.wait_turn()  # an interaction waiting for its answer goes first
                try:
                    async with self._slot(plan, elapsed(), woken):
                        status = await self.client.status(task_id)
                except KontextError as error:
                    failures, last_error = failures + 1, error
                    log.warning("job %s: status of task %s failed (%s); asking again", job_id, task_id, error)
                    continue
                failures = 0
                pace.answered(status, woken)
                plan.note(status.state, elapsed())
                log.debug("job %s: task %s is %s", job_id, task_id, status.state)
                if status.state == "failed":
                    raise GenerationFailed(status.fail_code, status.fail_msg, task_id=task_id)
                if status.done:
                    return status
                if on_status is not None:
                    await on_status(status)
        finally:
            pace.close()

    def _slot(self, plan: PollPlan, at: float, woken: bool) -> contextlib.AbstractAsyncContextManager[None]:
        """The status gate's slot for one query: ranked by the plan, first of all when a callback said it is done."""
        if self.gate is None:
            return contextlib.nullcontext()
        chance, patience = (1.0, None) if woken else plan.urgency(at)
        return self.gate.slot(chance, patience)
