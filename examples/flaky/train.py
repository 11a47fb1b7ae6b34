#!/usr/bin/env python3
"""A fake training program that fails on purpose, to show what a failed trial looks like in rung
(its FailureReason quotes the last lines of stderr; the trial is Failed and the tuning goes on).

No real model: the "accuracy" climbs toward a ceiling set by --learning_rate and --units, with a
little seeded noise. Learning rates above 0.05 "diverge": the program raises an exception in
epoch 2, and Python prints the traceback to stderr and exits 1. It follows rung's contract
otherwise: resume from RUNG_CHECKPOINT_DIR/state.json, print the epoch's line, then save.
"""
import argparse
import json
import math
import os
import random
import time

parser = argparse.ArgumentParser()
parser.add_argument("--learning_rate", type=float, default=0.01)
parser.add_argument("--units", type=lambda s: int(float(s)), default=64)
parser.add_argument("--epochs", type=lambda s: int(float(s)), default=5)  # without rung
args, _unknown = parser.parse_known_args()

last_epoch = int(os.environ.get("RUNG_EPOCHS", args.epochs))
seed = int(os.environ.get("RUNG_SEED", "0"))
ckpt_dir = os.environ.get("RUNG_CHECKPOINT_DIR")
ckpt = os.path.join(ckpt_dir, "state.json") if ckpt_dir else None

start = 0
if ckpt and os.path.exists(ckpt):
    with open(ckpt) as f:
        start = json.load(f)["epoch"]
    print(f"resumed from epoch {start} (checkpoint {ckpt})", flush=True)
else:
    print("starting from scratch", flush=True)

# Best near learning_rate 0.01 and many units; the ceiling is between about 0.55 and 0.92.
ceiling = 0.92 - 0.08 * math.log10(args.learning_rate / 0.01) ** 2 - 8.0 / (args.units + 40)
speed = 0.15 + 0.5 * min(args.learning_rate / 0.05, 1.0)
for epoch in range(start + 1, last_epoch + 1):
    time.sleep(0.05)  # "training"
    if epoch == 2 and args.learning_rate > 0.05:
        raise FloatingPointError(
            f"loss is nan at epoch {epoch}: learning_rate {args.learning_rate} is too large "
            "(this example fails on purpose above 0.05)")
    noise = random.Random(seed * 1000 + epoch).gauss(0.0, 0.005)
    accuracy = ceiling * (1.0 - math.exp(-speed * epoch)) + noise
    loss = -math.log(max(accuracy, 1e-3))
    print(f"epoch={epoch} train_loss={loss * 0.9:.4f} val_loss={loss:.4f} "
          f"val_accuracy={accuracy:.4f}", flush=True)
    if ckpt:  # report first, then save
        with open(ckpt + ".tmp", "w") as f:
            json.dump({"epoch": epoch}, f)
        os.replace(ckpt + ".tmp", ckpt)
