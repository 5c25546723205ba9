"""Callback mode: the hub, and waiting for a result on callbacks that prove nothing until a status query confirms."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass

import aiohttp
import pytest

from kontext.api.callbacks import (
    CallbackHub,
    RefusalLog,
    callback_signature,
    callback_url,
    signature_ok,
    wait_for_result,
)
from kontext.api.client import KontextClient, RetryPolicy
from kontext.api.errors import GenerationTimedOut
from kontext.api.status import TaskStatus
from kontext.metrics import Metrics
from kontext.models import GenerationRequest
from kontext.web import CallbackServer
from tests.fakes.apixo import FakeApixo

SECRET = "test-callback-secret-0123456789"
FAST = RetryPolicy(attempts=2, base_delay=0.001, max_delay=0.01, max_retry_after=0.01)
INTERVAL, TIMEOUT = 0.02, 5.0
LONG_GRACE = 5.0  # in tests that expect the callback: reaching it would mean the callback was not used


# --- the hub --------------------------------------------------------------------------------------------------


def hint(state: str = "success") -> TaskStatus:
    return TaskStatus(task_id="task_1", state=state)


async def test_callback_hub_wakes_the_waiter() -> None:
    hub = CallbackHub()
    waiter = hub.expect("job1")

    assert hub.notify("job1", hint()) == "woke"
    assert await waiter.wait(1.0) is True
    assert waiter.hint == hint() and waiter.arrivals == 1


async def test_callback_hub_wait_times_out_without_a_callback() -> None:
    hub = CallbackHub()

    assert await hub.wait("job1", 0.01) is False


async def test_callback_hub_consumes_each_wake_up() -> None:
    hub = CallbackHub()
    waiter = hub.expect("job1")
    for _ in range(3):
        hub.notify("job1", hint())  # duplicates before the waiter looks: one wake-up

    assert await waiter.wait(0.01) is True
    assert await waiter.wait(0.01) is False
    assert waiter.arrivals == 3


async def test_callback_hub_keeps_a_callback_that_came_before_the_wait() -> None:
    hub = CallbackHub()

    assert hub.notify("job1", hint()) == "early"
    assert await hub.wait("job1", 0.01) is True


async def test_callback_hub_calls_late_callbacks_duplicates() -> None:
    hub = CallbackHub()
    hub.expect("job1")
    hub.done("job1")

    assert hub.notify("job1", hint()) == "duplicate"
    assert len(hub) == 0


def test_callback_hub_remembers_a_bounded_number_of_early_callbacks() -> None:
    hub = CallbackHub(remember=2)
    for n in range(5):
        hub.notify(f"job{n}")

    assert [hub.expect(f"job{n}").arrivals for n in range(5)] == [0, 0, 0, 1, 1]


def test_callback_hub_counts_on_callbacks_once_one_is_confirmed_until_one_is_missed() -> None:
    now = [0.0]
    hub = CallbackHub(trust_window=60.0, clock=lambda: now[0])
    assert not hub.flowing  # nothing confirmed yet: the public URL may not even be reachable

    hub.confirmed()
    assert hub.flowing
    hub.missed()
    assert not hub.flowing
    hub.confirmed()
    assert hub.flowing
    now[0] = 61.0
    assert not hub.flowing  # a confirmation vouches for the path only so long

    hub.confirmed()
    hub.notify("job-of-another-process", hint())
    assert not hub.flowing  # callbacks may be landing on the wrong process


def test_callback_signature_is_an_hmac_of_the_job_id() -> None:
    signature = callback_signature(SECRET, "job1")

    assert len(signature) == 32 and int(signature, 16) >= 0
    assert signature_ok(SECRET, "job1", signature)
    assert not signature_ok(SECRET, "job2", signature)
    assert not signature_ok("another-secret-0123456789", "job1", signature)
    assert not signature_ok(SECRET, "job1", signature[:-1])
    assert not signature_ok(SECRET, "job1", "é" * 32)  # non-ASCII must not raise
    assert (
        callback_url("https://bot.example.com/", SECRET, "job1") == f"https://bot.example.com/callback/job1/{signature}"
    )


# --- waiting, end to end against the fake API posting callbacks ----------------------------------------------


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
async def world(tmp_path) -> AsyncIterator[CallbackWorld]:
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


async def test_wait_for_result_wakes_on_the_callback_and_confirms_once(world: CallbackWorld) -> None:
    task_id = await world.submit("job1")
    began = time.monotonic()

    status = await world.wait("job1", task_id)

    assert status.state == "success" and status.result_urls
    assert time.monotonic() - began < LONG_GRACE / 2  # woken by the callback, not by the grace running out
    assert world.api.status_calls == 1  # one confirmation, no polling
    assert [c.get("status") for c in world.api.callbacks] == [200]


async def test_wait_for_result_ignores_duplicate_callbacks(world: CallbackWorld) -> None:
    task_id = await world.submit("job1")
    status = await world.wait("job1", task_id)

    for _ in range(3):  # the vendor's retries at 30 s, 2 min, 10 min
        assert await world.api.send_callback(task_id) == 200

    assert status.state == "success"
    assert world.api.status_calls == 1
    assert world.web.metrics.callbacks.labels(outcome="duplicate")._value.get() == 3


async def test_wait_for_result_polls_after_the_grace_when_the_callback_is_lost(world: CallbackWorld) -> None:
    lost = "http://127.0.0.1:9/callback/job1/nowhere"  # the discard port: the vendor's POST fails
    task_id = await world.submit("job1", url=lost)
    began = time.monotonic()

    status = await world.wait("job1", task_id, grace=0.2)

    assert status.state == "success"
    assert time.monotonic() - began >= 0.2
    assert world.api.callbacks and "error" in world.api.callbacks[0]
    assert world.api.status_calls >= 1


async def test_wait_for_result_polls_nothing_past_the_grace_while_callbacks_flow(world: CallbackWorld) -> None:
    await world.wait("job0", await world.submit("job0"))  # a first callback, confirmed: the path works
    assert world.hub.flowing
    world.api.generation_time = 0.4  # far past the grace and many poll intervals
    task_id = await world.submit("job1")
    calls = world.api.status_calls

    status = await world.wait("job1", task_id, grace=0.05)

    assert status.state == "success"
    assert world.api.status_calls - calls == 1  # only the callback's confirmation


async def test_wait_for_result_begun_before_callbacks_flowed_polls_nothing_once_they_do(world: CallbackWorld) -> None:
    world.api.generation_time = 0.6
    slow = await world.submit("job1")
    waiting = asyncio.create_task(world.wait("job1", slow, grace=0.2))  # not flowing yet: it plans a poll at 0.2 s
    world.api.generation_time = 0.005
    await world.wait("job0", await world.submit("job0"))  # a callback confirmed while job1 waits
    calls = world.api.status_calls

    assert (await waiting).state == "success"
    assert world.api.status_calls - calls == 1  # only job1's own confirmation


async def test_wait_for_result_falls_back_to_polling_once_a_callback_is_missed(world: CallbackWorld) -> None:
    await world.wait("job0", await world.submit("job0"))
    lost = "http://127.0.0.1:9/callback/nowhere"  # the discard port: the vendor's POST fails
    world.api.generation_time = 0.1
    first = await world.submit("job1", url=lost)
    world.api.generation_time = 0.8  # still running when the callback path is found broken
    second = await world.submit("job2", url=lost)
    began = time.monotonic()

    # Callbacks flow, so job2 waits without polling; job1 is polled at its limit, found done without its callback.
    waiting = asyncio.create_task(
        wait_for_result(world.hub, world.client, "job2", second, grace=0.05, interval=INTERVAL, timeout=TIMEOUT)
    )
    status = await wait_for_result(world.hub, world.client, "job1", first, grace=0.05, interval=0.02, timeout=0.3)
    assert status.state == "success" and not world.hub.flowing

    assert (await waiting).state == "success"
    assert time.monotonic() - began < TIMEOUT / 2  # job2 went back to polling instead of waiting for its limit


async def test_wait_for_result_trusts_the_status_query_not_the_callback(world: CallbackWorld) -> None:
    world.api.generation_time = 0.5
    task_id = await world.submit("job1")
    # A callback with a valid signature that lies: the task is still running and the URL is someone else's.
    lie = {
        "code": 200,
        "data": {"taskId": task_id, "state": "success", "resultJson": '{"resultUrls":["https://evil/x"]}'},
    }
    waiting = asyncio.create_task(world.wait("job1", task_id))
    await asyncio.sleep(0.02)
    response = await world.post(f"/callback/job1/{callback_signature(SECRET, 'job1')}", lie)

    status = await waiting

    assert response.status == 200
    assert status.state == "success" and status.result_urls[0].startswith(world.api.origin)
    assert world.api.status_calls >= 2  # the lie was checked, found unfinished, and the real callback confirmed


async def test_wait_for_result_reports_a_failed_task(world: CallbackWorld) -> None:
    world.api.outcome(lambda body: ("failed", "NSFW", "flagged"))
    task_id = await world.submit("job1")

    status = await world.wait("job1", task_id)

    assert (status.state, status.fail_code) == ("failed", "NSFW")
    assert world.api.callbacks[0]["body"]["code"] == 400


async def test_wait_for_result_times_out_when_the_task_never_ends(world: CallbackWorld) -> None:
    world.api.outcome(lambda body: "never")
    task_id = await world.submit("job1")

    with pytest.raises(GenerationTimedOut):
        await wait_for_result(world.hub, world.client, "job1", task_id, grace=0.05, interval=0.02, timeout=0.2)
    assert len(world.hub) == 0


async def test_wait_for_result_reports_unfinished_states(world: CallbackWorld) -> None:
    world.api.generation_time = 0.2
    seen: list[str] = []

    async def on_status(status: TaskStatus) -> None:
        seen.append(status.state)

    task_id = await world.submit("job1", url="http://127.0.0.1:9/lost")
    status = await wait_for_result(
        world.hub, world.client, "job1", task_id, grace=0.01, interval=INTERVAL, timeout=TIMEOUT, on_status=on_status
    )

    assert status.state == "success"
    assert "processing" in seen


async def test_wait_for_result_uses_the_gate_for_status_queries(world: CallbackWorld) -> None:
    gate = asyncio.Semaphore(1)
    task_id = await world.submit("job1")
    async with gate:
        waiting = asyncio.create_task(
            wait_for_result(
                world.hub,
                world.client,
                "job1",
                task_id,
                grace=LONG_GRACE,
                interval=INTERVAL,
                timeout=TIMEOUT,
                gate=gate,
            )
        )
        await asyncio.sleep(0.3)  # the callback has come, but the gate is held
        assert world.api.status_calls == 0 and not waiting.done()

    assert (await waiting).state == "success"


async def test_callback_endpoint_refuses_a_forged_signature_and_queries_nothing(world: CallbackWorld) -> None:
    world.api.outcome(lambda body: "never")
    task_id = await world.submit("job1")
    waiter = world.hub.expect("job1")
    body = {
        "code": 200,
        "data": {"taskId": task_id, "state": "success", "resultJson": '{"resultUrls":["https://x/y"]}'},
    }

    forged = await world.post(f"/callback/job1/{callback_signature('not-the-secret-0123456789', 'job1')}", body)
    other_job = await world.post(f"/callback/job1/{callback_signature(SECRET, 'job2')}", body)
    unsigned = await world.post("/callback/job1", body)
    await asyncio.sleep(0.05)

    assert (forged.status, other_job.status, unsigned.status) == (403, 403, 403)
    assert waiter.arrivals == 0 and world.api.status_calls == 0
    assert world.web.metrics.callbacks.labels(outcome="forged")._value.get() == 3


async def test_a_flood_of_forged_callbacks_writes_a_count_not_a_line_each(
    world: CallbackWorld, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    world.api.outcome(lambda body: "never")
    task_id = await world.submit("job1")
    waiter = world.hub.expect("job1")
    bad = callback_signature("not-the-secret-0123456789", "job1")
    for n in range(300):
        response = await world.post(
            f"/callback/job1/{bad}" if n % 2 else "/callback/job1", {"data": {"taskId": task_id}}
        )
        assert response.status == 403
    await world.web.close()  # writes what was counted since the last line

    lines = [record.getMessage() for record in caplog.records if "forged" in record.getMessage()]
    assert len(lines) == 2, lines
    assert lines[0].startswith("refused 1 forged callback ") and lines[1].startswith("refused 299 forged callbacks")
    assert waiter.arrivals == 0 and world.api.status_calls == 0


def test_refusal_log_writes_at_most_one_line_per_period(caplog: pytest.LogCaptureFixture) -> None:
    now = [0.0]
    refusals = RefusalLog(period=60.0, clock=lambda: now[0])
    for _ in range(10_000):  # 10,000 refusals over 10 minutes
        now[0] += 0.06
        refusals.refused("a bad signature")
    refusals.flush()

    counts = [int(record.getMessage().split()[1]) for record in caplog.records]
    assert sum(counts) == 10_000
    assert len(counts) <= 600 / 60 + 2


@pytest.mark.parametrize(
    "body",
    [b"not json", b"[1, 2]", b'{"code": 200}', b'{"code": 200, "data": {"state": "success"}}'],
    ids=["not-json", "not-object", "no-data", "no-task-id"],
)
async def test_callback_endpoint_refuses_a_malformed_body(world: CallbackWorld, body: bytes) -> None:
    waiter = world.hub.expect("job1")

    response = await world.post(f"/callback/job1/{callback_signature(SECRET, 'job1')}", data=body)

    assert response.status == 400
    assert waiter.arrivals == 0


async def test_callback_endpoint_answers_at_once_while_the_status_query_hangs(world: CallbackWorld) -> None:
    world.api.generation_time = 0.01
    world.api.hang_status(times=None)
    task_id = await world.submit("job1", url="http://127.0.0.1:9/lost")
    await asyncio.sleep(0.05)
    waiting = asyncio.create_task(world.wait("job1", task_id))
    await asyncio.sleep(0.01)
    began = time.monotonic()

    answer = await world.api.send_callback(task_id, world.url_for("job1"))

    assert answer == 200 and time.monotonic() - began < 0.5
    await asyncio.sleep(0.05)
    assert world.api.status_calls == 1  # the waiter asked, on its own time, and is still waiting
    waiting.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiting


async def test_wait_for_result_asks_again_after_status_errors_confirming_a_callback(world: CallbackWorld) -> None:
    task_id = await world.submit("job1")
    world.api.fail_status(500, times=9)  # three times the client's own attempts: the image is paid for already

    status = await world.wait("job1", task_id)

    assert status.state == "success" and status.result_urls
