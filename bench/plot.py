"""bench/lag.png: the delivery-lag distribution, adaptive against baseline, and the poll-budget trade-off."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bench.report import split_runs


def write_plot(results: dict[str, Any], path: Path) -> None:
    """bench/lag.png: the delivery-lag distribution (adaptive against baseline) and the budget trade-off."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    main, base, adaptive = split_runs(results)
    figure, (left, right) = plt.subplots(1, 2, figsize=(12, 5.2), gridspec_kw={"width_ratios": [1.4, 1]})
    colours = {"adaptive": "#1f77b4", "fixed": "#d62728"}
    for run in (base, main):
        lags = run["lags"]
        if not lags:
            continue
        share = [(i + 1) / len(lags) for i in range(len(lags))]
        colour = colours[run["config"]["strategy"]]
        left.step(lags, share, where="post", color=colour, linewidth=2, label=run["label"])
        p50 = run["delivery_lag_s"]["p50"]
        left.axvline(p50, color=colour, linestyle=":", linewidth=1)
        left.annotate(
            f"p50 {p50:.2f} s",
            (p50, 0.5),
            xytext=(4, -14 if run is main else 6),
            textcoords="offset points",
            color=colour,
            fontsize=9,
        )
    left.set_xscale("log")
    left.set_xlabel("delivery lag: task finished at the API → image at Discord (s, log scale)")
    left.set_ylabel("share of jobs delivered within")
    left.set_ylim(0, 1.01)
    left.grid(True, which="both", alpha=0.3)
    left.legend(loc="lower right")
    left.set_title(f"Delivery lag, {main['jobs']:,} jobs over {main['config']['seconds']:g} s")

    for run in sorted(adaptive, key=lambda r: r["status_per_job"]):
        right.scatter(run["status_per_job"], run["delivery_lag_s"]["p50"], color=colours["adaptive"], zorder=3)
        right.annotate(
            f"budget {run['config']['budget']}",
            (run["status_per_job"], run["delivery_lag_s"]["p50"]),
            xytext=(5, 4),
            textcoords="offset points",
            fontsize=9,
        )
    ordered = sorted(adaptive, key=lambda r: r["status_per_job"])
    right.plot(
        [r["status_per_job"] for r in ordered],
        [r["delivery_lag_s"]["p50"] for r in ordered],
        color=colours["adaptive"],
        alpha=0.5,
        label="adaptive, by poll budget",
    )
    right.scatter(
        base["status_per_job"],
        base["delivery_lag_s"]["p50"],
        color=colours["fixed"],
        marker="s",
        zorder=3,
        label="baseline (fixed 8 s + 3 s)",
    )
    polls, lag = base["status_per_job"], base["delivery_lag_s"]["p50"]
    right.axvline(2 * polls, color="grey", linestyle="--", linewidth=1)
    right.axhline(lag / 2, color="grey", linestyle="--", linewidth=1)
    right.fill_between([0, 2 * polls], 0, lag / 2, color="green", alpha=0.08, label="target: ≤ ½ lag, ≤ 2x requests")
    right.set_xlim(0, max([r["status_per_job"] for r in [*adaptive, base]] + [2 * polls]) * 1.1)
    right.set_ylim(0, max(r["delivery_lag_s"]["p50"] for r in [*adaptive, base]) * 1.2)
    right.set_xlabel("status requests per job")
    right.set_ylabel("delivery lag p50 (s)")
    right.set_title("Trade-off by poll budget")
    right.grid(True, alpha=0.3)
    right.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=2, fontsize=8, frameon=False)
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)
