"""One benchmark run: fake Discord and fake API here, the real bot in its own process, a burst, and what it cost."""

from __future__ import annotations

import asyncio
import collections
import contextlib
import io
import logging
import os
import signal
import socket
import statistics
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import psutil
from PIL import Image

from bench.fake_api import BenchApi
from bench.workload import JobSpec, burst, describe
from tests.fakes.discord import FakeDiscord, FakeInteraction

log = logging.getLogger(__name__)

REPO = Path(__file__).resolve().parent.parent
TOKEN = "bench-discord-token"
_READY_LINE = b"connected as"
_START_TIMEOUT = 60.0
_STOP_TIMEOUT = 20.0
_FAILURE_TITLE = "Couldn't make this image"
# Every variable the bot reads, so that nothing comes from a developer's .env (bot.main() loads it, without
# overriding what is set): empty means the default.
_BOT_VARIABLES = (
    "DEV_GUILD_ID OWNER_IDS MESSAGE_CONTENT_INTENT DEFAULT_MODE DEFAULT_ASPECT_RATIO DEFAULT_FORMAT ENABLE_TRANSLATION "
    "UPLOAD_CN API_REQUEST_TIMEOUT MAX_RESULT_BYTES PRICE_PRO_USD PRICE_MAX_USD GLOBAL_DAILY_BUDGET_USD WEB_PORT PORT "
    "WEB_HOST CALLBACK_BASE_URL CALLBACK_SECRET CALLBACK_GRACE SHARD_COUNT SHARD_IDS"
).split()


@dataclass(frozen=True, slots=True)
class RunConfig:
    """What one run sends and how the bot is set up."""

    label: str
    strategy: str  # adaptive | fixed
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
    callback: bool = False  # the API calls the bot back (CALLBACK_BASE_URL) instead of being polled


def _quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def _summary(values: list[float], scale: float = 1.0, digits: int = 3) -> dict[str, float]:
    if not values:
        return {"p50": float("nan"), "p90": float("nan"), "p99": float("nan"), "max": float("nan")}
    return {
        "p50": round(_quantile(values, 0.5) * scale, digits),
        "p90": round(_quantile(values, 0.9) * scale, digits),
        "p99": round(_quantile(values, 0.99) * scale, digits),
        "max": round(max(values) * scale, digits),
        "mean": round(statistics.fmean(values) * scale, digits),
    }


def _png(width: int, height: int) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (40, 90, 160)).save(buffer, "PNG")
    return buffer.getvalue()


async def _sample_cpu(child: psutil.Process, began: float, into: list[tuple[float, float, float]]) -> None:
    """Every second, the share of one core the bot process, and this process (the fakes), used in it."""
    loop = asyncio.get_running_loop()
    last, mine, then = sum(child.cpu_times()[:2]), time.process_time(), loop.time()
    while True:
        await asyncio.sleep(1.0)
        used, own, now = sum(child.cpu_times()[:2]), time.process_time(), loop.time()
        span = now - then
        into.append((round(now - began, 1), round((used - last) / span, 3), round((own - mine) / span, 3)))
        last, mine, then = used, own, now


