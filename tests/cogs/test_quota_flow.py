"""Quotas through the real bot: reservations under a burst, refusals in words, refunds, admin commands."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from kontext.quotas.records import ChargeState
from tests.harness import World, idle, started, world_for
from tests.quotas.quota_support import charge_state
from tests.storage.support import job_by_message

EPHEMERAL = 64
CHANNEL_MESSAGE = 4
MANAGE_GUILD = 1 << 5
UNLIMITED_RUNNING = {"DEFAULT_MAX_CONCURRENT_PER_USER": "100"}


async def first_response(world: World, interaction) -> dict[str, Any]:
    await world.discord.wait_for(lambda: bool(interaction.responses))
    return interaction.responses[0]


def refused(response: dict[str, Any]) -> bool:
    return response["type"] == CHANNEL_MESSAGE and bool((response["data"].get("flags") or 0) & EPHEMERAL)


async def refused_with(world: World, interaction) -> str:
    response = await first_response(world, interaction)
    assert response["data"]["flags"] & EPHEMERAL, f"not an ephemeral refusal: {response}"
    return response["data"]["content"]


async def burst(world: World, count: int, **options: Any) -> tuple[int, int]:
    """`count` simultaneous /imagine from the default user; returns (accepted, refused)."""
    interactions = await asyncio.gather(*(world.slash("imagine", {"prompt": f"p{n}", **options}) for n in range(count)))
    responses = [await first_response(world, interaction) for interaction in interactions]
    for interaction, response in zip(interactions, responses, strict=True):
        if started(response):
            await world.finished(interaction)
    return sum(map(started, responses)), sum(map(refused, responses))


async def test_fifty_at_once_with_a_daily_limit_of_ten_accept_exactly_ten(tmp_path: Path) -> None:
    async with world_for(tmp_path, env={**UNLIMITED_RUNNING, "DEFAULT_DAILY_USER_LIMIT": "10"}) as world:
        accepted, refused = await burst(world, 50)
        assert (accepted, refused) == (10, 40)
        assert len(world.api.submits) == 10
        usage = await world.bot.quotas.guild_usage(world.guild.id)
        assert usage.today.committed == 10 and usage.spent_today_micros == 10 * 30_000


async def test_fifty_at_once_with_a_server_spend_cap_accept_exactly_what_it_pays_for(tmp_path: Path) -> None:
    async with world_for(tmp_path, env={**UNLIMITED_RUNNING, "DEFAULT_DAILY_USER_LIMIT": "1000"}) as world:
        await world.bot.quotas.update_settings(world.guild.id, daily_cap_micros=300_000)  # $0.30
        accepted, refused = await burst(world, 50)
        assert (accepted, refused) == (10, 40)
        usage = await world.bot.quotas.guild_usage(world.guild.id)
        assert usage.spent_today_micros == 300_000 and usage.today.committed == 10


async def test_max_mode_costs_twice_as_much_against_the_cap(tmp_path: Path) -> None:
    async with world_for(tmp_path, env=UNLIMITED_RUNNING) as world:
        await world.bot.quotas.update_settings(world.guild.id, daily_cap_micros=300_000)
        accepted, _ = await burst(world, 20, mode="max")
        assert accepted == 5
        assert (await world.bot.quotas.guild_usage(world.guild.id)).spent_today_micros == 300_000


REFUSALS = [
    ("disabled", {"daily_user_limit": 0}, {}, "turned off for you"),
    ("max-mode", {"allow_max": False}, {"mode": "max"}, "doesn't allow **max** mode"),
    ("user-daily", {"daily_user_limit": 1}, {}, "used your one image for today"),
    ("server-daily", {"daily_cap_micros": 30_000}, {}, "reached its daily image budget of $0.03 ($0.03 spent)"),
    ("server-monthly", {"monthly_cap_micros": 30_000}, {}, "reached its monthly image budget of $0.03 ($0.03 spent)"),
    ("cooldown", {"cooldown_seconds": 600}, {}, "wait a little between requests"),
    ("concurrency", {"max_concurrent_per_user": 1}, {}, "already have 1 image in progress"),
]


@pytest.mark.parametrize(("settings", "options", "words"), [r[1:] for r in REFUSALS], ids=[r[0] for r in REFUSALS])
async def test_each_refusal_is_instant_clear_private_and_free(
    tmp_path: Path, settings: dict[str, Any], options: dict[str, Any], words: str
) -> None:
    api_options = {"generation_time": 5.0} if "max_concurrent_per_user" in settings else {}
    async with world_for(tmp_path, api_options=api_options) as world:
        await world.bot.quotas.update_settings(world.guild.id, **settings)
        if "daily_user_limit" not in settings or settings["daily_user_limit"]:
            if "allow_max" not in settings:
                first = await world.slash("imagine", {"prompt": "first"})
                assert started(await first_response(world, first))
                if "max_concurrent_per_user" not in settings:
                    await world.finished(first)
                await world.discord.wait_for(lambda: bool(world.api.submits))
        submits = len(world.api.submits)
        text = await refused_with(world, await world.slash("imagine", {"prompt": "second", **options}))
        assert words in text and "Nothing was charged" in text
        if "daily" in words or "budget" in words or "between" in words:
            assert "<t:" in text, "the refusal should say when the limit resets"
        await asyncio.sleep(0)
        assert len(world.api.submits) == submits


async def test_refusal_outside_the_allowed_channels_names_them(tmp_path: Path) -> None:
    async with world_for(tmp_path) as world:
        other = world.discord.add_channel(world.guild, "art")
        await world.bot.quotas.update_settings(world.guild.id, allowed_channel_ids=frozenset({int(other["id"])}))
        text = await refused_with(world, await world.slash("imagine", {"prompt": "here"}))
        assert f"<#{other['id']}>" in text
        ok = await world.slash("imagine", {"prompt": "there"}, channel=other)
        assert started(await first_response(world, ok))


async def test_the_owners_global_budget_refuses_across_servers(tmp_path: Path) -> None:
    async with world_for(tmp_path, env={"GLOBAL_DAILY_BUDGET_USD": "0.03"}) as world:
        await world.finished(await world.slash("imagine", {"prompt": "one"}))
        other_guild = world.discord.add_guild(name="Other")
        world.discord.add_member(other_guild, user_id=int(world.user["id"]), name="alice")
        await world.restart()  # the new server reaches the bot at its next connect
        text = await refused_with(world, await world.slash("imagine", {"prompt": "two"}, guild=other_guild))
        assert "owner's spending budget" in text


@pytest.mark.parametrize(
    "fault",
    ["failed-task", "timeout", "submit-500"],
)
async def test_failures_refund_and_say_so(tmp_path: Path, fault: str) -> None:
    async with world_for(tmp_path, env={"POLL_TIMEOUT": "0.3", "DEFAULT_DAILY_USER_LIMIT": "1"}) as world:
        if fault == "failed-task":
            world.api.outcome(lambda body: ("failed", "CONTENT_VIOLATION", "no"))
        elif fault == "timeout":
            world.api.outcome(lambda body: "never")
        else:
            world.api.fail_submit(500)
        message = await world.finished(await world.slash("imagine", {"prompt": "doomed"}))
        assert "You were not charged" in str(message.embeds[0])
        job = await job_by_message(world.bot.storage, message.id)
        assert job is not None
        assert await charge_state(world.bot.storage, job.id) == ChargeState.REFUNDED
        usage = await world.bot.quotas.guild_usage(world.guild.id)
        assert usage.spent_today_micros == 0 and usage.today.refunded == 1
        world.api.outcome(None)
        world.api.clear_faults()
        again = await world.finished(await world.slash("imagine", {"prompt": "the refund gave my image back"}))
        assert len(again.files) == 1


async def test_success_commits_exactly_once(tmp_path: Path) -> None:
    async with world_for(tmp_path) as world:
        message = await world.finished(await world.slash("imagine", {"prompt": "paid"}))
        job = await job_by_message(world.bot.storage, message.id)
        assert job is not None and job.cost_micros == 30_000
        assert await charge_state(world.bot.storage, job.id) == ChargeState.COMMITTED
        assert await world.bot.quotas.commit(job.id) is False
        assert await world.bot.quotas.refund(job.id) is False
        assert (await world.bot.quotas.guild_usage(world.guild.id)).spent_today_micros == 30_000


async def test_a_member_with_two_tier_roles_gets_the_higher_limit(tmp_path: Path) -> None:
    async with world_for(tmp_path, env={**UNLIMITED_RUNNING, "DEFAULT_DAILY_USER_LIMIT": "1"}) as world:
        silver = world.discord.add_role(world.guild, "silver")
        gold = world.discord.add_role(world.guild, "gold")
        await world.bot.quotas.set_role_limit(world.guild.id, int(silver["id"]), 2)
        await world.bot.quotas.set_role_limit(world.guild.id, int(gold["id"]), 3)
        member = world.discord.add_member(world.guild, name="vip", roles=[int(silver["id"]), int(gold["id"])])
        interactions = [await world.slash("imagine", {"prompt": f"v{n}"}, user=member) for n in range(4)]
        responses = [await first_response(world, i) for i in interactions]
        assert [started(r) for r in responses] == [True, True, True, False] and refused(responses[3])
        await idle(world.bot.jobs)


async def test_rerolls_and_replies_pass_through_the_same_quota(tmp_path: Path) -> None:
    async with world_for(tmp_path, env={"DEFAULT_DAILY_USER_LIMIT": "1"}) as world:
        result = await world.finished(await world.slash("imagine", {"prompt": "only one"}))
        click = await world.discord.click(result, result.component("Re-roll")["custom_id"], user=world.user)
        assert "used your one image" in await refused_with(world, click)
        # The Edit button asks before the user types anything: a refusal instead of the modal.
        edit = await world.discord.click(result, result.component("Edit")["custom_id"], user=world.user)
        assert "used your one image" in await refused_with(world, edit)
        assert edit.modal is None
        reply = await world.discord.post_message(world.channel, world.user, "again", reference=result, mention_bot=True)
        await world.discord.wait_for(
            lambda: any(m.referenced is reply and "used your one" in m.content for m in world.discord.messages.values())
        )
        assert len(world.api.submits) == 1


async def test_admin_commands_refuse_members_without_manage_server(tmp_path: Path) -> None:
    async with world_for(tmp_path) as world:
        for name, options in (("show", {}), ("daily-limit", {"images": 5})):
            text = await refused_with(world, await world.slash("settings", options, subcommand=name))
            assert "Manage Server" in text
        assert "Manage Server" in await refused_with(world, await world.slash("usage"))
        assert (await world.bot.quotas.settings(world.guild.id)).daily_user_limit is None
        synced = {c["name"]: c for c in world.discord.guild_commands[world.guild.id]}
        assert int(synced["settings"]["default_member_permissions"]) == MANAGE_GUILD
        assert int(synced["usage"]["default_member_permissions"]) == MANAGE_GUILD


async def test_admin_settings_answer_with_the_new_state(tmp_path: Path) -> None:
    async with world_for(tmp_path) as world:
        admin = world.discord.add_member(world.guild, name="admin", permissions=MANAGE_GUILD | (1 << 10) | (1 << 11))
        role = world.discord.add_role(world.guild, "patrons")

        async def settings(sub: str, options: dict[str, Any]) -> dict[str, Any]:
            interaction = await world.slash("settings", options, subcommand=sub, user=admin)
            response = await first_response(world, interaction)
            assert response["data"]["flags"] & EPHEMERAL
            return response["data"]

        shown = await settings("daily-limit", {"images": 7})
        assert "7" in str(shown["embeds"][0])
        assert "$12.50" in str((await settings("daily-cap", {"amount": "12.50"}))["embeds"][0])
        assert "$100.00" in str((await settings("monthly-cap", {"amount": "100"}))["embeds"][0])
        assert "not allowed" in str((await settings("max-mode", {"allowed": False}))["embeds"][0])
        assert "30 s" in str((await settings("cooldown", {"seconds": 30}))["embeds"][0])
        assert "unlimited" in str((await settings("role", {"role": role, "limit": "unlimited"}))["embeds"][0])
        assert "ACME" in str((await settings("watermark", {"text": "ACME"}))["embeds"][0])
        refused = await settings("daily-cap", {"amount": "lots"})
        assert "not an amount" in refused["content"]
        server = await world.bot.quotas.settings(world.guild.id)
        assert server.daily_user_limit == 7 and server.daily_cap_micros == 12_500_000
        assert server.monthly_cap_micros == 100_000_000 and not server.allow_max and server.cooldown_seconds == 30
        assert server.role_limits == {int(role["id"]): None} and server.watermark == "ACME"
        await world.finished(await world.slash("imagine", {"prompt": "marked"}))
        assert world.api.submits[0]["input"]["watermark"] == "ACME"


async def test_reset_gives_a_member_their_day_back(tmp_path: Path) -> None:
    async with world_for(tmp_path, env={"DEFAULT_DAILY_USER_LIMIT": "1"}) as world:
        admin = world.discord.add_member(world.guild, name="admin", permissions=MANAGE_GUILD | (1 << 10) | (1 << 11))
        await world.finished(await world.slash("imagine", {"prompt": "one"}))
        await refused_with(world, await world.slash("imagine", {"prompt": "two"}))
        reset = await world.slash("settings", {"member": world.user}, subcommand="reset", user=admin)
        assert "starts today afresh" in (await first_response(world, reset))["data"]["content"]
        assert len((await world.finished(await world.slash("imagine", {"prompt": "three"}))).files) == 1


async def test_quota_and_usage_show_the_numbers(tmp_path: Path) -> None:
    async with world_for(tmp_path, env={"DEFAULT_DAILY_USER_LIMIT": "5"}) as world:
        await world.bot.quotas.update_settings(world.guild.id, daily_cap_micros=1_000_000)
        await world.finished(await world.slash("imagine", {"prompt": "one"}))
        world.api.outcome(lambda body: ("failed", "NSFW", "no"))
        await world.finished(await world.slash("imagine", {"prompt": "two"}))
        quota = await first_response(world, await world.slash("quota"))
        text = str(quota["data"]["embeds"][0])
        assert "1 of 5" in text and "4 left" in text and "$0.03" in text and "$1.00" in text and "<t:" in text
        admin = world.discord.add_member(world.guild, name="admin", permissions=MANAGE_GUILD | (1 << 10) | (1 << 11))
        usage = await first_response(world, await world.slash("usage", user=admin))
        text = str(usage["data"]["embeds"][0])
        assert "Images made: 1" in text and "Failed and refunded: 1" in text and f"<@{world.user['id']}>" in text


async def test_edit_button_refuses_before_its_modal_and_charges_nothing(tmp_path: Path) -> None:
    async with world_for(tmp_path) as world:
        result = await world.finished(await world.slash("imagine", {"prompt": "a barn"}))
        await world.bot.quotas.update_settings(world.guild.id, daily_cap_micros=50_000)  # $0.05: $0.02 left
        before = await world.bot.quotas.guild_usage(world.guild.id)
        edit = await world.discord.click(result, result.component("Edit")["custom_id"], user=world.user)
        text = await refused_with(world, edit)
        assert "$0.02 is left and this image costs $0.03" in text and "Nothing was charged" in text
        assert edit.modal is None and len(world.api.submits) == 1
        after = await world.bot.quotas.guild_usage(world.guild.id)
        assert after.spent_today_micros == before.spent_today_micros and after.today.reserved == 0
        # Allowed: the modal opens as before.
        await world.bot.quotas.update_settings(world.guild.id, daily_cap_micros=None)
        allowed = await world.discord.click(result, result.component("Edit")["custom_id"], user=world.user)
        await world.discord.wait_for(lambda: allowed.modal is not None)


async def test_a_cap_lowered_below_what_was_spent_says_the_cap_is_reached(tmp_path: Path) -> None:
    async with world_for(tmp_path) as world:
        for prompt in ("one", "two"):
            await world.finished(await world.slash("imagine", {"prompt": prompt}))
        await world.bot.quotas.update_settings(world.guild.id, daily_cap_micros=50_000)  # $0.05, below the $0.06 spent
        text = await refused_with(world, await world.slash("imagine", {"prompt": "three"}))
        assert "reached its daily image budget of $0.05 ($0.06 spent)" in text
        assert "is left" not in text and "Nothing was charged" in text


async def test_usage_and_reset_say_one_image_not_one_images(tmp_path: Path) -> None:
    async with world_for(tmp_path) as world:
        await world.finished(await world.slash("imagine", {"prompt": "one"}))
        admin = world.discord.add_member(world.guild, name="admin", permissions=MANAGE_GUILD)["user"]
        usage = await first_response(world, await world.slash("usage", user=admin))
        assert f"<@{world.user['id']}>: 1 image, $0.03" in str(usage["data"]["embeds"][0])
        member = {"member": world.user}
        reset = await first_response(world, await world.slash("settings", member, subcommand="reset", user=admin))
        assert "0 of 25 images used" in reset["data"]["content"]
