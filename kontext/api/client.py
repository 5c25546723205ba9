"""The apixo FLUX Kontext HTTP API client: submit, status, download, balance; typed results and typed errors."""

from __future__ import annotations

import asyncio
import contextlib
import email.utils
import logging
import random
import time
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

import aiohttp
import orjson

from kontext.api.errors import (
    ApiConnectionError,
    ApiStatusError,
    ApiTimeoutError,
    DownloadTooLargeError,
    KontextError,
    MalformedResponseError,
    RateLimitedError,
    ServerError,
    ServiceUnavailableError,
    error_class_for,
)
from kontext.api.redaction import remember_secret
from kontext.api.status import TaskStatus, int_or_none
from kontext.models import GenerationRequest

log = logging.getLogger(__name__)

T = TypeVar("T")

MODEL = "flux-kontext"
_MAX_API_TEXT = 300
_DOWNLOAD_CHUNK = 64 * 1024


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Bounded exponential backoff with full jitter; `attempts` counts the first try."""

    attempts: int = 4
    base_delay: float = 0.5
    max_delay: float = 8.0
    max_retry_after: float = 30.0


def _retry_after(value: str | None) -> float | None:
    """Seconds from a Retry-After header (delta-seconds or an HTTP date), or None."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


# --- the client -------------------------------------------------------------------------------------------------

# Told of every request attempt: (operation, seconds, error or None); operation is submit, status, download, balance.
ApiObserver = Callable[[str, float, KontextError | None], None]


