"""Survival-curve maths for adaptive polling: Kaplan-Meier finish-time curves, their quantiles and draws."""

from __future__ import annotations

import bisect
import math
from collections.abc import Sequence
from typing import NamedTuple


class Curve(NamedTuple):
    """A distribution as a Kaplan-Meier step curve: sorted times and the probability mass up to each."""

    times: list[float]
    mass: list[float]

    def quantile(self, q: float, after: float = 0.0) -> float | None:
        """The q-quantile of the distribution conditional on being past `after`; None where the curve ends first."""
        if not self.times:
            return None
        index = bisect.bisect_right(self.times, after)
        before = self.mass[index - 1] if index else 0.0
        target = before + q * (1.0 - before)
        found = bisect.bisect_left(self.mass, target - 1e-12, index)
        return self.times[found] if found < len(self.times) else None

    @property
    def deaths(self) -> int:
        return len(self.times)

    def survival(self, after: float) -> float:
        """The probability of lasting past `after`."""
        index = bisect.bisect_right(self.times, after)
        return 1.0 - (self.mass[index - 1] if index else 0.0)


def quantile(values: Sequence[float], q: float) -> float:
    """The q-quantile of sorted values, interpolated linearly."""
    if len(values) == 1:
        return values[0]
    position = min(max(q, 0.0), 1.0) * (len(values) - 1)
    low = math.floor(position)
    high = min(low + 1, len(values) - 1)
    return values[low] + (values[high] - values[low]) * (position - low)


def kaplan_meier(done: Sequence[float], running: Sequence[float]) -> Curve:
    """The finish-time distribution from finished jobs and jobs still running at their given ages.

    Counting only finished jobs would learn that generations are quick just after a burst began, when only the
    quick ones have finished; the running ones say "longer than this" and Kaplan-Meier weighs that in.
    """
    events = sorted([(t, 0) for t in done] + [(a, 1) for a in running if a > 0])  # at a tie, finishing counts first
    at_risk = len(events)
    survival = 1.0
    times: list[float] = []
    mass: list[float] = []
    for time_, running_still in events:
        if not running_still:
            survival -= survival / at_risk
            times.append(time_)
            mass.append(1.0 - survival)
        at_risk -= 1
    return Curve(times, mass)


def curve_spread(curve: Curve) -> float:
    """The interquartile range of the curve; infinite where it ends before the upper quartile."""
    high, low = curve.quantile(0.75), curve.quantile(0.25)
    return high - low if high is not None and low is not None else math.inf


def draw(curve: Curve, after: float, offset: float, count: int) -> tuple[list[float], float]:
    """`count` evenly spaced quantiles of the curve past `after`, shifted by `offset`, and the mass they cover."""
    times, mass = curve.times, curve.mass
    start = bisect.bisect_right(times, after)
    before = mass[start - 1] if start else 0.0
    rest = 1.0 - before
    draws: list[float] = []
    found = start
    for k in range(count):
        found = bisect.bisect_left(mass, before + (k + 0.5) / count * rest - 1e-12, found)
        if found >= len(times):
            break
        draws.append(offset + times[found])
    return draws, len(draws) / count
