"""The one wait loop: callback mode (a callback wakes it, a status query confirms) and polling mode (the plan)."""

from __future__ import annotations

import asyncio
import time

import pytest

from kontext.api.callbacks import callback_signature
from kontext.api.errors import ApiConnectionError, GenerationFailed, GenerationTimedOut, KontextError
from kontext.api.status import TaskStatus
from kontext.jobs.gate import StatusGate
from kontext.jobs.waiting import TaskWaiter, status_backoff
from kontext.polling.policy import PollSchedule
from tests.api import callback_support
from tests.api.callback_support import INTERVAL, LONG_GRACE, SECRET, TIMEOUT, CallbackWorld, wait_for_result

world = callback_support.world


# --- callback mode, end to end against the fake API posting callbacks -------------------------------------------


async def test_callback_wait_wakes_on_the_callback_and_confirms_once(world: CallbackWorld) -> None:
    task_id = await world.submit("job1")
    began = time.monotonic()

    status = await world.wait("job1", task_id)

    assert status.state == "success" and status.result_urls
    assert time.monotonic() - began < LONG_GRACE / 2  # woken by the callback, not by the grace running out
    assert world.api.status_calls == 1  # one confirmation, no polling
    assert [c.get("status") for c in world.api.callbacks] == [200]


async def test_callback_wait_ignores_duplicate_callbacks(world: CallbackWorld) -> None:
    task_id = await world.submit("job1")
    status = await world.wait("job1", task_id)

    for _ in range(3):  # the vendor's retries at 30 s, 2 min, 10 min
        assert await world.api.send_callback(task_id) == 200

    assert status.state == "success"
    assert world.api.status_calls == 1
    assert world.web.metrics.callbacks.labels(outcome="duplicate")._value.get() == 3


async def test_callback_wait_polls_after_the_grace_when_the_callback_is_lost(world: CallbackWorld) -> None:
    lost = "http://127.0.0.1:9/callback/job1/nowhere"  # the discard port: the vendor's POST fails
    task_id = await world.submit("job1", url=lost)
    began = time.monotonic()

    status = await world.wait("job1", task_id, grace=0.2)

    assert status.state == "success"
    assert time.monotonic() - began >= 0.2
    assert world.api.callbacks and "error" in world.api.callbacks[0]
    assert world.api.status_calls >= 1


async def test_callback_wait_polls_nothing_past_the_grace_while_callbacks_flow(world: CallbackWorld) -> None:
    await world.wait("job0", await world.submit("job0"))  # a first callback, confirmed: the path works
    assert world.hub.flowing
    world.api.generation_time = 0.4  # far past the grace and many poll intervals
    task_id = await world.submit("job1")
    calls = world.api.status_calls

    status = await world.wait("job1", task_id, grace=0.05)

    assert status.state == "success"
    assert world.api.status_calls - calls == 1  # only the callback's confirmation


async def test_callback_wait_begun_before_callbacks_flowed_polls_nothing_once_they_do(world: CallbackWorld) -> None:
    world.api.generation_time = 1.5  # far longer than job0 takes, even on a loaded machine
    slow = await world.submit("job1")
    waiting = asyncio.create_task(world.wait("job1", slow, grace=0.2))  # not flowing yet: it plans a poll at 0.2 s
    world.api.generation_time = 0.005
    await world.wait("job0", await world.submit("job0"))  # a callback confirmed while job1 waits
    calls = world.api.status_calls

    assert (await waiting).state == "success"
    assert world.api.status_calls - calls == 1  # only job1's own confirmation


async def test_callback_wait_falls_back_to_polling_once_a_callback_is_missed(world: CallbackWorld) -> None:
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


async def test_callback_wait_trusts_the_status_query_not_the_callback(world: CallbackWorld) -> None:
    world.api.generation_time = 1.5  # the lie is checked long before the task ends, even on a loaded machine
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


