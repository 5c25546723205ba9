"""Entry point: settings → logging → one HTTP session, storage and API client → the Discord bot."""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import signal
import sys
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

import aiohttp
import discord
import yarl
from discord.ext import commands
from discord.gateway import DiscordWebSocket
from discord.shard import Shard
from discord.state import ConnectionState
from dotenv import load_dotenv

from cogs.utils.admission import start_from_interaction
from cogs.utils.buttons import DYNAMIC_ITEMS
from cogs.utils.delivery import PlaceholderDelivery
from cogs.utils.errors import ClockOffset, KontextTree
from cogs.utils.i18n import CommandTranslator
from cogs.utils.personal import direct_delivery
from kontext.api.callbacks import CallbackHub, callback_urls
from kontext.api.client import KontextClient, RetryPolicy
from kontext.collector import CollectionSchedule
from kontext.config import ConfigError, Settings
from kontext.env_values import SQLITE_PREFIX, redact_url
from kontext.images.linkguard import AddressGuard, LinkChecker
from kontext.jobs.admission import AdmissionService, RequestDefaults
from kontext.jobs.history import HistoryService
from kontext.jobs.service import JobService, JobSettings
from kontext.loopwatch import LoopWatch
from kontext.metrics import Metrics
from kontext.models import Job
from kontext.polling.policy import PollSchedule
from kontext.process import ShutdownWatchdog, StartupError, network_reason
from kontext.quotas.service import QuotaService
from kontext.simulator.server import SimulatedApi
from kontext.storage import open_storage
from kontext.storage.base import Storage
from kontext.storage.outages import database_unavailable, within
from kontext.web import CallbackServer, HealthServer, Listener

log = logging.getLogger("kontext.bot")

EXTENSIONS: tuple[str, ...] = (
    "cogs.generate",
    "cogs.mentions",
    "cogs.quota",
    "cogs.admin",
    "cogs.help",
    "cogs.history",
)
_COMMANDS_HASH_KEY = "commands_hash"

SHUTDOWN_GRACE = 5.0  # seconds a submit already on the wire gets to land at SIGTERM, so its job stays resumable
# Hosts kill a process some seconds after SIGTERM (Docker and systemd by default after 10 s, Heroku after 30 s):
# everything, the drain included, is over by then, whatever discord.py is doing.
SHUTDOWN_DEADLINE = 9.0
DATABASE_CLOSE_TIMEOUT = 1.0
_STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)
PORTAL = "https://discord.com/developers/applications"
# Each privileged intent the bot may ask for: its attribute on discord.Intents, its name in the developer portal
# (your application → Bot → Privileged Gateway Intents) and the setting that asks for it, if one does.
_PRIVILEGED_INTENTS: tuple[tuple[str, str, str | None], ...] = (
    ("presences", "Presence Intent", None),
    ("members", "Server Members Intent", None),
    ("message_content", "Message Content Intent", "MESSAGE_CONTENT_INTENT"),
)


class ExtensionLoadError(RuntimeError):
    """A cog failed to load: the bot refuses to start half-built."""


def skip_own_messages(state: ConnectionState) -> None:
    """Drop the gateway's echoes of the bot's own messages before discord.py builds a Message for each.

    Every acknowledgement comes back as MESSAGE_CREATE and every edit as MESSAGE_UPDATE (each progress step, each
    result): a full Message to build, and three listener tasks to start, that return at once on a bot author. Nothing
    here reads them (no message cache, no edit listeners); a message whose view discord.py tracks is still parsed, as
    its components refresh the view.
    """
    views = state._view_store

    def tracked(data: dict[str, Any]) -> bool:
        if "components" not in data:
            return False
        interaction = data.get("interaction_metadata") or data.get("interaction") or {}
        ids = (data.get("id"), interaction.get("id"))
        return any(views.is_message_tracked(int(i)) for i in ids if i)

    for event in ("MESSAGE_CREATE", "MESSAGE_UPDATE"):
        parse = state.parsers[event]

        def parse_unless_own(data: dict[str, Any], parse: Any = parse) -> None:
            user, author = state.user, data.get("author")
            if user is not None and author and author.get("id") == str(user.id) and not tracked(data):
                return
            parse(data)

        state.parsers[event] = parse_unless_own


