"""Recent settings: a request is admitted with settings read a few seconds ago, and charged against the stored ones."""

from __future__ import annotations

import asyncio

import pytest

from kontext.quotas.models import LimitKind, QuotaExceeded
from kontext.quotas.records import Charge, Counter, SettingsChangedError
from kontext.storage.base import Storage
from tests.quotas.quota_support import GUILD, NOON, USER, Clock, make_service, reserve


class Reads:
    """Counts the settings reads a storage answers."""

    def __init__(self, storage: Storage) -> None:
        self.count = 0
        read = storage.get_guild_settings

        async def counted(guild_id: int) -> object:
            self.count += 1
            return await read(guild_id)

        storage.get_guild_settings = counted  # type: ignore[method-assign]


async def test_quota_recent_settings_are_read_once_within_their_max_age(storage: Storage) -> None:
    monotonic = Clock(100.0)
    quotas = make_service(storage, settings_max_age=5.0, pings_max_age=60.0, monotonic=monotonic)
    reads = Reads(storage)

    await quotas.recent_settings(GUILD)
    monotonic.now += 4.9
    await quotas.recent_settings(GUILD)
    assert await quotas.pings(GUILD)
    assert reads.count == 1
    monotonic.now += 0.1
    await quotas.recent_settings(GUILD)
    assert reads.count == 2
    monotonic.now += 59.9
    assert await quotas.pings(GUILD)  # the pings setting a delivery goes by may be older
    assert reads.count == 2
    monotonic.now += 0.1
    assert await quotas.pings(GUILD)
    assert reads.count == 3


async def test_quota_own_changes_replace_recent_settings_at_once(storage: Storage) -> None:
    quotas = make_service(storage, settings_max_age=3600.0)
    await quotas.recent_settings(GUILD)

    await quotas.update_settings(GUILD, watermark="new", ping_results=False)
    assert (await quotas.recent_settings(GUILD)).watermark == "new"
    assert not await quotas.pings(GUILD)
    await quotas.set_role_limit(GUILD, 42, 7)
    assert dict((await quotas.recent_settings(GUILD)).role_limits) == {42: 7}
    await quotas.clear_role_limit(GUILD, 42)
    assert dict((await quotas.recent_settings(GUILD)).role_limits) == {}


async def test_quota_reservation_uses_a_limit_lowered_by_another_process_since_the_settings_were_read(
    storage: Storage,
) -> None:
    here = make_service(storage, settings_max_age=3600.0)
    elsewhere = make_service(storage)
    await reserve(here, "job-1")  # reads the settings: 25 images a day
    await elsewhere.update_settings(GUILD, daily_user_limit=1)

    assert (await here.recent_settings(GUILD)).daily_user_limit is None  # this process still shows the old ones
    with pytest.raises(QuotaExceeded) as refused:
        await reserve(here, "job-2")  # but charges against the stored ones
    assert refused.value.kind == LimitKind.USER_DAILY
    assert (await here.recent_settings(GUILD)).daily_user_limit == 1  # and has read them again


async def test_quota_reservation_uses_a_role_tier_removed_by_another_process(storage: Storage) -> None:
    here = make_service(storage, settings_max_age=3600.0)
    elsewhere = make_service(storage)
    await elsewhere.update_settings(GUILD, daily_user_limit=0)  # members need a tier role
    await elsewhere.set_role_limit(GUILD, 42, 5)
    await reserve(here, "job-1", role_ids=(42,))
    await elsewhere.clear_role_limit(GUILD, 42)

    with pytest.raises(QuotaExceeded) as refused:
        await reserve(here, "job-2", role_ids=(42,))
    assert refused.value.kind == LimitKind.DISABLED


async def test_guild_version_moves_with_every_change_of_settings_or_tiers(storage: Storage) -> None:
    assert await storage.guild_version(GUILD) == 0
    await storage.save_guild_settings(GUILD, {"watermark": "x"})
    await storage.set_role_limit(GUILD, 42, 3)
    assert await storage.guild_version(GUILD) == 2
    assert not await storage.delete_role_limit(GUILD, 43)  # nothing removed, nothing changed
    assert await storage.delete_role_limit(GUILD, 42)
    assert (await storage.guild_version(GUILD), await storage.guild_version(GUILD + 1)) == (3, 0)


async def test_reserve_charges_with_a_stale_settings_version_writes_nothing(storage: Storage) -> None:
    await storage.save_guild_settings(GUILD, {"watermark": "x"})
    charge = Charge("job-1", GUILD, USER, "pro", 30_000, "2026-11-24", "2026-11", created_at=NOON)
    counter = Counter("user_day", f"{GUILD}:{USER}", "2026-11-24", 1, 25)

    with pytest.raises(SettingsChangedError):
        await storage.reserve_charges([charge], [counter], None, settings=(GUILD, 0))
    assert await storage.get_charge("job-1") is None
    assert await storage.counter_values([counter.ident]) == [0]

    await storage.reserve_charges([charge], [counter], None, settings=(GUILD, 1))
    assert await storage.counter_values([counter.ident]) == [1]


async def test_quota_a_read_overtaken_by_this_process_s_own_change_is_not_kept(storage: Storage) -> None:
    quotas = make_service(storage, settings_max_age=3600.0)
    read = storage.get_guild_settings
    reading, changed = asyncio.Event(), asyncio.Event()

    async def overtaken(guild_id: int) -> object:
        if reading.is_set():
            return await read(guild_id)
        stored = await read(guild_id)  # the first read sees the settings as they were
        reading.set()
        await changed.wait()  # ...and the change lands before it ends
        return stored

    storage.get_guild_settings = overtaken  # type: ignore[method-assign]
    stale = asyncio.create_task(quotas.settings(GUILD))
    await reading.wait()
    await quotas.update_settings(GUILD, watermark="new")
    changed.set()
    assert (await stale).watermark is None

    assert (await quotas.recent_settings(GUILD)).watermark == "new"
