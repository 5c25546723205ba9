"""One benchmark run: fake Discord and fake API here, the real bot in its own process, a burst, and what it cost."""

from __future__ import annotations

import asyncio
import contextlib
import io
import logging
import os
import signal
import socket
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import psutil
from PIL import Image

from bench import sampling
from bench.fake_api import BenchApi
from bench.measure import Outcomes, measure, peak_rss_mb, sample_cpu
from bench.stalls import pauses
from bench.workload import JobSpec, burst
from kontext.storage import open_storage
from tests.fakes.discord import FakeDiscord, FakeInteraction

log = logging.getLogger(__name__)

REPO = Path(__file__).resolve().parent.parent
TOKEN = "bench-discord-token"
_READY_LINE = b"connected as"
_START_TIMEOUT = 60.0
_STOP_TIMEOUT = 20.0
# Every variable the bot reads, so that nothing comes from a developer's .env (bot.main() loads it, without
# overriding what is set): empty means the default.
_BOT_VARIABLES = (
    "DEV_GUILD_ID OWNER_IDS MESSAGE_CONTENT_INTENT DEFAULT_MODE DEFAULT_ASPECT_RATIO DEFAULT_FORMAT ENABLE_TRANSLATION "
    "UPLOAD_CN API_REQUEST_TIMEOUT MAX_RESULT_BYTES PRICE_PRO_USD PRICE_MAX_USD GLOBAL_DAILY_BUDGET_USD WEB_PORT PORT "
    "WEB_HOST CALLBACK_BASE_URL CALLBACK_PORT CALLBACK_HOST CALLBACK_SECRET CALLBACK_GRACE SHARD_COUNT SHARD_IDS"
).split()


@dataclass(frozen=True, slots=True)
class RunConfig:
    """What one run sends and how the bot is set up."""

    label: str
    strategy: str  # adaptive | fixed
    workload: str = "standard"  # a shape in bench.workload.WORKLOADS
    budget: int = 20
    jobs: int = 1000
    seconds: float = 10.0
    users: int = 100
    guilds: int = 20
    time_scale: float = 1.0  # generation times are multiplied by this (--quick shortens them)
    seed: int = 7
    api_latency: float = 0.05
    status_concurrency: int = 20
    progress_interval: float = 3.0
    first_delay: float = 8.0
    interval: float = 3.0
    timeout: float = 120.0
    log_dir: str | None = None
    profile: str | None = None  # write a cProfile of the bot process here (slows it down: diagnosis only)
    sample: str | None = None  # write py-spy's samples of the bot process during the burst here (bench/sampling.py)
    callback: bool = False  # the API calls the bot back (CALLBACK_BASE_URL) instead of being polled
    # Results as new pinging messages, the servers' default. Off (/settings pings off): edited in place. A burst puts
    # some 50 results in each channel within seconds, and Discord lets a channel take about 5 messages per 5 s: with
    # pings the lag would measure that queue, not the poll schedule. `--pings` measures it.
    pings: bool = False


async def servers_pings(database_url: str, guild_ids: list[int], on: bool) -> None:
    """Each server's ping setting (as `/settings pings` stores it), written before the bot starts."""
    if on:
        return  # the default
    storage = open_storage(database_url)
    await storage.open()
    try:
        for guild_id in guild_ids:
            await storage.save_guild_settings(guild_id, {"ping_results": False})
    finally:
        await storage.close()


def _png(width: int, height: int) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (40, 90, 160)).save(buffer, "PNG")
    return buffer.getvalue()


class _BotProcess:
    """The bot's OS process: started with its settings in the environment, its output kept in a log file."""

    def __init__(self, env: dict[str, str], log_path: Path) -> None:
        self._env = env
        self.log_path = log_path
        self.ready = asyncio.Event()
        self.process: asyncio.subprocess.Process | None = None
        self._pump: asyncio.Task[None] | None = None
        self.lines = 0
        self.warnings = 0

    async def start(self) -> None:
        self.process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bench.bot_process",
            cwd=REPO,
            env=self._env,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )
        self._pump = asyncio.create_task(self._read_output())
        waiting = asyncio.create_task(self.ready.wait())
        exited = asyncio.create_task(self.process.wait())
        done, _ = await asyncio.wait({waiting, exited}, timeout=_START_TIMEOUT, return_when=asyncio.FIRST_COMPLETED)
        waiting.cancel()
        exited.cancel()
        if waiting not in done:
            await self.stop()
            raise RuntimeError(f"the bot did not become ready; see {self.log_path}")

    async def _read_output(self) -> None:
        assert self.process is not None and self.process.stdout is not None
        with self.log_path.open("wb") as sink:
            async for line in self.process.stdout:
                sink.write(line)
                self.lines += 1
                if b"WARNING" in line or b"ERROR" in line:
                    self.warnings += 1
                if _READY_LINE in line:
                    self.ready.set()

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    async def stop(self) -> None:
        """SIGTERM (the bot's own graceful shutdown), then SIGKILL if it does not end in time."""
        process = self.process
        if process is None:
            return
        if process.returncode is None:
            process.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(process.wait(), _STOP_TIMEOUT)
            except TimeoutError:
                process.kill()
                await process.wait()
        if self._pump is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._pump, 5)


