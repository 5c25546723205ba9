"""`python -m bench`: the burst against the adaptive schedule, the reference's fixed one, and a few poll budgets."""

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

from bench.plot import write_plot
from bench.report import notes, write_results_md
from bench.world import RunConfig, run_once

HERE = Path(__file__).resolve().parent
QUICK = {"jobs": 100, "seconds": 3.0, "users": 20, "guilds": 5, "time_scale": 0.5, "sweep": "8"}


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="100 jobs over 3 s at half the generation times")
    parser.add_argument("--jobs", type=int, help="jobs in the burst (default 1000)")
    parser.add_argument("--seconds", type=float, help="length of the burst (default 10)")
    parser.add_argument("--users", type=int, help="distinct users (default 100)")
    parser.add_argument("--guilds", type=int, help="servers the users are in (default 20)")
    parser.add_argument("--time-scale", type=float, help="multiply generation times (default 1)")
    parser.add_argument("--budget", type=int, default=20, help="POLL_BUDGET of the adaptive run (default 20)")
    parser.add_argument(
        "--sweep", help="more adaptive budgets for the trade-off, comma-separated (default 8,12,16,28); 'none' for none"
    )
    parser.add_argument("--api-latency", type=float, default=0.05, help="seconds each fake API request takes")
    parser.add_argument("--status-concurrency", type=int, default=20, help="MAX_STATUS_CONCURRENCY of the bot")
    parser.add_argument("--seed", type=int, default=7, help="random seed of the burst")
    parser.add_argument(
        "--runs",
        default="adaptive,baseline,sweep,callback",
        help="which runs: adaptive, baseline, sweep, callback (comma-separated)",
    )
    parser.add_argument("--profile", type=Path, help="write a cProfile of each bot process here (diagnosis only)")
    parser.add_argument("--out", type=Path, help="where results go (default bench/; --quick: a temporary folder)")
    args = parser.parse_args(argv)
    defaults = {"jobs": 1000, "seconds": 10.0, "users": 100, "guilds": 20, "time_scale": 1.0, "sweep": "8,12,16,28"}
    for name, value in (QUICK if args.quick else defaults).items():
        if getattr(args, name) is None:
            setattr(args, name, value)
    if args.out is None:
        args.out = Path(tempfile.gettempdir()) / "kontext-bench-quick" if args.quick else HERE
    return args


def _configs(args: argparse.Namespace, logs: Path) -> list[RunConfig]:
    common = {
        "jobs": args.jobs,
        "seconds": args.seconds,
        "users": args.users,
        "guilds": args.guilds,
        "time_scale": args.time_scale,
        "seed": args.seed,
        "api_latency": args.api_latency,
        "status_concurrency": args.status_concurrency,
        "log_dir": str(logs),
    }
    wanted = {part.strip() for part in args.runs.split(",")}
    sweep = [] if args.sweep in ("", "none") else [int(part) for part in args.sweep.split(",") if part.strip()]
    planned = [
        ("adaptive", "adaptive", args.budget),
        ("baseline", "fixed", args.budget),
        *(("sweep", "adaptive", budget) for budget in sweep if budget != args.budget),
        ("callback", "adaptive", args.budget),
    ]
    configs = []
    for run, strategy, budget in planned:
        if run not in wanted:
            continue
        label = f"adaptive (budget {budget})" if strategy == "adaptive" else "baseline (fixed 8 s + 3 s)"
        if run == "callback":
            label = "callback mode"
        profile = str(args.profile / f"{run}-{strategy}-{budget}.prof") if args.profile else None
        configs.append(
            RunConfig(
                label=label, strategy=strategy, budget=budget, profile=profile, callback=run == "callback", **common
            )
        )
    return configs


def _line(result: dict[str, Any]) -> str:
    lag = result["delivery_lag_s"]
    first = result["first_response_ms"]
    return (
        f"{result['label']:<28} delivered {result['delivered']}/{result['jobs']} · first response p99 "
        f"{first['p99']:.0f} ms · lag p50 {lag['p50']:.2f} s p99 {lag['p99']:.2f} s · status/job "
        f"{result['status_per_job']:.2f} · discord/job {result['discord_requests_per_job']:.2f} · 429s "
        f"{result['discord_429']} · cpu {result['bot_cpu_ms_per_job']:.2f} ms/job · "
        f"peak {result['bot_peak_rss_mb']:.0f} MB"
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
        print(f"running {config.label}: {config.jobs} jobs over {config.seconds:g} s ...", flush=True)
        result = await run_once(config)
        runs.append(result)
        print("  " + _line(result), flush=True)
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
    }
    (args.out / "results.json").write_text(json.dumps(results, indent=1) + "\n")
    strategies = {run["config"]["strategy"] for run in runs}
    if strategies != {"adaptive", "fixed"}:
        print(f"wrote results.json to {args.out} (the table and the plot need an adaptive and a baseline run)")
        return 0
    write_results_md(results, args.out / "RESULTS.md", notes(results))
    write_plot(results, args.out / "lag.png")
    print(f"wrote results.json, RESULTS.md and lag.png to {args.out}; the bots' logs are in {logs}")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; every figure is also printed."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    args = _arguments(argv)
    return asyncio.run(_main(args))
