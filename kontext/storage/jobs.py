"""The jobs table's queries, written once for every backend: jobs, their compare-and-set moves and their leases."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from kontext.models import ACTIVE_STATES, GenerationRequest, Job, JobState, now
from kontext.storage.base import DuplicateJobError
from kontext.storage.driver import Queries, UniqueViolation, assignments, placeholders

# Column names are the Job field names, in the dataclass's order.
JOB_COLUMNS: tuple[str, ...] = tuple(f.name for f in dataclasses.fields(Job))
_UPDATABLE: frozenset[str] = frozenset(JOB_COLUMNS) - {"id"}
_SELECT_JOBS = f"SELECT {', '.join(JOB_COLUMNS)} FROM jobs"


class JobQueries(Queries):
    """JobStore and LeaseStore on any driver; each operation is one statement, atomic on its own."""

    async def insert_job(self, job: Job) -> None:
        """Store a new job."""
        row = job_to_row(job)
        try:
            await self._execute(f"INSERT INTO jobs ({', '.join(row)}) VALUES ({placeholders(len(row))})", *row.values())
        except UniqueViolation as exc:  # the primary key is the only unique constraint
            raise DuplicateJobError(job.id) from exc

    async def insert_jobs(self, jobs: Sequence[Job]) -> None:
        """Store new jobs in one transaction: all or none."""
        async with self.driver.transaction() as conn:
            for job in jobs:
                row = job_to_row(job)
                try:
                    await conn.execute(
                        f"INSERT INTO jobs ({', '.join(row)}) VALUES ({placeholders(len(row))})", *row.values()
                    )
                except UniqueViolation as exc:
                    raise DuplicateJobError(job.id) from exc

    async def get_job(self, job_id: str) -> Job | None:
        """The job with this id, or None."""
        row = await self._fetchrow(f"{_SELECT_JOBS} WHERE id = $1", job_id)
        return job_from_row(row) if row is not None else None

    async def update_job(self, job_id: str, **fields: Any) -> bool:
        """Set fields and updated_at in one UPDATE; False if there is no such job."""
        values = encode_fields(fields)
        values.setdefault("updated_at", now())
        sql = f"UPDATE jobs SET {assignments(values)} WHERE id = ${len(values) + 1}"
        return await self._execute(sql, *values.values(), job_id) == 1

    async def transition(
        self, job_id: str, expected: Iterable[JobState], new: JobState, *, owner: str | None = None, **fields: Any
    ) -> bool:
        """Compare-and-set the state (and the lease owner, when given) in one UPDATE; True if this call made it."""
        states = as_states(expected)
        if not states:
            return False
        values = {"state": JobState(new).value, **encode_fields(fields, allow_state=False)}
        values.setdefault("updated_at", now())
        n = len(values)
        # One statement: SQLite's write lock, or PostgreSQL's row lock under READ COMMITTED (a concurrent loser waits
        # for the winner, re-checks the WHERE against the new row and matches nothing), lets exactly one caller win.
        in_states = placeholders(len(states), start=n + 2)
        sql = f"UPDATE jobs SET {assignments(values)} WHERE id = ${n + 1} AND state IN ({in_states})"
        params: list[Any] = [*values.values(), job_id, *states]
        if owner is not None:
            sql += f" AND lease_owner = ${len(params) + 1}"
            params.append(owner)
        return await self._execute(sql, *params) == 1

    async def jobs_in_states(
        self, states: Iterable[JobState], *, limit: int | None = None, claimable_by: tuple[str, float] | None = None
    ) -> list[Job]:
        """Jobs in any of the states, oldest first; with `claimable_by` (owner, now), only those no other owner holds
        a live lease on."""
        wanted = as_states(states)
        if not wanted or (limit is not None and limit <= 0):
            return []
        sql = f"{_SELECT_JOBS} WHERE state IN ({placeholders(len(wanted))})"
        params: tuple[Any, ...] = wanted
        if claimable_by is not None:
            n = len(params)
            sql += (
                f" AND (lease_owner IS NULL OR lease_owner = ${n + 1} OR lease_until IS NULL OR lease_until < ${n + 2})"
            )
            params = (*params, *claimable_by)
        sql += " ORDER BY created_at, id"
        if limit is not None:
            sql += f" LIMIT ${len(params) + 1}"
            params = (*params, limit)
        return [job_from_row(row) for row in await self._fetch(sql, *params)]

    async def recent_jobs(
        self,
        guild_id: int | None,
        user_id: int,
        states: Iterable[JobState],
        *,
        limit: int,
        offset: int = 0,
        before: float | None = None,
    ) -> list[Job]:
        """A user's jobs in a guild in any of the states, newest first, skipping `offset` (created before `before`).

        guild_id None: the user's personal jobs (made where no server's rules applied: DMs, group DMs, user installs).
        """
        wanted = as_states(states)
        if not wanted or limit <= 0:
            return []
        params: list[Any] = [user_id, *wanted]
        sql = f"{_SELECT_JOBS} WHERE user_id = $1 AND state IN ({placeholders(len(wanted), start=2)})"
        if guild_id is None:
            sql += " AND guild_id IS NULL"
        else:
            params.append(guild_id)
            sql += f" AND guild_id = ${len(params)}"
        sql += " AND (batch_size = 1 OR batch_id IS NOT NULL)"  # a batch's images, not the row showing them
        if before is not None:
            params.append(before)
            sql += f" AND created_at < ${len(params)}"
        sql += f" ORDER BY created_at DESC, id DESC LIMIT ${len(params) + 1} OFFSET ${len(params) + 2}"
        return [job_from_row(row) for row in await self._fetch(sql, *params, limit, max(offset, 0))]

    async def batch_jobs(self, batch_id: str) -> list[Job]:
        """The images of a batch, in their order."""
        return [
            job_from_row(row)
            for row in await self._fetch(f"{_SELECT_JOBS} WHERE batch_id = $1 ORDER BY batch_index", batch_id)
        ]

    async def count_jobs(self, *, states: Iterable[JobState] | None = None) -> int:
        """Number of jobs, optionally only those in the given states."""
        if states is None:
            row = await self._fetchrow("SELECT COUNT(*) FROM jobs")
        else:
            wanted = as_states(states)
            if not wanted:
                return 0
            row = await self._fetchrow(
                f"SELECT COUNT(*) FROM jobs WHERE state IN ({placeholders(len(wanted))})", *wanted
            )
        return int(row[0]) if row is not None else 0

    async def claim_job(self, job_id: str, owner: str, until: float, *, now: float) -> bool:
        """Take the lease in one UPDATE if it is free, lapsed or already ours; True if this process holds it now."""
        active = as_states(ACTIVE_STATES)
        sql = (
            "UPDATE jobs SET lease_owner = $1, lease_until = $2 "
            f"WHERE id = $3 AND state IN ({placeholders(len(active), start=5)})"
            " AND (lease_owner IS NULL OR lease_owner = $1 OR lease_until IS NULL OR lease_until < $4)"
        )
        return await self._execute(sql, owner, until, job_id, now, *active) == 1

    async def renew_leases(self, owner: str, job_ids: Sequence[str], until: float) -> int:
        """Extend the leases still ours."""
        if not job_ids:
            return 0
        sql = (
            f"UPDATE jobs SET lease_until = $1 WHERE lease_owner = $2 AND id IN ({placeholders(len(job_ids), start=3)})"
        )
        return await self._execute(sql, until, owner, *job_ids)

    async def release_leases(self, owner: str) -> int:
        """Mark our unfinished jobs' leases lapsed."""
        active = as_states(ACTIVE_STATES)
        sql = (
            "UPDATE jobs SET lease_until = 0 "
            f"WHERE lease_owner = $1 AND state IN ({placeholders(len(active), start=2)})"
        )
        return await self._execute(sql, owner, *active)


