#!/usr/bin/env bash
# Simulated scaling study on LCBench (bench/scaling/README.md): rung simulate for workers
# 1, 2, 4, ..., 1024 and strategies Hyperband, ASHA, Random, Bayesian on two tasks, plus one
# run at 10,000 workers; then analyze.py writes the tables and plots.
#
#   bench/scaling/run_simulated.sh [BUILD_DIR]        (from the repository root)
#
# Environment: OUT (default out/scaling), SEEDS (default 5; 3 at 512 and 1024 workers),
# JOBS (parallel simulations, default 2), TASKS (default "189905 167200"), KEEP_RAW=1 to keep
# each run's journal, timeline.csv and results.h5 (a Random run at 1,024 workers writes
# ~0.5 GB); by default each run is reduced to metrics.json right after it ends.
set -euo pipefail

BUILD=${1:-build}
OUT=${OUT:-out/scaling}
SEEDS=${SEEDS:-5}
JOBS=${JOBS:-2}
TASKS=${TASKS:-"189905 167200"}
HERE=$(cd "$(dirname "$0")" && pwd)
RUNG="$BUILD/rung"
[[ -x "$RUNG" ]] || { echo "no $RUNG: build the rung target first" >&2; exit 1; }

mkdir -p "$OUT/jobs"
plan="$OUT/plan.txt"
: >"$plan"

# One line per simulation: task strategy workers trials seeds.
add() { echo "$1 $2 $3 $4 $5" >>"$plan"; }
for task in $TASKS; do
  for w in 1 2 4 8 16 32 64 128 256 512 1024; do
    trials=$((20 * w > 300 ? 20 * w : 300))
    seeds=$SEEDS
    ((w >= 512 && seeds > 3)) && seeds=3
    for s in hyperband asha; do add "$task" "$s" "$w" "$trials" "$seeds"; done
    # Random trains every trial for all 52 epochs: 2 trials per worker (about the epochs per
    # worker that 20 ASHA trials cost) keep it from running for hours of simulated time.
    add "$task" random "$w" $((2 * w > 300 ? 2 * w : 300)) "$seeds"
    # The GP's suggest grows as n^2 and its refits as n^3 (bench/bayes_latency): Bayesian is
    # capped at 300 trials and run up to 64 workers only.
    ((w <= 64)) && add "$task" bayesian "$w" 300 "$seeds"
  done
done
# 10,000 workers, one seed, task 189905: 10 trials per worker for the early-stopping
# strategies, 2 per worker for full-budget Random (1,040,000 trial-epochs).
add 189905 hyperband 10000 100000 1
add 189905 asha 10000 100000 1
add 189905 random 10000 20000 1

run_one() {
  local task=$1 strategy=$2 w=$3 trials=$4 seeds=$5
  local job="$OUT/jobs/$strategy-$trials.yaml"
  local dir="$OUT/$task/$strategy/w$w"
  if [[ ! -f "$job" ]]; then
    sed -e "s/MaxNumberOfTrainingJobs: .*/MaxNumberOfTrainingJobs: $trials/" \
        -e "s/MaxParallelTrainingJobs: .*/MaxParallelTrainingJobs: $trials/" \
        "$HERE/jobs/$strategy.yaml" >"$job.tmp.$$" && mv "$job.tmp.$$" "$job"
  fi
  local start=$SECONDS
  # Seeds start at the job's RandomSeed (1); --seeds writes DIR/seed-<seed>/.
  "$RUNG" simulate "$job" --workers "$w" --curves "lcbench:$task" --seeds "$seeds" \
    --out "$dir" --charge-decision-time >"$dir.log" 2>&1 \
    || { echo "FAILED: $task $strategy $w (see $dir.log)" >&2; return 1; }
  local d runs=("$dir"/seed-*)
  [[ -e "${runs[0]}" ]] || runs=("$dir")  # one seed: no seed-<seed>/ level
  for d in "${runs[@]}"; do
    /usr/bin/python3 "$HERE/analyze.py" --one "$d" --workers "$w" --target "$(target_of "$task")"
    [[ "${KEEP_RAW:-0}" == 1 ]] || rm -f "$d/journal" "$d/timeline.csv" "$d/results.h5"
  done
  echo "$task $strategy w=$w trials=$trials seeds=$seeds: $((SECONDS - start)) s"
}
# The task's target: the 95th percentile of the table's final val_accuracy.
"$BUILD/bench/bench_scaling_targets" "${RUNG_LCBENCH_CURVES:-../shared/data/lcbench/curves.h5}" \
  $TASKS 189905 >"$OUT/targets.csv"
target_of() { awk -F, -v t="$1" '$1 == t { print $5; exit }' "$OUT/targets.csv"; }
export -f run_one target_of
export RUNG OUT HERE

for task in $TASKS 189905; do
  for s in hyperband asha random bayesian; do mkdir -p "$OUT/$task/$s"; done
done
start=$SECONDS
# Largest runs first, so the two slots stay busy to the end.
sort -k3,3nr -k4,4nr "$plan" | xargs -P "$JOBS" -L 1 bash -c 'run_one "$@"' _
echo "simulations: $((SECONDS - start)) s wall"

/usr/bin/python3 "$HERE/analyze.py" --out "$OUT" --tasks $TASKS \
  --readme "$HERE/README.md" --plots "$HERE"
