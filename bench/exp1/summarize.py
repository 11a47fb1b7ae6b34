#!/usr/bin/python3
"""Summarises experiment 1: time-to-target and best-so-far against wall-clock for every
method and seed of a race directory, the oracle, and the simulated race; writes
results.json, table.md and the PNG plots.

usage: summarize.py OUT_DIR [--target T] [--cap SEC]

OUT_DIR layout (what run.sh writes):
  race/<method>/seed-<s>/   rung run dirs (journal) or optuna_peer.py dirs (reports-*.jsonl)
  oracle/seed-<s>/          rung runs of the oracle configuration alone (journal)
  sim/<method>/seed-<s>/    rung simulate's per-seed dirs (journal), optional
A run that never reached the target counts as "not reached" (its time is censored at the
cap); medians and quartiles are over all seeds with not-reached runs as +infinity, so a
median is finite only when at least half the seeds reached the target.
"""
import argparse
import glob
import json
import math
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import task  # noqa: E402

RUNG_METHODS = ["hyperband", "asha", "bayesian", "random", "hyperband-mobster",
                "hyperband-hypertune"]
# Simulated only (cheap): the promotion-type variants, rung's default ASHA.
SIM_ONLY_METHODS = ["hyperband-promotion", "asha-promotion"]
PEER_METHODS = ["optuna-tpe", "optuna-random"]
LABELS = {"hyperband": "rung Hyperband", "asha": "rung ASHA (1 bracket)",
          "hyperband-promotion": "rung Hyperband, promotion-type",
          "asha-promotion": "rung ASHA (1 bracket), promotion-type",
          "bayesian": "rung Bayesian", "random": "rung Random",
          "hyperband-mobster": "rung Hyperband, MOBSTER",
          "hyperband-hypertune": "rung Hyperband, Hyper-Tune",
          "optuna-tpe": "Optuna TPE + Hyperband pruner",
          "optuna-random": "Optuna Random + Hyperband pruner"}
SEED_PAPER = {"hyperband": 357.0, "bayesian": 560.0, "random": 614.0}


def own_path(run_dir, target):
    """Summed epoch times (train + eval) of the trial that first reached the target, up to
    that epoch: the part of the time-to-target no scheduler could have saved; None when the
    run never reached it."""
    spent = {}
    journal = os.path.join(run_dir, "journal")
    if os.path.exists(journal):
        events = []
        for e in task.journal_events(journal):
            if e["event"] == "report" and task.METRIC in e.get("metrics", {}):
                events.append((e["t"], e["trial"], e["train_s"] + e["eval_s"],
                               e["metrics"][task.METRIC]))
    else:
        events = []
        for p in glob.glob(os.path.join(run_dir, "reports-*.jsonl")):
            with open(p) as f:
                per_worker = sorted((r["t"], r["trial"], r["accuracy"])
                                    for r in map(json.loads, filter(str.strip, f)))
            # The peer logs train_s; train + eval is the gap to the worker's previous report
            # within the same trial (the first epoch: train_s).
            last = {}
            for t, trial, acc in per_worker:
                events.append((t, trial, t - last[trial] if trial in last else None, acc))
                last[trial] = t
        with_train = {}
        for p in glob.glob(os.path.join(run_dir, "reports-*.jsonl")):
            with open(p) as f:
                for r in map(json.loads, filter(str.strip, f)):
                    with_train[(r["trial"], r["t"])] = r["train_s"]
        events = [(t, k, d if d is not None else with_train[(k, t)], acc)
                  for t, k, d, acc in events]
    for t, k, d, acc in sorted(events):
        spent[k] = spent.get(k, 0.0) + d
        if acc >= target:
            return spent[k]
    return None


def read_rung_journal(path):
    """[(t, accuracy, trial)] of every report, and the job_end t (None when missing)."""
    reports, end = [], None
    for e in task.journal_events(path):
        if e["event"] == "report" and task.METRIC in e.get("metrics", {}):
            reports.append((e["t"], e["metrics"][task.METRIC], e["trial"]))
        elif e["event"] == "job_end":
            end = e["t"]
    return reports, end


