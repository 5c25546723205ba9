"""The real bot, started against the local fake Discord and fake image API, for end-to-end tests."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator, Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import yarl

from bot import KontextBot, create_bot
from cogs.utils.delivery import pointed_at
from kontext.api.client import RetryPolicy
from kontext.config import Settings
from kontext.jobs.service import JobService
from tests.bot_process import BotProcess, start_process
from tests.fakes.apixo import FakeApixo
from tests.fakes.discord import FakeDiscord, FakeGuild, FakeInteraction, FakeMessage

FAST_RETRY = RetryPolicy(attempts=3, base_delay=0.001, max_delay=0.01, max_retry_after=0.01)
ROOT = Path(__file__).resolve().parent.parent


def started(response: dict[str, Any]) -> bool:
    """Whether an interaction's first response started a job: its progress, in public (a refusal is ephemeral)."""
    flags = int((response.get("data") or {}).get("flags") or 0)
    return response["type"] == 4 and not flags & 64


async def idle(jobs: JobService, poll: float = 0.005) -> None:
    """Wait until the process runs no job (each job's task leaves the count as it ends)."""
    while jobs.running:  # noqa: ASYNC110 - the service counts its jobs; tests alone wait for none
        await asyncio.sleep(poll)


def bot_env(api: FakeApixo, database_url: str, **overrides: str) -> dict[str, str]:
    """Settings for a test bot: fast polls, fast edits, everything else at its default."""
    env = {
        "DISCORD_TOKEN": "test-discord-token",
        "APIXO_API_KEY": "test-api-key",
        "APIXO_BASE_URL": api.base_url,
        "DATABASE_URL": database_url,
        # The adaptive strategy plans around real generation times (tests/polling/test_adaptive.py).
        "POLL_STRATEGY": "fixed",
        "POLL_FIRST_DELAY": "0.01",
        "POLL_INTERVAL": "0.01",
        "POLL_TIMEOUT": "5",
        "PROGRESS_EDIT_INTERVAL": "0.01",
        "API_REQUEST_TIMEOUT": "2",
    }
    env.update(overrides)
    return env


@dataclass
class World:
    """One bot process and the fakes it talks to, with a server, a channel and a member to act as."""

    discord: FakeDiscord
    api: FakeApixo
    bot: KontextBot
    guild: FakeGuild
    user: dict[str, Any]
    settings: Settings
    bot_task: asyncio.Task[Any]
    bot_options: dict[str, Any] = field(default_factory=dict)

    @property
    def channel(self) -> dict[str, Any]:
        return self.guild.channels[0]

    async def kill(self) -> None:
        """Stop the bot as a crash would: its jobs stop dead where they are, nothing is recorded or settled."""
        jobs = list(self.bot.jobs._tasks.values())
        for task in jobs:
            task.cancel()
        await asyncio.gather(*jobs, return_exceptions=True)
        await stop_bot(self.bot, self.bot_task)  # now only sockets and files are closed; no job is touched

    async def start_again(self) -> None:
        """A new bot process on the same database, after kill()."""
        self.bot, self.bot_task = await start_bot(self.discord, self.settings, **self.bot_options)

    async def restart(self) -> None:
        """Stop this bot process and start a new one on the same database, as a deploy would."""
        await stop_bot(self.bot, self.bot_task)
        self.bot, self.bot_task = await start_bot(self.discord, self.settings, **self.bot_options)

    async def slash(self, name: str, options: dict[str, Any] | None = None, **kwargs: Any) -> FakeInteraction:
        """Send a slash command as the default user in the default guild."""
        kwargs.setdefault("guild", self.guild)
        kwargs.setdefault("user", self.user)
        return await self.discord.send_slash(name, options, **kwargs)

    async def finished(self, interaction: FakeInteraction, within: float = 10.0) -> FakeMessage:
        """Wait until the job this interaction started has shown its result or failure, and has settled.

        The message returned holds the result: the placeholder itself, or the new message it was collapsed to point at.
        """

        def final() -> FakeMessage | None:
            message = interaction.original
            if message is None or message.loading:
                return None
            return self.result_of(message)

        await self.discord.wait_for(lambda: final() is not None, within)
        await idle(self.bot.jobs)
        result = final()
        assert result is not None
        return result

    def result_of(self, placeholder: FakeMessage) -> FakeMessage | None:
        """The message showing a job's outcome: the placeholder, or the result it points at once collapsed."""
        return result_of(self.discord, placeholder)


def result_of(discord: FakeDiscord, placeholder: FakeMessage | None) -> FakeMessage | None:
    """The message showing a job's outcome: the placeholder itself, or the result it points at once collapsed."""
    if placeholder is None:
        return None
    if placeholder.embeds or placeholder.components_v2:
        return placeholder
    pointed = pointed_at(placeholder.content, placeholder.channel_id)
    return discord.messages.get(pointed) if pointed is not None else None