async def test_callback_wait_reports_a_failed_task(world: CallbackWorld) -> None:
    world.api.outcome(lambda body: ("failed", "NSFW", "flagged"))
    task_id = await world.submit("job1")

    with pytest.raises(GenerationFailed) as failed:
        await world.wait("job1", task_id)

    assert failed.value.fail_code == "NSFW" and failed.value.task_id == task_id
    assert world.api.callbacks[0]["body"]["code"] == 400
    assert world.hub.flowing and len(world.hub) == 0  # the callback was confirmed, and the waiter let go


async def test_callback_wait_times_out_when_the_task_never_ends(world: CallbackWorld) -> None:
    world.api.outcome(lambda body: "never")
    task_id = await world.submit("job1")

    with pytest.raises(GenerationTimedOut):
        await wait_for_result(world.hub, world.client, "job1", task_id, grace=0.05, interval=0.02, timeout=0.2)
    assert len(world.hub) == 0


async def test_callback_wait_reports_unfinished_states(world: CallbackWorld) -> None:
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


async def test_callback_wait_uses_the_gate_for_status_queries(world: CallbackWorld) -> None:
    gate = StatusGate(1)
    task_id = await world.submit("job1")
    async with gate.slot():
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


async def test_callback_wait_asks_again_after_status_errors_confirming_a_callback(world: CallbackWorld) -> None:
    task_id = await world.submit("job1")
    world.api.fail_status(500, times=9)  # three times the client's own attempts: the image is paid for already

    status = await world.wait("job1", task_id)

    assert status.state == "success" and status.result_urls


# --- polling mode: the plan gives the delays -------------------------------------------------------------------


class Scripted:
    """A status source answering from a script: a state, or an error to raise; the last entry repeats."""

    def __init__(self, *answers: str | KontextError) -> None:
        self.answers = list(answers)
        self.calls = 0

    async def status(self, task_id: str) -> TaskStatus:
        answer = self.answers[min(self.calls, len(self.answers) - 1)]
        self.calls += 1
        if isinstance(answer, KontextError):
            raise answer
        if answer == "success":
            return TaskStatus(task_id=task_id, state="success", result_urls=("https://r/1.png",))
        if answer == "failed":
            return TaskStatus(task_id=task_id, state="failed", fail_code="NSFW", fail_msg="flagged")
        return TaskStatus(task_id=task_id, state=answer)


class NotingPlan(PollSchedule):
    """The fixed schedule, remembering what it was told."""

    def __init__(self, **timing: float) -> None:
        super().__init__(**timing)
        object.__setattr__(self, "seen", [])

    def note(self, state: str, at: float) -> None:
        self.seen.append(state)  # type: ignore[attr-defined]


PLAN = {"first_delay": 0.01, "interval": 0.01, "timeout": 0.3}


async def test_polling_wait_follows_the_plan_and_tells_it_every_answer() -> None:
    source = Scripted("pending", "processing", "success")
    plan = NotingPlan(**PLAN)
    unfinished: list[str] = []

    async def on_status(status: TaskStatus) -> None:
        unfinished.append(status.state)

    status = await TaskWaiter(source, interval=0.01).wait("job1", "t1", plan, timeout=0.3, on_status=on_status)

    assert status.state == "success" and source.calls == 3
    assert plan.seen == ["pending", "processing", "success"]  # type: ignore[attr-defined]
    assert unfinished == ["pending", "processing"]


class RevisingPlan(PollSchedule):
    """A fixed schedule whose first poll, due late, is moved early the second time the wait asks about it."""

    def __init__(self, **timing: float) -> None:
        super().__init__(**timing)
        object.__setattr__(self, "asked", [])

    def revise(self, due: float) -> tuple[float, float | None]:
        self.asked.append(due)  # type: ignore[attr-defined]
        return (due, 0.01) if len(self.asked) < 2 else (0.02, None)  # type: ignore[attr-defined]