def _peak_rss_mb(pid: int) -> float | None:
    """The process's peak resident set (VmHWM) in MB, from /proc; None where there is no /proc."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


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
            "MAX_STATUS_CONCURRENCY": str(config.status_concurrency),
            "DEFAULT_DAILY_USER_LIMIT": "1000000",
            "DEFAULT_MAX_CONCURRENT_PER_USER": "100000",
        }
    )
    if config.profile:
        env["BENCH_PROFILE"] = config.profile
    if config.callback:
        port = _free_port()
        env.update(
            {
                "WEB_HOST": "127.0.0.1",
                "WEB_PORT": str(port),
                "CALLBACK_BASE_URL": f"http://127.0.0.1:{port}",
                "CALLBACK_SECRET": "bench-callback-secret-0123456789",
            }
        )
    return env


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class _Outcomes:
    """Reads the fake Discord's request log as it grows: which job got its image (or its failure) when."""

    def __init__(self, fake: FakeDiscord, tokens: dict[str, int], start: int) -> None:
        self._fake = fake
        self._tokens = tokens
        self._next = start
        self.delivered: dict[int, float] = {}  # job index -> time the upload reached the fake
        self.failed: dict[int, str] = {}

    def scan(self) -> None:
        requests = self._fake.requests
        while self._next < len(requests):
            rec = requests[self._next]
            self._next += 1
            if rec.method != "PATCH" or not rec.path.endswith("/messages/@original") or rec.status != 200:
                continue
            index = self._tokens.get(rec.path.split("/")[3])
            if index is None or index in self.delivered or index in self.failed:
                continue
            payload = rec.json if isinstance(rec.json, dict) else {}
            titles = [embed.get("title") for embed in payload.get("embeds") or []]
            if rec.files:
                self.delivered[index] = rec.time
            elif _FAILURE_TITLE in titles:
                self.failed[index] = (payload.get("embeds") or [{}])[0].get("description", "")[:200]

    def settled(self, jobs: int) -> bool:
        return len(self.delivered) + len(self.failed) >= jobs


