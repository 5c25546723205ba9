"""The adaptive poll policy: what it learns from finished and running jobs, and how it plans each job's polls."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kontext.polling import adaptive
from kontext.polling.adaptive import AdaptivePolicy
from kontext.polling.policy import PollSchedule


class _Job:
    """Drives one adaptive plan with a hand-moved clock: the task is pending, then processing, then done."""

    def __init__(self, plan: object, *, pending: float = 0.0, finish: float = float("inf")) -> None:
        self.plan = plan
        self.pending = pending
        self.finish = finish
        self.now = 0.0
        self.polls: list[float] = []

    def run(self) -> float | None:
        """Poll until done or out of plan; the lag between finish and the poll that saw it, or None."""
        for delay in self.plan.delays(lambda: self.now):  # type: ignore[attr-defined]
            self.now += delay
            self.polls.append(self.now)
            if self.now >= self.finish:
                return self.now - self.finish
            state = "pending" if self.now < self.pending else "processing"
            self.plan.note(state, self.now)  # type: ignore[attr-defined]
        return None


def _trained(seconds: list[float], *, mode: str = "pro", edit: bool = False, **options: float) -> AdaptivePolicy:
    options.setdefault("explore_every", 1_000_000)  # no explorer jobs unless a test is about them
    policy = AdaptivePolicy(**options)  # type: ignore[arg-type]
    for value in seconds:
        policy.observe(mode, edit, value)
    return policy


def test_adaptive_policy_past_its_budget_falls_back_to_the_floor_until_the_timeout() -> None:
    policy = AdaptivePolicy(timeout=60.0, budget=6, fixed=PollSchedule(8.0, 3.0, 60.0), explore_every=1_000_000)
    job = _Job(policy.schedule("pro", False))

    assert job.run() is None  # never finishes
    gaps = [b - a for a, b in itertools.pairwise(job.polls)]
    assert job.polls == sorted(job.polls) and job.polls[-1] == pytest.approx(60.0)
    assert job.polls[0] <= 8.0 and max(gaps) <= policy.max_gap + 1e-9
    assert policy.max_gap <= 3.0


@pytest.mark.parametrize("finish", [5.0, 9.0, 14.0, 31.0, 58.5, 119.0])
def test_adaptive_policy_never_polls_a_straggler_less_often_than_the_fixed_schedule(finish: float) -> None:
    """Whatever it learnt (here: jobs take 10 s), a job is polled at least as often as the fixed schedule would."""
    fixed = PollSchedule(first_delay=8.0, interval=3.0, timeout=120.0)
    policy = _trained([10.0 + 0.1 * (i % 5) for i in range(50)], fixed=fixed, prior_weight=1)
    job = _Job(policy.schedule("pro", False), finish=finish)

    lag = job.run()
    assert lag is not None and lag <= fixed.interval
    assert job.polls[0] <= fixed.first_delay
    assert all(b - a <= fixed.interval for a, b in itertools.pairwise(job.polls))


def test_adaptive_policy_polls_densely_around_the_learnt_finish() -> None:
    policy = _trained([9.5 + 0.1 * (i % 10) for i in range(60)], prior_weight=1)
    job = _Job(policy.schedule("pro", False), finish=10.3)

    lag = job.run()
    assert lag is not None and lag < 0.6  # the fixed schedule (8 s, then every 2.5 s) would wait 0.2 s past 10.5
    assert sum(t < 9.5 for t in job.polls) <= 1  # sparse before it: only the fixed schedule's first poll


def test_adaptive_policy_finds_a_typical_job_quickly_with_few_polls() -> None:
    policy = _trained([11.0 + (i % 7) * 0.3 for i in range(80)])
    job = _Job(policy.schedule("pro", False), finish=12.0)

    lag = job.run()
    assert lag is not None and lag < 0.6
    assert len(job.polls) <= 6


def test_adaptive_policy_learns_per_mode_and_input_image() -> None:
    policy = AdaptivePolicy(prior_weight=1)
    for _ in range(20):
        policy.observe("pro", False, 8.0)
        policy.observe("max", False, 16.0)
        policy.observe("pro", True, 10.0)

    assert policy.expected("pro", False) == pytest.approx(8.0)
    assert policy.expected("max", False) == pytest.approx(16.0)
    assert policy.expected("pro", True) == pytest.approx(10.0)


def test_adaptive_policy_expected_starts_from_the_prior() -> None:
    assert AdaptivePolicy(default=12.0).expected("max", True) == pytest.approx(12.0, rel=0.05)


def test_adaptive_policy_counts_jobs_still_running() -> None:
    """After a burst, the first jobs to finish are the quick ones; the ones still running must count too."""
    policy = AdaptivePolicy(prior_weight=1)
    running = [policy.schedule("pro", False) for _ in range(30)]
    for plan in running:
        plan.note("processing", 20.0)  # not done after 20 s
    for _ in range(10):
        policy.observe("pro", False, 5.0)

    assert policy.expected("pro", False) >= 20.0


def test_adaptive_policy_observe_with_the_plan_counts_the_job_once() -> None:
    policy = AdaptivePolicy(prior_weight=1)
    for _ in range(10):
        plan = policy.schedule("pro", False)
        plan.note("processing", 3.0)
        policy.observe("pro", False, 6.0, plan=plan)

    assert policy.expected("pro", False) == pytest.approx(6.0)
    assert len(policy._cohorts[("pro", False)]) == 10


def test_adaptive_policy_plans_on_the_processing_start_when_the_queue_varies() -> None:
    # Queue waits of 1 to 20 s, processing always 8 s: once the start is known, so is the finish.
    policy = AdaptivePolicy(prior_weight=1, explore_every=1_000_000)
    for i in range(60):
        start = 1.0 + (i % 20)
        policy.observe("pro", False, start + 8.0, started=start)
    plan = policy.schedule("pro", False)
    unconditional = plan.estimate()
    job = _Job(plan, pending=15.0, finish=23.0)

    lag = job.run()
    assert lag is not None and lag <= 0.5 + 1e-9 and len(job.polls) <= 10  # the floor polls every 2 s while pending
    assert unconditional is not None and unconditional < 20.0  # without the start, the finish looks earlier


def test_adaptive_schedule_pins_the_processing_start_between_close_polls() -> None:
    plan = AdaptivePolicy(narrow=1.0).schedule("pro", False)
    plan.note("pending", 2.0)
    plan.note("pending", 14.6)
    assert plan.started is None
    plan.note("processing", 15.4)
    assert plan.started == pytest.approx(15.0)


def test_adaptive_schedule_leaves_a_wide_bracket_unpinned() -> None:
    plan = AdaptivePolicy(narrow=1.0).schedule("pro", False)
    plan.note("pending", 2.0)
    plan.note("processing", 8.0)
    assert plan.started is None


def _learn(policy: AdaptivePolicy, seconds: list[float], mode: str = "pro") -> None:
    for value in seconds:
        policy.observe(mode, False, value)


def test_adaptive_plan_made_before_anything_was_learnt_is_revised_once_jobs_turn_out_quick() -> None:
    """In a burst most jobs are planned before any has finished: their first poll moves when the first ones finish."""
    policy = AdaptivePolicy(explore_every=1_000_000)  # nothing learnt: the prior, around 10 s
    plan = policy.schedule("pro", False)
    first = next(plan.delays(lambda: 0.0))
    assert first > 7.0  # planned on the prior: nothing suggests anything earlier

    _learn(policy, [5.5 + 0.02 * i for i in range(40)])  # the first jobs of the burst all took about 6 s

    due, again = plan.revise(first)
    assert 5.0 <= due < 6.5  # among the others' finishes (5.5-6.3 s), not where the prior put it
    assert again == policy.recheck  # the prior is still in the model: asked again later


def test_adaptive_plans_of_jobs_waiting_alike_are_made_once_per_rebuild(monkeypatch: pytest.MonkeyPatch) -> None:
    """A burst re-plans every unpolled job at each rebuild of the models: one plan serves them all, until the next."""
    planned: list[float] = []
    plan_by_hazard = adaptive._next_by_hazard

    def counting(*args: object) -> float:
        planned.append(plan_by_hazard(*args))  # type: ignore[arg-type]
        return planned[-1]

    monkeypatch.setattr(adaptive, "_next_by_hazard", counting)
    policy = AdaptivePolicy(explore_every=1_000_000)
    policy.poll_cost  # noqa: B018 - its calibration plans too: done before counting
    planned.clear()
    plans = [policy.schedule("pro", False) for _ in range(50)]
    firsts = [next(plan.delays(lambda: 0.0)) for plan in plans]
    assert len(planned) == 1 and len(set(firsts)) == 1

    _learn(policy, [5.5 + 0.02 * i for i in range(40)])  # a rebuild: the plans move, each kind planned anew once
    policy.poll_cost  # noqa: B018
    planned.clear()
    revised = {plan.revise(first)[0] for plan, first in zip(plans, firsts, strict=True)}
    assert len(planned) == 1 and revised == {planned[-1]} and 5.0 <= planned[-1] < 6.5

    uncached = AdaptivePolicy(explore_every=1_000_000)
    _learn(uncached, [5.5 + 0.02 * i for i in range(40)])
    assert next(uncached.schedule("pro", False).delays(lambda: 0.0)) == pytest.approx(planned[-1])


def test_adaptive_plan_revised_on_slow_jobs_keeps_the_floor() -> None:
    policy = AdaptivePolicy(explore_every=1_000_000)
    plan = policy.schedule("pro", False)
    first = next(plan.delays(lambda: 0.0))

    _learn(policy, [30.0 + 0.1 * (i % 20) for i in range(100)])  # all slow: the prior steps aside

    due, again = plan.revise(first)
    assert due == pytest.approx(policy.first_by)  # never later than the fixed schedule's first poll
    assert again is None


def test_adaptive_plan_is_not_revised_once_the_policy_knows_the_kind() -> None:
    policy = AdaptivePolicy(explore_every=1_000_000, prior_weight=24)
    _learn(policy, [9.0 + 0.05 * (i % 20) for i in range(4 * 24)])  # enough jobs for the prior to step aside
    plan = policy.schedule("pro", False)
    first = next(plan.delays(lambda: 0.0))

    assert plan.revise(first) == (pytest.approx(first), None)  # planned on what is known: the wait is not woken


def test_adaptive_policy_poll_cost_is_not_cheapened_by_jobs_running_past_every_finish_seen() -> None:
    """Past the longest finish seen a plan is only the floor, whatever a poll costs: the polls there, on jobs still
    running (the slow kind, early in a burst), must not count towards the spend, or they leave nothing for the rest
    and the calibration makes polls nearly free: every job then polls at the densest the plan allows."""

    def calibrated(running: int) -> float:
        policy = AdaptivePolicy(fixed=PollSchedule(8.0, 3.0, 120.0), prior_weight=1, explore_every=1_000_000)
        for _ in range(running):
            policy.schedule("pro", False).note("processing", 30.0)
        for i in range(40):
            policy.observe("pro", False, 8.0 + 0.3 * i)  # 8-20 s
        return policy.poll_cost

    assert calibrated(40) >= 0.25 * calibrated(0)


def test_adaptive_policy_sends_some_explorers_early() -> None:
    policy = AdaptivePolicy(explore_every=4)
    first_polls = []
    for _ in range(8):
        plan = policy.schedule("pro", False)
        first_polls.append(next(plan.delays(lambda: 0.0)))
    early = [delay for delay in first_polls if delay <= policy.narrow]
    assert len(early) == 2  # the 4th and the 8th


def test_adaptive_schedule_estimate_follows_what_the_polls_saw() -> None:
    policy = _trained([10.0 + (i % 5) for i in range(50)], prior_weight=1)
    plan = policy.schedule("pro", False)
    before = plan.estimate()
    plan.note("processing", 13.5)

    after = plan.estimate()
    assert before is not None and after is not None and after > before >= 10.0


def test_adaptive_schedule_keeps_a_minimum_gap_between_polls() -> None:
    policy = _trained([5.0] * 50, prior_weight=1, min_gap=0.5)
    job = _Job(policy.schedule("pro", False))
    job.run()

    gaps = [b - a for a, b in itertools.pairwise(job.polls)]
    assert job.polls[0] >= 0.5 and min(gaps) >= 0.5 - 1e-9


def test_adaptive_schedule_without_notes_still_advances() -> None:
    plan = AdaptivePolicy(timeout=20.0, budget=8, explore_every=1_000_000).schedule("pro", False)
    waits: list[float] = []
    for delay in plan.delays(lambda: sum(waits)):
        waits.append(delay)
    assert all(wait > 0 for wait in waits) and sum(waits) == pytest.approx(20.0)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    timeout=st.floats(min_value=5.0, max_value=600.0),
    learnt=st.lists(st.floats(min_value=0.01, max_value=700.0), max_size=25),
    running=st.lists(st.floats(min_value=0.01, max_value=700.0), max_size=10),
    finish=st.floats(min_value=0.01, max_value=700.0),
    pending=st.floats(min_value=0.0, max_value=700.0),
    first_delay=st.floats(min_value=0.0, max_value=30.0),
    interval=st.floats(min_value=0.5, max_value=30.0),
    budget=st.integers(min_value=1, max_value=40),
    explore_every=st.integers(min_value=1, max_value=10),
)
def test_adaptive_policy_plans_without_crashing_for_any_timeout_and_learnt_durations(
    timeout: float,
    learnt: list[float],
    running: list[float],
    finish: float,
    pending: float,
    first_delay: float,
    interval: float,
    budget: int,
    explore_every: int,
) -> None:
    """POLL_TIMEOUT 12-32 s once raised TypeError (a negative number under a square root): any plan must work."""
    fixed = PollSchedule(first_delay, min(interval, timeout), timeout)
    policy = AdaptivePolicy(timeout, budget, fixed=fixed, explore_every=explore_every, min_samples=2)
    for seconds in learnt:
        plan = policy.schedule("pro", False)
        plan.note("processing", min(seconds / 2, 1.0))
        policy.observe("pro", False, seconds, plan=plan)
    for age in running:
        policy.schedule("max", True).note("pending", age)
    job = _Job(policy.schedule("pro", False), pending=pending, finish=finish)

    lag = job.run()
    assert job.polls == sorted(job.polls) and all(t <= timeout + 1e-9 for t in job.polls)
    if lag is None:
        assert job.polls[-1] == pytest.approx(timeout)  # kept looking until the time limit
    assert job.polls[0] <= max(first_delay, policy.min_gap) + 1e-9
    assert all(b <= max(policy.first_by, a + policy.max_gap) + 1e-6 for a, b in itertools.pairwise(job.polls))
    assert isinstance(policy.expected("pro", False), float)


def test_adaptive_schedule_urgency_is_the_chance_its_poll_finds_the_job_done() -> None:
    """The status gate's ranking: low before the learnt finish, near one past it; a planned poll takes the gate's
    bound, a poll the floor placed only what keeps it no later than the fixed schedule's."""
    policy = _trained([4.5 + 0.1 * (i % 10) for i in range(60)], prior_weight=1)
    plan = policy.schedule("pro", False)
    first = next(plan.delays(lambda: 0.0))
    assert first < policy.first_by  # planned by the hazard, not the floor

    early, _ = plan.urgency(2.0)
    late, _ = plan.urgency(6.0)
    assert early == pytest.approx(0.0) and late == pytest.approx(1.0)
    assert plan.urgency(first)[1] is None
    assert 0.0 < plan.urgency(4.8)[0] < plan.urgency(5.2)[0] < 1.0

    slow = _trained([40.0 + 0.1 * (i % 10) for i in range(60)], prior_weight=1, fixed=PollSchedule(8.0, 3.0, 120.0))
    floor_plan = slow.schedule("pro", False)
    assert next(floor_plan.delays(lambda: 0.0)) == pytest.approx(slow.first_by)
    chance, patience = floor_plan.urgency(slow.first_by)
    assert chance == pytest.approx(0.0)
    assert patience == pytest.approx(3.0 - slow.max_gap) == pytest.approx(slow.floor_slack)


def test_fixed_schedule_ranks_every_poll_the_same() -> None:
    schedule = PollSchedule(8.0, 3.0, 120.0)
    assert {schedule.urgency(at) for at in (0.0, 8.0, 11.0, 119.0)} == {(0.0, None)}
