"""Self-tests of the fake Discord's gateway: READY and command sync, message events, resume, and shards."""

from __future__ import annotations

import asyncio

import aiohttp
import discord
from discord.ext import commands

from tests.fakes import support as fake_discord_support
from tests.fakes.discord.basics import new_snowflake
from tests.fakes.support import TinyBot, World, png_bytes, start_bot, stop_bot

world = fake_discord_support.world  # the shared fixtures: pytest finds them by these names in this module
bot = fake_discord_support.bot


async def test_fake_discord_ready_and_command_sync(world: World, bot: TinyBot) -> None:
    guild = bot.get_guild(world.guild.id)
    assert guild is not None and guild.name == "Fake Guild"
    assert guild.member_count == len(world.guild.members) == 3  # owner, bot, alice
    assert [c.name for c in guild.text_channels] == ["general"]
    synced = {c["name"]: c for c in world.fake.guild_commands[world.guild.id]}
    assert {"render", "echo", "Show text"} <= set(synced)
    interaction = await world.fake.send_slash("render", {"prompt": "a cat"}, guild=world.guild, user=world.alice)
    assert interaction.data["id"] == synced["render"]["id"]
    assert interaction.data["guild_id"] == str(world.guild.id)
    await world.fake.wait_for(lambda: interaction.original is not None and interaction.original.edits)
    async with aiohttp.ClientSession() as session:
        url = f"{world.fake.base_url}/api/v10/users/@me"
        async with session.get(url, headers={"Authorization": "Bot x"}) as response:
            assert response.headers["Content-Type"] == "application/json"


async def test_fake_discord_mention_reaches_on_message(world: World, bot: TinyBot) -> None:
    fake = world.fake
    channel = world.guild.channels[0]
    image = fake.add_attachment(png_bytes(), "in.png", "image/png")
    await fake.post_message(channel, world.alice, "no mention here")
    await fake.post_message(channel, world.alice, "edit this", attachments=[image], mention_bot=True)
    await fake.wait_for(lambda: len(bot.seen) == 2)
    hidden, mentioned = bot.seen
    assert hidden.content == ""  # no MESSAGE_CONTENT intent
    assert mentioned.content.endswith("edit this") and bot.user in mentioned.mentions
    assert mentioned.attachments[0].url == image["url"]


async def test_fake_discord_resume_after_reconnect(world: World, bot: TinyBot) -> None:
    fake = world.fake
    resumed = asyncio.Event()

    async def on_resumed() -> None:
        resumed.set()

    bot.add_listener(on_resumed)
    await fake.reconnect_gateway()
    await asyncio.wait_for(resumed.wait(), 5)
    assert fake.gateway.resumes == 1 and fake.gateway.identifies == 1
    interaction = await fake.send_slash("buttons", guild=world.guild, user=world.alice)
    await fake.wait_for(lambda: interaction.original is not None)


class ShardedBot(commands.AutoShardedBot):
    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        return None  # skip discord.py's 5-second pause between shards


async def test_fake_discord_sharded_bot_gets_guilds_on_their_shards(world: World) -> None:
    fake = world.fake
    fake.recommended_shards = 2
    other_id = new_snowflake(new_millisecond=True)
    while (other_id >> 22) % 2 == (world.guild.id >> 22) % 2:  # under load two milliseconds may have passed
        other_id = new_snowflake(new_millisecond=True)
    second = fake.add_guild(guild_id=other_id, name="Other Guild")
    assert (world.guild.id >> 22) % 2 != (second.id >> 22) % 2
    bot = ShardedBot(command_prefix="!", intents=discord.Intents.default(), guild_ready_timeout=0.05)
    task = await start_bot(bot, fake)
    try:
        assert bot.shard_count == 2
        assert {g.id: g.shard_id for g in bot.guilds} == {
            world.guild.id: (world.guild.id >> 22) % 2,
            second.id: (second.id >> 22) % 2,
        }
    finally:
        await stop_bot(bot, task)
