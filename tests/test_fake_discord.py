"""Self-tests of the fake Discord, driven through a tiny discord.py bot defined here (not the project's bot)."""

from __future__ import annotations

import asyncio
import io
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import aiohttp
import discord
import pytest
from discord import app_commands
from discord.ext import commands
from PIL import Image

from tests.fakes.discord import FakeDiscord, FakeGuild


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def png_bytes(width: int = 4, height: int = 3) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), "red").save(buffer, "PNG")
    return buffer.getvalue()


class ConfirmView(discord.ui.View):
    @discord.ui.button(label="OK", custom_id="confirm:ok", style=discord.ButtonStyle.primary)
    async def ok(self, interaction: discord.Interaction, button: discord.ui.Button[ConfirmView]) -> None:
        await interaction.response.edit_message(content=f"clicked by {interaction.user.name}", view=None)


class PromptModal(discord.ui.Modal, title="Edit prompt"):
    prompt: discord.ui.TextInput[PromptModal] = discord.ui.TextInput(label="Prompt", custom_id="prompt", max_length=50)
    style = discord.ui.Label(text="Style", component=discord.ui.TextInput(custom_id="style", required=False))

    async def on_submit(self, interaction: discord.Interaction) -> None:
        style = self.style.component.value  # type: ignore[union-attr]
        await interaction.response.send_message(f"got: {self.prompt.value} / {style}", ephemeral=True)


class TinyBot(commands.Bot):
    """Just enough bot to exercise every route the fake serves."""

    def __init__(self, guild_id: int, clock: Clock) -> None:
        super().__init__(
            command_prefix=commands.when_mentioned,
            intents=discord.Intents.default(),
            guild_ready_timeout=0.05,
            help_command=None,
        )
        self.guild_obj = discord.Object(guild_id)
        self.clock = clock
        self.errors: list[Exception] = []
        self.seen: list[discord.Message] = []
        self.proceed = asyncio.Event()
        self.results: list[Any] = []

    async def setup_hook(self) -> None:
        for command in (render, late, big, buttons, ask, slow, echo, thinking):
            self.tree.add_command(command, guild=self.guild_obj)
        self.tree.add_command(app_commands.ContextMenu(name="Show text", callback=show_text), guild=self.guild_obj)
        await self.tree.sync(guild=self.guild_obj)

    async def on_message(self, message: discord.Message) -> None:
        if not message.author.bot:
            self.seen.append(message)


def _bot(interaction: discord.Interaction) -> TinyBot:
    assert isinstance(interaction.client, TinyBot)
    return interaction.client


@app_commands.command(description="Defer, then edit the original with a file and an embed")
async def render(interaction: discord.Interaction, prompt: str) -> None:
    await interaction.response.defer(thinking=True)
    embed = discord.Embed(title="Result", description=prompt).set_image(url="attachment://result.png")
    await interaction.edit_original_response(
        embed=embed, attachments=[discord.File(io.BytesIO(png_bytes()), "result.png")]
    )


@app_commands.command(description="Answer after the deadline")
async def late(interaction: discord.Interaction) -> None:
    _bot(interaction).clock.advance(3.5)
    try:
        await interaction.response.send_message("too late")
    except discord.HTTPException as exc:
        _bot(interaction).errors.append(exc)


@app_commands.command(description="Upload more than the limit")
async def big(interaction: discord.Interaction) -> None:
    data = b"x" * (interaction.filesize_limit + 1)
    try:
        await interaction.response.send_message(file=discord.File(io.BytesIO(data), "big.bin"))
    except discord.HTTPException as exc:
        _bot(interaction).errors.append(exc)


@app_commands.command(description="A message with a button")
async def buttons(interaction: discord.Interaction) -> None:
    await interaction.response.send_message("pick", view=ConfirmView())


@app_commands.command(description="Open a modal")
async def ask(interaction: discord.Interaction) -> None:
    await interaction.response.send_modal(PromptModal())


@app_commands.command(description="Defer, then edit when told to")
async def slow(interaction: discord.Interaction) -> None:
    await interaction.response.defer()
    await _bot(interaction).proceed.wait()
    try:
        await interaction.edit_original_response(content="finally")
    except discord.HTTPException as exc:
        _bot(interaction).errors.append(exc)


@app_commands.command(description="Send an attachment back")
async def echo(interaction: discord.Interaction, image: discord.Attachment, note: str | None = None) -> None:
    data = await image.read()
    _bot(interaction).results.append((image.filename, image.content_type, image.width, data))
    await interaction.response.send_message(note or "echo", file=discord.File(io.BytesIO(data), image.filename))


@app_commands.command(description="Ephemeral defer, then two followups")
async def thinking(interaction: discord.Interaction) -> None:
    await interaction.response.defer(ephemeral=True, thinking=True)
    first = await interaction.followup.send("first", wait=True)
    second = await interaction.followup.send("second", ephemeral=False, wait=True)
    _bot(interaction).results.append((first.id, second.id))


