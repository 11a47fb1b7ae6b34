"""Summarizes bench/foundation/run.sh's runs: one row per job, then ASHA / Random ratios."""
import json
import re
import sys
from pathlib import Path

out, target = Path(sys.argv[1]), float(sys.argv[2])
walls = {}
for line in (out / "wall.txt").read_text().splitlines():
    name, start, end = line.split()
    walls[name] = float(end) - float(start)
rows = {}
for name, wall in walls.items():
    summary = json.loads((out / name / "summary.json").read_text())
    metric = summary["HyperParameterTuningJobConfig"]["HyperParameterTuningJobObjective"]["MetricName"]
    best, reached = float("-inf"), None
    for line in (out / name / "journal").read_text().splitlines():
        event = json.loads(line)
        if event["event"] == "report" and metric in event["metrics"]:
            best = max(best, event["metrics"][metric])
            if reached is None and best >= target:
                reached = event["t"]
    cpu = re.search(r"\(([\d.]+)%\)", (out / f"{name}.log").read_text())
    rows[name] = dict(
        wall_s=float(wall),
        trials=summary["Rung"]["TrainingJobs"],
        epochs=summary["Rung"]["EpochsTrained"],
        full_budget_epochs=summary["Rung"]["FullBudgetEpochs"],
        best=summary["BestTrainingJob"]["FinalHyperParameterTuningJobObjectiveMetric"]["Value"],
        time_to_target_s=reached,
        rank0_cpu_percent=float(cpu.group(1)) if cpu else None,
    )

print(f"{'job':<20}{'wall s':>8}{'trials':>8}{'epochs':>8}{'full':>6}{'best':>8}"
      f"{'t>=' + str(target):>10}{'rank0 cpu%':>12}")
for name, r in rows.items():
    ttt = f"{r['time_to_target_s']:.1f}" if r["time_to_target_s"] is not None else "never"
    print(f"{name:<20}{r['wall_s']:>8.1f}{r['trials']:>8}{r['epochs']:>8}{r['full_budget_epochs']:>6}"
          f"{r['best']:>8.4f}{ttt:>10}{r['rank0_cpu_percent']:>12.2f}")
a, b = rows.get("quickstart"), rows.get("quickstart_random")
if a and b:
    print(f"\nASHA / Random: wall {a['wall_s'] / b['wall_s']:.2f}x, "
          f"epochs {a['epochs'] / b['epochs']:.2f}x, best {a['best'] - b['best']:+.4f}")
    if a["time_to_target_s"] and b["time_to_target_s"]:
        print(f"time to {target}: Random / ASHA = "
              f"{b['time_to_target_s'] / a['time_to_target_s']:.2f}x")
print(f"\n(raw outputs in {out})")
