"""Storage protocol for jobs, the helpers both backends share, and open_storage() to pick one by URL."""

from __future__ import annotations

import dataclasses
import json
import logging
import sqlite3
import sys
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Protocol, runtime_checkable

from kontext.models import GenerationRequest, Job, JobState
from kontext.quotas.records import Charge, ChargeState, ChargeTotals, Cooldown, Counter, CounterKey, Spender

log = logging.getLogger(__name__)


# Column names are the Job field names, in the dataclass's order.
JOB_COLUMNS: tuple[str, ...] = tuple(f.name for f in dataclasses.fields(Job))
_UPDATABLE: frozenset[str] = frozenset(JOB_COLUMNS) - {"id"}


class DuplicateJobError(ValueError):
    """insert_job() was given an id that is already stored."""


# SQLSTATE classes that say "try again": 08 connection exception, 40 transaction rollback (serialization,
# deadlock), 53 insufficient resources (too many connections), 57 operator intervention (admin shutdown,
# pg_terminate_backend, the server starting up).
_TRANSIENT_SQLSTATE_CLASSES = ("08", "40", "53", "57")


def is_transient(error: BaseException) -> bool:
    """Whether a storage error says the database is out of reach for now (retry), not that the operation is wrong."""
    if isinstance(error, (OSError, TimeoutError)):
        return True
    if isinstance(error, sqlite3.OperationalError):
        text = str(error).lower()
        return "locked" in text or "busy" in text or "disk i/o" in text
    asyncpg = sys.modules.get("asyncpg")  # loaded only with the PostgreSQL backend
    if asyncpg is not None:
        # InterfaceError: the connection closed mid-operation; InternalClientError: a connection killed while the pool
        # resets it on release ("another operation is in progress"), after the statement itself had committed.
        if isinstance(error, asyncpg.InterfaceError | asyncpg.InternalClientError):
            return True
        if isinstance(error, asyncpg.PostgresError):
            return str(getattr(error, "sqlstate", "") or "")[:2] in _TRANSIENT_SQLSTATE_CLASSES
    return False


@runtime_checkable
class Storage(Protocol):
    """What the bot needs from a database; SQLite and PostgreSQL behave the same behind it."""

    async def open(self) -> None:
        """Connect and create or upgrade the schema; idempotent."""
        ...

    async def close(self) -> None:
        """Release the connection(s); safe to call twice."""
        ...

    async def schema_version(self) -> int:
        """The highest migration applied (0 for an empty database)."""
        ...

    async def ping(self) -> bool:
        """True when the database answers a trivial query."""
        ...

    async def insert_job(self, job: Job) -> None:
        """Store a new job; raise DuplicateJobError if its id is taken."""
        ...

    async def get_job(self, job_id: str) -> Job | None:
        """The job with this id, or None."""
        ...

    async def update_job(self, job_id: str, **fields: Any) -> bool:
        """Set the given Job fields and updated_at unconditionally, in one statement; False if there is no such job."""
        ...

    async def transition(
        self, job_id: str, expected: Iterable[JobState], new: JobState, *, owner: str | None = None, **fields: Any
    ) -> bool:
        """Move the job to `new` (setting `fields` too) only if in an `expected` state (and `owner`'s), atomically."""
        ...

    async def claim_job(self, job_id: str, owner: str, until: float, *, now: float) -> bool:
        """Take the lease of an unfinished job whose lease is free, lapsed (before `now`) or already `owner`'s."""
        ...

    async def renew_leases(self, owner: str, job_ids: Sequence[str], until: float) -> int:
        """Extend `owner`'s leases on these jobs to `until`; how many it still held."""
        ...

    async def release_leases(self, owner: str) -> int:
        """Let go of every unfinished job `owner` holds, so another process can take them over at once."""
        ...

    async def jobs_in_states(self, states: Iterable[JobState], *, limit: int | None = None) -> list[Job]:
        """Jobs whose state is one of `states`, oldest first."""
        ...

    async def find_job_by_message(self, message_id: int) -> Job | None:
        """The most recent job whose placeholder/result message is `message_id`."""
        ...

    async def get_meta(self, key: str) -> str | None:
        """A value of the bot's own bookkeeping, or None."""
        ...

    async def set_meta(self, key: str, value: str) -> None:
        """Store a bookkeeping value, replacing any earlier one."""
        ...

    async def count_jobs(self, *, states: Iterable[JobState] | None = None) -> int:
        """How many jobs there are, optionally only in the given states."""
        ...

    async def get_guild_settings(self, guild_id: int) -> dict[str, Any] | None:
        """The stored GUILD_SETTING_COLUMNS of a guild (allowed_channel_ids as a frozenset), or None."""
        ...

    async def save_guild_settings(self, guild_id: int, values: Mapping[str, Any]) -> None:
        """Set the given GUILD_SETTING_COLUMNS of a guild, creating its row with defaults if needed."""
        ...

    async def role_limits(self, guild_id: int) -> dict[int, int | None]:
        """The guild's role tiers: role id to daily image limit (None: unlimited)."""
        ...

    async def set_role_limit(self, guild_id: int, role_id: int, limit: int | None) -> None:
        """Create or replace one role tier."""
        ...

    async def delete_role_limit(self, guild_id: int, role_id: int) -> bool:
        """Remove one role tier; True if there was one."""
        ...

    async def reserve_charge(self, charge: Charge, counters: Sequence[Counter], cooldown: Cooldown | None) -> None:
        """In one transaction: record the charge, add every counter within its cap, start the cooldown.

        All or nothing: raise DuplicateChargeError, LimitReachedError (the first counter refused, in the given
        order) or CooldownActiveError, and then nothing was written. Callers pass counters in one fixed scope
        order so concurrent transactions lock rows in the same order.
        """
        ...

    async def settle_charge(self, job_id: str, state: ChargeState, settled_at: float) -> bool:
        """Move a reserved charge to committed or refunded once, giving back what that state gives back.

        Committing gives back the held counters; refunding gives back every counter of the charge, in the
        periods it was made in. True if this call settled it; False if absent or already settled.
        """
        ...

    async def get_charge(self, job_id: str) -> Charge | None:
        """The ledger entry of a job, or None."""
        ...

    async def reserved_charges(self, *, created_before: float | None = None, limit: int = 100) -> list[Charge]:
        """Charges still reserved (jobs not yet settled), oldest first."""
        ...

    async def counter_values(self, keys: Sequence[CounterKey]) -> list[int]:
        """The value of each counter, 0 for one never used, in the order asked."""
        ...

    async def set_counter(self, key: CounterKey, value: int) -> None:
        """Set a counter to a value (an admin's reset)."""
        ...

    async def charge_totals(
        self, guild_id: int | None, *, day: str | None = None, month: str | None = None
    ) -> ChargeTotals:
        """Charges of one day or one month (give exactly one), of a guild or of all guilds (None), by state."""
        ...

    async def top_spenders(
        self, guild_id: int, *, day: str | None = None, month: str | None = None, limit: int = 5
    ) -> list[Spender]:
        """The users with the most money reserved or committed in a guild in one day or month, most first."""
        ...


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
