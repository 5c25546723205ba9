"""The simulated image API end to end with the real client, and the fake's own promises."""

from __future__ import annotations

import asyncio
import io
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from PIL import Image

from kontext.api.client import KontextClient, RetryPolicy
from kontext.api.errors import AuthenticationError, BadRequestError, FailureFamily, NotFoundError, failure_family
from kontext.api.status import TaskStatus
from kontext.models import ASPECT_RATIOS, GenerationRequest
from kontext.simulator.render import image_dimensions
from kontext.simulator.server import SimulatedApi
from tests.fakes.apixo import FakeApixo

SIZE = 256


class ManualClock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as opened:
        yield opened


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
async def sim(clock: ManualClock) -> AsyncIterator[SimulatedApi]:
    simulated = SimulatedApi(generation_time=12.0, pending_time=1.0, image_size=SIZE, clock=clock)
    await simulated.start()
    yield simulated
    await simulated.close()


@pytest.fixture
def client(session: aiohttp.ClientSession, sim: SimulatedApi) -> KontextClient:
    return KontextClient(session, "any-key", sim.base_url, retry=RetryPolicy(attempts=1))


@pytest.fixture
async def image_host() -> AsyncIterator[str]:
    """A small web server with a solid red 300x200 PNG at /red.png; yields its origin."""
    buffer = io.BytesIO()
    Image.new("RGB", (300, 200), (230, 20, 20)).save(buffer, "PNG")
    picture = buffer.getvalue()

    async def red(request: web.Request) -> web.Response:
        return web.Response(body=picture, content_type="image/png")

    app = web.Application()
    app.router.add_get("/red.png", red)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    host, port = runner.addresses[0][:2]
    yield f"http://{host}:{port}"
    await runner.cleanup()


