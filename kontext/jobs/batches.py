"""Batches: N images of one request, each its own job (task, lease, charge), shown and delivered in one message.

A batch is one row that owns the message (`Job.is_batch`: no task of its own) and one job row per image
(`Job.in_batch`). Each image runs the ordinary job flow up to FINISHED (result recorded) or FAILED, then stops: its
delivery only wakes the batch. The batch row waits until every image has ended, showing "k of N done", downloads the
finished ones, and posts them together through the ordinary delivery step (DELIVERING recorded before the post, so a
restart checks the message before posting again: one message, exactly once). Then, images first and the batch row
last, each delivered image is marked DELIVERED and its charge committed, each failed one refunded.

Why one row per image: refunds, leases, resume after a restart and the Edit and Re-roll buttons all stay per image
and reuse the single-image code; only the waiting and the one post are new. The images' charges are settled together
when the batch ends, because the first image's charge also holds the member's one in-flight slot for the whole batch.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from typing import TYPE_CHECKING

from kontext.api.errors import GenerationFailed, GenerationTimedOut, KontextError
from kontext.jobs.delivery import Outcome, Progress, ProgressReporter, Shot
from kontext.models import Job, JobState

if TYPE_CHECKING:
    from kontext.jobs.delivery import Delivery
    from kontext.jobs.service import JobService

log = logging.getLogger(__name__)

# An image has ended for its batch: its result is recorded (or delivered), or it failed.
ENDED: frozenset[JobState] = frozenset({JobState.FINISHED, JobState.DELIVERING, JobState.DELIVERED, JobState.FAILED})
_RUNNING_ORDER = (JobState.PROCESSING, JobState.PENDING, JobState.SUBMITTING, JobState.QUEUED)


class BatchFailed(KontextError):
    """Every image of a batch failed; `shots` says why each did."""

    def __init__(self, shots: tuple[Shot, ...]) -> None:
        self.shots = shots
        super().__init__(f"all {len(shots)} images of the batch failed")


def recorded_failure(job: Job) -> BaseException:
    """The error a failed job's record describes (when the failing process's own error object is gone)."""
    if job.fail_code == "TIMEOUT":
        return GenerationTimedOut(job.task_id or "?", 0.0)
    return GenerationFailed(job.fail_code, job.fail_message, task_id=job.task_id)


class ImageDelivery:
    """The Delivery of one image of a batch: it shows nothing itself, it wakes the batch (which shows it all)."""

    def __init__(self, batches: Batches, job: Job) -> None:
        self._batches = batches
        self._batch_id = job.batch_id or ""

    async def progress(self, job: Job, progress: Progress) -> int | None:
        self._batches.changed(self._batch_id)
        return None

    async def succeeded(self, job: Job, outcome: Outcome) -> int | None:
        raise RuntimeError("an image of a batch is delivered by its batch")  # never called: the flow stops at FINISHED

    async def failed(self, job: Job, error: BaseException, *, refunded: bool) -> int | None:
        self._batches.errors[job.id] = error
        self._batches.changed(self._batch_id)
        return None

    async def delivered_already(self, job: Job) -> int | None:
        return None


class Batches:
    """Waits for a batch's images, delivers them once, and settles their charges; one per JobService."""

    def __init__(self, service: JobService, *, poll: float) -> None:
        self._service = service
        self._poll = poll  # another process may run some images: their ends are read from storage this often
        self._events: dict[str, asyncio.Event] = {}
        self.errors: dict[str, BaseException] = {}  # image job id → why it failed, while this process remembers

    def delivery_for(self, job: Job) -> Delivery:
        """The delivery of one image of a batch."""
        return ImageDelivery(self, job)

    def changed(self, batch_id: str) -> None:
        """One of the batch's images moved on (in this process): wake its batch."""
        self._events.setdefault(batch_id, asyncio.Event()).set()

    async def images(self, batch: Job) -> list[Job]:
        """The batch's images as recorded now."""
        storage = self._service.storage
        return await self._service.retry.run(
            f"batch {batch.id}: reading its images", lambda: storage.batch_jobs(batch.id)
        )

    async def run(self, batch: Job, delivery: Delivery, reporter: ProgressReporter) -> None:
        """Take a batch from waiting for its images to delivered (or failed, when every image failed)."""
        service = self._service
        try:
            shown_in = await delivery.delivered_already(batch) if batch.state == JobState.DELIVERING else None
            if shown_in is not None:
                batch.message_id = shown_in
                await service._delivered(batch)  # the crash came after posting: record it, don't post again
                return
            images = await self._wait(batch, reporter)
            shots = await asyncio.gather(*(self._shot(image) for image in images))
            await reporter.close()
            made = [shot for shot in shots if shot.image is not None]
            if not made:
                raise BatchFailed(tuple(shots))
            first = made[0]
            assert first.image is not None and first.job.result_url is not None
            outcome = Outcome(
                image=first.image, result_url=first.job.result_url, seconds=time.time() - batch.created_at, shots=shots
            )
            await service._deliver(batch, delivery, outcome)
        finally:
            self._events.pop(batch.id, None)

    async def _wait(self, batch: Job, reporter: ProgressReporter) -> list[Job]:
        """Until every image has ended, showing how many have."""
        event = self._events.setdefault(batch.id, asyncio.Event())
        while True:
            event.clear()
            images = await self.images(batch)
            done = sum(image.state in ENDED for image in images)
            running = {image.state for image in images}
            state = next((s for s in _RUNNING_ORDER if s in running), JobState.FINISHED)
            reporter.update(state=state, done=done, total=batch.batch_size)
            if len(images) >= batch.batch_size and done == len(images):
                return images
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(event.wait(), self._poll)

    async def _shot(self, image: Job) -> Shot:
        """One image's bytes (downloaded now), or why it failed; a failed download fails that image alone."""
        if image.state == JobState.FAILED:
            return Shot(image, error=self.errors.pop(image.id, None) or recorded_failure(image))
        assert image.result_url is not None
        try:
            return Shot(image, image=await self._service._download(image, image.result_url))
        except Exception as error:
            log.info("batch %s: image %s could not be downloaded (%s)", image.batch_id, image.id, error)
            code, message = type(error).__name__, str(error)[:500]
            fields = {"fail_code": code, "fail_message": message, "finished_at": time.time()}
            if await self._move(image, JobState.FAILED, **fields) and self._service.metrics is not None:
                self._service.metrics.job_failed(error)
            return Shot(image, error=error)

    async def _move(self, image: Job, state: JobState, **fields: object) -> bool:
        """Move an ended image on for its batch (the batch row's lease is the authority once its images have ended)."""
        storage = self._service.storage
        expected = [JobState.FINISHED, JobState.DELIVERING]
        return await self._service.retry.run(
            f"job {image.id}: {image.state} -> {state}",
            lambda: storage.transition(image.id, expected, state, **fields),
        )

    async def settle(self, batch: Job, *, delivered: bool) -> bool:
        """Settle every image: delivered ones (when the batch was) committed, the rest failed and refunded.

        Idempotent (a restart may settle again); True when every image not delivered is refunded.
        """
        ledger, retry = self._service.ledger, self._service.retry
        refunded = True
        for image in await self.images(batch):
            if image.state in (JobState.FINISHED, JobState.DELIVERING):
                metrics = self._service.metrics
                if delivered:
                    now = time.time()
                    if await self._move(image, JobState.DELIVERED, delivered_at=now, message_id=batch.message_id):
                        if metrics is not None:
                            metrics.job_delivered(lag=now - image.finished_at if image.finished_at else None)
                    image.state = JobState.DELIVERED
                else:
                    failure = BatchFailed(())
                    if await self._move(image, JobState.FAILED, fail_code="BatchFailed", finished_at=time.time()):
                        if metrics is not None:
                            metrics.job_failed(failure)
                    image.state = JobState.FAILED
            if ledger is None:
                continue
            if image.state == JobState.DELIVERED:
                await retry.run(f"job {image.id}: commit", lambda job_id=image.id: ledger.commit(job_id))
            elif image.state == JobState.FAILED:
                await retry.run(f"job {image.id}: refund", lambda job_id=image.id: ledger.refund(job_id))
            else:
                refunded = False
        return refunded

    async def catch_up(self, image: Job) -> None:
        """An ended image found again by the lease sweep: settle it if its batch ended without doing so (a crash)."""
        batch = await self._service.storage.get_job(image.batch_id or "")
        if batch is None or batch.state.terminal:
            if batch is not None:
                await self.settle(batch, delivered=batch.state == JobState.DELIVERED)
            return
        self.changed(batch.id)
