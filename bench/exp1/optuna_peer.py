#!/usr/bin/python3
"""The peer of experiment 1: Optuna (Debian's python3-optuna 3.1) tuning the same MLP on the
same exported data set, same ranges, same epoch budget, same target, WORKERS worker processes
sharing one storage.  Run it with /usr/bin/python3 (Debian's optuna and torch).

usage: optuna_peer.py DATA.csv OUT_DIR --sampler tpe|random --workers W --seed S
                      [--max-trials N] [--max-runtime SEC] [--target T] [--enqueue JSON]

The model is rung's MLP (src/train/mlp.cpp), line for line:
  fc1 Linear(d, units) -> ReLU -> fc2 Linear(units, units) -> ReLU -> fc3 Linear(units, 1);
  weights and biases uniform in +-1/sqrt(fan_in); Adam(lr, weight_decay=l2) (L2 as Adam's
  weight decay, as LibTorch's AdamOptions::weight_decay); BCE-with-logits, mean over the batch;
  each epoch a fresh random permutation of the training rows cut into batches of batch_size
  (the last one smaller); validation accuracy = share of (logit > 0) == (label == 1).
One torch thread per worker process (rung: threads_per_worker 1).

Optuna usage (its documented defaults, nothing tuned for this task):
  * storage: JournalStorage(JournalFileStorage(OUT_DIR/optuna.journal)), the storage Optuna's
    docs recommend for several processes on one machine without a database server;
  * sampler: TPESampler(seed=...) with its defaults (n_startup_trials=10, independent
    sampling), or RandomSampler(seed=...); each worker process seeds its own sampler with
    seed * 1000 + worker so processes do not propose the same points;
  * pruner: HyperbandPruner(min_resource=1, max_resource=MAX_EPOCHS, reduction_factor=3),
    the same rungs as rung's Hyperband (1, 3, 9 epochs); trial.report(accuracy, epoch) after
    every epoch and trial.should_prune() right after;
  * search space: suggest_int(log=True) for units and batch_size, suggest_float(log=True) for
    learning_rate and l2, the seed's bounds (task.py);
  * the end: a worker that sees accuracy >= target writes OUT_DIR/target_reached; every
    worker checks for it after each epoch and stops (the study ends at the target, as rung's
    TargetObjectiveMetricValue does), or at --max-trials trials / --max-runtime seconds.

Timing: every worker imports torch and loads the data first, then waits for a common start
signal; t = 0 is that signal, as rung's journal counts from the job's start with its workers
up. Each epoch appends {"t", "worker", "trial", "epoch", "accuracy", "train_s"} to
OUT_DIR/reports-<worker>.jsonl; summary.json gets the first t at the target.
"""
import argparse
import json
import math
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import task  # noqa: E402


def load_csv(path):
    import numpy as np
    with open(path) as f:
        header = f.readline().strip().split(",")
        if header[:2] != ["split", "label"]:
            sys.exit(f"optuna_peer.py: {path}: header starts {header[:2]}, expected split,label "
                     "(export it with bench_exp1_export)")
        rows = [line.rstrip("\n").split(",") for line in f if line.strip()]
    split = np.array([r[0] for r in rows])
    y = np.array([float(r[1]) for r in rows], dtype=np.float32)
    x = np.array([[float(v) for v in r[2:]] for r in rows], dtype=np.float32)
    tr, va = split == "train", split == "validation"
    return x[tr], y[tr], x[va], y[va]


def worker_main(args, worker):
    import numpy as np  # noqa: F401
    import optuna
    import torch
    torch.set_num_threads(1)
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    x_tr, y_tr, x_va, y_va = (torch.from_numpy(a) for a in load_csv(args.data))
    n, d = x_tr.shape

    storage = optuna.storages.JournalStorage(
        optuna.storages.JournalFileStorage(os.path.join(args.out, "optuna.journal")))
    sampler_seed = args.seed * 1000 + worker
    sampler = (optuna.samplers.TPESampler(seed=sampler_seed) if args.sampler == "tpe"
               else optuna.samplers.RandomSampler(seed=sampler_seed))
    pruner = optuna.pruners.HyperbandPruner(min_resource=task.MIN_EPOCHS,
                                            max_resource=task.MAX_EPOCHS,
                                            reduction_factor=task.ETA)
    study = optuna.load_study(study_name="exp1", storage=storage, sampler=sampler, pruner=pruner)
    done_flag = os.path.join(args.out, "target_reached")
    log = open(os.path.join(args.out, f"reports-{worker}.jsonl"), "a", buffering=1)

    # Ready: wait for the common start.
    open(os.path.join(args.out, f"ready-{worker}"), "w").close()
    go = os.path.join(args.out, "go")
    while not os.path.exists(go):
        time.sleep(0.01)
    t0 = float(open(go).read())
    gen = torch.Generator().manual_seed(sampler_seed)

    def objective(trial):
        units = trial.suggest_int("units", 10, 1000, log=True)
        batch = trial.suggest_int("batch_size", 10, 200, log=True)
        lr = trial.suggest_float("learning_rate", 1e-4, 0.1, log=True)
        l2 = trial.suggest_float("l2", 1e-6, 2.0, log=True)
        layers = [torch.nn.Linear(d, units), torch.nn.Linear(units, units), torch.nn.Linear(units, 1)]
        with torch.no_grad():
            for layer in layers:
                bound = 1.0 / math.sqrt(layer.weight.shape[1])
                layer.weight.uniform_(-bound, bound, generator=gen)
                layer.bias.uniform_(-bound, bound, generator=gen)
        model = torch.nn.Sequential(layers[0], torch.nn.ReLU(), layers[1], torch.nn.ReLU(), layers[2])
        opt = torch.optim.Adam(model.parameters(), lr=lr, weight_decay=l2)
        acc = 0.0
        for epoch in range(1, task.MAX_EPOCHS + 1):
            t_start = time.time()
            model.train()
            order = torch.randperm(n, generator=gen)
            for s in range(0, n, batch):
                idx = order[s:s + batch]
                opt.zero_grad()
                loss = torch.nn.functional.binary_cross_entropy_with_logits(
                    model(x_tr[idx]).squeeze(-1), y_tr[idx])
                loss.backward()
                opt.step()
            train_s = time.time() - t_start
            model.eval()
            with torch.no_grad():
                logits = model(x_va).squeeze(-1)
                acc = float(((logits > 0) == (y_va > 0.5)).float().mean())
            if not math.isfinite(float(loss)):
                raise optuna.TrialPruned()  # diverged (rung records these as failed)
            t = time.time() - t0
            log.write(json.dumps({"t": t, "worker": worker, "trial": trial.number, "epoch": epoch,
                                  "accuracy": acc, "train_s": train_s,
                                  "params": trial.params}) + "\n")
            if acc >= args.target and not os.path.exists(done_flag):
                with open(done_flag, "w") as f:
                    f.write(f"{t}\n")
            trial.report(acc, epoch)
            if os.path.exists(done_flag):
                trial.study.stop()
                return acc
            if args.max_runtime and t >= args.max_runtime:
                trial.study.stop()
                return acc
            if trial.should_prune():
                raise optuna.TrialPruned()
        return acc

    def enough(study_, _trial):
        if len(study_.trials) >= args.max_trials:
            study_.stop()

    study.optimize(objective, n_trials=args.max_trials, callbacks=[enough],
                   catch=(RuntimeError, ValueError))
    log.close()


