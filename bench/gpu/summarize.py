#!/usr/bin/env python3
"""summarize.py WORK: the numbers of one bench/gpu/run.sh run as Markdown on stdout, and as
JSON in WORK/results.json. Steady-state epoch times leave out each side's first epoch (CUDA
and cuDNN warm-up)."""
import json
import os
import statistics
import sys

work = sys.argv[1]


def read_json(name):
    try:
        with open(os.path.join(work, name)) as f:
            return json.loads(f.read().strip().splitlines()[-1])
    except (OSError, ValueError, IndexError):
        return None


def read_epochs(name):
    """Rows of epochs_of: trial epoch worker train_s eval_s accuracy t."""
    rows = []
    try:
        with open(os.path.join(work, name)) as f:
            for line in f:
                p = line.split()
                if len(p) == 7:
                    rows.append({"trial": int(p[0]), "epoch": int(p[1]), "worker": int(p[2]),
                                 "train_s": float(p[3]), "eval_s": float(p[4]),
                                 "accuracy": None if p[5] == "None" else float(p[5]),
                                 "t": float(p[6])})
    except OSError:
        pass
    return rows


def steady(values):
    return statistics.mean(values[1:]) if len(values) > 1 else (values[0] if values else None)


def journal_start(out_dir):
    try:
        with open(os.path.join(work, out_dir, "journal")) as f:
            starts = [json.loads(l)["t"] for l in f if '"event":"start"' in l]
        return min(starts) if starts else None
    except OSError:
        return None


def fmt(v, digits=2):
    return "n/a" if v is None else f"{v:.{digits}f}"


results = {}
lines = ["# rung on the GPU: ResNet-20, CIFAR-10 (rebuilt copy), batch 128", ""]

for label, eager_name, rung_name in (("fp32", "eager.json", "rung_epochs.txt"),
                                     ("channels-last + bf16", "eager_cl_bf16.json",
                                      "rung_epochs_cl.txt")):
    eager = read_json(eager_name)
    rung = read_epochs(rung_name)
    e_train = steady([e["train_s"] for e in eager["epochs"]]) if eager else None
    e_eval = steady([e["eval_s"] for e in eager["epochs"]]) if eager else None
    r_train = steady([r["train_s"] for r in rung])
    r_eval = steady([r["eval_s"] for r in rung])
    ratio = r_train / e_train if r_train and e_train else None
    results[label] = {"eager_train_s": e_train, "eager_eval_s": e_eval, "rung_train_s": r_train,
                      "rung_eval_s": r_eval, "rung_over_eager": ratio,
                      "eager_first_epoch_s": eager["epochs"][0]["train_s"] if eager else None,
                      "rung_first_epoch_s": rung[0]["train_s"] if rung else None,
                      "eager_max_memory_mib": eager.get("max_memory_allocated_mib") if eager
                      else None}
    lines += [f"## One epoch, {label} (same run, same GPU; mean of epochs after the first)", "",
              "| | train s/epoch | eval s | first epoch s |", "|---|---|---|---|",
              f"| PyTorch eager ({eager['torch'] if eager else '?'}) | {fmt(e_train)} | "
              f"{fmt(e_eval)} | {fmt(results[label]['eager_first_epoch_s'])} |",
              f"| rung (LibTorch) | {fmt(r_train)} | {fmt(r_eval)} | "
              f"{fmt(results[label]['rung_first_epoch_s'])} |",
              "", f"rung / eager (train): {fmt(ratio)}", ""]

lines += ["## Workers sharing one GPU (workers_per_gpu 4), 2 epochs per worker", "",
          "| workers | epochs | span s | epochs/s | speed-up | mean train s/epoch | GPU MiB per worker (max) |",
          "|---|---|---|---|---|---|---|"]
base = None
results["sharing"] = {}
for k in (1, 2, 4):
    rows = read_epochs(f"share_epochs{k}.txt")
    start = journal_start(f"out_share{k}")
    span = max(r["t"] for r in rows) - start if rows and start is not None else None
    rate = len(rows) / span if span else None
    if k == 1:
        base = rate
    memory = {}  # pid (or "total": the whole GPU) -> max MiB
    try:
        with open(os.path.join(work, f"memory{k}.txt")) as f:
            for line in f:
                p = [x.strip() for x in line.split(",")]
                if len(p) == 3 and p[2].isdigit():
                    memory[p[1]] = max(memory.get(p[1], 0), int(p[2]))
    except OSError:
        pass
    total = memory.pop("total", None)
    if memory:
        per_worker = statistics.mean(memory.values())
    elif total is not None:  # no per-process list: the GPU's growth over idle, shared out
        try:
            with open(os.path.join(work, "memory_idle.txt")) as f:
                idle = int(f.read().split()[0])
        except (OSError, ValueError, IndexError):
            idle = 0
        per_worker = (total - idle) / k
    else:
        per_worker = None
    memory["total"] = total
    results["sharing"][k] = {"epochs": len(rows), "span_s": span, "epochs_per_s": rate,
                             "mean_train_s": statistics.mean(r["train_s"] for r in rows)
                             if rows else None,
                             "gpu_mib_per_process": memory}
    lines.append(f"| {k} | {len(rows)} | {fmt(span, 1)} | {fmt(rate, 3)} | "
                 f"{fmt(rate / base if rate and base else None)} | "
                 f"{fmt(results['sharing'][k]['mean_train_s'])} | {fmt(per_worker, 0)} |")

lines += ["", "## Short Hyperband job (4 workers on the GPU, 120 s)", ""]
try:
    with open(os.path.join(work, "out_hyperband", "summary.json")) as f:
        summary = json.load(f)
    best = summary.get("BestTrainingJob", {})
    value = best.get("FinalHyperParameterTuningJobObjectiveMetric", {}).get("Value")
    results["hyperband"] = {"best_accuracy": value, "best": best,
                            "counters": summary.get("TrainingJobStatusCounters")}
    lines += [f"best validation:accuracy {value} ({best.get('TrainingJobName')}: "
              f"{best.get('TunedHyperParameters')})",
              f"trials: {summary.get('TrainingJobStatusCounters')}"]
except (OSError, ValueError):
    lines.append("no summary.json")

with open(os.path.join(work, "results.json"), "w") as f:
    json.dump(results, f, indent=1)
print("\n".join(lines))
