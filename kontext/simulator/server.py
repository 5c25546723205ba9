"""A local stand-in for the apixo FLUX Kontext API: try the bot with no key and no cost, and test it against HTTP.

The simulated API validates submits like the reference, walks each task through pending → processing → success on
the event loop clock, and serves a generated picture that shows the prompt, so a server admin can see the whole
flow work before paying for anything.
"""

from __future__ import annotations

import asyncio
import json
import logging
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from aiohttp import web

from kontext.models import IMAGE_URL_FIELD
from kontext.simulator.render import render_image
from kontext.simulator.validation import validate_submit

log = logging.getLogger(__name__)

PRICES: dict[str, float] = {"pro": 0.03, "max": 0.06}
CONTENT_TYPES: dict[str, str] = {"jpeg": "image/jpeg", "png": "image/png"}
MAX_INPUT_IMAGE_BYTES = 10 * 1024 * 1024


@dataclass
class SimTask:
    """One simulated task and what happened to it."""

    task_id: str
    body: dict[str, Any]
    created: float  # clock() at submit
    created_ms: int  # wall-clock epoch milliseconds, as the API reports createTime
    generation_time: float
    state: str = "pending"
    fail_code: str | None = None
    fail_msg: str | None = None
    never: bool = False  # stays processing forever
    result: bytes | None = None
    content_type: str = "image/jpeg"
    _render: asyncio.Task[bytes] | None = field(default=None, repr=False)

    @property
    def input(self) -> dict[str, Any]:
        """The `input` object of the submit body."""
        return self.body["input"]

    @property
    def extension(self) -> str:
        """The result file's extension: the requested output format."""
        return self.input.get("output_format", "jpeg")

    @property
    def done(self) -> bool:
        """True once the task succeeded or failed."""
        return self.state in ("success", "failed")


def _envelope(data: Any, *, code: int = 200, message: str = "success") -> dict[str, Any]:
    return {"code": code, "message": message, "data": data}


def _error(status: int, message: str, *, detail: str | None = None) -> web.Response:
    body: dict[str, Any] = {"code": status, "message": message}
    if detail is not None:
        body["data"] = {"error": detail}
    return web.json_response(body, status=status)


