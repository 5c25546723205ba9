"""The poll schedules replayed on the benchmark's workloads (bench/replay.py): the adaptive one never loses the tail."""

from __future__ import annotations

import pytest

from bench.replay import replay
from bench.workload import WORKLOADS, burst
from kontext.polling.adaptive import AdaptivePolicy
from kontext.polling.policy import FixedPolicy, PollSchedule

FIXED = PollSchedule(first_delay=8.0, interval=3.0, timeout=120.0)


def _quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[round(q * (len(ordered) - 1))]


@pytest.mark.parametrize("name", list(WORKLOADS))
def test_replay_adaptive_schedule_is_no_worse_than_the_fixed_one_at_the_tail(name: str) -> None:
    workload = WORKLOADS[name]
    jobs = min(workload.jobs, 300)
    specs = burst(jobs=jobs, seconds=workload.seconds * jobs / workload.jobs, users=50, guilds=5, workload=name)
    fixed = replay(FixedPolicy(FIXED), specs)
    adaptive = replay(AdaptivePolicy(FIXED.timeout, 20, fixed=FIXED), specs)

    assert adaptive.missed == fixed.missed == 0 and len(adaptive.lags) == jobs
    overhead = 0.1  # download and upload, the same for both
    for q, ceiling in ((0.99, 1.0), (1.0, 1.2)):
        assert _quantile(adaptive.lags, q) + overhead <= ceiling * (_quantile(fixed.lags, q) + overhead)
    assert adaptive.polls_per_job <= 2 * fixed.polls_per_job
    assert _quantile(adaptive.lags, 0.5) < _quantile(fixed.lags, 0.5)


def test_replay_two_modes_revises_the_plans_made_before_the_first_finishes() -> None:
    """Pro about 6 s, max about 24 s: every job of the burst is planned before any has finished, on a prior around
    10 s. Unrevised, each quick job waits for the floor's first poll at 8 s, as under the fixed schedule."""
    specs = burst(jobs=300, seconds=3.0, users=50, guilds=5, workload="two-modes")
    fixed = replay(FixedPolicy(FIXED), specs)
    adaptive = replay(AdaptivePolicy(FIXED.timeout, 20, fixed=FIXED), specs)

    assert _quantile(adaptive.lags, 0.5) <= 0.6 * _quantile(fixed.lags, 0.5)
    assert adaptive.polls_per_job <= 2 * fixed.polls_per_job


def test_replay_with_a_status_gate_queues_the_polls_beyond_it() -> None:
    """A burst's polls queue when the API answers fewer at once, and the lag grows by the wait."""
    specs = burst(jobs=200, seconds=1.0, users=50, guilds=5, workload="even")
    free = replay(FixedPolicy(FIXED), specs)
    gated = replay(FixedPolicy(FIXED), specs, latency=0.05, concurrency=2)  # 40 answers a second for 200 a second

    assert gated.missed == free.missed == 0
    assert _quantile(gated.lags, 0.5) > _quantile(free.lags, 0.5) + 0.5
    assert replay(FixedPolicy(FIXED), specs, concurrency=1000).lags == free.lags  # room for every poll: no queue


def test_replay_ranked_status_gate_leaves_the_fixed_schedule_first_come_first_served() -> None:
    """Every fixed poll ranks the same: the ranked gate serves them exactly as the first-come one did."""
    specs = burst(jobs=300, seconds=3.0, users=50, guilds=5, workload="standard")
    ranked = replay(FixedPolicy(FIXED), specs, concurrency=5)
    fifo = replay(FixedPolicy(FIXED), specs, concurrency=5, ranked=False)

    assert ranked == fifo
    assert max(ranked.lags) > max(replay(FixedPolicy(FIXED), specs).lags)  # the gate of 5 did queue the polls


@pytest.mark.parametrize("name", ["standard", "heavy-tail"])
def test_replay_ranked_status_gate_keeps_the_tail_within_its_bound(name: str) -> None:
    """Queued at the benchmark's 20 status requests at once, the adaptive schedule's tail stays within the targets
    against the fixed schedule's queued the same way: ranking never starves a poll past `max_wait`."""
    specs = burst(jobs=1000, seconds=10.0, users=100, guilds=20, workload=name)
    fixed = replay(FixedPolicy(FIXED), specs, concurrency=20)
    adaptive = replay(AdaptivePolicy(FIXED.timeout, 20, fixed=FIXED), specs, concurrency=20)

    assert adaptive.missed == 0 and len(adaptive.lags) == len(specs)
    assert _quantile(adaptive.lags, 0.99) <= _quantile(fixed.lags, 0.99)
    assert max(adaptive.lags) <= 1.2 * max(fixed.lags)
    assert _quantile(adaptive.lags, 0.5) <= 0.45 * _quantile(fixed.lags, 0.5)
