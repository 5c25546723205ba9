"""Adaptive polling: learn how long generations take and plan each job's polls around its likely finish."""

from __future__ import annotations

import bisect
import collections
import functools
import math
import statistics
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

from kontext.polling.policy import PollPlan, PollSchedule
from kontext.polling.survival import Curve, curve_spread, draw, kaplan_meier, quantile

_PLAN_BINS = 16  # equal-mass bins of the finish-time distribution a plan is drawn on
_DRAWS = 48  # points drawn from a job's finish-time distribution to plan on
_START_POINTS = 5  # possible processing starts the finish-time distribution mixes over


class _Record:
    """One job in a policy's cohort: not done at `age` seconds, or done after `total`; when processing began."""

    __slots__ = ("age", "started", "total")

    def __init__(self, total: float | None = None, started: float | None = None) -> None:
        self.age = 0.0
        self.total = total
        self.started = started


@dataclass(frozen=True, slots=True)
class _Model:
    """What the policy knows about one kind of job, ready for planning."""

    finish: Curve  # seconds from submission to done, with the prior's pseudo-jobs
    processing: Curve  # seconds from processing start to done, where polls pinned the start down
    starts: tuple[float, ...]  # sorted processing starts, where polls pinned them down
    start_informs: bool  # knowing the processing start narrows the finish enough to plan on it
    horizon: float  # the longest time seen, finished or still running: a lower bound where the median is unknown
    learning: bool  # the prior is still in it: plans made on it are revised as the policy learns


