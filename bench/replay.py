"""The poll policies replayed offline on a workload: each job's polls against its generation time, no bot, no I/O.

The real runs measure the bot; this measures the schedule alone, fast enough to trace lag against status requests
over many poll budgets (the curves in RESULTS.md) and to check a change to the planner before a full run.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

from bench.workload import JobSpec
from kontext.jobs.gate import PriorityLine
from kontext.polling.adaptive import AdaptivePolicy
from kontext.polling.policy import FixedPolicy, PollPlan, PollPolicy, PollSchedule


@dataclass(frozen=True, slots=True)
class Replay:
    """What one policy did on one workload: each delivered job's lag (finish → the poll that saw it done) and polls."""

    lags: list[float]
    polls: list[int]
    missed: int  # jobs the schedule gave up on before they finished

    @property
    def polls_per_job(self) -> float:
        return sum(self.polls) / max(1, len(self.polls))


_SENT = -1.0  # an event's `due` for a poll leaving for the status gate (bench's --status-concurrency)


def replay(
    policy: PollPolicy,
    specs: Sequence[JobSpec],
    *,
    latency: float = 0.05,
    scale: float = 1.0,
    concurrency: int | None = None,
    max_wait: float = 0.5,
    ranked: bool = True,
) -> Replay:
    """Run every job's plan on a shared simulated clock; each poll is answered `latency` seconds after it is sent.

    As in the bot (kontext.jobs.waiting), a plan may move its next poll while the wait for it runs (PollPlan.revise).
    With `concurrency`, polls also queue for that many status requests at once, as at the bot's
    MAX_STATUS_CONCURRENCY: a schedule that asks more than the API answers then waits in that queue, as it does in
    the real runs. The queue is the bot's status gate (kontext.jobs.gate): the polls likeliest to find their job done
    first, none held back past `max_wait` seconds or its plan's patience; `ranked=False` serves first come, first
    served (the gate before it was ranked). Without `concurrency` (the curves), only the schedule is measured.
    """
    # (time, order, job index, due): the job is submitted (due None), a poll is answered, a poll leaves for the
    # gate (due _SENT), or a wait asks the plan again (due: when its next poll is due, seconds from submission)
    events: list[tuple[float, int, int, float | None]] = []
    line: PriorityLine[int] = PriorityLine()  # polls waiting for a status request slot
    busy = 0  # status requests in flight
    plans: dict[int, tuple[PollPlan, Iterator[float], float]] = {}
    now = 0.0
    order = 0
    lags: list[float] = []
    polls: list[int] = []
    counts: dict[int, int] = {}
    missed = 0
    for spec in specs:
        heapq.heappush(events, (spec.at, order, spec.index, None))
        order += 1
    by_index = {spec.index: spec for spec in specs}

    def clock(began: float) -> Callable[[], float]:
        return lambda: now - began

    def wait(index: int, plan: PollPlan, began: float, due: float, again: float | None) -> None:
        nonlocal order
        if again is None or began + due - now <= again:
            sent = max(now, began + due)
            heapq.heappush(events, (sent, order, index, _SENT) if concurrency else (sent + latency, order, index, None))
        else:
            heapq.heappush(events, (now + again, order, index, due))
        order += 1

    while events:
        now, _, index, due = heapq.heappop(events)
        spec = by_index[index]
        if due == _SENT:  # the poll takes a free slot, or waits in line for one
            if concurrency and busy < concurrency and not line:
                busy += 1
                heapq.heappush(events, (now + latency, order, index, None))
                order += 1
            else:
                plan, _, began = plans[index]
                chance, patience = plan.urgency(now - began) if ranked else (0.0, None)
                held = max_wait if patience is None else min(max_wait, max(0.0, patience))
                line.push(index, chance, now + held)
            continue
        if due is not None:  # the wait asks the plan again
            plan, _, began = plans[index]
            wait(index, plan, began, *plan.revise(due))
            continue
        if index not in plans:
            plan = policy.schedule(spec.mode, spec.edit)
            began = now
            plans[index] = (plan, iter(plan.delays(clock(began))), began)
            counts[index] = 0
        else:
            if concurrency:  # the answer frees its slot for the next poll in line
                following = line.pop(now)
                if following is None:
                    busy -= 1
                else:
                    heapq.heappush(events, (now + latency, order, following, None))
                    order += 1
            plan, delays, began = plans[index]
            at = now - began
            counts[index] += 1
            if at >= spec.total * scale:
                lags.append(at - spec.total * scale)
                polls.append(counts[index])
                plan.note("success", at)
                policy.observe(spec.mode, spec.edit, spec.total * scale, plan=plan)  # type: ignore[arg-type]
                continue
            plan.note("pending" if at < spec.pending * scale else "processing", at)
        plan, delays, began = plans[index]
        delay = next(delays, None)
        if delay is None:
            missed += 1
            continue
        wait(index, plan, began, *plan.revise(now - began + delay))
    return Replay(lags, polls, missed)


def policy_for(strategy: str, budget: int, schedule: PollSchedule) -> PollPolicy:
    """The policy the bot would build for these settings."""
    if strategy == "fixed":
        return FixedPolicy(schedule)
    return AdaptivePolicy(schedule.timeout, budget, fixed=schedule)
