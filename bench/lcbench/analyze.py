#!/usr/bin/python3
"""Tables and plots of the LCBench searcher benchmark (bench/lcbench/run.sh).

Three modes:
  --targets OUT TASK...   per task (and every task sampled before), the 99th percentile (and 50/90/95, max) of the final
                          validation accuracy of 2,000 random configurations
                          (OUT/targets/<task>/final.csv), as CSV on stdout;
  --one DIR --budget B    reduce one finished `rung simulate` run to DIR/run.json: its
                          best-so-far validation:accuracy over simulated time (journal `report`
                          events, times with decision time charged), cut at B, plus its costs
                          (summary.json);
  --out OUT --setting S   per task and strategy over the seeds of OUT/S/<task>/<strategy>/:
                          time to target (median [q1, q3], a seed that never reaches the target
                          within the budget counts as +inf), seeds that reached it, the median
                          best at 25/50/100% of the budget, ratios; writes RESULTS/S.md and
                          RESULTS/S.png (best so far against time, median and quartile band).
"""
import argparse
import csv
import json
import math
import os
import re
import sys

LABELS = {
    "random": "Random",
    "random-median": "Random + median stopping",
    "bayesian": "Bayesian",
    "hb-random": "Hyperband (random)",
    "hb-mobster": "Hyperband (mobster)",
    "hb-hypertune": "Hyperband (hypertune)",
    "asha-random": "ASHA (random)",
    "asha-mobster": "ASHA (mobster)",
    "asha-hypertune": "ASHA (hypertune)",
}
MODEL_BASED = ["hb-mobster", "hb-hypertune", "asha-mobster", "asha-hypertune"]
TASK_NAMES = {
    "189908": "Fashion-MNIST", "189354": "airlines", "189866": "albert", "7593": "covertype",
    "168908": "christine", "189905": "car", "167184": "blood-transfusion", "167200": "higgs",
    "167185": "cnae-9",
}
SETTING_TITLES = {
    "syne4": "Syne Tune's LCBench protocol: 4 workers, 7,200 simulated s",
    "curves32": "the 6 tasks of curves.h5: 32 workers, 1,200 simulated s",
}
REPORT = re.compile(r'"t":([-0-9.eE+]+),"event":"report".*?"validation:accuracy":([-0-9.eE+na]+)')


def nearest_rank(sorted_values, p):
    """Nearest-rank percentile (as bench/scaling/targets.cpp), p in [0, 100]."""
    n = len(sorted_values)
    rank = max(1, math.ceil(p / 100.0 * n))
    return sorted_values[min(rank, n) - 1]


def quantile(values, q):
    """Linear-interpolation quantile that tolerates +inf (a neighbour at +inf gives +inf)."""
    v = sorted(values)
    if not v:
        return math.nan
    pos = q * (len(v) - 1)
    lo, hi = math.floor(pos), math.ceil(pos)
    if math.isinf(v[lo]) or math.isinf(v[hi]):
        return math.inf
    return v[lo] + (v[hi] - v[lo]) * (pos - lo)


# --targets ---------------------------------------------------------------------------------
def targets(out, tasks):
    """The given tasks and every other task already sampled under OUT/targets/ (so that runs
    of one setting at a time keep the other setting's targets)."""
    base = os.path.join(out, "targets")
    done = [t for t in os.listdir(base) if os.path.exists(os.path.join(base, t, "final.csv"))]
    print("task,n,p50,p90,p95,p99,max")
    for task in sorted(set(tasks) | set(done), key=int):
        with open(os.path.join(out, "targets", task, "final.csv")) as f:
            acc = sorted(float(r["final_val_accuracy"]) for r in csv.DictReader(f))
        print("%s,%d,%.4f,%.4f,%.4f,%.4f,%.4f" % (
            task, len(acc), nearest_rank(acc, 50), nearest_rank(acc, 90),
            nearest_rank(acc, 95), nearest_rank(acc, 99), acc[-1]))