class KontextClient:
    """Talks to the apixo FLUX Kontext API over a shared aiohttp session.

    status(), download() and balance() are safe to repeat and retried on 429, 5xx, connection errors and timeouts
    (status() also once on a malformed answer: a proxy's error page or a truncated body). submit() is retried only
    when no task can have been created (429, 503, connection refused): a submit that reached the API may bill.
    """

    def __init__(
        self,
        session: aiohttp.ClientSession,
        api_key: str,
        base_url: str,
        *,
        request_timeout: float = 30.0,
        retry: RetryPolicy = RetryPolicy(),  # frozen, so one shared default is safe
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        rng: Callable[[], float] = random.random,
        observer: ApiObserver | None = None,
    ) -> None:
        self.session = session
        self.base_url = base_url.rstrip("/")
        self.request_timeout = request_timeout
        self.retry = retry
        self._api_key = api_key
        remember_secret(api_key)  # never echoed back to users in the API's own error messages
        self._sleep = sleep
        self._rng = rng
        self._observer = observer

    def __repr__(self) -> str:
        return f"<KontextClient base_url={self.base_url!r}>"

    async def submit(self, request: GenerationRequest, *, callback_url: str | None = None) -> str:
        """Create a generation task and return its id; InvalidRequestError (no HTTP at all) for a bad request."""
        request.validate()
        body: dict[str, Any] = {"request_type": "callback" if callback_url else "async"}
        if callback_url:
            body["callback_url"] = callback_url
        body["input"] = request.to_input()

        async def attempt() -> str:
            data = await self._call("POST", f"/generateTask/{MODEL}", json_body=body)
            task_id = data.get("taskId") if isinstance(data, dict) else None
            if not isinstance(task_id, str) or not task_id:
                raise MalformedResponseError("the image API accepted the task but sent no taskId")
            return task_id

        task_id = await self._retrying("submit", attempt, self._submit_retryable)
        log.debug("submitted task %s (%s, %s)", task_id, request.mode, body["request_type"])
        return task_id

    async def status(self, task_id: str) -> TaskStatus:
        """The task's current state; GenerationFailed is not raised here: a failed task is a TaskStatus too."""

        async def attempt() -> TaskStatus:
            data = await self._call("GET", f"/statusTask/{MODEL}", params={"taskId": task_id}, failed_task_ok=True)
            status = TaskStatus.from_data(data)
            if status.task_id != task_id:
                raise MalformedResponseError(f"asked about task {task_id}, got an answer about {status.task_id}")
            return status

        status = await self._retrying("status", attempt, self._idempotent_retryable(malformed=1))
        log.debug("task %s is %s", task_id, status.state)
        return status

    async def balance(self) -> float:
        """The account's remaining credit in USD."""

        async def attempt() -> float:
            data = await self._call("GET", "/apikeys/current-balance")
            if isinstance(data, bool) or not isinstance(data, int | float | str):
                raise MalformedResponseError("the balance is not a number")
            try:
                return float(data)
            except ValueError:
                raise MalformedResponseError("the balance is not a number") from None

        return await self._retrying("balance", attempt, self._idempotent_retryable(malformed=0))

    async def download(self, url: str, *, max_bytes: int) -> bytes:
        """Fetch a result file, streaming; DownloadTooLargeError past `max_bytes`.

        Result URLs point at third-party hosts, so no Authorization header goes with the request.
        """

        async def attempt() -> bytes:
            timeout = aiohttp.ClientTimeout(total=self.request_timeout)
            with _transport_errors("the result host"):
                async with self.session.get(url, timeout=timeout) as response:
                    if response.status != 200:
                        # 401/403 from a CDN mean an expired or foreign URL, not a bad API key: keep them generic.
                        kind = error_class_for(response.status)
                        if response.status not in (404, 429) and response.status < 500:
                            kind = ApiStatusError
                        raise kind(
                            response.status,
                            retry_after=_retry_after(response.headers.get("Retry-After")),
                            what="the result host",
                        )
                    if response.content_length is not None and response.content_length > max_bytes:
                        raise DownloadTooLargeError(max_bytes)
                    chunks: list[bytes] = []
                    size = 0
                    async for chunk in response.content.iter_chunked(_DOWNLOAD_CHUNK):
                        size += len(chunk)
                        if size > max_bytes:
                            raise DownloadTooLargeError(max_bytes)
                        chunks.append(chunk)
                    return b"".join(chunks)

        data = await self._retrying("download", attempt, self._idempotent_retryable(malformed=0))
        log.debug("downloaded a result of %d bytes", len(data))
        return data

    # --- plumbing -----------------------------------------------------------------------------------------------

    async def _call(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, str] | None = None,
        json_body: dict[str, Any] | None = None,
        failed_task_ok: bool = False,
    ) -> Any:
        """One request to the API; returns the envelope's `data` or raises the matching error."""
        headers = {"Authorization": f"Bearer {self._api_key}", "Accept": "application/json"}
        timeout = aiohttp.ClientTimeout(total=self.request_timeout)
        with _transport_errors("the image API"):
            async with self.session.request(
                method, self.base_url + path, params=params, json=json_body, headers=headers, timeout=timeout
            ) as response:
                raw = await response.read()
                http_status = response.status
                retry_after = _retry_after(response.headers.get("Retry-After"))
        try:
            envelope = orjson.loads(raw)  # every status poll's answer: orjson is several times quicker
        except ValueError:  # orjson.JSONDecodeError is one
            envelope = None
        body = envelope if isinstance(envelope, dict) else None
        code = int_or_none(body.get("code")) if body is not None else None
        if http_status != 200:
            raise self._status_error(http_status, code, body, retry_after)
        if body is None:
            raise MalformedResponseError(f"the image API answered {method} {path} with something that is not JSON")
        data = body.get("data")
        if code is not None and code != 200:
            # The reference's failure callback carries code 400 around a failed task: that is a result, not a refusal.
            if failed_task_ok and isinstance(data, dict) and str(data.get("state", "")).lower() == "failed":
                return data
            raise self._status_error(code, code, body, retry_after)
        if "data" not in body:
            raise MalformedResponseError(f"the image API answered {method} {path} without data")
        return data

    def _status_error(
        self, status: int, code: int | None, body: dict[str, Any] | None, retry_after: float | None
    ) -> ApiStatusError:
        return error_class_for(status)(
            status, code=code, api_message=self._api_text(body), body=body, retry_after=retry_after
        )

    def _api_text(self, body: dict[str, Any] | None) -> str | None:
        """The API's own words from an error envelope (`message`, `data.error`), scrubbed of the key."""
        if body is None:
            return None
        data = body.get("data")
        parts = [body.get("message"), data.get("error") if isinstance(data, dict) else None]
        texts: list[str] = []
        for part in parts:
            if isinstance(part, str) and part.strip() and part.strip() not in texts:
                texts.append(part.strip())
        if not texts:
            return None
        text = ": ".join(texts)
        if self._api_key:
            text = text.replace(self._api_key, "[api key]")
        return text[:_MAX_API_TEXT]

    @staticmethod
    def _submit_retryable(error: KontextError) -> bool:
        # Only answers that prove no task exists. A 500/502/504, a timeout or a dropped connection may come after
        # the API created (and billed) a task; a second submit would create another.
        if isinstance(error, ApiConnectionError):
            return error.refused
        return isinstance(error, RateLimitedError | ServiceUnavailableError)

    @staticmethod
    def _idempotent_retryable(*, malformed: int) -> Callable[[KontextError], bool]:
        seen = 0

        def retryable(error: KontextError) -> bool:
            nonlocal seen
            if isinstance(error, MalformedResponseError):
                seen += 1
                return seen <= malformed
            return isinstance(error, RateLimitedError | ServerError | ApiConnectionError | ApiTimeoutError)

        return retryable

    async def _retrying(
        self, what: str, attempt: Callable[[], Awaitable[T]], retryable: Callable[[KontextError], bool]
    ) -> T:
        attempts = max(1, self.retry.attempts)
        for number in range(attempts):
            started = time.monotonic()
            try:
                result = await attempt()
            except KontextError as error:
                self._observe(what, time.monotonic() - started, error)
                if number + 1 >= attempts or not retryable(error):
                    raise
                delay = self._delay(number, error)
                log.warning("%s failed (%s); retry %d of %d in %.2fs", what, error, number + 1, attempts - 1, delay)
                await self._sleep(delay)
            else:
                self._observe(what, time.monotonic() - started, None)
                return result
        raise AssertionError("unreachable")  # pragma: no cover

    def _observe(self, operation: str, seconds: float, error: KontextError | None) -> None:
        if self._observer is None:
            return
        try:
            self._observer(operation, seconds, error)
        except Exception:  # metrics must never break a request
            log.warning("API observer failed", exc_info=True)

    def _delay(self, number: int, error: KontextError) -> float:
        retry_after = getattr(error, "retry_after", None)
        if retry_after is not None:
            return min(retry_after, self.retry.max_retry_after)
        return self._rng() * min(self.retry.max_delay, self.retry.base_delay * 2**number)


@contextlib.contextmanager
def _transport_errors(what: str) -> Iterator[None]:
    """Turn aiohttp and timeout exceptions into client errors, with `refused` set when no connection was made."""
    try:
        yield
    except KontextError:
        raise
    except aiohttp.ClientConnectorError as error:
        # Connection refused, DNS failure, TLS handshake: the request never left this machine.
        raise ApiConnectionError(f"could not connect to {what}: {error.os_error}", refused=True) from error
    except TimeoutError as error:
        raise ApiTimeoutError(f"{what} did not answer in time") from error
    except aiohttp.ClientError as error:
        raise ApiConnectionError(f"the connection to {what} failed: {type(error).__name__}") from error
