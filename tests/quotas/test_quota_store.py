"""The quota store's atomic reservations, through QuotaService: races, and charges committed or refunded once."""

from __future__ import annotations

import asyncio

import pytest

from kontext.quotas.models import LimitKind
from kontext.quotas.records import Charge, ChargeState, DuplicateChargeError
from kontext.storage.base import Storage
from tests.quotas.quota_support import (
    GUILD,
    NOON,
    USER,
    Clock,
    StorageFactory,
    assert_totals,
    charge_state,
    make_service,
    reserve,
    stampede,
    ts,
)

# --- Concurrency: exactly the allowed number, however many arrive at once ---------------------------------


async def test_quotas_concurrent_reserves_stop_at_user_daily_limit(storage: Storage) -> None:
    quotas = make_service(storage)
    await quotas.update_settings(GUILD, daily_user_limit=10, max_concurrent_per_user=20)

    accepted, refused = await stampede([quotas])

    assert len(accepted) == 10 and len(refused) == 40
    assert {r.kind for r in refused} == {LimitKind.USER_DAILY}
    await assert_totals(quotas, storage, images=10, micros=300_000)


async def test_quotas_concurrent_reserves_stop_at_guild_daily_cap(storage: Storage) -> None:
    quotas = make_service(storage)
    await quotas.update_settings(GUILD, daily_user_limit=100, daily_cap_micros=300_000, max_concurrent_per_user=20)

    accepted, refused = await stampede([quotas])

    assert len(accepted) == 10 and {r.kind for r in refused} == {LimitKind.GUILD_DAILY}
    assert len(refused) == 40
    await assert_totals(quotas, storage, images=10, micros=300_000)


async def test_quotas_concurrent_reserves_stop_at_guild_monthly_cap(storage: Storage) -> None:
    quotas = make_service(storage)
    await quotas.update_settings(GUILD, daily_user_limit=100, monthly_cap_micros=300_000, max_concurrent_per_user=20)

    accepted, refused = await stampede([quotas])

    assert len(accepted) == 10 and {r.kind for r in refused} == {LimitKind.GUILD_MONTHLY}
    await assert_totals(quotas, storage, images=10, micros=300_000)


async def test_quotas_concurrent_reserves_stop_at_global_budget(storage: Storage) -> None:
    quotas = make_service(storage, global_daily_budget_micros=300_000)
    await quotas.update_settings(GUILD, daily_user_limit=100, max_concurrent_per_user=20)

    accepted, refused = await stampede([quotas])

    assert len(accepted) == 10 and {r.kind for r in refused} == {LimitKind.GLOBAL_DAILY}
    await assert_totals(quotas, storage, images=10, micros=300_000)


async def test_quotas_concurrent_reserves_across_two_storages(make_storage: StorageFactory) -> None:
    # Two storages are two pools (PostgreSQL) or two connections (SQLite): what two bot processes would hold.
    first, second = make_storage(), make_storage()
    await first.open()
    await second.open()
    quotas = [make_service(first), make_service(second, global_daily_budget_micros=10_000_000)]
    await quotas[0].update_settings(GUILD, daily_user_limit=10, max_concurrent_per_user=20)

    accepted, refused = await stampede(quotas)

    assert len(accepted) == 10 and {r.kind for r in refused} == {LimitKind.USER_DAILY}
    await assert_totals(quotas[0], first, images=10, micros=300_000)
    await assert_totals(quotas[1], second, images=10, micros=300_000)


async def test_quotas_concurrent_reserves_within_cooldown_accept_one(storage: Storage) -> None:
    quotas = make_service(storage)
    await quotas.update_settings(GUILD, cooldown_seconds=30, max_concurrent_per_user=20)

    accepted, refused = await stampede([quotas], count=20)

    assert len(accepted) == 1 and {r.kind for r in refused} == {LimitKind.COOLDOWN}
    await assert_totals(quotas, storage, images=1, micros=30_000)


async def test_quotas_concurrent_commits_and_refunds_settle_once(storage: Storage) -> None:
    quotas = make_service(storage)
    await reserve(quotas, "job-1")

    results = await asyncio.gather(
        *(quotas.commit("job-1") for _ in range(5)), *(quotas.refund("job-1") for _ in range(5))
    )

    assert results.count(True) == 1


# --- Reserve, commit, refund ---------------------------------------------------------------------------------