def opened(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


async def run_to_success(client: KontextClient, clock: ManualClock, request: GenerationRequest) -> TaskStatus:
    task_id = await client.submit(request)
    clock.now += 60
    status = await client.status(task_id)
    assert status.state == "success"
    return status


# --- the task's life ----------------------------------------------------------------------------------------------


async def test_simulator_walks_a_task_through_its_states(
    client: KontextClient, sim: SimulatedApi, clock: ManualClock
) -> None:
    task_id = await client.submit(GenerationRequest("a lighthouse in a storm"))
    assert task_id.startswith("task_") and sim.tasks[task_id].body == sim.submits[0]
    assert (await client.status(task_id)).state == "pending"
    clock.now = 1.5
    assert (await client.status(task_id)).state == "processing"
    clock.now = 11.9
    assert (await client.status(task_id)).state == "processing"
    clock.now = 12.0
    status = await client.status(task_id)
    assert status.state == "success" and status.cost_time_ms == 12000
    reported = sim.status_data(sim.tasks[task_id])
    assert reported["completeTime"] == reported["createTime"] + 12000
    assert sim.status_calls == 4


@pytest.mark.parametrize("output_format", ["jpeg", "png"])
@pytest.mark.parametrize("aspect_ratio", ASPECT_RATIOS)
async def test_simulator_result_has_the_requested_format_and_ratio(
    client: KontextClient, sim: SimulatedApi, clock: ManualClock, aspect_ratio: str, output_format: str
) -> None:
    request = GenerationRequest("a cat astronaut", aspect_ratio=aspect_ratio, output_format=output_format)
    status = await run_to_success(client, clock, request)
    assert status.result_urls[0].endswith(f".{output_format}")
    image = opened(await client.download(status.result_urls[0], max_bytes=10_000_000))
    assert image.format == output_format.upper()
    across, down = (int(part) for part in aspect_ratio.split(":"))
    assert max(image.size) == SIZE
    assert abs(image.width / image.height - across / down) < 0.01
    assert sim.downloads == 1


async def test_simulator_result_shows_the_prompt_so_prompts_differ(client: KontextClient, clock: ManualClock) -> None:
    first = await run_to_success(client, clock, GenerationRequest("a red fox"))
    second = await run_to_success(client, clock, GenerationRequest("a blue whale"))
    a = await client.download(first.result_urls[0], max_bytes=10_000_000)
    b = await client.download(second.result_urls[0], max_bytes=10_000_000)
    assert a != b


async def test_simulator_serves_the_same_bytes_every_time(client: KontextClient, clock: ManualClock) -> None:
    status = await run_to_success(client, clock, GenerationRequest("a red fox"))
    first, again = await asyncio.gather(
        client.download(status.result_urls[0], max_bytes=10_000_000),
        client.download(status.result_urls[0], max_bytes=10_000_000),
    )
    assert first == again


async def test_simulator_edit_uses_the_input_image(client: KontextClient, clock: ManualClock, image_host: str) -> None:
    request = GenerationRequest("make it a poster", aspect_ratio="1:1", image_url=f"{image_host}/red.png")
    status = await run_to_success(client, clock, request)
    image = opened(await client.download(status.result_urls[0], max_bytes=10_000_000)).convert("RGB")
    r, g, b = image.getpixel((2, 2))  # type: ignore[misc]
    assert r > 120 and r > g + 60 and r > b + 60  # red under a tint, not the prompt's gradient
    assert image.size == (SIZE, SIZE)


async def test_simulator_edit_of_its_own_result(client: KontextClient, clock: ManualClock) -> None:
    first = await run_to_success(client, clock, GenerationRequest("a castle", aspect_ratio="16:9"))
    edit = GenerationRequest("now at night", aspect_ratio="9:16", image_url=first.result_urls[0], output_format="png")
    second = await run_to_success(client, clock, edit)
    image = opened(await client.download(second.result_urls[0], max_bytes=10_000_000))
    assert image.format == "PNG" and image.size == image_dimensions("9:16", SIZE)


async def test_simulator_edit_falls_back_when_the_input_cannot_be_fetched(
    client: KontextClient, clock: ManualClock, image_host: str
) -> None:
    request = GenerationRequest("make it a poster", image_url=f"{image_host}/missing.png")
    status = await run_to_success(client, clock, request)
    image = opened(await client.download(status.result_urls[0], max_bytes=10_000_000))
    assert image.size == image_dimensions("16:9", SIZE)


async def test_simulator_generation_time_can_depend_on_the_body(session: aiohttp.ClientSession) -> None:
    clock = ManualClock()
    sim = SimulatedApi(generation_time=lambda body: 30.0 if body["input"]["mode"] == "max" else 10.0, clock=clock)
    await sim.start()
    try:
        client = KontextClient(session, "k", sim.base_url)
        pro = await client.submit(GenerationRequest("a", mode="pro"))
        most = await client.submit(GenerationRequest("a", mode="max"))
        clock.now = 15
        assert (await client.status(pro)).state == "success"
        assert (await client.status(most)).state == "processing"
    finally:
        await sim.close()


async def test_simulator_charges_the_balance(client: KontextClient, sim: SimulatedApi) -> None:
    before = await client.balance()
    await client.submit(GenerationRequest("a", mode="max"))
    assert await client.balance() == pytest.approx(before - 0.06)


async def test_simulator_sends_callbacks(session: aiohttp.ClientSession) -> None:
    received: asyncio.Queue[dict[str, Any]] = asyncio.Queue()

    async def callback(request: web.Request) -> web.Response:
        await received.put(await request.json())
        return web.Response(text="ok")

    app = web.Application()
    app.router.add_post("/callback", callback)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    host, port = runner.addresses[0][:2]
    sim = FakeApixo(generation_time=0.01)
    await sim.start()
    try:
        client = KontextClient(session, "k", sim.base_url)
        task_id = await client.submit(GenerationRequest("a"), callback_url=f"http://{host}:{port}/callback")
        envelope = await asyncio.wait_for(received.get(), 5)
        status = TaskStatus.from_data(envelope["data"])
        assert envelope["code"] == 200 and status.task_id == task_id and status.state == "success"
        assert await sim.send_callback(task_id) == 200  # the vendor repeats callbacks; so can the simulator
        assert (await received.get())["data"]["taskId"] == task_id
        assert [record["status"] for record in sim.callbacks] == [200, 200]
    finally:
        await sim.close()
        await runner.cleanup()


# --- refusals -----------------------------------------------------------------------------------------------------


GOOD_INPUT = {"mode": "pro", "prompt": "a fox", "aspect_ratio": "16:9"}


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ({"input": GOOD_INPUT}, "request_type"),
        ({"request_type": "sync", "input": GOOD_INPUT}, "request_type"),
        ({"request_type": "callback", "input": GOOD_INPUT}, "callback_url"),
        ({"request_type": "async"}, "input"),
        ({"request_type": "async", "input": {**GOOD_INPUT, "mode": "ultra"}}, "mode"),
        ({"request_type": "async", "input": {"mode": "pro", "aspect_ratio": "16:9"}}, "prompt"),
        ({"request_type": "async", "input": {**GOOD_INPUT, "prompt": "   "}}, "prompt"),
        ({"request_type": "async", "input": {**GOOD_INPUT, "prompt": "x" * 10_001}}, "prompt"),
        ({"request_type": "async", "input": {"mode": "pro", "prompt": "a"}}, "aspect_ratio"),
        ({"request_type": "async", "input": {**GOOD_INPUT, "aspect_ratio": "2:1"}}, "aspect_ratio"),
        ({"request_type": "async", "input": {**GOOD_INPUT, "output_format": "webp"}}, "output_format"),
        ({"request_type": "async", "input": {**GOOD_INPUT, "safetyTolerance": 6}}, "safetyTolerance"),
        ({"request_type": "async", "input": {**GOOD_INPUT, "image_url": "ftp://x/y.png"}}, "image_url"),
        ({"request_type": "async", "input": {**GOOD_INPUT, "promptUpsampling": "yes"}}, "promptUpsampling"),
        ([1, 2, 3], "object"),
    ],
)
async def test_simulator_rejects_bad_submits_like_the_api(
    session: aiohttp.ClientSession, sim: SimulatedApi, body: Any, words: str
) -> None:
    url = f"{sim.base_url}/generateTask/flux-kontext"
    async with session.post(url, json=body, headers={"Authorization": "Bearer k"}) as response:
        assert response.status == 400
        answer = await response.json()
    assert answer["code"] == 400 and words in answer["message"]
    assert sim.tasks == {}


