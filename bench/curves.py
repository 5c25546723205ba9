"""Lag against status requests per workload: both schedules replayed offline over a range of their settings."""

from __future__ import annotations

import argparse
import math
from typing import Any

from bench.replay import replay
from bench.workload import WORKLOADS, burst
from kontext.polling.adaptive import AdaptivePolicy
from kontext.polling.policy import FixedPolicy, PollSchedule

SPENDS = (1.0, 1.3, 1.6, 2.0, 2.6)  # the adaptive schedule's requests per job, in multiples of the fixed one's
INTERVALS = (1.5, 2.0, 3.0, 4.5)  # the fixed schedule's interval (first poll at 8 s)
FIRST_DELAY, INTERVAL, TIMEOUT = 8.0, 3.0, 120.0  # the benchmark's fixed schedule (bench.world.RunConfig)


def _quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))] if ordered else math.nan


def _point(strategy: str, knob: float, lags: list[float], polls_per_job: float) -> dict[str, Any]:
    return {
        "strategy": strategy,
        "knob": knob,
        "status_per_job": round(polls_per_job, 3),
        **{name: round(_quantile(lags, q), 3) for name, q in (("p50", 0.5), ("p90", 0.9), ("p99", 0.99))},
        "max": round(max(lags, default=math.nan), 3),
    }


def curves(names: list[str], args: argparse.Namespace) -> dict[str, list[dict[str, Any]]]:
    """Per workload, a point per setting: status requests per job and the lag (finish → the poll that saw it)."""
    found: dict[str, list[dict[str, Any]]] = {}
    for name in (name.strip() for name in names if name.strip()):
        workload = WORKLOADS[name]
        jobs, seconds = (workload.jobs, workload.seconds) if workload.cold else (args.jobs, args.seconds)
        specs = burst(jobs=jobs, seconds=seconds, users=args.users, guilds=args.guilds, seed=args.seed, workload=name)
        scale, latency = args.time_scale, args.api_latency
        points = []
        for interval in INTERVALS:
            fixed = FixedPolicy(PollSchedule(FIRST_DELAY, interval, TIMEOUT))
            done = replay(fixed, specs, latency=latency, scale=scale)
            points.append(_point("fixed", interval, done.lags, done.polls_per_job))
        schedule = PollSchedule(FIRST_DELAY, INTERVAL, TIMEOUT)
        for spend in SPENDS:
            adaptive = AdaptivePolicy(TIMEOUT, args.budget, fixed=schedule, spend=spend)
            done = replay(adaptive, specs, latency=latency, scale=scale)
            points.append(_point("adaptive", spend, done.lags, done.polls_per_job))
        found[name] = points
    return found
