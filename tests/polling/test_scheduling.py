"""The poll schedule, the duration estimator, the fixed policy and the first-come slot queue."""

from __future__ import annotations

import asyncio

import pytest

from kontext.polling.policy import DurationEstimator, FixedPolicy, PollSchedule, SlotQueue


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


async def test_slot_queue_serves_in_order_and_reports_positions() -> None:
    queue = SlotQueue(1)
    await queue.acquire()
    positions: dict[str, list[int]] = {"a": [], "b": []}
    order: list[str] = []

    async def wait(name: str) -> None:
        await queue.acquire(on_position=positions[name].append)
        order.append(name)

    first = asyncio.create_task(wait("a"))
    second = asyncio.create_task(wait("b"))
    await asyncio.sleep(0)
    assert queue.waiting == 2
    queue.release()
    await first
    assert order == ["a"]
    assert positions["b"] == [2, 1]
    queue.release()
    await second
    assert order == ["a", "b"]
    assert queue.in_use == 1
    queue.release()
    assert queue.in_use == 0


async def test_slot_queue_cancelled_waiter_leaves_the_line() -> None:
    queue = SlotQueue(1)
    await queue.acquire()
    positions: list[int] = []
    leaving = asyncio.create_task(queue.acquire())
    staying = asyncio.create_task(queue.acquire(on_position=positions.append))
    await asyncio.sleep(0)
    leaving.cancel()
    await asyncio.gather(leaving, return_exceptions=True)
    assert positions == [2, 1]
    queue.release()
    await staying
    assert queue.in_use == 1 and queue.waiting == 0


async def test_slot_queue_never_exceeds_capacity() -> None:
    queue = SlotQueue(3)
    peak = 0
    inside = 0

    async def worker() -> None:
        nonlocal peak, inside
        await queue.acquire()
        inside += 1
        peak = max(peak, inside)
        await asyncio.sleep(0)
        inside -= 1
        queue.release()

    await asyncio.gather(*(worker() for _ in range(50)))
    assert peak == 3
    assert queue.in_use == 0


async def test_slot_queue_survives_everyone_being_cancelled_while_slots_are_released() -> None:
    queue = SlotQueue(2)
    holders = [asyncio.create_task(queue.acquire()) for _ in range(2)]
    await asyncio.gather(*holders)
    waiters = [asyncio.create_task(queue.acquire()) for _ in range(5)]
    await asyncio.sleep(0)
    for task in waiters:
        task.cancel()
    queue.release()  # skips the cancelled futures
    results = await asyncio.gather(*waiters, return_exceptions=True)
    assert all(isinstance(result, asyncio.CancelledError) for result in results)
    assert queue.waiting == 0 and queue.in_use == 1


def test_fixed_policy_is_the_reference_schedule_with_the_median_estimate() -> None:
    schedule = PollSchedule(first_delay=8.0, interval=3.0, timeout=120.0)
    policy = FixedPolicy(schedule)
    for seconds in (10.0, 20.0, 30.0):
        policy.observe("max", False, seconds)

    assert policy.schedule("max", False) is schedule
    assert policy.timeout == 120.0
    assert policy.expected("max", False) == 20.0 and policy.expected("pro", False) == 12.0