def read_run(run_dir):
    if os.path.exists(os.path.join(run_dir, "journal")):
        reports, end = read_rung_journal(os.path.join(run_dir, "journal"))
    else:
        reports = []
        for p in glob.glob(os.path.join(run_dir, "reports-*.jsonl")):
            with open(p) as f:
                reports += [(r["t"], r["accuracy"], r["trial"])
                            for r in map(json.loads, filter(str.strip, f))]
        end = None
        s = os.path.join(run_dir, "summary.json")
        if os.path.exists(s):
            end = json.load(open(s)).get("run_s")
    reports.sort()
    return reports, end


def median_epoch_s(runs):
    """Median seconds per epoch (rung: train_s + eval_s; the peer: train + eval, from t)."""
    times = []
    for r in runs:
        journal = os.path.join(r["dir"], "journal")
        if os.path.exists(journal):
            for e in task.journal_events(journal):
                if e["event"] == "report":
                    times.append(e["train_s"] + e["eval_s"])
        else:
            reports = sorted(r["reports"])
            times += [b[0] - a_[0] for a_, b in zip([(0.0,)] + reports, reports)]
    return quartiles(times)[1]


def time_to_target(reports, target):
    return next((t for t, a, _ in reports if a >= target), None)


def quartiles(values):
    """Median and quartiles (linear interpolation) of values; inf allowed."""
    v = sorted(values)
    if not v:
        return None, None, None

    def q(p):
        x = p * (len(v) - 1)
        lo, hi = math.floor(x), math.ceil(x)
        if v[lo] == math.inf or v[hi] == math.inf:
            return math.inf if v[hi] == math.inf and (x > lo or v[lo] == math.inf) else v[lo]
        return v[lo] + (v[hi] - v[lo]) * (x - lo)
    return q(0.25), q(0.5), q(0.75)


def best_so_far(reports, grid):
    out, best, i = [], float("nan"), 0
    for g in grid:
        while i < len(reports) and reports[i][0] <= g:
            best = reports[i][1] if math.isnan(best) else max(best, reports[i][1])
            i += 1
        out.append(best)
    return out


def collect(base, methods, target, require_done=False):
    """Runs per method; with require_done, only runs run.sh has marked finished."""
    res = {}
    for m in methods:
        runs = []
        for d in sorted((p for p in glob.glob(os.path.join(base, m, "seed-*")) if os.path.isdir(p)),
                        key=lambda p: int(p.rsplit("-", 1)[1])):
            if not os.path.isdir(d) or (require_done and not os.path.exists(os.path.join(d, "done"))):
                continue
            reports, end = read_run(d)
            if not reports and end is None:
                continue
            ttt = time_to_target(reports, target)
            runs.append({"dir": d, "seed": d.rsplit("-", 1)[1], "time_to_target_s": ttt,
                         "own_path_s": own_path(d, target),
                         "best": max((a for _, a, _ in reports), default=None),
                         "epochs": len(reports), "trials": len({r[2] for r in reports}),
                         "end_s": end, "reports": reports})
        if runs:
            res[m] = runs
    return res


def fmt(x):
    if x is None:
        return "-"
    if x == math.inf:
        return "not reached"
    return f"{x:.1f}" if x >= 10 else f"{x:.2f}"


def stats(runs):
    times = [r["time_to_target_s"] if r["time_to_target_s"] is not None else math.inf
             for r in runs]
    q1, med, q3 = quartiles(times)
    return {"n": len(runs), "reached": sum(t != math.inf for t in times), "q1": q1,
            "median": med, "q3": q3, "times": times,
            "median_best": quartiles([r["best"] for r in runs if r["best"] is not None])[1],
            "median_own_path": quartiles([r["own_path_s"] for r in runs
                                          if r["own_path_s"] is not None])[1],
            "median_epochs": quartiles([r["epochs"] for r in runs])[1]}


def ratio(a, b):
    if a is None or b is None or a in (0, math.inf) or b == math.inf:
        return None
    return b / a


