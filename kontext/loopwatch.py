"""How late the event loop runs, and how long the garbage collector stops it: what a command's first answer waits.

Every callback of the bot (a gateway event, an HTTP answer, a timer) runs on one event loop, one after another. When
a pass of the loop takes long, every command that arrived meanwhile waits for it, and its first answer is due within
Discord's 3 seconds. Two things make a pass long: more work than one core can do (a burst), and the cyclic garbage
collector, which stops everything while it walks the heap (a full collection walks every object the bot holds:
with thousands of jobs in flight, a pause of a few hundred milliseconds). `LoopWatch` measures both into the bot's
metrics: `kontext_event_loop_lag_seconds` (how late a timer of its own fires, every `tick`) and
`kontext_gc_pause_seconds{generation}` (each collection, timed by the interpreter's gc callbacks). Its ticks also
drive a `CollectionSchedule` (kontext.collector): full collections when the loop is calm.
"""

from __future__ import annotations

import asyncio
import collections
import gc
import time
from collections.abc import Callable
from typing import Any

from kontext.collector import CollectionSchedule
from kontext.metrics import Metrics


class LoopWatch:
    """Times the event loop's lateness every `tick` seconds and every garbage collection, into `metrics`."""

    def __init__(
        self,
        metrics: Metrics,
        *,
        tick: float = 0.25,
        schedule: CollectionSchedule | None = None,
        clock: Callable[[], float] = time.perf_counter,
    ) -> None:
        self.metrics = metrics
        self.tick = tick
        self.schedule = schedule
        self._clock = clock
        self._task: asyncio.Task[None] | None = None
        self._collecting: float | None = None
        # Pauses timed by the gc callback, for the watch to put into the metrics. Never from the callback itself:
        # prometheus_client holds a plain Lock while it copies its children, and a collection that this allocation
        # starts would call back into the same metric on the same thread and wait on that lock forever.
        self._pauses: collections.deque[tuple[int, float]] = collections.deque()

    @property
    def running(self) -> bool:
        return self._task is not None

    def start(self) -> None:
        """Start both watches (in a running loop); a second start changes nothing."""
        if self._task is not None:
            return
        gc.callbacks.append(self._gc)
        if self.schedule is not None:
            self.schedule.start()
        self._task = asyncio.create_task(self._watch(), name="loop-watch")

    async def stop(self) -> None:
        """Stop both watches."""
        task, self._task = self._task, None
        if task is None:
            return
        if self._gc in gc.callbacks:
            gc.callbacks.remove(self._gc)
        if self.schedule is not None:
            self.schedule.stop()
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        self.flush()

    def flush(self) -> None:
        """Put the collections timed since the last flush into the metrics (each tick does)."""
        while self._pauses:
            generation, seconds = self._pauses.popleft()
            self.metrics.observe_gc_pause(generation, seconds)

    def _gc(self, phase: str, info: dict[str, Any]) -> None:
        # The interpreter calls this before and after each collection, on whichever thread triggered it; a deque
        # append takes no lock (see __init__).
        if phase == "start":
            self._collecting = self._clock()
        elif self._collecting is not None:
            self._pauses.append((int(info.get("generation", 0)), self._clock() - self._collecting))
            self._collecting = None

    async def _watch(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            due = loop.time() + self.tick
            await asyncio.sleep(self.tick)
            lag = max(0.0, loop.time() - due)
            self.metrics.observe_loop_lag(lag)
            self.flush()
            if self.schedule is not None:
                self.schedule.tick(lag)
