"""Quota usage reports, a member's day reset by an admin, and direct messages' own counters."""

from __future__ import annotations

from kontext.quotas.models import LimitKind
from kontext.quotas.service import DM_GUILD_ID
from kontext.storage.base import Storage
from tests.quotas.quota_support import CHANNEL, GUILD, USER, make_service, refusal, reserve, ts

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
    assert (usage.spent_today_micros, usage.daily_cap_micros) == (210_000, None)
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


async def test_quotas_personal_rules_use_the_personal_limit_and_their_own_counters(storage: Storage) -> None:
    quotas = make_service(storage, default_daily_user_limit=5, personal_daily_limit=1)
    await quotas.update_settings(GUILD, daily_user_limit=5, allowed_channel_ids=[CHANNEL])
    await reserve(quotas, "a")

    reservation = await reserve(quotas, "dm", guild_id=None, channel_id=None)

    assert reservation.guild_id == DM_GUILD_ID
    refused = await refusal(quotas, "dm-2", guild_id=None, channel_id=None)
    assert refused.kind is LimitKind.USER_DAILY and refused.limit == 1 and refused.personal
    assert not (await refusal(quotas, "a-2", channel_id=CHANNEL + 1)).personal  # a server's rules said no
    assert await quotas.refund("dm")
    assert (await reserve(quotas, "dm-3", guild_id=None, channel_id=None)).guild_id == DM_GUILD_ID
    assert (await refusal(quotas, "dm-4", guild_id=None, channel_id=None)).kind is LimitKind.USER_DAILY
    assert (await quotas.user_usage(None, USER)).images_today == 1
    assert (await quotas.user_usage(GUILD, USER)).images_today == 1
