"""The api_slots table's queries, written once for every backend: the API budget's slots, leased like jobs.

Slot N (1 <= N <= the budget) is free, or leased to one job (and the process running it) until `lease_until`. A lapsed
lease frees the slot, unless its job may have a task alive at the API (SUBMITTING, PENDING, PROCESSING): that slot
stays the job's until the process that takes the job over reclaims it and releases it once the task ends.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kontext.models import JobState
from kontext.storage.driver import Queries, placeholders

# A job in these states may have a task the API counts against the account's concurrency.
AT_THE_API: tuple[str, ...] = (JobState.SUBMITTING.value, JobState.PENDING.value, JobState.PROCESSING.value)

# PostgreSQL: concurrent takers skip a slot another is taking instead of queueing behind its row lock. SQLite has
# one writer at a time and no row locks (it runs one process: kontext.jobs.budget keeps its cap in memory there).
_SKIP_LOCKED = {"postgresql": " FOR UPDATE SKIP LOCKED", "sqlite": ""}


@dataclass(frozen=True, slots=True)
class SlotLease:
    """A held slot: which job's task it counts, for which process, until when."""

    slot: int
    job_id: str
    owner: str
    lease_until: float


def _free(alias: str, now: str, first_state: int) -> str:
    """SQL: the slot row `alias` is free at `now` (a placeholder); the AT_THE_API states from $first_state."""
    states = placeholders(len(AT_THE_API), start=first_state)
    return (
        f"({alias}.job_id IS NULL OR ({alias}.lease_until < {now} AND NOT EXISTS "
        f"(SELECT 1 FROM jobs j WHERE j.id = {alias}.job_id AND j.state IN ({states}))))"
    )


class SlotQueries(Queries):
    """SlotStore on any driver; each operation is one statement, atomic on its own."""

    async def add_slots(self, count: int) -> None:
        """Make sure slots 1..count exist (a budget raised since, or a new database)."""
        if count < 1:
            return
        rows = ", ".join(f"(${i})" for i in range(1, count + 1))
        await self._execute(
            f"INSERT INTO api_slots (slot) VALUES {rows} ON CONFLICT (slot) DO NOTHING", *range(1, count + 1)
        )

    async def take_slot(self, job_id: str, owner: str, until: float, *, now: float, budget: int) -> int | None:
        """Lease the lowest free slot up to `budget` to the job; its number, or None when all are taken.

        The job's own slot comes first: a retry after an answer lost on the way back gets the same slot, not a second.
        """
        sql = (
            "UPDATE api_slots SET job_id = $1, owner = $2, lease_until = $3 WHERE slot = ("
            f"SELECT s.slot FROM api_slots s WHERE s.job_id = $1 OR (s.slot <= $5 AND {_free('s', '$4', 6)})"
            " ORDER BY CASE WHEN s.job_id = $1 THEN 0 ELSE 1 END, s.slot"
            f" LIMIT 1{_SKIP_LOCKED[self.driver.dialect]})"
            f" AND (job_id = $1 OR {_free('api_slots', '$4', 6)}) RETURNING slot"
        )
        row = await self._fetchrow(sql, job_id, owner, until, now, budget, *AT_THE_API)
        return int(row[0]) if row is not None else None

    async def reclaim_slot(self, job_id: str, owner: str, until: float) -> int | None:
        """Take over the slot still leased to this job (its process stopped); its number, or None if it has none."""
        row = await self._fetchrow(
            "UPDATE api_slots SET owner = $2, lease_until = $3 WHERE job_id = $1 RETURNING slot", job_id, owner, until
        )
        return int(row[0]) if row is not None else None

    async def renew_slots(self, owner: str, job_ids: list[str], until: float) -> int:
        """Extend `owner`'s slots of these jobs to `until`; how many it still held."""
        if not job_ids:
            return 0
        sql = (
            "UPDATE api_slots SET lease_until = $1 "
            f"WHERE owner = $2 AND job_id IN ({placeholders(len(job_ids), start=3)})"
        )
        return await self._execute(sql, until, owner, *job_ids)

    async def release_slot(self, job_id: str, owner: str) -> bool:
        """Free the job's slot if `owner` still holds it."""
        sql = "UPDATE api_slots SET job_id = NULL, owner = NULL, lease_until = NULL WHERE job_id = $1 AND owner = $2"
        return await self._execute(sql, job_id, owner) > 0

    async def lapse_slots(self, owner: str) -> int:
        """Mark every slot `owner` holds lapsed (a stop): free now, or left to the jobs whose tasks still run."""
        return await self._execute("UPDATE api_slots SET lease_until = 0 WHERE owner = $1", owner)

    async def held_slots(self) -> list[SlotLease]:
        """Every leased slot (lapsed or not), by number."""
        rows: Any = await self._fetch(
            "SELECT slot, job_id, owner, lease_until FROM api_slots WHERE job_id IS NOT NULL ORDER BY slot"
        )
        return [SlotLease(int(r[0]), str(r[1]), str(r[2]), float(r[3] or 0.0)) for r in rows]
