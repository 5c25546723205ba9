"""Reads the tests need and the bot does not: a job by its Discord message, the schema's version."""

from __future__ import annotations

from kontext.models import Job, JobState
from kontext.storage.base import JobStore
from kontext.storage.database import Database
from kontext.storage.schema import current_version


async def job_by_message(storage: JobStore, message_id: int) -> Job | None:
    """The newest job whose placeholder or result message is `message_id`, or None."""
    jobs = [job for job in await storage.jobs_in_states(list(JobState)) if job.message_id == message_id]
    return max(jobs, key=lambda job: (job.created_at, job.id), default=None)


async def schema_version(storage: Database) -> int:
    """The highest migration applied to an open storage's database."""
    async with storage.driver.connection() as conn:
        return await current_version(conn)
