#!/usr/bin/python3
"""Tables and plots of the simulated scaling study (bench/scaling/run_simulated.sh).

Per run (OUT/<task>/<strategy>/w<workers>/seed-<seed>/):
  time to target  simulated seconds until the best reported validation:accuracy first reaches
                  the task's target (journal `report` events); the target is the 95th
                  percentile of the table's final (epoch-52) val_accuracy (bench_scaling_targets);
  own time        the training time of the trial that reached the target, up to that report
                  (timeline.csv): a lower bound no number of workers can beat;
  best            the best validation:accuracy reported in the whole run;
  utilization     busy worker-seconds (timeline.csv) / (workers x makespan), makespan = the
                  last epoch's end.
Medians over seeds; a seed that never reaches the target counts as +inf.
"""
import argparse
import csv
import json
import math
import os
import re
import statistics
import sys

STRATEGIES = ["hyperband", "asha", "random", "bayesian"]
LABELS = {"hyperband": "Hyperband", "asha": "ASHA", "random": "Random", "bayesian": "Bayesian"}
REPORT = re.compile(r'"t":([-0-9.eE+]+),"event":"report".*?"trial":(\d+).*?"epoch":(\d+)'
                    r'.*?"validation:accuracy":([-0-9.eE+na]+)')


def targets(out):
    """OUT/targets.csv, written by run_simulated.sh with bench_scaling_targets."""
    with open(os.path.join(out, "targets.csv")) as f:
        return {row["task"]: {k: float(v) for k, v in row.items() if k != "task"}
                for row in csv.DictReader(f)}


def analyze_run(path, workers, target):
    best = -math.inf
    hit = None  # (t, trial, epoch)
    trajectory = []  # (t, best so far), at each improvement
    with open(os.path.join(path, "journal")) as f:
        for line in f:
            if '"report"' not in line:
                continue
            m = REPORT.search(line)
            if not m:
                continue
            t, trial, epoch, acc = float(m[1]), int(m[2]), int(m[3]), float(m[4])
            if acc > best:
                best = acc
                trajectory.append((t, best))
            if acc >= target and (hit is None or t < hit[0]):
                hit = (t, trial, epoch)
    busy = 0.0
    makespan = 0.0
    own = 0.0
    with open(os.path.join(path, "timeline.csv")) as f:
        for row in csv.DictReader(f):
            start, end = float(row["start_s"]), float(row["end_s"])
            busy += end - start
            makespan = max(makespan, end)
            if hit and int(row["trial"]) == hit[1] and int(row["epoch"]) <= hit[2]:
                own += end - start
    return {
        "ttt": hit[0] if hit else math.inf,
        "own": own if hit else math.inf,
        "best": best,
        "util": busy / (workers * makespan) if makespan > 0 else 0.0,
        "makespan": makespan,
        "trajectory": trajectory,
    }


def collect(out, tasks, tgt):
    res = {}  # (task, strategy, workers) -> list of per-seed dicts
    for task in tasks + ["189905"]:
        for s in STRATEGIES:
            base = os.path.join(out, task, s)
            if not os.path.isdir(base):
                continue
            for wdir in os.listdir(base):
                if not wdir.startswith("w") or not os.path.isdir(os.path.join(base, wdir)):
                    continue
                w = int(wdir[1:])
                key = (task, s, w)
                if key in res:
                    continue
                runs = []
                root = os.path.join(base, wdir)
                seeds = sorted(d for d in os.listdir(root) if d.startswith("seed-"))
                for d in seeds or ["."]:
                    m = os.path.join(root, d, "metrics.json")
                    if os.path.exists(m):
                        with open(m) as f:
                            runs.append(json.load(f))
                if runs:
                    res[key] = runs
    return res


def med(xs):
    return statistics.median(xs)


def fmt_t(x):
    return "never" if math.isinf(x) else (f"{x:,.0f}" if x >= 100 else f"{x:.1f}")


def summarize(runs):
    ttt = [r["ttt"] for r in runs]
    return {
        "ttt": med(ttt),
        "reached": sum(not math.isinf(x) for x in ttt),
        "seeds": len(runs),
        "own": med([r["own"] for r in runs]),
        "best": med([r["best"] for r in runs]),
        "util": med([r["util"] for r in runs]),
        "makespan": med([r["makespan"] for r in runs]),
    }


