"""What the quota tests share: ids, a hand-moved clock, and helpers to reserve, refuse and check the totals."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime

import pytest

from kontext.quotas.service import QuotaExceeded, QuotaService, Reservation
from kontext.storage.base import Storage

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


async def reserve(quotas: QuotaService, job_id: str, **overrides: object) -> Reservation:
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


async def stampede(services: list[QuotaService], count: int = 50) -> tuple[list[Reservation], list[QuotaExceeded]]:
    """`count` simultaneous reservations by one user, spread over the services; (accepted, refused)."""
    results = await asyncio.gather(
        *(reserve(services[i % len(services)], f"job-{i}") for i in range(count)), return_exceptions=True
    )
    accepted = [r for r in results if isinstance(r, Reservation)]
    refused = [r for r in results if isinstance(r, QuotaExceeded)]
    assert len(accepted) + len(refused) == count, [r for r in results if isinstance(r, BaseException)]
    return accepted, refused


async def assert_totals(quotas: QuotaService, *, images: int, micros: int) -> None:
    """The counters, the ledger and the usage reports all agree, to the micro-dollar."""
    user = await quotas.user_usage(GUILD, USER)
    guild = await quotas.guild_usage(GUILD)
    world = await quotas.global_usage()
    assert (user.images_today, user.in_flight) == (images, images)
    assert (guild.spent_today_micros, guild.spent_month_micros, world.spent_today_micros) == (micros, micros, micros)
    assert (guild.today.reserved, guild.today.reserved_micros) == (images, micros)
    assert (guild.month.reserved, guild.month.reserved_micros) == (images, micros)
    assert (world.today.reserved, world.today.reserved_micros) == (images, micros)
