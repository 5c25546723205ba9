"""Entry point: settings → logging → one HTTP session, storage and API client → the Discord bot."""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import signal
import sys
from typing import Any

import aiohttp
import discord
from discord.ext import commands
from dotenv import load_dotenv

from cogs.buttons import DYNAMIC_ITEMS
from cogs.errors import KontextTree
from cogs.views import PlaceholderDelivery
from kontext.callbacks import CallbackHub
from kontext.client import KontextClient, RetryPolicy
from kontext.config import ConfigError, Settings
from kontext.jobs import JobService, JobSettings
from kontext.metrics import Metrics
from kontext.models import Job
from kontext.quotas import QuotaService
from kontext.scheduling import PollSchedule
from kontext.simulator import SimulatedApi
from kontext.storage import Storage, open_storage, redact_url
from kontext.web import WebServer

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
    metrics: Metrics
    callbacks: CallbackHub | None  # set in callback mode
    web: WebServer | None  # /healthz, /metrics, callbacks; when a port is set or in callback mode

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
        metrics: Metrics | None = None,
        callbacks: CallbackHub | None = None,
        identify_spacing: float = 5.0,
        **options: Any,
    ) -> None:
        # No privileged intents by default: messages that mention the bot carry their content anyway.
        intents = discord.Intents.default()
        intents.message_content = settings.message_content_intent  # privileged: off unless the owner opts in
        intents.members = False
        intents.presences = False
        # No message cache: nothing here reads it, and every progress edit's MESSAGE_UPDATE echo would be looked up
        # in it (a scan of up to 1,000 cached messages) and copied.
        options.setdefault("max_messages", None)
        if settings.shard_count is not None:
            options.setdefault("shard_count", settings.shard_count)
            if settings.shard_ids is not None:
                options.setdefault("shard_ids", list(settings.shard_ids))
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
        self._resumed = False
        self.simulator = simulator
        self.metrics = metrics or Metrics()
        self.metrics.watch_jobs(queued=lambda: jobs.queued, running=lambda: jobs.running)
        self.callbacks = callbacks
        self.identify_spacing = identify_spacing
        port = settings.serve_port
        self.web = (
            None
            if port is None
            else WebServer(
                host=settings.web_host,
                port=port,
                storage=storage,
                metrics=self.metrics,
                gateway_ok=self.gateway_connected,
                hub=callbacks,
                callback_secret=settings.callback_secret,
            )
        )

    def gateway_connected(self) -> bool:
        """For /healthz: every shard of this process is connected and the bot is ready."""
        if self.is_closed() or not self.is_ready():
            return False
        return all(not shard.is_closed() for shard in self.shards.values())

    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        # Discord starts one session per 5 s (max_concurrency 1): discord.py's own spacing, shorter only in tests.
        if not initial and self.identify_spacing > 0:
            await asyncio.sleep(self.identify_spacing)

    async def setup_hook(self) -> None:
        if self.web is not None:
            # Up before the gateway: /healthz answers 503 until Discord is connected, callbacks land from the start.
            try:
                await self.web.start()
            except OSError:
                log.error(
                    "the web server cannot listen on %s:%s (check WEB_HOST, WEB_PORT)", self.web.host, self.web.port
                )
                raise
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
        if not self._resumed:
            # Once per process: after a restart, unfinished jobs of our guilds continue where they were.
            self._resumed = True
            settled = await self.jobs.settle_orphans()
            resumed = await self.jobs.resume(self.delivery_for, owns=self.owns_job)
            log.info("resumed %d unfinished jobs; settled %d orphaned reservations", resumed, settled)

    def owns_job(self, job: Job) -> bool:
        """Whether this process runs the shard of the job's guild (direct messages live on shard 0)."""
        shard_ids = self.shard_ids
        if shard_ids is None or not self.shard_count:
            return True
        shard = (job.guild_id >> 22) % self.shard_count if job.guild_id else 0
        return shard in shard_ids

    def delivery_for(self, job: Job) -> PlaceholderDelivery:
        """How a resumed job reaches its placeholder: with the bot's own token (interaction tokens die)."""
        guild = self.get_guild(job.guild_id) if job.guild_id else None
        return PlaceholderDelivery(
            self,
            channel_id=job.channel_id,
            requester=discord.Object(job.user_id),
            upload_limit=guild.filesize_limit if guild else discord.utils.DEFAULT_FILE_SIZE_LIMIT_BYTES,
        )

    async def shutdown(self, grace: float = 5.0) -> None:
        """SIGTERM: refuse new jobs, let submits on the wire land, leave every job resumable, close."""
        log.info("shutting down: no new jobs; unfinished ones resume at the next start")
        await self.jobs.drain(grace)
        await self.close()

    async def close(self) -> None:
        # Jobs are left in the database as they are, so a restart can pick them up.
        await self.jobs.cancel_all()
        if self.web is not None:
            await self.web.close()
        await super().close()
        await self.storage.close()
        if self.simulator is not None:
            await self.simulator.close()
        await self.session.close()


def job_settings(settings: Settings) -> JobSettings:
    """The job flow's knobs from the process settings."""
    return JobSettings(
        poll=PollSchedule(settings.poll_first_delay, settings.poll_interval, settings.poll_timeout),
        poll_strategy=settings.poll_strategy,
        poll_budget=settings.poll_budget,
        progress_interval=settings.progress_edit_interval,
        max_tasks_in_flight=settings.max_tasks_in_flight,
        max_status_concurrency=settings.max_status_concurrency,
        max_result_bytes=settings.max_result_bytes,
        callback_grace=settings.callback_grace,
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
    if settings.discord_rest_base is not None:
        # Every REST call (bot token, interaction callbacks, webhooks) goes through the shared rate-limit proxy.
        discord.http.Route.BASE = settings.discord_rest_base
        log.info("Discord REST goes through %s", redact_url(settings.discord_rest_base))
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
        metrics = Metrics()
        callbacks = CallbackHub() if settings.callback_mode else None
        api = KontextClient(
            session,
            api_key,
            base_url,
            request_timeout=settings.api_request_timeout,
            retry=retry or RetryPolicy(),
            observer=metrics.observe_api,
        )
        quotas = QuotaService.from_settings(storage, settings)
        jobs = JobService(
            storage,
            api,
            job_settings(settings),
            ledger=quotas,
            callbacks=callbacks,
            callback_url=settings.callback_url,
            metrics=metrics,
        )
    except BaseException:
        await session.close()
        if storage is not None:
            await storage.close()
        if simulator is not None:
            await simulator.close()
        raise
    return KontextBot(
        settings,
        session=session,
        storage=storage,
        api=api,
        jobs=jobs,
        quotas=quotas,
        simulator=simulator,
        metrics=metrics,
        callbacks=callbacks,
        **options,
    )


async def run(settings: Settings, *, shutdown_grace: float = 5.0) -> None:
    """Run until Discord closes us or the host sends SIGTERM/SIGINT (a deploy), then stop within bounded time."""
    bot = await create_bot(settings)
    async with bot:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        running = asyncio.create_task(bot.start(settings.discord_token))
        stopping = asyncio.create_task(stop.wait())
        done, _ = await asyncio.wait({running, stopping}, return_when=asyncio.FIRST_COMPLETED)
        if stopping in done:
            await asyncio.wait_for(bot.shutdown(shutdown_grace), shutdown_grace + 3)
            await asyncio.gather(running, return_exceptions=True)
        else:
            stopping.cancel()
            running.result()


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