async def test_polling_wait_polls_when_the_plan_moved_the_poll_while_it_waited() -> None:
    source = Scripted("success")
    plan = RevisingPlan(first_delay=30.0, interval=0.01, timeout=60.0)

    status = await asyncio.wait_for(TaskWaiter(source, interval=0.01).wait("job1", "t1", plan, timeout=60.0), 5.0)

    assert status.state == "success" and source.calls == 1
    assert plan.asked == [pytest.approx(30.0, abs=0.5), pytest.approx(30.0, abs=0.5)]  # type: ignore[attr-defined]


async def test_polling_wait_reports_a_failed_task() -> None:
    with pytest.raises(GenerationFailed) as failed:
        await TaskWaiter(Scripted("failed"), interval=0.01).wait("job1", "t1", NotingPlan(**PLAN), timeout=0.3)
    assert failed.value.fail_code == "NSFW"


async def test_polling_wait_times_out_when_the_plan_runs_out() -> None:
    source = Scripted("processing")
    began = time.monotonic()
    with pytest.raises(GenerationTimedOut):
        await TaskWaiter(source, interval=0.01).wait("job1", "t1", NotingPlan(**PLAN), timeout=0.3)
    assert 0.3 <= time.monotonic() - began < 2.5
    assert source.calls > 2


async def test_polling_wait_asks_again_after_status_errors_with_a_growing_pause() -> None:
    source = Scripted(ApiConnectionError("down"), ApiConnectionError("down"), ApiConnectionError("down"), "success")
    began = time.monotonic()

    status = await TaskWaiter(source, interval=0.02).wait("job1", "t1", NotingPlan(**PLAN), timeout=5.0)

    assert status.state == "success" and source.calls == 4
    assert time.monotonic() - began >= 0.01 + 0.02 + 0.04 + 0.08 - 0.01  # the first delay, then 1, 2, 4 intervals


async def test_polling_wait_raises_the_status_error_that_lasted_to_the_limit() -> None:
    source = Scripted(ApiConnectionError("still down"))
    began = time.monotonic()

    with pytest.raises(ApiConnectionError):
        await TaskWaiter(source, interval=0.01).wait("job1", "t1", NotingPlan(**PLAN), timeout=0.3)

    assert 0.3 <= time.monotonic() - began < 2.5  # asked again until the limit, not given up early
    assert source.calls >= 4


def test_status_backoff_doubles_up_to_its_cap() -> None:
    assert [status_backoff(n, 2.5) for n in (1, 2, 3, 4, 5, 6)] == [2.5, 5.0, 10.0, 20.0, 30.0, 30.0]


class RankedPlan(PollSchedule):
    """A fixed schedule whose polls rank at the status gate as it says."""

    def __init__(self, chance: float, **timing: float) -> None:
        super().__init__(**timing)
        object.__setattr__(self, "chance", chance)

    def urgency(self, at: float) -> tuple[float, float | None]:
        return self.chance, None  # type: ignore[attr-defined]


async def test_polling_wait_ranks_its_poll_at_the_status_gate_by_its_plan() -> None:
    asked: list[str] = []

    class Recording:
        async def status(self, task_id: str) -> TaskStatus:
            asked.append(task_id)
            return TaskStatus(task_id=task_id, state="success", result_urls=("https://r/1.png",))

    gate = StatusGate(1, max_wait=60.0)
    waiter = TaskWaiter(Recording(), interval=0.01, gate=gate)
    timing = {"first_delay": 0.0, "interval": 0.01, "timeout": 5.0}
    await gate.acquire()
    unlikely = asyncio.create_task(waiter.wait("job1", "unlikely", RankedPlan(0.1, **timing), timeout=5.0))
    await asyncio.sleep(0.05)  # queued first
    likely = asyncio.create_task(waiter.wait("job2", "likely", RankedPlan(0.9, **timing), timeout=5.0))
    await asyncio.sleep(0.05)
    assert gate.waiting == 2 and not asked

    gate.release()
    await asyncio.wait_for(asyncio.gather(unlikely, likely), 5.0)
    assert asked == ["likely", "unlikely"] and gate.in_flight == 0
