"""The burst the benchmark sends: who asks what, when, and how long the fake API takes to make it."""

from __future__ import annotations

import math
import random
import statistics
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
    total = min(max(pending + processing, SHORTEST), LONGEST)
    return min(pending, total - 1.0), total


def burst(*, jobs: int, seconds: float, users: int, guilds: int, seed: int = 7) -> list[JobSpec]:
    """`jobs` commands spread evenly over `seconds` (with jitter), from `users` users in `guilds` servers."""
    rng = random.Random(seed)
    specs: list[JobSpec] = []
    for index in range(jobs):
        at = (index + rng.random()) * seconds / jobs
        user = rng.randrange(users)
        mode = "max" if rng.random() < MAX_SHARE else "pro"
        edit = rng.random() < EDIT_SHARE
        pending, total = generation_time(rng, mode, edit)
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
