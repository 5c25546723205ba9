"""KontextClient against the fake image API over real HTTP, and its pure parsing and classification."""

from __future__ import annotations

import logging
import socket
from collections.abc import AsyncIterator, Callable
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from kontext.client import (
    ApiConnectionError,
    ApiStatusError,
    ApiTimeoutError,
    AuthenticationError,
    BadRequestError,
    DownloadTooLargeError,
    FailureFamily,
    GenerationFailed,
    GenerationTimedOut,
    InsufficientBalanceError,
    KontextClient,
    MalformedResponseError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitedError,
    RetryPolicy,
    ServerError,
    ServiceUnavailableError,
    TaskStatus,
    failure_family,
)
from kontext.models import GenerationRequest, InvalidRequestError
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


# --- failure families ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "family"),
    [
        ("CONTENT_VIOLATION", FailureFamily.CONTENT_POLICY),
        ("NSFW_DETECTED", FailureFamily.CONTENT_POLICY),
        ("PROMPT_TOO_LONG", FailureFamily.PROMPT),
        ("INVALID_PROMPT", FailureFamily.PROMPT),
        ("INVALID_IMAGE_URL", FailureFamily.INPUT_IMAGE),
        ("IMAGE_TOO_LARGE", FailureFamily.INPUT_IMAGE),
        ("UNSUPPORTED_FORMAT", FailureFamily.INPUT_IMAGE),
        ("IMAGE_DOWNLOAD_FAILED", FailureFamily.INPUT_IMAGE),
        ("PROCESSING_TIMEOUT", FailureFamily.TIMEOUT),
        ("MODEL_UNAVAILABLE", FailureFamily.MODEL_UNAVAILABLE),
        ("GENERATION_FAILED", FailureFamily.UNKNOWN),
        ("INSUFFICIENT_CREDITS", FailureFamily.OUT_OF_CREDITS),
        ("SensitiveContent", FailureFamily.CONTENT_POLICY),
        ("SensitiveContentDetected", FailureFamily.CONTENT_POLICY),
        ("InputImageSensitiveContentDetected", FailureFamily.CONTENT_POLICY),
        ("InputOutputSensitiveContentDetected", FailureFamily.CONTENT_POLICY),
        ("NSFW", FailureFamily.CONTENT_POLICY),
        ("ProhibitedContentDetected", FailureFamily.CONTENT_POLICY),
        ("PromptLengthExceeded", FailureFamily.PROMPT),
        ("content_violation", FailureFamily.CONTENT_POLICY),
    ],
)
def test_failure_family_knows_both_vocabularies(code: str, family: FailureFamily) -> None:
    assert failure_family(code) == family


@pytest.mark.parametrize(
    ("code", "message", "family"),
    [
        ("GENERATION_FAILED", "The prompt could not be parsed", FailureFamily.PROMPT),
        (None, "Output flagged as NSFW", FailureFamily.CONTENT_POLICY),
        ("", "Failed to download the input image", FailureFamily.INPUT_IMAGE),
        ("OutputImageModerated", None, FailureFamily.CONTENT_POLICY),
        ("WorkerTimedOut", "took too long", FailureFamily.TIMEOUT),
        ("E42", "Model is temporarily unavailable", FailureFamily.MODEL_UNAVAILABLE),
        ("E43", "Not enough credit on this account: insufficient balance", FailureFamily.OUT_OF_CREDITS),
        ("E44", "something odd happened", FailureFamily.UNKNOWN),
        (None, None, FailureFamily.UNKNOWN),
    ],
)
def test_failure_family_falls_back_to_keywords(code: str | None, message: str | None, family: FailureFamily) -> None:
    assert failure_family(code, message) == family


def test_generation_failed_carries_its_family() -> None:
    error = GenerationFailed("NSFW", "nope", task_id="task_1")
    assert (error.family, error.fail_code, error.fail_msg, error.task_id) == (
        FailureFamily.CONTENT_POLICY,
        "NSFW",
        "nope",
        "task_1",
    )
    assert "NSFW" in str(error) and "nope" in str(error)


def test_generation_timed_out_says_how_long() -> None:
    error = GenerationTimedOut("task_1", 120)
    assert (error.task_id, error.waited) == ("task_1", 120)
    assert "120" in str(error)


# --- submit -------------------------------------------------------------------------------------------------------