class KontextBot(commands.AutoShardedBot):
    """The Discord bot: owns the services the cogs use."""

    settings: Settings
    session: aiohttp.ClientSession
    links: LinkChecker  # users' links are looked at only through this guarded session, never through `session`
    storage: Storage
    api: KontextClient
    jobs: JobService
    quotas: QuotaService
    admission: AdmissionService
    history: HistoryService
    metrics: Metrics
    loop_watch: LoopWatch  # the event loop's lateness and the garbage collector's pauses, into `metrics`
    clock_offset: ClockOffset  # how far this host's clock runs ahead of Discord's, for Discord's 3 seconds
    callbacks: CallbackHub | None  # set in callback mode
    web: HealthServer | None  # /healthz and /metrics, when WEB_PORT (or PORT) is set; private by default
    callback_server: CallbackServer | None  # /callback/... only; in callback mode
    # The first connection to the gateway at start-up: this many tries, this far apart, then one line and exit.
    gateway_attempts: int = 6
    gateway_retry_delay: float = 5.0  # discord.py's own pause

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
        links: LinkChecker | None = None,
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
        skip_own_messages(self._connection)
        self.settings = settings
        self.session = session
        self.clock_offset = ClockOffset()
        self.links = links or LinkChecker()
        self.storage = storage
        self.api = api
        self.jobs = jobs
        self.quotas = quotas
        self.admission = AdmissionService(jobs, quotas, RequestDefaults.from_settings(settings))
        self.history = HistoryService(storage)
        self._resumed = False
        self.simulator = simulator
        self.metrics = metrics or Metrics()
        self.metrics.watch_jobs(queued=lambda: jobs.queued, running=lambda: jobs.running)
        # Full garbage collections between bursts, not in the middle of one (kontext.collector).
        self.loop_watch = LoopWatch(self.metrics, schedule=CollectionSchedule())
        self.callbacks = callbacks
        self.identify_spacing = identify_spacing
        self.callback_server = (
            None
            if callbacks is None or settings.callback_listener_port is None
            else CallbackServer(
                host=settings.callback_host,
                port=settings.callback_listener_port,
                hub=callbacks,
                callback_secret=settings.callback_secret,
                metrics=self.metrics,
            )
        )
        self.web = (
            None
            if settings.health_port is None
            else HealthServer(
                host=settings.web_host,
                port=settings.health_port,
                storage=storage,
                metrics=self.metrics,
                gateway_ok=self.gateway_connected,
                callbacks_enabled=self.callback_server is not None,
            )
        )

    def dispatch(self, event_name: str, /, *args: Any, **kwargs: Any) -> None:
        if event_name == "interaction":
            # Counted from the moment discord.py has it: its first answer goes before the jobs' background steps
            # whenever the loop falls behind (kontext.jobs.foreground), until answered or past Discord's 3 seconds.
            interaction: discord.Interaction[Any] = args[0]
            self.jobs.foreground.begin(interaction.id, interaction.response.is_done)
        super().dispatch(event_name, *args, **kwargs)

    # The result buttons start jobs through the bot: the delivery that shows them is what starts jobs, so importing
    # it from the buttons' module would close an import cycle.
    start_from_interaction = staticmethod(start_from_interaction)

    def gateway_connected(self) -> bool:
        """For /healthz: every shard of this process is connected and the bot is ready."""
        if self.is_closed() or not self.is_ready():
            return False
        return all(not shard.is_closed() for shard in self.shards.values())

    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        # Discord starts one session per 5 s (max_concurrency 1): discord.py's own spacing, shorter only in tests.
        if not initial and self.identify_spacing > 0:
            await asyncio.sleep(self.identify_spacing)

    async def launch_shard(self, gateway: yarl.URL, shard_id: int, *, initial: bool = False) -> None:
        """Connect a shard at start-up; after a few failed tries, one line and exit (discord.py: forever, loudly)."""
        # discord.py keeps its shards and their event queue private; should that change, let it connect its way.
        shards = getattr(self, "_AutoShardedClient__shards", None)
        queue = getattr(self, "_AutoShardedClient__queue", None)
        if shards is None or queue is None:
            return await super().launch_shard(gateway, shard_id, initial=initial)
        for attempt in range(1, self.gateway_attempts + 1):
            try:
                coro = DiscordWebSocket.from_client(self, initial=initial, gateway=gateway, shard_id=shard_id)
                ws = await asyncio.wait_for(coro, timeout=self.shard_connect_timeout)
            except Exception as error:
                reason = network_reason(error)
                where = f"{gateway.host}:{gateway.port}"
                if attempt == self.gateway_attempts:
                    raise StartupError(
                        f"cannot reach Discord's gateway at {where} ({reason}) after {attempt} tries: "
                        "check the network, DNS and firewall"
                    ) from error
                log.warning(
                    "shard %s cannot connect to Discord's gateway at %s (%s); trying again in %.0f s",
                    shard_id,
                    where,
                    reason,
                    self.gateway_retry_delay,
                )
                await asyncio.sleep(self.gateway_retry_delay)
            else:
                shards[shard_id] = shard = Shard(ws, self, queue.put_nowait)
                shard.launch()
                return

    async def setup_hook(self) -> None:
        # Up before the gateway: /healthz answers 503 until Discord is connected, callbacks land from the start.
        await _listen(self.web, "WEB_HOST and WEB_PORT")
        await _listen(self.callback_server, "CALLBACK_HOST and CALLBACK_PORT")
        # Result buttons carry their job id in the custom_id, so they work on results of earlier processes too.
        self.add_dynamic_items(*DYNAMIC_ITEMS)
        # Command names, descriptions and choices in each user's language, from cogs/locales/ (sent at each sync).
        await self.tree.set_translator(CommandTranslator())
        for extension in EXTENSIONS:
            try:
                await self.load_extension(extension)
            except commands.ExtensionError as error:
                raise ExtensionLoadError(f"could not load {extension}: {error}") from error
        await self.sync_commands_if_needed()
        # Last, so that the collector's schedule freezes all that start-up made (commands, catalogues, cogs).
        self.loop_watch.start()  # the event loop's lateness and the collector's pauses, in /metrics

    async def sync_commands_if_needed(self) -> None:
        """Sync to DEV_GUILD_ID at every start; globally only when the command set changed (rate limits)."""
        if self.settings.dev_guild_id:
            guild = discord.Object(self.settings.dev_guild_id)
            self.tree.copy_global_to(guild=guild)
            synced = await self.tree.sync(guild=guild)
            log.info("synced %d commands to the development guild %s", len(synced), guild.id)
            return
        # What a sync would send, localisations included: a changed translation is a changed command set.
        translator = self.tree.translator
        commands_ = self.tree.get_commands()
        payload = [
            await command.get_translated_payload(self.tree, translator) if translator else command.to_dict(self.tree)
            for command in commands_
        ]
        digest = hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()
        if await self.storage.get_meta(_COMMANDS_HASH_KEY) == digest:
            log.info("slash commands unchanged since the last sync")
            return
        synced = await self.tree.sync()
        await self.storage.set_meta(_COMMANDS_HASH_KEY, digest)
        log.info("synced %d global commands (they may take a few minutes to appear everywhere)", len(synced))

    async def on_ready(self) -> None:
        log.info("connected as %s in %d servers", self.user, len(self.guilds))
        if not self._resumed and not self.is_closed():  # ready only after SIGTERM came: nothing to resume
            # Once per process: unfinished jobs of our shards no live process holds continue where they were; from
            # then on the lease keeper renews our jobs' leases and takes over jobs whose process stopped.
            self._resumed = True
            try:
                settled = await self.jobs.settle_orphans()
                resumed = await self.jobs.resume(self.delivery_for, owns=self.takes_over)
                log.info("resumed %d unfinished jobs; settled %d orphaned reservations", resumed, settled)
            except Exception as error:
                log.warning("could not resume jobs yet (%s); the lease sweep tries again", error)
            self.jobs.keep(self.delivery_for, owns=self.takes_over)

    def takes_over(self, job: Job) -> bool:
        """Whether this process may take up an unfinished job no live process holds (TAKEOVER_ANY_SHARD: any)."""
        return self.settings.takeover_any_shard or self.owns_job(job)

    def owns_job(self, job: Job) -> bool:
        """Whether this process runs the shard of the job's guild (direct messages live on shard 0)."""
        shard_ids = self.shard_ids
        if shard_ids is None or not self.shard_count:
            return True
        shard = (job.guild_id >> 22) % self.shard_count if job.guild_id else 0
        return shard in shard_ids

    def delivery_for(self, job: Job) -> PlaceholderDelivery:
        """How a resumed job reaches its placeholder: with the bot's own token (interaction tokens die).

        A personal job (no server's rules: DMs, group DMs, user installs) is somewhere that token may not reach: its
        result goes by DM.
        """
        if job.guild_id is None:
            return direct_delivery(self, job)
        guild = self.get_guild(job.guild_id)
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
        for listener in (self.web, self.callback_server):
            if listener is not None:
                await listener.close()
        await self.loop_watch.stop()
        await super().close()
        try:
            # A database gone silent never answers the goodbye of its connections: don't wait for it.
            await within(self.storage.close(), DATABASE_CLOSE_TIMEOUT)
        except TimeoutError:
            log.warning("the database did not answer within %.0f s while closing; leaving it", DATABASE_CLOSE_TIMEOUT)
        if self.simulator is not None:
            await self.simulator.close()
        await self.links.close()
        await self.session.close()


