"""Where the bot's event loop spends its time, by step of a job: py-spy samples the bot process during a run.

A deterministic profiler (cProfile) times every call, which costs more the smaller the functions, so it inflates the
bot's many small steps against aiohttp's and SQLite's C code and roughly triples the run's CPU. Sampling the stacks
100 times a second leaves the shares as they are. Each sample of the event loop's thread counts for the first phase
that any frame of its stack names (PHASES, in order: a status poll made while waiting is a status poll); a sample in
the selector's wait is the loop idle. Shares times the thread's measured CPU per job give milliseconds per job.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import shutil
import signal
import sys
from pathlib import Path
from typing import Any

# (phase, marks: any frame holding one of them puts the sample in the phase); the first that matches wins
PHASES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("gateway: events received, inflated, parsed", ("discord/gateway.py", "discord/shard.py")),
    ("command: dispatch, reservation, first answer, job record", ("discord/app_commands/", "start_from_interaction")),
    ("job: status polls", ("GuardedClient.status ", "KontextClient.status ")),
    ("job: submit", ("JobService._submit ",)),
    ("job: download and image check", ("JobService._download ",)),
    ("job: delivery (card, upload, records, charge)", ("JobService._deliver ",)),
    ("job: progress edits", ("ProgressReporter._flush ",)),
    ("job: waiting and poll planning", ("TaskWaiter.", "kontext/polling/")),
    ("job: the rest of its flow", ("kontext/jobs/",)),
    ("HTTP answers arriving (aiohttp's protocol)", ("aiohttp/client_proto.py", "aiohttp/streams.py")),
    ("sockets and the event loop's own work", ("asyncio/", "selectors.py")),
)
OTHER = "other"
IDLE_LEAF = "select (selectors.py"  # the loop waiting in epoll for something to do
MAIN_THREAD = "MainThread"


def py_spy() -> str | None:
    """The py-spy beside this Python (the benchmark's venv), else on PATH; None when not installed."""
    return shutil.which("py-spy", path=str(Path(sys.executable).parent)) or shutil.which("py-spy")


async def start(pid: int, output: Path, *, rate: int = 100) -> asyncio.subprocess.Process | None:
    """Start sampling `pid` into `output` (py-spy's raw format, one line per distinct stack); None without py-spy."""
    binary = py_spy()
    if binary is None:
        return None
    log = output.with_suffix(".log").open("w")
    try:
        return await asyncio.create_subprocess_exec(
            binary,
            *("record", "--pid", str(pid), "--rate", str(rate), "--format", "raw", "--threads", "--output"),
            str(output),
            stdout=log,
            stderr=log,
        )
    finally:
        log.close()


async def stop(sampler: asyncio.subprocess.Process | None) -> None:
    """Stop sampling as Ctrl-C does: py-spy writes what it has and exits."""
    if sampler is None or sampler.returncode is not None:
        return
    sampler.send_signal(signal.SIGINT)
    try:
        await asyncio.wait_for(sampler.wait(), 30)
    except TimeoutError:
        with contextlib.suppress(ProcessLookupError):
            sampler.kill()
        await sampler.wait()


def phases(lines: list[str], *, jobs: int, loop_cpu_seconds: float, top: int = 12) -> dict[str, Any]:
    """The event loop's busy samples by phase and by innermost function, as shares and ms per job."""
    by_phase: collections.Counter[str] = collections.Counter()
    by_leaf: collections.Counter[str] = collections.Counter()
    idle = 0
    for line in lines:
        stack, _, count = line.rstrip().rpartition(" ")
        frames = stack.split(";")
        if not stack or not count.isdigit() or MAIN_THREAD not in frames[0]:
            continue
        samples = int(count)
        if IDLE_LEAF in frames[-1]:
            idle += samples
            continue
        by_phase[_phase(frames)] += samples
        by_leaf[frames[-1]] += samples
    busy = sum(by_phase.values())
    per_job = 1000 * loop_cpu_seconds / max(1, jobs)

    def rows(counts: collections.Counter[str], limit: int | None = None) -> list[tuple[str, float, float]]:
        return [
            (name, round(samples / busy, 4), round(per_job * samples / busy, 3))
            for name, samples in counts.most_common(limit)
        ]

    return {
        "samples": busy,
        "idle_samples": idle,
        "loop_ms_per_job": round(per_job, 3),
        "phases": rows(by_phase) if busy else [],
        "top_functions": rows(by_leaf, top) if busy else [],
    }


def _phase(frames: list[str]) -> str:
    for name, marks in PHASES:
        if any(mark in frame for frame in frames for mark in marks):
            return name
    return OTHER
