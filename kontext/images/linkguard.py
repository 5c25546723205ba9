"""Looking at what users link to without reaching into our own network: every address of every hop checked.

A link in a message is the user's choice of where the bot connects. Left alone, that is a request forgery (the
bot's own network, a cloud metadata address) and, through what the bot says back, a port scanner. So links are
only ever fetched through a session whose resolver drops every forbidden address a name resolves to, and whose
socket factory refuses to open a socket to a forbidden address at all (literal IPs never reach the resolver).
Redirects are followed by hand, a few hops at most, each hop through the same session, so each is checked too.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import socket
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import aiohttp
import yarl
from aiohttp.abc import AbstractResolver, ResolveResult
from aiohttp.resolver import DefaultResolver

log = logging.getLogger(__name__)

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
MAX_HOPS = 5  # redirects followed before a link is given up
LINK_TIMEOUT = 10.0  # seconds for the whole look at one link, every hop included
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_NAT64 = ipaddress.ip_network("64:ff9b::/96")  # RFC 6052: the last 32 bits are an IPv4 address


def is_forbidden(ip: IPAddress) -> bool:
    """Whether an address is off limits: loopback, private, link-local, multicast, reserved, unspecified, not global.

    IPv6 addresses that carry an IPv4 address (mapped, 6to4, Teredo, NAT64) are judged by that address as well.
    """
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return is_forbidden(ip.ipv4_mapped)
        embedded = [ip.sixtofour, ip.teredo[1] if ip.teredo else None]
        if ip in _NAT64:
            embedded.append(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF))
        if any(inner is not None and is_forbidden(inner) for inner in embedded) or ip.is_site_local:
            return True
    return (
        ip.is_loopback
        or ip.is_private
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
        or not ip.is_global
    )


class ForbiddenAddressError(OSError):
    """The bot refused to connect to an address (a connection error to aiohttp, so it ends the request)."""


class AddressGuard:
    """Which addresses the bot may connect to for a user's link: public ones only.

    `allow` lists (address, port) endpoints let through all the same: only tests pass it, for their local servers
    (the fake Discord CDN); production passes nothing.
    """

    def __init__(self, allow: Iterable[tuple[str, int]] = ()) -> None:
        self._allow = frozenset((ipaddress.ip_address(host), port) for host, port in allow)

    def permits(self, host: str, port: int) -> bool:
        """Whether a socket may be opened to host:port (host an IP address; anything else is refused)."""
        try:
            ip = ipaddress.ip_address(host.split("%", 1)[0])  # an IPv6 zone id says nothing about the address
        except ValueError:
            return False
        return (ip, port) in self._allow or not is_forbidden(ip)

    def check(self, host: str, port: int) -> None:
        """Raise ForbiddenAddressError unless host:port is permitted."""
        if not self.permits(host, port):
            raise ForbiddenAddressError(f"refused to connect to a forbidden address ({host} port {port})")


class GuardedResolver(AbstractResolver):
    """The default resolver, with every forbidden address taken out of its answers (none left: an error)."""

    def __init__(self, guard: AddressGuard, inner: AbstractResolver | None = None) -> None:
        self._guard = guard
        self._inner = inner or DefaultResolver()

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        answers = await self._inner.resolve(host, port, family)
        kept = [answer for answer in answers if self._guard.permits(answer["host"], answer["port"])]
        if not kept:
            raise ForbiddenAddressError(f"{host} resolves only to forbidden addresses")
        return kept

    async def close(self) -> None:
        await self._inner.close()


def guarded_socket_factory(guard: AddressGuard) -> Callable[[tuple[Any, ...]], socket.socket]:
    """An aiohttp socket factory that refuses forbidden addresses: the last check before any connect()."""

    def factory(addr_info: tuple[Any, ...]) -> socket.socket:
        family, type_, proto, _, address = addr_info
        guard.check(str(address[0]), int(address[1]))
        return socket.socket(family=family, type=type_, proto=proto)

    return factory


@dataclass(frozen=True, slots=True)
class LinkHead:
    """What a link's final hop says of itself: its type and size, when it says."""

    content_type: str | None
    size: int | None


class LinkRefused(Exception):
    """A link the bot won't use; `reason` is for the log only: users are never told what an address answered."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class LinkChecker:
    """HEAD requests to users' links through a guarded session of its own, redirects followed by hand."""

    def __init__(
        self, guard: AddressGuard | None = None, *, max_hops: int = MAX_HOPS, timeout: float = LINK_TIMEOUT
    ) -> None:
        self.guard = guard or AddressGuard()
        self.max_hops = max_hops
        self._timeout = timeout
        self._session: aiohttp.ClientSession | None = None

    def _open(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(
                resolver=GuardedResolver(self.guard),
                socket_factory=guarded_socket_factory(self.guard),
                limit=20,
            )
            # No cookies kept between users' links, no proxy from the environment.
            self._session = aiohttp.ClientSession(
                connector=connector, cookie_jar=aiohttp.DummyCookieJar(), trust_env=False
            )
        return self._session

    async def close(self) -> None:
        """Close the session; safe to call twice."""
        if self._session is not None:
            session, self._session = self._session, None
            await session.close()

    async def head(self, url: str) -> LinkHead:
        """The final hop's type and size; LinkRefused for a forbidden address, an error, or too many redirects."""
        session = self._open()
        try:
            async with asyncio.timeout(self._timeout):
                return await self._follow(session, yarl.URL(url))
        except LinkRefused:
            raise
        except TimeoutError as error:
            raise LinkRefused("timed out") from error
        except (aiohttp.ClientError, OSError, ValueError) as error:
            raise LinkRefused(_describe(error)) from error

    async def _follow(self, session: aiohttp.ClientSession, url: yarl.URL) -> LinkHead:
        for _ in range(self.max_hops + 1):
            if url.scheme not in ("http", "https") or not url.host:
                raise LinkRefused(f"not an http(s) link ({url.scheme or 'no scheme'})")
            async with session.head(url, allow_redirects=False) as response:
                if response.status in _REDIRECTS:
                    location = response.headers.get("Location")
                    if not location:
                        raise LinkRefused(f"HTTP {response.status} without a Location")
                    url = url.join(yarl.URL(location))
                    continue
                if response.status >= 400:
                    raise LinkRefused(f"HTTP {response.status}")
                return LinkHead(response.headers.get("Content-Type"), response.content_length)
        raise LinkRefused(f"more than {self.max_hops} redirects")


def _describe(error: BaseException) -> str:
    """The error for the log, saying so when the guard was what stopped it."""
    seen: BaseException | None = error
    for _ in range(8):  # aiohttp wraps the socket's error once or twice
        if seen is None:
            break
        if isinstance(seen, ForbiddenAddressError):
            return f"forbidden address: {seen}"
        seen = getattr(seen, "os_error", None) or seen.__cause__ or seen.__context__
    return f"{type(error).__name__}: {error}"