async def _listen(listener: Listener | None, settings_names: str) -> None:
    """Start a listener, if there is one; say which settings to check when its address is taken."""
    if listener is None:
        return
    try:
        await listener.start()
    except OSError as error:
        raise StartupError(
            f"cannot listen on {listener.host}:{listener.port} ({network_reason(error)}): check {settings_names}"
        ) from error


def job_settings(settings: Settings) -> JobSettings:
    """The job flow's knobs from the process settings."""
    return JobSettings(
        poll=PollSchedule(settings.poll_first_delay, settings.poll_interval, settings.poll_timeout),
        poll_strategy=settings.poll_strategy,
        poll_budget=settings.poll_budget,
        progress_interval=settings.progress_edit_interval,
        max_tasks_in_flight=settings.max_tasks_in_flight,
        api_concurrency=settings.api_concurrency,
        shared_budget=not settings.database_url.startswith(SQLITE_PREFIX),  # PostgreSQL: other processes may share it
        max_status_concurrency=settings.max_status_concurrency,
        max_result_bytes=settings.max_result_bytes,
        callback_grace=settings.callback_grace,
        storage_retry_limit=settings.database_retry_limit,
        lease=settings.job_lease,
        sweep_interval=settings.lease_sweep_interval,
    )


async def create_bot(
    settings: Settings,
    *,
    retry: RetryPolicy | None = None,
    simulator: SimulatedApi | None = None,
    link_allow: Iterable[tuple[str, int]] = (),
    **options: Any,
) -> KontextBot:
    """Build the services in order and hand them to the bot (discord.py's advanced start-up pattern).

    `retry` and `simulator` let tests shrink the client's backoff and the simulated generation time; `link_allow`
    lets tests' local servers through the link guard (production: none); `options` go to the discord.py client.
    """
    if settings.discord_rest_base is not None:
        # Every REST call (bot token, interaction callbacks, webhooks) goes through the shared rate-limit proxy.
        discord.http.Route.BASE = settings.discord_rest_base
        log.info("Discord REST goes through %s", redact_url(settings.discord_rest_base))
    simulator = (simulator or SimulatedApi()) if settings.simulate else None
    session = aiohttp.ClientSession()
    storage: Storage | None = None
    try:
        storage = open_storage(settings.database_url, timeout=settings.database_timeout)
        try:
            await storage.open()
        except Exception as error:
            startup_error = database_unavailable(settings.database_url, error)
            if startup_error is None:
                raise
            log.debug("the database could not be opened", exc_info=error)
            raise startup_error from error
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
            callback_url=callback_urls(settings.callback_base_url, settings.callback_secret),
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
        links=LinkChecker(AddressGuard(link_allow)),
        **options,
    )