async def test_quotas_reserve_returns_the_charge(storage: Storage) -> None:
    quotas = make_service(storage)

    reservation = await reserve(quotas, "job-1", mode="max")

    assert reservation == Charge("job-1", GUILD, USER, "max", 60_000, "2026-11-24", "2026-11", NOON)
    assert await charge_state(storage, "job-1") is ChargeState.RESERVED
    assert await charge_state(storage, "nope") is None


async def test_quotas_commit_happens_once(storage: Storage) -> None:
    quotas = make_service(storage)
    await reserve(quotas, "job-1")

    assert (await quotas.commit("job-1"), await quotas.commit("job-1")) == (True, False)

    usage = await quotas.user_usage(GUILD, USER)
    assert (usage.images_today, usage.in_flight) == (1, 0)  # the image stays counted, the slot is free
    guild = await quotas.guild_usage(GUILD)
    assert (guild.spent_today_micros, guild.today.committed, guild.today.committed_micros) == (30_000, 1, 30_000)


async def test_quotas_refund_happens_once_and_restores_counts_and_money(storage: Storage) -> None:
    quotas = make_service(storage)
    await reserve(quotas, "job-1")
    await reserve(quotas, "job-2", mode="max")

    assert (await quotas.refund("job-2"), await quotas.refund("job-2")) == (True, False)

    await assert_totals(quotas, storage, images=1, micros=30_000)
    guild = await quotas.guild_usage(GUILD)
    assert (guild.today.refunded, guild.today.refunded_micros) == (1, 60_000)
    assert (guild.month.refunded, guild.month.refunded_micros) == (1, 60_000)


async def test_quotas_refund_never_after_commit(storage: Storage) -> None:
    quotas = make_service(storage)
    await reserve(quotas, "job-1")
    await quotas.commit("job-1")

    assert await quotas.refund("job-1") is False

    assert (await quotas.user_usage(GUILD, USER)).images_today == 1
    assert (await quotas.guild_usage(GUILD)).spent_today_micros == 30_000
    assert await charge_state(storage, "job-1") is ChargeState.COMMITTED


async def test_quotas_commit_never_after_refund(storage: Storage) -> None:
    quotas = make_service(storage)
    await reserve(quotas, "job-1")
    await quotas.refund("job-1")

    assert await quotas.commit("job-1") is False
    assert (await quotas.guild_usage(GUILD)).spent_today_micros == 0


async def test_quotas_settling_an_unknown_job_is_false(storage: Storage) -> None:
    quotas = make_service(storage)

    assert (await quotas.commit("nope"), await quotas.refund("nope")) == (False, False)


async def test_quotas_reserve_twice_for_one_job_charges_once(storage: Storage) -> None:
    quotas = make_service(storage)
    await reserve(quotas, "job-1")

    with pytest.raises(DuplicateChargeError):
        await reserve(quotas, "job-1")

    await assert_totals(quotas, storage, images=1, micros=30_000)


async def test_quotas_refund_after_midnight_restores_the_day_it_was_charged(storage: Storage) -> None:
    clock = Clock(ts(2026, 11, 30, 23, 59, 59))
    quotas = make_service(storage, clock)
    await quotas.update_settings(GUILD, daily_user_limit=1, monthly_cap_micros=30_000)
    await reserve(quotas, "old")
    clock.now = ts(2026, 12, 1)
    await reserve(quotas, "new")  # a new day and month: the limits are fresh

    assert await quotas.refund("old")

    usage = await quotas.user_usage(GUILD, USER)
    assert (usage.images_today, usage.in_flight) == (1, 1)  # today's image untouched; the old slot freed
    guild = await quotas.guild_usage(GUILD)
    assert (guild.spent_today_micros, guild.spent_month_micros) == (30_000, 30_000)
    clock.now = ts(2026, 11, 30, 12)
    assert (await quotas.user_usage(GUILD, USER)).images_today == 0
    assert (await quotas.guild_usage(GUILD)).spent_month_micros == 0


async def test_quotas_unsettled_lists_open_reservations_oldest_first(storage: Storage) -> None:
    clock = Clock()
    quotas = make_service(storage, clock)
    await quotas.update_settings(GUILD, max_concurrent_per_user=5)
    for i in range(3):
        clock.now = NOON + i
        await reserve(quotas, f"job-{i}")
    await quotas.commit("job-0")
    clock.now = NOON + 60

    assert [r.job_id for r in await quotas.unsettled()] == ["job-1", "job-2"]
    assert [r.job_id for r in await quotas.unsettled(older_than=58.5)] == ["job-1"]
