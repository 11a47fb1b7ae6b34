#!/usr/bin/env python3
"""bench/command/summarize.py OUT_DIR ROUNDS: the tables of bench/command/README.md from one
run.sh invocation. Times come from the journals' `t` (seconds since the job started, one clock
for every event), the reports' train_s/eval_s, the programs' own `seconds=`/`import_s=`/
`setup_s=` lines (trials/<name>/output.log) and standalone.py's timestamps."""
import json
import os
import re
import statistics
import sys

out, rounds = sys.argv[1], int(sys.argv[2])
med = statistics.median
NUM = r"([0-9.eE+-]+)"


def events(job):
    with open(os.path.join(out, job, "journal")) as f:
        return [json.loads(line) for line in f if line.strip()]


def wall(name):
    with open(os.path.join(out, name + ".wall")) as f:
        return float(f.read())


def program_lines(lines):
    """Segments of a program's output, one per start: {'import_s', 'setup_s', 'epochs':
    {epoch: own seconds}, 'first': first epoch}."""
    segments = []
    for text in lines:
        if text.startswith("[rung] start"):
            segments.append({"epochs": {}})
            continue
        m = re.search(r"startup import_s=" + NUM + " setup_s=" + NUM, text)
        if m:
            if not segments or segments[-1].get("import_s") is not None:
                segments.append({"epochs": {}})  # standalone: no [rung] line
            segments[-1]["import_s"], segments[-1]["setup_s"] = float(m[1]), float(m[2])
            continue
        m = re.search(r"epoch=([0-9]+) .*seconds=" + NUM, text)
        if m:
            seg = segments[-1]
            seg.setdefault("first", int(m[1]))
            seg["epochs"][int(m[1])] = float(m[2])
    return segments


def output_log(job, name):
    with open(os.path.join(out, job, "trials", name, "output.log")) as f:
        return program_lines(line.rstrip("\n") for line in f)


def rung_job(job, command):
    """Per-start and per-epoch numbers of one rung job, from its journal (and, for a command
    job, its programs' output.log)."""
    ev = events(job)
    names = {e["trial"]: e["name"] for e in ev if e["event"] == "start"}
    logs = {t: output_log(job, n) for t, n in names.items()} if command else {}
    starts, steady, own_steady, gaps, ends = [], [], [], [], []
    open_start = {}  # trial -> the start/promote event awaiting its first report
    last = {}        # trial -> its latest report event
    seg_index = {t: 0 for t in names}
    for e in ev:
        kind, trial = e["event"], e.get("trial")
        if kind in ("start", "promote"):
            open_start[trial] = e
        elif kind == "report":
            own = e["train_s"] + e["eval_s"]
            if trial in open_start:  # the first report after a (re)start
                to_first = e["t"] - open_start.pop(trial)["t"]
                row = {"to_first": to_first, "own_first": own, "resumed": e["epoch"] > 1}
                if command:
                    seg = logs[trial][seg_index[trial]]
                    seg_index[trial] += 1
                    assert seg["first"] == e["epoch"], (job, trial, seg, e)
                    row.update(own_first=seg["epochs"][e["epoch"]], import_s=seg["import_s"],
                               setup_s=seg["setup_s"])
                starts.append(row)
            elif trial in last:
                steady.append(e["t"] - last[trial]["t"])
                own_steady.append(own if not command else
                                  logs[trial][seg_index[trial] - 1]["epochs"][e["epoch"]])
                gaps.append(steady[-1] - own_steady[-1])
            last[trial] = e
        elif kind == "release" and trial in last:
            ends.append(e["t"] - last.pop(trial)["t"])
    reports = sum(1 for e in ev if e["event"] == "report")
    return {"starts": starts, "steady": steady, "own_steady": own_steady, "gaps": gaps,
            "ends": ends, "epochs": reports, "trials": len(names)}


