"""One generation's life: queue → submit → wait → download → deliver, recorded at every step."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import secrets
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Protocol

from kontext.client import (
    GenerationFailed,
    GenerationTimedOut,
    KontextClient,
    KontextError,
    TaskStatus,
)
from kontext.models import GenerationRequest, Job, JobState
from kontext.scheduling import DurationEstimator, PollSchedule, SlotQueue
from kontext.storage import Storage

log = logging.getLogger(__name__)

Sleep = Callable[[float], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class Progress:
    """What the user should see while a job runs."""

    state: JobState
    queue_position: int | None = None
    estimate_at: float | None = None  # unix time the image is expected


@dataclass(frozen=True, slots=True)
class Outcome:
    """A finished generation, downloaded."""

    image: bytes
    result_url: str
    seconds: float  # from accepting the job to having the image


class Delivery(Protocol):
    """How the domain shows a job to its requester; the Discord cog implements it."""

    async def progress(self, job: Job, progress: Progress) -> None: ...

    async def succeeded(self, job: Job, outcome: Outcome) -> None: ...

    async def failed(self, job: Job, error: BaseException, *, refunded: bool) -> None: ...


class Ledger(Protocol):
    """Settles a job's reserved cost (the quota service): commit once it delivered, refund when it did not."""

    async def commit(self, job_id: str) -> bool: ...

    async def refund(self, job_id: str) -> bool: ...


@dataclass(frozen=True, slots=True)
class JobSettings:
    """The knobs of the job flow, in seconds and counts."""

    poll: PollSchedule = field(default_factory=PollSchedule)
    progress_interval: float = 3.0
    max_tasks_in_flight: int = 20
    max_status_concurrency: int = 5
    max_result_bytes: int = 25_000_000


def new_job_id() -> str:
    """A short random id: it goes into custom_ids (100 chars max) and log lines."""
    return secrets.token_hex(8)


class ProgressReporter:
    """Sends progress only when it changed, and no more often than `interval`, always ending on the latest."""

    def __init__(self, job: Job, delivery: Delivery, interval: float, *, clock: Callable[[], float] = time.monotonic):
        self._job = job
        self._delivery = delivery
        self._interval = interval
        self._clock = clock
        self._latest: Progress | None = None
        self._sent: Progress | None = None
        self._last_sent_at = float("-inf")
        self._flusher: asyncio.Task[None] | None = None
        self._sending = False
        self._closed = False

    def update(self, **changes: object) -> None:
        """Merge `changes` into what the user sees and schedule an edit if that differs from the last one."""
        if self._closed:
            return
        base = self._latest or Progress(state=self._job.state)
        self._latest = dataclasses.replace(base, **changes)  # type: ignore[arg-type]
        if self._latest != self._sent and (self._flusher is None or self._flusher.done()):
            self._flusher = asyncio.create_task(self._flush(), name=f"progress-{self._job.id}")

    async def _flush(self) -> None:
        while self._latest is not None and self._latest != self._sent and not self._closed:
            wait = self._last_sent_at + self._interval - self._clock()
            if wait > 0:
                await asyncio.sleep(wait)
                continue
            snapshot = self._latest
            self._last_sent_at = self._clock()
            self._sending = True
            try:
                await self._delivery.progress(self._job, snapshot)
            except Exception:
                # A lost progress edit is cosmetic; the result delivery has its own error handling.
                log.warning("job %s: progress edit failed", self._job.id, exc_info=True)
            finally:
                self._sending = False
            self._sent = snapshot

    async def close(self) -> None:
        """Stop reporting; wait for an edit already on the wire so it cannot overwrite the result."""
        self._closed = True
        if self._flusher is not None and not self._flusher.done():
            if not self._sending:
                self._flusher.cancel()  # only a wait is interrupted, never an edit halfway through
            with contextlib.suppress(asyncio.CancelledError):
                await self._flusher