def parent_main(args):
    import optuna
    os.makedirs(args.out, exist_ok=True)
    for f in os.listdir(args.out):
        sys.exit(f"optuna_peer.py: {args.out} is not empty ({f}); give a new OUT_DIR")
    storage = optuna.storages.JournalStorage(
        optuna.storages.JournalFileStorage(os.path.join(args.out, "optuna.journal")))
    study = optuna.create_study(study_name="exp1", storage=storage, direction="maximize")
    if args.enqueue:
        study.enqueue_trial(json.loads(args.enqueue))
    launch = time.time()
    procs = [subprocess.Popen([sys.executable, os.path.abspath(__file__), "--worker", str(w)]
                              + sys.argv[1:]) for w in range(args.workers)]
    while not all(os.path.exists(os.path.join(args.out, f"ready-{w}")) for w in range(args.workers)):
        if any(p.poll() not in (None, 0) for p in procs):
            for p in procs:
                p.kill()
            sys.exit("optuna_peer.py: a worker died before starting")
        time.sleep(0.01)
    t0 = time.time()
    with open(os.path.join(args.out, "go.tmp"), "w") as f:
        f.write(repr(t0))
    os.replace(os.path.join(args.out, "go.tmp"), os.path.join(args.out, "go"))
    codes = [p.wait() for p in procs]
    end = time.time()
    reports = []
    for w in range(args.workers):
        with open(os.path.join(args.out, f"reports-{w}.jsonl")) as f:
            reports += [json.loads(line) for line in f if line.strip()]
    reports.sort(key=lambda r: r["t"])
    hits = [r for r in reports if r["accuracy"] >= args.target]
    best = max(reports, key=lambda r: r["accuracy"]) if reports else None
    summary = {"sampler": args.sampler, "workers": args.workers, "seed": args.seed,
               "target": args.target, "time_to_target_s": hits[0]["t"] if hits else None,
               "target_trial_params": hits[0]["params"] if hits else None,
               "best_accuracy": best["accuracy"] if best else None,
               "best_params": best["params"] if best else None,
               "trials": len({(r["trial"]) for r in reports}), "epochs": len(reports),
               "run_s": end - t0, "startup_s": t0 - launch, "worker_exit_codes": codes}
    with open(os.path.join(args.out, "summary.json.tmp"), "w") as f:
        json.dump(summary, f, indent=1)
    os.replace(os.path.join(args.out, "summary.json.tmp"), os.path.join(args.out, "summary.json"))
    print(json.dumps(summary))
    return 0 if all(c == 0 for c in codes) else 1


def main():
    p = argparse.ArgumentParser()
    p.add_argument("data")
    p.add_argument("out")
    p.add_argument("--sampler", choices=("tpe", "random"), required=True)
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--max-trials", type=int, default=1000)
    p.add_argument("--max-runtime", type=float, default=0.0)
    p.add_argument("--target", type=float, default=task.TARGET)
    p.add_argument("--enqueue", default="",
                   help='JSON parameters of a first trial (study.enqueue_trial), e.g. the oracle')
    p.add_argument("--worker", type=int, default=-1)
    args = p.parse_args()
    args.out = os.path.abspath(args.out)
    args.data = os.path.abspath(args.data)
    if args.workers < 1:
        sys.exit(f"optuna_peer.py: --workers {args.workers}: must be >= 1")
    if args.worker >= 0:
        worker_main(args, args.worker)
        return 0
    return parent_main(args)


if __name__ == "__main__":
    sys.exit(main())