async def run(
    settings: Settings, *, shutdown_grace: float = SHUTDOWN_GRACE, shutdown_deadline: float = SHUTDOWN_DEADLINE
) -> None:
    """Run until Discord closes us or the host sends SIGTERM/SIGINT (a deploy), then stop within shutdown_deadline."""
    bot = await create_bot(settings)
    async with bot:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in _STOP_SIGNALS:
            loop.add_signal_handler(sig, stop.set)
        running = asyncio.create_task(bot.start(settings.discord_token))
        stopping = asyncio.create_task(stop.wait())
        done, _ = await asyncio.wait({running, stopping}, return_when=asyncio.FIRST_COMPLETED)
        if stopping not in done:
            stopping.cancel()
            raise_startup_error(running, bot.intents)
            return
        watchdog = ShutdownWatchdog(shutdown_deadline)
        watchdog.start()
        for sig in _STOP_SIGNALS:  # asked twice: no more waiting
            loop.add_signal_handler(sig, watchdog.fire, f"{signal.Signals(sig).name} received twice")
        await stop_in_time(bot, running, grace=shutdown_grace, deadline=shutdown_deadline - 1)
    # The watchdog stays armed (a daemon thread) through asyncio.run's own teardown, which can hang too.


async def stop_in_time(bot: KontextBot, running: asyncio.Task[None], *, grace: float, deadline: float) -> None:
    """Drain and close the bot, then stop discord.py wherever it is: asleep before a reconnect, or connecting."""
    try:
        await asyncio.wait_for(bot.shutdown(grace), deadline)
    except TimeoutError:
        log.warning("closing took more than %.0f s; stopping anyway", deadline)
    # After a long outage discord.py sleeps minutes between reconnects, deaf to close(): cancel it.
    running.cancel()
    await asyncio.gather(running, return_exceptions=True)


