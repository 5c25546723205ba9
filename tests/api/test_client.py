"""KontextClient against the fake image API over real HTTP: requests, answers, and the errors they become."""

from __future__ import annotations

import logging

import pytest
from aiohttp import web

from kontext.api.client import KontextClient, RetryPolicy
from kontext.api.errors import (
    ApiStatusError,
    ApiTimeoutError,
    AuthenticationError,
    BadRequestError,
    DownloadTooLargeError,
    FailureFamily,
    InsufficientBalanceError,
    MalformedResponseError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitedError,
    ServerError,
    ServiceUnavailableError,
    failure_family,
)
from kontext.models import GenerationRequest, InvalidRequestError
from tests.api import client_support
from tests.api.client_support import KEY, REQUEST, MakeClient, finished
from tests.fakes.apixo import FakeApixo

# The shared fixtures: pytest finds them by these names in this module.
api, session, sleep = client_support.api, client_support.session, client_support.sleep
make_client, client = client_support.make_client, client_support.client


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
    assert first.task_id == task_id and first.state in ("pending", "processing")
    status = await finished(client, api, task_id)
    assert status.state == "success" and status.result_urls == (api.file_url(api.tasks[task_id]),)
    assert status.cost_time_ms == 0


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


async def test_status_about_another_task_is_malformed(client: KontextClient, api: FakeApixo) -> None:
    api.fail_status(200, {"code": 200, "data": {"taskId": "task_other", "state": "pending"}}, times=None)
    with pytest.raises(MalformedResponseError):
        await client.status("task_x")


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
