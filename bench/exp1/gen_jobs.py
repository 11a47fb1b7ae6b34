#!/usr/bin/python3
"""Writes experiment 1's rung job files from task.py.

usage: gen_jobs.py OUT_DIR WORKERS MAX_TRIALS [--seed S] [--target T] [--max-runtime SEC]
                   [--strategies hyperband,asha,bayesian,random,calibrate,...]

One file per strategy, OUT_DIR/<strategy>.yaml:
  hyperband  Strategy Hyperband, all brackets (MinResource..MaxResource, eta), stopping-type
             ASHA (rung.asha.type: stopping): a trial goes on past a rung while it is in
             the rung's top 1/eta, without pausing (the variant Optuna's pruner also is)
  asha       the same with rung.asha.brackets: 1 (single-bracket ASHA)
  hyperband-promotion, asha-promotion
             the same with rung.asha.type: promotion (trials pause at each rung and the
             best resume; rung's default)
  hyperband-mobster, hyperband-hypertune
             hyperband with rung.searcher: mobster or hypertune (model-based proposals)
  bayesian   Strategy Bayesian, every trial trains MAX_EPOCHS epochs
  random     Strategy Random, every trial trains MAX_EPOCHS epochs
  calibrate  Random without a target: the long random search (full learning curves)
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import task  # noqa: E402


HYPERBAND_KINDS = ("hyperband", "asha", "hyperband-promotion", "asha-promotion",
                   "hyperband-mobster", "hyperband-hypertune")
STRATEGIES = HYPERBAND_KINDS + ("bayesian", "random", "calibrate")


def job_text(name, strategy, workers, max_trials, seed, target, max_runtime):
    hyperband = strategy in HYPERBAND_KINDS
    lines = [
        f"HyperParameterTuningJobName: {name}",
        "HyperParameterTuningJobConfig:",
        f"  Strategy: {'Hyperband' if hyperband else strategy.capitalize() if strategy != 'calibrate' else 'Random'}",
    ]
    if hyperband:
        lines += [
            "  StrategyConfig:",
            "    HyperbandStrategyConfig:",
            f"      MinResource: {task.MIN_EPOCHS}",
            f"      MaxResource: {task.MAX_EPOCHS}",
        ]
    lines += [
        "  ResourceLimits:",
        f"    MaxNumberOfTrainingJobs: {max_trials}",
        f"    MaxParallelTrainingJobs: {workers}",
    ]
    if max_runtime:
        lines.append(f"    MaxRuntimeInSeconds: {max_runtime}")
    lines += [
        "  HyperParameterTuningJobObjective:",
        "    Type: Maximize",
        f"    MetricName: {task.METRIC}",
    ]
    if target is not None and strategy != "calibrate":
        lines += ["  TuningJobCompletionCriteria:", f"    TargetObjectiveMetricValue: {target}"]
    lines += ["  ParameterRanges:", "    IntegerParameterRanges:"]
    for n, lo, hi in task.INTEGER_RANGES:
        lines.append(f'      - {{Name: {n}, MinValue: "{lo}", MaxValue: "{hi}", ScalingType: Logarithmic}}')
    lines.append("    ContinuousParameterRanges:")
    for n, lo, hi in task.CONTINUOUS_RANGES:
        lines.append(f'      - {{Name: {n}, MinValue: "{lo!r}", MaxValue: "{hi!r}", ScalingType: Logarithmic}}')
    lines += [
        f"  RandomSeed: {seed}",
        '  TrainingJobEarlyStoppingType: "Off"',
        "rung:",
        "  model: mlp",
        "  dataset:",
    ]
    for k, v in task.DATASET.items():
        lines.append(f"    {k}: {v}")
    lines += [
        "  static_hyperparameters:",
        f"    epochs: {task.MAX_EPOCHS}",
        "  device: cpu",
        "  threads_per_worker: 1",
    ]
    if hyperband:
        kind = "promotion" if strategy.endswith("-promotion") else "stopping"
        lines += ["  asha:", f"    reduction_factor: {task.ETA}", f"    type: {kind}"]
        if strategy.startswith("asha"):
            lines.append("    brackets: 1")
        for searcher in ("mobster", "hypertune"):
            if strategy.endswith("-" + searcher):
                lines.append(f"  searcher: {searcher}")
    return "\n".join(lines) + "\n"


def main():
    p = argparse.ArgumentParser()
    p.add_argument("out_dir")
    p.add_argument("workers", type=int)
    p.add_argument("max_trials", type=int)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--target", type=float, default=task.TARGET)
    p.add_argument("--max-runtime", type=int, default=0)
    p.add_argument("--strategies", default="hyperband,asha,bayesian,random")
    a = p.parse_args()
    os.makedirs(a.out_dir, exist_ok=True)
    for s in a.strategies.split(","):
        if s not in STRATEGIES:
            sys.exit(f"gen_jobs.py: --strategies: unknown strategy {s!r}")
        name = f"exp1-{s}-s{a.seed}"
        path = os.path.join(a.out_dir, f"{s}.yaml")
        with open(path + ".tmp", "w") as f:
            f.write(job_text(name, s, a.workers, a.max_trials, a.seed, a.target, a.max_runtime))
        os.replace(path + ".tmp", path)


if __name__ == "__main__":
    main()