def as_states(states: Iterable[JobState] | JobState) -> tuple[str, ...]:
    """Normalise states (a single state is accepted too) to their stored strings, rejecting unknown ones."""
    if isinstance(states, str):
        states = (states,)  # a StrEnum member is itself iterable, character by character
    return tuple(dict.fromkeys(JobState(s).value for s in states))


def encode_fields(fields: Mapping[str, Any], *, allow_state: bool = True) -> dict[str, Any]:
    """Check that fields are updatable Job fields and convert their values to column values."""
    unknown = sorted(set(fields) - _UPDATABLE)
    if unknown:
        raise TypeError(f"not updatable Job field(s): {', '.join(unknown)}")
    if not allow_state and "state" in fields:
        raise TypeError("pass the new state as `new`, not as a field")
    return {name: _encode(name, value) for name, value in fields.items()}


def job_to_row(job: Job) -> dict[str, Any]:
    """All columns of a job, in JOB_COLUMNS order, as stored."""
    return {name: _encode(name, getattr(job, name)) for name in JOB_COLUMNS}


def job_from_row(row: Mapping[str, Any]) -> Job:
    """Rebuild a Job from a database row (any mapping with the job columns)."""
    values = {name: row[name] for name in JOB_COLUMNS}
    values["request"] = GenerationRequest.from_dict(json.loads(values["request"]))
    values["state"] = JobState(values["state"])
    values["cost_micros"] = int(values["cost_micros"])
    return Job(**values)


def _encode(name: str, value: Any) -> Any:
    if name == "request":
        if not isinstance(value, GenerationRequest):
            raise TypeError(f"request must be a GenerationRequest, not {type(value).__name__}")
        return json.dumps(value.to_dict(), ensure_ascii=False, separators=(",", ":"))
    if name == "state":
        return JobState(value).value
    return value
