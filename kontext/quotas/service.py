"""Quota policy: who may generate how much, and at what cost, on top of Storage's atomic counters (no SQL here).

Every accepted job reserves its cost against every limit at once (`QuotaService.reserve`); success commits the
charge, a failure that produced no image refunds it. Decisions a server admin or the owner should know:

- Days reset at 00:00 UTC and months on the 1st (UTC); all time comes from the injected clock.
- A member's daily image limit is the best of the server's limit (or the bot's default) and the limits of
  their tier roles: tiers only raise or lift (None: unlimited) a limit, never lower it. A server limit of 0
  therefore turns generation off for everyone *without* a tier role: 0 plus tiers makes an allow-list.
- Spend caps (server per day and month, the owner's global budget per day) count reserved and committed
  money; refunds give back the count, the money and the in-flight slot in the day and month the charge was
  made in, even after midnight. A refund never touches a committed charge, and nothing settles twice.
- The cooldown starts at each accepted request and is not given back by a refund (it throttles requests).
- `reset_user_day` clears a member's image count for today; the money already spent stays spent.
- Outside servers that installed the bot (DMs, group DMs, and servers a user brought the app into with a user
  install) the requester's personal rules apply: the pseudo-server `DM_GUILD_ID` (0), whose daily limit per user
  is the owner's `PERSONAL_DAILY_LIMIT`, with no spend caps beyond the global budget.
- The settings a request is admitted with may be up to SETTINGS_MAX_AGE seconds old (read once per server and
  reused; this process's own changes replace them at once, another process's show within that time): its watermark,
  safety limit and batch limit; the pings setting its delivery goes by, up to PINGS_MAX_AGE. Never its limits: a
  reservation is refused in its own transaction if the server's settings changed since they were read, and made
  again with fresh ones.
- Refusals are checked cheapest first (disabled, channel, max mode); among the counters, the longest-lasting
  limit is reported first: user daily, server monthly, server daily, global daily, then concurrency, cooldown.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import replace
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from kontext.models import MODES
from kontext.quotas.models import (
    GuildSettings,
    GuildUsage,
    LimitKind,
    Periods,
    QuotaExceeded,
    UserUsage,
    check_role_limit,
    check_settings,
)
from kontext.quotas.records import (
    Charge,
    ChargeState,
    Cooldown,
    CooldownActiveError,
    Counter,
    LimitReachedError,
    SettingsChangedError,
)
from kontext.storage.base import QuotaStore

if TYPE_CHECKING:
    from kontext.config import Settings

log = logging.getLogger(__name__)

DM_GUILD_ID = 0  # direct messages are quota'd as this pseudo-server
# How old the settings a request is admitted with may be (QuotaService.recent_settings): each read costs a database
# round trip or two before Discord's 3 seconds, on every request.
SETTINGS_MAX_AGE = 5.0
# The pings setting a delivery goes by may be older: read at the job's admission, it is looked up again as the job
# ends, usually more than SETTINGS_MAX_AGE later; it moves no money.
PINGS_MAX_AGE = 60.0
_SETTINGS_TRIES = 3  # reservations refused for settings changed meanwhile, before the caller hears it

# Counter scopes, in the order a reservation takes them. One fixed order means concurrent transactions lock
# counter rows in the same order (no deadlocks), and the first refusal reported is the longest-lasting limit.
USER_DAY = "user_day"
GUILD_MONTH = "guild_month"
GUILD_DAY = "guild_day"
GLOBAL_DAY = "global_day"
USER_INFLIGHT = "user_inflight"


class QuotaService:
    """Per-server settings, role tiers, and reserve → commit/refund of every job's cost against every limit."""

    def __init__(
        self,
        storage: QuotaStore,
        *,
        prices: Mapping[str, int],
        default_daily_user_limit: int = 25,
        personal_daily_limit: int = 10,
        global_daily_budget_micros: int | None = None,
        default_max_concurrent: int = 2,
        clock: Callable[[], float] = time.time,
        settings_max_age: float = SETTINGS_MAX_AGE,
        pings_max_age: float = PINGS_MAX_AGE,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        if set(prices) != set(MODES) or any(not isinstance(p, int) or p < 0 for p in prices.values()):
            raise ValueError(f"prices must give a non-negative integer of micro-dollars for each of {MODES}")
        self._storage = storage
        self._prices = dict(prices)
        self._default_limit = default_daily_user_limit
        self._personal_limit = personal_daily_limit
        self._global_budget = global_daily_budget_micros
        self._default_concurrent = default_max_concurrent
        self._clock = clock
        self._settings_max_age = settings_max_age
        self._pings_max_age = pings_max_age
        self._monotonic = monotonic
        self._recent: dict[int, tuple[float, GuildSettings]] = {}  # guild id: when read, what was read
        self._changes: dict[int, int] = {}  # guild id: changes this process made (a read begun before one is stale)

    @classmethod
    def from_settings(
        cls, storage: QuotaStore, settings: Settings, *, clock: Callable[[], float] = time.time
    ) -> QuotaService:
        """The service configured from the environment's Settings."""
        return cls(
            storage,
            prices=settings.prices,
            default_daily_user_limit=settings.default_daily_user_limit,
            personal_daily_limit=settings.personal_daily_limit,
            global_daily_budget_micros=settings.global_daily_budget_micros,
            default_max_concurrent=settings.default_max_concurrent_per_user,
            clock=clock,
        )

    def price(self, mode: str) -> int:
        """The price of one image in this mode, in micro-dollars."""
        try:
            return self._prices[mode]
        except KeyError:
            raise ValueError(f"unknown mode {mode!r}: choose one of {', '.join(MODES)}") from None

    async def recent_settings(self, guild_id: int | None) -> GuildSettings:
        """A server's settings as read at most `settings_max_age` seconds ago (for admitting a request)."""
        recent = self._recent.get(_guild(guild_id))
        if recent is not None and self._monotonic() - recent[0] < self._settings_max_age:
            return recent[1]
        return await self.settings(guild_id)

    async def settings(self, guild_id: int | None) -> GuildSettings:
        """A server's settings, with the bot's defaults where it set nothing, read now."""
        gid = _guild(guild_id)
        read_at, changes = self._monotonic(), self._changes.get(gid, 0)
        # The version first: a change landing between these reads leaves it older than the settings, which only
        # makes a reservation read them again.
        version = await self._storage.guild_version(gid)
        stored = await self._storage.get_guild_settings(gid) or {}
        roles = await self._storage.role_limits(gid)
        settings = GuildSettings(
            guild_id=gid,
            daily_user_limit=stored.get("daily_user_limit"),
            default_daily_user_limit=self._personal_limit if gid == DM_GUILD_ID else self._default_limit,
            daily_cap_micros=stored.get("daily_cap_micros"),
            monthly_cap_micros=stored.get("monthly_cap_micros"),
            allow_max=stored.get("allow_max", True),
            cooldown_seconds=stored.get("cooldown_seconds", 0),
            max_concurrent_per_user=stored.get("max_concurrent_per_user"),
            default_max_concurrent=self._default_concurrent,
            allowed_channel_ids=stored.get("allowed_channel_ids", frozenset()),
            watermark=stored.get("watermark"),
            max_batch=stored.get("max_batch"),
            ping_results=stored.get("ping_results", True),
            role_limits=MappingProxyType(roles),
            safety_limit=stored.get("safety_limit"),
            safety_top_age_restricted=stored.get("safety_top_age_restricted", False),
            version=version,
        )
        if self._changes.get(gid, 0) == changes:  # no change of ours landed while reading
            self._recent[gid] = (read_at, settings)
        return settings

    @contextlib.contextmanager
    def _changing(self, gid: int) -> Iterator[None]:
        """Around a change of a guild's settings: drop what was read before, and keep no read made meanwhile."""
        self._changes[gid] = self._changes.get(gid, 0) + 1
        self._recent.pop(gid, None)
        try:
            yield
        finally:
            self._changes[gid] += 1
            self._recent.pop(gid, None)

    async def pings(self, guild_id: int | None) -> bool:
        """Whether a server's finished images come as new messages pinging their requesters (recent settings, or
        one read)."""
        recent = self._recent.get(_guild(guild_id))
        if recent is not None and self._monotonic() - recent[0] < self._pings_max_age:
            return recent[1].ping_results
        stored = await self._storage.get_guild_settings(_guild(guild_id)) or {}
        return bool(stored.get("ping_results", True))

    async def update_settings(self, guild_id: int | None, **changes: Any) -> GuildSettings:
        """Validate and store some settings (None resets one to its default); ValueError says what is wrong."""
        values = check_settings(changes)
        gid = _guild(guild_id)
        with self._changing(gid):
            await self._storage.save_guild_settings(gid, values)
        log.info("guild %s: settings changed: %s", gid, ", ".join(f"{k}={v!r}" for k, v in values.items()))
        return await self.settings(gid)

    async def set_role_limit(self, guild_id: int | None, role_id: int, limit: int | None) -> GuildSettings:
        """Give a role a daily image limit (None: unlimited) that raises its members' limit."""
        check_role_limit(role_id, limit)
        gid = _guild(guild_id)
        with self._changing(gid):
            await self._storage.set_role_limit(gid, role_id, limit)
        log.info("guild %s: role %s tier set to %s", gid, role_id, "unlimited" if limit is None else limit)
        return await self.settings(gid)

    async def clear_role_limit(self, guild_id: int | None, role_id: int) -> bool:
        """Remove a role's tier; True if it had one."""
        with self._changing(_guild(guild_id)):
            removed = await self._storage.delete_role_limit(_guild(guild_id), role_id)
        if removed:
            log.info("guild %s: role %s tier cleared", _guild(guild_id), role_id)
        return removed

    def user_limit(self, settings: GuildSettings, role_ids: Iterable[int]) -> int | None:
        """A member's daily image limit: the best of the server's and their tier roles' (None: unlimited)."""
        limit = settings.base_user_limit
        for role_id in role_ids:
            if role_id in settings.role_limits:
                tier = settings.role_limits[role_id]
                if tier is None:
                    return None
                limit = max(limit, tier)
        return limit

    async def reserve(
        self,
        *,
        job_id: str,
        guild_id: int | None,
        user_id: int,
        role_ids: Iterable[int] = (),
        channel_id: int | None = None,
        mode: str,
        settings: GuildSettings | None = None,
        batch: Sequence[str] = (),
    ) -> Charge:
        """Reserve one image's cost against every limit in one atomic step; raise QuotaExceeded naming the limit.

        `channel_id` is where the request was made (pass a thread's parent channel). `settings` are the guild's, when
        the caller read them already (admission does, for the watermark): one read less before Discord's 3 seconds.
        Whoever read them, the reservation is made only if they are still the stored ones; else with fresh ones.
        A second reservation for the same job id raises DuplicateChargeError and charges nothing.

        `batch` (the job ids of a batch's images) reserves len(batch) images in the same step, all or none: each image
        its own charge (refunded alone if it fails), the member's in-flight slot held once, by the first image (the
        batch settles its images together when it ends). Returns the first image's charge.
        """
        price = self.price(mode)
        role_ids = tuple(role_ids)
        if settings is None:
            settings = await self.recent_settings(guild_id)
        for _ in range(_SETTINGS_TRIES - 1):
            try:
                return await self._reserve(job_id, user_id, role_ids, channel_id, mode, price, settings, batch)
            except SettingsChangedError:
                settings = await self.settings(guild_id)  # changed since read (by another process): read them again
        return await self._reserve(job_id, user_id, role_ids, channel_id, mode, price, settings, batch)

    async def _reserve(
        self,
        job_id: str,
        user_id: int,
        role_ids: Iterable[int],
        channel_id: int | None,
        mode: str,
        price: int,
        settings: GuildSettings,
        batch: Sequence[str],
    ) -> Charge:
        gid = settings.guild_id
        limit = self.user_limit(settings, role_ids)
        if limit == 0:
            raise self._refused(QuotaExceeded(LimitKind.DISABLED, limit=0, remaining=0), job_id, gid, user_id)
        if settings.allowed_channel_ids and channel_id not in settings.allowed_channel_ids:
            refusal = QuotaExceeded(LimitKind.CHANNEL, channel_ids=settings.allowed_channel_ids)
            raise self._refused(refusal, job_id, gid, user_id)
        if mode == "max" and not settings.allow_max:
            raise self._refused(QuotaExceeded(LimitKind.MAX_MODE), job_id, gid, user_id)

        now = self._clock()
        periods = Periods.at(now)
        member = _member(gid, user_id)
        ids = tuple(batch) or (job_id,)
        count = len(ids)

        def counters(images: int, in_flight: int) -> tuple[Counter, ...]:
            return (
                Counter(USER_DAY, member, periods.day, images, limit),
                Counter(GUILD_MONTH, str(gid), periods.month, images * price, settings.monthly_cap_micros),
                Counter(GUILD_DAY, str(gid), periods.day, images * price, settings.daily_cap_micros),
                Counter(GLOBAL_DAY, "", periods.day, images * price, self._global_budget),
                Counter(USER_INFLIGHT, member, "", in_flight, settings.concurrent_limit, held=True),
            )

        cooldown = Cooldown(member, now, settings.cooldown_seconds) if settings.cooldown_seconds > 0 else None
        charges = [
            Charge(ident, gid, user_id, mode, price, periods.day, periods.month, created_at=now) for ident in ids
        ]
        # What each charge gives back when settled alone; the caps are checked against the whole request's totals.
        recorded = [
            replace(charge, counters=tuple(c for c in counters(1, int(i == 0)) if c.amount or c.scope != USER_INFLIGHT))
            for i, charge in enumerate(charges)
        ]
        try:
            await self._storage.reserve_charges(
                recorded, counters(count, 1), cooldown, settings=(gid, settings.version)
            )
        except LimitReachedError as exc:
            refusal = _counter_refusal(exc, periods)
            refusal.images = count
            raise self._refused(refusal, job_id, gid, user_id) from None
        except CooldownActiveError as exc:
            refusal = QuotaExceeded(
                LimitKind.COOLDOWN, limit=settings.cooldown_seconds, resets_at=exc.last_at + exc.cooldown.seconds
            )
            raise self._refused(refusal, job_id, gid, user_id) from None
        # DEBUG: the job's own "accepted" line says the same, one log line per step of every job is CPU in a burst.
        log.debug(
            "job %s: reserved %s x %s micros (%s) for user %s in guild %s", job_id, count, price, mode, user_id, gid
        )
        return charges[0]

    async def commit(self, job_id: str) -> bool:
        """Keep a reserved charge for good (the image was made); True only for the call that did it."""
        done = await self._storage.settle_charge(job_id, ChargeState.COMMITTED, self._clock())
        if done:
            log.debug("job %s: charge committed", job_id)  # the job's "delivered" line, at INFO, means the same
        return done

    async def refund(self, job_id: str) -> bool:
        """Give back a reserved charge (no image was made); True only for the call that did it, never after commit."""
        done = await self._storage.settle_charge(job_id, ChargeState.REFUNDED, self._clock())
        if done:
            log.info("job %s: charge refunded", job_id)
        return done

    async def unsettled(self, *, older_than: float = 0.0, limit: int = 100) -> list[Charge]:
        """Reservations neither committed nor refunded, made more than `older_than` seconds ago, oldest first.

        After a crash, the job flow settles these (commit if the image was delivered, refund otherwise):
        a reservation left open keeps holding one of its member's concurrent-job slots.
        """
        return await self._storage.reserved_charges(created_before=self._clock() - older_than, limit=limit)

    async def user_usage(self, guild_id: int | None, user_id: int, role_ids: Iterable[int] = ()) -> UserUsage:
        """A member's images today against their limit, and their jobs running."""
        settings = await self.settings(guild_id)
        limit = self.user_limit(settings, role_ids)
        periods = Periods.at(self._clock())
        member = _member(settings.guild_id, user_id)
        images, in_flight = await self._storage.counter_values(
            [(USER_DAY, member, periods.day), (USER_INFLIGHT, member, "")]
        )
        return UserUsage(
            images_today=images,
            limit=limit,
            remaining=None if limit is None else max(limit - images, 0),
            in_flight=in_flight,
            max_concurrent=settings.concurrent_limit,
            day_resets_at=periods.day_resets_at,
        )

    async def guild_usage(self, guild_id: int | None, *, top: int = 5) -> GuildUsage:
        """A server's spend today and this month against its caps, its charges by state, and its top spenders."""
        settings = await self.settings(guild_id)
        gid = settings.guild_id
        periods = Periods.at(self._clock())
        spent_today, spent_month = await self._storage.counter_values(
            [(GUILD_DAY, str(gid), periods.day), (GUILD_MONTH, str(gid), periods.month)]
        )
        top_today = await self._storage.top_spenders(gid, day=periods.day, limit=top) if top > 0 else []
        top_month = await self._storage.top_spenders(gid, month=periods.month, limit=top) if top > 0 else []
        return GuildUsage(
            guild_id=gid,
            spent_today_micros=spent_today,
            spent_month_micros=spent_month,
            daily_cap_micros=settings.daily_cap_micros,
            monthly_cap_micros=settings.monthly_cap_micros,
            day_resets_at=periods.day_resets_at,
            month_resets_at=periods.month_resets_at,
            today=await self._storage.charge_totals(gid, day=periods.day),
            month=await self._storage.charge_totals(gid, month=periods.month),
            top_today=tuple(top_today),
            top_month=tuple(top_month),
        )

    async def global_refusal(self, price: int) -> QuotaExceeded | None:
        """The owner's daily budget's refusal of one more image at `price` now, or None (nothing is reserved)."""
        budget = self._global_budget
        if budget is None:
            return None
        periods = Periods.at(self._clock())
        (spent,) = await self._storage.counter_values([(GLOBAL_DAY, "", periods.day)])
        if spent + price <= budget:
            return None
        return QuotaExceeded(
            LimitKind.GLOBAL_DAILY,
            limit=budget,
            used=spent,
            remaining=max(budget - spent, 0),
            resets_at=periods.day_resets_at,
            needed=price,
        )

    async def reset_user_day(self, guild_id: int | None, user_id: int) -> None:
        """Clear a member's image count for today; the money already spent stays counted (it was spent)."""
        gid = _guild(guild_id)
        day = Periods.at(self._clock()).day
        await self._storage.set_counter((USER_DAY, _member(gid, user_id), day), 0)
        log.info("guild %s: user %s daily count reset for %s", gid, user_id, day)

    @staticmethod
    def _refused(refusal: QuotaExceeded, job_id: str, guild_id: int, user_id: int) -> QuotaExceeded:
        refusal.personal = guild_id == DM_GUILD_ID
        log.info("job %s: refused for user %s in guild %s: %s", job_id, user_id, guild_id, refusal.kind.value)
        return refusal


_SCOPE_KINDS: dict[str, LimitKind] = {
    USER_DAY: LimitKind.USER_DAILY,
    GUILD_MONTH: LimitKind.GUILD_MONTHLY,
    GUILD_DAY: LimitKind.GUILD_DAILY,
    GLOBAL_DAY: LimitKind.GLOBAL_DAILY,
    USER_INFLIGHT: LimitKind.CONCURRENCY,
}


def _counter_refusal(exc: LimitReachedError, periods: Periods) -> QuotaExceeded:
    """The QuotaExceeded for a counter that would have passed its cap."""
    counter = exc.counter
    kind = _SCOPE_KINDS[counter.scope]
    if kind is LimitKind.GUILD_MONTHLY:
        resets_at: float | None = periods.month_resets_at
    elif kind is LimitKind.CONCURRENCY:
        resets_at = None  # frees up when one of the member's jobs ends
    else:
        resets_at = periods.day_resets_at
    cap = counter.cap if counter.cap is not None else 0
    return QuotaExceeded(
        kind,
        limit=counter.cap,
        used=exc.used,
        remaining=max(cap - exc.used, 0),
        resets_at=resets_at,
        needed=counter.amount,
    )


def _guild(guild_id: int | None) -> int:
    return DM_GUILD_ID if guild_id is None else guild_id


def _member(guild_id: int, user_id: int) -> str:
    return f"{guild_id}:{user_id}"
