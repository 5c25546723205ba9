"""The burst the benchmark sends: who asks what, when, and how long the fake API takes to make it."""

from __future__ import annotations

import math
import random
import statistics
from collections.abc import Callable
from dataclasses import dataclass

# Processing time at the API, by mode, median seconds; edits take a little longer (the input image is read too).
PROCESSING_MEDIAN: dict[str, float] = {"pro": 7.7, "max": 12.5}
EDIT_FACTOR = 1.15
PROCESSING_SPREAD = 0.2  # lognormal sigma of processing: the same model on the same hardware varies little
PENDING_MEDIAN = 2.0  # seconds in the API's queue before processing starts
PENDING_SPREAD = 0.8  # lognormal sigma of the queue wait: load comes and goes
STRAGGLER_SHARE = 0.03  # tasks that take 2-4 times as long (retries, cold workers)
SHORTEST, LONGEST = 5.0, 60.0
MAX_SHARE = 0.35
EDIT_SHARE = 0.2


@dataclass(frozen=True, slots=True)
class JobSpec:
    """One job of the burst."""

    index: int
    at: float  # seconds after the burst starts that the user sends the command
    user: int  # index of the user (0..users-1)
    guild: int  # index of the server the user is in
    mode: str
    edit: bool
    pending: float  # seconds the task stays pending at the fake API
    total: float  # seconds from submission to success

    @property
    def prompt(self) -> str:
        """A prompt unique to the job, so the fakes can tell which task and which interaction belong together."""
        return f"bench job {self.index}: a lighthouse at dusk, oil painting"


def generation_time(rng: random.Random, mode: str, edit: bool) -> tuple[float, float]:
    """(pending, total) seconds for one task: a lognormal queue wait plus a lognormal processing time."""
    processing = PROCESSING_MEDIAN[mode] * (EDIT_FACTOR if edit else 1.0) * rng.lognormvariate(0.0, PROCESSING_SPREAD)
    if rng.random() < STRAGGLER_SHARE:
        processing *= rng.uniform(2.0, 4.0)
    pending = PENDING_MEDIAN * rng.lognormvariate(0.0, PENDING_SPREAD)
    return _bounded(pending, pending + processing)


def _bounded(pending: float, total: float, longest: float = LONGEST) -> tuple[float, float]:
    total = min(max(total, SHORTEST), longest)
    return max(0.0, min(pending, total - 1.0)), total


def _even(rng: random.Random, mode: str, edit: bool) -> tuple[float, float]:
    """Spread evenly over 6-14 s, whatever the mode: nothing to learn per kind."""
    total = rng.uniform(6.0, 14.0)
    return _bounded(rng.uniform(0.5, 2.0), total)


def _two_modes(rng: random.Random, mode: str, edit: bool) -> tuple[float, float]:
    """Pro quick (about 6 s), max slow (about 24 s): one schedule for both would fit neither."""
    median = (6.0 if mode == "pro" else 24.0) * (EDIT_FACTOR if edit else 1.0)
    pending = 0.8 * rng.lognormvariate(0.0, 0.4)
    return _bounded(pending, pending + median * rng.lognormvariate(0.0, 0.12))


def _heavy_tail(rng: random.Random, mode: str, edit: bool) -> tuple[float, float]:
    """Today's shape, but one task in twenty takes 45-110 s (a cold worker, a retry at the vendor)."""
    pending, total = generation_time(rng, mode, edit)
    if rng.random() < 0.05:
        return _bounded(pending, rng.uniform(45.0, 110.0), longest=HEAVY_LONGEST)
    return pending, total


@dataclass(frozen=True, slots=True)
class Workload:
    """A shape of generation times and how many jobs arrive over how long."""

    name: str
    title: str
    times: Callable[[random.Random, str, bool], tuple[float, float]]
    jobs: int = 1000
    seconds: float = 10.0
    cold: bool = False  # few jobs, nothing learnt before: the adaptive schedule plans on its prior


HEAVY_LONGEST = 110.0
WORKLOADS: dict[str, Workload] = {
    workload.name: workload
    for workload in (
        Workload("standard", "standard (lognormal, 3 % stragglers)", generation_time),
        Workload("even", "spread evenly over 6-14 s", _even),
        Workload("two-modes", "two modes: pro about 6 s, max about 24 s", _two_modes),
        Workload("heavy-tail", "heavy tail: 5 % take 45-110 s", _heavy_tail),
        Workload("cold", "cold start: 30 jobs, 6-14 s, nothing learnt", _even, jobs=30, seconds=3.0, cold=True),
    )
}


def burst(
    *, jobs: int, seconds: float, users: int, guilds: int, seed: int = 7, workload: str = "standard"
) -> list[JobSpec]:
    """`jobs` commands spread evenly over `seconds` (with jitter), from `users` users in `guilds` servers."""
    times = WORKLOADS[workload].times
    rng = random.Random(seed)
    specs: list[JobSpec] = []
    for index in range(jobs):
        at = (index + rng.random()) * seconds / jobs
        user = rng.randrange(users)
        mode = "max" if rng.random() < MAX_SHARE else "pro"
        edit = rng.random() < EDIT_SHARE
        pending, total = times(rng, mode, edit)
        specs.append(JobSpec(index, at, user, user % guilds, mode, edit, pending, total))
    return specs


def describe(specs: list[JobSpec], scale: float = 1.0) -> dict[str, float]:
    """Quantiles of the generation times of a burst, multiplied by `scale` (for the results)."""
    totals = sorted(spec.total * scale for spec in specs)

    def q(p: float) -> float:
        return totals[min(len(totals) - 1, math.floor(p * len(totals)))]

    return {
        "p05": round(q(0.05), 2),
        "p50": round(statistics.median(totals), 2),
        "p95": round(q(0.95), 2),
        "min": round(totals[0], 2),
        "max": round(totals[-1], 2),
        "max_share": round(sum(s.mode == "max" for s in specs) / len(specs), 3),
        "edit_share": round(sum(s.edit for s in specs) / len(specs), 3),
    }
