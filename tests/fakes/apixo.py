"""The simulated image API with fast defaults and faults on demand, for tests."""

from __future__ import annotations

import collections
import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from kontext.simulator.server import SimTask, SimulatedApi

# What outcome(fn) may return for a submit body: None succeeds, "never" stays processing, or a failure triple.
Outcome = None | str | tuple[str, str | None, str | None]

_REASONS = {
    400: "Bad Request",
    401: "Invalid API key",
    402: "Insufficient balance",
    403: "Forbidden",
    404: "Not Found",
    429: "Too Many Requests",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}
_ROUTES = ("submit", "status", "balance", "file")


@dataclass
class Fault:
    """One queued misbehaviour: `kind` is status, envelope, malformed, hang or drop."""

    kind: str
    remaining: int | None  # None: every request from now on
    status: int = 200
    body: Any = None
    headers: Mapping[str, str] | None = None
    text: str | None = None


def most_active(tasks: Iterable[SimTask]) -> int:
    """The most tasks active at the API at once: each from its submit until it succeeded or failed.

    A task ends at its generation time whether or not anyone asks (the account's concurrency counts it until then);
    one that never finishes counts until now.
    """
    events: list[tuple[float, int]] = []
    for task in tasks:
        end = math.inf if task.never else task.created + task.generation_time
        events += [(task.created, 1), (end, -1)]
    active = peak = 0
    for _, change in sorted(events):  # at one instant an end (-1) sorts before a start (+1)
        active += change
        peak = max(peak, active)
    return peak


