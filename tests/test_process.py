"""The bot process at its edges: each start-up failure is one line and a non-zero exit; SIGTERM always ends it."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import socket
import threading
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import discord
import pytest

from bot import privileged_intents_refused
from kontext.process import ShutdownWatchdog
from kontext.storage.outages import database_location, database_unavailable
from tests.bot_process import BotProcess, start_process
from tests.fakes.apixo import FakeApixo
from tests.fakes.discord import FakeDiscord
from tests.harness import bot_env

SECRET_PASSWORD = "pw-never-shown-8d1f"
START_WITHIN = 60.0  # a cold Python start on a busy test machine, not a timing under test


def closed_port() -> int:
    """A local TCP port nothing listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
async def fakes() -> AsyncIterator[tuple[FakeDiscord, FakeApixo]]:
    discord_fake, api = FakeDiscord(), FakeApixo()
    await discord_fake.start()
    await api.start()
    try:
        yield discord_fake, api
    finally:
        await api.close()
        await discord_fake.close()


async def failed_start(process: BotProcess) -> str:
    """Wait for a process that cannot start; return its one ERROR line, checking it exited non-zero, no traceback."""
    try:
        code = await process.wait(START_WITHIN)
    finally:
        await process.kill()
    output = process.output
    errors = [line for line in process.lines if "ERROR" in line or "CRITICAL" in line]
    assert code != 0, output
    assert "Traceback" not in output, output
    assert len(errors) == 1, output
    return errors[0]


async def test_start_with_postgresql_down_says_where_in_one_line_without_the_password(
    tmp_path: Path, fakes: tuple[FakeDiscord, FakeApixo]
) -> None:
    discord_fake, api = fakes
    port = closed_port()
    url = f"postgresql://kontext:{SECRET_PASSWORD}@127.0.0.1:{port}/kontext"
    process = await start_process(
        bot_env(api, url), api_url=f"{discord_fake.base_url}/api/v10", gateway_url=discord_fake.gateway_url
    )
    line = await failed_start(process)
    assert f"cannot reach the database at 127.0.0.1:{port} (connection refused)" in line
    assert SECRET_PASSWORD not in process.output
    assert not discord_fake.requests, "nothing is asked of Discord without a database"


async def test_start_with_a_database_that_refuses_says_why_in_one_line(
    tmp_path: Path, fakes: tuple[FakeDiscord, FakeApixo]
) -> None:
    server = os.environ.get("TEST_DATABASE_URL")
    if not server:
        pytest.skip("TEST_DATABASE_URL is not set")
    discord_fake, api = fakes
    url = server.rsplit("/", 1)[0] + "/kontext_no_such_database"
    process = await start_process(
        bot_env(api, url), api_url=f"{discord_fake.base_url}/api/v10", gateway_url=discord_fake.gateway_url
    )
    line = await failed_start(process)
    assert f"the database at {database_location(url)} refused the connection" in line
    assert "kontext_no_such_database" in line and "does not exist" in line


def test_database_unavailable_tells_a_refusal_from_a_bug_of_ours() -> None:
    url = f"postgresql://kontext:{SECRET_PASSWORD}@db.example:6543/kontext"
    wrong_password = asyncpg.InvalidPasswordError('password authentication failed for user "kontext"')
    refused = database_unavailable(url, wrong_password)
    assert refused is not None and str(refused).startswith("the database at db.example:6543 refused the connection")
    unknown = database_unavailable(url, socket.gaierror(-2, "Name or service not known"))
    assert unknown is not None and "(unknown host: Name or service not known)" in str(unknown)
    assert SECRET_PASSWORD not in str(refused) + str(unknown)
    assert database_unavailable(url, asyncpg.PostgresSyntaxError("syntax error at or near")) is None  # a traceback


async def test_start_with_an_unopenable_sqlite_file_says_which_in_one_line(
    tmp_path: Path, fakes: tuple[FakeDiscord, FakeApixo]
) -> None:
    discord_fake, api = fakes
    (tmp_path / "file").write_text("not a directory")
    url = f"sqlite:///{tmp_path / 'file' / 'bot.db'}"
    process = await start_process(
        bot_env(api, url), api_url=f"{discord_fake.base_url}/api/v10", gateway_url=discord_fake.gateway_url
    )
    line = await failed_start(process)
    assert f"cannot open the SQLite database {tmp_path / 'file' / 'bot.db'}" in line


async def test_start_with_discord_unreachable_says_so_in_one_line(tmp_path: Path) -> None:
    api = FakeApixo()
    await api.start()
    try:
        port = closed_port()
        process = await start_process(
            bot_env(api, f"sqlite:///{tmp_path / 'bot.db'}"),
            api_url=f"http://127.0.0.1:{port}/api/v10",
            gateway_url=f"ws://127.0.0.1:{port}/gateway",
        )
        line = await failed_start(process)
    finally:
        await api.close()
    assert f"cannot reach Discord at 127.0.0.1:{port} (connection refused)" in line


