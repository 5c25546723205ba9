"""bench/lag.png (the delivery-lag distribution per workload, adaptive against baseline) and bench/curves.png (lag
against status requests per workload, both schedules replayed over their settings)."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from bench.report import workload_pairs
from bench.workload import WORKLOADS

COLOURS = {"adaptive": "#1f77b4", "fixed": "#d62728"}


def _grid(count: int) -> tuple[Any, list[Any]]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    columns = min(3, count)
    rows = math.ceil(count / columns)
    figure, axes = plt.subplots(rows, columns, figsize=(5 * columns, 4.2 * rows), squeeze=False)
    flat = [axis for row in axes for axis in row]
    for axis in flat[count:]:
        axis.set_visible(False)
    return figure, flat[:count]


def write_plot(results: dict[str, Any], lag_path: Path, curves_path: Path) -> None:
    """Both figures."""
    import matplotlib.pyplot as plt

    pairs = workload_pairs(results)
    figure, axes = _grid(len(pairs))
    for axis, (name, adaptive, baseline) in zip(axes, pairs, strict=True):
        for run in (baseline, adaptive):
            lags = run["lags"]
            if not lags:
                continue
            share = [(i + 1) / len(lags) for i in range(len(lags))]
            label = f"{run['label']} ({run['status_per_job']:.1f} status/job)"
            axis.step(lags, share, where="post", color=COLOURS[run["config"]["strategy"]], linewidth=2, label=label)
        axis.set_xscale("log")
        axis.set_ylim(0, 1.01)
        axis.grid(True, which="both", alpha=0.3)
        axis.set_title(WORKLOADS[name].title, fontsize=10)
        axis.set_xlabel("delivery lag (s, log scale)")
        axis.set_ylabel("share of jobs delivered within")
        axis.legend(loc="upper left", fontsize=8)
    figure.tight_layout()
    figure.savefig(lag_path, dpi=100)
    plt.close(figure)

    curves = results.get("curves", {})
    figure, axes = _grid(len(curves))
    for axis, (name, points) in zip(axes, curves.items(), strict=True):
        for strategy in ("fixed", "adaptive"):
            mine = sorted((p for p in points if p["strategy"] == strategy), key=lambda p: p["status_per_job"])
            requests = [p["status_per_job"] for p in mine]
            colour = COLOURS[strategy]
            axis.plot(requests, [p["p50"] for p in mine], "o-", color=colour, label=f"{strategy}: p50")
            axis.plot(requests, [p["p99"] for p in mine], "s--", color=colour, alpha=0.6, label=f"{strategy}: p99")
            for point in mine:
                axis.annotate(
                    f"{point['knob']:g}",
                    (point["status_per_job"], point["p50"]),
                    fontsize=7,
                    xytext=(3, 3),
                    textcoords="offset points",
                )
        axis.set_title(WORKLOADS[name].title, fontsize=10)
        axis.set_xlabel("status requests per job")
        axis.set_ylabel("lag, finish → poll (s)")
        axis.grid(True, alpha=0.3)
        axis.legend(fontsize=7)
    figure.suptitle("Lag against requests: fixed by interval (s), adaptive by spend (x the fixed schedule's)")
    figure.tight_layout()
    figure.savefig(curves_path, dpi=100)
    plt.close(figure)
