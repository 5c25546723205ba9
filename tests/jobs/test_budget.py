"""The API budget shared by processes through the database (kontext.jobs.budget.SharedBudget), and the local one."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from typing import Any

import aiohttp
import pytest

from kontext.jobs.budget import LocalBudget, SharedBudget
from kontext.jobs.leases import Leases
from kontext.models import GenerationRequest, JobState
from kontext.storage.base import Storage
from kontext.storage.outages import StorageRetry
from tests.fakes.apixo import FakeApixo
from tests.storage.storage_faults import StorageFaults
from tests.storage.test_storage import StorageFactory, make_job

POLL = 0.01
FAST_RETRY = {"base_delay": 0.001, "max_delay": 0.01}


class Process:
    """One process's view: its own storage connection, leases and budget."""

    def __init__(self, storage: Storage, name: str, *, budget: int, lease: float, share: int | None = None) -> None:
        self.storage = storage
        self.leases = Leases(storage, lease=lease, sweep_interval=lease / 3, owner=name)
        self.budget = SharedBudget(
            storage, self.leases, StorageRetry(5.0, **FAST_RETRY), budget=budget, share=share, poll=POLL
        )

    def keep(self) -> None:
        """Renew its leases in the background, as the job service does."""
        self.leases.keep(lambda: [], _nothing)

    async def stop(self) -> None:
        await self.leases.stop()
        await self.budget.close()


async def _nothing() -> None:
    return None


@pytest.fixture
async def processes(make_storage: StorageFactory) -> AsyncIterator[Callable[..., Process]]:
    made: list[Process] = []

    async def start(name: str, *, budget: int, lease: float = 30.0, share: int | None = None) -> Process:
        storage = make_storage()
        await storage.open()
        made.append(Process(storage, name, budget=budget, lease=lease, share=share))
        return made[-1]

    yield start  # type: ignore[misc]
    for process in made:
        await process.stop()


async def test_shared_budget_caps_the_slots_of_two_processes_together(processes: Callable[..., Process]) -> None:
    a, b = await processes("a", budget=3), await processes("b", budget=3)
    active = peak = 0

    async def job(process: Process, job_id: str) -> None:
        nonlocal active, peak
        await process.budget.acquire(job_id)
        active += 1
        peak = max(peak, active)
        await asyncio.sleep(0.02)
        active -= 1
        process.budget.release(job_id)

    await asyncio.wait_for(asyncio.gather(*(job((a, b)[n % 2], f"job-{n}") for n in range(12))), 20)
    assert peak == 3
    await asyncio.sleep(0.05)  # the last releases land in the background
    assert await a.storage.held_slots() == []


async def test_shared_budget_a_process_holds_at_most_its_share(processes: Callable[..., Process]) -> None:
    a = await processes("a", budget=4, share=2)
    await a.budget.acquire("job-1")
    await a.budget.acquire("job-2")
    third = asyncio.create_task(a.budget.acquire("job-3"))
    await asyncio.sleep(POLL * 5)
    assert not third.done() and a.budget.waiting == 1 and len(await a.storage.held_slots()) == 2
    a.budget.release("job-1")
    await asyncio.wait_for(third, 5)
    assert a.budget.held == {"job-2", "job-3"}


async def test_shared_budget_slots_of_a_dead_process_come_back_within_the_lease(
    processes: Callable[..., Process],
) -> None:
    lease = 0.5
    dead, live = await processes("dead", budget=2, lease=lease), await processes("live", budget=2, lease=lease)
    await dead.budget.acquire("job-1")
    await dead.budget.acquire("job-2")  # then it dies: nothing renews these
    loop = asyncio.get_running_loop()
    began = loop.time()
    await asyncio.wait_for(live.budget.acquire("job-3"), lease + 5)
    waited = loop.time() - began
    assert waited >= lease / 2, "a live lease is never taken"
    assert waited <= lease + 2.0, f"came back {waited:.2f}s after the death"


async def test_shared_budget_renewed_slots_outlive_the_lease(processes: Callable[..., Process]) -> None:
    lease = 0.3
    holder, other = await processes("holder", budget=1, lease=lease), await processes("other", budget=1, lease=lease)
    holder.keep()
    await holder.budget.acquire("job-1")
    waiter = asyncio.create_task(other.budget.acquire("job-2"))
    await asyncio.sleep(lease * 4)
    assert not waiter.done(), "a renewed slot stays its holder's"
    holder.budget.release("job-1")
    await asyncio.wait_for(waiter, 5)


async def test_shared_budget_a_renewal_lost_to_an_outage_is_made_up_before_the_lease_lapses(
    processes: Callable[..., Process],
) -> None:
    lease = 0.6
    holder, other = await processes("holder", budget=1, lease=lease), await processes("other", budget=1, lease=lease)
    faults = StorageFaults(holder.storage)
    holder.keep()
    await holder.budget.acquire("job-1")
    waiter = asyncio.create_task(other.budget.acquire("job-2"))
    for _ in range(20):  # until an outage meets a renewal (every third of the lease): on a busy machine, ticks drift
        await faults.outage(lease / 4)  # a renewal refused, the next one lands
        await asyncio.sleep(lease / 2)
        if faults.refused["renew_slots"] + faults.refused["renew_leases"] > 0:
            break
    assert faults.refused["renew_slots"] + faults.refused["renew_leases"] > 0, "a renewal met the outage"
    assert not waiter.done(), "the slot stayed its holder's"
    holder.budget.release("job-1")
    await asyncio.wait_for(waiter, 5)


