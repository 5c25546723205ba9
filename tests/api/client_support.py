"""What the KontextClient tests share: the fake image API, one session, a recording sleep and a client on them."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator, Callable
from typing import Any

import aiohttp
import pytest

from kontext.api.client import KontextClient
from kontext.api.status import TaskStatus
from kontext.models import GenerationRequest
from tests.fakes.apixo import FakeApixo

KEY = "sk-test-Secret-7f3a9c1e5b"


REQUEST = GenerationRequest("a red fox in the snow", aspect_ratio="1:1")


MakeClient = Callable[..., KontextClient]


class RecordingSleep:
    """Stands in for asyncio.sleep: records the backoff delays without waiting."""

    def __init__(self, on_sleep: Callable[[float], Any] | None = None) -> None:
        self.delays: list[float] = []
        self.on_sleep = on_sleep

    async def __call__(self, delay: float) -> None:
        self.delays.append(delay)
        if self.on_sleep is not None:
            await self.on_sleep(delay)


@pytest.fixture
async def api() -> AsyncIterator[FakeApixo]:
    fake = FakeApixo(api_key=KEY)
    await fake.start()
    yield fake
    await fake.close()


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as opened:
        yield opened


@pytest.fixture
def sleep() -> RecordingSleep:
    return RecordingSleep()


@pytest.fixture
def make_client(session: aiohttp.ClientSession, api: FakeApixo, sleep: RecordingSleep) -> MakeClient:
    """A client on the fake with a recording sleep and a fixed jitter of one half; options override."""

    def make(**options: Any) -> KontextClient:
        options.setdefault("sleep", sleep)
        options.setdefault("rng", lambda: 0.5)
        options.setdefault("request_timeout", 5.0)
        base_url = options.pop("base_url", api.base_url)
        return KontextClient(session, options.pop("api_key", KEY), base_url, **options)

    return make


@pytest.fixture
def client(make_client: MakeClient) -> KontextClient:
    return make_client()


def closed_port() -> int:
    """A local port nothing listens on (connections to it are refused)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


async def finished(client: KontextClient, api: FakeApixo, task_id: str) -> TaskStatus:
    """Poll until the fake's (fast) task is done."""
    api.tasks[task_id].generation_time = 0.0  # done at the next poll
    status = await client.status(task_id)
    assert status.done
    return status
