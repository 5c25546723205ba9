"""What KontextClient retries and what it must not: backoff, Retry-After, and the submit that could bill twice."""

from __future__ import annotations

import aiohttp
import pytest

from kontext.api.client import KontextClient, RetryPolicy
from kontext.api.errors import (
    ApiConnectionError,
    ApiStatusError,
    ApiTimeoutError,
    MalformedResponseError,
    NotFoundError,
    RateLimitedError,
    ServerError,
    ServiceUnavailableError,
)
from tests.api import client_support
from tests.api.client_support import KEY, REQUEST, MakeClient, RecordingSleep, closed_port, finished
from tests.fakes.apixo import FakeApixo

# The shared fixtures: pytest finds them by these names in this module.
api, session, sleep = client_support.api, client_support.session, client_support.sleep
make_client, client = client_support.make_client, client_support.client


# --- submit: retried only when no task can exist ------------------------------------------------------------------


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


# --- status -------------------------------------------------------------------------------------------------------


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


# --- download -----------------------------------------------------------------------------------------------------


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
