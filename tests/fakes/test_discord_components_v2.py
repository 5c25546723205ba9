"""Self-tests of the fake Discord's Components V2 rules: what it accepts as Discord does, and what it refuses."""

from __future__ import annotations

import io
from typing import Any

import discord
import pytest
from discord.http import Route

from tests.fakes import support as fake_discord_support
from tests.fakes.support import TinyBot, World, png_bytes

world = fake_discord_support.world  # the shared fixtures: pytest finds them by these names in this module
bot = fake_discord_support.bot

V2 = 1 << 15


def _channel(world: World, bot: TinyBot) -> discord.TextChannel:
    channel = bot.get_channel(int(world.guild.channels[0]["id"]))
    assert isinstance(channel, discord.TextChannel)
    return channel


def _gallery(*names: str) -> dict[str, Any]:
    return {"type": 12, "items": [{"media": {"url": f"attachment://{name}"}} for name in names]}


def _card() -> discord.ui.LayoutView:
    view = discord.ui.LayoutView()
    container = discord.ui.Container(
        discord.ui.MediaGallery(discord.MediaGalleryItem("attachment://result.png")),
        discord.ui.TextDisplay("a red fox"),
    )
    view.add_item(container)
    return view


async def _raw_send(bot: TinyBot, channel_id: int, payload: dict[str, Any]) -> dict[str, Any]:
    route = Route("POST", "/channels/{channel_id}/messages", channel_id=channel_id)
    return await bot.http.request(route, json=payload)


async def test_fake_discord_v2_shows_referenced_files_in_components_not_in_attachments(
    world: World, bot: TinyBot
) -> None:
    sent = await _channel(world, bot).send(view=_card(), file=discord.File(io.BytesIO(png_bytes()), "result.png"))
    stored = world.fake.messages[sent.id]
    assert stored.components_v2 and stored.content == "" and stored.embeds == []
    assert stored.files == [("result.png", png_bytes())] and stored.unshown_attachments == []
    # Discord leaves a file a component shows out of `attachments`, and unfurls its attachment:// reference.
    assert stored.attachments == [] and sent.attachments == []
    gallery = sent.components[0].children[0]  # type: ignore[attr-defined]
    media = gallery.items[0].media
    assert media.url.startswith(world.fake.base_url) and media.width == 4 and media.attachment_id is not None
    assert "a red fox" in stored.text


async def test_fake_discord_v2_records_unreferenced_files_as_not_shown(world: World, bot: TinyBot) -> None:
    files = [discord.File(io.BytesIO(png_bytes()), "result.png"), discord.File(io.BytesIO(b"x"), "extra.txt")]
    sent = await _channel(world, bot).send(view=_card(), files=files)
    stored = world.fake.messages[sent.id]
    assert [a["filename"] for a in stored.unshown_attachments] == ["extra.txt"]


REFUSED: dict[str, dict[str, Any]] = {
    "content": {"flags": V2, "content": "hi", "components": [{"type": 10, "content": "t"}]},
    "embeds": {"flags": V2, "embeds": [{"description": "d"}], "components": [{"type": 10, "content": "t"}]},
    "poll": {"flags": V2, "poll": {"question": {"text": "q"}}, "components": [{"type": 10, "content": "t"}]},
    "stickers": {"flags": V2, "sticker_ids": ["1"], "components": [{"type": 10, "content": "t"}]},
    "41 components": {"flags": V2, "components": [{"type": 10, "content": "t"}] * 41},
    "4,001 characters": {
        "flags": V2,
        "components": [{"type": 10, "content": "t" * 2000}, {"type": 10, "content": "t" * 2001}],
    },
    "an empty gallery": {"flags": V2, "components": [{"type": 12, "items": []}]},
    "11 gallery items": {
        "flags": V2,
        "components": [{"type": 12, "items": [{"media": {"url": "https://x/y.png"}}] * 11}],
    },
    "a missing file": {"flags": V2, "components": [_gallery("missing.png")]},
    "6 buttons in a row": {
        "flags": V2,
        "components": [
            {"type": 1, "components": [{"type": 2, "style": 1, "label": "b", "custom_id": f"b{n}"} for n in range(6)]}
        ],
    },
    "an empty row": {"flags": V2, "components": [{"type": 17, "components": [{"type": 1, "components": []}]}]},
    "a file component by link": {"flags": V2, "components": [{"type": 13, "file": {"url": "https://x/y.zip"}}]},
}


@pytest.mark.parametrize("payload", REFUSED.values(), ids=REFUSED.keys())
async def test_fake_discord_v2_refuses_what_discord_refuses(
    world: World, bot: TinyBot, payload: dict[str, Any]
) -> None:
    with pytest.raises(discord.HTTPException) as caught:
        await _raw_send(bot, _channel(world, bot).id, payload)
    assert (caught.value.status, caught.value.code) == (400, 50035)


