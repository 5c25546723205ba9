"""Quota policy: which limit refuses a reservation and what it says, role tiers, and building the service."""

from __future__ import annotations

import pytest

from kontext.config import Settings
from kontext.quotas.models import LimitKind
from kontext.quotas.service import QuotaService
from kontext.storage.base import Storage
from tests.quotas.quota_support import (
    CHANNEL,
    GUILD,
    MONEY_KINDS,
    NOON,
    USER,
    Clock,
    assert_totals,
    charge_state,
    global_usage,
    make_service,
    refusal,
    reserve,
    ts,
)

# --- Refusals -------------------------------------------------------------------------------------------------


async def test_quotas_user_daily_refusal_says_limit_used_and_reset(storage: Storage) -> None:
    quotas = make_service(storage)
    await quotas.update_settings(GUILD, daily_user_limit=2, max_concurrent_per_user=5)
    await reserve(quotas, "a")
    await reserve(quotas, "b")

    refused = await refusal(quotas, "c")

    assert refused.kind is LimitKind.USER_DAILY and refused.kind not in MONEY_KINDS
    assert (refused.limit, refused.used, refused.remaining, refused.needed) == (2, 2, 0, 1)
    assert refused.resets_at == ts(2026, 11, 25)


async def test_quotas_money_refusal_reports_what_is_left(storage: Storage) -> None:
    quotas = make_service(storage)
    await quotas.update_settings(GUILD, daily_cap_micros=100_000, max_concurrent_per_user=5)
    await reserve(quotas, "a", mode="max")

    refused = await refusal(quotas, "b", mode="max")

    assert refused.kind is LimitKind.GUILD_DAILY and refused.kind in MONEY_KINDS
    assert (refused.limit, refused.used, refused.remaining, refused.needed) == (100_000, 60_000, 40_000, 60_000)
    assert refused.resets_at == ts(2026, 11, 25)
    await reserve(quotas, "c")  # pro still fits: 90_000 <= 100_000


async def test_quotas_price_above_an_unused_cap_is_refused(storage: Storage) -> None:
    quotas = make_service(storage, global_daily_budget_micros=50_000)

    refused = await refusal(quotas, "a", mode="max")

    assert (refused.kind, refused.used, refused.remaining) == (LimitKind.GLOBAL_DAILY, 0, 50_000)
    assert (await global_usage(storage, NOON)).spent_today_micros == 0


async def test_quotas_refused_reservations_cost_nothing(storage: Storage) -> None:
    quotas = make_service(storage)
    await quotas.update_settings(GUILD, daily_cap_micros=60_000, cooldown_seconds=10, max_concurrent_per_user=5)
    await reserve(quotas, "a")

    cooling = await refusal(quotas, "b")  # refused by the last rule checked, after every counter was added
    clock_free = make_service(storage, Clock(NOON + 10))
    await reserve(clock_free, "c")
    capped = await refusal(clock_free, "d")  # refused after the user's count was added

    assert (cooling.kind, capped.kind) == (LimitKind.COOLDOWN, LimitKind.GUILD_DAILY)
    await assert_totals(quotas, storage, images=2, micros=60_000)
    assert await charge_state(storage, "b") is None and await charge_state(storage, "d") is None


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
    await assert_totals(quotas, storage, images=1, micros=30_000)


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


# --- Building the service -------------------------------------------------------------------------------------


def test_quotas_service_from_settings() -> None:
    env = {"DISCORD_TOKEN": "t", "APIXO_BASE_URL": "simulate", "GLOBAL_DAILY_BUDGET_USD": "5"}
    settings = Settings.from_env({**env, "DEFAULT_DAILY_USER_LIMIT": "3"})

    quotas = QuotaService.from_settings(None, settings)  # type: ignore[arg-type]

    assert quotas.price("max") == 60_000
    assert (quotas._default_limit, quotas._global_budget) == (3, 5_000_000)


def test_quotas_service_rejects_float_prices() -> None:
    with pytest.raises(ValueError):
        QuotaService(None, prices={"pro": 0.03, "max": 60_000})  # type: ignore[arg-type, dict-item]
