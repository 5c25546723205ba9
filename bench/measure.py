"""What one benchmark run measured: outcomes read from the fake Discord's log, latency and lag, the bot's CPU."""

from __future__ import annotations

import asyncio
import collections
import statistics
import time
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

import psutil

from bench.fake_api import BenchApi
from bench.workload import JobSpec, describe
from tests.fakes.discord import FakeDiscord, FakeInteraction

if TYPE_CHECKING:
    from bench.world import RunConfig

_FAILURE_TITLE = "Couldn't make this image"


def _quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def _summary(values: list[float], scale: float = 1.0, digits: int = 3) -> dict[str, float]:
    if not values:
        return {"p50": float("nan"), "p90": float("nan"), "p99": float("nan"), "max": float("nan")}
    return {
        "p50": round(_quantile(values, 0.5) * scale, digits),
        "p90": round(_quantile(values, 0.9) * scale, digits),
        "p99": round(_quantile(values, 0.99) * scale, digits),
        "max": round(max(values) * scale, digits),
        "mean": round(statistics.fmean(values) * scale, digits),
    }


async def sample_cpu(child: psutil.Process, began: float, into: list[tuple[float, float, float]]) -> None:
    """Every second, the share of one core the bot process, and this process (the fakes), used in it."""
    loop = asyncio.get_running_loop()
    last, mine, then = sum(child.cpu_times()[:2]), time.process_time(), loop.time()
    while True:
        await asyncio.sleep(1.0)
        used, own, now = sum(child.cpu_times()[:2]), time.process_time(), loop.time()
        span = now - then
        into.append((round(now - began, 1), round((used - last) / span, 3), round((own - mine) / span, 3)))
        last, mine, then = used, own, now


def peak_rss_mb(pid: int) -> float | None:
    """The process's peak resident set (VmHWM) in MB, from /proc; None where there is no /proc."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


class Outcomes:
    """Reads the fake Discord's request log as it grows: which job got its image (or its failure) when."""

    def __init__(self, fake: FakeDiscord, tokens: dict[str, int], start: int) -> None:
        self._fake = fake
        self._tokens = tokens
        self._next = start
        self.delivered: dict[int, float] = {}  # job index -> time the upload reached the fake
        self._placeholders: dict[str, int] = {}  # a job's progress message id -> job index
        self.failed: dict[int, str] = {}

    def scan(self) -> None:
        requests = self._fake.requests
        while self._next < len(requests):
            rec = requests[self._next]
            self._next += 1
            if rec.status != 200:
                continue
            if rec.method == "POST" and rec.path.startswith("/channels/") and rec.files:
                # With pings on, the image comes as a new message replying to the job's progress message.
                payload = rec.json if isinstance(rec.json, dict) else {}
                replied = (payload.get("message_reference") or {}).get("message_id")
                index = self._placeholders.get(str(replied))
                if index is not None and index not in self.delivered and index not in self.failed:
                    self.delivered[index] = rec.time
                continue
            if rec.method != "PATCH" or not rec.path.endswith("/messages/@original"):
                continue
            index = self._tokens.get(rec.path.split("/")[3])
            if index is None or index in self.delivered or index in self.failed:
                continue
            if isinstance(rec.response, dict) and "id" in rec.response:
                self._placeholders[str(rec.response["id"])] = index
            payload = rec.json if isinstance(rec.json, dict) else {}
            titles = [embed.get("title") for embed in payload.get("embeds") or []]
            if rec.files:
                self.delivered[index] = rec.time
            elif _FAILURE_TITLE in titles:
                self.failed[index] = (payload.get("embeds") or [{}])[0].get("description", "")[:200]

    def settled(self, jobs: int) -> bool:
        return len(self.delivered) + len(self.failed) >= jobs


def measure(
    config: RunConfig,
    specs: list[JobSpec],
    fake: FakeDiscord,
    api: BenchApi,
    interactions: dict[int, FakeInteraction],
    outcomes: Outcomes,
    first_request: int,
) -> dict[str, Any]:
    """Latency, lag, and request counts of a finished run."""
    answered = sorted((inter.created, inter.responses[0]["time"]) for inter in interactions.values() if inter.responses)
    first_response = [responded - created for created, responded in answered]
    origin = answered[0][0] if answered else 0.0
    tasks = {task.input["prompt"]: task for task in api.tasks.values()}
    lags: list[float] = []
    caught: list[float] = []  # finish -> the poll that found it done
    handled: list[float] = []  # that poll -> the upload at Discord (download, database, upload)
    for index, received in outcomes.delivered.items():
        task = tasks.get(specs[index].prompt)
        if task is not None:
            lags.append(received - api.finished_at(task))
            seen = api.seen_done.get(task.task_id)
            if seen is not None:
                caught.append(seen - api.finished_at(task))
                handled.append(received - seen)
    polls = [api.polls.get(task.task_id, 0) for task in tasks.values()]
    requests = fake.requests[first_request:]
    jobs = max(1, len(specs))
    kinds = {
        "callbacks": sum(r.path.endswith("/callback") for r in requests),
        "webhook_edits": sum(r.path.startswith("/webhooks/") and r.method == "PATCH" for r in requests),
        "channel": sum(r.path.startswith("/channels/") for r in requests),
    }
    kinds["other"] = len(requests) - sum(kinds.values())
    return {
        "label": config.label,
        "config": asdict(config),
        "generation": describe(specs, config.time_scale),
        "jobs": len(specs),
        "sent": len(interactions),
        "answered": len(first_response),
        "delivered": len(outcomes.delivered),
        "failed": len(outcomes.failed),
        "failures": list(outcomes.failed.values())[:5],
        "first_response_ms": _summary(first_response, 1000, 1),
        "delivery_lag_s": _summary(lags),
        "delivery_lag_parts_s": {"poll_caught_it": _summary(caught), "download_to_upload": _summary(handled)},
        "status_per_job": round(sum(polls) / jobs, 3),
        "status_per_job_p50": _quantile([float(p) for p in polls], 0.5) if polls else None,
        "status_per_job_max": max(polls, default=0),
        "status_in_flight_max": api.most_in_flight,
        "status_per_second_max": max(collections.Counter(int(t - origin) for t in api.poll_times).values(), default=0),
        "discord_requests_per_job": round(len(requests) / jobs, 3),
        "discord_requests": kinds,
        "discord_429": sum(r.status == 429 for r in fake.requests),
        "input_fetches": api.input_fetches,
        "input_fetch_failures": api.input_failures,
        "lags": [round(lag, 4) for lag in sorted(lags)],
        # (seconds into the burst, first-response latency in ms) of each job, to see when the slow ones happen
        "first_response_series": [
            (round(created - origin, 3), round(1000 * (responded - created), 1)) for created, responded in answered
        ],
    }