class AdaptivePolicy:
    """Learns how long generations take and plans each job's polls densely around its likely finish.

    Per kind of job (mode, and whether an input image is edited) it follows the recent jobs, finished and still
    running (Kaplan-Meier, so the quick jobs that finish first do not pass for typical), and, where two polls close
    together saw it, when each went from pending to processing. After every poll a job's plan is redrawn from its
    finish-time distribution given what its polls saw: the polls are packed where the hazard (the chance of finishing
    now, given still running) is highest, at most one per `fine` seconds, up to the `coverage` quantile; the poll
    cost is set so that jobs spend about `spend` times the fixed schedule's status requests. Under every plan lies
    a floor: the first poll no later than the fixed schedule's, then never a gap longer than `guard` times its
    interval until the timeout, so no job, a straggler least of all, is polled less often than the fixed schedule
    would poll it. `budget` caps a job's planned polls; past it only the floor is left. When the queue wait
    (pending) varies enough to matter, a probe poll finds when processing started and the plan follows the
    processing time alone; a few explorer jobs poll early and often so that this can be learnt. A prior
    (`prior_weight` pseudo-jobs around `default` seconds) gives a new bot a plan and keeps the first, necessarily
    quick, finishes from sweeping it away. While it is still in a kind's model, a waiting job's next poll is
    re-planned every `recheck` seconds (see AdaptiveSchedule.revise) on what was learnt in the meantime.
    """

    def __init__(
        self,
        timeout: float = 120.0,
        budget: int = 20,
        *,
        fixed: PollSchedule | None = None,
        guard: float = 0.8,
        default: float = 10.0,
        prior_spread: float = 0.4,
        prior_weight: int = 24,
        window: int = 1000,
        min_samples: int = 5,
        min_gap: float = 0.3,
        coverage: float = 0.995,
        narrow: float = 1.0,
        explore_every: int = 8,
        max_probes: int = 2,
        spend: float = 1.75,
        focus: float = 2.0,
        fine: float = 0.5,
        recheck: float = 1.0,
    ) -> None:
        if budget < 1:
            raise ValueError("budget must be at least 1")
        self._timeout = timeout
        self.budget = budget
        # The floor under every plan: the first poll no later than the fixed schedule's, then never a gap longer
        # than `guard` times its interval, so that a straggler is always polled at least as often as it would be.
        fixed = fixed or PollSchedule(timeout=timeout)
        self._fixed = fixed
        self.first_by = min(fixed.first_delay, timeout)
        self.max_gap = max(min_gap, guard * fixed.interval)
        # What a floor poll may wait at the status gate and still come no later than the fixed schedule's would.
        self.floor_slack = max(0.0, fixed.interval - self.max_gap)
        self.min_gap = min_gap
        self.coverage = coverage
        self.narrow = narrow
        self.explore_every = explore_every
        self.max_probes = max_probes
        self.spend = spend
        self.focus = focus
        self.fine = fine
        self.recheck = recheck
        self.min_samples = min_samples
        self._window = window
        # The prior: evenly spaced quantiles of a lognormal around the vendor's typical time, kept in the model as
        # pseudo-jobs: a new bot has a plan, and the first few (short) jobs do not sweep it away.
        normal = statistics.NormalDist()
        self._prior = [
            default * math.exp(prior_spread * normal.inv_cdf((k + 0.5) / prior_weight)) for k in range(prior_weight)
        ]
        self._cohorts: dict[tuple[str, bool], collections.deque[_Record]] = {}
        self._models: dict[tuple[str, bool], _Model] = {}
        self._cost = (-1, 1.0)  # (finished jobs when it was set, the poll cost): see poll_cost
        self._scheduled = 0
        self._finished = 0
        self._news = 0  # finished jobs since the models were last rebuilt
        self._polls = 0  # polls since the models were last rebuilt
        self._generation = 0  # how many times the models were rebuilt
        # Plans on the learnt curve alone, by (kind, last poll, poll cost), until the models are rebuilt: in a burst
        # most jobs wait unpolled (last poll 0) and are re-planned alike at every rebuild.
        self._plans: dict[tuple[tuple[str, bool], float, float], float] = {}

    @property
    def timeout(self) -> float:
        """Seconds after submission before a task is given up."""
        return self._timeout

    def schedule(self, mode: str, edit: bool) -> AdaptiveSchedule:
        """A fresh plan for one job of this kind; the job joins the cohort the policy learns from."""
        key = (mode, edit)
        record = _Record()
        self._cohort(key).append(record)
        self._scheduled += 1
        # Explorers poll early and often to learn the queue wait: often until enough is known, then now and then.
        learning = self.model(key).processing.deaths < 4 * self.min_samples
        explore = self._scheduled % (self.explore_every if learning else 8 * self.explore_every) == 0
        return AdaptiveSchedule(self, key, record, explore=explore)

    def observe(
        self, mode: str, edit: bool, seconds: float, *, started: float | None = None, plan: PollPlan | None = None
    ) -> None:
        """Record a finished generation: seconds from submission to done, and when processing started if known.

        Pass the job's `plan` (from schedule()) so the job counts once, as finished, and brings what its polls saw.
        """
        if seconds <= 0:
            return
        if started is None and plan is not None:
            started = plan.started
        if started is not None and not 0 <= started < seconds:
            started = None
        record = plan._record if isinstance(plan, AdaptiveSchedule) and plan._policy is self else None
        if record is None:
            record = _Record()
            self._cohort((mode, edit)).append(record)
        record.total, record.started = seconds, started
        self._finished += 1
        self._news += 1
        # Rebuilding sorts the cohort: early on after every job, later once a few percent of it is new.
        if self._news >= max(1, min(self._finished, self._window) // 32):
            self._refresh()

    def expected(self, mode: str, edit: bool) -> float:
        """The median finish time of this kind of job, in seconds from submission."""
        model = self.model((mode, edit))
        median = model.finish.quantile(0.5)
        return median if median is not None else model.horizon

    def model(self, key: tuple[str, bool]) -> _Model:
        """The planning view of one kind of job: its own cohort, or every kind's while it has few finished jobs."""
        model = self._models.get(key)
        if model is None:
            model = self._models[key] = self._build(self._history(key))
        return model

    def deadline(self, polls: int, last: float) -> float:
        """The latest the next poll may come: the fixed schedule's first poll, then `max_gap` after the last."""
        return max(self.first_by, last + self.max_gap) if polls else self.first_by

    @property
    def poll_cost(self) -> float:
        """Seconds of waiting one poll is worth: set so that jobs cost `spend` times the fixed schedule's polls.

        One value for every kind of job, weighed by how many of each there were, so that polls go where they cut
        the wait most. Recomputed as finished jobs grow by half (or by 200), not at every rebuild: it takes a few
        dozen planned schedules.
        """
        finished, cost = self._cost
        if finished >= 0 and self._finished < min(max(finished * 1.5, finished + 8), finished + 200):
            return cost
        kinds = [(len(cohort), self.model(key).finish) for key, cohort in self._cohorts.items() if cohort]
        if not kinds:
            kinds = [(1, kaplan_meier(self._prior, []))]
        target = self.spend * sum(weight * self._fixed_polls(finish) for weight, finish in kinds)
        low, high = math.log(1e-3), math.log(30.0)
        if finished >= 0:  # it moves little between two calibrations
            low, high = max(low, math.log(cost / 8)), min(high, math.log(cost * 8))
        for _ in range(6):
            middle = (low + high) / 2
            if sum(weight * self._expected_polls(finish, math.exp(middle)) for weight, finish in kinds) > target:
                low = middle
            else:
                high = middle
        self._cost = (self._finished, math.exp(high))
        return self._cost[1]

    def _fixed_polls(self, finish: Curve) -> float:
        """Status requests the fixed schedule spends on one job of this distribution, on average, up to the longest
        finish seen (past it, where jobs still running lie, the adaptive plan is the floor and spends the same)."""
        fixed = self._fixed
        known = finish.times[-1] if finish.times else 0.0
        expected, at, previous = 0.0, min(fixed.first_delay, self.timeout), 0.0
        for _ in range(4 * self.budget):  # as far as the adaptive plan is followed (see _expected_polls)
            survival = finish.survival(previous)
            if survival < 1e-3 or previous >= min(known, self.timeout):
                break
            expected += survival
            previous, at = at, min(at + fixed.interval, self.timeout)
        return expected

    def _expected_polls(self, finish: Curve, poll_cost: float) -> float:
        """Status requests an adaptive plan with this poll cost spends on one job, on average (no probes), up to the
        longest finish seen, as _fixed_polls."""
        known = finish.times[-1] if finish.times else 0.0
        expected, last, polls = 0.0, 0.0, 0
        while last < min(known, self.timeout) and polls <= 2 * self.budget:
            survival = finish.survival(last)
            if survival < 1e-3:
                break
            expected += survival
            at = self.timeout
            if polls < self.budget:
                at = _next_by_hazard(self, functools.partial(finish.quantile, after=last), last, poll_cost)
            last = min(max(at, last + self.min_gap), self.deadline(polls, last), self.timeout)
            polls += 1
        return expected

    def _polled(self) -> None:
        # Running jobs' ages feed the model too; refresh now and then even while nothing finishes.
        self._polls += 1
        if self._polls >= 64:
            self._refresh()

    def _refresh(self) -> None:
        self._news = self._polls = 0
        self._generation += 1
        self._models.clear()
        self._plans.clear()

    def _cohort(self, key: tuple[str, bool]) -> collections.deque[_Record]:
        cohort = self._cohorts.get(key)
        if cohort is None:
            cohort = self._cohorts[key] = collections.deque(maxlen=self._window)
        return cohort

    def _history(self, key: tuple[str, bool]) -> Sequence[_Record]:
        own = self._cohorts.get(key, ())
        if sum(record.total is not None for record in own) >= self.min_samples:
            return own
        return [record for cohort in self._cohorts.values() for record in cohort]

    def _build(self, records: Sequence[_Record]) -> _Model:
        done = [r.total for r in records if r.total is not None]
        running = [r.age for r in records if r.total is None]
        # The prior steps aside once the real jobs far outnumber it: pseudo-jobs at 10 s would blur two kinds far apart.
        prior = self._prior if len(done) < 4 * len(self._prior) else []
        finish = kaplan_meier(done + prior, running)
        processing = kaplan_meier(
            [r.total - r.started for r in records if r.total is not None and r.started is not None],
            [r.age - r.started for r in records if r.total is None and r.started is not None],
        )
        starts = tuple(sorted(r.started for r in records if r.started is not None))
        # The start is worth knowing (and a poll to find) when enough was learnt and the processing time alone is
        # clearly narrower than the whole finish time.
        informs = processing.deaths >= 4 * self.min_samples and curve_spread(processing) <= 0.6 * curve_spread(finish)
        horizon = max([*done, *running, *self._prior])
        return _Model(finish, processing, starts, informs, horizon, bool(prior))


class AdaptiveSchedule:
    """One job's adaptive plan: the next poll is re-planned after every poll from what it saw and what was learnt."""

    def __init__(self, policy: AdaptivePolicy, key: tuple[str, bool], record: _Record, *, explore: bool) -> None:
        self._policy = policy
        self._key = key
        self._record = record
        self._explore = explore
        self._polls = 0
        self._probes = 0
        self._last = 0.0  # elapsed seconds at the latest poll (the task was not done then)
        self._pending_until = 0.0  # latest poll that saw it pending
        self._processing_from: float | None = None  # earliest poll that saw it processing
        self._lower = 0.0  # where the current plan's first bin starts
        self._at = 0.0  # when the next poll is due (seconds from submission), as last planned
        self._probing = False  # that poll is a probe
        self._generation = -1  # the policy's models it was planned on

    @property
    def polls(self) -> int:
        """Polls planned so far."""
        return self._polls

    @property
    def started(self) -> float | None:
        """When processing began (seconds from submission), if two polls close enough together bracket it."""
        if self._processing_from is None or self._processing_from - self._pending_until > self._policy.narrow:
            return None
        return (self._pending_until + self._processing_from) / 2

    def note(self, state: str, at: float) -> None:
        """What a poll that answered `at` seconds after submission saw: pending, processing (or done)."""
        if state in ("success", "failed"):
            return
        self._last = max(self._last, at)
        self._record.age = self._last
        if state == "pending" and self._processing_from is None:
            self._pending_until = max(self._pending_until, at)
        elif state == "processing" and self._processing_from is None:
            self._processing_from = at
            self._record.started = self.started
        self._policy._polled()

    def urgency(self, at: float) -> tuple[float, float | None]:
        """The chance that the poll made `at` seconds after submission finds the job done (given still running at the
        last poll), and how long the status gate may hold it back: a poll the floor placed (`deadline`) keeps the
        fixed schedule's guarantee only if it waits no longer than `floor_slack`."""
        policy = self._policy
        finish = policy.model(self._key).finish
        before = finish.survival(self._last)
        chance = 1.0 - finish.survival(at) / before if before > 0 else 0.0
        floor = self._at >= policy.deadline(self._polls, self._last) - 1e-9
        return chance, policy.floor_slack if floor else None

    def estimate(self) -> float | None:
        """The median finish time (seconds from submission) given what the polls saw; None past what is known."""
        finish, known = self._finish_times()
        return quantile(finish, 0.5 / known) if finish and known >= 0.5 else None

    def delays(self, elapsed: Callable[[], float]) -> Iterator[float]:
        """Yield the wait before each poll until the timeout, where the last one lands.

        Up to `budget` polls follow the plan; none is ever later than the floor (`deadline`), so past the plan a
        straggler is polled at least as often as the fixed schedule would poll it.
        """
        policy = self._policy
        while True:
            now = elapsed()
            if now >= policy.timeout:
                return
            at = self._due()
            yield max(0.0, at - now)
            self._polls += 1
            self._probes += self._probing
            self._last = max(self._last, elapsed())

    def revise(self, due: float) -> tuple[float, float | None]:
        """The next poll's time (seconds from submission) as planned now, and how long before asking again.

        A plan made while the policy was still learning (the prior still in its model) is re-planned on what was
        learnt since: in a burst, the first polls of most jobs are planned before any job has finished, and would
        otherwise all wait for the floor's first poll, however quick the jobs turn out to be. None: it will not
        move any more (it was planned on what the policy knows, or it is past its plan).
        """
        policy = self._policy
        if self._generation != policy._generation:
            self._due()
        if self._polls >= policy.budget or not policy.model(self._key).learning:
            return self._at, None
        return self._at, policy.recheck

    def _due(self) -> float:
        """Plan the next poll (seconds from submission) on the models as they are now: the plan, under the floor."""
        policy = self._policy
        at, probe = self._next_poll() if self._polls < policy.budget else (policy.timeout, False)
        earliest = self._last + policy.min_gap if self._polls else policy.min_gap
        self._at = min(max(at, earliest), policy.deadline(self._polls, self._last), policy.timeout)
        self._probing = probe
        self._generation = policy._generation
        return self._at

    def _next_poll(self) -> tuple[float, bool]:
        """When to poll next (seconds from submission), and whether that poll is a probe for processing.

        Polls are spaced as the hazard (the chance of finishing now, given not finished yet) to the power -1/2, which
        minimises the wait plus `poll_cost` seconds per poll: dense where a job still running is likely to finish,
        and cheap late, when most jobs are done and few pay for a poll. Up to the `coverage` quantile of the finish
        time (given what the polls saw); past it, or past what the model knows, only the floor in `delays` is left.
        """
        policy = self._policy
        at = self._planned()
        probe = self._probe(policy.budget - self._polls)
        if probe is not None and probe < at:
            return probe, True
        return at, False

    def _planned(self) -> float:
        """The next poll by the hazard of this job's finish, given what its polls saw."""
        policy = self._policy
        model = policy.model(self._key)
        if self._starts(model):
            finish, known = self._finish_times()

            def at(share: float) -> float | None:
                return quantile(finish, share / known) if finish and share <= known else None

            return _next_by_hazard(policy, at, self._last, policy.poll_cost)
        # Only "still running": the learnt curve past now, straight from its quantiles (no draws).
        cost = policy.poll_cost
        plan = (self._key, self._last, cost)
        at = policy._plans.get(plan)
        if at is None:
            at = policy._plans[plan] = _next_by_hazard(
                policy, functools.partial(model.finish.quantile, after=self._last), self._last, cost
            )
        return at

    def _probe(self, left: int) -> float | None:
        """An early poll to catch the pending→processing change, when that narrows the finish enough to pay."""
        policy = self._policy
        if self._processing_from is not None or left <= 3:
            return None
        if self._explore and self._probes < 4:
            # An explorer polls early and often until it sees processing, so the policy can learn the queue wait.
            return self._last + policy.narrow
        model = policy.model(self._key)
        if not model.start_informs or self._probes >= policy.max_probes:
            return None
        later = model.starts[bisect.bisect_right(model.starts, self._pending_until) :]
        return quantile(later, 0.5) if later else None

    def _finish_times(self) -> tuple[list[float], float]:
        """Finish times (seconds from submission, sorted) drawn from the distribution given what the polls saw,
        and the share of that distribution they stand for (the rest lies past anything the model has seen)."""
        policy = self._policy
        model = policy.model(self._key)
        starts = self._starts(model)
        if not starts:
            return draw(model.finish, self._last, 0.0, _DRAWS)
        # A mixture over the possible processing starts, each weighed by how likely it leaves the task unfinished
        # now: a start so early that processing would be over by now is unlikely.
        weights = [model.processing.survival(self._last - start) for start in starts]
        total = sum(weights)
        if total <= 0:
            return [], 0.0
        finish: list[float] = []
        known = 0.0
        for start, weight in zip(starts, weights, strict=True):
            draws, covered = draw(model.processing, self._last - start, start, max(1, round(_DRAWS * weight / total)))
            finish += draws
            known += covered * weight / total
        finish.sort()
        return finish, known

    def _starts(self, model: _Model) -> list[float]:
        """When processing may have started, given what the polls saw; empty when that is unknown or not worth it."""
        policy = self._policy
        if not model.start_informs:
            return []
        low, high = self._pending_until, self._processing_from
        starts = model.starts
        if high is not None:
            # Processing began between the last pending poll and the first processing one.
            inside = starts[bisect.bisect_right(starts, low) : bisect.bisect_right(starts, high)]
            if len(inside) >= policy.min_samples:
                return [quantile(inside, (k + 0.5) / _START_POINTS) for k in range(_START_POINTS)]
            return [(low + high) / 2] if high - low <= policy.narrow else []
        if low > 0:
            later = starts[bisect.bisect_right(starts, low) :]
            if len(later) >= policy.min_samples:
                return [quantile(later, (k + 0.5) / _START_POINTS) for k in range(_START_POINTS)]
        return []


def _next_by_hazard(
    policy: AdaptivePolicy, quantile_at: Callable[[float], float | None], last: float, poll_cost: float
) -> float:
    """Where the poll density, (hazard / 2 poll_cost) ** focus and at most one per `fine` seconds, adds up to one.

    `quantile_at(p)` is the p-quantile of the finish time given still running at `last` (None past what is known).
    With `focus` 1/2 this minimises the mean wait plus `poll_cost` seconds per poll; a larger one packs the polls
    where the hazard is highest, which serves the median better. The timeout where the known part runs out first.
    """
    first = quantile_at(0.0)
    if first is None:
        return policy.timeout
    lower = min(max(last, first), policy.timeout)
    mass = 1.0 / _PLAN_BINS
    polls = 0.0
    for k in range(1, _PLAN_BINS + 1):
        found = quantile_at(k * mass)
        if found is None or (k - 1) * mass >= policy.coverage:
            break
        # A bin at least a twentieth of a second wide: a step curve piles its mass on single times (infinite hazard).
        edge = min(max(found, lower + 0.05), policy.timeout)
        width = edge - lower
        if width <= 0:  # the plan has reached the timeout
            break
        hazard = mass / width / max(1.0 - (k - 0.5) * mass, 1e-9)  # still running mid-bin
        density = min((hazard / (2 * poll_cost)) ** policy.focus, 1 / policy.fine)
        if polls + density * width >= 1.0:
            return lower + (1.0 - polls) / density
        polls += density * width
        lower = edge
        if edge >= policy.timeout:
            break
    return policy.timeout