async def run_once(config: RunConfig) -> dict[str, Any]:
    """Run one burst against a fresh bot process, fake Discord and fake API; return its measurements."""
    specs = burst(jobs=config.jobs, seconds=config.seconds, users=config.users, guilds=config.guilds, seed=config.seed)
    timings = {spec.prompt: (spec.pending * config.time_scale, spec.total * config.time_scale) for spec in specs}
    fake = FakeDiscord(rate_limits=True)
    fake.bot_token = TOKEN
    api = BenchApi(timings, latency=config.api_latency)
    workdir = Path(tempfile.mkdtemp(prefix="kontext-bench-"))
    log_dir = Path(config.log_dir) if config.log_dir else workdir
    log_dir.mkdir(parents=True, exist_ok=True)
    bot: _BotProcess | None = None
    await fake.start()
    await api.start()
    try:
        guilds = [fake.add_guild(name=f"Server {g + 1}") for g in range(config.guilds)]
        users = [fake.add_member(guilds[u % config.guilds], name=f"user{u + 1}")["user"] for u in range(config.users)]
        photos = [fake.add_attachment(_png(768, 512), f"photo-{i}.png", "image/png") for i in range(8)]
        env = _bot_env(config, fake.base_url, api.base_url, f"sqlite:///{workdir / 'bench.db'}")
        bot = _BotProcess(env, log_dir / f"bot-{config.label.replace(' ', '-')}.log")
        await bot.start()
        await fake.wait_ready(30)
        child = psutil.Process(bot.pid)
        first_request = len(fake.requests)
        cpu_before = child.cpu_times()
        threads_before = {thread.id: thread.user_time + thread.system_time for thread in child.threads()}
        bench_cpu_before = time.process_time()

        interactions: dict[int, FakeInteraction] = {}
        tokens: dict[str, int] = {}
        outcomes = _Outcomes(fake, tokens, first_request)
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

        loop = asyncio.get_running_loop()
        began = loop.time()
        busy: list[tuple[float, float, float]] = []  # (seconds into the run, bot's share of a core, the fakes')
        sampler = asyncio.create_task(_sample_cpu(child, began, busy))
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
        sampler.cancel()
        await asyncio.sleep(0.5)  # let the last database writes land before reading the CPU clock
        cpu_after = child.cpu_times()
        bench_cpu = time.process_time() - bench_cpu_before
        threads = {thread.id: thread.user_time + thread.system_time for thread in child.threads()}
        peak_rss = _peak_rss_mb(bot.pid)
        if peak_rss is None:
            peak_rss = child.memory_info().rss / 2**20

        result = _measure(config, specs, fake, api, interactions, outcomes, first_request)
        cpu_seconds = (cpu_after.user - cpu_before.user) + (cpu_after.system - cpu_before.system)
        result.update(
            {
                "bot_cpu_ms_per_job": round(1000 * cpu_seconds / max(1, len(specs)), 3),
                "bot_cpu_seconds": round(cpu_seconds, 3),
                # the event loop's thread (the process id) against SQLite's and the others
                "bot_cpu_seconds_by_thread": {
                    "event loop" if tid == bot.pid else str(tid): round(total - threads_before.get(tid, 0.0), 3)
                    for tid, total in sorted(threads.items(), key=lambda item: -item[1])
                    if total - threads_before.get(tid, 0.0) >= 0.05
                },
                "bot_peak_rss_mb": round(peak_rss, 1),
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
        if bot is not None:
            await bot.stop()
        await api.close()
        await fake.close()
        _remove_database(workdir)


def _remove_database(workdir: Path) -> None:
    for path in workdir.glob("bench.db*"):
        path.unlink(missing_ok=True)
    with contextlib.suppress(OSError):
        workdir.rmdir()


def _measure(
    config: RunConfig,
    specs: list[JobSpec],
    fake: FakeDiscord,
    api: BenchApi,
    interactions: dict[int, FakeInteraction],
    outcomes: _Outcomes,
    first_request: int,
) -> dict[str, Any]:
    """Latency, lag, and request counts of a finished run."""
    answered = sorted((inter.created, inter.responses[0]["time"]) for inter in interactions.values() if inter.responses)
    first_response = [responded - created for created, responded in answered]
    origin = answered[0][0] if answered else 0.0
    tasks = {task.input["prompt"]: task for task in api.tasks.values()}
    lags: list[float] = []
    caught: list[float] = []  # finish -> the poll that found it done
    handled: list[float] = []  # that poll -> the upload at Discord (download, database, upload)
    for index, received in outcomes.delivered.items():
        task = tasks.get(specs[index].prompt)
        if task is not None:
            lags.append(received - api.finished_at(task))
            seen = api.seen_done.get(task.task_id)
            if seen is not None:
                caught.append(seen - api.finished_at(task))
                handled.append(received - seen)
    polls = [api.polls.get(task.task_id, 0) for task in tasks.values()]
    requests = fake.requests[first_request:]
    jobs = max(1, len(specs))
    kinds = {
        "callbacks": sum(r.path.endswith("/callback") for r in requests),
        "webhook_edits": sum(r.path.startswith("/webhooks/") and r.method == "PATCH" for r in requests),
        "channel": sum(r.path.startswith("/channels/") for r in requests),
    }
    kinds["other"] = len(requests) - sum(kinds.values())
    return {
        "label": config.label,
        "config": asdict(config),
        "generation": describe(specs, config.time_scale),
        "jobs": len(specs),
        "sent": len(interactions),
        "answered": len(first_response),
        "delivered": len(outcomes.delivered),
        "failed": len(outcomes.failed),
        "failures": list(outcomes.failed.values())[:5],
        "first_response_ms": _summary(first_response, 1000, 1),
        "delivery_lag_s": _summary(lags),
        "delivery_lag_parts_s": {"poll_caught_it": _summary(caught), "download_to_upload": _summary(handled)},
        "status_per_job": round(sum(polls) / jobs, 3),
        "status_per_job_p50": _quantile([float(p) for p in polls], 0.5) if polls else None,
        "status_per_job_max": max(polls, default=0),
        "status_in_flight_max": api.most_in_flight,
        "status_per_second_max": max(collections.Counter(int(t - origin) for t in api.poll_times).values(), default=0),
        "discord_requests_per_job": round(len(requests) / jobs, 3),
        "discord_requests": kinds,
        "discord_429": sum(r.status == 429 for r in fake.requests),
        "input_fetches": api.input_fetches,
        "input_fetch_failures": api.input_failures,
        "lags": [round(lag, 4) for lag in sorted(lags)],
        # (seconds into the burst, first-response latency in ms) of each job, to see when the slow ones happen
        "first_response_series": [
            (round(created - origin, 3), round(1000 * (responded - created), 1)) for created, responded in answered
        ],
    }
