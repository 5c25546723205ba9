"""The quota domain's data: a server's settings and their checks, periods, usage and refusals."""

from __future__ import annotations

import enum
import functools
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from types import MappingProxyType
from typing import Any

from kontext.models import SAFETY_TOLERANCES
from kontext.quotas.records import ChargeTotals, Spender

MAX_DAILY_IMAGES = 10_000
MAX_CAP_MICROS = 1_000_000 * 1_000_000  # $1,000,000: far above any real cap, far below BIGINT
MAX_COOLDOWN_SECONDS = 86_400
MAX_CONCURRENT = 20
MAX_CHANNELS = 100
MAX_WATERMARK_CHARS = 100
# Images one request may ask for: Discord shows up to 10 in a gallery, but each image in a batch carries its own Edit
# and Re-roll buttons inside one card (40 components at most), and 4 is the grid people know from Midjourney.
MAX_BATCH = 4
_SNOWFLAKE_MAX = (1 << 63) - 1
MOST_PERMISSIVE = max(SAFETY_TOLERANCES)


@dataclass(frozen=True, slots=True)
class GuildSettings:
    """One server's quota settings; None in a limit field means "the bot's default" (shown alongside)."""

    guild_id: int
    daily_user_limit: int | None = None  # images per member per day; 0: off for members without a tier role
    default_daily_user_limit: int = 25
    daily_cap_micros: int | None = None  # the whole server's spend per UTC day; None: no cap
    monthly_cap_micros: int | None = None  # per UTC month; None: no cap
    allow_max: bool = True
    cooldown_seconds: int = 0  # between one member's requests
    max_concurrent_per_user: int | None = None  # jobs one member may have running at once
    default_max_concurrent: int = 2
    allowed_channel_ids: frozenset[int] = frozenset()  # empty: everywhere
    watermark: str | None = None
    max_batch: int | None = None  # images one request may ask for; None: MAX_BATCH
    ping_results: bool = True  # a finished image arrives as a new message pinging its requester; off: in place
    role_limits: Mapping[int, int | None] = field(default_factory=lambda: MappingProxyType({}))  # None: unlimited
    safety_limit: int | None = None  # the most permissive safety tolerance members may use; None: the bot's default
    safety_top_age_restricted: bool = False  # the most permissive level only in age-restricted channels, always there
    # The stored settings version these were read at (GuildSettingsStore.guild_version): a reservation made with
    # them is refused, and made again with fresh ones, if they changed since.
    version: int = field(default=0, compare=False)

    @property
    def base_user_limit(self) -> int:
        """The daily image limit of a member without tier roles."""
        return self.default_daily_user_limit if self.daily_user_limit is None else self.daily_user_limit

    def safety_limit_in(self, *, age_restricted: bool, default: int = MOST_PERMISSIVE) -> int:
        """The most permissive safety tolerance allowed in a channel; `default` (the owner's) where the server set
        none. DMs are never age-restricted."""
        if age_restricted and self.safety_top_age_restricted:
            return MOST_PERMISSIVE
        limit = default if self.safety_limit is None else self.safety_limit
        return min(limit, MOST_PERMISSIVE - 1) if self.safety_top_age_restricted else limit

    @property
    def batch_limit(self) -> int:
        """How many images one request may ask for."""
        return MAX_BATCH if self.max_batch is None else self.max_batch

    @property
    def concurrent_limit(self) -> int:
        """How many jobs one member may have running at once."""
        return self.default_max_concurrent if self.max_concurrent_per_user is None else self.max_concurrent_per_user


class LimitKind(enum.StrEnum):
    """Which rule refused a reservation."""

    DISABLED = "disabled"  # the member's daily limit is 0
    CHANNEL = "channel"  # not one of the server's allowed channels
    MAX_MODE = "max_mode"  # the server does not allow max mode
    COOLDOWN = "cooldown"
    CONCURRENCY = "concurrency"
    USER_DAILY = "user_daily"
    GUILD_DAILY = "guild_daily"
    GUILD_MONTHLY = "guild_monthly"
    GLOBAL_DAILY = "global_daily"


