"""The bot process as a whole: start-up, intents, secrets, simulate mode, and many users at once."""

from __future__ import annotations

import asyncio
import io
import logging
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from PIL import Image

import bot as bot_module
from kontext.simulator.server import SimulatedApi
from tests.fakes.apixo import FakeApixo
from tests.harness import world_for

PRIVILEGED_INTENTS = (1 << 1) | (1 << 8) | (1 << 15)  # members, presences, message content


def test_main_refuses_to_start_naming_every_problem(monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    for name in ("DISCORD_TOKEN", "APIXO_API_KEY", "APIXO_BASE_URL", "DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(bot_module, "load_dotenv", lambda: None)
    monkeypatch.setenv("POLL_INTERVAL", "soon")
    with pytest.raises(SystemExit) as exit_info:
        bot_module.main()
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert "DISCORD_TOKEN" in err and "APIXO_API_KEY" in err and "POLL_INTERVAL" in err
    assert ".env.example" in err


async def test_bot_asks_for_no_privileged_intent(tmp_path: Path) -> None:
    async with world_for(tmp_path) as world:
        sessions = list(world.discord.gateway.sessions.values())
        assert sessions and all(session.intents & PRIVILEGED_INTENTS == 0 for session in sessions)


async def test_bot_keeps_no_message_cache_for_its_own_edits_to_fill(tmp_path: Path) -> None:
    # Every progress edit comes back as MESSAGE_UPDATE; with a cache discord.py scans and copies it for each one.
    async with world_for(tmp_path) as world:
        message = await world.finished(await world.slash("imagine", {"prompt": "a cached fox"}))
        assert message.files and len(world.bot.cached_messages) == 0


async def test_bot_builds_no_message_from_the_echoes_of_its_own(tmp_path: Path) -> None:
    # Each answer and edit comes back over the gateway; parsing them cost a Message and three listener tasks apiece.
    async with world_for(tmp_path) as world:
        events: list[str] = []
        built: list[tuple[str, int]] = []

        async def event_type(event: str) -> None:
            events.append(event)

        async def message(message: Any) -> None:
            built.append(("create", message.author.id))

        async def edit(payload: Any) -> None:
            built.append(("edit", payload.message.author.id))

        world.bot.add_listener(event_type, "on_socket_event_type")
        world.bot.add_listener(message, "on_message")
        world.bot.add_listener(edit, "on_raw_message_edit")
        await world.finished(await world.slash("imagine", {"prompt": "an echoing canyon"}))
        await world.discord.post_message(world.channel, world.user, "hello everyone")
        user_id = int(world.user.get("user", world.user)["id"])
        await world.discord.wait_for(lambda: ("create", user_id) in built, 5)
        assert "MESSAGE_CREATE" in events and "MESSAGE_UPDATE" in events  # the echoes did arrive
        assert built == [("create", user_id)]  # and only the user's message was built


async def test_bot_syncs_its_commands_to_the_dev_guild(tmp_path: Path) -> None:
    async with world_for(tmp_path) as world:
        names = {command["name"] for command in world.discord.guild_commands[world.guild.id]}
        assert "imagine" in names
        imagine = next(c for c in world.discord.guild_commands[world.guild.id] if c["name"] == "imagine")
        modes = next(o for o in imagine["options"] if o["name"] == "mode")
        assert [c["name"] for c in modes["choices"]] == ["pro ($0.03)", "max ($0.06)"]


async def test_bot_never_logs_secrets(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    async with world_for(tmp_path) as world:
        world.api.fail_submit(401, {"code": 401, "message": "bad key test-api-key"})
        await world.finished(await world.slash("imagine", {"prompt": "a cat"}))
        await world.finished(await world.slash("imagine", {"prompt": "a dog"}))
    logged = caplog.text
    assert "test-api-key" not in logged and "test-discord-token" not in logged
    assert world.settings.apixo_api_key not in repr(world.settings)


async def test_simulate_mode_needs_no_key_and_draws_the_prompt(tmp_path: Path) -> None:
    simulator = SimulatedApi(generation_time=0.05, pending_time=0.01, image_size=256)
    env = {"APIXO_BASE_URL": "simulate", "APIXO_API_KEY": ""}
    async with world_for(tmp_path, env=env, bot_options={"simulator": simulator}) as world:
        message = await world.finished(await world.slash("imagine", {"prompt": "a simulated sunset"}))
        _, data = message.files[0]
        with Image.open(io.BytesIO(data)) as image:
            assert image.size[0] > image.size[1]  # 16:9 by default
        assert simulator.submits[0]["input"]["prompt"] == "a simulated sunset"
        assert world.api.submits == []  # the test's fake API was never called


class CountingApi(FakeApixo):
    """A fake API that measures how many tasks and status requests the bot has in flight at once."""

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.reported: set[str] = set()
        self.peak_tasks = 0
        self.active_status = 0
        self.peak_status = 0

    def status_data(self, task) -> dict[str, Any]:
        data = super().status_data(task)
        if data["state"] in ("success", "failed"):
            self.reported.add(task.task_id)
        return data

    async def intercept(self, route: str, request: web.Request) -> web.StreamResponse | None:
        if route == "submit":
            self.peak_tasks = max(self.peak_tasks, len(self.tasks) - len(self.reported) + 1)
        if route == "status":
            self.active_status += 1
            self.peak_status = max(self.peak_status, self.active_status)
            try:
                await asyncio.sleep(0.002)  # hold each status request a moment so overlaps would show
            finally:
                self.active_status -= 1
        return await super().intercept(route, request)


async def test_a_hundred_users_at_once_stay_under_the_caps_and_all_get_images(tmp_path: Path) -> None:
    api = CountingApi()
    env = {"MAX_TASKS_IN_FLIGHT": "5", "MAX_STATUS_CONCURRENCY": "2"}

    def add_users(discord, guild) -> None:
        for n in range(100):
            discord.add_member(guild, name=f"user{n}")

    async with world_for(tmp_path, env=env, prepare=add_users, api=api) as world:
        members = [m for m in world.guild.members.values() if m["user"]["username"].startswith("user")]
        interactions = await asyncio.gather(
            *(world.slash("imagine", {"prompt": f"picture {n}"}, user=m) for n, m in enumerate(members))
        )
        queued = 0
        for interaction in interactions:
            message = await world.finished(interaction, within=30)
            assert len(message.files) == 1
            queued += any("in line" in (edit.get("content") or "") for edit in interaction.original.edits)
        assert len(api.submits) == 100
        assert api.peak_tasks <= 5
        assert api.peak_status <= 2
        assert queued > 0, "nobody was shown a place in the queue"


def test_discord_py_reads_json_with_orjson() -> None:
    # The requirements give discord.py its fast JSON (its `speed` extra): every gateway event and REST answer goes
    # through it, a measurable share of the bot's CPU per job in the benchmark.
    import discord.utils

    assert discord.utils.HAS_ORJSON
