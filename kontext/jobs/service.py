"""One generation's life: queue → submit → wait → download → deliver, recorded at every step."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import secrets
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from kontext.api.breaker import CircuitBreaker, GuardedClient
from kontext.api.callbacks import CallbackHub
from kontext.api.client import KontextClient
from kontext.api.errors import GenerationFailed, GenerationTimedOut, KontextError
from kontext.api.status import TaskStatus
from kontext.images.codec import check_result
from kontext.jobs.batches import Batches
from kontext.jobs.budget import Budget, LocalBudget, SharedBudget
from kontext.jobs.delivery import Delivery, Outcome, Progress, ProgressReporter
from kontext.jobs.foreground import Foreground
from kontext.jobs.gate import StatusGate
from kontext.jobs.leases import Leases
from kontext.jobs.records import JobRecords, Superseded
from kontext.jobs.waiting import TaskWaiter
from kontext.models import ACTIVE_STATES, GenerationRequest, Job, JobState
from kontext.polling.adaptive import AdaptivePolicy
from kontext.polling.policy import DurationEstimator, FixedPolicy, PollPlan, PollPolicy, PollSchedule
from kontext.storage.base import LeaseStore, SlotStore
from kontext.storage.outages import StorageRetry, StorageUnavailable

if TYPE_CHECKING:
    from kontext.metrics import Metrics

log = logging.getLogger(__name__)


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
    max_tasks_in_flight: int = 20  # this process's share of the budget
    api_concurrency: int = 24  # the API account's budget: tasks active at once, across every process
    shared_budget: bool = False  # the budget is leased in the database, shared by every process (PostgreSQL)
    slot_poll: float = 0.5  # shared budget: how often a process in want of a slot asks for one freed elsewhere
    max_status_concurrency: int = 5
    max_result_bytes: int = 25_000_000
    callback_grace: float = 20.0  # callback mode: how long to wait for the API's callback before asking ourselves
    storage_retry_limit: float = 120.0  # how long a job step's write is retried through a database outage
    lease: float = 30.0  # a job's lease lasts this long unless renewed (every third of it): then others may take it
    sweep_interval: float = 5.0  # how often a process looks for jobs whose lease lapsed, to take them over


CANCEL_WAIT = 1.0  # seconds a stop waits for cancelled jobs to unwind


class ShuttingDown(Exception):
    """The bot is restarting: new jobs are refused for the few seconds until it is back."""


class SubmitInterrupted(KontextError):
    """The process stopped while a submit was on the wire: the API may have a task, so it is not sent again."""

    def __init__(self) -> None:
        super().__init__("the bot restarted while sending this request; it was not sent again, to avoid paying twice")


def new_job_id() -> str:
    """A short random id: it goes into custom_ids (100 chars max) and log lines."""
    return secrets.token_hex(8)


class JobService:
    """Runs generations against the API under global caps, and records every step in storage.

    Each job this process runs is leased to it (kontext.jobs.leases): a job whose process died is taken over by a
    live one within `lease + sweep_interval` seconds. Every step's write (kontext.jobs.records) retries through a
    database outage and is a compare-and-set on the recorded state and the lease, so nothing is submitted, posted or
    charged twice. The wait for the API is kontext.jobs.waiting; the API budget kontext.jobs.budget.
    """

    def __init__(
        self,
        storage: LeaseStore,
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
        owner: str | None = None,
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
        self.leases = Leases(storage, lease=settings.lease, sweep_interval=settings.sweep_interval, owner=owner)
        self.retry = StorageRetry(settings.storage_retry_limit)
        self.records = JobRecords(storage, self.leases, self.retry)
        # One model plans the polls and makes the estimate users see (`estimator` is for the fixed strategy).
        self.estimator: PollPolicy = (
            AdaptivePolicy(settings.poll.timeout, settings.poll_budget, fixed=settings.poll)
            if settings.poll_strategy == "adaptive"
            else FixedPolicy(settings.poll, estimator)
        )
        self._clock = clock
        self._slots: Budget
        if settings.shared_budget:
            if not isinstance(storage, SlotStore):
                raise TypeError("a budget shared across processes needs a storage with API slots")
            self._slots = SharedBudget(
                storage,
                self.leases,
                self.retry,
                budget=settings.api_concurrency,
                share=settings.max_tasks_in_flight,
                poll=settings.slot_poll,
            )
        else:
            self._slots = LocalBudget(min(settings.max_tasks_in_flight, settings.api_concurrency))
        # The interactions Discord waits for go first when the loop falls behind: each step of a job yields to them.
        self.foreground = Foreground(on_hold=None if metrics is None else metrics.background_held.inc)
        self._waiter = TaskWaiter(
            self.client,
            interval=settings.poll.interval,
            gate=StatusGate(settings.max_status_concurrency),
            foreground=self.foreground,
            callbacks=callbacks,
            grace=settings.callback_grace,
        )
        self.batches = Batches(self, poll=settings.sweep_interval)
        self._tasks: dict[str, asyncio.Task[None]] = {}
        self._starting: set[str] = set()
        self._on_the_wire: set[str] = set()  # jobs submitting or posting now: a stop waits for them to land
        self._wire_clear = asyncio.Event()
        self._wire_clear.set()

    @property
    def owner(self) -> str:
        """This process's name in the leases it holds."""
        return self.leases.owner

    @property
    def running(self) -> int:
        """Jobs this process is working on."""
        return len(self._tasks)

    @property
    def queued(self) -> int:
        """Jobs waiting for a slot under the API budget."""
        return self._slots.waiting

    def first_progress(self, job: Job) -> Progress:
        """What a new job's acknowledgement shows: its estimate when a slot is free (no edit is needed to start
        it), else that it is queued; a batch, its count."""
        if job.is_batch:
            return Progress(JobState.QUEUED, done=0, total=job.batch_size)
        if not self._slots.free:
            return Progress(JobState.QUEUED)
        expected = self.estimator.expected(job.request.mode, job.kind == "edit")
        return Progress(JobState.PENDING, estimate_at=time.time() + expected)

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

    async def find(self, job_id: str) -> Job | None:
        """The job with this id, as last recorded, or None."""
        return await self.storage.get_job(job_id)

    async def count_unfinished(self) -> int:
        """Jobs not yet delivered or failed, in every process sharing the database."""
        return await self.storage.count_jobs(states=ACTIVE_STATES)

    def check_open(self) -> None:
        """Refuse new work at once while shutting down, or while the API or the database is failing."""
        if not self.accepting:
            raise ShuttingDown()
        self.breaker.check()
        self.retry.check()

    async def start(self, job: Job, delivery: Delivery, *, shown: Progress | None = None) -> asyncio.Task[None]:
        """Record the job, leased to this process, and run it in the background; returns its task.

        StorageUnavailable means the record may or may not have been written: a sweep runs the job if it was, and the
        orphan settlement refunds its reservation if it was not (so the caller must not refund it).
        """
        job.lease_owner, job.lease_until = self.owner, self.leases.expiry()
        self.leases.holding = True
        self._starting.add(job.id)  # recorded but not yet launched: not for this process's own sweep to take up
        try:
            await self.records.insert(job)
        finally:
            self._starting.discard(job.id)
        log.info(
            "job %s: accepted (%s, %s micros reserved, user %s, guild %s)",
            job.id,
            job.request.mode,
            job.cost_micros,
            job.user_id,
            job.guild_id,
        )
        if self.metrics is not None:
            self.metrics.job_started()
        return self._launch(job, delivery, shown)

    async def start_batch(
        self, batch: Job, images: Sequence[Job], delivery: Delivery, *, shown: Progress | None = None
    ) -> asyncio.Task[None]:
        """Record a batch and its images together (all or none), leased to this process, and run them all."""
        rows = [batch, *images]
        for job in rows:
            job.lease_owner, job.lease_until = self.owner, self.leases.expiry()
        self.leases.holding = True
        self._starting.update(job.id for job in rows)
        try:
            await self.records.insert_all(rows)
        finally:
            self._starting.difference_update(job.id for job in rows)
        log.info(
            "batch %s: accepted %d images (%s, user %s, guild %s)",
            batch.id,
            len(images),
            batch.request.mode,
            batch.user_id,
            batch.guild_id,
        )
        for image in images:
            if self.metrics is not None:
                self.metrics.job_started()
            self._launch(image, self.batches.delivery_for(image))
        return self._launch(batch, delivery, shown)

    def _launch(self, job: Job, delivery: Delivery, shown: Progress | None = None) -> asyncio.Task[None]:
        running = self._tasks.get(job.id)
        if running is not None:
            return running  # one task per job in a process: two would both pass the lease's checks
        task = asyncio.create_task(self._run(job, delivery, shown), name=f"job-{job.id}")
        self._tasks[job.id] = task
        task.add_done_callback(lambda _: self._tasks.pop(job.id, None))
        return task

    async def resume(self, delivery_for: Callable[[Job], Delivery], *, owns: Callable[[Job], bool]) -> int:
        """Take over every unfinished job `owns` accepts that no live process holds, from its recorded state."""
        claimed = await self.leases.claim_lapsed(owns, lambda job_id: job_id in self._tasks or job_id in self._starting)
        for job in claimed:
            if job.id not in self._tasks:
                self._launch(job, self.batches.delivery_for(job) if job.in_batch else delivery_for(job))
        return len(claimed)

    def keep(self, delivery_for: Callable[[Job], Delivery], *, owns: Callable[[Job], bool]) -> None:
        """Renew this process's leases and take over lapsed ones, in the background, until stop_keeping()."""
        settle_every = max(60.0, self.leases.sweep_interval)
        settled = self._clock()

        async def sweep() -> None:
            nonlocal settled
            if self.accepting:
                taken = await self.resume(delivery_for, owns=owns)
                if taken:
                    log.info("took over %d jobs whose process stopped", taken)
            if self._clock() - settled >= settle_every:
                settled = self._clock()
                await self.settle_orphans()

        self.leases.keep(lambda: self._tasks, sweep)

    async def stop_keeping(self) -> None:
        """Stop renewing and sweeping."""
        await self.leases.stop()

    async def settle_orphans(self, older_than: float = 60.0) -> int:
        """Settle reservations whose job never started or already ended (a crash between the two steps)."""
        if self.ledger is None:
            return 0
        settled = 0
        for reservation in await self.ledger.unsettled(older_than=older_than):
            job = await self.storage.get_job(reservation.job_id)
            if job is not None and not job.state.terminal:
                continue  # still running: the job settles it
            if job is not None and job.in_batch:
                batch = await self.storage.get_job(job.batch_id or "")
                if batch is not None and not batch.state.terminal:
                    continue  # its batch settles its images together when it ends
            if job is not None and job.state == JobState.DELIVERED:
                settled += await self.ledger.commit(reservation.job_id)
            else:
                settled += await self.ledger.refund(reservation.job_id)
        return settled

    async def drain(self, grace: float) -> None:
        """Stop taking jobs; give submits and posts on the wire up to `grace` s to land; hand the rest on."""
        self.accepting = False
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wire_clear.wait(), grace)
        await self.cancel_all()

    async def cancel_all(self) -> None:
        """Stop working on jobs without failing them: they stay in storage as they are, and their leases lapse."""
        await self.stop_keeping()
        tasks = list(self._tasks.values())
        for task in tasks:
            task.cancel()
        if tasks:
            # A job cancelled inside a statement to a database gone silent may wait for its driver to give the
            # connection back (up to DATABASE_TIMEOUT): don't hold a stop for it, the job stays as recorded.
            _, stuck = await asyncio.wait(tasks, timeout=CANCEL_WAIT)
            if stuck:
                log.warning("%d jobs did not stop within %.0f s; leaving them as recorded", len(stuck), CANCEL_WAIT)
        await self._slots.close()
        await self.leases.release()

    @contextlib.contextmanager
    def _on_wire(self, job: Job) -> Iterator[None]:
        """A request whose effect cannot be taken back (submit, post): a stop waits for it to land."""
        self._on_the_wire.add(job.id)
        self._wire_clear.clear()
        try:
            yield
        finally:
            self._on_the_wire.discard(job.id)
            if not self._on_the_wire:
                self._wire_clear.set()

    async def _run(self, job: Job, delivery: Delivery, shown: Progress | None = None) -> None:
        """Take the job from the state it is recorded in to delivered or failed; a new job starts at QUEUED."""
        reporter = ProgressReporter(
            job,
            delivery,
            self.settings.progress_interval,
            shown=shown,  # what the acknowledgement shows: no edit repeats it
            shown_in=lambda message_id: self.records.shown_in(job, message_id),
            turn=self.foreground.wait_turn,
            clock=self._clock,
        )
        try:
            if job.is_batch:
                await self.batches.run(job, delivery, reporter)  # waits for its images, then delivers them as one
                return
            if job.in_batch and job.state in (JobState.FINISHED, JobState.DELIVERING):
                await self.batches.catch_up(job)  # its batch downloads and delivers it
                return
            if job.state == JobState.SUBMITTING:
                raise SubmitInterrupted()  # resumed after a crash mid-submit: resending could bill twice
            if job.state == JobState.DELIVERING:
                shown_in = await delivery.delivered_already(job)
                if shown_in is not None:
                    job.message_id = shown_in
                    await self._delivered(job)  # the crash came after posting: record it, don't post again
                    return
            if job.state in (JobState.QUEUED, JobState.PENDING, JobState.PROCESSING):
                await self._generate(job, reporter)
            if job.in_batch:
                await reporter.close()
                self.batches.changed(job.batch_id or "")
                return
            assert job.result_url is not None
            await self.foreground.wait_turn()
            image = await self._download(job, job.result_url)
            await reporter.close()
            outcome = Outcome(image=image, result_url=job.result_url, seconds=time.time() - job.created_at)
            await self.foreground.wait_turn()
            await self._deliver(job, delivery, outcome)
        except asyncio.CancelledError:
            self.records.forget(job)
            await reporter.close()
            raise
        except Superseded as superseded:
            await reporter.close()
            log.info("job %s: %s; this process lets go", job.id, superseded)
        except StorageUnavailable as error:
            self.records.forget(job)
            await reporter.close()
            log.error("job %s: %s; it stays %s, to go on once the database is back", job.id, error, job.state)
        except Exception as error:
            await reporter.close()
            await self._fail(job, delivery, error)

    async def _generate(self, job: Job, reporter: ProgressReporter) -> None:
        """Submit (when queued) and wait for the API, holding one of the API budget's slots throughout."""
        queued = job.state == JobState.QUEUED
        if queued:
            # Before the slot, not holding it: a job held back for the commands keeps no API capacity idle.
            await self.foreground.wait_turn()
        # Most jobs get a slot at once: only a real wait is worth an edit (the benchmark's first-response p99 and
        # CPU per job both pay for every edit during a burst).
        waits = queued and (not self._slots.free or job.message_id is None)  # the first edit learns the placeholder
        if waits:
            reporter.update(state=JobState.QUEUED)
        on_position = (lambda place: reporter.update(queue_position=place)) if waits else None
        await self._slots.acquire(job.id, on_position, resumed=not queued)
        try:
            if queued:
                if waits:
                    reporter.update(queue_position=None)
                await self._submit(job)
            expected = self.estimator.expected(job.request.mode, job.kind == "edit")
            reporter.update(state=job.state, estimate_at=(job.submitted_at or time.time()) + expected)
            await self._wait(job, reporter)
        except (asyncio.CancelledError, Superseded, StorageUnavailable):
            # This process lets go of the job while its task may still run at the API: the slot stays leased to the
            # job, for the process that goes on with it (or lapses if nothing was sent).
            self._slots.forget(job.id)
            raise
        except BaseException:
            self._slots.release(job.id)  # the task failed, timed out or was never made: nothing counts at the API
            raise
        self._slots.release(job.id)  # the task succeeded: the API no longer counts it

    async def _submit(self, job: Job) -> None:
        if not self.accepting:
            # Stopping (a deploy): a job not yet sent stays queued for the process that takes it over.
            raise Superseded("this process is stopping; the job goes on elsewhere from queued")
        # SUBMITTING is recorded before the request leaves: after a crash it means "may exist at the API". A stop
        # waits for both the record and the request, or the next process would find SUBMITTING and give up on it.
        with self._on_wire(job):
            await self.records.step(job, JobState.SUBMITTING)
            task_id = await self.client.submit(job.request, callback_url=self._callback_url(job.id))
            job.task_id = task_id
            job.submitted_at = time.time()
            # The API has the task (and bills it): its id is never let go of for an outage, however long, or the
            # job would be found at SUBMITTING, refunded and never delivered.
            pending = {"task_id": task_id, "submitted_at": job.submitted_at}
            await self.records.step(job, JobState.PENDING, retry_limit=math.inf, **pending)
        log.debug("job %s: submitted as task %s", job.id, task_id)  # its task is in the delivered or failed line

    async def _wait(self, job: Job, reporter: ProgressReporter) -> TaskStatus:
        """Wait for the API (kontext.jobs.waiting) and record the task's end; a failed task raises GenerationFailed."""
        assert job.task_id is not None
        began = self._clock()
        mode, edit = job.request.mode, job.kind == "edit"
        plan = self.estimator.schedule(mode, edit)

        def elapsed() -> float:
            return self._clock() - began

        async def progressed(status: TaskStatus) -> None:
            if status.state == "processing" and job.state != JobState.PROCESSING:
                if job.in_batch:
                    await self.records.step(job, JobState.PROCESSING)  # its batch shows what its images' records say
                else:
                    # Shown, not written: a restart from PENDING polls the same task and finds it processing; the
                    # record catches up with the next step's write.
                    self.records.note(job, JobState.PROCESSING)
                finish = plan.estimate()  # seconds from submission, now that processing is known to have begun
                if finish is None:
                    reporter.update(state=JobState.PROCESSING)
                else:
                    reporter.update(state=JobState.PROCESSING, estimate_at=time.time() + finish - elapsed())

        status = await self._waiter.wait(
            job.id, job.task_id, plan, timeout=self.estimator.timeout, elapsed=elapsed, on_status=progressed
        )
        await self._finished(job, status, plan, elapsed())
        return status

    async def _finished(self, job: Job, status: TaskStatus, plan: PollPlan, waited: float) -> None:
        """Record a task the API says succeeded, and learn how long it took."""
        seconds = status.cost_time_ms / 1000 if status.cost_time_ms else waited
        self.estimator.observe(job.request.mode, job.kind == "edit", seconds, plan=plan)
        job.result_url = status.result_urls[0]
        job.finished_at = time.time()
        if job.in_batch:  # its batch downloads and delivers it from its record
            await self.records.step(job, JobState.FINISHED, result_url=job.result_url, finished_at=job.finished_at)
        else:
            # Written with DELIVERING, once the image is downloaded and checked: a crash before that resumes from the
            # task's recorded PENDING, asks the API again and gets the same result (nothing is submitted or posted).
            self.records.note(job, JobState.FINISHED, result_url=job.result_url, finished_at=job.finished_at)

    async def _download(self, job: Job, url: str) -> bytes:
        data = await self.client.download(url, max_bytes=self.settings.max_result_bytes)
        # The result host is not ours: only a real image, small enough to decode, is ever uploaded (or decoded).
        await asyncio.to_thread(check_result, data)
        return data

    async def _deliver(self, job: Job, delivery: Delivery, outcome: Outcome) -> None:
        # Record the intent before posting, so a crash in between is visible as DELIVERING and never re-posted blindly.
        with self._on_wire(job):
            await self.records.step(job, JobState.DELIVERING)
            try:
                shown_in = await delivery.succeeded(job, outcome)
                if shown_in is not None:
                    job.message_id = shown_in  # recorded with the delivery, in the next write
            except Exception:
                # The answer was lost, not necessarily the post: a result that reached the user stays delivered.
                shown_in = await _shows_result(delivery, job)
                if shown_in is None:
                    raise
                job.message_id = shown_in
                log.info("job %s: the post raised but the result is there; counting it delivered", job.id)
            log.info(
                "job %s: task %s delivered in %.1fs (its charge is committed next)",
                job.id,
                job.task_id,
                outcome.seconds,
            )
            await self._delivered(job)  # the record and the charge too, before a stop lets the process go

    async def _delivered(self, job: Job) -> None:
        """Record a result the user has; never raises: delivered stays delivered, whatever the bookkeeping says."""
        try:
            await self._record_delivered(job)
        except Exception as error:
            # The record catches up when a sweep finds the job DELIVERING and the result in its message.
            log.warning("job %s: delivered, but recording it failed (%s); it is recorded later", job.id, error)

    async def _record_delivered(self, job: Job) -> None:
        if job.is_batch:
            await self.batches.settle(job, delivered=True)  # its images first: a crash in between settles again
        job.delivered_at = time.time()
        await self.records.step(job, JobState.DELIVERED, delivered_at=job.delivered_at)
        if self.ledger is not None and not job.is_batch:
            ledger = self.ledger
            await self.retry.run(f"job {job.id}: commit", lambda: ledger.commit(job.id))
        if self.metrics is not None and not job.is_batch:  # a batch's images are counted as each is settled
            self.metrics.job_delivered(lag=job.delivered_at - job.finished_at if job.finished_at else None)

    async def _fail(self, job: Job, delivery: Delivery, error: BaseException) -> None:
        code, message = _failure_fields(error)
        if isinstance(error, KontextError):
            log.info("job %s: failed: %s", job.id, code)
        else:
            log.exception("job %s: crashed", job.id, exc_info=error)
        try:
            await self.records.step(job, JobState.FAILED, fail_code=code, fail_message=message, finished_at=time.time())
        except Superseded as superseded:
            log.info("job %s: %s; this process lets go", job.id, superseded)
            return
        except StorageUnavailable as outage:
            log.error("job %s: %s; it stays %s, to go on once the database is back", job.id, outage, job.state)
            return
        job.fail_code, job.fail_message = code, message
        if self.metrics is not None and not job.is_batch:  # its images were counted as each failed
            self.metrics.job_failed(error)
        # No image reached the user, so the reserved cost goes back: whatever the API may have billed the owner.
        refunded = False
        if self.ledger is not None and not job.in_batch:  # a batch settles its images' charges when it ends
            ledger = self.ledger
            try:
                if job.is_batch:
                    refunded = await self.batches.settle(job, delivered=False)
                else:
                    refunded = await self.retry.run(f"job {job.id}: refund", lambda: ledger.refund(job.id))
            except StorageUnavailable:
                log.error("job %s: the refund waits for the database (settled with the orphans)", job.id)
        try:
            shown_in = await delivery.failed(job, error, refunded=refunded)
        except Exception:
            log.exception("job %s: could not tell the user about the failure", job.id)
            return
        await self.records.shown_in(job, shown_in)


async def _shows_result(delivery: Delivery, job: Job) -> int | None:
    try:
        return await delivery.delivered_already(job)
    except Exception:
        return None


def _failure_fields(error: BaseException) -> tuple[str, str]:
    """The fail code and message to keep in the job record."""
    if isinstance(error, GenerationFailed):
        return error.fail_code or "UNKNOWN", error.fail_msg or ""
    if isinstance(error, GenerationTimedOut):
        return "TIMEOUT", str(error)
    return type(error).__name__, str(error)[:500]
