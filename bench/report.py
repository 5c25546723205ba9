"""The benchmark's results as Markdown: per-workload ratios to the baseline judged against the targets, the scale
run, the CPU profile, callback mode and the lag-against-requests curves."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from bench.workload import WORKLOADS

Run = dict[str, Any]

# Issue 16's targets for the adaptive schedule, each a ceiling on its ratio to the fixed schedule's figure.
LAG_TARGETS: tuple[tuple[str, float], ...] = (("p50", 0.45), ("p90", 0.8), ("p99", 1.0), ("max", 1.2))
COLD_P50 = 0.6  # on a cold start only the prior is known
REQUESTS_TARGET = 2.0
FIRST_RESPONSE_MS, SCALE_MEMORY_MB, CPU_MS = 100.0, 300.0, 5.0


def workload_pairs(results: dict[str, Any]) -> list[tuple[str, Run, Run]]:
    """(workload, adaptive run, baseline run) for each workload run both ways, in WORKLOADS order."""
    pairs = []
    for name in WORKLOADS:
        runs = [run for run in results["runs"] if run["config"]["workload"] == name]
        adaptive = next((run for run in runs if run["label"] == "adaptive"), None)
        baseline = next((run for run in runs if run["label"] == "baseline"), None)
        if adaptive is not None and baseline is not None:
            pairs.append((name, adaptive, baseline))
    return pairs


def labelled(results: dict[str, Any], label: str) -> Run | None:
    return next((run for run in results["runs"] if run["label"] == label), None)


def _ratio(value: float, base: float) -> float:
    if base == 0:
        return 1.0 if value == 0 else math.inf
    return value / base


def lag_targets(name: str) -> list[tuple[str, float]]:
    """The ceilings of the lag ratios on this workload."""
    cold = WORKLOADS[name].cold
    return [(q, COLD_P50 if cold and q == "p50" else ceiling) for q, ceiling in LAG_TARGETS]


def schedule_verdicts(name: str, adaptive: Run, baseline: Run) -> list[tuple[str, float, float]]:
    """(figure, ratio to the baseline, ceiling) for each poll-schedule target of one workload."""
    rows = [
        (f"lag {q}", _ratio(adaptive["delivery_lag_s"][q], baseline["delivery_lag_s"][q]), ceiling)
        for q, ceiling in lag_targets(name)
    ]
    rows.append(
        ("status requests per job", _ratio(adaptive["status_per_job"], baseline["status_per_job"]), REQUESTS_TARGET)
    )
    return rows


def _cell(ratio: float, ceiling: float) -> str:
    return f"{ratio:.2f}x {'✓' if ratio <= ceiling else '✗ over'}"


def schedules_table(results: dict[str, Any]) -> str:
    """One row per workload: every figure as a ratio to the baseline of the same run, with its ceiling."""
    lines = [
        "| workload | lag p50 | lag p90 (≤ 0.8x) | lag p99 (≤ 1.0x) | lag max (≤ 1.2x) | status requests per job "
        "(≤ 2x) | verdict |",
        "|---|---:|---:|---:|---:|---:|---|",
    ]
    for name, adaptive, baseline in workload_pairs(results):
        verdicts = schedule_verdicts(name, adaptive, baseline)
        cells = [_cell(ratio, ceiling) for _, ratio, ceiling in verdicts]
        p50_ceiling = verdicts[0][2]
        cells[0] = f"{cells[0]} (≤ {p50_ceiling:g}x)"
        met = all(ratio <= ceiling for _, ratio, ceiling in verdicts)
        lines.append(f"| {WORKLOADS[name].title} | {' | '.join(cells)} | **{'met' if met else 'missed'}** |")
    return "\n".join(lines)


def absolute_table(results: dict[str, Any]) -> str:
    """The measured figures behind the ratios."""
    lines = [
        "| workload | schedule | jobs delivered / failed | lag p50 | p90 | p99 | max | status requests per job "
        "| bot CPU per job |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, adaptive, baseline in workload_pairs(results):
        for run in (adaptive, baseline):
            lag = run["delivery_lag_s"]
            lines.append(
                f"| {name} | {run['label']} | {run['delivered']:,} / {run['failed']} | {lag['p50']:.3f} s | "
                f"{lag['p90']:.3f} s | {lag['p99']:.3f} s | {lag['max']:.3f} s | {run['status_per_job']:.2f} | "
                f"{run['bot_cpu_ms_per_job']:.2f} ms |"
            )
    return "\n".join(lines)


def headline(results: dict[str, Any]) -> list[tuple[str, str, str, bool]]:
    """(target, measured, ratio or figure, met) for the README: the headline figures."""
    rows: list[tuple[str, str, str, bool]] = []
    pairs = workload_pairs(results)
    for label, index in (("lag p50", 0), ("lag p90", 1), ("lag p99", 2), ("lag max", 3), ("status requests", 4)):
        worst = max(pairs, key=lambda pair: schedule_verdicts(*pair)[index][1] / schedule_verdicts(*pair)[index][2])
        _, ratio, ceiling = schedule_verdicts(*worst)[index]
        target = f"≤ {ceiling:g}x baseline" + (" (cold start)" if WORKLOADS[worst[0]].cold and index == 0 else "")
        rows.append((f"{label}, worst workload ({worst[0]})", f"{ratio:.2f}x", target, ratio <= ceiling))
    scale = labelled(results, "scale")
    if scale is not None:
        first = scale["first_response_ms"]["p99"]
        rows.append((f"scale: first response p99, {scale['jobs']:,} jobs", f"{first:.1f} ms", "< 100 ms", first < 100))
        rss = scale["bot_peak_rss_mb"]
        rows.append(("scale: bot peak memory", f"{rss:.0f} MB", "< 300 MB", rss < SCALE_MEMORY_MB))
        lost = scale["jobs"] - scale["delivered"] - scale["failed"]
        rows.append(("scale: jobs lost", f"{lost} ({scale['failed']} failed)", "0", lost == 0))
    standard = next((adaptive for name, adaptive, _ in pairs if name == "standard"), None)
    if standard is not None:
        cpu = standard["bot_cpu_ms_per_job"]
        measured = f"{cpu:.2f} ms"
        floor = results.get("floor")
        if floor:
            measured += f" ({cpu / floor['cpu_ms_per_job']:.1f}x the floor, {floor['cpu_ms_per_job']:.2f} ms)"
        rows.append(("bot CPU per job, standard burst", measured, "< 5 ms", cpu < CPU_MS))
    return rows


def headline_table(results: dict[str, Any]) -> str:
    lines = ["| figure | measured | target | verdict |", "|---|---:|---|---|"]
    lines += [f"| {a} | {b} | {c} | **{'met' if ok else 'missed'}** |" for a, b, c, ok in headline(results)]
    return "\n".join(lines)


def curves_table(results: dict[str, Any]) -> str:
    """The replayed lag-against-requests points, as ratios to the benchmark's fixed schedule (interval 3 s)."""
    lines = [
        "| workload | schedule | status requests per job | lag p50 | lag p90 | lag p99 | lag max |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    for name, points in results.get("curves", {}).items():
        base = next(p for p in points if p["strategy"] == "fixed" and p["knob"] == 3.0)
        for point in points:
            knob = (
                f"fixed, every {point['knob']:g} s"
                if point["strategy"] == "fixed"
                else f"adaptive, spend {point['knob']:g}"
            )
            ratios = " | ".join(f"{_ratio(point[q], base[q]):.2f}x" for q in ("p50", "p90", "p99", "max"))
            requests = _ratio(point["status_per_job"], base["status_per_job"])
            lines.append(f"| {name} | {knob} | {point['status_per_job']:.2f} ({requests:.2f}x) | {ratios} |")
    return "\n".join(lines)


def scale_section(results: dict[str, Any]) -> str:
    scale = labelled(results, "scale")
    if scale is None:
        return ""
    first, lag = scale["first_response_ms"], scale["delivery_lag_s"]
    lost = scale["jobs"] - scale["delivered"] - scale["failed"]

    def verdict(ok: bool) -> str:
        return "**met**" if ok else "**missed**"

    first_ok, memory_ok = first["p99"] < FIRST_RESPONSE_MS, scale["bot_peak_rss_mb"] < SCALE_MEMORY_MB
    cpu, busiest = scale["bot_cpu_ms_per_job"], scale["bot_cpu_busiest_second"]
    return f"""
## Scale: {scale["jobs"]:,} jobs over {scale["config"]["seconds"]:g} s in one process

The standard workload, {scale["jobs"]:,} slash commands over {scale["config"]["seconds"]:g} s (up to
{scale["jobs_in_flight_max"]:,} jobs in flight at once), adaptive schedule, `MAX_STATUS_CONCURRENCY=60`.

| figure | measured | target | verdict |
|---|---:|---|---|
| first response p50 / p99 / max | {first["p50"]:.1f} / {first["p99"]:.1f} / {first["max"]:.1f} ms | p99 < 100 ms | \
{verdict(first_ok)} |
| bot peak resident memory | {scale["bot_peak_rss_mb"]:.0f} MB | < 300 MB | {verdict(memory_ok)} |
| delivered / failed / lost | {scale["delivered"]:,} / {scale["failed"]} / {lost} | nothing lost | \
{verdict(lost == 0)} |
| delivery lag p50 / p99 | {lag["p50"]:.3f} / {lag["p99"]:.3f} s | | |
| bot CPU per job, busiest second | {cpu:.2f} ms, {busiest:.2f} of a core | | |
| Discord 429s | {scale["discord_429"]} | | |
| the fakes' process, busiest second | {scale["bench_cpu_busiest_second"]:.2f} of a core | | |
{stalls_rows(scale.get("bot_stalls"))}"""


def stalls_rows(stalls: dict[str, float] | None) -> str:
    """The scale table's rows on what stops the event loop (runs made before the bot measured it have none)."""
    if not stalls:
        return ""
    return (
        f"| garbage collection: full ones, all | {stalls['gc_full']:.0f} full ({stalls['gc_full_seconds']:.2f} s), "
        f"{stalls['gc_seconds']:.2f} s in all, {stalls['gc_over_100ms']:.0f} pauses over 100 ms | | |\n"
        f"| event loop ticks more than 100 ms late | {stalls['loop_late_over_100ms']:.0f} of "
        f"{stalls['loop_ticks']:.0f} | | |\n"
        f"| job steps held back for commands waiting for their answers | "
        f"{stalls.get('background_held', 0):,.0f} | | |\n"
    )


def floor_paragraph(results: dict[str, Any], standard: Run | None) -> str:
    """The bot's CPU per job against the floor measured in the same run (bench/floor.py)."""
    floor = results.get("floor")
    if not floor or standard is None:
        return ""
    cpu, least = standard["bot_cpu_ms_per_job"], floor["cpu_ms_per_job"]
    return f"""
**The floor.** The same exchanges per job made by a bare aiohttp client in a process of its own
(`bench/floor.py`): answer the command, submit, {floor["polls_per_job"]:.2f} status requests, download, check
the image as the bot does, {floor["edits_per_job"]:.2f} progress edits and the upload with its card, against servers
answering with bodies of Discord's and the API's sizes, {floor["jobs"]:,} jobs. It cost {least:.2f} ms per job
on this machine in this run; the bot's {cpu:.2f} ms is **{cpu / least:.1f}x** that. The difference is what the bot
adds to those exchanges: discord.py's gateway and its objects (Interaction, Message, View), the database, the
schedule, the quotas and the logs. The target of {CPU_MS:g} ms is {CPU_MS / least:.1f}x this run's floor.
"""


def profile_section(results: dict[str, Any]) -> str:
    profile = results.get("profile")
    standard = next((adaptive for name, adaptive, _ in workload_pairs(results) if name == "standard"), None)
    floor = floor_paragraph(results, standard)
    if profile is None and not floor and not results.get("sampled"):
        return ""
    cpu = f"{standard['bot_cpu_ms_per_job']:.2f} ms per job" if standard else "n/a"
    threads = ""
    if standard and standard.get("bot_cpu_seconds_by_thread"):
        per_job = 1000 / max(1, standard["jobs"])
        split = ", ".join(
            f"{name} {seconds * per_job:.2f} ms" for name, seconds in standard["bot_cpu_seconds_by_thread"].items()
        )
        threads = f" By thread: {split} (the others: SQLite's connection and the image checks)."
    sampled = results.get("sampled")
    text = f"""
## Where the bot's CPU goes

The standard burst's adaptive run measured {cpu} (user + system time of the bot process over the run, target
< {CPU_MS:g} ms).{threads}
{floor}"""
    if sampled:
        return text + sampled_tables(sampled)
    if profile is None:
        return text
    areas = "\n".join(f"| {area} | {ms:.3f} |" for area, ms in profile["areas_ms_per_job"].items())
    functions = "\n".join(f"| `{name}` | {ms:.3f} |" for name, ms in profile["top_functions_ms_per_job"])
    return f"""{text}
A separate run of the same burst under cProfile shows where the event loop's thread spends it (its own CPU time, so
SQLite's and the image threads are not in it; own time, in ms per job; the profiler itself roughly doubles the cost,
so compare the shares, not the sum of {profile["total_ms_per_job"]:.2f} ms). The profile covers the whole process,
start-up included, which the measured CPU above does not: the `fluent/syntax` lines are the six catalogues parsed
once at start-up, not work per job:

| area | ms per job |
|---|---:|
{areas}

| function (own time) | ms per job |
|---|---:|
{functions}
"""


def sampled_tables(sampled: dict[str, Any]) -> str:
    """The profiled run's samples of the event loop (bench/sampling.py): by step of a job, and by innermost function."""
    steps = "\n".join(f"| {name} | {share:.1%} | {ms:.2f} |" for name, share, ms in sampled["phases"])
    leaves = "\n".join(f"| `{name}` | {share:.1%} | {ms:.3f} |" for name, share, ms in sampled["top_functions"])
    return f"""
A separate run of the same burst, sampled by py-spy 100 times a second ({sampled["samples"]:,} samples of the event
loop's thread at work; the sampling costs that run some CPU, not the shares), shows where the event loop's
{sampled["loop_ms_per_job"]:.2f} ms per job go. A sample counts for the first step in this table that its stack is
in (a status poll made while waiting is a status poll); the milliseconds are the share times the event loop's CPU
per job in that run:

| step | share | ms per job |
|---|---:|---:|
{steps}

| innermost function (own time) | share | ms per job |
|---|---:|---:|
{leaves}
"""


def callback_section(results: dict[str, Any]) -> str:
    called = labelled(results, "callback mode")
    if called is None:
        return ""
    lag, parts = called["delivery_lag_s"], called["delivery_lag_parts_s"]
    return f"""
## Callback mode

The standard burst with `CALLBACK_BASE_URL` set: the fake API POSTs each finished task to the bot's web server, and
the bot confirms it with one status query (the API signs nothing) before it downloads and uploads. Lag p50
{lag["p50"]:.3f} s, p99 {lag["p99"]:.3f} s (the confirming query {parts["poll_caught_it"]["p50"]:.3f} s after the
finish, the upload {parts["download_to_upload"]["p50"]:.3f} s after that), {called["status_per_job"]:.2f} status
requests per job, {called["delivered"]:,} / {called["jobs"]:,} delivered.
"""


def notes(results: dict[str, Any]) -> str:
    """How the schedule meets the tail, read from the runs."""
    pairs = workload_pairs(results)
    if not pairs:
        return ""
    return """
## How the adaptive schedule is built

Per kind of job (mode, edit or not) it learns the finish-time distribution from recent jobs, finished and still
running (Kaplan-Meier). After every poll it re-plans from that distribution given that the job is still running:
the polls are packed where the hazard (the chance of finishing in the next moment, given not finished yet) is
highest, at most one every 0.5 s. Polls late in a job's life are cheap (most jobs are done by then, so few pay for
them) and early ones dear (every job pays), so dense polls go where jobs still running are likely to end. One poll
cost for all kinds is set so that the jobs would spend about 1.75 times the fixed schedule's status requests up to
the longest finish seen (probes, and the learning during a burst, add to that). While a kind's model still holds
the prior, a job's next poll is re-planned every second while it waits: in a burst nearly every job is planned
before any has finished, and would otherwise keep a first poll planned on the prior. Under every plan lies a
floor: the first poll no later than the fixed schedule's first poll, then never a gap longer than 0.8 times its
interval until the timeout, so a straggler is polled at least as often as the fixed schedule polls it; that is
what keeps p99 and max at or under the baseline's, where the earlier geometric back-off lost to it.
"""


def write_results_md(results: dict[str, Any], path: Path, notes: str = "") -> None:
    """bench/RESULTS.md: how it was run, the tables, the targets, and the notes."""
    pairs = workload_pairs(results)
    standard = next((adaptive for name, adaptive, _ in pairs if name == "standard"), pairs[0][1])
    config = standard["config"]
    machine = results["machine"]
    shapes = "\n".join(f"- **{name}**: {WORKLOADS[name].title}; {run['generation']}" for name, run, _ in pairs)
    text = f"""# Benchmark results

`python -m bench` ({results["generated"]}, {results["minutes"]} min, {machine["cpus"]} CPUs, Python
{machine["python"]}, {machine["platform"]}). The real bot runs as its own process (`bench/bot_process.py`, which only
points discord.py at the fake) against the fake Discord (`tests/fakes/`, with Discord's rate limits on) and a fake
image API (`bench/fake_api.py`), both in the benchmark's process. Each run starts a fresh bot on a fresh SQLite
database: the adaptive schedule starts from its prior and learns during the burst. Every ratio is to the fixed
schedule (first poll at {config["first_delay"]:g} s, then every {config["interval"]:g} s) measured on the same
workload in the same benchmark run.

**Bursts:** {config["jobs"]:,} slash commands over {config["seconds"]:g} s (the cold start: 30 over 3 s) from
{config["users"]} users in {config["guilds"]} servers, about a third `max`, a fifth `/edit`; each fake API request
takes {config["api_latency"] * 1000:.0f} ms; `MAX_STATUS_CONCURRENCY={config["status_concurrency"]}`,
`POLL_BUDGET={config["budget"]}`, quotas out of the way. Generation times (seconds from submission to done):
{shapes}

## Headline

{headline_table(results)}

## The poll schedule, workload by workload (ratios to the baseline)

{schedules_table(results)}

Delivery lag: the task finishing at the fake API → the image upload reaching the fake Discord.

{absolute_table(results)}

![Delivery lag per workload, adaptive against baseline](lag.png)
{scale_section(results)}{profile_section(results)}{callback_section(results)}
## Lag against status requests, per workload

Both schedules replayed offline on each workload's generation times (`bench/replay.py`: the policies' own code on
a simulated clock, no bot, so many settings cost seconds): the fixed schedule at several intervals, the adaptive one
at several spends. Ratios to the fixed schedule at the benchmark's 3 s interval; the lag here is finish → the poll
that saw it (no download or upload).

![Lag against status requests per workload](curves.png)

{curves_table(results)}
{notes}"""
    path.write_text(text)