async def test_submit_sends_the_reference_body_and_returns_the_task_id(client: KontextClient, api: FakeApixo) -> None:
    task_id = await client.submit(REQUEST)
    assert task_id in api.tasks and task_id.startswith("task_")
    assert api.submits == [{"request_type": "async", "input": REQUEST.to_input()}]
    route, headers = api.requests[0]
    assert route == "submit" and headers["Authorization"] == f"Bearer {KEY}"


async def test_submit_with_callback_url_asks_for_callback_mode(client: KontextClient, api: FakeApixo) -> None:
    await client.submit(REQUEST, callback_url="https://bot.example/callback")
    assert api.submits[0]["request_type"] == "callback"
    assert api.submits[0]["callback_url"] == "https://bot.example/callback"


async def test_submit_refuses_an_invalid_request_without_http(client: KontextClient, api: FakeApixo) -> None:
    with pytest.raises(InvalidRequestError):
        await client.submit(GenerationRequest("a fox", aspect_ratio="2:1"))
    assert api.submits == [] and api.requests == []


STATUS_ERRORS = [
    (400, BadRequestError),
    (401, AuthenticationError),
    (402, InsufficientBalanceError),
    (403, PermissionDeniedError),
    (404, NotFoundError),
    (429, RateLimitedError),
    (500, ServerError),
    (502, ServerError),
    (503, ServiceUnavailableError),
    (418, ApiStatusError),
]


@pytest.mark.parametrize(("status", "error_class"), STATUS_ERRORS)
async def test_submit_maps_http_status_to_error_class(
    make_client: MakeClient, api: FakeApixo, status: int, error_class: type[ApiStatusError]
) -> None:
    api.fail_submit(status, {"code": status, "message": "the API's words"}, times=None)
    client = make_client(retry=RetryPolicy(attempts=1))
    with pytest.raises(ApiStatusError) as caught:
        await client.submit(REQUEST)
    assert type(caught.value) is error_class
    assert caught.value.status == status and caught.value.code == status
    assert caught.value.api_message == "the API's words" and "the API's words" in str(caught.value)
    assert caught.value.body == {"code": status, "message": "the API's words"}


@pytest.mark.parametrize(("status", "error_class"), STATUS_ERRORS)
async def test_status_maps_envelope_code_to_error_class(
    make_client: MakeClient, api: FakeApixo, status: int, error_class: type[ApiStatusError]
) -> None:
    client = make_client(retry=RetryPolicy(attempts=1))
    task_id = await client.submit(REQUEST)
    api.envelope_error(status, "said in the envelope", route="status")
    with pytest.raises(ApiStatusError) as caught:
        await client.status(task_id)
    assert type(caught.value) is error_class
    assert caught.value.status == status and caught.value.api_message == "said in the envelope"


async def test_error_message_includes_data_error(client: KontextClient, api: FakeApixo) -> None:
    api.fail_submit(400, {"code": 400, "message": "Bad Request", "data": {"error": "aspect_ratio is invalid"}})
    with pytest.raises(BadRequestError, match="Bad Request: aspect_ratio is invalid"):
        await client.submit(REQUEST)


async def test_http_error_without_json_body_still_maps(client: KontextClient, api: FakeApixo) -> None:
    api.fail_submit(401, {"not": "an envelope"})
    with pytest.raises(AuthenticationError) as caught:
        await client.submit(REQUEST)
    assert caught.value.api_message is None


async def test_wrong_key_is_an_authentication_error(make_client: MakeClient) -> None:
    with pytest.raises(AuthenticationError):
        await make_client(api_key="sk-wrong").submit(REQUEST)


@pytest.mark.parametrize("status", [429, 503])
async def test_submit_retries_answers_that_prove_no_task_exists(
    client: KontextClient, api: FakeApixo, sleep: RecordingSleep, status: int
) -> None:
    api.fail_submit(status)
    task_id = await client.submit(REQUEST)
    assert len(api.submits) == 2 and list(api.tasks) == [task_id]
    assert sleep.delays == [0.25]  # 0.5 (jitter) * min(8, 0.5 * 2**0)


async def test_submit_retries_a_rate_limit_in_the_envelope(client: KontextClient, api: FakeApixo) -> None:
    api.envelope_error(429, "slow down", route="submit")
    await client.submit(REQUEST)
    assert len(api.submits) == 2


@pytest.mark.parametrize("status", [500, 502, 504])
async def test_submit_does_not_retry_server_errors(
    client: KontextClient, api: FakeApixo, sleep: RecordingSleep, status: int
) -> None:
    api.fail_submit(status)
    with pytest.raises(ServerError):
        await client.submit(REQUEST)
    assert len(api.submits) == 1 and sleep.delays == []


