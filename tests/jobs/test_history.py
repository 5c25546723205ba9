"""HistoryService: pages of a member's delivered images, on every backend."""

from __future__ import annotations

from kontext.jobs.history import HistoryService
from kontext.models import JobState
from kontext.storage.base import Storage
from tests.storage.test_storage import make_job


async def test_history_page_boundaries_at_an_exact_multiple_of_the_page_size(storage: Storage) -> None:
    for i in range(20):
        await storage.insert_job(make_job(f"j{i:02}", created_at=100.0 + i, guild_id=5, user_id=7, state="delivered"))
    await storage.insert_job(make_job("failed", created_at=500.0, guild_id=5, user_id=7, state=JobState.FAILED))
    history = HistoryService(storage, page_size=10)

    first = await history.page(5, 7, page=0, before=1000.0)
    second = await history.page(5, 7, page=1, before=1000.0)
    beyond = await history.page(5, 7, page=2, before=1000.0)

    assert [job.id for job in first.jobs] == [f"j{i:02}" for i in range(19, 9, -1)]
    assert (first.has_newer, first.has_older) == (False, True)
    assert [job.id for job in second.jobs] == [f"j{i:02}" for i in range(9, -1, -1)]
    assert (second.has_newer, second.has_older) == (True, False)
    assert beyond.jobs == [] and not beyond.has_older
    assert [job.id for job in (await history.page(5, 7, page=0, before=105.0)).jobs] == [
        f"j{i:02}" for i in (4, 3, 2, 1, 0)
    ]


async def test_history_job_in_guild_hides_other_servers_jobs(storage: Storage) -> None:
    await storage.insert_job(make_job("mine", guild_id=5, user_id=7))
    history = HistoryService(storage)
    assert (await history.job_in_guild("mine", 5)) is not None
    assert await history.job_in_guild("mine", 6) is None
    assert await history.job_in_guild("missing", 5) is None