@dataclass(kw_only=True, eq=False)
class SimulatedApi:
    """The apixo FLUX Kontext API, simulated on 127.0.0.1 with aiohttp.web; records what it was asked.

    `generation_time` is seconds from submit to success (or a function of the submit body); the task says pending
    for the first `pending_time` seconds. Time is the event loop's clock unless `clock` is given.
    """

    generation_time: float | Callable[[dict[str, Any]], float] = 12.0
    pending_time: float = 1.0
    image_size: int = 1024
    api_key: str | None = field(default=None, repr=False)
    clock: Callable[[], float] | None = None
    balance: float = 100.0
    base_url: str = field(default="", init=False)  # http://127.0.0.1:PORT/api/v1 once started
    origin: str = field(default="", init=False)  # http://127.0.0.1:PORT once started
    submits: list[dict[str, Any]] = field(default_factory=list, init=False)
    status_calls: int = field(default=0, init=False)
    downloads: int = field(default=0, init=False)
    tasks: dict[str, SimTask] = field(default_factory=dict, init=False)
    # {"task_id", "url", "body", "status" | "error"} per POST sent
    callbacks: list[dict[str, Any]] = field(default_factory=list, init=False)
    _runner: web.AppRunner | None = field(default=None, init=False)
    _session: aiohttp.ClientSession | None = field(default=None, init=False)
    _closing: asyncio.Event = field(default_factory=asyncio.Event, init=False)
    _background: set[asyncio.Task[Any]] = field(default_factory=set, init=False)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} base_url={self.base_url!r} tasks={len(self.tasks)}>"

    # --- life cycle ---------------------------------------------------------------------------------------------

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        """Listen on host:port (0 picks a free port) and return the API base URL."""
        app = web.Application()
        app.router.add_post("/api/v1/generateTask/flux-kontext", self._handle_submit)
        app.router.add_get("/api/v1/statusTask/flux-kontext", self._handle_status)
        app.router.add_get("/api/v1/apikeys/current-balance", self._handle_balance)
        app.router.add_get("/files/{name}", self._handle_file)
        self._closing = asyncio.Event()
        self._session = aiohttp.ClientSession()
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port)
        await site.start()
        bound_host, bound_port = self._runner.addresses[0][:2]
        self.origin = f"http://{bound_host}:{bound_port}"
        self.base_url = f"{self.origin}/api/v1"
        log.info("simulated image API listening on %s", self.base_url)
        return self.base_url

    async def close(self) -> None:
        """Stop serving; requests held open on purpose are released first, so this never hangs."""
        self._closing.set()
        for task in list(self._background):
            task.cancel()
        for sim in self.tasks.values():
            if sim._render is not None and not sim._render.done():
                sim._render.cancel()
        await asyncio.gather(*self._background, return_exceptions=True)
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def __aenter__(self) -> SimulatedApi:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    # --- what tests and the fake build on -----------------------------------------------------------------------

    def now(self) -> float:
        """The simulator's clock: the injected one, or the running event loop's."""
        return self.clock() if self.clock is not None else asyncio.get_running_loop().time()

    def file_url(self, task: SimTask) -> str:
        """Where the task's result is served."""
        return f"{self.origin}/files/{task.task_id}.{task.extension}"

    def status_data(self, task: SimTask) -> dict[str, Any]:
        """The status endpoint's `data` for a task, as the reference spells it."""
        data: dict[str, Any] = {"taskId": task.task_id, "state": task.state, "createTime": task.created_ms}
        if task.done:
            cost = round(task.generation_time * 1000)
            data.update(costTime=cost, completeTime=task.created_ms + cost)
        if task.state == "success":
            data["resultJson"] = json_dumps({"resultUrls": [self.file_url(task)]})
        elif task.state == "failed":
            data.update(failCode=task.fail_code, failMsg=task.fail_msg)
        return data

    def advance(self, task: SimTask) -> str:
        """Bring the task's state up to the clock and return it."""
        if task.done:
            return task.state
        elapsed = self.now() - task.created
        if elapsed < min(self.pending_time, task.generation_time):
            task.state = "pending"
        elif task.never or elapsed < task.generation_time:
            task.state = "processing"
        elif task.fail_code is not None:
            task.state = "failed"
        else:
            task.state = "success"
        return task.state

    async def result_for(self, task: SimTask) -> tuple[bytes, str]:
        """The result file's bytes and content type, rendered once per task in a thread."""
        if task.result is None:
            if task._render is None:
                task._render = asyncio.create_task(self.render_result(task))
            task.result = await asyncio.shield(task._render)
            task.content_type = CONTENT_TYPES[task.extension]
        return task.result, task.content_type

    async def send_callback(self, task_id: str, url: str | None = None) -> int | None:
        """POST the task's envelope to its callback URL (again), as the vendor does; the answer's status or None."""
        task = self.tasks[task_id]
        url = url or task.body.get("callback_url")
        if not url or self._session is None:
            return None
        failed = task.state == "failed"
        body = _envelope(self.status_data(task), code=400 if failed else 200, message="failed" if failed else "success")
        record: dict[str, Any] = {"task_id": task_id, "url": url, "body": body}
        self.callbacks.append(record)
        try:
            async with self._session.post(url, json=body, timeout=aiohttp.ClientTimeout(total=30)) as response:
                record["status"] = response.status
                return response.status
        except (aiohttp.ClientError, TimeoutError) as error:
            record["error"] = type(error).__name__
            log.info("simulated callback for %s to %s failed: %s", task_id, url, type(error).__name__)
            return None

    # --- hooks the fault-injecting fake overrides ---------------------------------------------------------------

    async def intercept(self, route: str, request: web.Request) -> web.StreamResponse | None:
        """A response that replaces the normal one for this request (route: submit, status, balance, file)."""
        return None

    def decide(self, task: SimTask) -> None:
        """Set how the task will end (fail_code/fail_msg, never); the simulator always succeeds."""

    async def render_result(self, task: SimTask) -> bytes:
        """The result image for a task: the prompt drawn on a gradient, or on the tinted input image."""
        data = task.input
        background = None
        if data.get(IMAGE_URL_FIELD):
            background = await self._fetch_image(data[IMAGE_URL_FIELD])
        return await asyncio.to_thread(
            render_image,
            data["prompt"],
            mode=data["mode"],
            aspect_ratio=data["aspect_ratio"],
            output_format=task.extension,
            long_side=self.image_size,
            background=background,
            watermark=data.get("watermark"),
            seed=task.task_id,  # one task per job: every job, a re-roll too, gets its own picture
        )

    # --- handlers -----------------------------------------------------------------------------------------------

    def _authorized(self, request: web.Request) -> bool:
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return False
        return self.api_key is None or secrets.compare_digest(token.strip(), self.api_key)

    async def _handle_submit(self, request: web.Request) -> web.StreamResponse:
        try:
            body: Any = await request.json()
        except ValueError:
            body = None
        self.submits.append(body if isinstance(body, dict) else {"_invalid": True})
        override = await self.intercept("submit", request)
        if override is not None:
            return override
        if not self._authorized(request):
            return _error(401, "Invalid or missing API key")
        problem = validate_submit(body)
        if problem is not None:
            return _error(400, problem, detail=problem)
        generation_time = self.generation_time(body) if callable(self.generation_time) else self.generation_time
        task = SimTask(
            task_id=f"task_{secrets.token_hex(8)}",
            body=body,
            created=self.now(),
            created_ms=int(time.time() * 1000),
            generation_time=float(generation_time),
        )
        self.decide(task)
        self.tasks[task.task_id] = task
        self.balance = round(self.balance - PRICES[body["input"]["mode"]], 4)
        if body["request_type"] == "callback" and not task.never:
            self._spawn(self._callback_when_done(task))
        log.debug("simulated task %s created", task.task_id)
        return web.json_response(_envelope({"taskId": task.task_id}))

    async def _handle_status(self, request: web.Request) -> web.StreamResponse:
        self.status_calls += 1
        override = await self.intercept("status", request)
        if override is not None:
            return override
        if not self._authorized(request):
            return _error(401, "Invalid or missing API key")
        task_id = request.query.get("taskId", "")
        if not task_id:
            return _error(400, "taskId is required", detail="taskId is required")
        task = self.tasks.get(task_id)
        if task is None:
            return _error(404, "Task not found")
        if self.advance(task) == "success":
            self._warm(task)
        return web.json_response(_envelope(self.status_data(task)))

    async def _handle_balance(self, request: web.Request) -> web.StreamResponse:
        override = await self.intercept("balance", request)
        if override is not None:
            return override
        if not self._authorized(request):
            return _error(401, "Invalid or missing API key")
        return web.json_response(_envelope(self.balance))

    async def _handle_file(self, request: web.Request) -> web.StreamResponse:
        self.downloads += 1
        override = await self.intercept("file", request)
        if override is not None:
            return override
        task_id, _, extension = request.match_info["name"].rpartition(".")
        task = self.tasks.get(task_id)
        if task is None or extension != task.extension or self.advance(task) != "success":
            return web.Response(status=404, text="not found")
        data, content_type = await self.result_for(task)
        return web.Response(body=data, content_type=content_type)

    # --- internals ----------------------------------------------------------------------------------------------

    def _warm(self, task: SimTask) -> None:
        """Start rendering as soon as the task succeeds, so the download does not wait for it."""
        if task.result is None and task._render is None:
            task._render = asyncio.create_task(self.render_result(task))
            task._render.add_done_callback(_ignore_outcome)

    def _spawn(self, coro: Any) -> None:
        task = asyncio.create_task(coro)
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def _callback_when_done(self, task: SimTask) -> None:
        # Callbacks follow the loop's own time, not an injected clock: they are sent by a timer.
        await asyncio.sleep(task.generation_time)
        self.advance(task)
        if not task.done:
            return
        if task.state == "success":
            self._warm(task)
        await self.send_callback(task.task_id)

    async def _fetch_image(self, url: str) -> bytes | None:
        if self._session is None:
            return None
        try:
            async with self._session.get(url, timeout=aiohttp.ClientTimeout(total=15)) as response:
                if response.status != 200:
                    raise ValueError(f"HTTP {response.status}")
                data = await response.content.read(MAX_INPUT_IMAGE_BYTES + 1)
                if len(data) > MAX_INPUT_IMAGE_BYTES:
                    raise ValueError("over 10 MB")
                return data
        except (aiohttp.ClientError, TimeoutError, ValueError) as error:
            log.info("simulator could not fetch the input image (%s); drawing a gradient instead", error)
            return None


def _ignore_outcome(task: asyncio.Task[Any]) -> None:
    if not task.cancelled():
        task.exception()  # mark retrieved: the download that awaits it reports the error


def json_dumps(value: Any) -> str:
    """Compact JSON, as the API writes resultJson."""
    return json.dumps(value, separators=(",", ":"))