@dataclass(eq=False, kw_only=True)
class QuotaExceeded(Exception):
    """A reservation refused by one limit; pure data, which the Discord side turns into words.

    limit/used/remaining are images (USER_DAILY, DISABLED), micro-dollars (GUILD_DAILY, GUILD_MONTHLY,
    GLOBAL_DAILY), jobs (CONCURRENCY) or seconds (COOLDOWN: limit only); resets_at is unix seconds (None when
    waiting will not help or the limit frees up when a job ends); needed is what this request asked for (1 image,
    or its price).
    """

    kind: LimitKind = field(kw_only=False)  # the one positional argument
    limit: int | None = None
    used: int | None = None
    remaining: int | None = None
    resets_at: float | None = None
    needed: int | None = None
    channel_ids: frozenset[int] = frozenset()  # for CHANNEL: where the bot may be used
    personal: bool = False  # the requester's personal rules refused it (no server's settings applied)
    images: int = 1  # how many images the refused request asked for (a batch: its size)

    def __post_init__(self) -> None:
        counts = f"limit={self.limit} used={self.used} remaining={self.remaining} resets_at={self.resets_at}"
        super().__init__(f"{self.kind.value}: {counts}")


_DAY = 86_400.0  # a UTC day in unix time, which has no leap seconds


