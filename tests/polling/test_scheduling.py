"""The poll schedule, the duration estimator and the fixed policy."""

from __future__ import annotations

import pytest

from kontext.polling.policy import DurationEstimator, FixedPolicy, PollSchedule


def _run_schedule(schedule: PollSchedule) -> list[float]:
    delays: list[float] = []
    for delay in schedule.delays(lambda: sum(delays)):
        delays.append(delay)
    return delays


def test_poll_schedule_follows_the_reference_advice() -> None:
    delays = _run_schedule(PollSchedule(first_delay=8.0, interval=2.5, timeout=120.0))
    assert delays[0] == 8.0
    assert set(delays[1:-1]) == {2.5}
    assert sum(delays) == pytest.approx(120.0)


def test_poll_schedule_last_wait_lands_on_the_limit() -> None:
    delays = _run_schedule(PollSchedule(first_delay=1.0, interval=2.0, timeout=4.0))
    assert delays == [1.0, 2.0, 1.0]


def test_poll_schedule_stops_when_time_is_already_up() -> None:
    schedule = PollSchedule(first_delay=1.0, interval=1.0, timeout=5.0)
    assert list(schedule.delays(lambda: 6.0)) == []


def test_duration_estimator_defaults_then_learns_per_mode() -> None:
    estimator = DurationEstimator(default=12.0)
    assert estimator.expected("pro", False) == 12.0
    for seconds in (20.0, 30.0, 40.0):
        estimator.observe("max", False, seconds)
    assert estimator.expected("max", False) == 30.0
    assert estimator.expected("max", True) == 12.0
    assert estimator.expected("pro", False) == 12.0


def test_fixed_policy_is_the_reference_schedule_with_the_median_estimate() -> None:
    schedule = PollSchedule(first_delay=8.0, interval=3.0, timeout=120.0)
    policy = FixedPolicy(schedule)
    for seconds in (10.0, 20.0, 30.0):
        policy.observe("max", False, seconds)

    assert policy.schedule("max", False) is schedule
    assert policy.timeout == 120.0
    assert policy.expected("max", False) == 20.0 and policy.expected("pro", False) == 12.0