def image_of(discord: FakeDiscord, interaction: FakeInteraction) -> FakeMessage | None:
    """The message holding the image the interaction's job delivered; None until there is one."""
    result = result_of(discord, interaction.original)
    return result if result is not None and result.files else None


def local_endpoint(base_url: str) -> tuple[str, int]:
    """The (address, port) of a test server on 127.0.0.1, to let through the bot's link guard."""
    url = yarl.URL(base_url)
    assert url.host is not None and url.port is not None
    return url.host, url.port


async def start_bot(
    discord: FakeDiscord, settings: Settings, *, link_allow: Iterable[tuple[str, int]] = (), **options: Any
) -> tuple[KontextBot, asyncio.Task[Any]]:
    """Start a bot process against the fake Discord and wait until it is ready.

    The link guard lets through the fake Discord's CDN (a stand-in for Discord's public one) and `link_allow`,
    nothing else on 127.0.0.1.
    """
    discord.install()
    allow = {local_endpoint(discord.base_url), *link_allow}
    bot = await create_bot(settings, retry=FAST_RETRY, guild_ready_timeout=0.05, link_allow=allow, **options)
    await bot.login(settings.discord_token)
    task = asyncio.create_task(bot.connect(reconnect=False))
    await discord.wait_ready()
    await asyncio.wait_for(bot.wait_until_ready(), 5)
    return bot, task


async def stop_bot(bot: KontextBot, task: asyncio.Task[Any]) -> None:
    await bot.close()
    with contextlib.suppress(Exception, asyncio.CancelledError):
        await asyncio.wait_for(task, 5)


@contextlib.asynccontextmanager
async def world_for(
    tmp_path: Path,
    *,
    env: dict[str, str] | None = None,
    discord_options: dict[str, Any] | None = None,
    api_options: dict[str, Any] | None = None,
    api: FakeApixo | None = None,
    prepare: Callable[[FakeDiscord, FakeGuild], None] | None = None,
    bot_options: dict[str, Any] | None = None,
) -> AsyncIterator[World]:
    """A running world; everything is torn down on exit."""
    discord = FakeDiscord(**(discord_options or {}))
    api = api or FakeApixo(**(api_options or {}))
    await discord.start()
    await api.start()
    guild = discord.add_guild()
    user = discord.add_member(guild, name="alice")["user"]
    if prepare is not None:
        prepare(discord, guild)
    database_url = f"sqlite:///{tmp_path / 'bot.db'}"
    settings = Settings.from_env(bot_env(api, database_url, **{"DEV_GUILD_ID": str(guild.id), **(env or {})}))
    bot, task = await start_bot(discord, settings, **(bot_options or {}))
    world = World(
        discord=discord,
        api=api,
        bot=bot,
        guild=guild,
        user=user,
        settings=settings,
        bot_task=task,
        bot_options=bot_options or {},
    )
    try:
        yield world
    finally:
        await stop_bot(world.bot, world.bot_task)
        await api.close()
        await discord.close()


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class ServingBot:
    """The real bot.py main() in an OS process of its own (signals and all), ready once its /healthz answers 200."""

    def __init__(self, discord: FakeDiscord, env: dict[str, str]) -> None:
        self.port = free_port()
        self.discord = discord
        self.env = {**env, "WEB_PORT": str(self.port), "WEB_HOST": "127.0.0.1"}
        self.bot: BotProcess | None = None

    async def start(self, within: float = 30.0) -> ServingBot:
        """Start it and wait until it is connected."""
        self.bot = await start_process(
            self.env, api_url=f"{self.discord.base_url}/api/v10", gateway_url=self.discord.gateway_url
        )
        loop = asyncio.get_running_loop()
        end = loop.time() + within
        async with aiohttp.ClientSession() as session:
            while loop.time() < end:
                if self.bot.process.returncode is not None:
                    raise AssertionError(f"the bot exited with {self.bot.process.returncode}:\n{self.bot.output}")
                with contextlib.suppress(aiohttp.ClientError, OSError):
                    async with session.get(f"http://127.0.0.1:{self.port}/healthz") as response:
                        if response.status == 200:
                            return self
                await asyncio.sleep(0.1)
        raise AssertionError(f"the bot was not ready within {within}s:\n{self.bot.output}")

    async def terminate(self, within: float = 10.0) -> int:
        """SIGTERM, as a host stopping it for a deploy; its exit code."""
        assert self.bot is not None
        code, _ = await self.bot.sigterm(within)
        return code

    async def kill(self) -> None:
        """SIGKILL: it stops dead, nothing is recorded or handed on."""
        if self.bot is not None:
            await self.bot.kill()

    def log(self) -> str:
        return self.bot.output if self.bot is not None else ""
