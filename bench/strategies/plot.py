#!/usr/bin/python3
"""Draws bench_strategies' CSV: median simple regret against evaluations, with the
interquartile band, one panel per function, one line per strategy (log scale).

    /usr/bin/python3 bench/strategies/plot.py strategies.csv strategies.png
"""
import csv
import sys
from collections import defaultdict

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def quantile(values, q):
    v = sorted(values)
    pos = q * (len(v) - 1)
    lo = int(pos)
    hi = min(lo + 1, len(v) - 1)
    return v[lo] + (pos - lo) * (v[hi] - v[lo])


def main(argv):
    if len(argv) != 3:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    # (function, strategy) -> evaluation -> regrets over seeds
    curves = defaultdict(lambda: defaultdict(list))
    with open(argv[1], newline="") as f:
        for row in csv.DictReader(f):
            curves[(row["function"], row["strategy"])][int(row["evaluation"])].append(
                float(row["regret"]))
    functions = list(dict.fromkeys(f for f, _ in curves))
    strategies = list(dict.fromkeys(s for _, s in curves))
    fig, axes = plt.subplots(1, len(functions), figsize=(5 * len(functions), 4), squeeze=False)
    for ax, function in zip(axes[0], functions):
        for strategy in strategies:
            by_eval = curves.get((function, strategy))
            if not by_eval:
                continue
            evals = sorted(by_eval)
            # A regret of 0 cannot be drawn on a log scale; floor it far below the data.
            floor = 1e-12
            med = [max(quantile(by_eval[e], 0.5), floor) for e in evals]
            q25 = [max(quantile(by_eval[e], 0.25), floor) for e in evals]
            q75 = [max(quantile(by_eval[e], 0.75), floor) for e in evals]
            seeds = len(by_eval[evals[0]])
            line, = ax.plot(evals, med, label=f"{strategy} (median of {seeds} seeds)")
            ax.fill_between(evals, q25, q75, color=line.get_color(), alpha=0.2)
        ax.set_yscale("log")
        ax.set_title(function)
        ax.set_xlabel("evaluations")
        ax.set_ylabel("simple regret")
        ax.grid(True, which="both", alpha=0.3)
        ax.legend()
    fig.tight_layout()
    fig.savefig(argv[2], dpi=110)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