def read_targets(out):
    with open(os.path.join(out, "targets.csv")) as f:
        return {r["task"]: float(r["p99"]) for r in csv.DictReader(f)}


# --one -------------------------------------------------------------------------------------
def reduce_one(path, budget, wall):
    best = -math.inf
    trajectory = []  # [t, best so far] at each improvement, t <= budget
    reports = 0
    with open(os.path.join(path, "journal")) as f:
        for line in f:
            if '"event":"report"' not in line:
                continue
            m = REPORT.search(line)
            if not m:
                continue
            t, acc = float(m[1]), float(m[2])
            if t > budget or math.isnan(acc):
                continue
            reports += 1
            if acc > best:
                best = acc
                trajectory.append([t, acc])
    with open(os.path.join(path, "summary.json")) as f:
        summary = json.load(f)
    r = summary.get("Rung", {})
    run = {
        "trajectory": trajectory,
        "reports": reports,
        "trials": r.get("TrainingJobs"),
        "epochs": r.get("EpochsTrained"),
        "simulated_s": r.get("RuntimeSeconds"),
        "event_loop_s": r.get("EventLoopSeconds"),
        "decision_p50_us": r.get("DecisionLatencyP50Microseconds"),
        "decision_p99_us": r.get("DecisionLatencyP99Microseconds"),
        "decision_max_us": r.get("DecisionLatencyMaxMicroseconds"),
        "completion": summary.get("TuningJobCompletionDetails", {}).get("CompletionReason"),
        "searcher": r.get("Searcher"),
        "scheduler": r.get("Scheduler"),
        "wall_s": wall,
    }
    with open(os.path.join(path, "run.json.tmp"), "w") as f:
        json.dump(run, f)
    os.replace(os.path.join(path, "run.json.tmp"), os.path.join(path, "run.json"))


# report ------------------------------------------------------------------------------------
def best_at(trajectory, t):
    b = math.nan
    for tt, v in trajectory:
        if tt > t:
            break
        b = v
    return b


def time_to(trajectory, target):
    for t, v in trajectory:
        if v >= target:
            return t
    return math.inf


def load(out, setting, tasks, strategies):
    runs = {}  # (task, strategy) -> [run]
    for task in tasks:
        for s in strategies:
            base = os.path.join(out, setting, task, s)
            if not os.path.isdir(base):
                continue
            seeds = sorted((d for d in os.listdir(base) if re.fullmatch(r"seed-\d+", d)),
                           key=lambda d: int(d[5:]))
            got = []
            for d in seeds:
                p = os.path.join(base, d, "run.json")
                if os.path.exists(p):
                    with open(p) as f:
                        got.append(json.load(f))
            if got:
                runs[(task, s)] = got
    return runs


def fmt_t(t):
    if math.isinf(t):
        return "∞"
    if math.isnan(t):
        return "–"
    return "%.0f" % t if t >= 10 else "%.1f" % t


def fmt_ratio(num, den, budget):
    """num / den as 'how many times faster den is', with the budget as a bound."""
    if math.isinf(num) and math.isinf(den):
        return "neither"
    if math.isinf(den):
        return "< %.2fx" % (num / budget)  # den is beyond the budget
    if math.isinf(num):
        return "> %.1fx" % (budget / den)
    return "%.2fx" % (num / den)


def ratio_value(num, den, budget):
    """Numeric ratio for aggregation: +inf -> the budget (a bound)."""
    if math.isinf(num) and math.isinf(den):
        return math.nan
    return min(num, budget) / min(den, budget) if not math.isinf(den) else min(num, budget) / budget


