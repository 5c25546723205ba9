"""A job's record, written step by step: each step a compare-and-set on the recorded state and the lease.

When two processes could run the same job (an overlapping deploy, a takeover after a lapsed lease), only the lease
holder takes each step, so nothing is submitted, posted, charged or refunded twice. Every write rides out a database
outage (kontext.storage.outages) and is idempotent: a write whose answer was lost is recognised as this process's own.
"""

from __future__ import annotations

import logging
import time

from kontext.jobs.leases import Leases
from kontext.models import Job, JobState
from kontext.storage.base import DuplicateJobError, Storage
from kontext.storage.outages import StorageRetry

log = logging.getLogger(__name__)


class Superseded(Exception):
    """Another live process holds the job's lease (it took the job over), or the record moved on: this one lets go."""


class JobRecords:
    """Writes a job's steps for this process (the lease holder `leases.owner`), retried through outages."""

    def __init__(self, storage: Storage, leases: Leases, retry: StorageRetry) -> None:
        self.storage = storage
        self.leases = leases
        self.retry = retry
        # Jobs moved on in memory but not in storage yet (JobRecords.note): the state recorded, and the fields the
        # next step writes along with its own.
        self._unrecorded: dict[str, tuple[JobState, dict[str, object]]] = {}

    def note(self, job: Job, state: JobState, **fields: object) -> None:
        """Move the job on in memory only: its next step records `state`'s fields along with its own, in one write.

        Only for a state a restart needs no record of: one resumed from the state still recorded does the same (a job
        recorded PENDING polls its task again, finds it processing or finished and goes on from there), and nothing
        irreversible (a submit, a post, a charge) happens between this note and the next step.
        """
        recorded, pending = self._unrecorded.get(job.id, (job.state, {}))
        self._unrecorded[job.id] = (recorded, {**pending, **fields})
        job.state = state

    def forget(self, job: Job) -> None:
        """Drop what note() kept of a job this process lets go of (it resumes from its record)."""
        self._unrecorded.pop(job.id, None)

    async def insert(self, job: Job) -> None:
        """Record a new job; an insert whose answer was lost and that committed counts as done."""
        await self.insert_all([job])

    async def insert_all(self, jobs: list[Job]) -> None:
        """Record new jobs together (a batch and its images: all or none); a lost answer that committed counts done."""
        tried = False
        storage = self.storage

        async def insert() -> None:
            nonlocal tried
            try:
                await (storage.insert_job(jobs[0]) if len(jobs) == 1 else storage.insert_jobs(jobs))
            except DuplicateJobError:
                if not tried:
                    raise
                # An earlier attempt committed but its answer was lost (the connection died on its way back).
            finally:
                tried = True

        # The user has been answered ("thinking…"): the job is theirs, so its record rides out an outage like any step.
        await self.retry.run(f"job {jobs[0].id}: recording it", insert)

    async def shown_in(self, job: Job, message_id: int | None) -> None:
        """Record the message a delivery now shows the job in, when it changed (a new post for a lost placeholder)."""
        if message_id is None or message_id == job.message_id:
            return
        job.message_id = message_id
        storage = self.storage
        try:
            await self.retry.run(
                f"job {job.id}: recording its message", lambda: storage.update_job(job.id, message_id=message_id)
            )
        except Exception as error:
            # Never a reason to fail a job that reached its user: the job's next state write records it too.
            log.warning("job %s: could not record its new message %s (%s)", job.id, message_id, error)

    async def step(self, job: Job, state: JobState, *, retry_limit: float | None = None, **fields: object) -> None:
        """Move the job on in storage, renewing this process's lease; retried through outages, idempotent."""
        # A compare-and-set on the recorded state and on the lease: when two processes could run the same job (an
        # overlapping deploy, a takeover after a lapsed lease), only the lease holder takes each step, so nothing is
        # submitted, posted, charged or refunded twice.
        owner = self.leases.owner
        expected, noted = self._unrecorded.get(job.id, (job.state, {}))
        fields = {**noted, **fields}
        fields.setdefault("message_id", job.message_id)  # a placeholder replaced by a new message, recorded for sure

        raised = False

        async def attempt() -> tuple[bool, Job | None]:
            nonlocal raised
            until = self.leases.expiry()
            try:
                moved = await self.storage.transition(
                    job.id, [expected], state, owner=owner, lease_until=until, **fields
                )
            except Exception:
                raised = True
                raise
            if moved:
                return True, None
            recorded = await self.storage.get_job(job.id)
            # Only a write that raised may have committed unseen (the connection died on the answer's way back): then
            # finding the job moved to `state` under this process's lease means that write was ours.
            ours = raised and recorded is not None and recorded.state == state and recorded.lease_owner == owner
            return ours, recorded

        try:
            done, recorded = await self.retry.run(f"job {job.id}: {expected} -> {state}", attempt, limit=retry_limit)
        finally:
            # Recorded now, superseded or given up on: whoever goes on with the job reads its record.
            self._unrecorded.pop(job.id, None)
        if not done:
            if recorded is None:
                raise Superseded("its record is gone")
            if recorded.lease_owner != owner and (recorded.lease_until or 0) >= time.time():
                raise Superseded(f"process {recorded.lease_owner} holds it now ({recorded.state})")
            raise Superseded(f"its record moved on to {recorded.state}; the lease sweep goes on from there")
        job.state = state
        job.lease_owner = owner
