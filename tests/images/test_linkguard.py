"""The link guard: which addresses a user's link may reach, checked on every resolved address and every hop."""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import pytest
from aiohttp.abc import AbstractResolver, ResolveResult

from kontext.images.linkguard import (
    AddressGuard,
    ForbiddenAddressError,
    GuardedResolver,
    LinkChecker,
    LinkRefused,
    is_forbidden,
)
from tests.images.link_support import Listener, Redirector, counting_listener, redirect_server


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "127.8.9.10",
        "10.0.0.5",
        "172.16.3.4",
        "192.168.1.1",
        "169.254.169.254",  # cloud metadata
        "100.64.0.1",  # shared address space (carrier-grade NAT)
        "0.0.0.0",
        "224.0.0.1",
        "240.0.0.1",
        "255.255.255.255",
        "::1",
        "::",
        "fe80::1",
        "fc00::1",
        "fd12:3456::1",
        "ff02::1",
        "fec0::1",  # site-local
        "::ffff:127.0.0.1",  # IPv4-mapped
        "::ffff:10.1.2.3",
        "::ffff:169.254.169.254",
        "2002:7f00:1::1",  # 6to4 around 127.0.0.1
        "2002:a00:1::1",  # 6to4 around 10.0.0.1
        "64:ff9b::7f00:1",  # NAT64 around 127.0.0.1
        "64:ff9b::a9fe:a9fe",  # NAT64 around 169.254.169.254
        "2001:db8::1",  # documentation
    ],
)
def test_is_forbidden_refuses_every_non_public_address(address: str) -> None:
    assert is_forbidden(ipaddress.ip_address(address))


@pytest.mark.parametrize("address", ["8.8.8.8", "162.159.128.233", "2606:4700::6810:84e5", "::ffff:8.8.8.8"])
def test_is_forbidden_lets_public_addresses_through(address: str) -> None:
    assert not is_forbidden(ipaddress.ip_address(address))


def test_address_guard_allows_only_the_listed_endpoints_on_loopback() -> None:
    guard = AddressGuard([("127.0.0.1", 8000)])
    assert guard.permits("127.0.0.1", 8000)
    assert not guard.permits("127.0.0.1", 8001), "an allowed endpoint is one port, not the whole address"
    assert not guard.permits("localhost", 8000), "only addresses are judged, never names"
    assert not AddressGuard().permits("127.0.0.1", 8000), "production allows nothing private"
    assert AddressGuard().permits("8.8.8.8", 443)


@dataclass
class StaticResolver(AbstractResolver):
    """Answers every name with the same addresses, as a hostile DNS record would."""

    addresses: list[str]
    asked: list[str] = field(default_factory=list)

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        self.asked.append(host)
        return [
            {
                "hostname": host,
                "host": address,
                "port": port,
                "family": socket.AF_INET6 if ":" in address else socket.AF_INET,
                "proto": 0,
                "flags": 0,
            }
            for address in self.addresses
        ]

    async def close(self) -> None:
        pass


async def test_guarded_resolver_drops_forbidden_answers_and_refuses_when_none_are_left() -> None:
    mixed = GuardedResolver(AddressGuard(), StaticResolver(["10.0.0.1", "8.8.8.8", "::ffff:127.0.0.1"]))
    assert [answer["host"] for answer in await mixed.resolve("mixed.example", 443)] == ["8.8.8.8"]
    private = GuardedResolver(AddressGuard(), StaticResolver(["127.0.0.1", "169.254.169.254"]))
    with pytest.raises(ForbiddenAddressError):
        await private.resolve("rebind.example", 80)


@pytest.fixture
async def listener() -> AsyncIterator[Listener]:
    async with counting_listener() as found:
        yield found


@pytest.fixture
async def redirector() -> AsyncIterator[Redirector]:
    async with redirect_server() as found:
        yield found


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "[::1]", "[::ffff:127.0.0.1]", "127.1", "2130706433"])
async def test_link_checker_never_connects_to_a_forbidden_address(listener: Listener, host: str) -> None:
    checker = LinkChecker()
    try:
        with pytest.raises(LinkRefused):
            await checker.head(f"http://{host}:{listener.port}/secret.png")
    finally:
        await checker.close()
    assert listener.connections == 0


@pytest.mark.parametrize("target", ["127.0.0.1", "localhost"])
async def test_link_checker_follows_no_redirect_to_a_forbidden_address(
    listener: Listener, redirector: Redirector, target: str
) -> None:
    checker = LinkChecker(AddressGuard([redirector.endpoint]))
    try:
        with pytest.raises(LinkRefused) as refused:
            await checker.head(redirector.to(f"http://{target}:{listener.port}/secret.png"))
    finally:
        await checker.close()
    assert listener.connections == 0
    assert "forbidden" in refused.value.reason


async def test_link_checker_reads_an_allowed_endpoint_and_gives_up_after_the_hop_limit(
    listener: Listener, redirector: Redirector
) -> None:
    checker = LinkChecker(AddressGuard([("127.0.0.1", listener.port), redirector.endpoint]), max_hops=2)
    try:
        head = await checker.head(redirector.to(listener.url))
        assert (head.content_type, head.size, listener.connections) == ("image/png", 100, 1)
        with pytest.raises(LinkRefused, match="redirects"):
            await checker.head(redirector.to(redirector.to(redirector.to(listener.url))))
    finally:
        await checker.close()
    assert listener.connections == 1


async def test_link_checker_refuses_links_that_are_not_http(listener: Listener) -> None:
    checker = LinkChecker()
    try:
        with pytest.raises(LinkRefused):
            await checker.head(f"file:///etc/passwd?{listener.port}")
    finally:
        await checker.close()
