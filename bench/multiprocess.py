"""Two bot processes on one PostgreSQL sharing a burst, against one process: throughput at the same lag, and one API
budget (API_CONCURRENCY) that the fake API, counting the tasks active at once, never sees crossed.

Each process runs one of two shards (SHARD_COUNT=2, SHARD_IDS=i), the servers split evenly between them by Discord's
shard formula; the one-process run gets half the burst (the same rate per process) on the same ample budget. A third run
puts the two on a budget of half the most tasks their burst would have at once unbounded: reached, never crossed.
Results go to multiprocess.json beside results.json (a "note" added there is printed too) and to their own section of
RESULTS.md.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import time
import uuid
from dataclasses import replace
from pathlib import Path
from typing import Any

import asyncpg
import psutil

from bench.fake_api import BenchApi
from bench.measure import Outcomes, measure
from bench.workload import JobSpec
from bench.world import TOKEN, RunConfig, _bot_env, _BotProcess, _png, burst_of, servers_pings
from tests.fakes.apixo import most_active
from tests.fakes.discord import FakeDiscord, FakeGuild, FakeInteraction

SECTION = "## Two processes on one PostgreSQL"
TARGET = 1.8  # two processes' throughput against one's, at the same lag (issue 16)
LAG_SLACK = 1.1  # "the same lag": the two-process lag p50 and p99 within this factor of one process's


def natural_peak(specs: list[JobSpec], scale: float) -> int:
    """The most tasks of a burst at the API at once if nothing held them back (submitted as sent)."""
    events = sorted([(s.at, 1) for s in specs] + [(s.at + s.total * scale, -1) for s in specs])
    active = peak = 0
    for _, change in events:
        active += change
        peak = max(peak, active)
    return peak


async def _fresh_database(server: str) -> str:
    name = f"kontext_bench_{uuid.uuid4().hex[:10]}"
    admin = await asyncpg.connect(server)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    return server.rsplit("/", 1)[0] + "/" + name


async def _drop_database(server: str, url: str) -> None:
    admin = await asyncpg.connect(server)
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)')
    finally:
        await admin.close()


def _sharded_guilds(fake: FakeDiscord, count: int, shards: int) -> list[FakeGuild]:
    """`count` servers, as many on each shard (Discord's formula), taken in turn so users spread evenly."""
    per_shard = math.ceil(count / shards)
    by_shard: list[list[FakeGuild]] = [[] for _ in range(shards)]
    while any(len(bucket) < per_shard for bucket in by_shard):
        guild = fake.add_guild(name=f"Server {sum(map(len, by_shard)) + 1}")
        bucket = by_shard[(guild.id >> 22) % shards]
        if len(bucket) < per_shard:
            bucket.append(guild)
    return [by_shard[i % shards][i // shards] for i in range(count)]


async def run_shared(config: RunConfig, processes: int, server: str, api_concurrency: int) -> dict[str, Any]:
    """One burst against `processes` bot processes on a fresh PostgreSQL database sharing `api_concurrency`."""
    specs = burst_of(config)
    timings = {spec.prompt: (spec.pending * config.time_scale, spec.total * config.time_scale) for spec in specs}
    fake = FakeDiscord(rate_limits=True)
    fake.bot_token = TOKEN
    api = BenchApi(timings, latency=config.api_latency)
    database = await _fresh_database(server)
    log_dir = Path(config.log_dir or ".")
    bots: list[_BotProcess] = []
    await fake.start()
    await api.start()
    try:
        guilds = _sharded_guilds(fake, config.guilds, processes)
        users = [fake.add_member(guilds[u % config.guilds], name=f"user{u + 1}")["user"] for u in range(config.users)]
        photos = [fake.add_attachment(_png(768, 512), f"photo-{i}.png", "image/png") for i in range(8)]
        await servers_pings(database, [guild.id for guild in guilds], config.pings)
        for shard in range(processes):
            env = _bot_env(config, fake.base_url, api.base_url, database)
            env.update(
                API_CONCURRENCY=str(api_concurrency),
                MAX_TASKS_IN_FLIGHT=str(api_concurrency),
                SHARD_COUNT=str(processes),
                SHARD_IDS=str(shard),
            )
            bots.append(_BotProcess(env, log_dir / f"bot-{config.label.replace(' ', '-')}-{shard}.log"))
            await bots[-1].start()
        await fake.wait_ready(60)
        children = [psutil.Process(bot.pid) for bot in bots]
        cpu_before = [sum(child.cpu_times()[:2]) for child in children]
        first_request = len(fake.requests)
        interactions: dict[int, FakeInteraction] = {}
        tokens: dict[str, int] = {}
        outcomes = Outcomes(fake, tokens, first_request)

        async def send(spec: JobSpec) -> None:
            options: dict[str, Any] = {"prompt": spec.prompt, "mode": spec.mode}
            if spec.edit:
                options["image"] = photos[spec.index % len(photos)]
            command = "edit" if spec.edit else "imagine"
            with_user = {"guild": guilds[spec.guild], "user": users[spec.user]}
            interactions[spec.index] = inter = await fake.send_slash(command, options, **with_user)
            tokens[inter.token] = spec.index

        loop = asyncio.get_running_loop()
        began = loop.time()
        senders = []
        for spec in specs:
            await asyncio.sleep(max(0.0, began + spec.at - loop.time()))
            senders.append(asyncio.create_task(send(spec)))
        await asyncio.gather(*senders, return_exceptions=True)
        deadline = loop.time() + config.timeout + 30
        while not outcomes.settled(len(interactions)) and loop.time() < deadline:
            await asyncio.sleep(0.25)
            outcomes.scan()
        cpu_seconds = sum(
            sum(child.cpu_times()[:2]) - before for child, before in zip(children, cpu_before, strict=True)
        )

        result = measure(config, specs, fake, api, interactions, outcomes, first_request)
        # Each image's arrival less its own generation time: when it would have arrived from an instant API. The
        # last of these, from the first command, is the time the bot took for the burst, whatever its stragglers.
        sent = min(inter.created for inter in interactions.values())
        done = [at - specs[index].total * config.time_scale for index, at in outcomes.delivered.items()]
        span = max(done, default=sent) - sent
        result.update(
            {
                "processes": processes,
                "api_concurrency": api_concurrency,
                "api_most_active": most_active(api.tasks.values()),
                "unbounded_peak": natural_peak(specs, config.time_scale),
                "submits": len(api.tasks),
                "throughput_per_s": round(len(outcomes.delivered) / span, 2) if span > 0 else 0.0,
                "bot_cpu_ms_per_job": round(1000 * cpu_seconds / max(1, len(specs)), 3),
                "bot_log_warnings": sum(bot.warnings for bot in bots),
            }
        )
        for heavy in ("lags", "first_response_series"):
            result.pop(heavy, None)
        return result
    finally:
        for bot in bots:
            await bot.stop()
        await api.close()
        await fake.close()
        await _drop_database(server, database)


async def compare(args: argparse.Namespace, logs: Path) -> dict[str, Any]:
    """One process with half the burst, two sharing the whole on the same ample budget (throughput at the same lag),
    then two on a budget well under their peak (reached, never crossed); their ratios and verdicts."""
    jobs = args.multiprocess_jobs
    one = RunConfig(
        label="one process",
        strategy="adaptive",
        jobs=jobs // 2,
        seconds=args.seconds,
        users=args.users,
        guilds=args.guilds,
        time_scale=args.time_scale,
        seed=args.seed,
        api_latency=args.api_latency,
        status_concurrency=args.status_concurrency,
        budget=args.budget,
        pings=args.pings,
        log_dir=str(logs),
    )
    two = replace(one, label="two processes", jobs=jobs)
    tight = replace(one, label="two, budget reached", jobs=jobs)
    peak = natural_peak(burst_of(two), args.time_scale)
    ample = 2 * peak  # never the bottleneck: the throughput is the processes'
    budget = args.multiprocess_budget or max(1, peak // 2)
    runs = []
    for config, processes, concurrency in ((one, 1, ample), (two, 2, ample), (tight, 2, budget)):
        print(f"running {config.label} on PostgreSQL: {config.jobs} jobs over {config.seconds:g} s ...", flush=True)
        runs.append(await run_shared(config, processes, args.database_url, concurrency))
        print("  " + line(runs[-1]), flush=True)
    single, double, reached = runs
    ratio = double["throughput_per_s"] / single["throughput_per_s"] if single["throughput_per_s"] else 0.0
    lag = {q: _ratio(double["delivery_lag_s"][q], single["delivery_lag_s"][q]) for q in ("p50", "p99")}
    return {
        "generated": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
        "burst": {"jobs": jobs, "seconds": args.seconds, "time_scale": args.time_scale},
        "unbounded_peak": peak,
        "runs": runs,
        "throughput_ratio": round(ratio, 3),
        "lag_ratio": lag,
        "same_lag": all(value <= LAG_SLACK for value in lag.values()),
        "budget_held": all(run["api_most_active"] <= run["api_concurrency"] for run in runs),
        "budget_reached": reached["api_most_active"] == reached["api_concurrency"],
        "all_delivered": all(run["delivered"] == run["jobs"] and run["submits"] == run["jobs"] for run in runs),
    }


def _ratio(value: float, base: float) -> float:
    return round(value / base, 3) if base else math.inf


def line(run: dict[str, Any]) -> str:
    lag = run["delivery_lag_s"]
    return (
        f"{run['label']:<20} delivered {run['delivered']}/{run['jobs']} · {run['throughput_per_s']:.1f} jobs/s · "
        f"lag p50 {lag['p50']:.2f} s p99 {lag['p99']:.2f} s · API at once {run['api_most_active']}/"
        f"{run['api_concurrency']} · cpu {run['bot_cpu_ms_per_job']:.2f} ms/job"
    )


def section(summary: dict[str, Any]) -> str:
    """RESULTS.md's section on the two-process run."""

    def verdict(ok: bool) -> str:
        return "**met**" if ok else "**missed**"

    rows = [
        "| run | jobs | delivered | throughput (jobs/s) | lag p50 (s) | lag p99 (s) | API tasks at once / budget "
        "| bot CPU (ms/job) |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for run in summary["runs"]:
        lag = run["delivery_lag_s"]
        rows.append(
            f"| {run['label']} | {run['jobs']} | {run['delivered']} | {run['throughput_per_s']:.1f} "
            f"| {lag['p50']:.2f} | {lag['p99']:.2f} | {run['api_most_active']} / {run['api_concurrency']} "
            f"| {run['bot_cpu_ms_per_job']:.2f} |"
        )
    lag = summary["lag_ratio"]
    same = verdict(summary["same_lag"])
    shape = summary["burst"]
    per_process = shape["jobs"] / 2 / shape["seconds"]
    return "\n".join(
        [
            SECTION,
            "",
            f"Measured {summary['generated']} (`python -m bench --runs multiprocess --database-url …`): one bot "
            f"process with half the burst, then two (one shard each) sharing the whole burst ({shape['jobs']} "
            f"commands over {shape['seconds']:g} s, {per_process:g} a second per process, generation times scaled by "
            f"{shape['time_scale']:g}), on one PostgreSQL and "
            f"one `API_CONCURRENCY` of twice the most tasks the whole burst would have at the API at once unbounded "
            f"({summary['unbounded_peak']}), so that the throughput is the processes'; then the two again on a budget "
            "of half that peak, which they reach and must never cross. Throughput: jobs delivered per second from the "
            "first command to the last image, each image's time less its own generation time (so the stragglers of "
            "the fake API, more of them in a bigger burst, do not count as the bot's time).",
            "",
            *rows,
            "",
            f"- Throughput, two processes against one: **{summary['throughput_ratio']:.2f}x** (target at least "
            f"{TARGET}x): {verdict(summary['throughput_ratio'] >= TARGET and summary['same_lag'])}, at lag ratios p50 "
            f"{lag['p50']:.2f} and p99 {lag['p99']:.2f} (same lag: within {LAG_SLACK}x: {same}).",
            f"- The shared budget never crossed (the fake API's most tasks at once against it): "
            f"{verdict(summary['budget_held'])}; reached by the two processes: {verdict(summary['budget_reached'])}.",
            f"- Every job delivered, none submitted twice: {verdict(summary['all_delivered'])}.",
            *([f"- {summary['note']}"] if summary.get("note") else []),
            "",
        ]
    )


def write_section(out: Path) -> None:
    """Put the two-process section (from multiprocess.json, if there is one) at the end of RESULTS.md, replacing it."""
    data = out / "multiprocess.json"
    results = out / "RESULTS.md"
    if not data.exists():
        return
    text = results.read_text() if results.exists() else ""
    if SECTION in text:
        head, _, tail = text.partition(SECTION)
        rest = tail.split("\n## ", 1)
        text = head + ("## " + rest[1] if len(rest) > 1 else "")
    results.write_text(text.rstrip("\n") + "\n\n" + section(json.loads(data.read_text())))


async def run(args: argparse.Namespace, logs: Path) -> None:
    """The two-process comparison, if a PostgreSQL server is given: multiprocess.json and RESULTS.md's section."""
    if not args.database_url:
        print("skipping the two-process run: it needs PostgreSQL (--database-url or BENCH_DATABASE_URL)", flush=True)
        return
    args.multiprocess_jobs = args.multiprocess_jobs or args.jobs
    summary = await compare(args, logs)
    (args.out / "multiprocess.json").write_text(json.dumps(summary, indent=1) + "\n")
    write_section(args.out)