async def test_submit_does_not_retry_a_timeout(make_client: MakeClient, api: FakeApixo, sleep: RecordingSleep) -> None:
    api.hang_submit(times=None)
    with pytest.raises(ApiTimeoutError):
        await make_client(request_timeout=0.2).submit(REQUEST)
    assert len(api.submits) == 1 and sleep.delays == []


async def test_submit_does_not_retry_a_dropped_connection(client: KontextClient, api: FakeApixo) -> None:
    api.drop_submit(times=None)
    with pytest.raises(ApiConnectionError) as caught:
        await client.submit(REQUEST)
    assert caught.value.refused is False
    assert len(api.submits) == 1


async def test_submit_retries_a_refused_connection(session: aiohttp.ClientSession) -> None:
    port = closed_port()
    late = FakeApixo(api_key=KEY)
    sleep = RecordingSleep(on_sleep=lambda _: late.start(port=port))  # the API comes up during the backoff
    client = KontextClient(session, KEY, f"http://127.0.0.1:{port}/api/v1", sleep=sleep, rng=lambda: 0.5)
    try:
        task_id = await client.submit(REQUEST)
    finally:
        await late.close()
    assert len(sleep.delays) == 1 and list(late.tasks) == [task_id]


async def test_submit_gives_up_on_a_refused_connection(session: aiohttp.ClientSession, sleep: RecordingSleep) -> None:
    client = KontextClient(session, KEY, f"http://127.0.0.1:{closed_port()}/api/v1", sleep=sleep, rng=lambda: 1.0)
    with pytest.raises(ApiConnectionError) as caught:
        await client.submit(REQUEST)
    assert caught.value.refused is True
    assert sleep.delays == [0.5, 1.0, 2.0]


async def test_submit_answer_without_task_id_is_malformed(client: KontextClient, api: FakeApixo) -> None:
    api.malformed_submit(text='{"code": 200, "message": "success", "data": {}}')
    with pytest.raises(MalformedResponseError):
        await client.submit(REQUEST)
    assert len(api.submits) == 1


async def test_submit_answer_that_is_not_json_is_malformed(client: KontextClient, api: FakeApixo) -> None:
    api.malformed_submit()
    with pytest.raises(MalformedResponseError):
        await client.submit(REQUEST)
    assert len(api.submits) == 1


# --- status -------------------------------------------------------------------------------------------------------


async def test_status_reports_progress_then_success(client: KontextClient, api: FakeApixo) -> None:
    task_id = await client.submit(REQUEST)
    api.tasks[task_id].generation_time = 3600.0
    first = await client.status(task_id)
    assert first.task_id == task_id and first.state in ("pending", "processing") and first.create_time_ms
    status = await finished(client, api, task_id)
    assert status.succeeded and status.result_urls == (api.file_url(api.tasks[task_id]),)
    assert status.cost_time_ms == 0 and status.complete_time_ms is not None


async def test_status_of_a_failed_task_is_a_failed_status(client: KontextClient, api: FakeApixo) -> None:
    api.outcome(lambda body: ("failed", "NSFW_DETECTED", "Content flagged"))
    task_id = await client.submit(REQUEST)
    status = await finished(client, api, task_id)
    assert (status.state, status.fail_code, status.fail_msg) == ("failed", "NSFW_DETECTED", "Content flagged")
    assert failure_family(status.fail_code, status.fail_msg) == FailureFamily.CONTENT_POLICY


async def test_status_accepts_a_failed_task_in_a_code_400_envelope(client: KontextClient, api: FakeApixo) -> None:
    data = {"taskId": "task_abc", "state": "failed", "failCode": "CONTENT_VIOLATION", "failMsg": "no"}
    api.fail_status(200, {"code": 400, "message": "failed", "data": data})
    status = await client.status("task_abc")
    assert status.state == "failed" and status.fail_code == "CONTENT_VIOLATION"


async def test_status_of_an_unknown_task_is_not_found_without_retry(client: KontextClient, api: FakeApixo) -> None:
    with pytest.raises(NotFoundError):
        await client.status("task_missing")
    assert api.status_calls == 1


async def test_status_retries_then_succeeds(client: KontextClient, api: FakeApixo, sleep: RecordingSleep) -> None:
    task_id = await client.submit(REQUEST)
    api.fail_status(503, times=1)
    api.fail_status(500, times=1)
    status = await client.status(task_id)
    assert status.task_id == task_id and api.status_calls == 3
    assert sleep.delays == [0.25, 0.5]  # 0.5 * 0.5 * 2**n


