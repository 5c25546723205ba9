"""The benchmark's sampled profile: py-spy's stacks of the bot's event loop, counted by step of a job."""

from __future__ import annotations

import pytest

from bench.report import sampled_tables
from bench.sampling import OTHER, phases

_LOOP = "thread (100): MainThread;main (bot.py:582);BaseEventLoop._run_once (asyncio/base_events.py:1922)"
_POLL = (
    f"{_LOOP};JobService._wait (kontext/jobs/service.py:467);TaskWaiter.wait (kontext/jobs/waiting.py:218);"
    "GuardedClient.status (kontext/api/breaker.py:104);ClientSession._request (aiohttp/client.py:558)"
)
_PLAN = f"{_LOOP};TaskWaiter.wait (kontext/jobs/waiting.py:218);AdaptiveSchedule._due (kontext/polling/adaptive.py:377)"
_UPLOAD = (
    f"{_LOOP};JobService._deliver (kontext/jobs/service.py:521);"
    "Interaction.edit_original_response (discord/interactions.py:603)"
)
_IDLE = f"{_LOOP};EpollSelector.select (selectors.py:468)"
_SQLITE = "thread (101): sqlite;_Thread._work (kontext/storage/sqlite.py:70)"
_UNKNOWN = f"{_LOOP};something (elsewhere.py:1)"


def test_each_sample_of_the_loop_counts_once_for_the_first_step_its_stack_is_in() -> None:
    lines = [f"{_POLL} 30", f"{_PLAN} 10", f"{_UPLOAD} 40", f"{_IDLE} 500", f"{_SQLITE} 70", f"{_UNKNOWN} 20", ""]

    sampled = phases(lines, jobs=1000, loop_cpu_seconds=10.0)

    assert sampled["samples"] == 100 and sampled["idle_samples"] == 500  # other threads and the idle wait left out
    assert sampled["loop_ms_per_job"] == 10.0
    steps = {name: (share, ms) for name, share, ms in sampled["phases"]}
    assert steps["job: status polls"] == (0.3, 3.0)  # made while waiting: a poll, not waiting
    assert steps["job: waiting and poll planning"] == (0.1, 1.0)
    assert steps["job: delivery (card, upload, records, charge)"] == (0.4, 4.0)
    assert steps["sockets and the event loop's own work"] == (0.2, 2.0)  # only asyncio's frames above it
    assert sum(share for share, _ in steps.values()) == pytest.approx(1.0)
    leaves = dict((name, ms) for name, _, ms in sampled["top_functions"])
    assert leaves["Interaction.edit_original_response (discord/interactions.py:603)"] == 4.0


def test_a_stack_in_no_step_is_other_and_nothing_sampled_is_an_empty_profile() -> None:
    sampled = phases(["thread (1): MainThread;something (elsewhere.py:1) 5"], jobs=10, loop_cpu_seconds=1.0)
    assert sampled["phases"] == [(OTHER, 1.0, 100.0)]

    empty = phases([f"{_IDLE} 9"], jobs=10, loop_cpu_seconds=1.0)
    assert empty["samples"] == 0 and empty["phases"] == [] and empty["top_functions"] == []


def test_the_report_tables_the_steps_and_the_functions() -> None:
    sampled = phases([f"{_POLL} 3", f"{_UPLOAD} 1"], jobs=100, loop_cpu_seconds=1.0)

    text = sampled_tables(sampled)

    assert "| job: status polls | 75.0% | 7.50 |" in text
    assert "| `Interaction.edit_original_response (discord/interactions.py:603)` | 25.0% | 2.500 |" in text
