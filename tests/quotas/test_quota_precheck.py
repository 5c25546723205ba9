"""The advisory check before a request (the Edit button's): it names the limit a reservation would hit, reserving
nothing."""

from __future__ import annotations

from typing import Any

import pytest

from kontext.quotas.models import LimitKind
from kontext.quotas.precheck import refusal_now
from kontext.storage.base import Storage
from tests.quotas.quota_support import CHANNEL, GUILD, USER, make_service, refusal, reserve

CASES: list[tuple[str, dict[str, Any], dict[str, Any], LimitKind]] = [
    ("disabled", {"daily_user_limit": 0}, {}, LimitKind.DISABLED),
    ("channel", {"allowed_channel_ids": frozenset({CHANNEL + 1})}, {}, LimitKind.CHANNEL),
    ("max-mode", {"allow_max": False}, {"mode": "max"}, LimitKind.MAX_MODE),
    ("user-daily", {"daily_user_limit": 1}, {}, LimitKind.USER_DAILY),
    ("guild-daily", {"daily_cap_micros": 50_000}, {}, LimitKind.GUILD_DAILY),
    ("guild-monthly", {"monthly_cap_micros": 50_000}, {}, LimitKind.GUILD_MONTHLY),
    ("concurrency", {"max_concurrent_per_user": 1}, {}, LimitKind.CONCURRENCY),
]


@pytest.mark.parametrize(("settings", "options", "kind"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
async def test_precheck_names_the_limit_the_reservation_would_hit(
    storage: Storage, settings: dict[str, Any], options: dict[str, Any], kind: LimitKind
) -> None:
    quotas = make_service(storage)
    await reserve(quotas, "first")  # one image running, $0.03 spent
    await quotas.update_settings(GUILD, **settings)
    mode = options.get("mode", "pro")
    before = await quotas.user_usage(GUILD, USER)
    found = await refusal_now(quotas, guild_id=GUILD, user_id=USER, channel_id=CHANNEL, mode=mode)
    assert found is not None and found.kind is kind
    assert await quotas.user_usage(GUILD, USER) == before, "a precheck reserves nothing"
    assert (await refusal(quotas, "second", **options)).kind is kind


async def test_precheck_passes_what_the_reservation_accepts_and_knows_the_global_budget(storage: Storage) -> None:
    quotas = make_service(storage, global_daily_budget_micros=60_000)
    assert await refusal_now(quotas, guild_id=GUILD, user_id=USER, channel_id=CHANNEL, mode="pro") is None
    await reserve(quotas, "first")
    await reserve(quotas, "second")
    found = await refusal_now(quotas, guild_id=GUILD, user_id=USER, channel_id=CHANNEL, mode="pro")
    assert found is not None and found.kind is LimitKind.GLOBAL_DAILY


async def test_precheck_under_personal_rules_uses_the_personal_limit_and_says_so(storage: Storage) -> None:
    quotas = make_service(storage, default_daily_user_limit=5, personal_daily_limit=1)
    await reserve(quotas, "dm", guild_id=None, channel_id=None)
    found = await refusal_now(quotas, guild_id=None, user_id=USER, mode="pro")
    assert found is not None and found.kind is LimitKind.USER_DAILY and found.limit == 1 and found.personal
    assert not (await refusal_now(quotas, guild_id=GUILD, user_id=USER, channel_id=CHANNEL, mode="pro"))
