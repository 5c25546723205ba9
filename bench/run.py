"""`python -m bench`: each workload against the adaptive and the fixed schedule, the scale run and a profile."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import platform
import signal
import tempfile
import time
from pathlib import Path
from typing import Any

from bench import multiprocess, sampling
from bench.curves import curves
from bench.fake_api import BenchApi
from bench.floor import measure_floor
from bench.plot import write_plot
from bench.profile import summarise
from bench.report import notes, write_results_md
from bench.workload import WORKLOADS, Workload
from bench.world import RunConfig, run_once

HERE = Path(__file__).resolve().parent
QUICK = {
    "jobs": 100,
    "seconds": 3.0,
    "users": 20,
    "guilds": 5,
    "time_scale": 0.5,
    "scale_jobs": 1000,
    "scale_seconds": 6.0,
}
RUNS = "workloads,callback,scale,profile,floor,multiprocess"


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="100 jobs over 3 s at half the generation times")
    parser.add_argument("--jobs", type=int, help="jobs in each workload's burst but the cold start (default 1000)")
    parser.add_argument("--seconds", type=float, help="length of the burst (default 10)")
    parser.add_argument("--users", type=int, help="distinct users (default 100)")
    parser.add_argument("--guilds", type=int, help="servers the users are in (default 20)")
    parser.add_argument("--time-scale", type=float, help="multiply generation times (default 1)")
    parser.add_argument("--budget", type=int, default=20, help="POLL_BUDGET of the adaptive runs (default 20)")
    parser.add_argument(
        "--pings",
        action="store_true",
        help="results as new pinging messages, the servers' default (off: edited in place, so the lag measures polls)",
    )
    parser.add_argument("--api-latency", type=float, default=0.05, help="seconds each fake API request takes")
    parser.add_argument("--status-concurrency", type=int, default=20, help="MAX_STATUS_CONCURRENCY of the bot")
    parser.add_argument("--seed", type=int, default=7, help="random seed of the burst")
    parser.add_argument(
        "--workloads", default=",".join(WORKLOADS), help=f"comma-separated, of {', '.join(WORKLOADS)} (default all)"
    )
    parser.add_argument("--runs", default=RUNS, help=f"which runs, comma-separated, of {RUNS} (default all)")
    parser.add_argument("--scale-jobs", type=int, help="jobs in the scale run (default 10000)")
    parser.add_argument("--scale-seconds", type=float, help="length of the scale run's burst (default 60)")
    parser.add_argument("--profile", type=Path, help="also write a cProfile of every bot process here (diagnosis)")
    parser.add_argument("--out", type=Path, help="where results go (default bench/; --quick: a temporary folder)")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_DATABASE_URL"),
        help="PostgreSQL server for the two-process run (a database is created and dropped for each run)",
    )
    parser.add_argument("--multiprocess-jobs", type=int, help="jobs the two processes share (default --jobs)")
    parser.add_argument("--multiprocess-budget", type=int, help="their API_CONCURRENCY (default: just under the peak)")
    args = parser.parse_args(argv)
    defaults = {
        "jobs": 1000,
        "seconds": 10.0,
        "users": 100,
        "guilds": 20,
        "time_scale": 1.0,
        "scale_jobs": 10_000,
        "scale_seconds": 60.0,
    }
    for name, value in (QUICK if args.quick else defaults).items():
        if getattr(args, name) is None:
            setattr(args, name, value)
    if args.out is None:
        args.out = Path(tempfile.gettempdir()) / "kontext-bench-quick" if args.quick else HERE
    return args


def _configs(args: argparse.Namespace, logs: Path) -> list[RunConfig]:
    common = {
        "users": args.users,
        "guilds": args.guilds,
        "time_scale": args.time_scale,
        "seed": args.seed,
        "api_latency": args.api_latency,
        "budget": args.budget,
        "pings": args.pings,
        "log_dir": str(logs),
    }
    wanted = {part.strip() for part in args.runs.split(",")}
    workloads = [WORKLOADS[name.strip()] for name in args.workloads.split(",") if name.strip()]
    configs = []

    def add(label: str, strategy: str, workload: Workload, **options: Any) -> None:
        jobs, seconds = (workload.jobs, workload.seconds) if workload.cold else (args.jobs, args.seconds)
        options.setdefault("jobs", jobs)
        options.setdefault("seconds", seconds)
        options.setdefault("status_concurrency", args.status_concurrency)
        name = f"{label}-{workload.name}".replace(" ", "-")
        if args.profile and "profile" not in options and "sample" not in options:  # never both on one run
            options["profile"] = str(args.profile / f"{name}.prof")
        configs.append(RunConfig(label=label, strategy=strategy, workload=workload.name, **common, **options))

    if "workloads" in wanted:
        for workload in workloads:
            add("adaptive", "adaptive", workload)
            add("baseline", "fixed", workload)
    standard = WORKLOADS["standard"]
    if "callback" in wanted:
        add("callback mode", "adaptive", standard, callback=True)
    if "scale" in wanted:
        # Ten times the burst, six times as long: the API's status endpoint gets 60 requests in flight, not 20.
        add("scale", "adaptive", standard, jobs=args.scale_jobs, seconds=args.scale_seconds, status_concurrency=60)
    if "profile" in wanted:
        # Sampled when py-spy is here (the shares as they are); else under cProfile (function by function, skewed).
        if sampling.py_spy() is not None:
            add("profiled", "adaptive", standard, sample=str(logs / "samples.raw"))
        else:
            add("profiled", "adaptive", standard, profile=str(logs / "profile.prof"))
    return configs


def _line(result: dict[str, Any]) -> str:
    lag = result["delivery_lag_s"]
    first = result["first_response_ms"]
    return (
        f"{result['label']:<28} delivered {result['delivered']}/{result['jobs']} · first response p99 "
        f"{first['p99']:.0f} ms · lag p50 {lag['p50']:.2f} s p99 {lag['p99']:.2f} s · status/job "
        f"{result['status_per_job']:.2f} · discord/job {result['discord_requests_per_job']:.2f} · 429s "
        f"{result['discord_429']} · cpu {result['bot_cpu_ms_per_job']:.2f} ms/job · "
        f"peak {result['bot_peak_rss_mb']:.0f} MB{stalls_line(result)}"
    )


def stalls_line(result: dict[str, Any]) -> str:
    """The collector's pauses and the loop's late ticks, when the run could read them."""
    stalls = result.get("bot_stalls")
    if not stalls:
        return ""
    return (
        f" · gc {stalls['gc_seconds']:.2f} s ({stalls['gc_full']:.0f} full, {stalls['gc_over_100ms']:.0f} over 100 ms)"
        f" · loop late >100 ms {stalls['loop_late_over_100ms']:.0f}/{stalls['loop_ticks']:.0f} ticks"
        f" · steps held for commands {stalls.get('background_held', 0):.0f}"
    )


async def _main(args: argparse.Namespace) -> int:
    # SIGTERM cancels the run like Ctrl-C does, so the bot process is stopped on the way out.
    main_task = asyncio.current_task()
    if main_task is not None:
        asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, main_task.cancel)
    args.out.mkdir(parents=True, exist_ok=True)
    if args.profile:
        args.profile.mkdir(parents=True, exist_ok=True)
    logs = Path(tempfile.mkdtemp(prefix="kontext-bench-logs-"))
    runs: list[dict[str, Any]] = []
    started = time.time()
    for config in _configs(args, logs):
        print(
            f"running {config.label} on {config.workload}: {config.jobs} jobs over {config.seconds:g} s ...", flush=True
        )
        result = await run_once(config)
        runs.append(result)
        print("  " + _line(result), flush=True)
    floor = await _floor(args, runs) if "floor" in args.runs.split(",") else None
    if "multiprocess" in args.runs.split(","):
        await multiprocess.run(args, logs)
    print("replaying the schedules offline for the lag-against-requests curves ...", flush=True)
    results = {
        "generated": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
        "minutes": round((time.time() - started) / 60, 1),
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
        },
        "settings": {key: (str(value) if isinstance(value, Path) else value) for key, value in vars(args).items()},
        "runs": runs,
        "curves": curves(args.workloads.split(","), args),
    }
    if floor is not None:
        results["floor"] = floor
    profiled = next((run for run in runs if run["label"] == "profiled"), None)
    if profiled is not None and profiled["config"].get("sample"):
        results["sampled"] = _sampled(profiled)
    elif profiled is not None and profiled["config"].get("profile"):
        results["profile"] = summarise(Path(profiled["config"]["profile"]), profiled["jobs"])
    (args.out / "results.json").write_text(json.dumps(results, indent=1) + "\n")
    if not any(run["config"]["strategy"] == "fixed" for run in runs):
        print(f"wrote results.json to {args.out} (the tables and plots need the workload runs)")
        return 0
    write_results_md(results, args.out / "RESULTS.md", notes(results))
    multiprocess.write_section(args.out)
    write_plot(results, args.out / "lag.png", args.out / "curves.png")
    print(f"wrote results.json, RESULTS.md, lag.png and curves.png to {args.out}; the bots' logs are in {logs}")
    return 0


def _sampled(run: dict[str, Any]) -> dict[str, Any] | None:
    """The profiled run's samples by phase, in ms per job of the event loop's measured CPU; None if py-spy failed."""
    path = Path(run["config"]["sample"])
    if not path.exists():
        print(f"  py-spy wrote no samples (see {path.with_suffix('.log')}): no profile in the report", flush=True)
        return None
    loop_seconds = run["bot_cpu_seconds_by_thread"].get("event loop", run["bot_cpu_seconds"])
    return sampling.phases(path.read_text().splitlines(), jobs=run["jobs"], loop_cpu_seconds=loop_seconds)


async def _floor(args: argparse.Namespace, runs: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The floor under the standard burst's CPU per job: its exchanges made by a bare client (bench/floor.py).

    It repeats what the standard burst's adaptive run sent per job, so without that run there is nothing to repeat.
    """
    standard = next(
        (run for run in runs if run["label"] == "adaptive" and run["config"]["workload"] == "standard"), None
    )
    if standard is None:
        print("no floor: it repeats the standard workload's adaptive run, which this benchmark did not run", flush=True)
        return None
    polls, discord_requests = standard["status_per_job"], standard["discord_requests_per_job"]
    print(f"measuring the floor: {standard['jobs']} jobs' exchanges by a bare aiohttp client ...", flush=True)
    floor = await measure_floor(
        BenchApi.result_image(),
        jobs=standard["jobs"],
        polls=polls,
        discord_requests=discord_requests,
        latency=args.api_latency,
    )
    print(
        f"  floor {floor['cpu_ms_per_job']:.2f} ms/job ({polls:.2f} status and {discord_requests:.2f} Discord "
        "requests a job)",
        flush=True,
    )
    return floor


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; every figure is also printed."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    args = _arguments(argv)
    return asyncio.run(_main(args))
