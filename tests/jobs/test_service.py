"""JobService records what its deliveries report: the message a job is shown in, when a new one replaced it."""

from __future__ import annotations

import asyncio
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


class Counting:
    """A delivery that counts its posts and notes what the record said when the result was posted."""

    def __init__(self, storage: Storage) -> None:
        self.storage = storage
        self.posts = 0
        self.recorded_at_post: Job | None = None

    async def delivered_already(self, job: Job) -> int | None:
        return None

    async def progress(self, job: Job, progress: Progress) -> int | None:
        return None

    async def succeeded(self, job: Job, outcome: Outcome) -> int | None:
        self.posts += 1
        self.recorded_at_post = await self.storage.get_job(job.id)
        return None

    async def failed(self, job: Job, error: BaseException, *, refunded: bool) -> int | None:
        return None


def _record_steps(storage: Storage) -> list[JobState]:
    """The states every compare-and-set on the storage asks for, in order."""
    steps: list[JobState] = []
    transition = storage.transition

    async def recorded(job_id: str, expected: object, new: JobState, **kwargs: object) -> bool:
        steps.append(JobState(new))
        return await transition(job_id, expected, new, **kwargs)  # type: ignore[arg-type]

    storage.transition = recorded  # type: ignore[method-assign]
    return steps


async def test_job_service_records_processing_and_finished_with_the_delivering_write(
    service: tuple[JobService, FakeApixo], storage: Storage
) -> None:
    # Deliberate: PROCESSING is shown, not written (a restart from PENDING polls the same task), and FINISHED's result
    # is written with DELIVERING, before the post: four writes for a job instead of six.
    jobs, _ = service
    steps = _record_steps(storage)
    delivery = Counting(storage)

    recorded = await _run(jobs, storage, delivery)

    assert steps == [JobState.SUBMITTING, JobState.PENDING, JobState.DELIVERING, JobState.DELIVERED]
    at_post = delivery.recorded_at_post
    assert at_post is not None and at_post.state == JobState.DELIVERING
    assert at_post.result_url is not None and at_post.finished_at is not None  # a resumed DELIVERING job has its URL
    assert recorded.state == JobState.DELIVERED and recorded.result_url == at_post.result_url


async def test_job_service_fails_a_finished_job_whose_download_fails_from_its_recorded_state(
    service: tuple[JobService, FakeApixo], storage: Storage
) -> None:
    jobs, api = service
    api.fail_download(404, times=None)

    recorded = await _run(jobs, storage, Counting(storage))

    assert recorded.state == JobState.FAILED
    assert recorded.result_url is not None  # the finished task's result, written with the failure


async def test_job_service_resumes_a_job_stopped_between_its_task_finishing_and_its_post_and_posts_once(
    service: tuple[JobService, FakeApixo], storage: Storage
) -> None:
    jobs, api = service
    api.hang_download()  # the task finished; this process stops while downloading its result
    delivery = Counting(storage)
    job = jobs.new_job(GenerationRequest("stopped mid-download"), user_id=1, channel_id=2, guild_id=3)
    job.message_id = PLACEHOLDER
    await jobs.start(job, delivery)
    while api.downloads == 0:  # noqa: ASYNC110 - the fake counts downloads
        await asyncio.sleep(0.005)
    await jobs.cancel_all()

    left = await storage.get_job(job.id)
    assert left is not None and left.state == JobState.PENDING and left.task_id is not None  # what a crash leaves

    other = JobService(storage, jobs.client.client, jobs.settings, owner="the-next-process")
    assert await other.resume(lambda job: delivery, owns=lambda job: True) == 1
    await idle(other)

    final = await storage.get_job(job.id)
    assert final is not None and final.state == JobState.DELIVERED and final.lease_owner == "the-next-process"
    assert (len(api.submits), delivery.posts) == (1, 1)
