"""The adaptive poll policy: what it learns from finished and running jobs, and how it plans each job's polls."""

from __future__ import annotations

import itertools

import pytest

from kontext.polling.adaptive import AdaptivePolicy


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


def test_adaptive_policy_spends_at_most_its_budget_and_never_polls_past_the_timeout() -> None:
    policy = AdaptivePolicy(timeout=60.0, budget=10, explore_every=1_000_000)
    job = _Job(policy.schedule("pro", False))

    assert job.run() is None  # never finishes
    assert len(job.polls) == 10
    assert job.polls == sorted(job.polls) and job.polls[-1] == pytest.approx(60.0)


def test_adaptive_policy_keeps_the_last_poll_for_the_timeout_when_the_budget_is_one() -> None:
    job = _Job(AdaptivePolicy(timeout=30.0, budget=1).schedule("max", True))

    job.run()
    assert job.polls == [pytest.approx(30.0)]


def test_adaptive_policy_polls_densely_around_the_learnt_finish() -> None:
    policy = _trained([9.5 + 0.1 * (i % 10) for i in range(60)], prior_weight=1)
    job = _Job(policy.schedule("pro", False))
    job.run()

    around = [t for t in job.polls if 9.0 <= t <= 10.6]
    gaps = [b - a for a, b in itertools.pairwise(around)]
    assert len(around) >= 4 and max(gaps) < 1.0  # the reference polls every 2.5 s
    assert sum(t < 9.0 for t in job.polls) <= 2  # sparse before it


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
    assert lag is not None and lag < 0.5 and len(job.polls) <= 8
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
    assert len(waits) == 8 and sum(waits) == pytest.approx(20.0)
