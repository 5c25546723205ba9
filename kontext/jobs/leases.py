"""Which process runs a job: a lease in the job's record, renewed while it runs, taken over once it lapses.

A process holds a lease on each job it runs (`lease_owner`, `lease_until`); every job step's write renews it, and so
does a renewal every third of the lease. A stopping process (SIGTERM) releases its jobs at once; one that dies
(SIGKILL, a crash, cut off from the database) stops renewing, and any live process that sweeps every
`sweep_interval` seconds takes its jobs over within `lease + sweep_interval` seconds. The jobs' API slots
(kontext.jobs.budget) are leased alike and renewed and released with them. Times are wall-clock (unix)
seconds compared across processes: their clocks must agree to well within a lease (NTP does).
"""

from __future__ import annotations

import asyncio
import logging
import os
import secrets
import socket
import time
from collections.abc import Awaitable, Callable, Collection

from kontext.models import ACTIVE_STATES, Job
from kontext.storage.base import LeaseStore, is_transient
from kontext.storage.outages import within

log = logging.getLogger(__name__)

RELEASE_TIMEOUT = 1.0  # a stop does not wait longer than this for the database to hear the leases are free


def new_owner_id() -> str:
    """Who holds a lease: this host and process, and a random part (a pid is reused after a restart)."""
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{secrets.token_hex(4)}"


class Leases:
    """This process's leases on the jobs it runs: claimed, renewed, released, and swept for lapsed ones."""

    def __init__(
        self, storage: LeaseStore, *, lease: float = 30.0, sweep_interval: float = 5.0, owner: str | None = None
    ) -> None:
        self.storage = storage
        self.lease = lease
        self.sweep_interval = sweep_interval
        self.owner = owner or new_owner_id()
        self._keeper: asyncio.Task[None] | None = None
        self.holding = False  # whether this process may hold leases not yet released (set when it takes a job)
        self._companions: list[tuple[Callable[[float], Awaitable[object]], Callable[[], Awaitable[object]]]] = []

    def also(self, renew: Callable[[float], Awaitable[object]], release: Callable[[], Awaitable[object]]) -> None:
        """Other leases of this process's jobs (their API slots), renewed to the same expiry and released with them."""
        self._companions.append((renew, release))

    def expiry(self) -> float:
        """When a lease taken or renewed now lapses."""
        return time.time() + self.lease

    def held_elsewhere(self, job: Job, now: float) -> bool:
        """Whether another process holds a live lease on the job (it runs it)."""
        return job.lease_owner not in (None, self.owner) and job.lease_until is not None and job.lease_until >= now

    async def claim_lapsed(self, owns: Callable[[Job], bool], busy: Callable[[str], bool]) -> list[Job]:
        """Claim each unfinished job `owns` accepts that no live process holds nor this one is `busy` with."""
        now = time.time()
        claimed: list[Job] = []
        # Filtered in the database: every few seconds, only the jobs nobody else runs are read and decoded.
        for job in await self.storage.jobs_in_states(ACTIVE_STATES, claimable_by=(self.owner, now)):
            if busy(job.id) or not owns(job) or self.held_elsewhere(job, now):
                continue  # a live process runs it (an overlapping deploy): it is taken over only if that one stops
            if not await self.storage.claim_job(job.id, self.owner, self.expiry(), now=now):
                continue  # another process claimed it first
            recorded = await self.storage.get_job(job.id)
            if recorded is None or recorded.state.terminal or recorded.lease_owner != self.owner or busy(job.id):
                continue
            previous = f" from {job.lease_owner}" if job.lease_owner not in (None, self.owner) else ""
            log.info("job %s: taking it over%s at %s", job.id, previous, recorded.state)
            claimed.append(recorded)
            self.holding = True
        return claimed

    async def release(self) -> None:
        """Let go of this process's unfinished jobs at once, so a live process takes them over at its next sweep."""
        if not self.holding:
            return  # nothing taken since the last release (a second close, a process that ran no job)
        self.holding = False
        try:
            released = await within(self._release_all(), RELEASE_TIMEOUT)
        except Exception as error:
            log.warning("could not release job leases (%s); they lapse within %.0fs", error, self.lease)
            return
        if released:
            log.info("released %d unfinished jobs to other processes", released)

    async def _release_all(self) -> int:
        released = await self.storage.release_leases(self.owner)
        for _, release in self._companions:
            await release()
        return released

    def keep(self, running: Callable[[], Collection[str]], sweep: Callable[[], Awaitable[object]]) -> None:
        """In the background until stop(): renew the leases of the `running` jobs, and call `sweep` periodically."""
        if self._keeper is None or self._keeper.done():
            self._keeper = asyncio.create_task(self._keep(running, sweep), name="job-leases")

    async def stop(self) -> None:
        """Stop renewing and sweeping."""
        keeper, self._keeper = self._keeper, None
        if keeper is not None:
            keeper.cancel()
            await asyncio.wait([keeper], timeout=RELEASE_TIMEOUT)  # a renewal stuck in a silent database: move on

    async def _keep(self, running: Callable[[], Collection[str]], sweep: Callable[[], Awaitable[object]]) -> None:
        renew_every = self.lease / 3
        renewed = time.monotonic()
        while True:
            await asyncio.sleep(min(self.sweep_interval, renew_every))
            try:
                if time.monotonic() - renewed >= renew_every - 1e-3:
                    renewed = time.monotonic()
                    until = self.expiry()
                    await self.storage.renew_leases(self.owner, list(running()), until)
                    for renew, _ in self._companions:
                        await renew(until)
                await sweep()
            except Exception as error:
                level = logging.WARNING if is_transient(error) else logging.ERROR
                log.log(level, "lease upkeep failed; trying again shortly", exc_info=error)