def table(results, oracle_med, title):
    lines = [f"**{title}**", "",
             "| method | seeds reached / run | time to target s: median [q1, q3] | x oracle "
             "| median best acc. | median epochs | own path s | AWS seed post |",
             "| --- | --- | --- | --- | --- | --- | --- | --- |"]
    for m, runs in results.items():
        s = stats(runs)
        xo = (s["median"] / oracle_med if oracle_med and s["median"] not in (None, math.inf)
              else None)
        lines.append(f"| {LABELS.get(m, m)} | {s['reached']} / {s['n']} | {fmt(s['median'])} "
                     f"[{fmt(s['q1'])}, {fmt(s['q3'])}] | {fmt(xo)} | "
                     f"{s['median_best']:.4f} | {fmt(s['median_epochs'])} | "
                     f"{fmt(s['median_own_path'])} | "
                     f"{fmt(SEED_PAPER.get(m))} |")
    return "\n".join(lines)


def ratios(results):
    med = {m: stats(r)["median"] for m, r in results.items()}
    out = {}
    pairs = [("hyperband", "random", 3.0, 614 / 357), ("hyperband", "bayesian", 2.0, 560 / 357),
             ("asha", "random", None, None), ("asha", "bayesian", None, None),
             ("hyperband-promotion", "random", None, None)]
    for a, b, goal, paper in pairs:
        if a in med and b in med:
            out[f"{b} / {a}"] = {"ratio": ratio(med[a], med[b]), "goal": goal, "seed_post": paper}
    rung_best = min((med[m], m) for m in RUNG_METHODS if m in med) if any(
        m in med for m in RUNG_METHODS) else None
    peer_best = min((med[m], m) for m in PEER_METHODS if m in med) if any(
        m in med for m in PEER_METHODS) else None
    if rung_best and peer_best:
        out[f"{peer_best[1]} / {rung_best[1]} (best peer / best rung)"] = {
            "ratio": ratio(rung_best[0], peer_best[0]), "goal": 1.5, "seed_post": None}
    return out


def ratio_lines(rs, oracle_med, results):
    lines = ["| ratio of median times | measured | goal | AWS seed post |", "| --- | --- | --- | --- |"]
    for k, v in rs.items():
        lines.append(f"| {k} | {fmt(v['ratio'])} | {fmt(v['goal'])} | {fmt(v['seed_post'])} |")
    if oracle_med and "hyperband" in results:
        hb = stats(results["hyperband"])["median"]
        lines.append(f"| hyperband / oracle | {fmt(hb / oracle_med if hb != math.inf else math.inf)}"
                     f" | <= 2 | - |")
    return "\n".join(lines)