def _bot_env(config: RunConfig, discord_url: str, api_url: str, database_url: str) -> dict[str, str]:
    env = {name: os.environ[name] for name in ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR") if name in os.environ}
    env.update({name: "" for name in _BOT_VARIABLES})
    env.update(
        {
            "PYTHONUNBUFFERED": "1",
            "BENCH_DISCORD_URL": discord_url,
            "DISCORD_TOKEN": TOKEN,
            "APIXO_API_KEY": "bench-api-key",
            "APIXO_BASE_URL": api_url,
            "DATABASE_URL": database_url,
            "LOG_LEVEL": "INFO",
            "POLL_STRATEGY": config.strategy,
            "POLL_BUDGET": str(config.budget),
            "POLL_FIRST_DELAY": str(config.first_delay),
            "POLL_INTERVAL": str(config.interval),
            "POLL_TIMEOUT": str(config.timeout),
            "PROGRESS_EDIT_INTERVAL": str(config.progress_interval),
            "MAX_TASKS_IN_FLIGHT": str(max(config.jobs, 1)),
            "API_CONCURRENCY": str(max(config.jobs, 1)),
            "MAX_STATUS_CONCURRENCY": str(config.status_concurrency),
            "DEFAULT_DAILY_USER_LIMIT": "1000000",
            "DEFAULT_MAX_CONCURRENT_PER_USER": "100000",
        }
    )
    # The private health and metrics listener: the run reads the event loop's lateness and the collector's pauses.
    env.update({"WEB_HOST": "127.0.0.1", "WEB_PORT": str(_free_port())})
    if config.profile:
        env["BENCH_PROFILE"] = config.profile
    if config.callback:
        port = _free_port()
        env.update(
            {
                "CALLBACK_HOST": "127.0.0.1",
                "CALLBACK_PORT": str(port),
                "CALLBACK_BASE_URL": f"http://127.0.0.1:{port}",
                "CALLBACK_SECRET": "bench-callback-secret-0123456789",
            }
        )
    return env


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def burst_of(config: RunConfig) -> list[JobSpec]:
    """The commands a run sends: its burst's shape, by the config's fields of the same names."""
    shape = ("jobs", "seconds", "users", "guilds", "seed", "workload")
    return burst(**{name: getattr(config, name) for name in shape})


async def run_once(config: RunConfig) -> dict[str, Any]:
    """Run one burst against a fresh bot process, fake Discord and fake API; return its measurements."""
    specs = burst_of(config)
    timings = {spec.prompt: (spec.pending * config.time_scale, spec.total * config.time_scale) for spec in specs}
    fake = FakeDiscord(rate_limits=True)
    fake.bot_token = TOKEN
    api = BenchApi(timings, latency=config.api_latency)
    workdir = Path(tempfile.mkdtemp(prefix="kontext-bench-"))
    log_dir = Path(config.log_dir) if config.log_dir else workdir
    log_dir.mkdir(parents=True, exist_ok=True)
    bot: _BotProcess | None = None
    sampler: asyncio.subprocess.Process | None = None
    await fake.start()
    await api.start()
    try:
        guilds = [fake.add_guild(name=f"Server {g + 1}") for g in range(config.guilds)]
        users = [fake.add_member(guilds[u % config.guilds], name=f"user{u + 1}")["user"] for u in range(config.users)]
        photos = [fake.add_attachment(_png(768, 512), f"photo-{i}.png", "image/png") for i in range(8)]
        database_url = f"sqlite:///{workdir / 'bench.db'}"
        await servers_pings(database_url, [guild.id for guild in guilds], config.pings)
        env = _bot_env(config, fake.base_url, api.base_url, database_url)
        bot = _BotProcess(env, log_dir / f"bot-{config.label.replace(' ', '-')}-{config.workload}.log")
        await bot.start()
        await fake.wait_ready(30)
        child = psutil.Process(bot.pid)
        first_request = len(fake.requests)
        cpu_before = child.cpu_times()
        threads_before = {thread.id: thread.user_time + thread.system_time for thread in child.threads()}
        bench_cpu_before = time.process_time()

        interactions: dict[int, FakeInteraction] = {}
        tokens: dict[str, int] = {}
        outcomes = Outcomes(fake, tokens, first_request)
        errors: list[str] = []

        async def send(spec: JobSpec) -> None:
            options: dict[str, Any] = {"prompt": spec.prompt, "mode": spec.mode}
            if spec.edit:
                options["image"] = photos[spec.index % len(photos)]
            try:
                inter = await fake.send_slash(
                    "edit" if spec.edit else "imagine", options, guild=guilds[spec.guild], user=users[spec.user]
                )
                interactions[spec.index] = inter
                tokens[inter.token] = spec.index
            except Exception as error:  # the run goes on; the job counts as lost
                errors.append(f"job {spec.index}: {error!r}")

        if config.sample:
            sampler = await sampling.start(bot.pid, Path(config.sample))
        loop = asyncio.get_running_loop()
        began = loop.time()
        busy: list[tuple[float, float, float]] = []  # (seconds into the run, bot's share of a core, the fakes')
        cpu_sampler = asyncio.create_task(sample_cpu(child, began, busy))
        senders: list[asyncio.Task[None]] = []
        in_flight_at_send: list[int] = []
        for spec in specs:
            delay = began + spec.at - loop.time()
            if delay > 0:
                await asyncio.sleep(delay)
            outcomes.scan()
            in_flight_at_send.append(len(interactions) - len(outcomes.delivered) - len(outcomes.failed))
            senders.append(asyncio.create_task(send(spec)))
        await asyncio.gather(*senders)
        burst_sent = loop.time() - began

        deadline = loop.time() + config.timeout + 30  # by then the bot has given up on anything unfinished
        while not outcomes.settled(len(interactions)) and loop.time() < deadline:
            await asyncio.sleep(0.25)
            outcomes.scan()
        finished_at = loop.time()
        cpu_sampler.cancel()
        await sampling.stop(sampler)
        await asyncio.sleep(0.5)  # let the last database writes land before reading the CPU clock
        cpu_after = child.cpu_times()
        bench_cpu = time.process_time() - bench_cpu_before
        threads = {thread.id: thread.user_time + thread.system_time for thread in child.threads()}
        peak_rss = peak_rss_mb(bot.pid)
        if peak_rss is None:
            peak_rss = child.memory_info().rss / 2**20

        try:
            stalls = await pauses(f"http://127.0.0.1:{env['WEB_PORT']}")
        except (OSError, aiohttp.ClientError, ValueError) as error:  # a figure missing, not a run lost
            log.warning("could not read the bot's /metrics: %s", error)
            stalls = {}
        result = measure(config, specs, fake, api, interactions, outcomes, first_request)
        cpu_seconds = (cpu_after.user - cpu_before.user) + (cpu_after.system - cpu_before.system)
        result.update(
            {
                "bot_cpu_ms_per_job": round(1000 * cpu_seconds / max(1, len(specs)), 3),
                "bot_cpu_seconds": round(cpu_seconds, 3),
                # the event loop's thread (the process id) against SQLite's and the others
                "bot_cpu_seconds_by_thread": {
                    _thread_name(bot.pid, tid): round(total - threads_before.get(tid, 0.0), 3)
                    for tid, total in sorted(threads.items(), key=lambda item: -item[1])
                    if total - threads_before.get(tid, 0.0) >= 0.05
                },
                "bot_peak_rss_mb": round(peak_rss, 1),
                "bot_stalls": stalls,
                "bot_cpu_busiest_second": max((bot for _, bot, _ in busy), default=0.0),
                "bench_cpu_busiest_second": max((fakes for _, _, fakes in busy), default=0.0),
                "bot_cpu_series": busy,
                "bench_cpu_seconds": round(bench_cpu, 3),
                "burst_sent_seconds": round(burst_sent, 3),
                "run_seconds": round(finished_at - began, 2),
                "jobs_in_flight_max": max(in_flight_at_send, default=0),
                "send_errors": errors[:10],
                "bot_log": str(bot.log_path),
                "bot_log_warnings": bot.warnings,
            }
        )
        return result
    finally:
        await sampling.stop(sampler)
        if bot is not None:
            await bot.stop()
        await api.close()
        await fake.close()
        _remove_database(workdir)


def _thread_name(pid: int, tid: int) -> str:
    """The main thread is "event loop"; another is its OS name (Python threads are all "python") and id."""
    if tid == pid:
        return "event loop"
    try:
        return f"{Path(f'/proc/{pid}/task/{tid}/comm').read_text().strip()} {tid}"
    except OSError:
        return str(tid)


def _remove_database(workdir: Path) -> None:
    for path in workdir.glob("bench.db*"):
        path.unlink(missing_ok=True)
    with contextlib.suppress(OSError):
        workdir.rmdir()
