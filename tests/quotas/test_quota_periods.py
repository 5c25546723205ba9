"""Days and months: UTC period maths, and the daily and monthly limits that roll over with them."""

from __future__ import annotations

from kontext.quotas.models import LimitKind, Periods
from kontext.storage.base import Storage
from tests.quotas.quota_support import GUILD, USER, Clock, global_usage, make_service, refusal, reserve, ts

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


def test_quotas_periods_kept_for_the_day_answer_as_freshly_worked_out() -> None:
    # Every reservation asks about today: each day's answer is kept, and must not outlive its day either way.
    seconds = [ts(2026, 11, 30, 8), ts(2026, 11, 30, 23, 59, 59, 999_999), ts(2026, 12, 1), ts(2026, 11, 30, 12)]
    seconds += [ts(2026, 12, 1, 0, 0, 0, 1), ts(2026, 11, 29, 23, 59, 59), ts(2026, 12, 31, 23), ts(2027, 1, 1)]
    for second in seconds:
        assert Periods.at(second) == Periods._of(second)
    assert Periods.at(ts(2026, 12, 1, 9)) is Periods.at(ts(2026, 12, 1, 21))


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
    assert (guild.spent_month_micros, guild.month_resets_at, guild.monthly_cap_micros) == (
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
    world = await global_usage(storage, clock())
    assert (world.spent_today_micros, refused.limit, refused.remaining) == (60_000, 60_000, 0)
    clock.now = ts(2026, 11, 25)
    await reserve(quotas, "d", guild_id=GUILD + 2)
