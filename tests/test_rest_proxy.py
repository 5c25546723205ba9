"""DISCORD_REST_PROXY: every Discord REST call goes through the configured rate-limit proxy."""

from __future__ import annotations

from pathlib import Path

import aiohttp
import discord
import pytest
from aiohttp import web

from kontext.config import ConfigError, Settings
from tests.harness import idle, image_of, world_for

_HOP_BY_HOP = {"content-length", "transfer-encoding", "content-encoding", "connection", "host", "keep-alive"}


class ForwardingProxy:
    """A tiny nirn-proxy stand-in: forwards each request to `target` unchanged and records what passed."""

    def __init__(self) -> None:
        self.target = ""
        self.seen: list[tuple[str, str]] = []  # (method, path after /api/v10)
        self._runner: web.AppRunner | None = None
        self._session: aiohttp.ClientSession | None = None
        self.url = ""

    async def start(self) -> None:
        app = web.Application(client_max_size=64 * 2**20)
        app.router.add_route("*", "/{tail:.*}", self._forward)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.url = f"http://127.0.0.1:{port}"
        self._session = aiohttp.ClientSession(auto_decompress=False)

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
        if self._runner is not None:
            await self._runner.cleanup()

    async def _forward(self, request: web.Request) -> web.Response:
        assert self._session is not None
        path = request.path.removeprefix("/api/v10")
        self.seen.append((request.method, path))
        headers = {key: value for key, value in request.headers.items() if key.lower() not in _HOP_BY_HOP}
        async with self._session.request(
            request.method, self.target + request.path_qs, headers=headers, data=await request.read()
        ) as answer:
            body = await answer.read()
            back = {key: value for key, value in answer.headers.items() if key.lower() not in _HOP_BY_HOP}
            return web.Response(status=answer.status, headers=back, body=body)


@pytest.fixture
async def proxy():
    proxy = ForwardingProxy()
    await proxy.start()
    yield proxy
    await proxy.close()


async def test_rest_proxy_receives_every_discord_call_including_callbacks_and_webhooks(
    tmp_path: Path, proxy: ForwardingProxy
) -> None:
    def point_proxy(fake, guild) -> None:
        proxy.target = fake.base_url

    async with world_for(tmp_path, env={"DISCORD_REST_PROXY": proxy.url}, prepare=point_proxy) as world:
        assert discord.http.Route.BASE == f"{proxy.url}/api/v10"
        done = await world.slash("imagine", {"prompt": "a red fox in the snow"})
        await world.finished(done)
        refused = await world.slash("imagine", {"prompt": "x" * 5000})  # refused in words, by a follow-up or reply
        await world.discord.wait_for(lambda: bool(refused.responses), 5)
        await idle(world.bot.jobs)

        received = [(record.method, record.path) for record in world.discord.requests]
        assert received, "the fake Discord received nothing"
        assert received == proxy.seen  # every call the fake received came through the proxy, in order
        paths = [path for _, path in proxy.seen]
        assert any(path.endswith("/callback") for path in paths)  # interaction callbacks
        assert any(path.startswith("/webhooks/") and path.endswith("/@original") for path in paths)  # the result
        assert any(path.startswith("/applications/") for path in paths)  # bot-token routes (command sync)
        assert image_of(world.discord, done) is not None  # the image got through the proxy


def test_rest_proxy_setting_takes_a_base_url_and_adds_the_api_version() -> None:
    base = {"DISCORD_TOKEN": "t", "APIXO_API_KEY": "k"}
    assert Settings.from_env(base).discord_rest_base is None
    assert Settings.from_env({**base, "DISCORD_REST_PROXY": "http://nirn:8080/"}).discord_rest_base == (
        "http://nirn:8080/api/v10"
    )
    assert Settings.from_env({**base, "DISCORD_REST_PROXY": "http://nirn:8080/api/v9"}).discord_rest_base == (
        "http://nirn:8080/api/v9"
    )
    with pytest.raises(ConfigError, match="DISCORD_REST_PROXY"):
        Settings.from_env({**base, "DISCORD_REST_PROXY": "nirn:8080"})
