"""Self-tests of the fake Discord's channel REST: messages, permissions, limits, injected failures, replies and DMs."""

from __future__ import annotations

import io

import discord
import pytest

from tests.fakes import support as fake_discord_support
from tests.fakes.discord import limits as limits
from tests.fakes.discord.errors import DiscordError
from tests.fakes.support import TinyBot, World

world = fake_discord_support.world  # the shared fixtures: pytest finds them by these names in this module
bot = fake_discord_support.bot


async def test_fake_discord_channel_message_send_edit_fetch_delete(world: World, bot: TinyBot) -> None:
    fake = world.fake
    channel = bot.get_channel(int(world.guild.channels[0]["id"]))
    assert isinstance(channel, discord.TextChannel)
    sent = await channel.send("hello", file=discord.File(io.BytesIO(b"abc"), "a.txt"))
    stored = fake.messages[sent.id]
    assert stored.content == "hello" and stored.files == [("a.txt", b"abc")]
    edited = await sent.edit(content="bye", attachments=[])
    assert edited.content == "bye" and stored.files == [] and stored.edits[-1]["content"] == "bye"
    fetched = await channel.fetch_message(sent.id)
    assert fetched.content == "bye"
    await sent.delete()
    assert stored.deleted
    with pytest.raises(discord.NotFound):
        await channel.fetch_message(sent.id)


async def test_fake_discord_an_enforced_nonce_creates_one_message(world: World, bot: TinyBot) -> None:
    channel = bot.get_channel(int(world.guild.channels[0]["id"]))
    assert isinstance(channel, discord.TextChannel)
    first = await channel.send("once", nonce="job1:r")  # discord.py sends enforce_nonce with every nonce
    again = await channel.send("twice?", nonce="job1:r")
    other = await channel.send("another", nonce="job2:r")
    assert again.id == first.id and again.content == "once" and other.id != first.id
    with pytest.raises(discord.HTTPException):
        await channel.send("too long", nonce="n" * 26)


async def test_fake_discord_missing_send_permission_is_50013(world: World, bot: TinyBot) -> None:
    muted = world.fake.add_channel(world.guild, "read-only", bot_can_send=False)
    await world.fake.wait_for(lambda: bot.get_channel(int(muted["id"])) is not None)
    channel = bot.get_channel(int(muted["id"]))
    assert isinstance(channel, discord.TextChannel)
    assert not channel.permissions_for(channel.guild.me).send_messages
    with pytest.raises(discord.Forbidden) as caught:
        await channel.send("hi")
    assert caught.value.code == 50013
    interaction = await world.fake.send_slash("buttons", guild=world.guild, user=world.alice, channel=muted)
    assert not int(interaction.payload["app_permissions"]) & discord.Permissions(send_messages=True).value
    await world.fake.wait_for(lambda: interaction.original is not None)  # interaction responses need no Send Messages


async def test_fake_discord_fail_next_injects_errors(world: World, bot: TinyBot) -> None:
    fake = world.fake
    channel = bot.get_channel(int(world.guild.channels[0]["id"]))
    assert isinstance(channel, discord.TextChannel)
    fake.fail_next("POST", r"/channels/\d+/messages$", status=403)
    with pytest.raises(discord.Forbidden):
        await channel.send("one")
    fake.fail_next("POST", r"/channels/\d+/messages$", status=429)
    sent = await channel.send("two")  # retried after retry_after because of the Via header
    statuses = [r.status for r in fake.requests_to("POST", r"/channels/\d+/messages$")]
    assert statuses == [403, 429, 200] and fake.messages[sent.id].content == "two"


async def test_fake_discord_content_and_embed_limits(world: World, bot: TinyBot) -> None:
    channel = bot.get_channel(int(world.guild.channels[0]["id"]))
    assert isinstance(channel, discord.TextChannel)
    with pytest.raises(discord.HTTPException) as caught:
        await channel.send("x" * 2001)
    assert caught.value.code == 50035 and "content" in caught.value.text
    embeds = [discord.Embed(description="y" * 4000), discord.Embed(description="y" * 2001)]
    with pytest.raises(discord.HTTPException) as caught:
        await channel.send(embeds=embeds)
    assert "6000" in caught.value.text
    with pytest.raises(discord.HTTPException) as caught:
        await channel.send(embed=discord.Embed(title="t" * 257))
    assert caught.value.code == 50035
    with pytest.raises(discord.HTTPException) as caught:
        await channel.send(embed=discord.Embed())
    assert caught.value.code == 50006  # an empty embed is an empty message


async def test_fake_discord_reply_and_direct_message(world: World, bot: TinyBot) -> None:
    fake = world.fake
    question = await fake.post_message(world.guild.channels[0], world.alice, "hi bot", mention_bot=True)
    await fake.wait_for(lambda: bot.seen)
    reply = await bot.seen[0].reply("hello", mention_author=False)
    stored = fake.messages[reply.id]
    assert stored.type == 19 and stored.referenced is question and stored.mentions == []
    alice = await bot.fetch_user(int(world.alice["user"]["id"]))
    dm = await alice.send("psst")
    assert fake.messages[dm.id].guild_id is None and fake.messages[dm.id].content == "psst"
    fake.closed_dms.add(alice.id)
    with pytest.raises(discord.Forbidden) as caught:
        await alice.send("again")
    assert caught.value.code == 50007


