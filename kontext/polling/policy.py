"""When to poll and how long a generation should take: pure logic, no I/O."""

from __future__ import annotations

import collections
import statistics
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Protocol


class PollPlan(Protocol):
    """One job's polls: the waits between them, told what each poll saw.

    While the wait for the next poll runs, `revise(due)` may move it: given when it was due (seconds from
    submission), it says when it is due now and how many seconds to wait before asking again (None: never).
    `urgency(at)` ranks the poll made `at` seconds after submission at the status gate (kontext.jobs.gate): the
    chance it finds the job done, and how long it may be held back (None: the gate's own bound).
    """

    def delays(self, elapsed: Callable[[], float]) -> Iterator[float]: ...

    def revise(self, due: float) -> tuple[float, float | None]: ...

    def note(self, state: str, at: float) -> None: ...

    def urgency(self, at: float) -> tuple[float, float | None]: ...

    def estimate(self) -> float | None: ...

    @property
    def started(self) -> float | None: ...


class PollPolicy(Protocol):
    """Makes each job's poll plan, learns from finished jobs, and says how long a job should take."""

    @property
    def timeout(self) -> float: ...

    def schedule(self, mode: str, edit: bool) -> PollPlan: ...

    def observe(
        self, mode: str, edit: bool, seconds: float, *, started: float | None = None, plan: PollPlan | None = None
    ) -> None: ...

    def expected(self, mode: str, edit: bool) -> float: ...


@dataclass(frozen=True, slots=True)
class PollSchedule:
    """The reference's advice: wait before the first poll, then poll at a fixed interval, give up at a limit."""

    first_delay: float = 8.0
    interval: float = 2.5
    timeout: float = 120.0

    def delays(self, elapsed: Callable[[], float]) -> Iterator[float]:
        """Yield the wait before each poll; stop once the time limit is reached.

        `elapsed` says how long the task has been running; the last wait is cut short so that the final poll
        lands on the limit itself rather than past it.
        """
        delay = self.first_delay
        while True:
            remaining = self.timeout - elapsed()
            if remaining <= 0:
                return
            yield max(0.0, min(delay, remaining))
            delay = self.interval

    def revise(self, due: float) -> tuple[float, float | None]:
        """A fixed schedule never moves a poll."""
        return due, None

    def note(self, state: str, at: float) -> None:
        """A fixed schedule ignores what the polls see."""

    def urgency(self, at: float) -> tuple[float, float | None]:
        """Every poll of a fixed schedule ranks the same: the status gate serves them first come, first served."""
        return 0.0, None

    def estimate(self) -> float | None:
        """A fixed schedule has no model of its own."""
        return None

    @property
    def started(self) -> float | None:
        """A fixed schedule does not track when processing began."""
        return None


class DurationEstimator:
    """How long generations take, learnt from the ones this process has seen (per mode, text vs edit)."""

    def __init__(self, default: float = 12.0, window: int = 50) -> None:
        self._default = default
        self._window = window
        self._seen: dict[tuple[str, bool], collections.deque[float]] = {}

    def observe(self, mode: str, edit: bool, seconds: float) -> None:
        """Record how long one finished generation took."""
        if seconds > 0:
            self._seen.setdefault((mode, edit), collections.deque(maxlen=self._window)).append(seconds)

    def expected(self, mode: str, edit: bool) -> float:
        """The median of what was seen, or the reference's typical time before anything was."""
        seen = self._seen.get((mode, edit))
        return statistics.median(seen) if seen else self._default


class FixedPolicy:
    """The reference's fixed schedule for every job, with the median of recent jobs as the estimate users see."""

    def __init__(self, schedule: PollSchedule | None = None, estimator: DurationEstimator | None = None) -> None:
        self._schedule = schedule or PollSchedule()
        self._estimator = estimator or DurationEstimator()

    @property
    def timeout(self) -> float:
        """Seconds after submission before a task is given up."""
        return self._schedule.timeout

    def schedule(self, mode: str, edit: bool) -> PollSchedule:
        """The same fixed schedule for every job."""
        return self._schedule

    def observe(
        self, mode: str, edit: bool, seconds: float, *, started: float | None = None, plan: PollPlan | None = None
    ) -> None:
        """Record a finished generation (the fixed schedule only uses it for the estimate)."""
        self._estimator.observe(mode, edit, seconds)

    def expected(self, mode: str, edit: bool) -> float:
        """The median of recent generations of this kind."""
        return self._estimator.expected(mode, edit)