def standalone(r):
    with open(os.path.join(out, f"standalone-{r}.json")) as f:
        runs = json.load(f)
    starts, steady, own_steady, gaps, ends = [], [], [], [], []
    epochs, total = 0, 0.0
    for run in runs:
        seg = program_lines(text for _, text in run["lines"])
        assert len(seg) == 1, seg
        seg = seg[0]
        times = [t for t, text in run["lines"] if re.match(r"epoch=", text)]
        starts.append({"to_first": times[0], "own_first": seg["epochs"][1], "resumed": False,
                       "import_s": seg["import_s"], "setup_s": seg["setup_s"]})
        steady += [b - a for a, b in zip(times, times[1:])]
        own_steady += [seg["epochs"][e] for e in sorted(seg["epochs"])[1:]]
        gaps += [b - a - seg["epochs"][e] for (a, b, e) in
                 zip(times, times[1:], sorted(seg["epochs"])[1:])]
        ends.append(run["exit_s"] - times[-1])
        epochs += len(times)
        total += run["exit_s"]
    return {"starts": starts, "steady": steady, "own_steady": own_steady, "gaps": gaps,
            "ends": ends, "epochs": epochs, "trials": len(runs), "process_s": total}


kinds = ["builtin", "command", "standalone"]
per_round = {k: [] for k in kinds}
for r in range(1, rounds + 1):
    per_round["builtin"].append(rung_job(f"builtin-{r}", False))
    per_round["command"].append(rung_job(f"command-{r}", True))
    per_round["standalone"].append(standalone(r))


def pooled(kind, key):
    return [x for d in per_round[kind] for x in d[key]]


def start_cost(s):
    return s["to_first"] - s["own_first"]


rows = {}
for k in kinds:
    starts = pooled(k, "starts")
    steady = med(pooled(k, "steady"))
    row = {
        "steady": steady,
        "own_steady": med(pooled(k, "own_steady")),
        "gap": med(pooled(k, "gaps")),
        "to_first": med(s["to_first"] for s in starts),
        "own_first": med(s["own_first"] for s in starts),
        "start_cost": med(start_cost(s) for s in starts),
        "first_minus_median": med(s["to_first"] for s in starts) - steady,
        "end": med(pooled(k, "ends")),
        "wall": statistics.mean(wall(f"{k}-{r}") for r in range(1, rounds + 1)),
        "starts": len(starts),
        "epochs": sum(d["epochs"] for d in per_round[k]),
    }
    if k != "builtin":
        row["import_s"] = med(s["import_s"] for s in starts)
        row["setup_s"] = med(s["setup_s"] for s in starts)
        row["rest"] = med(start_cost(s) - s["import_s"] - s["setup_s"] for s in starts)
    rows[k] = row

b, c, s = rows["builtin"], rows["command"], rows["standalone"]
n_trials = per_round["builtin"][0]["trials"]
n_epochs = per_round["builtin"][0]["epochs"] // n_trials


def cell(k, key, fmt="{:.4f}"):
    v = rows[k].get(key)
    return "n/a" if v is None else fmt.format(v)


print(f"Per epoch and per start: Random, one fixed configuration, {rounds} rounds x "
      f"{n_trials} trials x {n_epochs} epochs each, medians over all of them (seconds)\n")
print("| | builtin mlp (LibTorch, in rung) | command (the program under rung) | "
      "standalone (the program, no rung) |")
print("| --- | --- | --- | --- |")
table = [
    ("epoch, report to report (epochs 2-9)", "steady", "{:.4f}"),
    ("**epochs/s**", None, None),
    ("epoch, the trainer's own time (train_s + eval_s / `seconds=`)", "own_steady", "{:.4f}"),
    ("epoch, report to report minus its own time (checkpoint save, the line's way to rung)",
     "gap", "{:.4f}"),
    ("start to first report", "to_first", "{:.3f}"),
    ("first epoch, the trainer's own time", "own_first", "{:.4f}"),
    ("**cost per start** (start to first report minus own first epoch)", "start_cost", "{:.3f}"),
    ("  of it: `import numpy, torch`", "import_s", "{:.3f}"),
    ("  of it: data set, model, optimizer", "setup_s", "{:.3f}"),
    ("  of it: the rest (fork/exec, interpreter start, reading the line)", "rest", "{:.3f}"),
    ("first epoch minus median epoch", "first_minus_median", "{:.3f}"),
    ("last report to release / exit", "end", "{:.3f}"),
    (f"job wall ({n_trials} trials, mean of rounds)", "wall", "{:.2f}"),
]
for label, key, fmt in table:
    if key is None:
        print(f"| {label} | " + " | ".join(f"**{1 / rows[k]['steady']:.1f}**" for k in kinds) + " |")
    else:
        print(f"| {label} | " + " | ".join(cell(k, key, fmt) for k in kinds) + " |")

