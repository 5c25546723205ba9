"""A circuit breaker for the image API: after repeated failures, stop calling it for a short while."""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

from kontext.api.client import KontextClient
from kontext.api.errors import (
    ApiConnectionError,
    ApiTimeoutError,
    MalformedResponseError,
    RateLimitedError,
    ServerError,
)
from kontext.api.status import TaskStatus
from kontext.models import GenerationRequest

log = logging.getLogger(__name__)
T = TypeVar("T")

# Failures that say the service itself is in trouble; a refused prompt or a bad key says nothing of the kind.
SERVICE_FAILURES = (ApiConnectionError, ApiTimeoutError, ServerError, MalformedResponseError, RateLimitedError)


class ServiceUnavailableNow(Exception):
    """The breaker is open: the API is failing, so new jobs are refused at once (and cost nothing)."""

    def __init__(self, retry_at: float) -> None:
        super().__init__("the image service is failing; not sending new jobs for now")
        self.retry_at = retry_at  # unix time the breaker lets a trial request through


class CircuitBreaker:
    """Opens after `threshold` service failures in a row, stays open `cooldown` seconds, then lets one trial through.

    A success anywhere closes it again. Time comes from `clock` (unix seconds) so tests need not wait.
    """

    def __init__(self, threshold: int = 5, cooldown: float = 30.0, *, clock: Callable[[], float] = time.time) -> None:
        self.threshold = threshold
        self.cooldown = cooldown
        self._clock = clock
        self._failures = 0
        self._opened_at: float | None = None

    @property
    def is_open(self) -> bool:
        """True while new work should not be sent (the cooldown has not passed)."""
        return self._opened_at is not None and self._clock() < self._opened_at + self.cooldown

    @property
    def retry_at(self) -> float:
        return (self._opened_at or self._clock()) + self.cooldown

    def check(self) -> None:
        """Raise ServiceUnavailableNow while open."""
        if self.is_open:
            raise ServiceUnavailableNow(self.retry_at)

    def record(self, error: BaseException | None) -> None:
        """Count a call's outcome: None for success, else the error it raised."""
        if error is None:
            if self._opened_at is not None:
                log.info("image API is answering again: circuit closed")
            self._failures, self._opened_at = 0, None
            return
        if not isinstance(error, SERVICE_FAILURES):
            return
        self._failures += 1
        if self._failures >= self.threshold and not self.is_open:
            self._opened_at = self._clock()
            log.warning(
                "image API failed %d times in a row (%s): refusing new jobs for %.0fs",
                self._failures,
                type(error).__name__,
                self.cooldown,
            )


class GuardedClient:
    """The API client behind a circuit breaker: every call's outcome is counted, new submits refused while open."""

    def __init__(self, client: KontextClient, breaker: CircuitBreaker) -> None:
        self.client = client
        self.breaker = breaker

    async def _call(self, call: Awaitable[T]) -> T:
        try:
            result = await call
        except Exception as error:
            self.breaker.record(error)
            raise
        self.breaker.record(None)
        return result

    async def submit(self, request: GenerationRequest, *, callback_url: str | None = None) -> str:
        self.breaker.check()
        return await self._call(self.client.submit(request, callback_url=callback_url))

    async def status(self, task_id: str) -> TaskStatus:
        return await self._call(self.client.status(task_id))

    async def download(self, url: str, *, max_bytes: int) -> bytes:
        return await self.client.download(url, max_bytes=max_bytes)  # a result host's trouble is not the API's
