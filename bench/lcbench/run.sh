#!/usr/bin/env bash
# rung's searchers on YAHPO Gym's LCBench surrogate (bench/lcbench/README.md): every strategy
# (Random, Random + median stopping, Bayesian, Hyperband and single-bracket ASHA with the
# random, mobster and hypertune searchers) raced by `rung simulate --charge-decision-time` in
# two settings, then analyze.py writes the tables and plots.
#
#   bench/lcbench/run.sh [BUILD_DIR]        (from the repository root; BUILD_DIR default build)
#
# Environment:
#   SEEDS       seeds per (setting, task, strategy), default 20 (seeds 1..SEEDS)
#   SETTINGS    default "syne4 curves32":
#                 syne4    Syne Tune's LCBench protocol: 4 workers, 7,200 simulated s, tasks
#                          189908 (Fashion-MNIST) 189354 (airlines) 189866 (albert)
#                          7593 (covertype) 168908 (christine)
#                 curves32 the 6 tasks tabulated in curves.h5, 32 workers, 1,200 simulated s:
#                          189905 167184 167200 7593 167185 189354
#   TASKS       overrides both settings' task lists
#   STRATEGIES  default: all 9 job templates in bench/lcbench/jobs/
#   JOBS        parallel simulations, default 2
#   OUT         default out/lcbench
#   KEEP_RAW=1  keep each run's journal, timeline.csv and results.h5 (by default a run is
#               reduced to OUT/.../run.json, its best-so-far trajectory, as soon as it ends)
# A run whose run.json exists is not run again: rerun with more SEEDS to add seeds.
set -euo pipefail

BUILD=${1:-build}
SEEDS=${SEEDS:-20}
SETTINGS=${SETTINGS:-"syne4 curves32"}
JOBS=${JOBS:-2}
OUT=${OUT:-out/lcbench}
HERE=$(cd "$(dirname "$0")" && pwd)
STRATEGIES=${STRATEGIES:-"hb-mobster hb-hypertune asha-mobster asha-hypertune bayesian hb-random asha-random random-median random"}
RUNG="$BUILD/rung"
[[ -x "$RUNG" ]] || { echo "no $RUNG: build the rung target first" >&2; exit 1; }
# The simulator's MaxNumberOfTrainingJobs: the budget (MaxRuntimeInSeconds, on the simulated
# clock) always ends a run first.
TRIALS_CAP=1000000

workers_of() { case $1 in syne4) echo 4 ;; curves32) echo 32 ;; *) return 1 ;; esac; }
budget_of() { case $1 in syne4) echo 7200 ;; curves32) echo 1200 ;; *) return 1 ;; esac; }
tasks_of() {
  if [[ -n "${TASKS:-}" ]]; then echo "$TASKS"; return; fi
  case $1 in
    syne4) echo "189908 189354 189866 7593 168908" ;;
    curves32) echo "189905 167184 167200 7593 167185 189354" ;;
  esac
}
for setting in $SETTINGS; do
  workers_of "$setting" >/dev/null || { echo "unknown setting $setting" >&2; exit 2; }
done

mkdir -p "$OUT/jobs" "$OUT/targets" "$HERE/results"
fill() {  # template workers budget trials seed -> job file on stdout
  sed -e "s/@WORKERS@/$2/" -e "s/@BUDGET@/$3/" -e "s/@TRIALS@/$4/" \
      -e "s/RandomSeed: .*/RandomSeed: $5/" "$HERE/jobs/$1.yaml"
}

