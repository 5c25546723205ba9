"""What the quota tests share: ids, a hand-moved clock, and helpers to reserve, refuse and check the totals."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest

from kontext.quotas.models import LimitKind, Periods, QuotaExceeded
from kontext.quotas.records import Charge, ChargeState, ChargeTotals
from kontext.quotas.service import GLOBAL_DAY, QuotaService
from kontext.storage.base import LedgerStore, Storage

StorageFactory = Callable[[], Storage]  # what the make_storage fixture returns
PRICES = {"pro": 30_000, "max": 60_000}
GUILD = 1_234_567_890_123_456_789
USER = 987_654_321_098_765_432
CHANNEL = 555


def ts(*args: int) -> float:
    return datetime(*args, tzinfo=UTC).timestamp()  # type: ignore[misc]


NOON = ts(2026, 11, 24, 12)


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, now: float = NOON) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def make_service(storage: Storage, clock: Clock | None = None, **options: object) -> QuotaService:
    values: dict[str, object] = {"prices": PRICES, "default_daily_user_limit": 25, "clock": clock or Clock()}
    values.update(options)
    return QuotaService(storage, **values)  # type: ignore[arg-type]


async def reserve(quotas: QuotaService, job_id: str, **overrides: object) -> Charge:
    values: dict[str, object] = {
        "job_id": job_id,
        "guild_id": GUILD,
        "user_id": USER,
        "role_ids": (),
        "channel_id": CHANNEL,
        "mode": "pro",
    }
    values.update(overrides)
    return await quotas.reserve(**values)  # type: ignore[arg-type]


async def refusal(quotas: QuotaService, job_id: str, **overrides: object) -> QuotaExceeded:
    with pytest.raises(QuotaExceeded) as excinfo:
        await reserve(quotas, job_id, **overrides)
    return excinfo.value


async def stampede(services: list[QuotaService], count: int = 50) -> tuple[list[Charge], list[QuotaExceeded]]:
    """`count` simultaneous reservations by one user, spread over the services; (accepted, refused)."""
    results = await asyncio.gather(
        *(reserve(services[i % len(services)], f"job-{i}") for i in range(count)), return_exceptions=True
    )
    accepted = [r for r in results if isinstance(r, Charge)]
    refused = [r for r in results if isinstance(r, QuotaExceeded)]
    assert len(accepted) + len(refused) == count, [r for r in results if isinstance(r, BaseException)]
    return accepted, refused


async def assert_totals(quotas: QuotaService, storage: LedgerStore, *, images: int, micros: int) -> None:
    """The counters, the ledger and the usage reports all agree, to the micro-dollar (at NOON, the default clock)."""
    user = await quotas.user_usage(GUILD, USER)
    guild = await quotas.guild_usage(GUILD)
    world = await global_usage(storage, NOON)
    assert (user.images_today, user.in_flight) == (images, images)
    assert (guild.spent_today_micros, guild.spent_month_micros, world.spent_today_micros) == (micros, micros, micros)
    assert (guild.today.reserved, guild.today.reserved_micros) == (images, micros)
    assert (guild.month.reserved, guild.month.reserved_micros) == (images, micros)
    assert (world.today.reserved, world.today.reserved_micros) == (images, micros)


async def charge_state(storage: LedgerStore, job_id: str) -> ChargeState | None:
    """Where a job's charge stands in the ledger, or None if it was never reserved."""
    charge = await storage.get_charge(job_id)
    return None if charge is None else charge.state


@dataclass(frozen=True)
class GlobalUsage:
    """The spend over all servers in one UTC day: the global counter and the ledger's totals."""

    spent_today_micros: int
    today: ChargeTotals


async def global_usage(storage: LedgerStore, now: float | None = None) -> GlobalUsage:
    """The owner's view of a day (today by the wall clock unless `now` says otherwise), from the counters and ledger."""
    day = Periods.at(time.time() if now is None else now).day
    (spent,) = await storage.counter_values([(GLOBAL_DAY, "", day)])
    return GlobalUsage(spent, await storage.charge_totals(None, day=day))


MONEY_KINDS = frozenset({LimitKind.GUILD_DAILY, LimitKind.GUILD_MONTHLY, LimitKind.GLOBAL_DAILY})
