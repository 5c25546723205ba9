"""Quota policy and its atomic reservations, run on every backend by the `storage` fixture."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime

import pytest

from kontext.config import Settings
from kontext.quota_store import ChargeState
from kontext.quotas import (
    DM_GUILD_ID,
    DuplicateChargeError,
    GuildSettings,
    LimitKind,
    Periods,
    QuotaExceeded,
    QuotaService,
    Reservation,
)
from kontext.storage import Storage

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


# --- Concurrency: exactly the allowed number, however many arrive at once ---------------------------------


async def test_quotas_concurrent_reserves_stop_at_user_daily_limit(storage: Storage) -> None:
    quotas = make_service(storage)
    await quotas.update_settings(GUILD, daily_user_limit=10, max_concurrent_per_user=20)

    accepted, refused = await stampede([quotas])

    assert len(accepted) == 10 and len(refused) == 40
    assert {r.kind for r in refused} == {LimitKind.USER_DAILY}
    await assert_totals(quotas, images=10, micros=300_000)


async def test_quotas_concurrent_reserves_stop_at_guild_daily_cap(storage: Storage) -> None:
    quotas = make_service(storage)
    await quotas.update_settings(GUILD, daily_user_limit=100, daily_cap_micros=300_000, max_concurrent_per_user=20)

    accepted, refused = await stampede([quotas])

    assert len(accepted) == 10 and {r.kind for r in refused} == {LimitKind.GUILD_DAILY}
    assert len(refused) == 40
    await assert_totals(quotas, images=10, micros=300_000)


async def test_quotas_concurrent_reserves_stop_at_guild_monthly_cap(storage: Storage) -> None:
    quotas = make_service(storage)
    await quotas.update_settings(GUILD, daily_user_limit=100, monthly_cap_micros=300_000, max_concurrent_per_user=20)

    accepted, refused = await stampede([quotas])

    assert len(accepted) == 10 and {r.kind for r in refused} == {LimitKind.GUILD_MONTHLY}
    await assert_totals(quotas, images=10, micros=300_000)


async def test_quotas_concurrent_reserves_stop_at_global_budget(storage: Storage) -> None:
    quotas = make_service(storage, global_daily_budget_micros=300_000)
    await quotas.update_settings(GUILD, daily_user_limit=100, max_concurrent_per_user=20)

    accepted, refused = await stampede([quotas])

    assert len(accepted) == 10 and {r.kind for r in refused} == {LimitKind.GLOBAL_DAILY}
    await assert_totals(quotas, images=10, micros=300_000)


async def test_quotas_concurrent_reserves_across_two_storages(make_storage: StorageFactory) -> None:
    # Two storages are two pools (PostgreSQL) or two connections (SQLite): what two bot processes would hold.
    first, second = make_storage(), make_storage()
    await first.open()
    await second.open()
    quotas = [make_service(first), make_service(second, global_daily_budget_micros=10_000_000)]
    await quotas[0].update_settings(GUILD, daily_user_limit=10, max_concurrent_per_user=20)

    accepted, refused = await stampede(quotas)

    assert len(accepted) == 10 and {r.kind for r in refused} == {LimitKind.USER_DAILY}
    await assert_totals(quotas[0], images=10, micros=300_000)
    await assert_totals(quotas[1], images=10, micros=300_000)


async def test_quotas_concurrent_reserves_within_cooldown_accept_one(storage: Storage) -> None:
    quotas = make_service(storage)
    await quotas.update_settings(GUILD, cooldown_seconds=30, max_concurrent_per_user=20)

    accepted, refused = await stampede([quotas], count=20)

    assert len(accepted) == 1 and {r.kind for r in refused} == {LimitKind.COOLDOWN}
    await assert_totals(quotas, images=1, micros=30_000)


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

    assert reservation == Reservation("job-1", GUILD, USER, "max", 60_000, "2026-11-24", "2026-11", NOON)
    assert await quotas.reservation("job-1") == (reservation, ChargeState.RESERVED)
    assert await quotas.reservation("nope") is None


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

    await assert_totals(quotas, images=1, micros=30_000)
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
    assert (await quotas.reservation("job-1"))[1] is ChargeState.COMMITTED  # type: ignore[index]


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

    await assert_totals(quotas, images=1, micros=30_000)


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


# --- Refusals -------------------------------------------------------------------------------------------------


async def test_quotas_user_daily_refusal_says_limit_used_and_reset(storage: Storage) -> None:
    quotas = make_service(storage)
    await quotas.update_settings(GUILD, daily_user_limit=2, max_concurrent_per_user=5)
    await reserve(quotas, "a")
    await reserve(quotas, "b")

    refused = await refusal(quotas, "c")

    assert refused.kind is LimitKind.USER_DAILY and not refused.kind.money
    assert (refused.limit, refused.used, refused.remaining, refused.needed) == (2, 2, 0, 1)
    assert refused.resets_at == ts(2026, 11, 25)


async def test_quotas_money_refusal_reports_what_is_left(storage: Storage) -> None:
    quotas = make_service(storage)
    await quotas.update_settings(GUILD, daily_cap_micros=100_000, max_concurrent_per_user=5)
    await reserve(quotas, "a", mode="max")

    refused = await refusal(quotas, "b", mode="max")

    assert refused.kind is LimitKind.GUILD_DAILY and refused.kind.money
    assert (refused.limit, refused.used, refused.remaining, refused.needed) == (100_000, 60_000, 40_000, 60_000)
    assert refused.resets_at == ts(2026, 11, 25)
    await reserve(quotas, "c")  # pro still fits: 90_000 <= 100_000


async def test_quotas_price_above_an_unused_cap_is_refused(storage: Storage) -> None:
    quotas = make_service(storage, global_daily_budget_micros=50_000)

    refused = await refusal(quotas, "a", mode="max")

    assert (refused.kind, refused.used, refused.remaining) == (LimitKind.GLOBAL_DAILY, 0, 50_000)
    assert (await quotas.global_usage()).spent_today_micros == 0


async def test_quotas_refused_reservations_cost_nothing(storage: Storage) -> None:
    quotas = make_service(storage)
    await quotas.update_settings(GUILD, daily_cap_micros=60_000, cooldown_seconds=10, max_concurrent_per_user=5)
    await reserve(quotas, "a")

    cooling = await refusal(quotas, "b")  # refused by the last rule checked, after every counter was added
    clock_free = make_service(storage, Clock(NOON + 10))
    await reserve(clock_free, "c")
    capped = await refusal(clock_free, "d")  # refused after the user's count was added

    assert (cooling.kind, capped.kind) == (LimitKind.COOLDOWN, LimitKind.GUILD_DAILY)
    await assert_totals(quotas, images=2, micros=60_000)
    assert await quotas.reservation("b") is None and await quotas.reservation("d") is None


async def test_quotas_cooldown_between_requests(storage: Storage) -> None:
    clock = Clock()
    quotas = make_service(storage, clock)
    await quotas.update_settings(GUILD, cooldown_seconds=30, max_concurrent_per_user=5)
    await reserve(quotas, "a")
    clock.now = NOON + 29.5

    refused = await refusal(quotas, "b")

    assert (refused.kind, refused.limit, refused.resets_at) == (LimitKind.COOLDOWN, 30, NOON + 30)
    clock.now = NOON + 30
    await reserve(quotas, "c")
    await reserve(quotas, "d", user_id=USER + 1)  # another member has a cooldown of their own


async def test_quotas_cooldown_is_not_given_back_by_a_refund(storage: Storage) -> None:
    quotas = make_service(storage)
    await quotas.update_settings(GUILD, cooldown_seconds=30)
    await reserve(quotas, "a")
    await quotas.refund("a")

    assert (await refusal(quotas, "b")).kind is LimitKind.COOLDOWN


async def test_quotas_max_concurrent_per_user(storage: Storage) -> None:
    quotas = make_service(storage, default_max_concurrent=2)
    await reserve(quotas, "a")
    await reserve(quotas, "b")

    refused = await refusal(quotas, "c")

    assert (refused.kind, refused.limit, refused.used, refused.resets_at) == (LimitKind.CONCURRENCY, 2, 2, None)
    await reserve(quotas, "d", user_id=USER + 1)
    await quotas.commit("a")
    await reserve(quotas, "e")
    await quotas.refund("b")
    await reserve(quotas, "f")


async def test_quotas_max_mode_can_be_disallowed(storage: Storage) -> None:
    quotas = make_service(storage)
    await quotas.update_settings(GUILD, allow_max=False)

    assert (await refusal(quotas, "a", mode="max")).kind is LimitKind.MAX_MODE
    await reserve(quotas, "b", mode="pro")
    await assert_totals(quotas, images=1, micros=30_000)


async def test_quotas_channels_can_be_restricted(storage: Storage) -> None:
    quotas = make_service(storage)
    await quotas.update_settings(GUILD, allowed_channel_ids=[CHANNEL, 777])

    refused = await refusal(quotas, "a", channel_id=666)

    assert (refused.kind, refused.channel_ids) == (LimitKind.CHANNEL, frozenset({CHANNEL, 777}))
    await reserve(quotas, "b", channel_id=777)


async def test_quotas_limit_zero_disables_generation(storage: Storage) -> None:
    quotas = make_service(storage)
    await quotas.update_settings(GUILD, daily_user_limit=0, allowed_channel_ids=[CHANNEL], allow_max=False)

    refused = await refusal(quotas, "a", channel_id=666, mode="max")

    assert (refused.kind, refused.limit) == (LimitKind.DISABLED, 0)  # checked before the channel and the mode
    assert (await quotas.guild_usage(GUILD)).spent_today_micros == 0


async def test_quotas_default_limit_zero_disables_until_a_server_sets_one(storage: Storage) -> None:
    quotas = make_service(storage, default_daily_user_limit=0)
    assert (await refusal(quotas, "a")).kind is LimitKind.DISABLED

    await quotas.update_settings(GUILD, daily_user_limit=3)

    await reserve(quotas, "b")


async def test_quotas_unknown_mode_is_a_value_error(storage: Storage) -> None:
    with pytest.raises(ValueError, match="ultra"):
        await reserve(make_service(storage), "a", mode="ultra")


# --- Role tiers -----------------------------------------------------------------------------------------------


async def test_quotas_member_gets_the_higher_of_two_tiers(storage: Storage) -> None:
    quotas = make_service(storage)
    await quotas.update_settings(GUILD, daily_user_limit=5)
    await quotas.set_role_limit(GUILD, 11, 10)
    settings = await quotas.set_role_limit(GUILD, 12, 40)

    assert quotas.user_limit(settings, [11, 12, 13]) == 40
    assert quotas.user_limit(settings, [11]) == 10
    assert quotas.user_limit(settings, [13]) == 5
    assert (await quotas.user_usage(GUILD, USER, [12, 11])).limit == 40


async def test_quotas_unlimited_tier_lifts_the_limit(storage: Storage) -> None:
    quotas = make_service(storage, default_max_concurrent=20)
    await quotas.update_settings(GUILD, daily_user_limit=1)
    await quotas.set_role_limit(GUILD, 11, 50)
    await quotas.set_role_limit(GUILD, 12, None)

    for i in range(3):
        await reserve(quotas, f"job-{i}", role_ids=[11, 12])

    usage = await quotas.user_usage(GUILD, USER, [11, 12])
    assert (usage.images_today, usage.limit, usage.remaining) == (3, None, None)
    assert (await refusal(quotas, "job-x", role_ids=[])).kind is LimitKind.USER_DAILY


async def test_quotas_tiers_never_lower_the_limit(storage: Storage) -> None:
    quotas = make_service(storage)
    settings = await quotas.set_role_limit(GUILD, 11, 3)

    assert quotas.user_limit(settings, [11]) == 25


async def test_quotas_tier_lets_a_role_generate_where_the_limit_is_zero(storage: Storage) -> None:
    quotas = make_service(storage)
    await quotas.update_settings(GUILD, daily_user_limit=0)
    await quotas.set_role_limit(GUILD, 11, 2)

    await reserve(quotas, "a", role_ids=[11])
    assert (await refusal(quotas, "b", role_ids=[99])).kind is LimitKind.DISABLED


async def test_quotas_clear_role_limit(storage: Storage) -> None:
    quotas = make_service(storage)
    await quotas.set_role_limit(GUILD, 11, None)

    assert (await quotas.clear_role_limit(GUILD, 11), await quotas.clear_role_limit(GUILD, 11)) == (True, False)
    assert (await quotas.settings(GUILD)).role_limits == {}


async def test_quotas_role_tiers_are_per_guild(storage: Storage) -> None:
    quotas = make_service(storage)
    await quotas.set_role_limit(GUILD, 11, 100)

    assert (await quotas.settings(GUILD + 1)).role_limits == {}


@pytest.mark.parametrize(("role_id", "limit"), [(0, 5), (11, -1), (11, 10_001), (11, True), (True, 5), (11, 2.5)])
async def test_quotas_set_role_limit_rejects_bad_values(storage: Storage, role_id: int, limit: int) -> None:
    with pytest.raises(ValueError):
        await make_service(storage).set_role_limit(GUILD, role_id, limit)


# --- Days and months ------------------------------------------------------------------------------------------


def test_quotas_periods_at_the_last_second_and_the_first() -> None:
    last = Periods.at(ts(2026, 11, 30, 23, 59, 59))
    first = Periods.at(ts(2026, 12, 1))

    assert (last.day, last.month) == ("2026-11-30", "2026-11")
    assert (last.day_resets_at, last.month_resets_at) == (ts(2026, 12, 1), ts(2026, 12, 1))
    assert (first.day, first.month) == ("2026-12-01", "2026-12")
    assert (first.day_resets_at, first.month_resets_at) == (ts(2026, 12, 2), ts(2027, 1, 1))


def test_quotas_periods_roll_over_the_year_and_leap_day() -> None:
    new_year = Periods.at(ts(2026, 12, 31, 23, 59, 59, 999_999))
    leap = Periods.at(ts(2028, 2, 28, 23, 0))

    assert (new_year.day, new_year.day_resets_at, new_year.month_resets_at) == (
        "2026-12-31",
        ts(2027, 1, 1),
        ts(2027, 1, 1),
    )
    assert (leap.day_resets_at, leap.month_resets_at) == (ts(2028, 2, 29), ts(2028, 3, 1))


async def test_quotas_daily_limit_resets_at_midnight_utc(storage: Storage) -> None:
    clock = Clock(ts(2026, 11, 24, 23, 59, 59))
    quotas = make_service(storage, clock)
    await quotas.update_settings(GUILD, daily_user_limit=1, daily_cap_micros=30_000)
    await reserve(quotas, "a")
    await quotas.commit("a")

    refused = await refusal(quotas, "b")

    assert (refused.kind, refused.resets_at) == (LimitKind.USER_DAILY, ts(2026, 11, 25))
    clock.now = ts(2026, 11, 25)
    usage = await quotas.user_usage(GUILD, USER)
    assert (usage.images_today, usage.remaining, usage.day_resets_at) == (0, 1, ts(2026, 11, 26))
    await reserve(quotas, "c")


async def test_quotas_monthly_cap_resets_on_the_first(storage: Storage) -> None:
    clock = Clock(ts(2026, 11, 1))
    quotas = make_service(storage, clock)
    await quotas.update_settings(GUILD, monthly_cap_micros=60_000)
    await reserve(quotas, "a")
    await quotas.commit("a")
    clock.now = ts(2026, 11, 30, 23, 59, 59)
    await reserve(quotas, "b")
    await quotas.commit("b")

    refused = await refusal(quotas, "c")

    assert (refused.kind, refused.used, refused.resets_at) == (LimitKind.GUILD_MONTHLY, 60_000, ts(2026, 12, 1))
    clock.now = ts(2026, 12, 1)
    guild = await quotas.guild_usage(GUILD)
    assert (guild.spent_month_micros, guild.month_resets_at, guild.monthly_remaining_micros) == (
        0,
        ts(2027, 1, 1),
        60_000,
    )
    await reserve(quotas, "d")


async def test_quotas_global_budget_resets_at_midnight_and_spans_guilds(storage: Storage) -> None:
    clock = Clock()
    quotas = make_service(storage, clock, global_daily_budget_micros=60_000)
    await reserve(quotas, "a")
    await reserve(quotas, "b", guild_id=GUILD + 1)

    refused = await refusal(quotas, "c", guild_id=None)

    assert (refused.kind, refused.resets_at) == (LimitKind.GLOBAL_DAILY, ts(2026, 11, 25))
    world = await quotas.global_usage()
    assert (world.spent_today_micros, world.budget_micros, world.remaining_micros) == (60_000, 60_000, 0)
    clock.now = ts(2026, 11, 25)
    await reserve(quotas, "d", guild_id=GUILD + 2)


# --- Settings -------------------------------------------------------------------------------------------------


async def test_quotas_settings_default_when_never_set(storage: Storage) -> None:
    quotas = make_service(storage, default_daily_user_limit=7, default_max_concurrent=3)

    settings = await quotas.settings(GUILD)

    assert settings == GuildSettings(guild_id=GUILD, default_daily_user_limit=7, default_max_concurrent=3)
    assert (settings.base_user_limit, settings.concurrent_limit, settings.allow_max) == (7, 3, True)


async def test_quotas_update_settings_round_trips_and_persists(make_storage: StorageFactory) -> None:
    first = make_storage()
    await first.open()
    quotas = make_service(first)

    updated = await quotas.update_settings(
        GUILD,
        daily_user_limit=10,
        daily_cap_micros=1_500_000,
        monthly_cap_micros=999_999_999_999,  # $999,999.999999: exact to the micro-dollar
        allow_max=False,
        cooldown_seconds=45,
        max_concurrent_per_user=4,
        allowed_channel_ids={CHANNEL, 1_234_567_890_123_456_780},
        watermark="  Made by\nKX  ",
    )
    await quotas.update_settings(GUILD, daily_cap_micros=2_000_000)  # other settings stay as they were
    second = make_storage()
    await second.open()
    again = await make_service(second).settings(GUILD)

    assert updated.watermark == "Made by KX"
    assert again == GuildSettings(
        guild_id=GUILD,
        daily_user_limit=10,
        daily_cap_micros=2_000_000,
        monthly_cap_micros=999_999_999_999,
        allow_max=False,
        cooldown_seconds=45,
        max_concurrent_per_user=4,
        allowed_channel_ids=frozenset({CHANNEL, 1_234_567_890_123_456_780}),
        watermark="Made by KX",
    )


async def test_quotas_update_settings_none_restores_defaults(storage: Storage) -> None:
    quotas = make_service(storage)
    await quotas.update_settings(
        GUILD,
        daily_user_limit=1,
        daily_cap_micros=1,
        monthly_cap_micros=1,
        allow_max=False,
        cooldown_seconds=5,
        max_concurrent_per_user=1,
        allowed_channel_ids=[CHANNEL],
        watermark="x",
    )

    settings = await quotas.update_settings(GUILD, **dict.fromkeys(GuildSettingsFields, None))

    assert settings == GuildSettings(guild_id=GUILD)


GuildSettingsFields = (
    "daily_user_limit",
    "daily_cap_micros",
    "monthly_cap_micros",
    "allow_max",
    "cooldown_seconds",
    "max_concurrent_per_user",
    "allowed_channel_ids",
    "watermark",
)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("daily_user_limit", -1),
        ("daily_user_limit", 10_001),
        ("daily_user_limit", 2.5),
        ("daily_user_limit", True),
        ("daily_user_limit", "10"),
        ("daily_cap_micros", -1),
        ("monthly_cap_micros", 10**13),
        ("allow_max", "yes"),
        ("cooldown_seconds", 86_401),
        ("max_concurrent_per_user", 0),
        ("max_concurrent_per_user", 21),
        ("allowed_channel_ids", "555"),
        ("allowed_channel_ids", [0]),
        ("allowed_channel_ids", range(1, 102)),
        ("watermark", "x" * 101),
        ("watermark", 5),
    ],
)
async def test_quotas_update_settings_rejects_bad_values(storage: Storage, name: str, value: object) -> None:
    quotas = make_service(storage)

    with pytest.raises(ValueError) as excinfo:
        await quotas.update_settings(GUILD, **{name: value})

    assert str(excinfo.value).endswith(".")  # a sentence fit to show an admin
    assert await quotas.settings(GUILD) == GuildSettings(guild_id=GUILD)


async def test_quotas_update_settings_rejects_unknown_names(storage: Storage) -> None:
    with pytest.raises(TypeError, match="role_limits"):
        await make_service(storage).update_settings(GUILD, role_limits={})


async def test_quotas_blank_watermark_is_none(storage: Storage) -> None:
    assert (await make_service(storage).update_settings(GUILD, watermark=" \n ")).watermark is None


async def test_quotas_settings_are_per_guild(storage: Storage) -> None:
    quotas = make_service(storage)
    await quotas.update_settings(GUILD, daily_user_limit=1)

    assert (await quotas.settings(GUILD + 1)).daily_user_limit is None


# --- Usage, resets, direct messages ---------------------------------------------------------------------------


async def test_quotas_guild_usage_reports_top_users_and_outcomes(storage: Storage) -> None:
    quotas = make_service(storage, default_max_concurrent=10)
    for i in range(3):
        await reserve(quotas, f"big-{i}", user_id=1, mode="max")
    await reserve(quotas, "small", user_id=2)
    await reserve(quotas, "failed", user_id=3)
    await reserve(quotas, "elsewhere", user_id=4, guild_id=GUILD + 1)
    await quotas.commit("big-0")
    await quotas.commit("small")
    await quotas.refund("failed")

    usage = await quotas.guild_usage(GUILD, top=2)

    assert [(s.user_id, s.images, s.micros) for s in usage.top_today] == [(1, 3, 180_000), (2, 1, 30_000)]
    assert usage.top_month == usage.top_today
    assert (usage.today.committed, usage.today.reserved, usage.today.refunded) == (2, 2, 1)
    assert (usage.spent_today_micros, usage.daily_cap_micros, usage.daily_remaining_micros) == (210_000, None, None)
    assert (usage.day_resets_at, usage.month_resets_at) == (ts(2026, 11, 25), ts(2026, 12, 1))
    assert (await quotas.guild_usage(GUILD, top=0)).top_today == ()


async def test_quotas_reset_user_day_clears_the_count_not_the_money(storage: Storage) -> None:
    quotas = make_service(storage)
    await quotas.update_settings(GUILD, daily_user_limit=1)
    await reserve(quotas, "a")
    await quotas.commit("a")

    await quotas.reset_user_day(GUILD, USER)

    usage = await quotas.user_usage(GUILD, USER)
    assert (usage.images_today, usage.remaining) == (0, 1)
    assert (await quotas.guild_usage(GUILD)).spent_today_micros == 30_000
    await reserve(quotas, "b")


async def test_quotas_refund_after_reset_never_goes_below_zero(storage: Storage) -> None:
    quotas = make_service(storage)
    await reserve(quotas, "a")
    await quotas.reset_user_day(GUILD, USER)

    assert await quotas.refund("a")

    assert (await quotas.user_usage(GUILD, USER)).images_today == 0
    assert (await quotas.guild_usage(GUILD)).spent_today_micros == 0


async def test_quotas_direct_messages_use_the_defaults_and_their_own_counters(storage: Storage) -> None:
    quotas = make_service(storage, default_daily_user_limit=1)
    await quotas.update_settings(GUILD, daily_user_limit=5, allowed_channel_ids=[CHANNEL])
    await reserve(quotas, "a")

    reservation = await reserve(quotas, "dm", guild_id=None, channel_id=None)

    assert reservation.guild_id == DM_GUILD_ID
    assert (await refusal(quotas, "dm-2", guild_id=None, channel_id=None)).kind is LimitKind.USER_DAILY
    assert (await quotas.user_usage(None, USER)).images_today == 1
    assert (await quotas.user_usage(GUILD, USER)).images_today == 1


def test_quotas_service_from_settings() -> None:
    env = {"DISCORD_TOKEN": "t", "APIXO_BASE_URL": "simulate", "GLOBAL_DAILY_BUDGET_USD": "5"}
    settings = Settings.from_env({**env, "DEFAULT_DAILY_USER_LIMIT": "3"})

    quotas = QuotaService.from_settings(None, settings)  # type: ignore[arg-type]

    assert quotas.price("max") == 60_000
    assert (quotas._default_limit, quotas._global_budget) == (3, 5_000_000)


def test_quotas_service_rejects_float_prices() -> None:
    with pytest.raises(ValueError):
        QuotaService(None, prices={"pro": 0.03, "max": 60_000})  # type: ignore[arg-type, dict-item]
