"""What the callback tests share: the fake image API posting callbacks to the bot's callback endpoint, and a wait."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass

import aiohttp
import pytest

from kontext.api.callbacks import CallbackHub, callback_url
from kontext.api.client import KontextClient, RetryPolicy
from kontext.api.status import TaskStatus
from kontext.jobs.gate import StatusGate
from kontext.jobs.waiting import TaskWaiter
from kontext.metrics import Metrics
from kontext.models import GenerationRequest
from kontext.polling.policy import PollSchedule
from kontext.web import CallbackServer
from tests.fakes.apixo import FakeApixo

SECRET = "test-callback-secret-0123456789"
FAST = RetryPolicy(attempts=2, base_delay=0.001, max_delay=0.01, max_retry_after=0.01)
INTERVAL, TIMEOUT = 0.02, 5.0
LONG_GRACE = 5.0  # in tests that expect the callback: reaching it would mean the callback was not used


async def wait_for_result(
    hub: CallbackHub,
    client: KontextClient,
    job_id: str,
    task_id: str,
    *,
    grace: float,
    interval: float,
    timeout: float,  # noqa: ASYNC109 - the task's limit
    gate: StatusGate | None = None,
    on_status: Callable[[TaskStatus], Awaitable[None]] | None = None,
) -> TaskStatus:
    """The one wait loop in callback mode (a fixed plan: only its notes matter there)."""
    waiter = TaskWaiter(client, interval=interval, gate=gate, callbacks=hub, grace=grace)
    return await waiter.wait(job_id, task_id, PollSchedule(), timeout=timeout, on_status=on_status)


@dataclass
class CallbackWorld:
    api: FakeApixo
    client: KontextClient
    hub: CallbackHub
    web: CallbackServer
    session: aiohttp.ClientSession

    def url_for(self, job_id: str) -> str:
        return callback_url(self.web.url, SECRET, job_id)

    async def submit(self, job_id: str, *, url: str | None = None) -> str:
        return await self.client.submit(
            GenerationRequest(prompt="a lighthouse"), callback_url=url or self.url_for(job_id)
        )

    async def post(self, path: str, body: object = None, *, data: bytes | None = None) -> aiohttp.ClientResponse:
        async with self.session.post(self.web.url + path, json=body if data is None else None, data=data) as response:
            await response.read()
            return response

    async def wait(self, job_id: str, task_id: str, *, grace: float = LONG_GRACE) -> TaskStatus:
        return await wait_for_result(
            self.hub, self.client, job_id, task_id, grace=grace, interval=INTERVAL, timeout=TIMEOUT
        )


@pytest.fixture
async def world() -> AsyncIterator[CallbackWorld]:
    api = FakeApixo()
    await api.start()
    session = aiohttp.ClientSession()
    hub = CallbackHub()
    web = CallbackServer(host="127.0.0.1", port=0, hub=hub, callback_secret=SECRET, metrics=Metrics())
    await web.start()
    client = KontextClient(session, "test-api-key", api.base_url, request_timeout=2.0, retry=FAST)
    try:
        yield CallbackWorld(api=api, client=client, hub=hub, web=web, session=session)
    finally:
        await web.close()
        await api.close()
        await session.close()
