"""JobService records what its deliveries report: the message a job is shown in, when a new one replaced it."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest

from kontext.api.client import KontextClient
from kontext.jobs.delivery import Outcome, Progress
from kontext.jobs.service import JobService, JobSettings
from kontext.models import GenerationRequest, Job, JobState
from kontext.polling.policy import PollSchedule
from kontext.storage.base import Storage
from tests.fakes.apixo import FakeApixo
from tests.harness import FAST_RETRY, idle

PLACEHOLDER, MOVED, RESULT, FAILURE = 100, 200, 300, 400


class Moving:
    """A delivery whose placeholder is gone: progress lands in a new message, and so do the result or the failure."""

    def __init__(self, storage: Storage) -> None:
        self.storage = storage
        self.recorded_before_result: int | None = None

    async def delivered_already(self, job: Job) -> int | None:
        return None

    async def progress(self, job: Job, progress: Progress) -> int | None:
        return MOVED

    async def succeeded(self, job: Job, outcome: Outcome) -> int | None:
        recorded = await self.storage.get_job(job.id)
        self.recorded_before_result = recorded.message_id if recorded else None
        return RESULT

    async def failed(self, job: Job, error: BaseException, *, refunded: bool) -> int | None:
        return FAILURE


@pytest.fixture
async def service(storage: Storage) -> AsyncIterator[tuple[JobService, FakeApixo]]:
    api = FakeApixo(generation_time=0.1, pending_time=0.01)
    await api.start()
    async with aiohttp.ClientSession() as session:
        client = KontextClient(session, "test-api-key", api.base_url, retry=FAST_RETRY)
        settings = JobSettings(poll=PollSchedule(0.01, 0.01, 5.0), poll_strategy="fixed", progress_interval=0.0)
        try:
            yield JobService(storage, client, settings), api
        finally:
            await api.close()


async def _run(jobs: JobService, storage: Storage, delivery: Moving) -> Job:
    job = jobs.new_job(GenerationRequest("a moving target"), user_id=1, channel_id=2, guild_id=3)
    job.message_id = PLACEHOLDER
    await jobs.start(job, delivery)
    await idle(jobs)
    recorded = await storage.get_job(job.id)
    assert recorded is not None
    return recorded


async def test_job_service_records_the_messages_its_delivery_moved_to(
    service: tuple[JobService, FakeApixo], storage: Storage
) -> None:
    jobs, _ = service
    delivery = Moving(storage)

    recorded = await _run(jobs, storage, delivery)

    assert recorded.state == JobState.DELIVERED
    assert delivery.recorded_before_result == MOVED  # a progress edit's new message was recorded at once
    assert recorded.message_id == RESULT


async def test_job_service_records_the_message_a_failure_was_posted_in(
    service: tuple[JobService, FakeApixo], storage: Storage
) -> None:
    jobs, api = service
    api.outcome(lambda body: ("failed", "NSFW", "flagged"))

    recorded = await _run(jobs, storage, Moving(storage))

    assert (recorded.state, recorded.fail_code, recorded.message_id) == (JobState.FAILED, "NSFW", FAILURE)


async def test_job_service_counts_unfinished_jobs_for_the_status_command(
    service: tuple[JobService, FakeApixo], storage: Storage
) -> None:
    jobs, _ = service
    for state in (JobState.QUEUED, JobState.PROCESSING, JobState.DELIVERED, JobState.FAILED):
        job = jobs.new_job(GenerationRequest("counted"), user_id=1, channel_id=2, guild_id=3)
        job.state = state
        await storage.insert_job(job)

    assert await jobs.count_unfinished() == 2
