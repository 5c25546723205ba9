"""The quota records storage keeps: counters, cooldowns and the charges ledger (no SQL here)."""

from __future__ import annotations

import enum
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

# Per-guild settings columns; a missing row, or NULL, means "the bot's default" (see kontext.quotas.service).
GUILD_SETTING_COLUMNS: tuple[str, ...] = (
    "daily_user_limit",
    "daily_cap_micros",
    "monthly_cap_micros",
    "allow_max",
    "cooldown_seconds",
    "max_concurrent_per_user",
    "allowed_channel_ids",
    "watermark",
    "safety_limit",
    "safety_top_age_restricted",
    "max_batch",
    "ping_results",
)
_FLAG_COLUMNS = ("allow_max", "safety_top_age_restricted", "ping_results")

CounterKey = tuple[str, str, str]  # (scope, key, period)


class ChargeState(enum.StrEnum):
    """Where one job's charge is: held against the limits, kept for good, or given back."""

    RESERVED = "reserved"
    COMMITTED = "committed"
    REFUNDED = "refunded"


@dataclass(frozen=True, slots=True)
class Counter:
    """One amount a reservation adds to a usage counter, refused if the total would pass `cap` (None: no cap)."""

    scope: str
    key: str
    period: str
    amount: int
    cap: int | None = None
    held: bool = False  # True: given back on commit too (a slot, like jobs in flight), not only on refund

    @property
    def ident(self) -> CounterKey:
        """The counter's row key."""
        return (self.scope, self.key, self.period)


@dataclass(frozen=True, slots=True)
class Cooldown:
    """A reservation is refused unless `seconds` have passed since the last accepted one with this key."""

    key: str
    now: float
    seconds: float


@dataclass(frozen=True, slots=True)
class Charge:
    """One job's entry in the charges ledger, with the counters its reservation took (to give back exactly).

    QuotaService.reserve() returns the charge it recorded (state reserved, counters left out); reading the ledger
    gives the counters back without their caps, which a refund ignores.
    """

    job_id: str
    guild_id: int
    user_id: int
    mode: str
    amount_micros: int
    day: str
    month: str
    created_at: float
    state: ChargeState = ChargeState.RESERVED
    settled_at: float | None = None
    counters: tuple[Counter, ...] = ()


@dataclass(frozen=True, slots=True)
class ChargeTotals:
    """How many charges (and how much money) of one period are in each state."""

    reserved: int = 0
    reserved_micros: int = 0
    committed: int = 0
    committed_micros: int = 0
    refunded: int = 0
    refunded_micros: int = 0


@dataclass(frozen=True, slots=True)
class Spender:
    """One user's charges (reserved or committed) in a period."""

    user_id: int
    images: int
    micros: int


class DuplicateChargeError(ValueError):
    """reserve_charge() was given a job id that already has a charge: nothing was charged again."""


@dataclass(eq=False)
class LimitReachedError(Exception):
    """A reservation was refused because `counter` would pass its cap; `used` is what the counter holds."""

    counter: Counter
    used: int

    def __post_init__(self) -> None:
        counter = self.counter
        super().__init__(
            f"{counter.scope} {counter.key} {counter.period}: {self.used} + {counter.amount} > {counter.cap}"
        )


class SettingsChangedError(Exception):
    """A reservation was refused because its server's settings changed since they were read: nothing was charged."""

    def __init__(self, guild_id: int, read: int, stored: int) -> None:
        super().__init__(f"guild {guild_id}: settings version {read} was read, {stored} is stored")
        self.guild_id = guild_id


@dataclass(eq=False)
class CooldownActiveError(Exception):
    """A reservation was refused because the cooldown that started at `last_at` has not passed."""

    cooldown: Cooldown
    last_at: float

    def __post_init__(self) -> None:
        super().__init__(f"cooldown {self.cooldown.key}: last at {self.last_at}, {self.cooldown.seconds}s")


def encode_guild_settings(values: Mapping[str, Any]) -> dict[str, Any]:
    """Check the names against GUILD_SETTING_COLUMNS and turn values into column values (channels as text)."""
    unknown = sorted(set(values) - set(GUILD_SETTING_COLUMNS))
    if unknown:
        raise TypeError(f"not guild setting column(s): {', '.join(unknown)}")
    row = dict(values)
    if "allowed_channel_ids" in row:
        row["allowed_channel_ids"] = ",".join(str(i) for i in sorted(row["allowed_channel_ids"]))
    for name in _FLAG_COLUMNS:
        if name in row:
            row[name] = bool(row[name])
    return row


def decode_guild_settings(row: Mapping[str, Any]) -> dict[str, Any]:
    """The inverse of encode_guild_settings for a database row."""
    values = {name: row[name] for name in GUILD_SETTING_COLUMNS}
    values["allowed_channel_ids"] = frozenset(int(i) for i in str(values["allowed_channel_ids"]).split(",") if i)
    for name in _FLAG_COLUMNS:
        values[name] = bool(values[name])  # NULL (a row from before the column): no
    return values


def encode_counters(counters: Iterable[Counter]) -> str:
    """The counters a charge took, as the JSON kept in its ledger row (caps are not kept: a refund ignores them)."""
    return json.dumps([[c.scope, c.key, c.period, c.amount, c.held] for c in counters], separators=(",", ":"))


def decode_counters(text: str) -> tuple[Counter, ...]:
    """The inverse of encode_counters."""
    return tuple(
        Counter(scope, key, period, int(amount), held=bool(held))
        for scope, key, period, amount, held in json.loads(text)
    )


def charge_from_row(row: Mapping[str, Any]) -> Charge:
    """Rebuild a Charge from a quota_charges row."""
    return Charge(
        job_id=row["job_id"],
        guild_id=int(row["guild_id"]),
        user_id=int(row["user_id"]),
        mode=row["mode"],
        amount_micros=int(row["amount_micros"]),
        day=row["day"],
        month=row["month"],
        created_at=float(row["created_at"]),
        state=ChargeState(row["state"]),
        settled_at=None if row["settled_at"] is None else float(row["settled_at"]),
        counters=decode_counters(row["counters"]),
    )


def check_period(day: str | None, month: str | None) -> tuple[str, str]:
    """The ledger column and value for `day=` or `month=`, exactly one of which must be given."""
    if (day is None) == (month is None):
        raise TypeError("give exactly one of day= or month=")
    return ("day", day) if day is not None else ("month", month)  # type: ignore[return-value]


def totals_from_rows(rows: Iterable[Sequence[Any]]) -> ChargeTotals:
    """ChargeTotals from (state, count, micros) rows."""
    values: dict[str, int] = {}
    for state, count, micros in rows:
        name = ChargeState(state).value
        values[name] = int(count)
        values[f"{name}_micros"] = int(micros or 0)
    return ChargeTotals(**values)


def settled_state(state: ChargeState) -> ChargeState:
    """Check that a charge is being settled as committed or refunded."""
    state = ChargeState(state)
    if state is ChargeState.RESERVED:
        raise ValueError("a charge settles as committed or refunded, not reserved")
    return state
