"""One generation's life: queue → submit → wait → download → deliver, recorded at every step."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol, TypeVar

from kontext.adaptive import AdaptivePolicy
from kontext.breaker import CircuitBreaker, GuardedClient
from kontext.callbacks import CallbackHub, wait_for_result
from kontext.client import (
    GenerationFailed,
    GenerationTimedOut,
    KontextClient,
    KontextError,
    TaskStatus,
)
from kontext.delivery import Delivery, Outcome, ProgressReporter
from kontext.models import ACTIVE_STATES, GenerationRequest, Job, JobState
from kontext.scheduling import (
    DurationEstimator,
    FixedPolicy,
    PollPlan,
    PollPolicy,
    PollSchedule,
    SlotQueue,
)
from kontext.storage import Storage

if TYPE_CHECKING:
    from kontext.metrics import Metrics

log = logging.getLogger(__name__)

Sleep = Callable[[float], Awaitable[None]]
T = TypeVar("T")


class Settleable(Protocol):
    job_id: str


class Ledger(Protocol):
    """Settles a job's reserved cost (the quota service): commit once it delivered, refund when it did not."""

    async def commit(self, job_id: str) -> bool: ...

    async def refund(self, job_id: str) -> bool: ...

    async def unsettled(self, *, older_than: float = ..., limit: int = ...) -> Sequence[Settleable]: ...


@dataclass(frozen=True, slots=True)
class JobSettings:
    """The knobs of the job flow, in seconds and counts."""

    poll: PollSchedule = field(default_factory=PollSchedule)
    poll_strategy: str = "adaptive"  # adaptive (AdaptivePolicy, `poll` its floor) or fixed (`poll`)
    poll_budget: int = 20
    progress_interval: float = 3.0
    max_tasks_in_flight: int = 20
    max_status_concurrency: int = 5
    max_result_bytes: int = 25_000_000
    callback_grace: float = 20.0  # callback mode: how long to wait for the API's callback before asking ourselves


class ShuttingDown(Exception):
    """The bot is restarting: new jobs are refused for the few seconds until it is back."""


class SubmitInterrupted(KontextError):
    """The process stopped while a submit was on the wire: the API may have a task, so it is not sent again."""

    def __init__(self) -> None:
        super().__init__("the bot restarted while sending this request; it was not sent again, to avoid paying twice")


class Superseded(Exception):
    """Another process moved this job on first (both resumed it during an overlapping deploy): this one lets go."""


