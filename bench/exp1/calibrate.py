#!/usr/bin/python3
"""Summarises a calibration run (rung Random, no early stopping, every trial trained to
MaxResource): the best validation accuracy found and the share of random configurations
that reach the target at any epoch (what TargetObjectiveMetricValue checks) and at the last
epoch. Reads the run through `rung export` (no h5py needed).

usage: calibrate.py RUNG_BINARY RUN_DIR [TARGET] [--json OUT.json]
"""
import argparse
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import task  # noqa: E402


def load_curves(rung, run_dir):
    out = subprocess.run([rung, "export", run_dir, "--format", "json"], check=True,
                         capture_output=True, text=True).stdout
    data = json.loads(out)
    names = [t["name"] for t in data["trials"]]
    curves = {n: [] for n in names}
    for e in data["epochs"]:
        trial = e["trial"]
        key = names[trial] if isinstance(trial, int) else trial
        curves[key].append((e["epoch"], e["metrics"][task.METRIC]))
    trials = {t["name"]: t for t in data["trials"]}
    return trials, {n: [a for _, a in sorted(c)] for n, c in curves.items()}


def summarise(trials, curves, target):
    full = [n for n, c in curves.items() if len(c) > 0 and trials[n]["status"] != "Failed"]
    peaks = sorted(((max(curves[n]), n) for n in full), reverse=True)
    reach_any = sum(1 for n in full if max(curves[n]) >= target)
    reach_last = sum(1 for n in full if curves[n][-1] >= target)
    first_epoch = [next(i + 1 for i, a in enumerate(curves[n]) if a >= target)
                   for n in full if max(curves[n]) >= target]
    failed = sum(1 for t in trials.values() if t["status"] == "Failed")
    best_acc, best_name = peaks[0]
    return {
        "trials": len(trials), "failed": failed, "evaluated": len(full), "target": target,
        "best_accuracy": best_acc, "best_trial": best_name,
        "best_hyperparameters": trials[best_name].get("hyperparameters", {}),
        "reach_any_epoch": reach_any, "reach_last_epoch": reach_last,
        "fraction_any_epoch": reach_any / len(full), "fraction_last_epoch": reach_last / len(full),
        "first_epoch_at_target": sorted(first_epoch),
        "top10": [[round(a, 4), n] for a, n in peaks[:10]],
        "quantiles_of_peak": {q: sorted(a for a, _ in peaks)[int(q * (len(peaks) - 1))]
                              for q in (0.1, 0.25, 0.5, 0.75, 0.9)},
    }


def main():
    p = argparse.ArgumentParser()
    p.add_argument("rung")
    p.add_argument("run_dir")
    p.add_argument("target", nargs="?", type=float, default=task.TARGET)
    p.add_argument("--json")
    a = p.parse_args()
    s = summarise(*load_curves(a.rung, a.run_dir), a.target)
    text = json.dumps(s, indent=1)
    print(text)
    if a.json:
        with open(a.json + ".tmp", "w") as f:
            f.write(text + "\n")
        os.replace(a.json + ".tmp", a.json)


if __name__ == "__main__":
    main()
