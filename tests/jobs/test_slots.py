"""The first-come slot queue under the tasks-in-flight cap."""

from __future__ import annotations

import asyncio

from kontext.jobs.slots import SlotQueue


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
    assert not queue.free  # b holds the only slot
    queue.release()
    assert queue.free


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
    assert not queue.free and queue.waiting == 0


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
    assert queue.free


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
    assert queue.waiting == 0 and queue.free  # one of the two slots was given back, to nobody
    await queue.acquire()
    assert not queue.free
