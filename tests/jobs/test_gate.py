"""The status gate: the polls likeliest to find their job done go first, and no poll waits past its bound."""

from __future__ import annotations

import asyncio
import random

import pytest

from kontext.jobs.gate import PriorityLine, StatusGate
from kontext.polling.policy import PollSchedule


class Clock:
    """A hand-moved clock for the gate's waiting bound."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


async def _queue(gate: StatusGate, order: list[str], name: str, priority: float, patience: float | None = None) -> None:
    async with gate.slot(priority, patience):
        order.append(name)


async def _served(
    gate: StatusGate, waiters: list[tuple[str, float, float | None]], clock: Clock, at: float
) -> list[str]:
    """Queue the waiters behind a held gate of one slot, move the clock to `at`, then let them through one by one."""
    await gate.acquire()
    order: list[str] = []
    tasks = [asyncio.create_task(_queue(gate, order, name, priority, patience)) for name, priority, patience in waiters]
    await asyncio.sleep(0)
    assert gate.waiting == len(waiters) and gate.in_flight == 1
    clock.now = at
    gate.release()
    await asyncio.gather(*tasks)
    assert gate.in_flight == 0 and gate.waiting == 0
    return order


async def test_gate_serves_the_likeliest_poll_first_and_equals_in_arrival_order() -> None:
    clock = Clock()
    gate = StatusGate(1, max_wait=0.5, clock=clock)

    order = await _served(
        gate, [("low", 0.1, None), ("high", 0.9, None), ("mid", 0.5, None), ("mid2", 0.5, None)], clock, 0.1
    )

    assert order == ["high", "mid", "mid2", "low"]


async def test_gate_serves_equal_priorities_first_come_first_served_like_the_semaphore_it_replaced() -> None:
    """The fixed schedule ranks every poll the same: its polls keep the order they had."""
    clock = Clock()
    gate = StatusGate(1, max_wait=0.5, clock=clock)
    chance, patience = PollSchedule().urgency(9.0)
    names = [f"job{i}" for i in range(8)]

    order = await _served(gate, [(name, chance, patience) for name in names], clock, 5.0)  # all overdue, too

    assert order == names


async def test_gate_a_poll_held_back_max_wait_goes_before_any_likelier_one() -> None:
    clock = Clock()
    gate = StatusGate(1, max_wait=0.5, clock=clock)
    await gate.acquire()
    order: list[str] = []

    async def hold(name: str, priority: float) -> None:
        await gate.acquire(priority)  # keeps the slot: the test releases it
        order.append(name)

    old = asyncio.create_task(hold("old", 0.0))
    await asyncio.sleep(0)
    clock.now = 0.4
    likely = [asyncio.create_task(hold(f"likely{i}", 0.9)) for i in range(3)]
    await asyncio.sleep(0)

    clock.now = 0.45  # not yet waited max_wait: a likelier one goes
    gate.release()
    await asyncio.sleep(0)
    assert order == ["likely0"]
    clock.now = 0.5  # now it has: it goes before the two likely ones left
    gate.release()
    await asyncio.sleep(0)
    assert order == ["likely0", "old"]
    for _ in range(3):
        gate.release()
        await asyncio.sleep(0)
    await asyncio.gather(old, *likely)
    assert order == ["likely0", "old", "likely1", "likely2"] and gate.in_flight == 0


async def test_gate_a_floor_poll_is_held_back_no_longer_than_its_patience() -> None:
    clock = Clock()
    gate = StatusGate(1, max_wait=0.5, clock=clock)

    order = await _served(gate, [("likely", 0.9, None), ("floor", 0.1, 0.2), ("late", 0.2, None)], clock, 0.25)

    assert order == ["floor", "likely", "late"]


async def test_gate_overdue_polls_go_in_the_order_they_became_due() -> None:
    clock = Clock()
    gate = StatusGate(1, max_wait=0.5, clock=clock)

    order = await _served(gate, [("a", 0.9, None), ("b", 0.1, 0.0), ("c", 0.5, 0.3)], clock, 1.0)

    assert order == ["b", "c", "a"]  # due at 0, 0.3, 0.5


async def test_gate_never_waits_longer_than_max_wait_behind_a_stream_of_likelier_polls() -> None:
    """More polls arrive than are answered, all likelier than one: it still waits at most max_wait (to a tick)."""
    clock = Clock()
    gate = StatusGate(2, max_wait=0.5, clock=clock)
    served: dict[str, float] = {}

    async def poll(name: str, priority: float) -> None:
        await gate.acquire(priority)  # holds the slot: one is released per tick, an answer
        served[name] = clock.now

    await gate.acquire()
    await gate.acquire()
    tasks = [asyncio.create_task(poll("straggler", 0.0))]
    step = 0.05
    for tick in range(40):  # each tick two likelier polls arrive and one answer frees a slot
        tasks += [asyncio.create_task(poll(f"p{tick}-{i}", 0.9)) for i in range(2)]
        await asyncio.sleep(0)
        clock.now += step
        gate.release()
        await asyncio.sleep(0)
    assert gate.waiting > 30  # the line only grew

    assert "straggler" in served and served["straggler"] <= 0.5 + step + 1e-9
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)


async def _two_behind_one(
    first: str, second: str
) -> tuple[StatusGate, list[str], asyncio.Task[None], asyncio.Task[None]]:
    """A gate of one slot, held, with `first` (ranked higher) and `second` waiting in its line."""
    gate = StatusGate(1)
    await gate.acquire()
    order: list[str] = []
    tasks = asyncio.create_task(_queue(gate, order, first, 0.9)), asyncio.create_task(_queue(gate, order, second, 0.1))
    await asyncio.sleep(0)
    return gate, order, *tasks


async def test_gate_cancelled_waiter_leaves_the_line_and_leaks_no_slot() -> None:
    gate, order, leaving, staying = await _two_behind_one("leaving", "staying")
    leaving.cancel()
    await asyncio.gather(leaving, return_exceptions=True)
    assert gate.waiting == 1

    gate.release()
    await staying
    assert order == ["staying"] and gate.in_flight == 0 and gate.waiting == 0


async def test_gate_waiter_cancelled_as_its_slot_is_handed_over_passes_it_on() -> None:
    gate, order, first, second = await _two_behind_one("first", "second")
    gate.release()  # hands the slot to `first`, which has not run yet
    first.cancel()
    await asyncio.gather(first, return_exceptions=True)
    await second

    assert order == ["second"] and gate.in_flight == 0 and gate.waiting == 0


async def test_gate_never_exceeds_its_limit_under_random_priorities_and_cancellations() -> None:
    clock = Clock()
    gate = StatusGate(3, max_wait=0.2, clock=clock)
    rng = random.Random(5)
    inside = peak = 0

    async def poll() -> None:
        nonlocal inside, peak
        async with gate.slot(rng.random(), rng.choice([None, 0.0, 0.1])):
            inside += 1
            peak = max(peak, inside)
            for _ in range(rng.randrange(1, 4)):
                await asyncio.sleep(0)
            inside -= 1

    tasks = [asyncio.create_task(poll()) for _ in range(200)]
    for _ in range(40):
        clock.now += 0.03
        await asyncio.sleep(0)
        for task in rng.sample(tasks, 3):
            task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)

    assert peak == 3 and inside == 0
    assert gate.in_flight == 0 and gate.waiting == 0
    await asyncio.wait_for(gate.acquire(), 1.0)  # a slot is free at once: none leaked


def test_priority_line_skips_discarded_waiters_and_empties() -> None:
    line: PriorityLine[str] = PriorityLine()
    ticket = line.push("a", 0.9, 10.0)
    line.push("b", 0.1, 10.0)
    line.discard(ticket)

    assert len(line) == 1 and line.pop(0.0) == "b" and line.pop(0.0) is None and not line


def test_gate_rejects_a_limit_below_one() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        StatusGate(0)
