"""The event loop's lateness and the garbage collector's pauses, measured into the bot's metrics."""

from __future__ import annotations

import asyncio
import gc
import itertools
import threading
import time

from kontext.loopwatch import LoopWatch
from kontext.metrics import Metrics


def value(metrics: Metrics, name: str, **labels: str) -> float:
    return metrics.registry.get_sample_value(name, labels) or 0.0


async def test_each_collection_is_timed_by_generation_and_the_watch_leaves_no_callback_behind(
    pause: float = 0.3,
) -> None:
    metrics = Metrics()
    ticks = itertools.count()
    watch = LoopWatch(metrics, tick=60.0, clock=lambda: next(ticks) * pause)  # each collection seems to take `pause`
    watch.start()
    watch.start()  # a second start adds nothing
    try:
        assert gc.callbacks.count(watch._gc) == 1
        gc.collect(2)
        watch.flush()  # what each tick does
        full = value(metrics, "kontext_gc_pause_seconds_count", generation="2")
        assert full >= 1
        assert value(metrics, "kontext_gc_pause_seconds_bucket", generation="2", le="0.25") == 0, "timed as `pause`"
        assert value(metrics, "kontext_gc_pause_seconds_bucket", generation="2", le="0.5") == full
        gc.collect(0)
        watch.flush()
        assert value(metrics, "kontext_gc_pause_seconds_count", generation="0") >= 1
    finally:
        await watch.stop()
    assert watch._gc not in gc.callbacks and not watch.running
    counted = value(metrics, "kontext_gc_pause_seconds_count", generation="2")
    gc.collect(2)
    assert value(metrics, "kontext_gc_pause_seconds_count", generation="2") == counted, "stopped: nothing more counted"


async def test_a_collection_while_the_metric_is_busy_never_waits_for_it(within: float = 5.0) -> None:
    # prometheus_client copies a labelled metric's children under a plain Lock; a collection started by that very
    # copy must not call back into the metric (it would wait on that lock forever, on the thread holding it).
    metrics = Metrics()
    watch = LoopWatch(metrics, tick=60.0)
    watch.start()
    collector = threading.Thread(target=gc.collect)
    try:
        with metrics.gc_pause._lock:  # the scrape's copy, with a collection starting inside it (on another thread)
            collector.start()
            collector.join(within)
            finished = not collector.is_alive()
        assert finished, "the gc callback waited for the metric's lock"
        watch.flush()
        assert value(metrics, "kontext_gc_pause_seconds_count", generation="2") >= 1
    finally:
        collector.join()
        await watch.stop()


async def test_a_loop_held_up_shows_as_lag(tick: float = 0.01, hold: float = 0.06) -> None:
    metrics = Metrics()
    watch = LoopWatch(metrics, tick=tick)
    watch.start()
    try:
        await asyncio.sleep(tick * 3)  # a few ticks on time
        hold_loop(hold)  # a callback that holds the loop (a burst's work, or a full collection)
        for _ in range(100):
            if value(metrics, "kontext_event_loop_lag_seconds_count") - on_time(metrics) >= 1:
                break
            await asyncio.sleep(tick)
        assert value(metrics, "kontext_event_loop_lag_seconds_count") - on_time(metrics) >= 1, "the hold was seen"
        assert value(metrics, "kontext_event_loop_lag_seconds_sum") >= hold - tick
    finally:
        await watch.stop()
    assert not watch.running


def hold_loop(seconds: float) -> None:
    """Keep the event loop busy for `seconds`, as a long callback does."""
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        pass


def on_time(metrics: Metrics) -> float:
    """Ticks that came less than 25 ms late."""
    return value(metrics, "kontext_event_loop_lag_seconds_bucket", le="0.025")


async def test_stopping_a_watch_never_started_is_harmless() -> None:
    watch = LoopWatch(Metrics())
    await watch.stop()
    assert not watch.running
