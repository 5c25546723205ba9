"""A batch's reservation: every image at once against every limit, each image refunded alone, one slot in flight."""

from __future__ import annotations

import pytest

from kontext.quotas.models import LimitKind
from kontext.quotas.records import ChargeState
from kontext.storage.base import Storage
from tests.quotas.quota_support import GUILD, USER, charge_state, make_service, refusal, reserve

IMAGES = ["img-0", "img-1", "img-2", "img-3"]


async def test_quota_batch_reserves_every_image_in_one_step(storage: Storage) -> None:
    quotas = make_service(storage)
    await quotas.update_settings(GUILD, max_concurrent_per_user=1)

    await reserve(quotas, "batch", batch=IMAGES)

    for image in IMAGES:
        charge = await storage.get_charge(image)
        assert charge is not None and charge.state is ChargeState.RESERVED and charge.amount_micros == 30_000
    assert await storage.get_charge("batch") is None, "the batch row itself is not charged"
    usage = await quotas.user_usage(GUILD, USER)
    assert (usage.images_today, usage.in_flight) == (4, 1), "a batch is one request in flight"
    assert (await quotas.guild_usage(GUILD)).spent_today_micros == 4 * 30_000


@pytest.mark.parametrize(
    ("settings", "kind"),
    [
        ({"daily_user_limit": 3}, LimitKind.USER_DAILY),
        ({"daily_cap_micros": 3 * 30_000}, LimitKind.GUILD_DAILY),
        ({"monthly_cap_micros": 3 * 30_000}, LimitKind.GUILD_MONTHLY),
    ],
)
async def test_quota_batch_is_refused_whole_when_one_image_fewer_fits(
    storage: Storage, settings: dict[str, int], kind: LimitKind
) -> None:
    quotas = make_service(storage)
    await quotas.update_settings(GUILD, **settings)

    refused = await refusal(quotas, "batch", batch=IMAGES)

    assert refused.kind is kind and refused.images == 4
    assert [await charge_state(storage, image) for image in IMAGES] == [None] * 4
    usage = await quotas.user_usage(GUILD, USER)
    assert (usage.images_today, usage.in_flight) == (0, 0)
    assert (await quotas.guild_usage(GUILD)).spent_today_micros == 0
    await reserve(quotas, "three", batch=IMAGES[:3])  # exactly what fits


async def test_quota_batch_over_the_global_budget_is_refused_whole(storage: Storage) -> None:
    quotas = make_service(storage, global_daily_budget_micros=3 * 30_000)
    assert (await refusal(quotas, "batch", batch=IMAGES)).kind is LimitKind.GLOBAL_DAILY
    assert await charge_state(storage, IMAGES[0]) is None


async def test_quota_batch_with_a_tier_role_uses_the_tier_limit(storage: Storage) -> None:
    quotas = make_service(storage)
    await quotas.update_settings(GUILD, daily_user_limit=1)
    await quotas.set_role_limit(GUILD, 42, 4)
    assert (await refusal(quotas, "batch", batch=IMAGES)).kind is LimitKind.USER_DAILY
    await reserve(quotas, "batch", batch=IMAGES, role_ids=(42,))


async def test_quota_batch_refunds_exactly_the_failed_image(storage: Storage) -> None:
    quotas = make_service(storage)
    await reserve(quotas, "batch", batch=IMAGES)

    assert await quotas.refund(IMAGES[2])
    for image in (IMAGES[1], IMAGES[3]):
        assert await quotas.commit(image)
    usage = await quotas.user_usage(GUILD, USER)
    assert (usage.images_today, usage.in_flight) == (3, 1), "the slot is held until the first image settles"
    assert await quotas.commit(IMAGES[0])

    usage = await quotas.user_usage(GUILD, USER)
    assert (usage.images_today, usage.in_flight) == (3, 0)
    spent = await quotas.guild_usage(GUILD)
    assert spent.spent_today_micros == 3 * 30_000
    assert (spent.today.committed, spent.today.refunded) == (3, 1)
