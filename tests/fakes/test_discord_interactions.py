"""Self-tests of the fake Discord's interactions: responses and their rules, components, modals, options, followups."""

from __future__ import annotations

import aiohttp
import discord
import pytest

from tests.fakes import support as fake_discord_support
from tests.fakes.support import TinyBot, World, png_bytes

world = fake_discord_support.world  # the shared fixtures: pytest finds them by these names in this module
bot = fake_discord_support.bot


async def test_fake_discord_defer_then_edit_original_with_file_and_embed(world: World, bot: TinyBot) -> None:
    fake = world.fake
    interaction = await fake.send_slash("render", {"prompt": "a cat"}, guild=world.guild, user=world.alice)
    await fake.wait_for(lambda: interaction.original is not None and interaction.original.edits)
    original = interaction.original
    assert original is not None
    assert [r["type"] for r in interaction.responses] == [5]
    assert not original.loading and original.interaction_id == interaction.id
    assert original.files == [("result.png", png_bytes())]
    embed = original.embeds[0]
    assert embed["title"] == "Result" and embed["description"] == "a cat"
    assert embed["image"]["url"] == original.attachments[0]["url"]
    attachment = original.attachments[0]
    assert (attachment["content_type"], attachment["width"], attachment["height"]) == ("image/png", 4, 3)
    async with aiohttp.ClientSession() as session, session.get(attachment["url"]) as response:
        assert response.headers["Content-Type"] == "image/png"
        assert await response.read() == png_bytes()


async def test_fake_discord_second_first_response_is_40060(world: World, bot: TinyBot) -> None:
    fake = world.fake
    interaction = await fake.send_slash("render", {"prompt": "x"}, guild=world.guild, user=world.alice)
    await fake.wait_for(lambda: interaction.responded)
    url = f"{fake.base_url}/api/v10/interactions/{interaction.id}/{interaction.token}/callback"
    async with aiohttp.ClientSession() as session, session.post(url, json={"type": 5}) as response:
        assert response.status == 400
        assert response.headers["Content-Type"] == "application/json"
        assert (await response.json())["code"] == 40060
    assert len(interaction.responses) == 1


async def test_fake_discord_response_after_deadline_is_10062(world: World, bot: TinyBot) -> None:
    interaction = await world.fake.send_slash("late", guild=world.guild, user=world.alice)
    await world.fake.wait_for(lambda: bot.errors)
    error = bot.errors[0]
    assert isinstance(error, discord.NotFound) and error.code == 10062
    assert not interaction.responded and interaction.original is None


async def test_fake_discord_upload_over_limit_is_413(world: World, bot: TinyBot) -> None:
    interaction = await world.fake.send_slash("big", guild=world.guild, user=world.alice)
    await world.fake.wait_for(lambda: bot.errors)
    error = bot.errors[0]
    assert isinstance(error, discord.HTTPException) and (error.status, error.code) == (413, 40005)
    assert not interaction.responded


async def test_fake_discord_button_click_round_trip(world: World, bot: TinyBot) -> None:
    fake = world.fake
    command = await fake.send_slash("buttons", guild=world.guild, user=world.alice)
    await fake.wait_for(lambda: command.original is not None)
    assert command.original is not None
    assert command.original.custom_ids == ["confirm:ok"]
    click = await fake.click(command.original, command.original.component("OK")["custom_id"], user=world.alice)
    await fake.wait_for(lambda: click.responded)
    assert click.responses[0]["type"] == 7
    assert command.original.content == "clicked by alice"
    assert command.original.components == []
    with pytest.raises(ValueError, match="custom_ids there"):
        await fake.click(command.original, "confirm:ok", user=world.alice)


async def test_fake_discord_modal_submit_round_trip(world: World, bot: TinyBot) -> None:
    fake = world.fake
    command = await fake.send_slash("ask", guild=world.guild, user=world.alice)
    await fake.wait_for(lambda: command.modal is not None)
    assert command.modal is not None and command.modal["title"] == "Edit prompt"
    submit = await fake.submit_modal(command, {"prompt": "a dog", "Style": "oil"})
    await fake.wait_for(lambda: submit.original is not None)
    assert submit.original is not None
    assert submit.original.content == "got: a dog / oil"
    assert submit.ephemeral
    with pytest.raises(ValueError, match="50"):
        await fake.submit_modal(command, {"prompt": "x" * 51})


async def test_fake_discord_token_expiry_is_401_50027(world: World, bot: TinyBot) -> None:
    interaction = await world.fake.send_slash("slow", guild=world.guild, user=world.alice)
    await world.fake.wait_for(lambda: interaction.responded)
    world.clock.advance(world.fake.token_lifetime + 1)
    bot.proceed.set()
    await world.fake.wait_for(lambda: bot.errors)
    error = bot.errors[0]
    assert isinstance(error, discord.HTTPException) and (error.status, error.code) == (401, 50027)


async def test_fake_discord_context_menu_gets_target_message(world: World, bot: TinyBot) -> None:
    fake = world.fake
    target = await fake.post_message(world.guild.channels[0], world.alice, "secret words")
    interaction = await fake.send_message_command("Show text", target, guild=world.guild, user=world.alice)
    await fake.wait_for(lambda: interaction.original is not None)
    assert interaction.original is not None and interaction.original.content == "target says: secret words"


async def test_fake_discord_attachment_option_reaches_bot(world: World, bot: TinyBot) -> None:
    fake = world.fake
    image = fake.add_attachment(png_bytes(8, 6), "my photo.png", None)
    assert image["filename"] == "my_photo.png" and "?ex=" in image["url"]
    interaction = await fake.send_slash(
        "echo", {"note": "back"}, attachments={"image": image}, guild=world.guild, user=world.alice
    )
    await fake.wait_for(lambda: interaction.original is not None)
    assert bot.results == [("my_photo.png", "image/png", 8, png_bytes(8, 6))]
    assert interaction.original is not None and interaction.original.files == [("my_photo.png", png_bytes(8, 6))]
    with pytest.raises(ValueError, match="requires option 'image'"):
        await fake.send_slash("echo", guild=world.guild, user=world.alice)
    with pytest.raises(ValueError, match="no option 'colour'"):
        await fake.send_slash("render", {"prompt": "x", "colour": "red"}, guild=world.guild, user=world.alice)


async def test_fake_discord_first_followup_fills_deferred_message(world: World, bot: TinyBot) -> None:
    interaction = await world.fake.send_slash("thinking", guild=world.guild, user=world.alice)
    await world.fake.wait_for(lambda: bot.results)
    first_id, second_id = bot.results[0]
    assert interaction.original is not None and first_id == interaction.original.id
    assert interaction.original.content == "first" and interaction.original.ephemeral
    second = world.fake.messages[second_id]
    assert second.content == "second" and not second.ephemeral
    assert interaction.followups == [interaction.original, second]


async def test_fake_discord_autocomplete_only_for_an_option_declared_so(world: World, bot: TinyBot) -> None:
    await world.fake.wait_for(
        lambda: any(c["name"] == "render" for c in world.fake.guild_commands.get(world.guild.id, []))
    )
    with pytest.raises(ValueError, match="does not autocomplete"):
        await world.fake.send_autocomplete("render", "prompt", "a c", guild=world.guild, user=world.alice)