class JobService:
    """Runs generations against the API under global caps, and records every step in storage."""

    def __init__(
        self,
        storage: Storage,
        client: KontextClient,
        settings: JobSettings,
        *,
        estimator: DurationEstimator | None = None,
        ledger: Ledger | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.storage = storage
        self.ledger = ledger
        self.client = client
        self.settings = settings
        self.estimator = estimator or DurationEstimator()
        self._clock = clock
        self._slots = SlotQueue(settings.max_tasks_in_flight)
        self._status_gate = asyncio.Semaphore(settings.max_status_concurrency)
        self._tasks: dict[str, asyncio.Task[None]] = {}

    @property
    def running(self) -> int:
        """Jobs this process is working on."""
        return len(self._tasks)

    @property
    def queued(self) -> int:
        """Jobs waiting for a slot under the tasks-in-flight cap."""
        return self._slots.waiting

    def new_job(
        self, request: GenerationRequest, *, user_id: int, channel_id: int, guild_id: int | None, **extra
    ) -> Job:
        """A job record for a validated request, not yet stored."""
        return Job(
            id=new_job_id(),
            user_id=user_id,
            channel_id=channel_id,
            guild_id=guild_id,
            request=request,
            kind="edit" if request.image_url else "imagine",
            **extra,
        )

    async def start(self, job: Job, delivery: Delivery) -> asyncio.Task[None]:
        """Record the job and run it in the background; returns its task."""
        await self.storage.insert_job(job)
        log.info("job %s: accepted (%s, user %s, guild %s)", job.id, job.request.mode, job.user_id, job.guild_id)
        task = asyncio.create_task(self._run(job, delivery), name=f"job-{job.id}")
        self._tasks[job.id] = task
        task.add_done_callback(lambda _: self._tasks.pop(job.id, None))
        return task

    async def wait_idle(self) -> None:
        """Wait for every running job (tests and shutdown)."""
        while self._tasks:
            await asyncio.gather(*self._tasks.values(), return_exceptions=True)

    async def cancel_all(self) -> None:
        """Stop working on jobs without failing them: they stay in storage as they are."""
        tasks = list(self._tasks.values())
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    async def _run(self, job: Job, delivery: Delivery) -> None:
        reporter = ProgressReporter(job, delivery, self.settings.progress_interval, clock=self._clock)
        started = self._clock()
        try:
            reporter.update(state=JobState.QUEUED)
            await self._slots.acquire(on_position=lambda place: reporter.update(queue_position=place))
            try:
                reporter.update(queue_position=None)
                await self._submit(job)
                expected = self.estimator.expected(job.request.mode, job.kind == "edit")
                reporter.update(state=JobState.PENDING, estimate_at=time.time() + expected)
                status = await self._wait(job, reporter)
            finally:
                self._slots.release()
            image = await self._download(job, status)
            await reporter.close()
            outcome = Outcome(image=image, result_url=status.result_urls[0], seconds=self._clock() - started)
            await self._deliver(job, delivery, outcome)
        except asyncio.CancelledError:
            await reporter.close()
            raise
        except Exception as error:
            await reporter.close()
            await self._fail(job, delivery, error)

    async def _submit(self, job: Job) -> None:
        await self._set_state(job, JobState.SUBMITTING)
        task_id = await self.client.submit(job.request)
        job.task_id = task_id
        job.submitted_at = time.time()
        await self._set_state(job, JobState.PENDING, task_id=task_id, submitted_at=job.submitted_at)
        log.info("job %s: submitted as task %s", job.id, task_id)

    async def _wait(self, job: Job, reporter: ProgressReporter) -> TaskStatus:
        """Poll until the task is done or the time limit passes."""
        assert job.task_id is not None
        began = self._clock()
        schedule = self.settings.poll
        for delay in schedule.delays(lambda: self._clock() - began):
            await asyncio.sleep(delay)
            async with self._status_gate:
                status = await self.client.status(job.task_id)
            log.debug("job %s: task %s is %s", job.id, job.task_id, status.state)
            if status.state == "success":
                self.estimator.observe(job.request.mode, job.kind == "edit", self._cost_seconds(status, began))
                job.result_url = status.result_urls[0]
                job.finished_at = time.time()
                await self._set_state(job, JobState.FINISHED, result_url=job.result_url, finished_at=job.finished_at)
                return status
            if status.state == "failed":
                raise GenerationFailed(status.fail_code, status.fail_msg, task_id=job.task_id)
            if status.state == "processing" and job.state != JobState.PROCESSING:
                await self._set_state(job, JobState.PROCESSING)
                reporter.update(state=JobState.PROCESSING)
        raise GenerationTimedOut(job.task_id, schedule.timeout)

    def _cost_seconds(self, status: TaskStatus, began: float) -> float:
        if status.cost_time_ms:
            return status.cost_time_ms / 1000
        return self._clock() - began

    async def _download(self, job: Job, status: TaskStatus) -> bytes:
        return await self.client.download(status.result_urls[0], max_bytes=self.settings.max_result_bytes)

    async def _deliver(self, job: Job, delivery: Delivery, outcome: Outcome) -> None:
        # Record the intent before posting, so a crash in between is visible as DELIVERING and never re-posted blindly.
        await self._set_state(job, JobState.DELIVERING)
        await delivery.succeeded(job, outcome)
        job.delivered_at = time.time()
        await self._set_state(job, JobState.DELIVERED, delivered_at=job.delivered_at)
        if self.ledger is not None:
            await self.ledger.commit(job.id)
        log.info("job %s: delivered in %.1fs", job.id, outcome.seconds)

    async def _fail(self, job: Job, delivery: Delivery, error: BaseException) -> None:
        code, message = _failure_fields(error)
        if isinstance(error, KontextError):
            log.info("job %s: failed: %s", job.id, code)
        else:
            log.exception("job %s: crashed", job.id, exc_info=error)
        job.fail_code, job.fail_message = code, message
        await self._set_state(job, JobState.FAILED, fail_code=code, fail_message=message, finished_at=time.time())
        # No image reached the user, so the reserved cost goes back: whatever the API may have billed the owner.
        refunded = self.ledger is not None and await self.ledger.refund(job.id)
        try:
            await delivery.failed(job, error, refunded=refunded)
        except Exception:
            log.exception("job %s: could not tell the user about the failure", job.id)

    async def _set_state(self, job: Job, state: JobState, **fields: object) -> None:
        job.state = state
        await self.storage.update_job(job.id, state=state, **fields)


def _failure_fields(error: BaseException) -> tuple[str, str]:
    """The fail code and message to keep in the job record."""
    if isinstance(error, GenerationFailed):
        return error.fail_code or "UNKNOWN", error.fail_msg or ""
    if isinstance(error, GenerationTimedOut):
        return "TIMEOUT", str(error)
    return type(error).__name__, str(error)[:500]