async def test_start_with_the_gateway_unreachable_gives_up_in_one_line(
    tmp_path: Path, fakes: tuple[FakeDiscord, FakeApixo]
) -> None:
    discord_fake, api = fakes
    port = closed_port()
    discord_fake.gateway_url = f"ws://127.0.0.1:{port}/gateway"  # what GET /gateway/bot answers: REST works
    process = await start_process(
        bot_env(api, f"sqlite:///{tmp_path / 'bot.db'}"),
        api_url=f"{discord_fake.base_url}/api/v10",
        gateway_url=discord_fake.gateway_url,
        gateway_retry_delay=0.01,
    )
    line = await failed_start(process)
    assert f"cannot reach Discord's gateway at 127.0.0.1:{port} (connection refused) after 6 tries" in line
    assert process.output.count("trying again") == 5


async def test_start_with_the_token_refused_says_which_setting_in_one_line(
    tmp_path: Path, fakes: tuple[FakeDiscord, FakeApixo]
) -> None:
    discord_fake, api = fakes
    discord_fake.bot_token = "the-token-discord-knows"  # GET /users/@me answers 401 to any other
    process = await start_process(
        bot_env(api, f"sqlite:///{tmp_path / 'bot.db'}"),
        api_url=f"{discord_fake.base_url}/api/v10",
        gateway_url=discord_fake.gateway_url,
    )
    line = await failed_start(process)
    assert "Discord refused DISCORD_TOKEN" in line and "Bot → Reset Token" in line
    assert any(r.path == "/users/@me" and r.status == 401 for r in discord_fake.requests)
    assert "test-discord-token" not in process.output


async def test_start_with_an_intent_refused_names_it_and_where_to_switch_it_on(
    tmp_path: Path, fakes: tuple[FakeDiscord, FakeApixo]
) -> None:
    discord_fake, api = fakes
    discord_fake.allowed_privileged_intents = 0  # the portal's switches are all off: IDENTIFY gets close code 4014
    process = await start_process(
        bot_env(api, f"sqlite:///{tmp_path / 'bot.db'}", MESSAGE_CONTENT_INTENT="true"),
        api_url=f"{discord_fake.base_url}/api/v10",
        gateway_url=discord_fake.gateway_url,
    )
    line = await failed_start(process)
    assert "Discord refused the privileged intent this bot asks for: Message Content Intent." in line
    assert "Bot → Privileged Gateway Intents" in line and "or set MESSAGE_CONTENT_INTENT=false" in line
    assert "Server Members" not in line and "Presence" not in line


async def test_start_with_the_web_port_taken_says_which_in_one_line(
    tmp_path: Path, fakes: tuple[FakeDiscord, FakeApixo]
) -> None:
    discord_fake, api = fakes
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        process = await start_process(
            bot_env(api, f"sqlite:///{tmp_path / 'bot.db'}", WEB_HOST="127.0.0.1", WEB_PORT=str(port)),
            api_url=f"{discord_fake.base_url}/api/v10",
            gateway_url=discord_fake.gateway_url,
        )
        line = await failed_start(process)
    assert f"cannot listen on 127.0.0.1:{port} (address already in use): check WEB_HOST and WEB_PORT" in line


def test_privileged_intents_refused_names_exactly_those_asked_for() -> None:
    intents = discord.Intents.default()
    intents.members = intents.presences = True
    line = privileged_intents_refused(intents)
    assert "intents this bot asks for: Presence Intent and Server Members Intent. Switch them on" in line
    assert "Message Content" not in line and "or set" not in line


async def test_sigterm_while_discord_py_waits_to_reconnect_exits_within_ten_seconds(tmp_path: Path) -> None:
    discord_fake, api = FakeDiscord(), FakeApixo()
    await discord_fake.start()
    await api.start()
    guild = discord_fake.add_guild()
    process = await start_process(
        bot_env(api, f"sqlite:///{tmp_path / 'bot.db'}", DEV_GUILD_ID=str(guild.id)),
        api_url=f"{discord_fake.base_url}/api/v10",
        gateway_url=discord_fake.gateway_url,
        reconnect_delay=300,  # what discord.py waits between attempts after a long outage (up to 17 min)
    )
    try:
        await discord_fake.wait_ready(START_WITHIN)
        await discord_fake.close()  # Discord gone: the gateway closes, the reconnect fails, discord.py waits
        await process.wait_for_line("Attempting a reconnect for shard ID 0 in 300.00s", 20)

        code, took = await process.sigterm()
    finally:
        await process.kill()
        await api.close()
    assert code == 0 and took < 10, f"exit {code} after {took:.1f} s:\n{process.output}"
    assert "shutting down" in process.output and "exiting now" not in process.output