async def test_status_gives_up_after_the_attempts(client: KontextClient, api: FakeApixo, sleep: RecordingSleep) -> None:
    api.fail_status(500, times=None)
    with pytest.raises(ServerError):
        await client.status("task_x")
    assert api.status_calls == 4 and len(sleep.delays) == 3


async def test_backoff_is_capped_at_max_delay(make_client: MakeClient, api: FakeApixo, sleep: RecordingSleep) -> None:
    api.fail_status(502, times=None)
    client = make_client(retry=RetryPolicy(attempts=6, base_delay=1.0, max_delay=3.0), rng=lambda: 1.0)
    with pytest.raises(ServerError):
        await client.status("task_x")
    assert sleep.delays == [1.0, 2.0, 3.0, 3.0, 3.0]


async def test_status_honours_retry_after(client: KontextClient, api: FakeApixo, sleep: RecordingSleep) -> None:
    task_id = await client.submit(REQUEST)
    api.fail_status(429, headers={"Retry-After": "7"})
    await client.status(task_id)
    assert sleep.delays == [7.0]


async def test_retry_after_is_capped(client: KontextClient, api: FakeApixo, sleep: RecordingSleep) -> None:
    api.fail_status(503, headers={"Retry-After": "3600"}, times=None)
    with pytest.raises(ServiceUnavailableError) as caught:
        await client.status("task_x")
    assert sleep.delays == [30.0, 30.0, 30.0]
    assert caught.value.retry_after == 3600.0


async def test_rate_limited_error_carries_retry_after(make_client: MakeClient, api: FakeApixo) -> None:
    api.fail_submit(429, headers={"Retry-After": "12"}, times=None)
    with pytest.raises(RateLimitedError) as caught:
        await make_client(retry=RetryPolicy(attempts=1)).submit(REQUEST)
    assert caught.value.retry_after == 12.0


@pytest.mark.parametrize("status", [400, 401, 402, 403, 404])
async def test_status_does_not_retry_refusals(
    client: KontextClient, api: FakeApixo, sleep: RecordingSleep, status: int
) -> None:
    api.fail_status(status, times=None)
    with pytest.raises(ApiStatusError):
        await client.status("task_x")
    assert api.status_calls == 1 and sleep.delays == []


async def test_status_retries_one_malformed_answer(client: KontextClient, api: FakeApixo) -> None:
    task_id = await client.submit(REQUEST)
    api.malformed_status()
    assert (await client.status(task_id)).task_id == task_id
    assert api.status_calls == 2


async def test_status_gives_up_on_a_second_malformed_answer(client: KontextClient, api: FakeApixo) -> None:
    api.malformed_status(times=None, text='{"code": 200, "data": {"taskId": "task_x", "state": "exploded"}}')
    with pytest.raises(MalformedResponseError):
        await client.status("task_x")
    assert api.status_calls == 2


async def test_status_about_another_task_is_malformed(client: KontextClient, api: FakeApixo) -> None:
    api.fail_status(200, {"code": 200, "data": {"taskId": "task_other", "state": "pending"}}, times=None)
    with pytest.raises(MalformedResponseError):
        await client.status("task_x")


async def test_status_timeout_is_retried_then_raised(
    make_client: MakeClient, api: FakeApixo, sleep: RecordingSleep
) -> None:
    api.hang_status(times=None)
    with pytest.raises(ApiTimeoutError):
        await make_client(request_timeout=0.2, retry=RetryPolicy(attempts=2)).status("task_x")
    assert api.status_calls == 2 and len(sleep.delays) == 1


async def test_status_connection_refused(session: aiohttp.ClientSession, sleep: RecordingSleep) -> None:
    client = KontextClient(session, KEY, f"http://127.0.0.1:{closed_port()}/api/v1", sleep=sleep)
    with pytest.raises(ApiConnectionError) as caught:
        await client.status("task_x")
    assert caught.value.refused is True and len(sleep.delays) == 3


async def test_status_retries_a_dropped_connection(
    client: KontextClient, api: FakeApixo, sleep: RecordingSleep
) -> None:
    api.drop_status(times=None)
    with pytest.raises(ApiConnectionError) as caught:
        await client.status("task_x")
    assert caught.value.refused is False and len(sleep.delays) == 3


# --- download and balance -----------------------------------------------------------------------------------------