async def test_simulator_wants_a_bearer_token(session: aiohttp.ClientSession, sim: SimulatedApi) -> None:
    url = f"{sim.base_url}/generateTask/flux-kontext"
    body = {"request_type": "async", "input": GOOD_INPUT}
    async with session.post(url, json=body) as response:
        assert response.status == 401
        assert (await response.json())["code"] == 401


async def test_simulator_checks_the_key_when_given_one(session: aiohttp.ClientSession) -> None:
    async with SimulatedApi(api_key="right") as sim:
        with pytest.raises(AuthenticationError):
            await KontextClient(session, "wrong", sim.base_url).status("task_x")
        with pytest.raises(NotFoundError):
            await KontextClient(session, "right", sim.base_url).status("task_x")


async def test_simulator_status_needs_a_task_id(session: aiohttp.ClientSession, sim: SimulatedApi) -> None:
    with pytest.raises(BadRequestError):
        await KontextClient(session, "k", sim.base_url).status("")


async def test_simulator_does_not_serve_unfinished_results(
    session: aiohttp.ClientSession, client: KontextClient, sim: SimulatedApi
) -> None:
    task_id = await client.submit(GenerationRequest("a"))
    with pytest.raises(NotFoundError):
        await client.download(sim.file_url(sim.tasks[task_id]), max_bytes=1000)


# --- the fake's own promises --------------------------------------------------------------------------------------


@pytest.fixture
async def fake() -> AsyncIterator[FakeApixo]:
    api = FakeApixo()
    await api.start()
    yield api
    await api.close()


async def test_fake_outcome_fails_tasks(session: aiohttp.ClientSession, fake: FakeApixo) -> None:
    fake.outcome(
        lambda body: ("failed", "PromptLengthExceeded", "too long") if "long" in body["input"]["prompt"] else None
    )
    client = KontextClient(session, "k", fake.base_url)
    bad = await client.submit(GenerationRequest("a long prompt"))
    good = await client.submit(GenerationRequest("a short prompt"))
    for task in fake.tasks.values():
        task.generation_time = 0.0
    failed, succeeded = await client.status(bad), await client.status(good)
    assert (failed.state, failed.fail_code, failed.fail_msg) == ("failed", "PromptLengthExceeded", "too long")
    assert failure_family(failed.fail_code) == FailureFamily.PROMPT
    assert succeeded.state == "success"


async def test_fake_outcome_never_finishes(session: aiohttp.ClientSession, fake: FakeApixo) -> None:
    fake.outcome(lambda body: "never")
    client = KontextClient(session, "k", fake.base_url)
    task_id = await client.submit(GenerationRequest("a"))
    fake.tasks[task_id].generation_time = 0.0
    fake.tasks[task_id].created -= 3600
    assert (await client.status(task_id)).state == "processing"


async def test_fake_serves_fixed_bytes(session: aiohttp.ClientSession, fake: FakeApixo) -> None:
    fake.result_bytes, fake.result_content_type = b"GIF89a-not-really", "image/gif"
    client = KontextClient(session, "k", fake.base_url)
    task_id = await client.submit(GenerationRequest("a"))
    fake.tasks[task_id].generation_time = 0.0
    status = await client.status(task_id)
    async with session.get(status.result_urls[0]) as response:
        assert response.content_type == "image/gif"
        assert await response.read() == fake.image_bytes_for(task_id) == b"GIF89a-not-really"


async def test_fake_close_does_not_hang_on_held_requests(session: aiohttp.ClientSession) -> None:
    api = FakeApixo()
    await api.start()
    api.hang_submit()
    api.hang_status()
    api.hang_download()
    client = KontextClient(session, "k", api.base_url, retry=RetryPolicy(attempts=1))
    held = [
        asyncio.create_task(client.submit(GenerationRequest("a"))),
        asyncio.create_task(client.status("task_x")),
        asyncio.create_task(client.download(f"{api.origin}/files/task_x.jpeg", max_bytes=10)),
    ]
    await asyncio.sleep(0.05)
    assert len(api.submits) == 1 and api.status_calls == 1 and api.downloads == 1
    await asyncio.wait_for(api.close(), 3)
    results = await asyncio.wait_for(asyncio.gather(*held, return_exceptions=True), 3)
    assert all(isinstance(result, Exception) for result in results)