async def show_text(interaction: discord.Interaction, message: discord.Message) -> None:
    await interaction.response.send_message(f"target says: {message.content}", ephemeral=True)


@dataclass
class World:
    fake: FakeDiscord
    guild: FakeGuild
    alice: dict[str, Any]
    clock: Clock


@pytest.fixture
async def world() -> AsyncIterator[World]:
    clock = Clock()
    fake = FakeDiscord(clock=clock, attachment_size_limit=64 * 1024)
    await fake.start()
    fake.install()
    guild = fake.add_guild(name="Fake Guild")
    alice = fake.add_member(guild, name="alice")
    try:
        yield World(fake, guild, alice, clock)
    finally:
        await fake.close()


async def _start(bot: commands.Bot, fake: FakeDiscord) -> asyncio.Task[None]:
    await bot.login("fake-token")
    task = asyncio.create_task(bot.connect())
    await fake.wait_ready()
    await asyncio.wait_for(bot.wait_until_ready(), 5)
    return task


async def _stop(bot: commands.Bot, task: asyncio.Task[None]) -> None:
    await bot.close()
    await asyncio.wait_for(task, 5)


@pytest.fixture
async def bot(world: World) -> AsyncIterator[TinyBot]:
    bot = TinyBot(world.guild.id, world.clock)
    task = await _start(bot, world.fake)
    try:
        yield bot
    finally:
        await _stop(bot, task)


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


async def test_fake_discord_token_expiry_is_401_50027(world: World, bot: TinyBot) -> None:
    interaction = await world.fake.send_slash("slow", guild=world.guild, user=world.alice)
    await world.fake.wait_for(lambda: interaction.responded)
    world.clock.advance(world.fake.token_lifetime + 1)
    bot.proceed.set()
    await world.fake.wait_for(lambda: bot.errors)
    error = bot.errors[0]
    assert isinstance(error, discord.HTTPException) and (error.status, error.code) == (401, 50027)


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


class ShardedBot(commands.AutoShardedBot):
    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        return None  # skip discord.py's 5-second pause between shards


async def test_fake_discord_sharded_bot_gets_guilds_on_their_shards(world: World) -> None:
    fake = world.fake
    fake.recommended_shards = 2
    second = fake.add_guild(name="Other Guild")
    assert (world.guild.id >> 22) % 2 != (second.id >> 22) % 2
    bot = ShardedBot(command_prefix="!", intents=discord.Intents.default(), guild_ready_timeout=0.05)
    task = await _start(bot, fake)
    try:
        assert bot.shard_count == 2
        assert {g.id: g.shard_id for g in bot.guilds} == {
            world.guild.id: (world.guild.id >> 22) % 2,
            second.id: (second.id >> 22) % 2,
        }
    finally:
        await _stop(bot, task)


async def test_fake_discord_rate_limits_refuse_with_429_via_and_retry_after() -> None:
    clock = Clock()
    fake = FakeDiscord(clock=clock, rate_limits=True)
    await fake.start()
    url = f"{fake.base_url}/api/v10/webhooks/{fake.application_id}/some-token/messages/@original"
    try:
        async with aiohttp.ClientSession() as session:
            remaining = []
            for _ in range(5):
                async with session.patch(url, json={"content": "x"}) as response:
                    remaining.append(response.headers["X-RateLimit-Remaining"])
                    assert response.headers["X-RateLimit-Limit"] == "5"
                    assert float(response.headers["X-RateLimit-Reset-After"]) == pytest.approx(5.0)
            async with session.patch(url, json={"content": "x"}) as response:
                assert response.status == 429 and response.headers["Via"]
                assert (await response.json())["retry_after"] == pytest.approx(5.0)
            async with session.patch(url.replace("some-token", "other-token"), json={}) as response:
                assert response.status != 429  # another interaction's bucket
            clock.advance(5.0)
            async with session.patch(url, json={"content": "x"}) as response:
                assert response.status != 429 and response.headers["X-RateLimit-Remaining"] == "4"
    finally:
        await fake.close()
    assert remaining == ["4", "3", "2", "1", "0"]
    assert fake.rate_limits is not None and fake.rate_limits.refused == 1
    assert [r.status for r in fake.requests].count(429) == 1


async def test_fake_discord_rate_limits_are_off_by_default(world: World, bot: TinyBot) -> None:
    await world.fake.send_slash("render", {"prompt": "a cat"}, guild=world.guild, user=world.alice)
    await world.fake.wait_for(lambda: world.fake.requests_to("PATCH", r"/messages/@original"))

    assert world.fake.rate_limits is None
    assert all(r.status != 429 for r in world.fake.requests)