async def test_download_returns_the_served_bytes_without_the_key(client: KontextClient, api: FakeApixo) -> None:
    task_id = await client.submit(REQUEST)
    status = await finished(client, api, task_id)
    data = await client.download(status.result_urls[0], max_bytes=10_000_000)
    assert data == api.image_bytes_for(task_id) and data.startswith(b"\xff\xd8\xff")
    route, headers = api.requests[-1]
    assert route == "file" and "Authorization" not in headers


async def test_download_over_the_limit_is_refused(client: KontextClient, api: FakeApixo) -> None:
    api.result_bytes = b"x" * 5000
    task_id = await client.submit(REQUEST)
    url = (await finished(client, api, task_id)).result_urls[0]
    assert await client.download(url, max_bytes=5000) == api.result_bytes
    with pytest.raises(DownloadTooLargeError) as caught:
        await client.download(url, max_bytes=4999)
    assert caught.value.limit == 4999


async def test_download_stops_reading_a_stream_past_the_limit(client: KontextClient) -> None:
    sent: list[int] = []

    async def endless(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse()  # chunked, no Content-Length to check up front
        await response.prepare(request)
        for _ in range(1000):
            await response.write(b"y" * 65536)
            sent.append(1)
        return response

    app = web.Application()
    app.router.add_get("/big", endless)
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.5)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    host, port = runner.addresses[0][:2]
    try:
        with pytest.raises(DownloadTooLargeError):
            await client.download(f"http://{host}:{port}/big", max_bytes=200_000)
    finally:
        await runner.cleanup()
    assert len(sent) < 1000


async def test_download_retries_server_errors(client: KontextClient, api: FakeApixo, sleep: RecordingSleep) -> None:
    task_id = await client.submit(REQUEST)
    url = (await finished(client, api, task_id)).result_urls[0]
    api.fail_download(503, times=2)
    assert await client.download(url, max_bytes=10_000_000) == api.image_bytes_for(task_id)
    assert api.downloads == 3 and len(sleep.delays) == 2


async def test_download_does_not_retry_not_found(client: KontextClient, api: FakeApixo) -> None:
    with pytest.raises(NotFoundError):
        await client.download(f"{api.origin}/files/task_gone.jpeg", max_bytes=1000)
    assert api.downloads == 1


@pytest.mark.parametrize("status", [401, 403, 410])
async def test_download_refusal_does_not_blame_the_api_key(client: KontextClient, api: FakeApixo, status: int) -> None:
    api.fail_download(status)
    with pytest.raises(ApiStatusError) as caught:
        await client.download(f"{api.origin}/files/task_x.jpeg", max_bytes=1000)
    assert type(caught.value) is ApiStatusError and caught.value.status == status
    assert api.downloads == 1


async def test_download_timeout(make_client: MakeClient, api: FakeApixo) -> None:
    api.hang_download(times=None)
    with pytest.raises(ApiTimeoutError):
        await make_client(request_timeout=0.2, retry=RetryPolicy(attempts=1)).download(
            f"{api.origin}/files/task_x.jpeg", max_bytes=1000
        )


async def test_balance(client: KontextClient, api: FakeApixo) -> None:
    api.balance = 74.87
    assert await client.balance() == 74.87


async def test_balance_that_is_not_a_number_is_malformed(client: KontextClient, api: FakeApixo) -> None:
    api.fail_balance(200, {"code": 200, "data": {"usd": 1}})
    with pytest.raises(MalformedResponseError):
        await client.balance()


# --- secrets ------------------------------------------------------------------------------------------------------


async def test_key_is_not_in_the_client_repr(client: KontextClient) -> None:
    assert KEY not in repr(client) and KEY not in str(client)


async def test_key_echoed_by_the_api_is_scrubbed_from_errors(make_client: MakeClient, api: FakeApixo) -> None:
    api.fail_submit(401, {"code": 401, "message": f"key {KEY} is not valid"})
    with pytest.raises(AuthenticationError) as caught:
        await make_client().submit(REQUEST)
    error = caught.value
    assert KEY not in str(error) and KEY not in repr(error) and KEY not in (error.api_message or "")


async def test_key_never_reaches_the_logs(
    make_client: MakeClient, api: FakeApixo, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    client = make_client()
    api.fail_submit(429, {"code": 429, "message": f"slow down {KEY}"})
    task_id = await client.submit(REQUEST)
    api.fail_status(500)
    await finished(client, api, task_id)
    with pytest.raises(AuthenticationError):
        await make_client(api_key=KEY + "-wrong").status(task_id)
    assert "retry" in caplog.text and task_id in caplog.text
    assert KEY not in caplog.text