def tables(res, tasks, tgt):
    lines = []
    for task in tasks:
        t = tgt[task]
        lines.append(f"#### Task {task}: target {t['p95']:.4f} (95th percentile of the table's "
                     f"final val_accuracy; table best {t['max']:.4f})\n")
        ws = sorted({w for (k, s, w) in res if k == task and w <= 1024})
        strategies = [s for s in STRATEGIES if any((task, s, w) in res for w in ws)]
        lines.append("Median time to target, simulated s (seeds that reached it / seeds); "
                     "speed-up against 1 worker in brackets:\n")
        lines.append("| workers | " + " | ".join(LABELS[s] for s in strategies) + " |")
        lines.append("| ---: | " + " | ".join("---:" for _ in strategies) + " |")
        for w in ws:
            cells = []
            for s in strategies:
                if (task, s, w) not in res:
                    cells.append("")
                    continue
                m = summarize(res[(task, s, w)])
                base = summarize(res[(task, s, 1)])["ttt"] if (task, s, 1) in res else math.inf
                sp = ("" if math.isinf(m["ttt"]) or math.isinf(base)
                      else f" ({base / m['ttt']:.0f}x)" if base / m["ttt"] >= 10
                      else f" ({base / m['ttt']:.1f}x)")
                cells.append(f"{fmt_t(m['ttt'])}{sp} {m['reached']}/{m['seeds']}")
            lines.append(f"| {w} | " + " | ".join(cells) + " |")
        lines.append("")
        lines.append("Worker utilization (median), median best validation:accuracy, and for ASHA "
                     "the training time of the trial that reached the target, up to that report "
                     "(its own sequential path):\n")
        lines.append("| workers | " + " | ".join(f"util. {LABELS[s]}" for s in strategies) +
                     " | " + " | ".join(f"best {LABELS[s]}" for s in strategies) +
                     " | ASHA: own path s |")
        lines.append("| ---: |" + " ---: |" * (2 * len(strategies) + 1))
        for w in ws:
            u, b = [], []
            for s in strategies:
                if (task, s, w) in res:
                    m = summarize(res[(task, s, w)])
                    u.append(f"{100 * m['util']:.0f}%")
                    b.append(f"{m['best']:.4f}")
                else:
                    u.append("")
                    b.append("")
            own = (fmt_t(summarize(res[(task, "asha", w)])["own"])
                   if (task, "asha", w) in res else "")
            lines.append(f"| {w} | " + " | ".join(u) + " | " + " | ".join(b) + f" | {own} |")
        lines.append("")
    big = [(k, s, w) for (k, s, w) in res if w > 1024]
    if big:
        lines.append("#### 10,000 workers (task 189905, one seed)\n")
        lines.append("| strategy | trials | time to target s | own path s | best | utilization "
                     "| makespan s |")
        lines.append("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
        for (k, s, w) in sorted(big, key=lambda x: STRATEGIES.index(x[1])):
            m = summarize(res[(k, s, w)])
            trials = "100,000" if s != "random" else "20,000"
            lines.append(f"| {LABELS[s]} | {trials} | {fmt_t(m['ttt'])} | {fmt_t(m['own'])} | "
                         f"{m['best']:.4f} | {100 * m['util']:.0f}% | {fmt_t(m['makespan'])} |")
        lines.append("")
    return "\n".join(lines)


def plots(res, tasks, tgt, where):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    colors = {"hyperband": "C0", "asha": "C1", "random": "C2", "bayesian": "C3"}
    fig, axes = plt.subplots(1, len(tasks), figsize=(6 * len(tasks), 4.5), squeeze=False)
    for ax, task in zip(axes[0], tasks):
        for s in STRATEGIES:
            ws = sorted(w for (k, ss, w) in res if k == task and ss == s and w <= 1024)
            pts = [(w, summarize(res[(task, s, w)])["ttt"]) for w in ws]
            pts = [(w, y) for w, y in pts if not math.isinf(y)]
            if pts:
                ax.plot(*zip(*pts), "o-", color=colors[s], label=LABELS[s])
        if (task, "asha", 1) in res:
            t1 = summarize(res[(task, "asha", 1)])["ttt"]
            ws = [2 ** i for i in range(11)]
            ax.plot(ws, [t1 / w for w in ws], "k--", lw=1, label="ideal (ASHA at 1 worker / N)")
            ws = sorted(w for (k, ss, w) in res if k == task and ss == "asha" and w <= 1024)
            own = [summarize(res[(task, "asha", w)])["own"] for w in ws]
            ax.plot(ws, own, ":", color=colors["asha"], lw=1,
                    label="ASHA: target trial's own training time")
        ax.set_xscale("log", base=2)
        ax.set_yscale("log")
        ax.set_xlabel("workers")
        ax.set_ylabel("simulated s to target (median)")
        ax.set_title(f"LCBench {task}: target {tgt[task]['p95']:.3f}")
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(os.path.join(where, "time_to_target.png"), dpi=110)

    fig, axes = plt.subplots(1, len(tasks), figsize=(6 * len(tasks), 4), squeeze=False)
    for ax, task in zip(axes[0], tasks):
        for s in STRATEGIES:
            ws = sorted(w for (k, ss, w) in res if k == task and ss == s and w <= 1024)
            if ws:
                ax.plot(ws, [100 * summarize(res[(task, s, w)])["util"] for w in ws], "o-",
                        color=colors[s], label=LABELS[s])
        ax.set_xscale("log", base=2)
        ax.set_ylim(0, 105)
        ax.set_xlabel("workers")
        ax.set_ylabel("worker utilization, % (median)")
        ax.set_title(f"LCBench {task}")
        ax.grid(True, alpha=0.3)
        ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(os.path.join(where, "utilization.png"), dpi=110)


def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--out", default="out/scaling")
    p.add_argument("--one", metavar="RUN_DIR", help="reduce one run to RUN_DIR/metrics.json")
    p.add_argument("--workers", type=int)
    p.add_argument("--target", type=float)
    p.add_argument("--tasks", nargs="+", default=["189905", "167200"])
    p.add_argument("--readme", help="replace the block between the results markers here")
    p.add_argument("--plots", help="write time_to_target.png and utilization.png here")
    a = p.parse_args()
    if a.one:
        r = analyze_run(a.one, a.workers, a.target)
        with open(os.path.join(a.one, "metrics.json"), "w") as f:
            json.dump(r, f)
        return 0
    tgt = targets(a.out)
    res = collect(a.out, a.tasks, tgt)
    text = tables(res, a.tasks, tgt)
    print(text)
    with open(os.path.join(a.out, "results.md"), "w") as f:
        f.write(text)
    if a.plots:
        plots(res, a.tasks, tgt, a.plots)
    if a.readme and os.path.exists(a.readme):
        readme = open(a.readme).read()
        begin, end = "<!-- results:scaling -->", "<!-- /results:scaling -->"
        if begin in readme and end in readme:
            head, rest = readme.split(begin, 1)
            _, tail = rest.split(end, 1)
            with open(a.readme, "w") as f:
                f.write(head + begin + "\n\n" + text + "\n" + end + tail)
    return 0


if __name__ == "__main__":
    sys.exit(main())
