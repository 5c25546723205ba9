"""What stopped the bot's event loop during a run: its garbage collector and late ticks, read from its /metrics.

Apart from bench.measure so that the tests import it with the test requirements alone (no psutil).
"""

from __future__ import annotations

import aiohttp
from prometheus_client.parser import text_string_to_metric_families


async def pauses(url: str) -> dict[str, float]:
    """The bot's event loop and collector figures (`stalls_of`), read from its /metrics at `url`."""
    async with aiohttp.ClientSession() as session, session.get(f"{url}/metrics") as response:
        return stalls_of(await response.text())


def stalls_of(text: str) -> dict[str, float]:
    """What a bot's /metrics say of its event loop and garbage collector (kontext.loopwatch), since it started:
    full collections (count, seconds), every collection's seconds, the pauses and late ticks over 100 ms, and the
    job steps held back for commands waiting for their first answers."""
    samples = {
        (sample.name, sample.labels.get("generation", ""), sample.labels.get("le", "")): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }

    def over(name: str, generation: str = "") -> float:
        return samples.get((f"{name}_count", generation, ""), 0.0) - samples.get(
            (f"{name}_bucket", generation, "0.1"), 0.0
        )

    collections = ("0", "1", "2")
    return {
        "gc_full": samples.get(("kontext_gc_pause_seconds_count", "2", ""), 0.0),
        "gc_full_seconds": round(samples.get(("kontext_gc_pause_seconds_sum", "2", ""), 0.0), 3),
        "gc_seconds": round(sum(samples.get(("kontext_gc_pause_seconds_sum", g, ""), 0.0) for g in collections), 3),
        "gc_over_100ms": sum(over("kontext_gc_pause_seconds", g) for g in collections),
        "loop_ticks": samples.get(("kontext_event_loop_lag_seconds_count", "", ""), 0.0),
        "loop_late_over_100ms": over("kontext_event_loop_lag_seconds"),
        # Job steps held back for commands waiting for their answers (kontext.jobs.foreground): the bot ran behind.
        "background_held": samples.get(("kontext_background_held_total", "", ""), 0.0),
    }
