"""A TCP proxy between the bot and its database that can drop every connection for a while, as a network would."""

from __future__ import annotations

import asyncio
import contextlib
from urllib.parse import urlsplit, urlunsplit


class TcpProxy:
    """Forwards 127.0.0.1:port to a target; drop(seconds) cuts every connection and black-holes new ones meanwhile."""

    def __init__(self, host: str, port: int) -> None:
        self.target = (host, port)
        self.port = 0
        self.connections = 0
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()
        self._open = asyncio.Event()
        self._open.set()

    @classmethod
    def for_url(cls, url: str) -> TcpProxy:
        """A proxy in front of the server of a postgresql:// URL."""
        parts = urlsplit(url)
        return cls(parts.hostname or "127.0.0.1", parts.port or 5432)

    def url(self, url: str) -> str:
        """The same URL, through this proxy."""
        parts = urlsplit(url)
        userinfo = parts.netloc.rpartition("@")[0]
        netloc = f"{userinfo}@127.0.0.1:{self.port}" if userinfo else f"127.0.0.1:{self.port}"
        return urlunsplit(parts._replace(netloc=netloc))

    async def start(self) -> TcpProxy:
        self._server = await asyncio.start_server(self._accept, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def drop(self, seconds: float) -> None:
        """Cut every open connection; for `seconds`, new connections are accepted and never answered, then cut."""
        self._open.clear()
        self._cut_all()
        try:
            await asyncio.sleep(seconds)
        finally:
            self._cut_all()
            self._open.set()

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
        self._cut_all()
        if self._server is not None:
            with contextlib.suppress(Exception):
                await self._server.wait_closed()

    def _cut_all(self) -> None:
        for writer in list(self._writers):
            writer.transport.abort()
        self._writers.clear()

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._writers.add(writer)
        if not self._open.is_set():
            await self._open.wait()  # black-holed: silent until the outage ends, and then cut with the rest
            writer.transport.abort()
            return
        try:
            up_reader, up_writer = await asyncio.open_connection(*self.target)
        except OSError:
            writer.transport.abort()
            return
        self.connections += 1
        self._writers.add(up_writer)
        await asyncio.gather(_pipe(reader, up_writer), _pipe(up_reader, writer), return_exceptions=True)
        for end in (writer, up_writer):
            end.transport.abort()
            self._writers.discard(end)


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    finally:
        writer.transport.abort()