def new_job_id() -> str:
    """A short random id: it goes into custom_ids (100 chars max) and log lines."""
    return secrets.token_hex(8)


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
        breaker: CircuitBreaker | None = None,
        callbacks: CallbackHub | None = None,
        callback_url: Callable[[str], str | None] = lambda job_id: None,
        metrics: Metrics | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.storage = storage
        self.ledger = ledger
        self.breaker = breaker or CircuitBreaker()
        self.client = GuardedClient(client, self.breaker)
        self.accepting = True
        self.callbacks = callbacks
        self._callback_url = callback_url
        self.metrics = metrics
        self.settings = settings
        # One model plans the polls and makes the estimate users see (`estimator` is for the fixed strategy).
        self.estimator: PollPolicy = (
            AdaptivePolicy(settings.poll.timeout, settings.poll_budget, fixed=settings.poll)
            if settings.poll_strategy == "adaptive"
            else FixedPolicy(settings.poll, estimator)
        )
        self._clock = clock
        self._slots = SlotQueue(settings.max_tasks_in_flight)
        self._status_gate = asyncio.Semaphore(settings.max_status_concurrency)
        self._tasks: dict[str, asyncio.Task[None]] = {}
        self._submitting: set[str] = set()
        self._no_submits = asyncio.Event()
        self._no_submits.set()

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

    def check_open(self) -> None:
        """Refuse new work at once while shutting down or while the API is failing (ServiceUnavailableNow)."""
        if not self.accepting:
            raise ShuttingDown()
        self.breaker.check()

    async def start(self, job: Job, delivery: Delivery) -> asyncio.Task[None]:
        """Record the job and run it in the background; returns its task."""
        await self.storage.insert_job(job)
        log.info("job %s: accepted (%s, user %s, guild %s)", job.id, job.request.mode, job.user_id, job.guild_id)
        if self.metrics is not None:
            self.metrics.job_started()
        return self._launch(job, delivery)

    def _launch(self, job: Job, delivery: Delivery) -> asyncio.Task[None]:
        task = asyncio.create_task(self._run(job, delivery), name=f"job-{job.id}")
        self._tasks[job.id] = task
        task.add_done_callback(lambda _: self._tasks.pop(job.id, None))
        return task

    async def resume(self, delivery_for: Callable[[Job], Delivery], *, owns: Callable[[Job], bool]) -> int:
        """After a restart, pick up every unfinished job this process owns, from the state it was recorded in."""
        resumed = 0
        for job in await self.storage.jobs_in_states(ACTIVE_STATES):
            if job.id in self._tasks or not owns(job):
                continue
            log.info("job %s: resuming from %s", job.id, job.state)
            self._launch(job, delivery_for(job))
            resumed += 1
        return resumed

    async def settle_orphans(self, older_than: float = 60.0) -> int:
        """Settle reservations whose job never started or already ended (a crash between the two steps)."""
        if self.ledger is None:
            return 0
        settled = 0
        for reservation in await self.ledger.unsettled(older_than=older_than):
            job = await self.storage.get_job(reservation.job_id)
            if job is not None and not job.state.terminal:
                continue  # still running: resume settles it
            if job is not None and job.state == JobState.DELIVERED:
                settled += await self.ledger.commit(reservation.job_id)
            else:
                settled += await self.ledger.refund(reservation.job_id)
        return settled

    async def drain(self, grace: float) -> None:
        """Stop taking jobs; give submits on the wire up to `grace` seconds to land; leave the rest resumable."""
        self.accepting = False
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._no_submits.wait(), grace)
        await self.cancel_all()

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
        """Take the job from the state it is recorded in to delivered or failed; a new job starts at QUEUED."""
        reporter = ProgressReporter(job, delivery, self.settings.progress_interval, clock=self._clock)
        try:
            if job.state == JobState.SUBMITTING:
                raise SubmitInterrupted()  # resumed after a crash mid-submit: resending could bill twice
            if job.state == JobState.DELIVERING and await delivery.delivered_already(job):
                await self._delivered(job)  # the crash came after posting: record it, don't post again
                return
            if job.state in (JobState.QUEUED, JobState.PENDING, JobState.PROCESSING):
                await self._generate(job, reporter)
            assert job.result_url is not None
            image = await self._download(job, job.result_url)
            await reporter.close()
            outcome = Outcome(image=image, result_url=job.result_url, seconds=time.time() - job.created_at)
            await self._deliver(job, delivery, outcome)
        except asyncio.CancelledError:
            await reporter.close()
            raise
        except Superseded:
            await reporter.close()
            log.info("job %s: another process carried it on from %s; this one lets go", job.id, job.state)
        except Exception as error:
            await reporter.close()
            await self._fail(job, delivery, error)

    async def _generate(self, job: Job, reporter: ProgressReporter) -> None:
        """Submit (when queued) and wait for the API, holding one of the tasks-in-flight slots throughout."""
        queued = job.state == JobState.QUEUED
        # Most jobs get a slot at once: only a real wait is worth an edit (the benchmark's first-response p99 and
        # CPU per job both pay for every edit during a burst).
        waits = queued and (not self._slots.free or job.message_id is None)  # the first edit learns the placeholder
        if waits:
            reporter.update(state=JobState.QUEUED)
        await self._slots.acquire(on_position=(lambda place: reporter.update(queue_position=place)) if waits else None)
        try:
            if queued:
                if waits:
                    reporter.update(queue_position=None)
                await self._submit(job)
            expected = self.estimator.expected(job.request.mode, job.kind == "edit")
            reporter.update(state=job.state, estimate_at=(job.submitted_at or time.time()) + expected)
            await self._wait(job, reporter)
        finally:
            self._slots.release()

    async def _submit(self, job: Job) -> None:
        # SUBMITTING is recorded before the request leaves: after a crash it means "may exist at the API".
        await self._set_state(job, JobState.SUBMITTING)
        self._submitting.add(job.id)
        self._no_submits.clear()
        try:
            task_id = await self.client.submit(job.request, callback_url=self._callback_url(job.id))
            job.task_id = task_id
            job.submitted_at = time.time()
            await self._set_state(job, JobState.PENDING, task_id=task_id, submitted_at=job.submitted_at)
        finally:
            self._submitting.discard(job.id)
            if not self._submitting:
                self._no_submits.set()
        log.info("job %s: submitted as task %s", job.id, task_id)

    async def _wait(self, job: Job, reporter: ProgressReporter) -> TaskStatus:
        """Poll as the policy plans until the task is done or the time limit passes."""
        assert job.task_id is not None
        began = self._clock()
        mode, edit = job.request.mode, job.kind == "edit"
        plan = self.estimator.schedule(mode, edit)

        def elapsed() -> float:
            return self._clock() - began

        async def progressed(status: TaskStatus) -> None:
            plan.note(status.state, elapsed())
            log.debug("job %s: task %s is %s", job.id, job.task_id, status.state)
            if status.state == "processing" and job.state != JobState.PROCESSING:
                await self._set_state(job, JobState.PROCESSING)
                finish = plan.estimate()  # seconds from submission, now that processing is known to have begun
                if finish is None:
                    reporter.update(state=JobState.PROCESSING)
                else:
                    reporter.update(state=JobState.PROCESSING, estimate_at=time.time() + finish - elapsed())

        if self.callbacks is not None:
            # Callback mode: wake on the API's callback (confirmed by a status query), poll only when it is late.
            status = await wait_for_result(
                self.callbacks,
                self.client,
                job.id,
                job.task_id,
                grace=self.settings.callback_grace,
                interval=self.settings.poll.interval,
                timeout=self.estimator.timeout,
                gate=self._status_gate,
                on_status=progressed,
                elapsed=elapsed,
            )
            return await self._finished(job, status, plan, began)
        for delay in plan.delays(elapsed):
            await asyncio.sleep(delay)
            async with self._status_gate:
                status = await self.client.status(job.task_id)
            if status.done:
                return await self._finished(job, status, plan, began)
            await progressed(status)
        raise GenerationTimedOut(job.task_id, self.estimator.timeout)

    async def _finished(self, job: Job, status: TaskStatus, plan: PollPlan, began: float) -> TaskStatus:
        """Record a task the API says is done; a failed one raises GenerationFailed."""
        assert job.task_id is not None
        if status.state == "failed":
            raise GenerationFailed(status.fail_code, status.fail_msg, task_id=job.task_id)
        plan.note(status.state, self._clock() - began)
        self.estimator.observe(job.request.mode, job.kind == "edit", self._cost_seconds(status, began), plan=plan)
        job.result_url = status.result_urls[0]
        job.finished_at = time.time()
        await self._set_state(job, JobState.FINISHED, result_url=job.result_url, finished_at=job.finished_at)
        return status

    def _cost_seconds(self, status: TaskStatus, began: float) -> float:
        if status.cost_time_ms:
            return status.cost_time_ms / 1000
        return self._clock() - began

    async def _download(self, job: Job, url: str) -> bytes:
        return await self.client.download(url, max_bytes=self.settings.max_result_bytes)

    async def _deliver(self, job: Job, delivery: Delivery, outcome: Outcome) -> None:
        # Record the intent before posting, so a crash in between is visible as DELIVERING and never re-posted blindly.
        await self._set_state(job, JobState.DELIVERING)
        await delivery.succeeded(job, outcome)
        await self._delivered(job)
        log.info("job %s: delivered in %.1fs", job.id, outcome.seconds)

    async def _delivered(self, job: Job) -> None:
        job.delivered_at = time.time()
        await self._set_state(job, JobState.DELIVERED, delivered_at=job.delivered_at)
        if self.ledger is not None:
            await self.ledger.commit(job.id)
        if self.metrics is not None:
            self.metrics.job_delivered(lag=job.delivered_at - job.finished_at if job.finished_at else None)

    async def _fail(self, job: Job, delivery: Delivery, error: BaseException) -> None:
        code, message = _failure_fields(error)
        if isinstance(error, KontextError):
            log.info("job %s: failed: %s", job.id, code)
        else:
            log.exception("job %s: crashed", job.id, exc_info=error)
        try:
            await self._set_state(job, JobState.FAILED, fail_code=code, fail_message=message, finished_at=time.time())
        except Superseded:
            log.info("job %s: another process carried it on from %s; this one lets go", job.id, job.state)
            return
        job.fail_code, job.fail_message = code, message
        if self.metrics is not None:
            self.metrics.job_failed(error)
        # No image reached the user, so the reserved cost goes back: whatever the API may have billed the owner.
        refunded = self.ledger is not None and await self.ledger.refund(job.id)
        try:
            await delivery.failed(job, error, refunded=refunded)
        except Exception:
            log.exception("job %s: could not tell the user about the failure", job.id)

    async def _set_state(self, job: Job, state: JobState, **fields: object) -> None:
        # Compare-and-set from the state this process last recorded: when two processes run the same job (both
        # resumed it during an overlapping deploy), only one takes each step, so nothing is submitted, posted,
        # charged or refunded twice; the other raises Superseded and lets go.
        if not await self.storage.transition(job.id, [job.state], state, **fields):
            raise Superseded(job.id)
        job.state = state


def _failure_fields(error: BaseException) -> tuple[str, str]:
    """The fail code and message to keep in the job record."""
    if isinstance(error, GenerationFailed):
        return error.fail_code or "UNKNOWN", error.fail_msg or ""
    if isinstance(error, GenerationTimedOut):
        return "TIMEOUT", str(error)
    return type(error).__name__, str(error)[:500]
