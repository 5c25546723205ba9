"""Per-guild quota settings: defaults, updates that persist, and the values refused."""

from __future__ import annotations

import pytest

from kontext.quotas.models import GuildSettings
from kontext.quotas.records import GUILD_SETTING_COLUMNS
from kontext.storage.base import Storage
from tests.quotas.quota_support import CHANNEL, GUILD, StorageFactory, make_service

# --- Settings -------------------------------------------------------------------------------------------------


async def test_quotas_settings_default_when_never_set(storage: Storage) -> None:
    quotas = make_service(storage, default_daily_user_limit=7, default_max_concurrent=3)

    settings = await quotas.settings(GUILD)

    assert settings == GuildSettings(guild_id=GUILD, default_daily_user_limit=7, default_max_concurrent=3)
    assert (settings.base_user_limit, settings.concurrent_limit, settings.allow_max) == (7, 3, True)
    assert settings.ping_results and await quotas.pings(GUILD)


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
        safety_limit=0,
        safety_top_age_restricted=True,
        ping_results=False,
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
        safety_limit=0,
        safety_top_age_restricted=True,
        ping_results=False,
    )
    assert await make_service(second).pings(GUILD) is False


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
        safety_limit=1,
        safety_top_age_restricted=True,
        ping_results=False,
    )

    settings = await quotas.update_settings(GUILD, **dict.fromkeys(GUILD_SETTING_COLUMNS, None))

    assert settings == GuildSettings(guild_id=GUILD)


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
        ("safety_limit", 3),
        ("safety_limit", -1),
        ("safety_limit", True),
        ("safety_top_age_restricted", 1),
        ("ping_results", "off"),
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


# --- Safety ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("limit", "top_age_restricted", "normal", "age_restricted"),
    [
        (None, False, 2, 2),  # nothing set: the bot's default everywhere
        (1, False, 1, 1),
        (0, False, 0, 0),
        (None, True, 1, 2),  # the most permissive level kept for age-restricted channels
        (0, True, 0, 2),  # and always allowed there, whatever the limit elsewhere
    ],
)
def test_quotas_safety_limit_per_channel(
    limit: int | None, top_age_restricted: bool, normal: int, age_restricted: int
) -> None:
    server = GuildSettings(guild_id=GUILD, safety_limit=limit, safety_top_age_restricted=top_age_restricted)

    assert server.safety_limit_in(age_restricted=False) == normal
    assert server.safety_limit_in(age_restricted=True) == age_restricted


def test_quotas_safety_limit_falls_back_to_the_owners_default() -> None:
    unset = GuildSettings(guild_id=GUILD)
    kept = GuildSettings(guild_id=GUILD, safety_top_age_restricted=True)

    assert unset.safety_limit_in(age_restricted=False, default=1) == 1
    assert unset.safety_limit_in(age_restricted=True, default=0) == 0
    assert kept.safety_limit_in(age_restricted=True, default=0) == 2
    assert GuildSettings(guild_id=GUILD, safety_limit=2).safety_limit_in(age_restricted=False, default=0) == 2