print()
print("Ratios (same invocation):\n")
round_ratio = [med(per_round["command"][i]["steady"]) / med(per_round["builtin"][i]["steady"])
               for i in range(rounds)]
print(f"- per epoch, command / builtin: **{c['steady'] / b['steady']:.2f}x** "
      f"(builtin {1 / b['steady']:.1f} epochs/s, command {1 / c['steady']:.1f} epochs/s; "
      f"rounds: {', '.join(f'{x:.2f}x' for x in round_ratio)})")
round_ratio = [med(per_round["command"][i]["steady"]) / med(per_round["standalone"][i]["steady"])
               for i in range(rounds)]
print(f"- per epoch, command under rung / standalone: **{c['steady'] / s['steady']:.2f}x**, "
      f"{1000 * (c['steady'] - s['steady']):+.1f} ms per epoch report "
      f"(rounds: {', '.join(f'{x:.2f}x' for x in round_ratio)})")
print(f"- per epoch, outside the program's own epoch time (its checkpoint save, the line's way "
      f"to the reader), command under rung / standalone: **{c['gap'] / s['gap']:.2f}x**, "
      f"{1000 * (c['gap'] - s['gap']):+.1f} ms per epoch report: rung's own share (the "
      f"built-in trainer's report round trip: {1000 * b['gap']:.1f} ms)")
print(f"- per epoch, the trainers' own time, PyTorch program / LibTorch built-in: "
      f"{c['own_steady'] / b['own_steady']:.2f}x")
print(f"- cost per start, command under rung / standalone: **{c['start_cost'] / s['start_cost']:.2f}x**, "
      f"{1000 * (c['start_cost'] - s['start_cost']):+.0f} ms per start; builtin: "
      f"{1000 * b['start_cost']:.0f} ms")
print(f"- of the cost per start, the part outside the program (fork/exec, interpreter start, the "
      f"line reaching the reader), command under rung / standalone: **{c['rest'] / s['rest']:.2f}x**, "
      f"{1000 * (c['rest'] - s['rest']):+.0f} ms per start: rung's own share "
      f"(`import torch` varies by more than that between runs)")
print(f"- job wall, command / builtin: {c['wall'] / b['wall']:.2f}x; command / standalone: "
      f"{c['wall'] / s['wall']:.2f}x")

print()
hb = {m: rung_job(f"hyperband_{m}", m == "command") for m in ("builtin", "command")}
print("Hyperband with promotions (single-bracket ASHA, rungs 1, 3, 9; 18 trials, one fixed "
      "configuration; a start is a start or a promotion event, the latter a restart of the "
      "program from its checkpoint)\n")
print("| job | trials | starts | of them resumed | epochs | wall s | wall per start s | "
      "(wall - epochs x epoch) per start s | median cost per start s (fresh / resumed) |")
print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
per_start = {}
for m, base in (("builtin", b), ("command", c)):
    h = hb[m]
    w = wall(f"hyperband_{m}")
    n = len(h["starts"])
    per_start[m] = (w - h["epochs"] * base["steady"]) / n
    fresh = [start_cost(x) for x in h["starts"] if not x["resumed"]]
    resumed = [start_cost(x) for x in h["starts"] if x["resumed"]]
    print(f"| {m} | {h['trials']} | {n} | {len(resumed)} | {h['epochs']} | {w:.1f} | {w / n:.3f} | "
          f"{per_start[m]:.3f} | {med(fresh):.3f} / {med(resumed) if resumed else float('nan'):.3f} |")
h = hb["command"]
print(f"\nHyperband, command, per start (medians): {med(start_cost(x) for x in h['starts']):.3f} s "
      f"from the start to the first report beyond the program's own epoch "
      f"(`import numpy, torch` {med(x['import_s'] for x in h['starts']):.3f} s), "
      f"{med(h['ends']):.3f} s from the last report to the release (the program's exit, rung's "
      f"marker checkpoint at a pause).")
print(f"Hyperband, command: {per_start['command'] - per_start['builtin']:.2f} s more per start "
      f"than the built-in trainer ({per_start['command'] / per_start['builtin']:.0f}x); "
      f"wall {wall('hyperband_command') / wall('hyperband_builtin'):.2f}x the built-in job's.")
