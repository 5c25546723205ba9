"""The API budget's slots in the database (kontext.storage.slots), on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio

from kontext.models import JobState
from kontext.storage.base import Storage
from tests.storage.test_storage import StorageFactory, make_job

NOW = 1_700_000_000.0
LATER = NOW + 30


async def test_slots_take_up_to_the_budget_and_no_more(storage: Storage) -> None:
    await storage.add_slots(3)
    taken = [await storage.take_slot(f"job-{n}", "a", LATER, now=NOW, budget=3) for n in range(4)]
    assert taken == [1, 2, 3, None]
    assert [(s.slot, s.job_id, s.owner) for s in await storage.held_slots()] == [
        (1, "job-0", "a"),
        (2, "job-1", "a"),
        (3, "job-2", "a"),
    ]


async def test_slots_a_released_slot_goes_to_the_next_job(storage: Storage) -> None:
    await storage.add_slots(1)
    assert await storage.take_slot("job-1", "a", LATER, now=NOW, budget=1) == 1
    assert not await storage.release_slot("job-1", "someone else"), "only its holder frees a slot"
    assert await storage.take_slot("job-2", "a", LATER, now=NOW, budget=1) is None
    assert await storage.release_slot("job-1", "a")
    assert await storage.take_slot("job-2", "b", LATER, now=NOW, budget=1) == 1


async def test_slots_a_retried_take_gets_the_same_slot_not_a_second(storage: Storage) -> None:
    await storage.add_slots(2)
    assert await storage.take_slot("job-1", "a", LATER, now=NOW, budget=2) == 1
    assert await storage.take_slot("job-1", "a", LATER + 1, now=NOW, budget=2) == 1  # its answer was lost: asked again
    assert await storage.take_slot("job-2", "a", LATER, now=NOW, budget=2) == 2


async def test_slots_a_lapsed_lease_frees_the_slot(storage: Storage) -> None:
    await storage.add_slots(1)
    await storage.insert_job(make_job("job-1"))  # queued: nothing was sent to the API
    assert await storage.take_slot("job-1", "dead", NOW + 5, now=NOW, budget=1) == 1
    assert await storage.take_slot("job-2", "live", LATER, now=NOW + 4, budget=1) is None, "still leased"
    assert await storage.take_slot("job-2", "live", LATER, now=NOW + 6, budget=1) == 1, "lapsed"


async def test_slots_of_a_task_still_at_the_api_stay_with_its_job_until_reclaimed(storage: Storage) -> None:
    await storage.add_slots(1)
    await storage.insert_job(make_job("job-1", state=JobState.PENDING, task_id="task-1"))
    assert await storage.take_slot("job-1", "dead", NOW + 5, now=NOW, budget=1) == 1
    assert await storage.take_slot("job-2", "live", LATER, now=NOW + 6, budget=1) is None, "the API still counts it"
    assert await storage.reclaim_slot("job-1", "live", LATER) == 1, "the process that takes the job over keeps it"
    assert await storage.reclaim_slot("job-9", "live", LATER) is None
    await storage.update_job("job-1", state=JobState.FINISHED)
    assert await storage.release_slot("job-1", "live")
    assert await storage.take_slot("job-2", "live", LATER, now=NOW + 6, budget=1) == 1


async def test_slots_renewed_leases_hold_and_a_stop_lapses_them(storage: Storage) -> None:
    await storage.add_slots(2)
    assert await storage.take_slot("job-1", "a", NOW + 5, now=NOW, budget=2) == 1
    assert await storage.take_slot("job-2", "a", NOW + 5, now=NOW, budget=2) == 2
    assert await storage.renew_slots("a", ["job-1"], NOW + 50) == 1
    assert await storage.take_slot("job-3", "b", LATER, now=NOW + 10, budget=2) == 2, "job-2's lapsed"
    assert await storage.take_slot("job-4", "b", LATER, now=NOW + 10, budget=2) is None, "job-1's renewed"
    assert await storage.lapse_slots("a") == 1
    assert await storage.take_slot("job-4", "b", LATER, now=NOW + 10, budget=2) == 1


async def test_slots_a_smaller_budget_uses_the_first_slots_only(storage: Storage) -> None:
    await storage.add_slots(4)
    await storage.add_slots(4)  # idempotent
    assert await storage.take_slot("job-1", "a", LATER, now=NOW, budget=1) == 1
    assert await storage.take_slot("job-2", "a", LATER, now=NOW, budget=1) is None


async def test_slots_concurrent_takers_on_separate_connections_never_exceed_the_budget(
    make_storage: StorageFactory,
) -> None:
    processes = [make_storage() for _ in range(3)]
    for process in processes:
        await process.open()
    await processes[0].add_slots(4)
    taken = await asyncio.gather(
        *(processes[n % 3].take_slot(f"job-{n}", f"owner-{n % 3}", LATER, now=NOW, budget=4) for n in range(30))
    )
    granted = [slot for slot in taken if slot is not None]
    assert sorted(granted) == [1, 2, 3, 4]
    assert len(await processes[1].held_slots()) == 4