async def test_fake_discord_wait_for_timeout_explains(world: World) -> None:
    with pytest.raises(TimeoutError, match="Last requests"):
        await world.fake.wait_for(lambda: False, timeout=0.05)


OVER_THE_LIMIT = {
    "content": {"content": "x" * 2001},
    "title": {"embeds": [{"title": "t" * 257}]},
    "description": {"embeds": [{"description": "d" * 4097}]},
    "field name": {"embeds": [{"fields": [{"name": "n" * 257, "value": "v"}]}]},
    "field value": {"embeds": [{"fields": [{"name": "n", "value": "v" * 1025}]}]},
    "footer": {"embeds": [{"footer": {"text": "f" * 2049}}]},
    "author": {"embeds": [{"author": {"name": "a" * 257}}]},
    "total": {"embeds": [{"description": "d" * 4000, "fields": [{"name": "n", "value": "v" * 1024}] * 2}]},
    "button label": {
        "components": [{"type": 1, "components": [{"type": 2, "style": 1, "label": "b" * 81, "custom_id": "c"}]}]
    },
    "option description": {
        "components": [
            {
                "type": 1,
                "components": [
                    {"type": 3, "custom_id": "s", "options": [{"label": "l", "value": "v", "description": "d" * 101}]}
                ],
            }
        ]
    },
    "v2 text": {"flags": 1 << 15, "components": [{"type": 10, "content": "t" * 2001}] * 2},
}


@pytest.mark.parametrize("payload", OVER_THE_LIMIT.values(), ids=OVER_THE_LIMIT.keys())
def test_fake_discord_refuses_every_text_past_its_limit(payload: dict) -> None:
    errs = limits.FormErrors()
    limits.check_message(payload, errs)
    with pytest.raises(DiscordError) as caught:
        errs.raise_if_any()
    assert (caught.value.status, caught.value.code) == (400, 50035)


def test_fake_discord_refuses_a_modal_past_its_limits() -> None:
    select = {"type": 3, "custom_id": "s", "options": [{"label": "l" * 101, "value": "v"}]}
    for data in (
        {
            "title": "t" * 46,
            "custom_id": "m",
            "components": [{"type": 1, "components": [{"type": 4, "custom_id": "i", "label": "l"}]}],
        },
        {
            "title": "t",
            "custom_id": "m",
            "components": [
                {"type": 1, "components": [{"type": 4, "custom_id": "i", "label": "l", "value": "v" * 4001}]}
            ],
        },
        {"title": "t", "custom_id": "m", "components": [{"type": 18, "label": "which", "component": select}]},
    ):
        with pytest.raises(DiscordError):
            limits.check_modal(data)


def _command(**fields: object) -> dict:
    option = {"type": 3, "name": "prompt", "description": "What to make", "required": True}
    return {"type": 1, "name": "imagine", "description": "Make an image", "options": [option], **fields}


BAD_LOCALISATIONS = {
    "unknown locale": _command(name_localizations={"fr-FR": "imaginer"}),
    "name with a space": _command(name_localizations={"fr": "créer image"}),
    "name in capitals": _command(name_localizations={"de": "Bild"}),
    "name too long": _command(name_localizations={"ja": "画" * 33}),
    "empty name": _command(name_localizations={"es-ES": ""}),
    "description too long": _command(description_localizations={"pt-BR": "d" * 101}),
    "option name": {**_command(), "options": [{**_command()["options"][0], "name_localizations": {"fr": "Texte"}}]},
    "choice name": {
        **_command(),
        "options": [
            {
                "type": 4,
                "name": "safety",
                "description": "Moderation",
                "choices": [{"name": "0", "value": 0, "name_localizations": {"fr": "s" * 101}}],
            }
        ],
    },
    "menu name too long": {"type": 3, "name": "Edit image", "name_localizations": {"fr": "m" * 33}},
}


@pytest.mark.parametrize("command", BAD_LOCALISATIONS.values(), ids=BAD_LOCALISATIONS.keys())
def test_fake_discord_refuses_localisations_outside_discords_rules(command: dict) -> None:
    with pytest.raises(DiscordError) as caught:
        limits.check_commands([command])
    assert (caught.value.status, caught.value.code) == (400, 50035)


def test_fake_discord_accepts_localisations_within_the_rules() -> None:
    limits.check_commands(
        [
            _command(
                name_localizations={"fr": "imaginer", "ja": "画像生成", "pt-BR": "imaginar", "de": "bild-machen"},
                description_localizations={"fr": "Créer une image", "es-ES": "Crear una imagen"},
            ),
            {"type": 3, "name": "Edit image", "name_localizations": {"fr": "Modifier l'image", "ja": "画像を編集"}},
        ]
    )
