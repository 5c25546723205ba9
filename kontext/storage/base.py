"""What the domain needs from a database, one protocol per concern, and the storage errors every backend shares."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from kontext.models import Job, JobState
from kontext.quotas.records import Charge, ChargeState, ChargeTotals, Cooldown, Counter, CounterKey, Spender

if TYPE_CHECKING:
    from kontext.storage.slots import SlotLease


class DuplicateJobError(ValueError):
    """insert_job() was given an id that is already stored."""


# Each driver module adds its own test of its library's errors when it is imported (only the chosen one is).
_TRANSIENT_CHECKS: list[Callable[[BaseException], bool]] = []


def register_transient_check(check: Callable[[BaseException], bool]) -> None:
    """Let is_transient() consult a driver's own classification of its library's errors."""
    if check not in _TRANSIENT_CHECKS:
        _TRANSIENT_CHECKS.append(check)


def is_transient(error: BaseException) -> bool:
    """Whether a storage error says the database is out of reach for now (retry), not that the operation is wrong.

    Beyond network errors, the loaded drivers decide (a library's errors only arise once its driver is imported).
    """
    if isinstance(error, (OSError, TimeoutError)):
        return True
    return any(check(error) for check in _TRANSIENT_CHECKS)


@runtime_checkable
class Lifecycle(Protocol):
    """Opening, closing and checking the database."""

    async def open(self) -> None:
        """Connect and create or upgrade the schema; idempotent."""
        ...

    async def close(self) -> None:
        """Release the connection(s); safe to call twice."""
        ...

    async def ping(self) -> bool:
        """True when the database answers a trivial query."""
        ...


@runtime_checkable
class JobStore(Protocol):
    """The jobs table: one row per job, moved on by compare-and-set."""

    async def insert_job(self, job: Job) -> None:
        """Store a new job; raise DuplicateJobError if its id is taken."""
        ...

    async def insert_jobs(self, jobs: Sequence[Job]) -> None:
        """Store new jobs in one transaction (a batch and its images); DuplicateJobError and none stored if one is."""
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

    async def jobs_in_states(
        self, states: Iterable[JobState], *, limit: int | None = None, claimable_by: tuple[str, float] | None = None
    ) -> list[Job]:
        """Jobs whose state is one of `states`, oldest first; with `claimable_by` (owner, now), only those no other
        owner holds a live lease on."""
        ...

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
        """A user's jobs in a guild whose state is one of `states` (created before `before`), newest first."""
        ...

    async def batch_jobs(self, batch_id: str) -> list[Job]:
        """The images of a batch (the jobs whose batch_id is `batch_id`), in their order."""
        ...

    async def count_jobs(self, *, states: Iterable[JobState] | None = None) -> int:
        """How many jobs there are, optionally only in the given states."""
        ...


@runtime_checkable
class LeaseStore(JobStore, Protocol):
    """Which process runs each unfinished job, until when (on top of the jobs it reads)."""

    async def claim_job(self, job_id: str, owner: str, until: float, *, now: float) -> bool:
        """Take the lease of an unfinished job whose lease is free, lapsed (before `now`) or already `owner`'s."""
        ...

    async def renew_leases(self, owner: str, job_ids: Sequence[str], until: float) -> int:
        """Extend `owner`'s leases on these jobs to `until`; how many it still held."""
        ...

    async def release_leases(self, owner: str) -> int:
        """Let go of every unfinished job `owner` holds, so another process can take them over at once."""
        ...


@runtime_checkable
class SlotStore(Protocol):
    """The API budget's slots shared by every process on the database, leased like jobs (kontext.storage.slots)."""

    async def add_slots(self, count: int) -> None:
        """Make sure slots 1..count exist."""
        ...

    async def take_slot(self, job_id: str, owner: str, until: float, *, now: float, budget: int) -> int | None:
        """Lease the lowest free slot up to `budget` to the job; its number, or None when all are taken."""
        ...

    async def reclaim_slot(self, job_id: str, owner: str, until: float) -> int | None:
        """Take over the slot still leased to this job; its number, or None if it has none."""
        ...

    async def renew_slots(self, owner: str, job_ids: list[str], until: float) -> int:
        """Extend `owner`'s slots of these jobs to `until`; how many it still held."""
        ...

    async def release_slot(self, job_id: str, owner: str) -> bool:
        """Free the job's slot if `owner` still holds it."""
        ...

    async def lapse_slots(self, owner: str) -> int:
        """Mark every slot `owner` holds lapsed."""
        ...

    async def held_slots(self) -> list[SlotLease]:
        """Every leased slot, by number."""
        ...


@runtime_checkable
class GuildSettingsStore(Protocol):
    """Each server's quota settings and role tiers."""

    async def get_guild_settings(self, guild_id: int) -> dict[str, Any] | None:
        """The stored GUILD_SETTING_COLUMNS of a guild (allowed_channel_ids as a frozenset), or None."""
        ...

    async def save_guild_settings(self, guild_id: int, values: Mapping[str, Any]) -> None:
        """Set the given GUILD_SETTING_COLUMNS of a guild, creating its row with defaults if needed."""
        ...

    async def guild_version(self, guild_id: int) -> int:
        """How many times the guild's settings or role tiers changed (0: never); each change bumps it atomically."""
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


@runtime_checkable
class LedgerStore(Protocol):
    """The charges ledger with the usage counters and cooldowns a reservation takes, atomically."""

    async def reserve_charges(
        self,
        charges: Sequence[Charge],
        counters: Sequence[Counter],
        cooldown: Cooldown | None,
        *,
        settings: tuple[int, int] | None = None,
    ) -> None:
        """In one transaction: record the charges (each with the counters its refund gives back), add every counter
        within its cap, start the cooldown; with `settings` (guild id, version), only if that guild's settings
        version (GuildSettingsStore.guild_version) is still the one given.

        All or nothing: raise SettingsChangedError, DuplicateChargeError, LimitReachedError (the first counter
        refused, in the given order) or CooldownActiveError, and then nothing was written. Callers pass counters in
        one fixed scope order so concurrent transactions lock rows in the same order.
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


@runtime_checkable
class QuotaStore(GuildSettingsStore, LedgerStore, Protocol):
    """What the quota policy needs: the servers' settings and the ledger."""


@runtime_checkable
class MetaStore(Protocol):
    """The bot's own bookkeeping, as key and value."""

    async def get_meta(self, key: str) -> str | None:
        """A value of the bot's own bookkeeping, or None."""
        ...

    async def set_meta(self, key: str, value: str) -> None:
        """Store a bookkeeping value, replacing any earlier one."""
        ...


@runtime_checkable
class Storage(Lifecycle, LeaseStore, SlotStore, QuotaStore, MetaStore, Protocol):
    """Everything the bot keeps in its database; SQLite and PostgreSQL behave the same behind it."""