def raise_startup_error(running: asyncio.Task[None], intents: discord.Intents) -> None:
    """Re-raise how bot.start() ended, as one clear line when Discord would not let the bot in."""
    error = running.exception()
    if error is None or isinstance(error, StartupError):
        running.result()
        return
    startup_error = discord_unavailable(error, intents)
    if startup_error is None:
        running.result()
    log.debug("Discord did not let the bot in", exc_info=error)
    raise startup_error from error


def discord_unavailable(error: BaseException, intents: discord.Intents) -> StartupError | None:
    """One line for Discord refusing or not answering the bot, or None when the error looks like a bug of ours."""
    if isinstance(error, discord.LoginFailure) or (isinstance(error, discord.ConnectionClosed) and error.code == 4004):
        return StartupError(
            f"Discord refused DISCORD_TOKEN: check the token in .env ({PORTAL} → your application → Bot → Reset Token)"
        )
    if isinstance(error, discord.PrivilegedIntentsRequired):
        return StartupError(privileged_intents_refused(intents))
    if isinstance(error, discord.ConnectionClosed):
        return StartupError(f"Discord closed the gateway connection with code {error.code} ({error.reason or '-'})")
    if isinstance(error, discord.DiscordServerError):
        return StartupError(f"Discord answered {error.status} at start-up (an outage?): try again later")
    if isinstance(error, discord.GatewayNotFound):
        return StartupError("Discord's gateway could not be found (an outage?): try again later")
    if isinstance(error, aiohttp.ClientConnectionError):  # refused, reset, timed out, unknown host
        host, port = getattr(error, "host", None), getattr(error, "port", None)
        where = f"{host}:{port}" if host else urlsplit(discord.http.Route.BASE).netloc
        reason = network_reason(error)
        return StartupError(f"cannot reach Discord at {where} ({reason}): check the network, DNS and firewall")
    return None


def privileged_intents_refused(intents: discord.Intents) -> str:
    """Which privileged intents this bot asked for and where the owner switches them on."""
    asked = [(portal, setting) for attr, portal, setting in _PRIVILEGED_INTENTS if getattr(intents, attr)]
    if not asked:
        return "Discord refused the gateway intents (close code 4014), although this bot asks for no privileged one"
    names = " and ".join(portal for portal, _ in asked)
    them = "them" if len(asked) > 1 else "it"
    line = (
        f"Discord refused the privileged intent{'s' if len(asked) > 1 else ''} this bot asks for: {names}. "
        f"Switch {them} on at {PORTAL} → your application → Bot → Privileged Gateway Intents "
        "(a bot in 100 or more servers needs Discord's approval)"
    )
    settings = [f"{setting}=false" for _, setting in asked if setting]
    if settings:
        line += f", or set {' and '.join(settings)}"
    return line


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
        asyncio.run(run(settings, shutdown_grace=SHUTDOWN_GRACE, shutdown_deadline=SHUTDOWN_DEADLINE))
    except KeyboardInterrupt:
        pass
    except StartupError as error:
        log.error("cannot start: %s", error)
        sys.exit(2)


if __name__ == "__main__":
    main()
