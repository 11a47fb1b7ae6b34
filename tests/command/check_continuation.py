#!/usr/bin/env python3
"""check_continuation.py OUT [--exact] [--expect-promotion-to-another-worker]

Checks a finished command-trainer run in OUT (tests/command/toy_program.py as the program),
trial by trial, from the program's own output (trials/<name>/output.log) and the journal:
- every start after the first continued from the trial's own checkpoint: it resumed from the
  last epoch the program printed (--exact: a run never killed), or, after a kill, from that
  epoch or the one after (saved, then killed before it was printed); never from scratch;
- the epochs the program trained (epoch lines it printed) are no more than the epochs the
  journal holds results for (reports, plus epochs a resume trained again);
- with the flag: some trial was promoted onto a worker other than the one that paused it.
"""
import json
import os
import re
import sys

out = sys.argv[1]
exact = "--exact" in sys.argv
want_other_worker = "--expect-promotion-to-another-worker" in sys.argv
results, workers, names = {}, {}, {}
moved = 0
with open(os.path.join(out, "journal")) as journal:
    for line in journal:
        try:
            e = json.loads(line)
        except ValueError:
            continue
        kind = e.get("event")
        if kind == "start":
            names[e["trial"]] = e["name"]
            workers[e["trial"]] = e["worker"]
        elif kind in ("report", "recomputed"):
            results[e["trial"]] = results.get(e["trial"], 0) + 1
        elif kind in ("promote", "restart"):
            moved += e["worker"] != workers.get(e["trial"])
            workers[e["trial"]] = e["worker"]

problems = []
starts_total = trained_total = 0
for trial, name in sorted(names.items()):
    path = os.path.join(out, "trials", name, "output.log")
    if not os.path.exists(path):
        problems.append(f"{name}: no output.log")
        continue
    printed = 0  # the last epoch the program printed
    trained = 0
    starts = 0
    for line in open(path, errors="replace"):
        m = re.match(r"resumed from epoch (\d+)", line)
        if m or line.startswith("starting from scratch"):
            starts += 1
            resumed = int(m.group(1)) if m else 0
            allowed = {printed} if exact else {printed, printed + 1}
            if resumed not in allowed:
                problems.append(f"{name}: start {starts} resumed from epoch {resumed}, "
                                f"but the program had printed epochs up to {printed}")
        m = re.match(r"epoch=(\d+) ", line)
        if m:
            printed = int(m.group(1))
            trained += 1
    starts_total += starts
    trained_total += trained
    if trained > results.get(trial, 0):
        problems.append(f"{name}: the program trained {trained} epochs, the journal holds "
                        f"{results.get(trial, 0)}")
print(f"{len(names)} trials, {starts_total} program starts, {trained_total} epochs trained, "
      f"{sum(results.values())} epoch results in the journal, "
      f"{moved} promotions/restarts onto another worker")
if want_other_worker and moved == 0:
    problems.append("no trial was promoted onto another worker")
if starts_total <= len(names):
    problems.append("no trial was started more than once (no pause was resumed)")
for p in problems:
    print("FAIL:", p)
sys.exit(1 if problems else 0)
