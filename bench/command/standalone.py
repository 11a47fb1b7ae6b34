#!/usr/bin/env python3
"""bench/command/standalone.py OUT_JSON WORKDIR TRIALS EPOCHS -- PROGRAM ARGS...

Runs PROGRAM TRIALS times one after the other with no rung, as rung's command trainer would:
RUNG_EPOCHS=EPOCHS, a fresh RUNG_CHECKPOINT_DIR under WORKDIR (so it saves after every epoch,
as under rung), OMP_NUM_THREADS=1, PYTHONUNBUFFERED=1, stdout and stderr to a pipe. Records,
on time.perf_counter() (CLOCK_MONOTONIC): the start of each run, the arrival of every output
line, and the exit. Writes them to OUT_JSON for summarize.py.
"""
import json
import os
import subprocess
import sys
import time

out_json, workdir, trials, epochs = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
assert sys.argv[5] == "--"
command = sys.argv[6:]
runs = []
for trial in range(trials):
    ckpt = os.path.join(workdir, f"trial-{trial + 1}", "checkpoints")
    os.makedirs(ckpt)
    env = dict(os.environ, RUNG_EPOCHS=epochs, RUNG_CHECKPOINT_DIR=ckpt, RUNG_SEED=str(trial + 1),
               OMP_NUM_THREADS="1", PYTHONUNBUFFERED="1")
    began = time.perf_counter()
    child = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                             stdin=subprocess.DEVNULL, text=True)
    lines = []
    for line in child.stdout:
        lines.append([time.perf_counter() - began, line.rstrip("\n")])
    status = child.wait()
    runs.append({"lines": lines, "exit_s": time.perf_counter() - began, "status": status})
    if status != 0:
        sys.exit(f"standalone run {trial + 1} exited {status}:\n" + "\n".join(l for _, l in lines))
with open(out_json, "w") as f:
    json.dump(runs, f)
