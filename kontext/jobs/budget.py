"""The API budget: how many tasks may be active at the API at once, for this process or for every process together.

A job holds a slot from just before its submit until its task is terminal at the API (succeeded or failed), then
releases it. One process (SQLite) keeps the cap in memory (LocalBudget, kontext.jobs.slots.SlotQueue): users wait in
line and are told their place. On PostgreSQL every process shares API_CONCURRENCY through leased rows in the database
(SharedBudget): a slot is leased to a job like the job itself (kontext.jobs.leases renews both), so a dead process's
slots come back within the lease, except those whose task may still run at the API: they go on with the job to the
process that takes it over, and come back when the task ends. Users beyond the budget wait in this process's line,
first come first served, and are told "queued" without a number: slots freed elsewhere go to whichever process asks
first, so a place in this process's line would promise more than it knows.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import logging
import time
from collections.abc import Callable
from typing import Protocol

from kontext.jobs.leases import RELEASE_TIMEOUT, Leases
from kontext.jobs.slots import SlotQueue
from kontext.storage.base import SlotStore, is_transient
from kontext.storage.outages import StorageRetry, StorageUnavailable

log = logging.getLogger(__name__)

OnPosition = Callable[[int], None]


class Budget(Protocol):
    """The slots a job holds while its task is active at the API."""

    @property
    def free(self) -> bool:
        """Whether acquire() would likely return at once (no line)."""
        ...

    @property
    def waiting(self) -> int:
        """Jobs of this process in line."""
        ...

    async def acquire(self, job_id: str, on_position: OnPosition | None = None, *, resumed: bool = False) -> None:
        """Wait for a slot for the job; `resumed`: the job may hold one already (taken over from a stopped process)."""
        ...

    def release(self, job_id: str) -> None:
        """The job's task is terminal at the API: its slot goes to the next job."""
        ...

    def forget(self, job_id: str) -> None:
        """This process lets go of the job while its task may still run at the API: the slot's lease decides."""
        ...

    async def close(self) -> None:
        """Stop waiting for slots (the process is stopping)."""
        ...


class LocalBudget:
    """One process's cap, in memory (SQLite: one process); each waiter is told its place in line."""

    def __init__(self, capacity: int) -> None:
        self._queue = SlotQueue(capacity)

    @property
    def free(self) -> bool:
        return self._queue.free

    @property
    def waiting(self) -> int:
        return self._queue.waiting

    async def acquire(self, job_id: str, on_position: OnPosition | None = None, *, resumed: bool = False) -> None:
        await self._queue.acquire(on_position)

    def release(self, job_id: str) -> None:
        self._queue.release()

    def forget(self, job_id: str) -> None:
        self._queue.release()  # the process itself is the only one counting

    async def close(self) -> None:
        pass


