"""Safety per channel through the real bot: a server's limit lowers requests above it, the card says so, and the
most permissive level can be kept for age-restricted channels; /imagine, replies and buttons alike."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.fakes.discord import FakeMessage
from tests.harness import World, idle, world_for

EPHEMERAL = 64
MANAGE_GUILD = 1 << 5
LOWERED = "safety 1 (moderate), lowered from 2 (balanced): the most allowed here"


async def set_safety(world: World, **options: Any) -> str:
    """/settings safety as a server admin; the ephemeral answer's text."""
    admin = world.discord.add_member(world.guild, name="admin", permissions=MANAGE_GUILD | (1 << 10) | (1 << 11))
    interaction = await world.slash("settings", options, subcommand="safety", user=admin)
    await world.discord.wait_for(lambda: bool(interaction.responses))
    response = interaction.responses[0]["data"]
    assert response["flags"] & EPHEMERAL
    return str(response["embeds"])


async def imagine(world: World, channel: dict[str, Any] | None = None, **options: Any) -> FakeMessage:
    interaction = await world.slash("imagine", {"prompt": "a lighthouse", **options}, channel=channel or world.channel)
    return await world.finished(interaction)


def sent_safety(world: World) -> list[int]:
    """The safetyTolerance of every submit the image API received, in order."""
    return [submit["input"]["safetyTolerance"] for submit in world.api.submits]


async def test_safety_limit_lowers_a_request_and_the_card_says_so(tmp_path: Path) -> None:
    async with world_for(tmp_path) as world:
        shown = await set_safety(world, level=1)
        assert "at most 1 (moderate)" in shown

        asked_more = await imagine(world, safety=2)
        chose_nothing = await imagine(world)
        asked_less = await imagine(world, safety=0)

        assert sent_safety(world) == [1, 1, 0]
        assert LOWERED in asked_more.text
        assert "safety 1 (moderate) ·" in chose_nothing.text and "lowered" not in chose_nothing.text
        assert "safety 0 (strict) ·" in asked_less.text and "lowered" not in asked_less.text


async def test_safety_most_permissive_level_only_in_age_restricted_channels_when_kept_there(tmp_path: Path) -> None:
    async with world_for(tmp_path) as world:
        age_restricted = world.discord.add_channel(world.guild, "after-dark", nsfw=True)
        normal = world.discord.add_channel(world.guild, "art")

        before = await imagine(world, channel=age_restricted, safety=2)  # nothing kept yet: allowed everywhere
        shown = await set_safety(world, level=1, age_restricted=True)
        there = await imagine(world, channel=age_restricted, safety=2)
        elsewhere = await imagine(world, channel=normal, safety=2)

        assert "2 (balanced) in age-restricted channels only" in shown
        assert sent_safety(world) == [2, 2, 1]
        assert "safety 2 (balanced) ·" in before.text and "safety 2 (balanced) ·" in there.text
        assert LOWERED in elsewhere.text


async def test_safety_age_restricted_channel_gets_no_more_than_elsewhere_unless_kept_there(tmp_path: Path) -> None:
    async with world_for(tmp_path) as world:
        age_restricted = world.discord.add_channel(world.guild, "after-dark", nsfw=True)
        await set_safety(world, level=1)

        there = await imagine(world, channel=age_restricted, safety=2)

        assert sent_safety(world) == [1]
        assert LOWERED in there.text


async def test_safety_limit_applies_to_buttons_and_replies(tmp_path: Path) -> None:
    async with world_for(tmp_path) as world:
        result = await imagine(world, safety=2)
        await set_safety(world, level=1)

        reroll = await world.discord.click(result, result.component("Re-roll")["custom_id"], user=world.user)
        rerolled = await world.finished(reroll)
        edit = await world.discord.click(result, result.component("Edit")["custom_id"], user=world.user)
        await world.discord.wait_for(lambda: edit.modal is not None)
        edited = await world.finished(await world.discord.submit_modal(edit, {"What should change?": "make it night"}))
        await world.discord.post_message(world.channel, world.user, "add snow", reference=result, mention_bot=True)
        await world.discord.wait_for(lambda: len(world.api.submits) == 4)
        await idle(world.bot.jobs)

        assert sent_safety(world) == [2, 1, 1, 1]
        assert LOWERED in rerolled.text and LOWERED in edited.text
        assert world.api.submits[3]["input"]["prompt"] == "add snow"


async def test_safety_owners_default_applies_where_the_server_set_none(tmp_path: Path) -> None:
    async with world_for(tmp_path, env={"DEFAULT_SAFETY_LIMIT": "1"}) as world:
        lowered = await imagine(world, safety=2)
        shown = await world.slash(
            "settings",
            {},
            subcommand="show",
            user=world.discord.add_member(world.guild, name="admin", permissions=MANAGE_GUILD),
        )
        await world.discord.wait_for(lambda: bool(shown.responses))

        assert sent_safety(world) == [1]
        assert LOWERED in lowered.text
        assert "at most 1 (moderate) (bot default)" in str(shown.responses[0]["data"]["embeds"])


async def test_safety_in_the_bots_dm_and_a_group_dm_the_owners_default_applies(tmp_path: Path) -> None:
    """No server's settings where no server installed the bot: the owner's default lowers requests above it."""
    async with world_for(tmp_path, env={"DEFAULT_SAFETY_LIMIT": "1", "DEV_GUILD_ID": ""}) as world:
        fake = world.discord
        places = [fake.dm_channel(world.user), fake.add_group_dm(world.user, fake.add_user("bob"), name="friends")]
        for channel in places:
            interaction = await fake.send_slash(
                "imagine", {"prompt": "a lighthouse", "safety": 2}, guild=None, user=world.user, channel=channel
            )
            shown = await world.finished(interaction)
            assert LOWERED in shown.text
        assert sent_safety(world) == [1, 1]
