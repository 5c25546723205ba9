"""The image API the benchmark's bot talks to: the simulator with per-job timings, latency, and a ledger of polls."""

from __future__ import annotations

import asyncio
import collections
from collections.abc import Mapping
from typing import Any

import aiohttp
from aiohttp import web

from kontext.models import IMAGE_URL_FIELD
from kontext.simulator.render import render_image
from kontext.simulator.server import SimTask, SimulatedApi


class BenchApi(SimulatedApi):
    """SimulatedApi where each prompt has its own queue wait and generation time, every request takes `latency`
    seconds (a real API is not on localhost), and status polls are counted per task and in flight.

    Edits fetch their input image from the fake Discord's CDN, as the real API does. Every result is the same
    pre-rendered 1024 px JPEG, so the benchmark measures the bot rather than Pillow in the fake.
    """

    def __init__(self, timings: Mapping[str, tuple[float, float]], *, latency: float = 0.05) -> None:
        super().__init__(generation_time=self._generation_time, pending_time=0.0)
        self.timings = dict(timings)  # prompt -> (pending, total) seconds
        self.latency = latency
        self.result = self.result_image()
        self.polls: collections.Counter[str] = collections.Counter()  # task id -> status requests
        self.in_flight = 0
        self.most_in_flight = 0
        self.poll_times: list[float] = []  # when each status request arrived (loop clock)
        self.seen_done: dict[str, float] = {}  # task id -> when a request first found it done (loop clock)
        self.input_fetches = 0
        self.input_failures = 0
        self._pending: dict[str, float] = {}
        self._fetches: set[asyncio.Task[None]] = set()
        self._http: aiohttp.ClientSession | None = None

    @staticmethod
    def result_image() -> bytes:
        """The one result every task returns (also what the floor's client downloads and uploads)."""
        return render_image("A lighthouse at dusk, oil painting", mode="pro", aspect_ratio="16:9", output_format="jpeg")

    def _generation_time(self, body: dict[str, Any]) -> float:
        return self.timings[body["input"]["prompt"]][1]

    def finished_at(self, task: SimTask) -> float:
        """When the task became a success, on the event loop's clock (time.monotonic)."""
        return task.created + task.generation_time

    def decide(self, task: SimTask) -> None:
        self._pending[task.task_id] = self.timings[task.input["prompt"]][0]
        url = task.input.get(IMAGE_URL_FIELD)
        if url:
            fetch = asyncio.create_task(self._fetch_input(url))
            self._fetches.add(fetch)
            fetch.add_done_callback(self._fetches.discard)

    def advance(self, task: SimTask) -> str:
        if task.done:
            return task.state
        elapsed = self.now() - task.created
        if elapsed < self._pending.get(task.task_id, 0.0):
            task.state = "pending"
        elif elapsed < task.generation_time:
            task.state = "processing"
        else:
            task.state = "success"
            self.seen_done[task.task_id] = self.now()  # the first request to find it done: the poll that caught it
        return task.state

    async def render_result(self, task: SimTask) -> bytes:
        return self.result

    async def intercept(self, route: str, request: web.Request) -> web.StreamResponse | None:
        if route != "status":
            await asyncio.sleep(self.latency)
            return None
        self.polls[request.query.get("taskId", "")] += 1
        self.poll_times.append(self.now())
        self.in_flight += 1
        self.most_in_flight = max(self.most_in_flight, self.in_flight)
        try:
            await asyncio.sleep(self.latency)
        finally:
            self.in_flight -= 1
        return None

    async def close(self) -> None:
        for fetch in list(self._fetches):
            fetch.cancel()
        await asyncio.gather(*self._fetches, return_exceptions=True)
        if self._http is not None:
            await self._http.close()
        await super().close()

    async def _fetch_input(self, url: str) -> None:
        self.input_fetches += 1
        if self._http is None:
            self._http = aiohttp.ClientSession()
        try:
            async with self._http.get(url) as response:
                await response.read()
                if response.status != 200:
                    self.input_failures += 1
        except aiohttp.ClientError:
            self.input_failures += 1
