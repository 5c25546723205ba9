"""Callback mode end to end: the real bot, its web server, and a fake API that POSTs callbacks."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import aiohttp

from kontext.api.callbacks import callback_signature
from kontext.models import JobState
from tests.fakes.apixo import FakeApixo
from tests.harness import World, world_for
from tests.storage.support import job_by_message
from tests.test_web import free_port

SECRET = "test-callback-secret-0123456789"


def callback_env(**overrides: str) -> dict[str, str]:
    port = free_port()
    return {
        "CALLBACK_PORT": str(port),
        "CALLBACK_HOST": "127.0.0.1",
        "CALLBACK_BASE_URL": f"http://127.0.0.1:{port}",
        "CALLBACK_SECRET": SECRET,
        "CALLBACK_GRACE": "5",
        **overrides,
    }


def uploads(world: World, message_id: int) -> int:
    return sum(1 for r in world.discord.requests if r.files and (r.response or {}).get("id") == str(message_id))


async def test_callback_mode_delivers_on_the_callback_with_one_confirming_status_query(tmp_path: Path) -> None:
    async with world_for(tmp_path, env=callback_env()) as world:
        message = await world.finished(await world.slash("imagine", {"prompt": "called back"}))
        body = world.api.submits[0]
        job = await job_by_message(world.bot.storage, message.id)
        assert body["request_type"] == "callback"
        assert body["callback_url"].endswith(f"/callback/{job.id}/{callback_signature(SECRET, job.id)}")
        assert len(message.files) == 1
        assert world.api.status_calls == 1, "a callback is confirmed by exactly one status query"
        assert len(world.api.callbacks) == 1 and world.api.callbacks[0]["status"] == 200


async def test_forged_callbacks_are_refused_and_change_nothing(tmp_path: Path) -> None:
    env = callback_env()
    async with world_for(tmp_path, env=env, api_options={"generation_time": 0.5}) as world:
        interaction = await world.slash("imagine", {"prompt": "forge me"})
        await world.discord.wait_for(lambda: bool(world.api.submits))
        job = (await world.bot.storage.jobs_in_states([JobState.PENDING, JobState.PROCESSING, JobState.SUBMITTING]))[0]
        forged: dict[str, Any] = {"code": 200, "data": {"taskId": "task_x", "state": "success", "resultJson": "{}"}}
        base = env["CALLBACK_BASE_URL"]
        async with aiohttp.ClientSession() as session:
            for url in (f"{base}/callback/{job.id}/{'0' * 32}", f"{base}/callback/{job.id}"):
                async with session.post(url, json=forged) as response:
                    assert response.status in (403, 404)
        assert world.api.status_calls == 0, "a forged callback must not even trigger a status query"
        message = await world.finished(interaction)
        assert len(message.files) == 1 and world.api.status_calls == 1


async def test_duplicate_callbacks_deliver_once(tmp_path: Path) -> None:
    async with world_for(tmp_path, env=callback_env()) as world:
        message = await world.finished(await world.slash("imagine", {"prompt": "again and again"}))
        task_id = next(iter(world.api.tasks))
        for _ in range(3):  # the vendor retries at 30 s, 2 min and 10 min
            assert await world.api.send_callback(task_id) == 200
        await asyncio.sleep(0.1)
        assert uploads(world, message.id) == 1
        assert world.api.status_calls == 1


class LosesCallbacks(FakeApixo):
    """A fake API whose callbacks never arrive."""

    async def send_callback(self, task_id: str, url: str | None = None) -> int | None:
        return None


async def test_a_lost_callback_still_delivers_by_polling_after_the_grace(tmp_path: Path) -> None:
    async with world_for(tmp_path, env=callback_env(CALLBACK_GRACE="0.2"), api=LosesCallbacks()) as world:
        message = await world.finished(await world.slash("imagine", {"prompt": "lost in the post"}))
        assert len(message.files) == 1
        assert world.api.status_calls >= 1


async def test_once_callbacks_flow_a_slow_job_costs_one_status_query(tmp_path: Path) -> None:
    env = callback_env(CALLBACK_GRACE="0.1")
    async with world_for(tmp_path, env=env, api_options={"generation_time": 0.005}) as world:
        await world.finished(await world.slash("imagine", {"prompt": "quick"}))
        assert world.bot.callbacks.flowing, "its callback came well within the grace and was confirmed"
        world.api.generation_time = 0.6  # six times the grace
        message = await world.finished(await world.slash("imagine", {"prompt": "slow"}))
        assert len(message.files) == 1
        assert world.api.status_calls == 2, "one confirming query per job, no polling past the grace"


async def test_a_flood_of_signed_callbacks_costs_one_status_query_per_poll_interval(tmp_path: Path) -> None:
    # 80 callbacks in 4 s against a 2.5 s poll interval, scaled down by 10 (and the interval a little more).
    interval, window, count = 0.1, 0.4, 80
    env = callback_env(POLL_INTERVAL=str(interval), CALLBACK_GRACE="5")
    async with world_for(tmp_path, env=env) as world:
        world.api.outcome(lambda body: "never")  # the job stays running through the flood
        interaction = await world.slash("imagine", {"prompt": "flooded"})
        await world.discord.wait_for(lambda: bool(world.api.tasks))
        task_id = next(iter(world.api.tasks))
        loop = asyncio.get_running_loop()
        began = loop.time()
        for _ in range(count):
            assert await world.api.send_callback(task_id) == 200
            await asyncio.sleep(window / count)
        taken = loop.time() - began
        queries = world.api.status_calls
        assert 1 <= queries <= taken / interval + 1, f"{queries} status queries for {count} callbacks in {taken:.2f} s"
        assert interaction.original is not None and not interaction.original.embeds, "still running"
