"""The fake Discord's REST entry point under /api/v10: records each request, applies faults, limits and auth, routes."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import orjson
from aiohttp import web

from tests.fakes.discord import limits as limits
from tests.fakes.discord.errors import DiscordError
from tests.fakes.discord.messages import MessageWriter, Upload
from tests.fakes.discord.models import Recorded
from tests.fakes.discord.rest_app import AppRoutes
from tests.fakes.discord.rest_channels import ChannelRoutes
from tests.fakes.discord.rest_interactions import InteractionRoutes

if TYPE_CHECKING:
    from tests.fakes.discord.server import FakeDiscordServer

_FILE_FIELD = re.compile(r"files\[(\d+)\]|file(\d*)")


def json_response(status: int, body: Any, headers: Mapping[str, str] | None = None) -> web.Response:
    """A response whose Content-Type is exactly application/json: discord.py parses nothing else."""
    if body is None:
        return web.Response(status=status, headers=headers)
    return web.Response(
        status=status,
        body=orjson.dumps(body, option=orjson.OPT_NON_STR_KEYS),
        headers={**(headers or {}), "Content-Type": "application/json"},
    )


class FakeRest:
    """Routes REST requests, records them on the fake, and applies Discord's rules."""

    def __init__(self, fake: FakeDiscordServer) -> None:
        self._fake = fake
        messages = MessageWriter(fake)
        resources = (AppRoutes(fake, messages), InteractionRoutes(fake, messages), ChannelRoutes(fake, messages))
        table = [route for resource in resources for route in resource.routes()]
        self._routes = [(method, re.compile(pattern), handler, auth) for method, pattern, handler, auth in table]

    # ---- entry points ----------------------------------------------------------------------------------------

    async def handle(self, request: web.Request) -> web.Response:
        """aiohttp handler for everything under /api/v10."""
        fake = self._fake
        path = "/" + request.match_info["tail"]
        rec = Recorded(
            method=request.method,
            path=path,
            query=dict(request.query),
            json=None,
            files=[],
            time=fake.clock(),
            headers={k: v for k, v in request.headers.items() if k.lower() != "authorization"},
        )
        headers: Mapping[str, str] = {}
        limited = fake.rate_limits.check(rec.method, path) if fake.rate_limits is not None else None
        try:
            uploads = await self._read_body(request, rec)
            fault = fake._take_fault(rec.method, path) if limited is None or limited.refused is None else None
            if limited is not None and limited.refused is not None:
                status, body = 429, limited.refused
            elif fault is not None:
                status, body, headers = fault
            else:
                self._check_uploads(uploads)
                status, body = await self._route(request, rec, uploads)
        except DiscordError as exc:
            status, body, headers = exc.status, exc.body(), exc.headers
        if limited is not None:
            headers = {**limited.headers, **headers}
        rec.status = status
        rec.response = body
        fake.requests.append(rec)
        fake._changed()
        hold = fake._take_hold(rec.method, path)
        if hold is not None:
            hold.reached.set()
            await hold.released.wait()
        return json_response(status, body, headers)

    async def _read_body(self, request: web.Request, rec: Recorded) -> list[Upload]:
        uploads: list[Upload] = []
        # The header as sent: aiohttp's `content_type` parses it with the email package, a tenth of the fake's CPU
        # in the benchmark's scale run, where it shares two cores with the bot it measures.
        if request.headers.get("Content-Type", "").lstrip().lower().startswith("multipart/"):
            reader = await request.multipart()
            async for part in reader:
                name = getattr(part, "name", None) or ""
                if name == "payload_json":
                    rec.json = json.loads(await part.text())  # type: ignore[union-attr]
                    continue
                match = _FILE_FIELD.fullmatch(name)
                if match is None:
                    continue
                data = await part.read(decode=False)  # type: ignore[union-attr]
                index = int(match.group(1) or match.group(2) or len(uploads))
                content_type = part.headers.get("Content-Type", "application/octet-stream")
                uploads.append(Upload(index, getattr(part, "filename", None) or name, bytes(data), content_type))
            rec.files = [(u.filename, u.data, u.content_type) for u in uploads]
        elif request.can_read_body:
            raw = await request.read()
            if raw:
                try:
                    rec.json = json.loads(raw)
                except ValueError as exc:
                    raise DiscordError(400, 50109, "The request body contains invalid JSON.") from exc
        return uploads

    def _check_uploads(self, uploads: list[Upload]) -> None:
        if len(uploads) > limits.MAX_FILES:
            errs = limits.FormErrors()
            errs.add("files", "BASE_TYPE_MAX_LENGTH", f"Must be {limits.MAX_FILES} or fewer in length.")
            errs.raise_if_any()
        if any(len(u.data) > self._fake.attachment_size_limit for u in uploads):
            raise DiscordError(413, 40005, "Request entity too large")

    async def _route(self, request: web.Request, rec: Recorded, uploads: list[Upload]) -> tuple[int, Any]:
        path_known = False
        for method, pattern, handler, auth in self._routes:
            match = pattern.fullmatch(rec.path)
            if match is None:
                continue
            path_known = True
            if method != rec.method:
                continue
            if auth:
                self._check_auth(request)
            return await handler(rec, uploads, {k: v for k, v in match.groupdict().items() if v is not None})
        if path_known:
            raise DiscordError(405, 0, "405: Method Not Allowed")
        raise DiscordError(404, 0, "404: Not Found")

    def _check_auth(self, request: web.Request) -> None:
        header = request.headers.get("Authorization", "")
        expected = self._fake.bot_token
        if not header.startswith("Bot ") or (expected is not None and header != f"Bot {expected}"):
            raise DiscordError(401, 0, "401: Unauthorized")
