"""The floor under the bot's CPU per job: the same exchanges per job made by a bare aiohttp client, nothing else.

Per job the floor client answers the command (one POST), submits the task (one POST), polls its status as often as
the bot did (GETs), downloads the result (one GET), checks the image as the bot does (`check_result`, in a thread),
sends the progress edits the bot sent (JSON PATCHes) and uploads the image with its card (one multipart PATCH). The
servers answer with bodies of the sizes Discord and the API send. What the floor leaves out is what the bot adds on
top: discord.py's gateway and its objects (Interaction, Message, View), the database, the schedule, the quotas and
the logs. The client runs in a process of its own, like the bot, so its CPU time (every thread, as the bot's is
measured) is comparable: bot CPU per job divided by the floor's is the overhead, on the machine of the same run.

`python -m bench.floor BASE_URL JOBS POLLS EDITS [CONCURRENCY]` runs the client and prints its figures as JSON.
"""

from __future__ import annotations

import asyncio
import json
import math
import sys
import time
from pathlib import Path
from typing import Any

import aiohttp
import orjson
from aiohttp import web

from kontext.images.codec import check_result

ROOT = Path(__file__).resolve().parent.parent  # where `python -m bench.floor` finds the packages
WARM_UP = 50  # jobs run before the clock starts: connections opened, code paths warm
_TEXT = "A lighthouse at dusk, oil painting, waves breaking on the rocks, warm light in the windows " * 2
# What the bot sends: a placeholder answer, progress edits, and a result card with its image (Components V2).
_ANSWER = {"type": 4, "data": {"content": f"⏳ Queued · {_TEXT[:120]}", "allowed_mentions": {"parse": []}}}
_PROGRESS = {"content": f"🎨 Generating · {_TEXT[:120]} · about 8 s left", "allowed_mentions": {"parse": []}}
_SUBMIT = {"request_type": "async", "input": {"prompt": _TEXT, "mode": "pro", "aspect_ratio": "16:9"}}
_CARD = {
    "flags": 1 << 15,
    "allowed_mentions": {"parse": []},
    "attachments": [{"id": 0, "filename": "kontext-0123456789abcdef.jpeg"}],
    "components": [
        {
            "type": 17,
            "accent_color": 0x5865F2,
            "components": [
                {"type": 12, "items": [{"media": {"url": "attachment://kontext-0123456789abcdef.jpeg"}}]},
                {"type": 10, "content": _TEXT},
                {"type": 14, "divider": True, "spacing": 1},
                {"type": 10, "content": "**pro** ($0.03) · 16:9 · JPEG · upsampling off · safety 2 · 12.1 s"},
                {"type": 10, "content": "-# job 0123456789abcdef · task 7d3c0a61f2b84e5d9c1a"},
                {
                    "type": 1,
                    "components": [
                        {"type": 2, "style": 2, "label": label, "custom_id": f"kx:{action}:0123456789abcdef"}
                        for label, action in (("Re-roll", "reroll"), ("Edit", "edit"), ("Delete", "delete"))
                    ],
                },
            ],
        }
    ],
}
# What comes back: Discord's message object (with the card echoed), the API's envelopes.
_MESSAGE = {
    "id": "1577471891709362198",
    "channel_id": "1577471891709362176",
    "type": 20,
    "content": "",
    "author": {"id": "1577471891600000000", "username": "Kontext", "discriminator": "0", "bot": True},
    "timestamp": "2026-12-01T17:07:00.000000+00:00",
    "edited_timestamp": "2026-12-01T17:07:12.000000+00:00",
    "attachments": [
        {
            "id": "1577471891709362199",
            "filename": "kontext-0123456789abcdef.jpeg",
            "size": 37153,
            "url": "https://cdn.discordapp.com/attachments/1/2/kontext-0123456789abcdef.jpeg?ex=1&is=2&hm=3",
            "proxy_url": "https://media.discordapp.net/attachments/1/2/kontext-0123456789abcdef.jpeg?ex=1&is=2&hm=3",
            "width": 1024,
            "height": 576,
            "content_type": "image/jpeg",
        }
    ],
    "embeds": [],
    "mentions": [],
    "mention_roles": [],
    "pinned": False,
    "mention_everyone": False,
    "tts": False,
    "flags": 1 << 15,
    "components": _CARD["components"],
    "interaction_metadata": {"id": "1577471891709362190", "type": 2, "user": {"id": "2", "username": "user1"}},
}
_STATUS = {"code": 200, "message": "success", "data": {"taskId": "task-1", "state": "processing", "progress": 40}}
_TASK = {"code": 200, "message": "success", "data": {"taskId": "task-1"}}


def spread(jobs: int, per_job: float) -> list[int]:
    """Whole counts per job that add up to `per_job` on average (2.3 a job: 2, 2, 3, 2, ...)."""
    return [math.floor((i + 1) * per_job) - math.floor(i * per_job) for i in range(jobs)]


