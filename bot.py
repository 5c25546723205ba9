"""Entry point: settings → logging → one HTTP session, storage and API client → the Discord bot."""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import sys
from typing import Any

import aiohttp
import discord
from discord.ext import commands
from dotenv import load_dotenv

from cogs.buttons import DYNAMIC_ITEMS
from cogs.errors import KontextTree
from kontext.client import KontextClient, RetryPolicy
from kontext.config import ConfigError, Settings
from kontext.jobs import JobService, JobSettings
from kontext.quotas import QuotaService
from kontext.scheduling import PollSchedule
from kontext.simulator import SimulatedApi
from kontext.storage import Storage, open_storage

log = logging.getLogger("kontext.bot")

EXTENSIONS: tuple[str, ...] = ("cogs.generate", "cogs.mentions", "cogs.quota", "cogs.admin")
_COMMANDS_HASH_KEY = "commands_hash"


class ExtensionLoadError(RuntimeError):
    """A cog failed to load: the bot refuses to start half-built."""


class KontextBot(commands.AutoShardedBot):
    """The Discord bot: owns the services the cogs use."""

    settings: Settings
    session: aiohttp.ClientSession
    storage: Storage
    api: KontextClient
    jobs: JobService
    quotas: QuotaService

    def __init__(
        self,
        settings: Settings,
        *,
        session: aiohttp.ClientSession,
        storage: Storage,
        api: KontextClient,
        jobs: JobService,
        quotas: QuotaService,
        simulator: SimulatedApi | None = None,
        **options: Any,
    ) -> None:
        # No privileged intents by default: messages that mention the bot carry their content anyway.
        intents = discord.Intents.default()
        intents.message_content = settings.message_content_intent  # privileged: off unless the owner opts in
        intents.members = False
        intents.presences = False
        super().__init__(
            command_prefix=commands.when_mentioned,
            intents=intents,
            tree_cls=KontextTree,
            help_command=None,
            allowed_mentions=discord.AllowedMentions.none(),
            owner_ids=set(settings.owner_ids) or None,
            **options,
        )
        self.settings = settings
        self.session = session
        self.storage = storage
        self.api = api
        self.jobs = jobs
        self.quotas = quotas
        self.simulator = simulator

    async def setup_hook(self) -> None:
        # Result buttons carry their job id in the custom_id, so they work on results of earlier processes too.
        self.add_dynamic_items(*DYNAMIC_ITEMS)
        for extension in EXTENSIONS:
            try:
                await self.load_extension(extension)
            except commands.ExtensionError as error:
                raise ExtensionLoadError(f"could not load {extension}: {error}") from error
        await self.sync_commands_if_needed()

    async def sync_commands_if_needed(self) -> None:
        """Sync to DEV_GUILD_ID at every start; globally only when the command set changed (rate limits)."""
        if self.settings.dev_guild_id:
            guild = discord.Object(self.settings.dev_guild_id)
            self.tree.copy_global_to(guild=guild)
            synced = await self.tree.sync(guild=guild)
            log.info("synced %d commands to the development guild %s", len(synced), guild.id)
            return
        payload = [command.to_dict(self.tree) for command in self.tree.get_commands()]
        digest = hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()
        if await self.storage.get_meta(_COMMANDS_HASH_KEY) == digest:
            log.info("slash commands unchanged since the last sync")
            return
        synced = await self.tree.sync()
        await self.storage.set_meta(_COMMANDS_HASH_KEY, digest)
        log.info("synced %d global commands (they may take a few minutes to appear everywhere)", len(synced))

    async def on_ready(self) -> None:
        log.info("connected as %s in %d servers", self.user, len(self.guilds))

    async def close(self) -> None:
        # Jobs are left in the database as they are, so a restart can pick them up.
        await self.jobs.cancel_all()
        await super().close()
        await self.storage.close()
        if self.simulator is not None:
            await self.simulator.close()
        await self.session.close()


def job_settings(settings: Settings) -> JobSettings:
    """The job flow's knobs from the process settings."""
    return JobSettings(
        poll=PollSchedule(settings.poll_first_delay, settings.poll_interval, settings.poll_timeout),
        progress_interval=settings.progress_edit_interval,
        max_tasks_in_flight=settings.max_tasks_in_flight,
        max_status_concurrency=settings.max_status_concurrency,
        max_result_bytes=settings.max_result_bytes,
    )


async def create_bot(
    settings: Settings,
    *,
    retry: RetryPolicy | None = None,
    simulator: SimulatedApi | None = None,
    **options: Any,
) -> KontextBot:
    """Build the services in order and hand them to the bot (discord.py's advanced start-up pattern).

    `retry` and `simulator` let tests shrink the client's backoff and the simulated generation time;
    `options` go to the discord.py client.
    """
    simulator = (simulator or SimulatedApi()) if settings.simulate else None
    session = aiohttp.ClientSession()
    storage: Storage | None = None
    try:
        storage = open_storage(settings.database_url)
        await storage.open()
        base_url, api_key = settings.apixo_base_url, settings.apixo_api_key or ""
        if simulator is not None:
            base_url, api_key = await simulator.start(), "simulated"
            log.warning("APIXO_BASE_URL=simulate: images are simulated locally, nothing is billed")
        api = KontextClient(
            session, api_key, base_url, request_timeout=settings.api_request_timeout, retry=retry or RetryPolicy()
        )
        quotas = QuotaService.from_settings(storage, settings)
        jobs = JobService(storage, api, job_settings(settings), ledger=quotas)
    except BaseException:
        await session.close()
        if storage is not None:
            await storage.close()
        if simulator is not None:
            await simulator.close()
        raise
    return KontextBot(
        settings, session=session, storage=storage, api=api, jobs=jobs, quotas=quotas, simulator=simulator, **options
    )


async def run(settings: Settings) -> None:
    bot = await create_bot(settings)
    async with bot:
        await bot.start(settings.discord_token)


def main() -> None:
    load_dotenv()
    try:
        settings = Settings.from_env()
    except ConfigError as error:
        print(f"Cannot start:\n{error}", file=sys.stderr)
        sys.exit(2)
    discord.utils.setup_logging(level=logging.getLevelName(settings.log_level), root=True)
    log.info("starting with %s", settings.describe())
    try:
        asyncio.run(run(settings))
    except KeyboardInterrupt:
        pass
    except discord.LoginFailure:
        log.error("Discord refused DISCORD_TOKEN: check the token in .env (Bot tab of the developer portal)")
        sys.exit(2)
    except discord.PrivilegedIntentsRequired:
        log.error("Discord refused the gateway intents")
        sys.exit(2)


if __name__ == "__main__":
    main()