async def test_shared_budget_a_taken_over_job_keeps_the_slot_its_task_counts_against(
    processes: Callable[..., Process],
) -> None:
    lease = 0.2
    dead, live = await processes("dead", budget=1, lease=lease), await processes("live", budget=1, lease=lease)
    await dead.storage.insert_job(make_job("job-1", state=JobState.PENDING, task_id="task-1"))
    await dead.budget.acquire("job-1")  # submitted, then the process dies
    waiter = asyncio.create_task(live.budget.acquire("job-2"))
    await asyncio.sleep(lease * 3)
    assert not waiter.done(), "the API still counts the dead process's task"
    await asyncio.wait_for(live.budget.acquire("job-1", resumed=True), 1)  # taken over: ahead of the line
    assert live.budget.held == {"job-1"}
    await live.storage.update_job("job-1", state=JobState.FINISHED)
    live.budget.release("job-1")
    await asyncio.wait_for(waiter, 5)


async def test_shared_budget_a_stop_frees_the_slots_of_jobs_not_yet_sent(processes: Callable[..., Process]) -> None:
    stopping, other = await processes("stopping", budget=1), await processes("other", budget=1)
    await stopping.budget.acquire("job-1")
    stopping.leases.holding = True
    waiter = asyncio.create_task(other.budget.acquire("job-2"))
    await asyncio.sleep(POLL * 5)
    assert not waiter.done()
    stopping.budget.forget("job-1")
    await stopping.leases.release()  # a SIGTERM: the job goes on elsewhere from queued
    await asyncio.wait_for(waiter, 5)


async def test_shared_budget_a_cancelled_waiter_leaves_the_line(processes: Callable[..., Process]) -> None:
    a = await processes("a", budget=1)
    await a.budget.acquire("job-1")
    cancelled = asyncio.create_task(a.budget.acquire("job-2"))
    later = asyncio.create_task(a.budget.acquire("job-3"))
    await asyncio.sleep(POLL * 5)
    cancelled.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await cancelled
    a.budget.release("job-1")
    await asyncio.wait_for(later, 5)
    await asyncio.sleep(POLL * 5)
    assert a.budget.held == {"job-3"} and [s.job_id for s in await a.storage.held_slots()] == ["job-3"]


async def test_shared_budget_a_waiter_cancelled_while_its_slot_is_taken_passes_it_on(
    processes: Callable[..., Process],
) -> None:
    a = await processes("a", budget=1)
    await a.budget.acquire("job-1")
    gate = asyncio.Event()
    take = a.storage.take_slot

    async def slow_take(*args: Any, **kwargs: Any) -> int | None:
        await gate.wait()
        return await take(*args, **kwargs)

    a.storage.take_slot = slow_take  # type: ignore[method-assign]
    first = asyncio.create_task(a.budget.acquire("job-2"))
    second = asyncio.create_task(a.budget.acquire("job-3"))
    await asyncio.sleep(POLL * 5)
    a.budget.release("job-1")
    await asyncio.sleep(POLL * 5)  # the release landed; job-2's take waits at the gate
    first.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await first
    gate.set()
    await asyncio.wait_for(second, 5)
    await asyncio.sleep(POLL * 5)
    assert a.budget.held == {"job-3"} and [s.job_id for s in await a.storage.held_slots()] == ["job-3"]


async def test_shared_budget_rides_out_database_failures_without_losing_a_job_or_a_slot(
    processes: Callable[..., Process],
) -> None:
    a, b = await processes("a", budget=2), await processes("b", budget=2)
    faults = StorageFaults(a.storage)
    # Answers lost on the way back: the take and the release happened in the database, the process heard nothing.
    faults.lose_answers(lambda name, args, kwargs: name in ("take_slot", "release_slot") and faults.lost[name] < 2)
    await asyncio.wait_for(a.budget.acquire("job-1"), 5)
    assert faults.lost["take_slot"] == 2
    assert [(s.slot, s.job_id) for s in await b.storage.held_slots()] == [(1, "job-1")], "one slot, not two"
    faults.outage_on(lambda name, args, kwargs: name == "take_slot", 0.1)  # the database gone for a moment
    await asyncio.wait_for(a.budget.acquire("job-2"), 5)
    assert faults.refused["take_slot"] > 0
    a.budget.release("job-1")
    a.budget.release("job-2")
    for _ in range(200):
        if not await b.storage.held_slots():
            break
        await asyncio.sleep(POLL)
    assert await b.storage.held_slots() == [], "every slot released in the end"
    assert faults.lost["release_slot"] == 2
    await asyncio.wait_for(b.budget.acquire("job-3"), 1)


async def test_local_budget_is_the_in_memory_line_with_places() -> None:
    budget = LocalBudget(1)
    await budget.acquire("job-1")
    places: list[int] = []
    waiter = asyncio.create_task(budget.acquire("job-2", places.append))
    await asyncio.sleep(0)
    assert places == [1] and budget.waiting == 1
    budget.release("job-1")
    await asyncio.wait_for(waiter, 1)


async def test_fake_api_counts_the_most_tasks_active_at_once() -> None:
    api = FakeApixo(generation_time=1.0)
    await api.start()
    try:
        body = {"request_type": "async", "input": GenerationRequest(prompt="a fox").to_input()}
        async with aiohttp.ClientSession(headers={"Authorization": "Bearer k"}) as session:
            for _ in range(3):
                async with session.post(f"{api.base_url}/generateTask/flux-kontext", json=body) as response:
                    assert response.status == 200, await response.text()
        assert api.max_active() == 3
        for task in api.tasks.values():
            task.created -= 10  # they ended long ago: three in a row, never two at once
        for n, task in enumerate(api.tasks.values()):
            task.created += 2 * n
        assert api.max_active() == 1
    finally:
        await api.close()
