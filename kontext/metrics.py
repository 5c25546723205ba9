"""Prometheus metrics of one bot process, in a registry of its own (several bots can live in one test process)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram, generate_latest

from kontext.api.errors import (
    ApiConnectionError,
    ApiStatusError,
    ApiTimeoutError,
    DownloadTooLargeError,
    GenerationFailed,
    GenerationTimedOut,
    KontextError,
    MalformedResponseError,
)
from kontext.models import JobState
from kontext.storage.base import JobStore

log = logging.getLogger(__name__)

CONTENT_TYPE = CONTENT_TYPE_LATEST
API_OPERATIONS: tuple[str, ...] = ("submit", "status", "download", "balance")
CALLBACK_OUTCOMES: tuple[str, ...] = ("woke", "early", "duplicate", "forged", "malformed")
_API_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
# The event loop's lateness and the collector's pauses: a first answer is due within 3 s, and 0.1 s feels instant.
_PAUSE_BUCKETS = (0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5)
_LAG_BUCKETS = (0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 20.0, 30.0, 60.0, 120.0, 300.0)


def error_kind(error: BaseException) -> str:
    """A short, bounded label for an API error: timeout, connection, malformed, http_429, ..."""
    if isinstance(error, ApiTimeoutError):
        return "timeout"
    if isinstance(error, ApiConnectionError):
        return "connection"
    if isinstance(error, MalformedResponseError):
        return "malformed"
    if isinstance(error, ApiStatusError):
        return f"http_{error.status}" if 100 <= error.status <= 599 else "http_other"
    if isinstance(error, DownloadTooLargeError):
        return "too_large"
    return "other"


def failure_reason(error: BaseException) -> str:
    """A bounded label for why a job failed: the failure family, timeout, an API error kind, or crash."""
    if isinstance(error, GenerationFailed):
        return str(error.family)
    if isinstance(error, GenerationTimedOut):
        return "timeout"
    kind = error_kind(error)
    if kind == "other" and not isinstance(error, KontextError):
        return "crash"  # a bug, not the API: worth an alert of its own
    return kind


class Metrics:
    """The bot's metrics: jobs by state, queue depth, API latency and errors, delivery lag, job and callback counts."""

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry or CollectorRegistry()
        r = self.registry
        self.jobs = Gauge(
            "kontext_jobs", "Jobs in the database by state (all processes sharing it)", ["state"], registry=r
        )
        self.queue_depth = Gauge(
            "kontext_queue_depth", "Jobs in this process waiting for a slot under the API budget", registry=r
        )
        self.jobs_running = Gauge("kontext_jobs_running", "Jobs this process is working on", registry=r)
        self.api_latency = Histogram(
            "kontext_api_request_seconds",
            "Duration of each request to the image API (each retry counts), by operation",
            ["operation"],
            buckets=_API_BUCKETS,
            registry=r,
        )
        self.api_errors = Counter(
            "kontext_api_errors",
            "Failed requests to the image API, by operation and kind",
            ["operation", "kind"],
            registry=r,
        )
        self.delivery_lag = Histogram(
            "kontext_delivery_lag_seconds",
            "From the task finishing at the API to its image posted on Discord",
            buckets=_LAG_BUCKETS,
            registry=r,
        )
        self.jobs_started = Counter("kontext_jobs_started", "Jobs accepted by this process", registry=r)
        self.background_held = Counter(
            "kontext_background_held",
            "Job steps (polls, submits, downloads, uploads, progress edits) held back for commands waiting for their "
            "first answer behind a busy event loop (kontext.jobs.foreground)",
            registry=r,
        )
        self.jobs_delivered = Counter("kontext_jobs_delivered", "Jobs whose image this process delivered", registry=r)
        self.jobs_failed = Counter("kontext_jobs_failed", "Jobs that ended failed, by reason", ["reason"], registry=r)
        self.callbacks = Counter("kontext_callbacks", "Callback requests received, by outcome", ["outcome"], registry=r)
        self.loop_lag = Histogram(
            "kontext_event_loop_lag_seconds",
            "How late the event loop ran a timer due now (every tick of kontext.loopwatch): what every answer waits",
            buckets=_PAUSE_BUCKETS,
            registry=r,
        )
        self.gc_pause = Histogram(
            "kontext_gc_pause_seconds",
            "Each garbage collection, by generation (2: a full one, which walks every object the process holds)",
            ["generation"],
            buckets=_PAUSE_BUCKETS,
            registry=r,
        )
        for generation in range(3):
            self.gc_pause.labels(generation=str(generation))
        for state in JobState:
            self.jobs.labels(state=state.value)
        for operation in API_OPERATIONS:
            self.api_latency.labels(operation=operation)
        for outcome in CALLBACK_OUTCOMES:
            self.callbacks.labels(outcome=outcome)

    # --- what the services report -----------------------------------------------------------------------------

    def observe_api(self, operation: str, seconds: float, error: BaseException | None) -> None:
        """KontextClient's observer: one request's duration, and its error if it failed."""
        self.api_latency.labels(operation=operation).observe(max(0.0, seconds))
        if error is not None:
            self.api_errors.labels(operation=operation, kind=error_kind(error)).inc()

    def observe_delivery(self, seconds: float) -> None:
        """How long a finished task took to reach Discord (task finished → delivered)."""
        self.delivery_lag.observe(max(0.0, seconds))

    def observe_loop_lag(self, seconds: float) -> None:
        """How late (seconds) the event loop ran a timer that was due."""
        self.loop_lag.observe(max(0.0, seconds))

    def observe_gc_pause(self, generation: int, seconds: float) -> None:
        """One garbage collection of `generation` (0, 1 or 2) and how long it stopped the process."""
        self.gc_pause.labels(generation=str(min(max(generation, 0), 2))).observe(max(0.0, seconds))

    def job_started(self) -> None:
        """A job was accepted."""
        self.jobs_started.inc()

    def job_delivered(self, lag: float | None = None) -> None:
        """A job's image was delivered; `lag` (seconds since the task finished) feeds the delivery lag histogram."""
        self.jobs_delivered.inc()
        if lag is not None:
            self.observe_delivery(lag)

    def job_failed(self, error: BaseException) -> None:
        """A job ended failed."""
        self.jobs_failed.labels(reason=failure_reason(error)).inc()

    def callback(self, outcome: str) -> None:
        """A callback request was handled: woke, early, duplicate, forged or malformed."""
        self.callbacks.labels(outcome=outcome).inc()

    def watch_jobs(self, *, queued: Callable[[], int], running: Callable[[], int]) -> None:
        """Read queue depth and running jobs from the job service at every scrape."""
        self.queue_depth.set_function(lambda: float(queued()))
        self.jobs_running.set_function(lambda: float(running()))

    # --- scraping ---------------------------------------------------------------------------------------------

    async def refresh(self, storage: JobStore, *, timeout: float = 5.0) -> bool:  # noqa: ASYNC109
        """Read job counts by state from storage; on a database error keep the last values and return False."""
        try:
            async with asyncio.timeout(timeout):
                counts = {state: await storage.count_jobs(states=(state,)) for state in JobState}
        except Exception as error:  # a scrape must still answer when the database does not
            log.warning("metrics: could not count jobs (%s)", type(error).__name__)
            return False
        for state, count in counts.items():
            self.jobs.labels(state=state.value).set(count)
        return True

    def render(self) -> bytes:
        """The registry in Prometheus' text format."""
        return generate_latest(self.registry)