class FakeApixo(SimulatedApi):
    """SimulatedApi with fast timings and fault injection; faults apply to the next matching requests, in order."""

    def __init__(
        self,
        *,
        generation_time: float | Callable[[dict[str, Any]], float] = 0.05,
        pending_time: float = 0.01,
        image_size: int = 256,
        **options: Any,
    ) -> None:
        super().__init__(generation_time=generation_time, pending_time=pending_time, image_size=image_size, **options)
        self.result_bytes: bytes | None = None
        self.result_content_type = "image/png"
        self._serve: Callable[[dict[str, Any]], tuple[bytes, str] | None] | None = None
        self._faults: dict[str, collections.deque[Fault]] = {route: collections.deque() for route in (*_ROUTES, "api")}
        self._outcome: Callable[[dict[str, Any]], Outcome] | None = None
        self.requests: list[tuple[str, dict[str, str]]] = []  # (route, headers) of every request, faulted or not

    # --- faults -------------------------------------------------------------------------------------------------

    def fail_submit(
        self,
        status: int,
        body: dict[str, Any] | None = None,
        *,
        times: int | None = 1,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        """Answer the next `times` submits with HTTP `status` and `body` (default: an envelope with that code)."""
        self._add("submit", Fault("status", times, status, body, headers))

    def fail_status(
        self,
        status: int,
        body: dict[str, Any] | None = None,
        *,
        times: int | None = 1,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        """Answer the next `times` status queries with HTTP `status` and `body`."""
        self._add("status", Fault("status", times, status, body, headers))

    def fail_download(self, status: int, *, times: int | None = 1, headers: Mapping[str, str] | None = None) -> None:
        """Answer the next `times` result downloads with HTTP `status`."""
        self._add("file", Fault("status", times, status, None, headers))

    def fail_balance(self, status: int, body: dict[str, Any] | None = None, *, times: int | None = 1) -> None:
        """Answer the next `times` balance queries with HTTP `status` and `body`."""
        self._add("balance", Fault("status", times, status, body))

    def malformed_submit(self, times: int | None = 1, *, text: str = "<html>upstream error</html>") -> None:
        """Answer the next submits with HTTP 200 and `text` (not JSON by default; pass JSON of the wrong shape too)."""
        self._add("submit", Fault("malformed", times, text=text))

    def malformed_status(self, times: int | None = 1, *, text: str = "<html>upstream error</html>") -> None:
        """Answer the next status queries with HTTP 200 and `text`."""
        self._add("status", Fault("malformed", times, text=text))

    def envelope_error(self, code: int, message: str, *, route: str | None = None, times: int | None = 1) -> None:
        """HTTP 200 with envelope `code` != 200; route is submit, status or balance, or None for the next API call."""
        self._add(route or "api", Fault("envelope", times, body={"code": code, "message": message, "data": None}))

    def hang_submit(self, times: int | None = 1) -> None:
        """Never answer the next submits (they are still recorded); released on close."""
        self._add("submit", Fault("hang", times))

    def hang_status(self, times: int | None = 1) -> None:
        """Never answer the next status queries; released on close."""
        self._add("status", Fault("hang", times))

    def hang_download(self, times: int | None = 1) -> None:
        """Never answer the next result downloads; released on close."""
        self._add("file", Fault("hang", times))

    def drop_submit(self, times: int | None = 1) -> None:
        """Read the next submits, then close the connection without answering (did it create a task? who knows)."""
        self._add("submit", Fault("drop", times))

    def drop_status(self, times: int | None = 1) -> None:
        """Close the connection on the next status queries without answering."""
        self._add("status", Fault("drop", times))

    def outcome(self, fn: Callable[[dict[str, Any]], Outcome] | None) -> None:
        """Decide each new task's ending from its submit body: None, "never" or ("failed", fail_code, fail_msg)."""
        self._outcome = fn

    def serve(self, fn: Callable[[dict[str, Any]], tuple[bytes, str] | None] | None) -> None:
        """Choose each task's result file from its submit body: (bytes, content type), or None for the usual one."""
        self._serve = fn

    def clear_faults(self) -> None:
        """Forget every queued fault."""
        for queue in self._faults.values():
            queue.clear()

    # --- what was served ----------------------------------------------------------------------------------------

    def image_bytes_for(self, task_id: str) -> bytes:
        """The bytes served (or to be served) as the task's result; KeyError if nothing was rendered yet."""
        result = self.tasks[task_id].result
        if result is None:
            raise KeyError(f"no result served for {task_id}")
        return result

    def max_active(self) -> int:
        """The most tasks active at the API at once so far (most_active)."""
        return most_active(self.tasks.values())

    @property
    def last_task(self) -> SimTask:
        """The most recently created task."""
        return next(reversed(self.tasks.values()))

    # --- hooks --------------------------------------------------------------------------------------------------

    def decide(self, task: SimTask) -> None:
        if self._outcome is None:
            return
        verdict = self._outcome(task.body)
        if verdict is None:
            return
        if verdict == "never":
            task.never = True
            return
        if isinstance(verdict, tuple) and len(verdict) == 3 and verdict[0] == "failed":
            task.fail_code, task.fail_msg = verdict[1], verdict[2]
            if task.fail_code is None:  # a failure without a code is still a failure
                task.fail_code = ""
            return
        raise ValueError(f"outcome() returned {verdict!r}: use None, 'never' or ('failed', code, message)")

    def _served(self, task: SimTask) -> tuple[bytes, str] | None:
        if self._serve is not None and (chosen := self._serve(task.body)) is not None:
            return chosen
        if self.result_bytes is not None:
            return self.result_bytes, self.result_content_type
        return None

    async def render_result(self, task: SimTask) -> bytes:
        served = self._served(task)
        return served[0] if served is not None else await super().render_result(task)

    async def result_for(self, task: SimTask) -> tuple[bytes, str]:
        data, content_type = await super().result_for(task)
        served = self._served(task)
        if served is not None:
            task.content_type = content_type = served[1]
        return data, content_type

    async def intercept(self, route: str, request: web.Request) -> web.StreamResponse | None:
        self.requests.append((route, dict(request.headers)))
        fault = self._take(route) or (self._take("api") if route != "file" else None)
        if fault is None:
            return None
        if fault.kind == "hang":
            return await self.hold()
        if fault.kind == "drop":
            if request.transport is not None:
                request.transport.close()
            return await self.hold()
        if fault.kind == "malformed":
            return web.Response(status=200, text=fault.text, content_type="text/html")
        if fault.kind == "envelope":
            return web.json_response(fault.body, status=200)
        body = (
            fault.body if fault.body is not None else {"code": fault.status, "message": _REASONS.get(fault.status, "")}
        )
        if route == "file":
            return web.Response(status=fault.status, text=_REASONS.get(fault.status, ""), headers=fault.headers)
        return web.json_response(body, status=fault.status, headers=fault.headers)

    # --- internals ----------------------------------------------------------------------------------------------

    async def hold(self) -> web.Response:
        """Answer nothing until the fake closes (for faults that hang)."""
        await self._closing.wait()
        return web.json_response({"code": 503, "message": "shutting down"}, status=503)

    def _add(self, route: str, fault: Fault) -> None:
        if fault.remaining is not None and fault.remaining < 1:
            raise ValueError("times must be at least 1 (or None for every request)")
        self._faults[route].append(fault)

    def _take(self, route: str) -> Fault | None:
        queue = self._faults[route]
        if not queue:
            return None
        fault = queue[0]
        if fault.remaining is not None:
            fault.remaining -= 1
            if fault.remaining == 0:
                queue.popleft()
        return fault
