"""Callback mode: the hub, the signed URLs, and the endpoint that refuses what is not signed."""

from __future__ import annotations

import asyncio
import logging
import time

import pytest

from kontext.api.callbacks import CallbackHub, RefusalLog, callback_signature, callback_url, signature_ok
from kontext.api.status import TaskStatus
from tests.api import callback_support
from tests.api.callback_support import SECRET, CallbackWorld

world = callback_support.world


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

    assert await hub.expect("job1").wait(0.01) is False


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
    assert await hub.expect("job1").wait(0.01) is True


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


# --- the endpoint ---------------------------------------------------------------------------------------------


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
