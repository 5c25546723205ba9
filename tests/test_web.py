"""The bot's web server: /healthz and /metrics, on their own and in a running bot; shards split across processes."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import socket
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from prometheus_client.parser import text_string_to_metric_families

from bot import KontextBot, create_bot
from kontext.api.callbacks import callback_signature, callback_urls
from kontext.api.client import KontextClient, RetryPolicy
from kontext.api.errors import ApiTimeoutError, NotFoundError
from kontext.config import Settings
from kontext.metrics import Metrics, error_kind
from kontext.models import GenerationRequest, Job
from kontext.storage.base import Storage
from kontext.web import HealthServer
from tests import harness
from tests.fakes.apixo import FakeApixo
from tests.fakes.discord import FakeDiscord, FakeGuild
from tests.harness import FAST_RETRY, idle, image_of, stop_bot, world_for

SECRET = "test-callback-secret-0123456789"
METRIC_NAMES = (
    "kontext_jobs",
    "kontext_queue_depth",
    "kontext_jobs_running",
    "kontext_api_request_seconds",
    "kontext_api_errors",
    "kontext_delivery_lag_seconds",
    "kontext_jobs_started",
    "kontext_background_held",
    "kontext_jobs_delivered",
    "kontext_jobs_failed",
    "kontext_callbacks",
    "kontext_event_loop_lag_seconds",
    "kontext_gc_pause_seconds",
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def sample(text: str, name: str, **labels: str) -> float:
    """The value of one sample in Prometheus text, 0 when absent."""
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            if s.name == name and all(s.labels.get(k) == v for k, v in labels.items()):
                return s.value
    return 0.0


async def get(url: str) -> tuple[int, Any, str]:
    async with aiohttp.ClientSession() as session, session.get(url) as response:
        text = await response.text()
        body = await response.json() if response.content_type == "application/json" else None
        return response.status, body, text


class Gateway:
    connected = True

    def __call__(self) -> bool:
        return self.connected


@pytest.fixture
async def server(storage: Storage) -> AsyncIterator[HealthServer]:
    web = HealthServer(host="127.0.0.1", port=0, storage=storage, metrics=Metrics(), gateway_ok=Gateway())
    await web.start()
    try:
        yield web
    finally:
        await web.close()


# --- /healthz -------------------------------------------------------------------------------------------------


async def test_healthz_ok_when_gateway_and_database_answer(server: HealthServer) -> None:
    status, body, _ = await get(server.url + "/healthz")

    assert status == 200
    assert body == {"ok": True, "gateway": True, "database": True, "callbacks": False}


async def test_healthz_503_when_the_gateway_is_down(server: HealthServer) -> None:
    server.gateway_ok.connected = False  # type: ignore[attr-defined]

    status, body, _ = await get(server.url + "/healthz")

    assert status == 503 and body["gateway"] is False and body["database"] is True


async def test_healthz_503_when_the_database_is_closed(server: HealthServer, storage: Storage) -> None:
    await storage.close()

    status, body, _ = await get(server.url + "/healthz")

    assert status == 503 and body["database"] is False and body["gateway"] is True


async def test_healthz_503_when_the_gateway_check_raises(server: HealthServer) -> None:
    def broken() -> bool:
        raise RuntimeError("no shards yet")

    server.gateway_ok = broken

    status, body, _ = await get(server.url + "/healthz")

    assert status == 503 and body["gateway"] is False


async def test_health_server_serves_no_callbacks(server: HealthServer) -> None:
    async with aiohttp.ClientSession() as session:
        async with session.post(f"{server.url}/callback/job1/{callback_signature(SECRET, 'job1')}", json={}) as r:
            assert r.status == 404


# --- /metrics -------------------------------------------------------------------------------------------------


async def test_metrics_lists_every_metric(server: HealthServer) -> None:
    status, _, text = await get(server.url + "/metrics")

    assert status == 200
    names = {family.name for family in text_string_to_metric_families(text)}
    assert names >= set(METRIC_NAMES)
    assert sample(text, "kontext_jobs", state="queued") == 0


async def test_metrics_count_jobs_by_state_from_storage(server: HealthServer, storage: Storage) -> None:
    for n in range(3):
        await storage.insert_job(Job(id=f"job{n}", user_id=1, channel_id=2, request=GenerationRequest(prompt="x")))
    await storage.update_job("job0", state="delivered")

    _, _, text = await get(server.url + "/metrics")

    assert sample(text, "kontext_jobs", state="queued") == 2
    assert sample(text, "kontext_jobs", state="delivered") == 1


async def test_metrics_still_answer_when_the_database_does_not(server: HealthServer, storage: Storage) -> None:
    await storage.insert_job(Job(id="job0", user_id=1, channel_id=2, request=GenerationRequest(prompt="x")))
    await get(server.url + "/metrics")
    await storage.close()

    status, _, text = await get(server.url + "/metrics")

    assert status == 200 and sample(text, "kontext_jobs", state="queued") == 1  # the last known value


async def test_metrics_read_queue_depth_and_running_jobs_at_each_scrape(server: HealthServer) -> None:
    depth = {"queued": 0, "running": 0}
    server.metrics.watch_jobs(queued=lambda: depth["queued"], running=lambda: depth["running"])
    depth.update(queued=4, running=2)

    _, _, text = await get(server.url + "/metrics")

    assert sample(text, "kontext_queue_depth") == 4 and sample(text, "kontext_jobs_running") == 2


async def test_metrics_observe_api_calls_through_the_client_observer(server: HealthServer) -> None:
    metrics = server.metrics
    async with FakeApixo() as api, aiohttp.ClientSession() as session:
        client = KontextClient(
            session, "key", api.base_url, retry=RetryPolicy(attempts=2, base_delay=0.001), observer=metrics.observe_api
        )
        task_id = await client.submit(GenerationRequest(prompt="a fox"))
        api.fail_status(500)  # one failed attempt, then the retry succeeds
        await client.status(task_id)
        api.fail_status(404)
        with pytest.raises(NotFoundError):
            await client.status(task_id)

    _, _, text = await get(server.url + "/metrics")

    assert sample(text, "kontext_api_request_seconds_count", operation="submit") == 1
    assert sample(text, "kontext_api_request_seconds_count", operation="status") == 3
    assert sample(text, "kontext_api_errors_total", operation="status", kind="http_500") == 1
    assert sample(text, "kontext_api_errors_total", operation="status", kind="http_404") == 1


async def test_metrics_a_broken_observer_never_breaks_a_request() -> None:
    def broken(operation: str, seconds: float, error: BaseException | None) -> None:
        raise RuntimeError("metrics down")

    async with FakeApixo() as api, aiohttp.ClientSession() as session:
        client = KontextClient(session, "key", api.base_url, observer=broken)
        assert await client.submit(GenerationRequest(prompt="a fox"))


def test_metrics_job_counters_and_delivery_lag() -> None:
    metrics = Metrics()
    metrics.job_started()
    metrics.job_started()
    metrics.job_delivered(lag=1.5)
    metrics.job_failed(ApiTimeoutError("slow"))
    metrics.job_failed(ValueError("bug"))

    text = metrics.render().decode()

    assert sample(text, "kontext_jobs_started_total") == 2
    assert sample(text, "kontext_jobs_delivered_total") == 1
    assert sample(text, "kontext_delivery_lag_seconds_count") == 1
    assert sample(text, "kontext_delivery_lag_seconds_sum") == 1.5
    assert sample(text, "kontext_jobs_failed_total", reason="timeout") == 1
    assert sample(text, "kontext_jobs_failed_total", reason="crash") == 1


def test_metrics_registries_are_per_process_object() -> None:
    first, second = Metrics(), Metrics()  # two bots in one test process must not collide
    first.job_started()

    assert sample(second.render().decode(), "kontext_jobs_started_total") == 0


def test_metrics_error_kinds_are_bounded() -> None:
    assert error_kind(NotFoundError(404)) == "http_404"
    assert error_kind(ApiTimeoutError("slow")) == "timeout"
    assert error_kind(RuntimeError("?")) == "other"


# --- the running bot ------------------------------------------------------------------------------------------


async def test_bot_serves_healthz_and_metrics_that_move_as_jobs_run(tmp_path: Path) -> None:
    thresholds = gc.get_threshold()
    async with world_for(tmp_path, env={"WEB_PORT": str(free_port()), "WEB_HOST": "127.0.0.1"}) as world:
        assert world.bot.web is not None
        url = world.bot.web.url
        status, body, _ = await get(url + "/healthz")
        assert status == 200 and body["gateway"] is True and body["database"] is True
        _, _, before = await get(url + "/metrics")

        await world.finished(await world.slash("imagine", {"prompt": "a measured cat"}))
        _, _, after = await get(url + "/metrics")

        assert sample(before, "kontext_jobs", state="delivered") == 0
        assert sample(after, "kontext_jobs", state="delivered") == 1
        assert sample(after, "kontext_api_request_seconds_count", operation="submit") == 1
        assert sample(after, "kontext_api_request_seconds_count", operation="status") >= 1
        assert sample(after, "kontext_api_request_seconds_count", operation="download") == 1
        # The loop's lateness and the collector's pauses are watched from the start.
        gc.collect()
        for _ in range(100):
            _, _, watched = await get(url + "/metrics")
            if sample(watched, "kontext_event_loop_lag_seconds_count") >= 1 and (
                sample(watched, "kontext_gc_pause_seconds_count", generation="2") >= 1
            ):
                break
            await asyncio.sleep(0.05)
        assert sample(watched, "kontext_event_loop_lag_seconds_count") >= 1
        assert sample(watched, "kontext_gc_pause_seconds_count", generation="2") >= 1
        watch = world.bot.loop_watch
        assert watch.schedule is not None and gc.get_threshold()[0] == watch.schedule.young, "full collections ours"

        await world.bot.storage.close()
        status, body, _ = await get(url + "/healthz")
        assert status == 503 and body["database"] is False
    assert world.bot.gateway_connected() is False
    assert not watch.running and watch._gc not in gc.callbacks, "a closed bot leaves no gc callback behind"
    assert gc.get_threshold() == thresholds and gc.get_freeze_count() == 0, "the collector given back"


async def test_bot_without_a_port_runs_no_web_server(tmp_path: Path) -> None:
    async with world_for(tmp_path) as world:
        assert world.bot.web is None


async def test_bot_in_callback_mode_keeps_health_and_metrics_off_the_public_listener(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    public, private = free_port(), free_port()
    env = {
        "CALLBACK_PORT": str(public),
        "CALLBACK_HOST": "127.0.0.1",
        "CALLBACK_BASE_URL": f"http://127.0.0.1:{public}",
        "CALLBACK_SECRET": SECRET,
        "WEB_PORT": str(private),
    }
    async with world_for(tmp_path, env=env) as world:
        assert world.bot.callbacks is not None and world.bot.callback_server is not None and world.bot.web is not None
        assert world.bot.web.host == "127.0.0.1", "health and metrics are private unless WEB_HOST says otherwise"
        signature = callback_signature(SECRET, "job1")
        configured = world.bot.settings
        assert (
            callback_urls(configured.callback_base_url, configured.callback_secret)("job1")
            == f"http://127.0.0.1:{public}/callback/job1/{signature}"
        )
        async with aiohttp.ClientSession() as session:
            async with session.post(f"http://127.0.0.1:{public}/callback/job1/{'0' * 32}", json={}) as response:
                assert response.status == 403
        for path in ("/healthz", "/metrics", "/", "/callback"):
            status, _, _ = await get(f"http://127.0.0.1:{public}{path}")
            assert status in (404, 405), f"{path} answered {status} on the public listener"
        status, body, _ = await get(f"http://127.0.0.1:{private}/healthz")
        assert status == 200 and body["callbacks"] is True
        status, _, text = await get(f"http://127.0.0.1:{private}/metrics")
        assert status == 200 and "kontext_callbacks_total" in text
    assert SECRET not in caplog.text and SECRET not in repr(world.bot.settings)
    assert SECRET not in repr(world.bot.web) and SECRET not in repr(world.bot.callback_server)


async def test_bot_in_callback_mode_without_a_web_port_serves_no_health_at_all(tmp_path: Path) -> None:
    public = free_port()
    env = {
        "CALLBACK_PORT": str(public),
        "CALLBACK_HOST": "127.0.0.1",
        "CALLBACK_BASE_URL": f"http://127.0.0.1:{public}",
        "CALLBACK_SECRET": SECRET,
    }
    async with world_for(tmp_path, env=env) as world:
        assert world.bot.web is None and world.bot.callback_server is not None
        status, _, _ = await get(f"http://127.0.0.1:{public}/healthz")
        assert status == 404


# --- shards ---------------------------------------------------------------------------------------------------


def shard_of(guild: FakeGuild, count: int) -> int:
    return (guild.id >> 22) % count


@contextlib.asynccontextmanager
async def sharded(tmp_path: Path, shard_ids: list[str | None]) -> AsyncIterator[tuple[FakeDiscord, FakeApixo, list]]:
    """One fake Discord with four guilds on two shards, and one bot process per entry of shard_ids (one database)."""
    discord, api = FakeDiscord(), FakeApixo()
    await discord.start()
    await api.start()
    for n in range(4):
        guild = discord.add_guild(name=f"guild {n}")
        discord.add_member(guild, name=f"member {n}")
    assert {shard_of(g, 2) for g in discord.guilds.values()} == {0, 1}
    discord.install()
    bots: list[tuple[KontextBot, asyncio.Task[Any]]] = []
    try:
        for ids in shard_ids:
            env = {"SHARD_COUNT": "2", "WEB_PORT": str(free_port()), "WEB_HOST": "127.0.0.1"}
            if ids is not None:
                env["SHARD_IDS"] = ids
            settings = Settings.from_env(harness.bot_env(api, f"sqlite:///{tmp_path / 'bot.db'}", **env))
            bot = await create_bot(settings, retry=FAST_RETRY, guild_ready_timeout=0.05, identify_spacing=0)
            await bot.login(settings.discord_token)
            bots.append((bot, asyncio.create_task(bot.connect(reconnect=False))))
        await discord.wait_ready()
        for bot, _ in bots:
            await asyncio.wait_for(bot.wait_until_ready(), 5)
        yield discord, api, [bot for bot, _ in bots]
    finally:
        for bot, task in bots:
            await stop_bot(bot, task)
        await api.close()
        await discord.close()


async def test_two_processes_each_get_only_the_guilds_of_their_shard(tmp_path: Path) -> None:
    async with sharded(tmp_path, ["0", "1"]) as (discord, _, bots):
        for shard, bot in enumerate(bots):
            expected = {g.id for g in discord.guilds.values() if shard_of(g, 2) == shard}
            assert (bot.shard_count, bot.shard_ids) == (2, [shard])
            assert {g.id for g in bot.guilds} == expected
            assert bot.web is not None
            status, body, _ = await get(bot.web.url + "/healthz")
            assert status == 200 and body["gateway"] is True


async def test_a_slash_command_is_answered_by_the_process_running_its_shard(tmp_path: Path) -> None:
    async with sharded(tmp_path, ["0", "1"]) as (discord, _, bots):
        guild = next(g for g in discord.guilds.values() if shard_of(g, 2) == 1)
        member = next(m for m in guild.members.values() if m["user"]["username"].startswith("member"))
        interaction = await discord.send_slash("imagine", {"prompt": "on shard one"}, guild=guild, user=member["user"])
        await discord.wait_for(lambda: image_of(discord, interaction) is not None, 10)
        await idle(bots[1].jobs)

        submits = [b.metrics.api_latency.labels(operation="submit")._sum.get() > 0 for b in bots]
        assert submits == [False, True]


async def test_one_process_runs_every_shard_without_discords_five_second_spacing(tmp_path: Path) -> None:
    began = time.monotonic()
    async with sharded(tmp_path, [None]) as (discord, _, bots):
        assert bots[0].shard_count == 2 and sorted(bots[0].shards) == [0, 1]
        assert {g.id for g in bots[0].guilds} == set(discord.guilds)
        assert bots[0].gateway_connected()
    assert time.monotonic() - began < 4.0
