"""Local servers for link-guard tests: a listener that counts connections, and a server that redirects."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass

from aiohttp import web

from tests.harness import local_endpoint


@dataclass
class Listener:
    """A TCP listener on 127.0.0.1 that counts connections and answers as a small PNG would."""

    port: int = 0
    connections: int = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/secret.png"

    async def serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        await reader.read(1024)
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: image/png\r\nContent-Length: 100\r\nConnection: close\r\n\r\n")
        await writer.drain()
        writer.close()


@contextlib.asynccontextmanager
async def counting_listener() -> AsyncIterator[Listener]:
    """A Listener, running until the block ends."""
    listener = Listener()
    server = await asyncio.start_server(listener.serve, "127.0.0.1", 0)
    listener.port = server.sockets[0].getsockname()[1]
    try:
        yield listener
    finally:
        server.close()
        await server.wait_closed()


@dataclass(frozen=True)
class Redirector:
    """A server standing in for a public host: `GET|HEAD /r/NAME?to=URL` answers 302 to URL."""

    base_url: str

    @property
    def endpoint(self) -> tuple[str, int]:
        return local_endpoint(self.base_url)

    def to(self, url: str, name: str = "cat.png") -> str:
        """A link that looks like an image named `name` and redirects to `url`."""
        return f"{self.base_url}/r/{name}?to={url}"


@contextlib.asynccontextmanager
async def redirect_server() -> AsyncIterator[Redirector]:
    """A Redirector, running until the block ends."""

    async def redirect(request: web.Request) -> web.Response:
        raise web.HTTPFound(request.query["to"])

    app = web.Application()
    app.router.add_get("/r/{name}", redirect)  # aiohttp answers HEAD on GET routes
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    try:
        yield Redirector(f"http://127.0.0.1:{runner.addresses[0][1]}")
    finally:
        await runner.cleanup()