@contextlib.asynccontextmanager
async def bot_with_a_submit_on_the_wire(tmp_path: Path, *, grace: float = 5.0) -> AsyncIterator[BotProcess]:
    """A bot process whose one job's submit the API holds unanswered; SIGTERM gives such a submit `grace` seconds."""
    discord_fake, api = FakeDiscord(), FakeApixo()
    await discord_fake.start()
    await api.start()
    guild = discord_fake.add_guild()
    user = discord_fake.add_member(guild, name="alice")["user"]
    env = bot_env(api, f"sqlite:///{tmp_path / 'bot.db'}", DEV_GUILD_ID=str(guild.id), API_REQUEST_TIMEOUT="60")
    process = await start_process(
        env, api_url=f"{discord_fake.base_url}/api/v10", gateway_url=discord_fake.gateway_url, shutdown_grace=grace
    )
    try:
        await discord_fake.wait_for(lambda: guild.id in discord_fake.guild_commands, START_WITHIN)
        await discord_fake.wait_ready(START_WITHIN)
        api.hang_submit()
        await discord_fake.send_slash("imagine", {"prompt": "on the wire"}, guild=guild, user=user)
        await discord_fake.wait_for(lambda: any(route == "submit" for route, _ in api.requests), 10)
        yield process
    finally:
        await process.kill()
        await api.close()
        await discord_fake.close()


async def test_sigterm_gives_a_submit_on_the_wire_its_grace_and_still_exits_within_ten_seconds(tmp_path: Path) -> None:
    async with bot_with_a_submit_on_the_wire(tmp_path, grace=1.0) as process:
        code, took = await process.sigterm()
    assert code == 0 and 1.0 <= took < 10, f"exit {code} after {took:.1f} s:\n{process.output}"


async def test_a_second_sigterm_exits_at_once(tmp_path: Path) -> None:
    async with bot_with_a_submit_on_the_wire(tmp_path) as process:
        loop = asyncio.get_running_loop()
        process.process.send_signal(signal.SIGTERM)
        await process.wait_for_line("shutting down", 5)
        began = loop.time()
        process.process.send_signal(signal.SIGTERM)
        code = await process.wait(5)
        took = loop.time() - began
    assert code == 1 and took < 3, f"exit {code} after {took:.1f} s:\n{process.output}"
    assert "SIGTERM received twice: exiting now" in process.output


class FreezingProxy:
    """A TCP proxy to PostgreSQL that can go silent: connections stay open, nothing passes (a partition)."""

    def __init__(self, host: str, port: int) -> None:
        self.target = (host, port)
        self.frozen = asyncio.Event()
        self.port = 0
        self._server: asyncio.Server | None = None
        self._connections: set[asyncio.Task[None]] = set()

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]

    async def close(self) -> None:
        assert self._server is not None
        self._server.close()
        for task in self._connections:
            task.cancel()
        await asyncio.gather(*self._connections, return_exceptions=True)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._connections.add(task)
        upstream_reader, upstream_writer = await asyncio.open_connection(*self.target)
        try:
            await asyncio.gather(self._pipe(reader, upstream_writer), self._pipe(upstream_reader, writer))
        finally:
            self._connections.discard(task)
            for w in (writer, upstream_writer):
                w.close()

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while data := await reader.read(65536):
            if self.frozen.is_set():
                await asyncio.Event().wait()  # swallow it and everything after: the peer waits for ever
            writer.write(data)
            await writer.drain()


async def test_sigterm_with_the_database_gone_silent_exits_within_ten_seconds(tmp_path: Path) -> None:
    server = os.environ.get("TEST_DATABASE_URL")
    if not server:
        pytest.skip("TEST_DATABASE_URL is not set")
    parts = urlsplit(server)
    proxy = FreezingProxy(parts.hostname or "127.0.0.1", parts.port or 5432)
    await proxy.start()
    url = urlunsplit(parts._replace(netloc=f"{parts.netloc.rpartition('@')[0]}@127.0.0.1:{proxy.port}"))
    discord_fake, api = FakeDiscord(), FakeApixo()
    await discord_fake.start()
    await api.start()
    guild = discord_fake.add_guild()
    user = discord_fake.add_member(guild, name="alice")["user"]
    api.outcome(lambda body: "never")
    process = await start_process(
        bot_env(api, url, DEV_GUILD_ID=str(guild.id)),
        api_url=f"{discord_fake.base_url}/api/v10",
        gateway_url=discord_fake.gateway_url,
    )
    try:
        await discord_fake.wait_for(lambda: guild.id in discord_fake.guild_commands, START_WITHIN)
        await discord_fake.wait_ready(START_WITHIN)
        await discord_fake.send_slash("imagine", {"prompt": "polling"}, guild=guild, user=user)
        await discord_fake.wait_for(lambda: any(route == "status" for route, _ in api.requests), 10)
        proxy.frozen.set()
        await asyncio.sleep(0.2)  # the next status poll's write is now stuck in the silent database

        code, took = await process.sigterm()
    finally:
        await process.kill()
        await proxy.close()
        await api.close()
        await discord_fake.close()
    assert code == 0 and took < 10, f"exit {code} after {took:.1f} s:\n{process.output}"
    assert "the database did not answer" in process.output
    assert "Traceback" not in process.output and "Unclosed" not in process.output, process.output


def test_watchdog_ends_a_stuck_shutdown_at_its_deadline(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.ERROR)
    exited = threading.Event()
    codes: list[int] = []

    def exit_(code: int) -> None:
        codes.append(code)
        exited.set()

    ShutdownWatchdog(0.05, exit_process=exit_).start()
    assert exited.wait(5) and codes == [1]
    assert "shutdown did not finish within 0.05 s: exiting now" in caplog.text
