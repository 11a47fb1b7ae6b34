#!/usr/bin/env python3
"""A fast stand-in for a user's training program, for rung's command-trainer tests (stdlib only).

It follows rung's contract (RUNG_EPOCHS, RUNG_CHECKPOINT_DIR; print one line per epoch, then
save), and --mode makes it misbehave on purpose at epoch --at (default 2), in that epoch,
before its checkpoint and report:
  normal      train to RUNG_EPOCHS, exit 0
  hang        sleep forever without printing (SIGTERM ends it, unless --ignore_sigterm 1)
  crash       print "something went wrong: injected crash" to stderr, exit 3
  segv        kill itself with SIGSEGV
  silent      print nothing at all (still saves its checkpoints), exit 0
  restart     ignore the checkpoint: always start at epoch 1 (still saves)
  early_exit  exit 0 at epoch --at without training it, even when RUNG_EPOCHS is larger
  nan         print val_accuracy=nan for epoch --at (saved as usual), then go on
  slow        like normal (every mode sleeps --sleep seconds per epoch, default 0.05)
Metrics of epoch e (x is --x): val_accuracy = exp(-(x - 0.3)^2) * e / (e + 1), plus
--noise * uniform(-1, 1) from random.Random(RUNG_SEED * 1000 + e) (--noise defaults to 0);
val_loss = 1 - val_accuracy; train_loss = 0.9 * val_loss. Printed with 6 decimals:
  epoch=3 train_loss=0.287179 val_loss=0.319088 val_accuracy=0.680912
Every start appends "start <epoch resumed from, 0 when from scratch> <RUNG_EPOCHS> <pid>" to
$RUNG_TRIAL_DIR/starts.log, and prints "resumed from epoch N (checkpoint PATH)" or
"starting from scratch".
"""
import argparse
import json
import math
import os
import random
import signal
import sys
import time

parser = argparse.ArgumentParser()
parser.add_argument("--mode", default="normal",
                    choices=["normal", "hang", "crash", "segv", "silent", "restart",
                             "early_exit", "nan", "slow"])
parser.add_argument("--x", type=float, default=0.3)
parser.add_argument("--at", type=lambda s: int(float(s)), default=2)
parser.add_argument("--sleep", type=float, default=0.05)
parser.add_argument("--noise", type=float, default=0.0)
parser.add_argument("--ignore_sigterm", type=lambda s: int(float(s)), default=0)
parser.add_argument("--epochs", type=lambda s: int(float(s)), default=3)  # without rung
args, _unknown = parser.parse_known_args()

if args.ignore_sigterm:
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
last_epoch = int(os.environ.get("RUNG_EPOCHS", args.epochs))
seed = int(os.environ.get("RUNG_SEED", "0"))
ckpt_dir = os.environ.get("RUNG_CHECKPOINT_DIR")
ckpt = os.path.join(ckpt_dir, "state.json") if ckpt_dir else None
quiet = args.mode == "silent"


def say(text):
    if not quiet:
        print(text, flush=True)


start = 0
if ckpt and os.path.exists(ckpt) and args.mode != "restart":
    with open(ckpt) as f:
        start = json.load(f)["epoch"]
    say(f"resumed from epoch {start} (checkpoint {ckpt})")
else:
    say("starting from scratch")
if os.environ.get("RUNG_TRIAL_DIR"):
    with open(os.path.join(os.environ["RUNG_TRIAL_DIR"], "starts.log"), "a") as f:
        f.write(f"start {start} {last_epoch} {os.getpid()}\n")

for epoch in range(start + 1, last_epoch + 1):
    time.sleep(args.sleep)
    if epoch == args.at:
        if args.mode == "hang":
            while True:
                time.sleep(3600)
        if args.mode == "crash":
            print("something went wrong: injected crash", file=sys.stderr, flush=True)
            sys.exit(3)
        if args.mode == "segv":
            os.kill(os.getpid(), signal.SIGSEGV)
        if args.mode == "early_exit":
            sys.exit(0)
    accuracy = math.exp(-(args.x - 0.3) ** 2) * epoch / (epoch + 1)
    accuracy += args.noise * random.Random(seed * 1000 + epoch).uniform(-1.0, 1.0)
    shown = "nan" if args.mode == "nan" and epoch == args.at else f"{accuracy:.6f}"
    say(f"epoch={epoch} train_loss={0.9 * (1 - accuracy):.6f} val_loss={1 - accuracy:.6f} "
        f"val_accuracy={shown}")
    if ckpt:  # report first, then save
        with open(ckpt + ".tmp", "w") as f:
            json.dump({"epoch": epoch}, f)
        os.replace(ckpt + ".tmp", ckpt)
