"""A member's history in a server: their delivered images, newest first, a page at a time, and one job to show again."""

from __future__ import annotations

from dataclasses import dataclass

from kontext.models import Job, JobState
from kontext.storage.base import JobStore

PAGE_SIZE = 10
# Only images that reached Discord: a failed job was refunded and has nothing to show or link to.
SHOWN_STATES: tuple[JobState, ...] = (JobState.DELIVERED,)


@dataclass(frozen=True, slots=True)
class HistoryPage:
    """One page of a member's images: page 0 is the newest; `before` pins the list to what existed when first asked."""

    jobs: list[Job]
    page: int
    has_older: bool
    before: float

    @property
    def has_newer(self) -> bool:
        return self.page > 0


class HistoryService:
    """Reads a member's past jobs; the Discord side decides who may see whose."""

    def __init__(self, storage: JobStore, *, page_size: int = PAGE_SIZE) -> None:
        self.storage = storage
        self.page_size = page_size

    async def page(self, guild_id: int | None, user_id: int, *, page: int, before: float) -> HistoryPage:
        """Page `page` (0: newest) of the user's images in the guild created before `before`."""
        page = max(page, 0)
        jobs = await self.storage.recent_jobs(
            guild_id, user_id, SHOWN_STATES, limit=self.page_size + 1, offset=page * self.page_size, before=before
        )
        return HistoryPage(jobs[: self.page_size], page, len(jobs) > self.page_size, before)

    async def recent(self, guild_id: int | None, user_id: int, *, limit: int = 25) -> list[Job]:
        """The user's latest images in the guild (for choosing one to show)."""
        return await self.storage.recent_jobs(guild_id, user_id, SHOWN_STATES, limit=limit)

    async def job_in_guild(self, job_id: str, guild_id: int | None) -> Job | None:
        """The job with this id if it was made in this guild (None: a personal job); None otherwise.

        Another server's ids reveal nothing.
        """
        job = await self.storage.get_job(job_id)
        return job if job is not None and job.guild_id == guild_id else None