async def test_fake_discord_v2_accepts_forty_components_and_4000_characters(world: World, bot: TinyBot) -> None:
    texts = [{"type": 10, "content": "t" * 100}] * 40
    data = await _raw_send(bot, _channel(world, bot).id, {"flags": V2, "components": texts})
    assert world.fake.messages[int(data["id"])].components_v2


async def test_fake_discord_v2_flag_is_set_by_an_edit_but_never_removed(world: World, bot: TinyBot) -> None:
    channel = _channel(world, bot)
    placeholder = await channel.send("working on it")
    route = Route("PATCH", "/channels/{c}/messages/{m}", c=channel.id, m=placeholder.id)
    with pytest.raises(discord.HTTPException) as caught:  # the old content must be cleared with it
        await bot.http.request(route, json={"flags": V2, "components": [{"type": 10, "content": "done"}]})
    assert caught.value.code == 50035
    edited = await placeholder.edit(
        content=None, embed=None, view=_card(), attachments=[discord.File(io.BytesIO(png_bytes()), "result.png")]
    )
    stored = world.fake.messages[placeholder.id]
    assert stored.components_v2 and stored.content == "" and edited.flags.components_v2
    with pytest.raises(discord.HTTPException) as caught:
        await bot.http.request(route, json={"flags": 0, "components": []})
    assert caught.value.code == 50035
    with pytest.raises(discord.HTTPException) as caught:  # a V2 message takes no content, flag sent or not
        await bot.http.request(route, json={"content": "plain again"})
    assert caught.value.code == 50035
    await bot.http.request(route, json={"components": [{"type": 10, "content": "still a card"}]})
    assert stored.components_v2 and "still a card" in stored.text


async def test_fake_discord_v2_mentions_come_from_text_displays_as_allowed(world: World, bot: TinyBot) -> None:
    alice = world.alice["user"]
    view = discord.ui.LayoutView()
    view.add_item(discord.ui.TextDisplay(f"for <@{alice['id']}>"))
    allowed = discord.AllowedMentions(users=[discord.Object(int(alice["id"]))])
    sent = await _channel(world, bot).send(view=view, allowed_mentions=allowed)
    assert [m["id"] for m in world.fake.messages[sent.id].mentions] == [alice["id"]]
    silent = await _channel(world, bot).send(view=view, allowed_mentions=discord.AllowedMentions.none())
    assert world.fake.messages[silent.id].mentions == []


async def test_fake_discord_allowed_mentions_ping_only_on_creation_and_only_whom_they_name(
    world: World, bot: TinyBot
) -> None:
    alice = world.alice["user"]
    channel = _channel(world, bot)
    view = discord.ui.LayoutView()
    view.add_item(discord.ui.TextDisplay(f"for <@{alice['id']}> and <@&{world.guild.id}> and @everyone"))
    only_alice = discord.AllowedMentions(everyone=False, roles=False, users=[discord.Object(int(alice["id"]))])
    sent = await channel.send(view=view, allowed_mentions=only_alice)
    stored = world.fake.messages[sent.id]
    assert stored.pinged == [int(alice["id"])]
    assert stored.allowed_mentions is not None and stored.allowed_mentions["parse"] == []
    assert stored.mention_roles == [] and not stored.mention_everyone
    # An edit that adds a mention notifies nobody.
    quiet = await channel.send("soon", allowed_mentions=discord.AllowedMentions.none())
    await quiet.edit(content=f"<@{alice['id']}> now", allowed_mentions=only_alice)
    assert world.fake.messages[quiet.id].pinged == []
    # Without an allowed mentions object every mention counts.
    loud = await _raw_send(bot, channel.id, {"content": f"<@{alice['id']}> @everyone"})
    assert world.fake.messages[int(loud["id"])].mention_everyone and loud["mentions"][0]["id"] == alice["id"]
    for wrong in ({"parse": ["users"], "users": [alice["id"]]}, {"parse": ["nobody"]}, {"users": ["1"] * 101}):
        with pytest.raises(discord.HTTPException) as caught:
            await _raw_send(bot, channel.id, {"content": "x", "allowed_mentions": wrong})
        assert caught.value.code == 50035, wrong


async def test_fake_discord_enforced_nonce_returns_the_first_message(world: World, bot: TinyBot) -> None:
    channel = _channel(world, bot)
    first = await channel.send("once", nonce="job-1:result")
    again = await channel.send("once", nonce="job-1:result")
    assert again.id == first.id and world.fake.messages[first.id].nonce == "job-1:result"