# 1. Targets: per task, the 99th percentile of the final (epoch 52) validation accuracy of
# 2,000 random configurations (Random, 52 epochs each, seed 20250601, one worker per trial).
all_tasks=$(for s in $SETTINGS; do tasks_of "$s"; done | tr ' ' '\n' | sort -un)
fill random 2000 "" 2000 20250601 | sed '/MaxRuntimeInSeconds/d' >"$OUT/jobs/targets.yaml"
for task in $all_tasks; do
  d="$OUT/targets/$task"
  [[ -f "$d/final.csv" ]] && continue
  rm -rf "$d"
  nice -n 5 "$RUNG" simulate "$OUT/jobs/targets.yaml" --workers 2000 --curves "lcbench:$task" \
    --out "$d" >"$d.log" 2>&1 || { echo "FAILED: targets $task (see $d.log)" >&2; exit 1; }
  # name,status,...,objective: the final epoch's validation accuracy of each trial.
  /usr/bin/python3 -c '
import csv, sys
rows = [r for r in csv.DictReader(open(sys.argv[1])) if r["status"] == "Completed"]
assert len(rows) == 2000 and all(int(r["epochs"]) == 52 for r in rows), len(rows)
print("final_val_accuracy")
for r in rows: print(r["objective"])' "$d/trials.csv" >"$d/final.csv.tmp"
  mv "$d/final.csv.tmp" "$d/final.csv"
  rm -f "$d/journal" "$d/timeline.csv" "$d/results.h5"
done
/usr/bin/python3 "$HERE/analyze.py" --targets "$OUT" $all_tasks >"$OUT/targets.csv"
cp "$OUT/targets.csv" "$HERE/results/targets.csv"

# 2. The races: one simulation per (setting, task, strategy, seed), model-based ones first so
# that the slots stay busy to the end.
plan="$OUT/plan.txt"
: >"$plan"
for strategy in $STRATEGIES; do
  [[ -f "$HERE/jobs/$strategy.yaml" ]] || { echo "no job template $strategy" >&2; exit 2; }
  for setting in $SETTINGS; do
    for task in $(tasks_of "$setting"); do
      for seed in $(seq 1 "$SEEDS"); do
        [[ -f "$OUT/$setting/$task/$strategy/seed-$seed/run.json" ]] && continue
        echo "$setting $task $strategy $seed" >>"$plan"
      done
    done
  done
done

run_one() {
  local setting=$1 task=$2 strategy=$3 seed=$4
  local w b dir job
  w=$(workers_of "$setting")
  b=$(budget_of "$setting")
  dir="$OUT/$setting/$task/$strategy/seed-$seed"
  job="$OUT/jobs/$setting-$strategy-$seed.yaml"
  fill "$strategy" "$w" "$b" "$TRIALS_CAP" "$seed" >"$job"
  rm -rf "$dir"
  mkdir -p "$(dirname "$dir")"
  local start=$SECONDS
  nice -n 5 "$RUNG" simulate "$job" --workers "$w" --curves "lcbench:$task" \
    --charge-decision-time --out "$dir" >"$dir.log" 2>&1 \
    || { echo "FAILED: $setting $task $strategy $seed (see $dir.log)" >&2; return 1; }
  /usr/bin/python3 "$HERE/analyze.py" --one "$dir" --budget "$b" --wall $((SECONDS - start))
  [[ "${KEEP_RAW:-0}" == 1 ]] || rm -f "$dir/journal" "$dir/timeline.csv" "$dir/results.h5"
  echo "$setting $task $strategy seed $seed: $((SECONDS - start)) s"
}
export -f run_one fill workers_of budget_of
export RUNG OUT HERE TRIALS_CAP

start=$SECONDS
xargs -r -P "$JOBS" -L 1 bash -c 'run_one "$@"' _ <"$plan"
echo "simulations: $((SECONDS - start)) s wall ($(wc -l <"$plan") runs)"

# 3. Tables and plots.
for setting in $SETTINGS; do
  /usr/bin/python3 "$HERE/analyze.py" --out "$OUT" --setting "$setting" \
    --budget "$(budget_of "$setting")" --workers "$(workers_of "$setting")" \
    --tasks $(tasks_of "$setting") --strategies $STRATEGIES --results "$HERE/results" \
    --readme "$HERE/README.md"
done
