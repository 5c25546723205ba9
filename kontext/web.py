"""The bot process's small web servers: /healthz and /metrics on a private listener; in callback mode, the API's
result callbacks on a public one that serves nothing else."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable
from typing import Any

from aiohttp import web

from kontext.api.callbacks import CALLBACK_PATH, CallbackHub, RefusalLog, signature_ok
from kontext.api.errors import MalformedResponseError
from kontext.api.status import TaskStatus
from kontext.metrics import CONTENT_TYPE, Metrics
from kontext.storage.base import Storage

log = logging.getLogger(__name__)

MAX_CALLBACK_BYTES = 64 * 1024  # a callback envelope is a few hundred bytes
_JSON = "application/json"


class Listener:
    """One aiohttp listener of the bot process on host:port; subclasses say which routes it serves."""

    name = "web server"

    def __init__(self, *, host: str, port: int) -> None:
        self.host = host
        self.port = port
        self._runner: web.AppRunner | None = None

    def __repr__(self) -> str:  # secrets stay out of reprs and logs
        return f"<{type(self).__name__} {self.host}:{self.port}>"

    @property
    def url(self) -> str:
        """http://host:port of the running server (the bound port when started with port 0)."""
        host = "127.0.0.1" if self.host in ("0.0.0.0", "::", "") else self.host
        return f"http://{host}:{self.port}"

    def build_app(self) -> web.Application:
        """The routes; handy for tests with aiohttp's test client."""
        raise NotImplementedError

    async def start(self) -> None:
        """Listen on host:port; port 0 picks a free one (then self.port is the bound port)."""
        self._runner = web.AppRunner(self.build_app(), access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        try:
            await site.start()
        except OSError:
            await self._runner.cleanup()
            self._runner = None
            raise
        self.port = self._runner.addresses[0][1]
        log.info("%s on %s:%s", self.name, self.host, self.port)

    async def close(self) -> None:
        """Stop serving; safe to call twice."""
        if self._runner is not None:
            runner, self._runner = self._runner, None
            await runner.cleanup()


class HealthServer(Listener):
    """GET /healthz and /metrics: private (127.0.0.1 unless WEB_HOST says otherwise), never the callback listener.

    `gateway_ok` says whether Discord is connected (kontext stays discord-free).
    """

    name = "health and metrics (/healthz, /metrics)"

    def __init__(
        self,
        *,
        host: str,
        port: int,
        storage: Storage,
        metrics: Metrics,
        gateway_ok: Callable[[], bool],
        callbacks_enabled: bool = False,
        ping_timeout: float = 3.0,
    ) -> None:
        super().__init__(host=host, port=port)
        self.storage = storage
        self.metrics = metrics
        self.gateway_ok = gateway_ok
        self.callbacks_enabled = callbacks_enabled
        self.ping_timeout = ping_timeout

    def build_app(self) -> web.Application:
        app = web.Application()
        app.router.add_get("/healthz", self._healthz)
        app.router.add_get("/metrics", self._metrics)
        return app

    # --- handlers ---------------------------------------------------------------------------------------------

    async def health(self) -> dict[str, Any]:
        """What /healthz reports: gateway connected and database answering."""
        try:
            gateway = bool(self.gateway_ok())
        except Exception:
            log.warning("health: the gateway check failed", exc_info=True)
            gateway = False
        try:
            async with asyncio.timeout(self.ping_timeout):
                database = bool(await self.storage.ping())
        except Exception as error:
            log.warning("health: database ping failed (%s)", type(error).__name__)
            database = False
        return {
            "ok": gateway and database,
            "gateway": gateway,
            "database": database,
            "callbacks": self.callbacks_enabled,
        }

    async def _healthz(self, request: web.Request) -> web.Response:
        report = await self.health()
        return _json(report, status=200 if report["ok"] else 503)

    async def _metrics(self, request: web.Request) -> web.Response:
        await self.metrics.refresh(self.storage, timeout=self.ping_timeout)
        return web.Response(body=self.metrics.render(), headers={"Content-Type": CONTENT_TYPE})


class CallbackServer(Listener):
    """POST /callback/JOB/SIGNATURE and nothing else: the one listener meant to be reachable from outside.

    Handlers never wait on the image API: a callback wakes its job's waiter, which confirms with a status query on
    its own time.
    """

    name = "callbacks (/callback/...)"

    def __init__(self, *, host: str, port: int, hub: CallbackHub, callback_secret: str, metrics: Metrics) -> None:
        super().__init__(host=host, port=port)
        self.hub = hub
        self.metrics = metrics
        self._secret = callback_secret
        self._refusals = RefusalLog()

    def build_app(self) -> web.Application:
        app = web.Application(client_max_size=MAX_CALLBACK_BYTES)
        app.router.add_post(CALLBACK_PATH + "/{job_id}/{signature}", self._callback)
        app.router.add_post(CALLBACK_PATH + "/{job_id}", self._unsigned_callback)
        return app

    async def close(self) -> None:
        self._refusals.flush()
        await super().close()

    async def _unsigned_callback(self, request: web.Request) -> web.Response:
        self.metrics.callback("forged")
        self._refusals.refused("no signature")
        return _json({"error": "forbidden"}, status=403)

    async def _callback(self, request: web.Request) -> web.Response:
        """Check the signature, read the envelope, wake the job's waiter; answers at once (the API gives us 30 s)."""
        job_id = request.match_info["job_id"]
        if not signature_ok(self._secret, job_id, request.match_info["signature"]):
            self.metrics.callback("forged")
            self._refusals.refused(f"a bad signature for job {job_id[:40]!r}")
            return _json({"error": "forbidden"}, status=403)
        try:
            body = await request.json()
        except ValueError:  # UnicodeDecodeError included
            return self._malformed(job_id, "the body is not JSON")
        except web.HTTPRequestEntityTooLarge:
            return self._malformed(job_id, "the body is too large")
        if not isinstance(body, dict):
            return self._malformed(job_id, "the body is not an object")
        try:
            hint = TaskStatus.from_data(body.get("data"))
        except MalformedResponseError as error:
            return self._malformed(job_id, str(error))
        outcome = self.hub.notify(job_id, hint)
        self.metrics.callback(outcome)
        log.info("job %s: callback for task %s says %s (%s)", job_id, hint.task_id[:64], hint.state, outcome)
        return _json({"ok": True})

    def _malformed(self, job_id: str, why: str) -> web.Response:
        self.metrics.callback("malformed")
        log.warning("job %s: refused a malformed callback: %s", job_id, why)
        return _json({"error": "malformed callback"}, status=400)


def _json(data: dict[str, Any], *, status: int = 200) -> web.Response:
    return web.Response(text=json.dumps(data), status=status, content_type=_JSON)