def plots(results, out_png_prefix, cap, title):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np
    import warnings
    warnings.filterwarnings("ignore", message="All-NaN slice")  # before a run's first report
    fig, ax = plt.subplots(figsize=(8, 5))
    horizon = cap or max(r["reports"][-1][0] for runs in results.values() for r in runs
                         if r["reports"])
    grid = np.linspace(0, horizon, 400)
    for m, runs in results.items():
        curves = np.array([best_so_far(r["reports"], grid) for r in runs], dtype=float)
        # A run that ended at the target keeps its best from then on.
        for c in curves:
            last = np.nan
            for i in range(len(c)):
                if np.isnan(c[i]):
                    c[i] = last
                last = c[i]
        med = np.nanpercentile(curves, 50, axis=0) if len(runs) else None
        q1 = np.nanpercentile(curves, 25, axis=0)
        q3 = np.nanpercentile(curves, 75, axis=0)
        ax.plot(grid, med, label=f"{LABELS.get(m, m)} ({len(runs)} seeds)")
        ax.fill_between(grid, q1, q3, alpha=0.2)
    ax.axhline(task.TARGET, color="k", ls="--", lw=0.8)
    ax.set_xlabel("wall-clock s since the job started")
    ax.set_ylabel("best validation accuracy so far")
    ax.set_ylim(0.85, 1.0)
    ax.set_title(f"{title}: best so far (median, quartile band)")
    ax.legend(fontsize=8, loc="lower right")
    fig.tight_layout()
    fig.savefig(out_png_prefix + "_best_so_far.png", dpi=120)
    plt.close(fig)

    fig, ax = plt.subplots(figsize=(8, 4.5))
    data, names = [], []
    for m, runs in results.items():
        t = [r["time_to_target_s"] if r["time_to_target_s"] is not None else (cap or math.nan)
             for r in runs]
        data.append(t)
        names.append(f"{LABELS.get(m, m)}\n{sum(r['time_to_target_s'] is not None for r in runs)}"
                     f"/{len(runs)} reached")
    ax.boxplot(data, vert=False, labels=names, whis=(0, 100))
    for i, d in enumerate(data):
        ax.scatter(d, [i + 1] * len(d), s=10, alpha=0.6)
    if cap:
        ax.axvline(cap, color="r", ls=":", lw=0.8, label="cap (not reached)")
        ax.legend(fontsize=8)
    ax.set_xscale("log")  # times span from a lucky first draw to the cap
    ax.set_xlabel(f"s to validation accuracy >= {task.TARGET} (log scale)")
    ax.set_title(f"{title}: time to target")
    ax.tick_params(axis="y", labelsize=7)
    fig.tight_layout()
    fig.savefig(out_png_prefix + "_time_to_target.png", dpi=120)
    plt.close(fig)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("out_dir")
    p.add_argument("--target", type=float, default=task.TARGET)
    p.add_argument("--cap", type=float, default=0.0, help="the race's time cap, s")
    a = p.parse_args()
    methods = RUNG_METHODS + PEER_METHODS
    race = collect(os.path.join(a.out_dir, "race"), methods, a.target, require_done=True)
    oracle = collect(a.out_dir, ["oracle"], a.target).get("oracle", [])
    sim = collect(os.path.join(a.out_dir, "sim"), RUNG_METHODS + SIM_ONLY_METHODS, a.target)
    # The oracle's time: the configuration retrained with fresh seeds until one run reaches
    # the target, one worker: (time of all runs, each to its hit or its end) / runs that hit
    # (renewal-reward). Near the target a run reaches it only some of the time, so the median
    # of single runs can be "not reached" while the configuration is still the best there is.
    oracle_med = None
    if oracle and any(r["time_to_target_s"] is not None for r in oracle):
        spent = sum(r["time_to_target_s"] if r["time_to_target_s"] is not None
                    else (r["end_s"] or 0.0) for r in oracle)
        oracle_med = spent / sum(r["time_to_target_s"] is not None for r in oracle)
    md = []
    if race:
        md += [table(race, oracle_med, "Real race"), "", ratio_lines(ratios(race), oracle_med, race), ""]
        plots(race, os.path.join(a.out_dir, "race"), a.cap, "Real race")
    if oracle:
        s = stats(oracle)
        conf = os.path.join(a.out_dir, "oracle.json")
        hp = json.load(open(conf))["hyperparameters"] if os.path.exists(conf) else {}
        md += [f"Oracle ({json.dumps(hp)}, trained alone by rung, {s['n']} seeds): time to "
               f"target median {fmt(s['median'])} s [{fmt(s['q1'])}, {fmt(s['q3'])}], reached "
               f"{s['reached']}/{s['n']}; median epoch (train + eval) "
               f"{fmt(median_epoch_s(oracle))} s; retrained until it reaches the target "
               f"(the 'x oracle' reference): {fmt(oracle_med)} s"]
        peer = collect(a.out_dir, ["oracle-optuna"], a.target).get("oracle-optuna", [])
        if peer:
            ps = stats(peer)
            md.append(f"The same configuration alone in the peer's PyTorch trainer: time to target "
                      f"{fmt(ps['median'])} s, median epoch {fmt(median_epoch_s(peer))} s")
        md.append("")
    if sim:
        md += [table(sim, oracle_med, "Simulated race (rung simulate, recorded curves)"), "",
               ratio_lines(ratios(sim), oracle_med, sim), ""]
        plots(sim, os.path.join(a.out_dir, "sim"), 0, "Simulated race")
    text = "\n".join(md)
    print(text)
    with open(os.path.join(a.out_dir, "table.md"), "w") as f:
        f.write(text + "\n")
    strip = lambda res: {m: [{k: v for k, v in r.items() if k != "reports"} for r in runs]  # noqa: E731
                         for m, runs in res.items()}
    with open(os.path.join(a.out_dir, "results.json"), "w") as f:
        json.dump({"race": strip(race), "oracle": [{k: v for k, v in r.items() if k != "reports"}
                                                   for r in oracle],
                   "sim": strip(sim), "race_ratios": ratios(race) if race else {},
                   "sim_ratios": ratios(sim) if sim else {}}, f, indent=1, default=str)


if __name__ == "__main__":
    main()