class FloorServer:
    """Discord's and the API's side of the floor's exchanges, counting each kind of request it answers."""

    def __init__(self, image: bytes, *, latency: float = 0.0) -> None:
        self.image = image
        self.latency = latency  # each API request waits this long, as the benchmark's fake API does
        self.counts: dict[str, int] = {"answer": 0, "submit": 0, "status": 0, "download": 0, "edit": 0, "upload": 0}
        self.uploaded: list[bytes] = []  # the image part of each upload
        self._runner: web.AppRunner | None = None
        self.base_url = ""

    async def start(self) -> None:
        app = web.Application(client_max_size=32 * 2**20)
        app.router.add_post("/answer", self._answer)
        app.router.add_post("/submit", self._submit)
        app.router.add_get("/status", self._status)
        app.router.add_get("/result.jpeg", self._download)
        app.router.add_patch("/message", self._edit)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0).start()
        port = self._runner.addresses[0][1]
        self.base_url = f"http://127.0.0.1:{port}"

    async def close(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def _answer(self, request: web.Request) -> web.Response:
        await request.read()
        self.counts["answer"] += 1
        return web.json_response({"interaction": {"id": "1", "type": 2}, "resource": {"type": 4, "message": _MESSAGE}})

    async def _submit(self, request: web.Request) -> web.Response:
        await request.read()
        self.counts["submit"] += 1
        await asyncio.sleep(self.latency)
        return web.json_response(_TASK)

    async def _status(self, request: web.Request) -> web.Response:
        self.counts["status"] += 1
        await asyncio.sleep(self.latency)
        return web.json_response(_STATUS)

    async def _download(self, request: web.Request) -> web.Response:
        self.counts["download"] += 1
        await asyncio.sleep(self.latency)
        return web.Response(body=self.image, content_type="image/jpeg")

    async def _edit(self, request: web.Request) -> web.Response:
        if request.content_type.startswith("multipart/"):
            self.counts["upload"] += 1
            async for part in await request.multipart():
                if isinstance(part, aiohttp.BodyPartReader) and part.filename:
                    self.uploaded.append(bytes(await part.read()))
                elif isinstance(part, aiohttp.BodyPartReader):
                    await part.read()
        else:
            await request.read()
            self.counts["edit"] += 1
        return web.json_response(_MESSAGE)


async def run_jobs(base_url: str, polls: list[int], edits: list[int], *, concurrency: int = 100) -> None:
    """Each job's exchanges, `concurrency` jobs at once; `polls[i]` and `edits[i]` are job i's."""
    json_headers = {"Content-Type": "application/json"}
    api_headers = {"Authorization": "Bearer floor", "Accept": "application/json", **json_headers}
    limit = asyncio.Semaphore(concurrency)

    async def job(session: aiohttp.ClientSession, index: int) -> None:
        async with limit:
            async with session.post(f"{base_url}/answer", data=orjson.dumps(_ANSWER), headers=json_headers) as r:
                orjson.loads(await r.read())
            async with session.post(f"{base_url}/submit", data=orjson.dumps(_SUBMIT), headers=api_headers) as r:
                orjson.loads(await r.read())
            for _ in range(polls[index]):
                async with session.get(f"{base_url}/status", params={"taskId": "task-1"}, headers=api_headers) as r:
                    orjson.loads(await r.read())
            async with session.get(f"{base_url}/result.jpeg") as r:
                image = await r.read()
            await asyncio.to_thread(check_result, image)
            for _ in range(edits[index]):
                progress = orjson.dumps(_PROGRESS)
                async with session.patch(f"{base_url}/message", data=progress, headers=json_headers) as r:
                    orjson.loads(await r.read())
            form = aiohttp.FormData()
            form.add_field("payload_json", orjson.dumps(_CARD).decode(), content_type="application/json")
            form.add_field("files[0]", image, filename="kontext-0123456789abcdef.jpeg", content_type="image/jpeg")
            async with session.patch(f"{base_url}/message", data=form) as r:
                orjson.loads(await r.read())

    async with aiohttp.ClientSession() as session:
        await asyncio.gather(*(job(session, index) for index in range(len(polls))))


async def _client(base_url: str, jobs: int, polls: float, edits: float, concurrency: int) -> dict[str, Any]:
    await run_jobs(base_url, spread(WARM_UP, polls), spread(WARM_UP, edits), concurrency=concurrency)
    started = time.process_time()
    await run_jobs(base_url, spread(jobs, polls), spread(jobs, edits), concurrency=concurrency)
    cpu = time.process_time() - started
    return {"jobs": jobs, "cpu_seconds": round(cpu, 3), "cpu_ms_per_job": round(1000 * cpu / max(1, jobs), 3)}


async def measure_floor(
    image: bytes, *, jobs: int, polls: float, discord_requests: float, latency: float = 0.05, concurrency: int = 100
) -> dict[str, Any]:
    """Serve the exchanges here and run the floor client in a process of its own; its CPU per job and what it did.

    `discord_requests` per job as the bot made them: the answer, the upload and progress edits in between.
    """
    edits = max(0.0, discord_requests - 2)
    server = FloorServer(image, latency=latency)
    await server.start()
    try:
        command = [sys.executable, "-m", "bench.floor", server.base_url, str(jobs), str(polls), str(edits)]
        process = await asyncio.create_subprocess_exec(
            *command, str(concurrency), stdout=asyncio.subprocess.PIPE, cwd=ROOT
        )
        out, _ = await process.communicate()
        if process.returncode != 0:
            raise RuntimeError(f"the floor client exited with {process.returncode}")
        result: dict[str, Any] = json.loads(out)
    finally:
        await server.close()
    result.update({"polls_per_job": polls, "edits_per_job": round(edits, 3), "requests": dict(server.counts)})
    return result


def main(argv: list[str]) -> int:
    base_url, jobs, polls, edits = argv[0], int(argv[1]), float(argv[2]), float(argv[3])
    concurrency = int(argv[4]) if len(argv) > 4 else 100
    print(json.dumps(asyncio.run(_client(base_url, jobs, polls, edits, concurrency))))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
