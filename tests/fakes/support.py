"""Shared by the fake Discord's self-tests: a tiny discord.py bot (not the project's), the world and bot fixtures."""

from __future__ import annotations

import asyncio
import io
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

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


async def start_bot(bot: commands.Bot, fake: FakeDiscord) -> asyncio.Task[None]:
    await bot.login("fake-token")
    task = asyncio.create_task(bot.connect())
    await fake.wait_ready()
    await asyncio.wait_for(bot.wait_until_ready(), 5)
    return task


async def stop_bot(bot: commands.Bot, task: asyncio.Task[None]) -> None:
    await bot.close()
    await asyncio.wait_for(task, 5)


@pytest.fixture
async def bot(world: World) -> AsyncIterator[TinyBot]:
    bot = TinyBot(world.guild.id, world.clock)
    task = await start_bot(bot, world.fake)
    try:
        yield bot
    finally:
        await stop_bot(bot, task)