def report(args):
    tgt = read_targets(args.out)
    runs = load(args.out, args.setting, args.tasks, args.strategies)
    budget = args.budget
    strategies = [s for s in args.strategies if any((t, s) in runs for t in args.tasks)]
    lines = []
    seeds_seen = sorted({len(v) for v in runs.values()})
    lines.append("### %s: %s" % (args.setting, SETTING_TITLES.get(args.setting, "")))
    lines.append("")
    lines.append("Seeds per task and strategy: %s. Target: the 99th percentile of the final "
                 "validation accuracy of 2,000 random configurations (`results/targets.csv`). "
                 "Simulated seconds with decision time charged."
                 % ", ".join(str(s) for s in seeds_seen))
    lines.append("")

    # Time to target.
    ttt = {}
    lines.append("**Time to target** (simulated s): median [q1, q3] over seeds, reached/seeds; "
                 "∞ = not reached within %d s." % budget)
    lines.append("")
    hdr = ["strategy"] + ["%s %s (%.4f)" % (t, TASK_NAMES.get(t, ""), tgt[t]) for t in args.tasks]
    lines.append("| " + " | ".join(hdr) + " |")
    lines.append("|" + " --- |" * len(hdr))
    for s in strategies:
        row = [LABELS.get(s, s)]
        for t in args.tasks:
            rs = runs.get((t, s))
            if not rs:
                row.append("–")
                continue
            times = [time_to(r["trajectory"], tgt[t]) for r in rs]
            med, q1, q3 = quantile(times, 0.5), quantile(times, 0.25), quantile(times, 0.75)
            ttt[(t, s)] = med
            reached = sum(1 for x in times if not math.isinf(x))
            row.append("%s [%s, %s] %d/%d" % (fmt_t(med), fmt_t(q1), fmt_t(q3), reached, len(rs)))
        lines.append("| " + " | ".join(row) + " |")
    lines.append("")

    # Best at 25/50/100 % of the budget.
    lines.append("**Best validation accuracy** at 25 / 50 / 100%% of the budget "
                 "(%d / %d / %d s), median over seeds." % (budget // 4, budget // 2, budget))
    lines.append("")
    hdr = ["strategy"] + ["%s %s" % (t, TASK_NAMES.get(t, "")) for t in args.tasks]
    lines.append("| " + " | ".join(hdr) + " |")
    lines.append("|" + " --- |" * len(hdr))
    for s in strategies:
        row = [LABELS.get(s, s)]
        for t in args.tasks:
            rs = runs.get((t, s))
            if not rs:
                row.append("–")
                continue
            cells = []
            for frac in (0.25, 0.5, 1.0):
                vals = [best_at(r["trajectory"], frac * budget) for r in rs]
                vals = [v if not math.isnan(v) else -math.inf for v in vals]
                m = quantile(vals, 0.5)
                cells.append("%.4f" % m if math.isfinite(m) else "–")
            row.append(" / ".join(cells))
        lines.append("| " + " | ".join(row) + " |")
    lines.append("")

    # Ratios: fastest model-based searcher against the baselines.
    mb = [s for s in MODEL_BASED if s in strategies]
    if mb:
        lines.append("**Ratios** (median time to target of the baseline / of the fastest "
                     "model-based strategy on that task; > 1: the model-based one is faster; a "
                     "median at ∞ is bounded by the budget, written > or <).")
        lines.append("")
        refs = [s for s in ("bayesian", "hb-random", "asha-random", "random", "random-median")
                if s in strategies]
        hdr = ["task", "fastest model-based", "median s"] + ["vs " + LABELS[r] for r in refs]
        lines.append("| " + " | ".join(hdr) + " |")
        lines.append("|" + " --- |" * len(hdr))
        per_ref = {r: [] for r in refs}
        goal_both = []
        for t in args.tasks:
            cand = [(ttt.get((t, s), math.inf), s) for s in mb]
            best_t, best_s = min(cand)
            row = ["%s %s" % (t, TASK_NAMES.get(t, "")), LABELS[best_s], fmt_t(best_t)]
            for r in refs:
                rt = ttt.get((t, r), math.nan)
                row.append(fmt_ratio(rt, best_t, budget))
                per_ref[r].append(ratio_value(rt, best_t, budget))
            lines.append("| " + " | ".join(row) + " |")
            if (t, "bayesian") in ttt and (t, "hb-random") in ttt:
                goal_both.append(best_t < ttt[(t, "bayesian")] and best_t < ttt[(t, "hb-random")])
        lines.append("")
        summ = []
        for r in refs:
            vals = sorted(v for v in per_ref[r] if not math.isnan(v))
            if vals:
                summ.append("vs %s: median task %.2fx" % (LABELS[r], quantile(vals, 0.5)))
        lines.append("Median over tasks (∞ bounded by the budget): " + "; ".join(summ) + ".")
        lines.append("")
        lines.append("Goal 1 (a model-based strategy strictly faster to the target than both "
                     "Bayesian and Hyperband (random), medians): met on %d of %d tasks."
                     % (sum(goal_both), len(goal_both)))
        vr = sorted(v for v in per_ref.get("random", []) if not math.isnan(v))
        if vr:
            lines.append("Goal 2 (at least 2x faster than Random on the median task): %.2fx, %s."
                         % (quantile(vr, 0.5), "met" if quantile(vr, 0.5) >= 2 else "missed"))
        # Each model-based strategy on its own.
        lines.append("")
        lines.append("Each model-based strategy alone: tasks where its median time to target is "
                     "strictly below both Bayesian's and Hyperband (random)'s, and its median "
                     "speed-up over Random across tasks.")
        lines.append("")
        lines.append("| strategy | beats both | median task vs Random |")
        lines.append("| --- | --- | --- |")
        for s in mb:
            wins = sum(1 for t in args.tasks
                       if (t, "bayesian") in ttt and (t, "hb-random") in ttt
                       and ttt.get((t, s), math.inf) < ttt[(t, "bayesian")]
                       and ttt.get((t, s), math.inf) < ttt[(t, "hb-random")])
            vr = sorted(v for v in (ratio_value(ttt.get((t, "random"), math.nan),
                                                ttt.get((t, s), math.inf), budget)
                                    for t in args.tasks) if not math.isnan(v))
            lines.append("| %s | %d/%d | %s |" % (LABELS[s], wins, len(args.tasks),
                                                 "%.2fx" % quantile(vr, 0.5) if vr else "–"))
        lines.append("")

    # Costs.
    lines.append("**Cost per run** (median over all runs of the strategy in this setting): "
                 "trials started, decision latency p50 / p99 / max (ms, the coordinator's "
                 "real time per decision, charged to the simulated clock), the coordinator's event loop "
                 "in real seconds (about the decision time charged in all), wall s per run.")
    lines.append("")
    lines.append("| strategy | trials | p50 ms | p99 ms | max ms | loop s | wall s |")
    lines.append("| --- | --- | --- | --- | --- | --- | --- |")
    for s in strategies:
        rs = [r for t in args.tasks for r in runs.get((t, s), [])]

        def med(key, scale=1.0):
            v = [r[key] * scale for r in rs if r.get(key) is not None]
            return quantile(v, 0.5) if v else math.nan
        lines.append("| %s | %.0f | %.2f | %.1f | %.0f | %.1f | %.0f |" % (
            LABELS.get(s, s), med("trials"), med("decision_p50_us", 1e-3),
            med("decision_p99_us", 1e-3), med("decision_max_us", 1e-3), med("event_loop_s"),
            med("wall_s")))
    lines.append("")

    text = "\n".join(lines)
    os.makedirs(args.results, exist_ok=True)
    with open(os.path.join(args.results, args.setting + ".md"), "w") as f:
        f.write(text)
    print(text)
    if args.readme and os.path.exists(args.readme):
        begin, end = "<!-- results:%s -->" % args.setting, "<!-- /results:%s -->" % args.setting
        with open(args.readme) as f:
            doc = f.read()
        if begin in doc and end in doc:
            head, rest = doc.split(begin, 1)
            doc = head + begin + "\n" + text + "\n" + end + rest.split(end, 1)[1]
            with open(args.readme, "w") as f:
                f.write(doc)
    plot(args, runs, tgt, strategies)


def plot(args, runs, tgt, strategies):
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        import numpy as np
    except ImportError:
        print("no matplotlib: no plot", file=sys.stderr)
        return
    budget = args.budget
    grid = np.geomspace(budget / 300.0, budget, 300)
    n = len(args.tasks)
    cols = 3
    rows = math.ceil(n / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(5.2 * cols, 3.9 * rows), squeeze=False)
    colors = {
        "random": "#7f7f7f", "random-median": "#bcbd22", "bayesian": "#8c564b",
        "hb-random": "#1f77b4", "hb-mobster": "#d62728", "hb-hypertune": "#2ca02c",
        "asha-random": "#17becf", "asha-mobster": "#ff7f0e", "asha-hypertune": "#9467bd",
    }
    styles = {s: ("--" if s.startswith("asha") else "-") for s in strategies}
    for i, task in enumerate(args.tasks):
        ax = axes[i // cols][i % cols]
        lows, tops = [], []
        for s in strategies:
            rs = runs.get((task, s))
            if not rs:
                continue
            m = np.array([[best_at(r["trajectory"], t) for t in grid] for r in rs])
            with np.errstate(all="ignore"):
                q = np.nanquantile(np.where(np.isnan(m), -np.inf, m), [0.25, 0.5, 0.75], axis=0)
            q = np.where(np.isfinite(q), q, np.nan)
            ax.plot(grid, q[1], styles[s], color=colors.get(s), lw=1.4, label=LABELS.get(s, s))
            ax.fill_between(grid, q[0], q[2], color=colors.get(s), alpha=0.12, lw=0)
            k = np.searchsorted(grid, budget * 0.05)
            if np.isfinite(q[1][k]):
                lows.append(q[1][k])
            if np.isfinite(q[2][-1]):
                tops.append(q[2][-1])
        ax.axhline(tgt[task], color="k", lw=0.8, ls=":", label="target (p99 of random)")
        ax.set_xscale("log")
        ax.set_xlim(grid[0], budget)
        if lows and tops:
            top = max(tops + [tgt[task]])
            low = min(min(lows), tgt[task] - 2 * (top - tgt[task]))
            ax.set_ylim(low, top + 0.1 * (top - low))
        ax.set_title("%s %s" % (task, TASK_NAMES.get(task, "")), fontsize=10)
        ax.set_xlabel("simulated s (decision time charged)")
        ax.set_ylabel("best validation accuracy")
        ax.grid(alpha=0.3, which="both", lw=0.4)
    for j in range(n, rows * cols):
        axes[j // cols][j % cols].axis("off")
    handles, labels = axes[0][0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=5, fontsize=8, frameon=False)
    seeds = sorted({len(v) for v in runs.values()})
    fig.suptitle("rung on the LCBench surrogate (YAHPO Gym), %s; median and quartiles over %s "
                 "seeds" % (SETTING_TITLES.get(args.setting, args.setting),
                            "/".join(map(str, seeds))), fontsize=11)
    fig.tight_layout(rect=(0, 0.07, 1, 0.96))
    fig.savefig(os.path.join(args.results, args.setting + ".png"), dpi=110)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--targets", metavar="OUT")
    ap.add_argument("--one", metavar="DIR")
    ap.add_argument("--budget", type=int)
    ap.add_argument("--wall", type=float)
    ap.add_argument("--out")
    ap.add_argument("--setting")
    ap.add_argument("--workers", type=int)
    ap.add_argument("--tasks", nargs="*")
    ap.add_argument("--strategies", nargs="*", default=list(LABELS))
    ap.add_argument("--results", default=os.path.join(os.path.dirname(__file__), "results"))
    ap.add_argument("--readme", help="replace the text between <!-- results:SETTING --> and "
                    "<!-- /results:SETTING --> in this file with the tables")
    ap.add_argument("rest", nargs="*")
    args = ap.parse_args()
    if args.targets:
        targets(args.targets, args.rest)
    elif args.one:
        reduce_one(args.one, args.budget, args.wall)
    else:
        report(args)


if __name__ == "__main__":
    main()
