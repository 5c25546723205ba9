"""The benchmark reads what stopped the bot's event loop from its /metrics (kontext.loopwatch's figures)."""

from __future__ import annotations

from bench.stalls import stalls_of
from kontext.metrics import Metrics


def test_the_benchmark_reads_full_collections_and_late_ticks_from_the_bots_metrics() -> None:
    metrics = Metrics()
    for generation, seconds in ((0, 0.002), (1, 0.02), (2, 0.25), (2, 0.05)):
        metrics.observe_gc_pause(generation, seconds)
    for late in (0.001, 0.003, 0.3, 0.12):
        metrics.observe_loop_lag(late)
    for _ in range(3):
        metrics.background_held.inc()

    stalls = stalls_of(metrics.render().decode())

    assert stalls["gc_full"] == 2 and stalls["gc_full_seconds"] == 0.3
    assert stalls["gc_seconds"] == 0.322
    assert stalls["gc_over_100ms"] == 1
    assert stalls["loop_ticks"] == 4 and stalls["loop_late_over_100ms"] == 2
    assert stalls["background_held"] == 3


def test_a_bot_that_measured_nothing_reads_as_zeros() -> None:
    stalls = stalls_of(Metrics().render().decode())
    assert stalls == {
        "gc_full": 0,
        "gc_full_seconds": 0,
        "gc_seconds": 0,
        "gc_over_100ms": 0,
        "loop_ticks": 0,
        "loop_late_over_100ms": 0,
        "background_held": 0,
    }