@dataclass(frozen=True, slots=True)
class Periods:
    """The UTC day and month an instant falls in, and when each ends."""

    day: str  # 2026-11-24
    month: str  # 2026-11
    day_resets_at: float
    month_resets_at: float

    @classmethod
    def at(cls, timestamp: float) -> Periods:
        """The periods of a unix time; they depend on its UTC day alone, so each day's are worked out once (every
        reservation asks about today)."""
        return _periods_of_day(int(timestamp // _DAY))  # floor division of floats is exact, unlike t / day

    @classmethod
    def _of(cls, timestamp: float) -> Periods:
        moment = datetime.fromtimestamp(timestamp, UTC)
        midnight = datetime(moment.year, moment.month, moment.day, tzinfo=UTC)
        first = datetime(moment.year + (moment.month == 12), moment.month % 12 + 1, 1, tzinfo=UTC)
        return cls(
            day=moment.strftime("%Y-%m-%d"),
            month=moment.strftime("%Y-%m"),
            day_resets_at=(midnight + timedelta(days=1)).timestamp(),
            month_resets_at=first.timestamp(),
        )


@functools.lru_cache(maxsize=4)
def _periods_of_day(day: int) -> Periods:
    return Periods._of(day * _DAY)


@dataclass(frozen=True, slots=True)
class UserUsage:
    """What one member has used today in one server, and what is left."""

    images_today: int
    limit: int | None  # None: unlimited
    remaining: int | None  # None: unlimited
    in_flight: int
    max_concurrent: int
    day_resets_at: float


@dataclass(frozen=True, slots=True)
class GuildUsage:
    """A server's spend against its caps, and how its charges went, today and this month."""

    guild_id: int
    spent_today_micros: int  # reserved and committed
    spent_month_micros: int
    daily_cap_micros: int | None
    monthly_cap_micros: int | None
    day_resets_at: float
    month_resets_at: float
    today: ChargeTotals  # committed = images made, refunded = failures given back, reserved = running
    month: ChargeTotals
    top_today: tuple[Spender, ...]
    top_month: tuple[Spender, ...]


def check_settings(changes: Mapping[str, Any]) -> dict[str, Any]:
    """Validate admin changes to GuildSettings fields; return them as storage values. ValueError says what is wrong."""
    unknown = sorted(set(changes) - set(_CHECKS))
    if unknown:
        raise TypeError(f"not a changeable setting: {', '.join(unknown)}")
    return {name: _CHECKS[name](value) for name, value in changes.items()}


class SettingRefused(ValueError):
    """A server setting out of bounds that an admin can reach from Discord: its English words, and a code and values
    for the Discord side to say it in the admin's language (catalogue key `setting-<code>`)."""

    def __init__(self, message: str, code: str, **values: Any) -> None:
        super().__init__(message)
        self.code = code
        self.values = values


def check_role_limit(role_id: int, limit: int | None) -> None:
    """Validate a role tier; ValueError says what is wrong."""
    if not _is_int(role_id) or not 0 < role_id <= _SNOWFLAKE_MAX:
        raise ValueError("That is not a role.")
    if limit is not None and not (_is_int(limit) and 0 <= limit <= MAX_DAILY_IMAGES):
        raise SettingRefused(
            f"A role's daily image limit must be a whole number from 0 to {MAX_DAILY_IMAGES:,}, or unlimited.",
            "role-limit",
            max=MAX_DAILY_IMAGES,
        )


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


@dataclass(frozen=True, slots=True)
class _Whole:
    """A whole number within bounds; None stands for `default`."""

    message: str
    low: int
    high: int
    default: int | None = None

    def __call__(self, value: object) -> int | None:
        if value is None:
            return self.default
        if not isinstance(value, int) or isinstance(value, bool) or not self.low <= value <= self.high:
            raise ValueError(self.message)
        return value


@dataclass(frozen=True, slots=True)
class _Flag:
    """A yes or no; None stands for `default`."""

    message: str
    default: bool

    def __call__(self, value: object) -> bool:
        if value is None:
            return self.default
        if not isinstance(value, bool):
            raise ValueError(self.message)
        return value


def _channels(value: object) -> frozenset[int]:
    if value is None:
        return frozenset()
    if isinstance(value, str | bytes) or not isinstance(value, Iterable):
        raise ValueError("Allowed channels must be a list of channels.")
    channels = frozenset(value)
    if not all(_is_int(c) and 0 < c <= _SNOWFLAKE_MAX for c in channels):
        raise ValueError("Allowed channels must be channels.")
    if len(channels) > MAX_CHANNELS:
        raise SettingRefused(
            f"At most {MAX_CHANNELS} channels can be allowed; leave the list empty to allow every one.",
            "channels-too-many",
            max=MAX_CHANNELS,
        )
    return channels


def _watermark(value: object) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValueError("The watermark must be text.")
    text = " ".join(value.split())  # one line: newlines and runs of spaces collapse
    if len(text) > MAX_WATERMARK_CHARS:
        raise ValueError(f"The watermark can be at most {MAX_WATERMARK_CHARS} characters long.")
    return text or None


_CHECKS: dict[str, Callable[[object], Any]] = {
    "daily_user_limit": _Whole(
        f"The daily image limit must be a whole number from 0 (generation off) to {MAX_DAILY_IMAGES:,}.",
        0,
        MAX_DAILY_IMAGES,
    ),
    "daily_cap_micros": _Whole(
        "The daily spend cap must be an amount from $0 to $1,000,000, or none.", 0, MAX_CAP_MICROS
    ),
    "monthly_cap_micros": _Whole(
        "The monthly spend cap must be an amount from $0 to $1,000,000, or none.", 0, MAX_CAP_MICROS
    ),
    "allow_max": _Flag("Allowing max mode is a yes or no.", default=True),
    "cooldown_seconds": _Whole(
        f"The cooldown must be a whole number of seconds from 0 to {MAX_COOLDOWN_SECONDS:,} (one day).",
        0,
        MAX_COOLDOWN_SECONDS,
        default=0,
    ),
    "max_concurrent_per_user": _Whole(
        f"The number of jobs one member may run at once must be from 1 to {MAX_CONCURRENT}.", 1, MAX_CONCURRENT
    ),
    "allowed_channel_ids": _channels,
    "watermark": _watermark,
    "safety_limit": _Whole("The safety limit must be 0 (strict), 1 (moderate) or 2 (balanced).", 0, MOST_PERMISSIVE),
    "safety_top_age_restricted": _Flag(
        "Keeping the most permissive level for age-restricted channels is a yes or no.", default=False
    ),
    "max_batch": _Whole(f"The most images one request may ask for must be from 1 to {MAX_BATCH}.", 1, MAX_BATCH),
    "ping_results": _Flag("Pinging members when their image is ready is a yes or no.", default=True),
}