class SharedBudget:
    """`budget` slots shared by every process on one database, leased to jobs; this process holds at most `share`.

    Jobs wait in this process's line in order; one task asks the database for a slot for the first in line, again
    whenever this process frees one and every `poll` seconds for slots freed by others.
    """

    def __init__(
        self,
        storage: SlotStore,
        leases: Leases,
        retry: StorageRetry,
        *,
        budget: int,
        share: int | None = None,
        poll: float = 0.5,
    ) -> None:
        if budget < 1:
            raise ValueError("the budget must be at least 1")
        self.storage = storage
        self.leases = leases
        self.retry = retry
        self.budget = budget
        self.share = min(share or budget, budget)
        self.poll = poll
        self._held: set[str] = set()  # jobs holding a slot through this process (their leases are renewed)
        self._line: collections.deque[tuple[str, asyncio.Future[None]]] = collections.deque()
        self._wake = asyncio.Event()
        self._asker: asyncio.Task[None] | None = None
        self._releasing: set[asyncio.Task[None]] = set()
        self._added = False
        leases.also(self._renew, self._lapse)

    @property
    def free(self) -> bool:
        return not self._line and len(self._held) < self.share

    @property
    def waiting(self) -> int:
        return len(self._line)

    @property
    def held(self) -> frozenset[str]:
        """The jobs holding a slot through this process."""
        return frozenset(self._held)

    async def acquire(self, job_id: str, on_position: OnPosition | None = None, *, resumed: bool = False) -> None:
        # A job taken over keeps the slot its task counts against, ahead of the line: the line may be waiting for
        # exactly the slots such jobs hold.
        if resumed and await self.retry.run(f"job {job_id}: reclaim its API slot", lambda: self._reclaim(job_id)):
            return
        if not self._line and len(self._held) < self.share and await self._take(job_id, once=True):
            return
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        entry = (job_id, future)
        self._line.append(entry)
        if self._asker is None or self._asker.done():
            self._asker = asyncio.create_task(self._ask(), name="api-slots")
        try:
            await future
        except asyncio.CancelledError:
            if future.done() and not future.cancelled():
                self.release(job_id)  # granted just as we were cancelled, before any submit: pass it on
            else:
                self._leave(entry)
            raise

    def release(self, job_id: str) -> None:
        if job_id not in self._held:
            return
        self._held.discard(job_id)
        task = asyncio.create_task(self._release(job_id), name=f"api-slot-{job_id}")
        self._releasing.add(task)
        task.add_done_callback(self._releasing.discard)

    def forget(self, job_id: str) -> None:
        self._held.discard(job_id)  # no longer renewed: it lapses within the lease (or stays with a task at the API)
        self._wake.set()

    async def close(self) -> None:
        """Stop asking for slots (the process is stopping); give releases on their way a moment to land."""
        asker, self._asker = self._asker, None
        if asker is not None:
            asker.cancel()
            await asyncio.gather(asker, return_exceptions=True)
        if self._releasing:
            await asyncio.wait(self._releasing, timeout=RELEASE_TIMEOUT)  # what does not land lapses

    async def _reclaim(self, job_id: str) -> bool:
        slot = await self.storage.reclaim_slot(job_id, self.leases.owner, self.leases.expiry())
        if slot is None:
            return False
        self._held.add(job_id)
        self.leases.holding = True
        log.info("job %s: took over API slot %d", job_id, slot)
        return True

    async def _take(self, job_id: str, *, once: bool = False) -> bool:
        """Lease a free slot to the job; False when none is free. `once`: a user is waiting, don't retry an outage."""

        async def take() -> int | None:
            if not self._added:
                await self.storage.add_slots(self.budget)
                self._added = True
            return await self.storage.take_slot(
                job_id, self.leases.owner, self.leases.expiry(), now=time.time(), budget=self.budget
            )

        try:
            slot = await (self.retry.once if once else self.retry.run)(f"job {job_id}: take an API slot", take)
        except StorageUnavailable:
            if once:
                return False  # it waits in line, where the asking goes on
            raise
        if slot is None:
            return False
        self._held.add(job_id)
        self.leases.holding = True
        return True

    async def _ask(self) -> None:
        """Get slots for the first in line, one at a time, until the line is empty."""
        while self._line:
            entry = self._line[0]
            job_id, future = entry
            if future.done():  # cancelled while waiting
                self._leave(entry)
                continue
            self._wake.clear()
            try:
                taken = len(self._held) < self.share and await self._take(job_id)
            except Exception as error:
                level = (
                    logging.WARNING if is_transient(error) or isinstance(error, StorageUnavailable) else logging.ERROR
                )
                log.log(level, "could not ask for an API slot; trying again shortly", exc_info=error)
                taken = False
            if taken:
                if future.done():  # cancelled while its slot was being taken: the next in line gets it
                    self.release(job_id)
                else:
                    future.set_result(None)
                self._leave(entry)  # a waiter cancelled meanwhile has left the line already
                continue
            try:
                await asyncio.wait_for(self._wake.wait(), self.poll)
            except TimeoutError:
                pass

    def _leave(self, entry: tuple[str, asyncio.Future[None]]) -> None:
        with contextlib.suppress(ValueError):
            self._line.remove(entry)

    async def _release(self, job_id: str) -> None:
        try:
            await self.retry.run(
                f"job {job_id}: release its API slot", lambda: self.storage.release_slot(job_id, self.leases.owner)
            )
        except Exception as error:
            log.warning(
                "job %s: could not release its API slot (%s); it lapses within %.0fs", job_id, error, self.leases.lease
            )
        finally:
            self._wake.set()

    async def _renew(self, until: float) -> None:
        if self._held:
            await self.storage.renew_slots(self.leases.owner, list(self._held), until)

    async def _lapse(self) -> None:
        await self.storage.lapse_slots(self.leases.owner)
