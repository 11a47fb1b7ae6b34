#!/usr/bin/env bash
# Experiment 1 (issue 7): the AWS post's experiment 1 with real training, and Optuna on the
# same workers. One command: calibration curves, data export, the race, the oracle, the
# simulated race, then the table and plots.
#
#   usage: bench/exp1/run.sh BUILD_DIR [WORKERS] [SEEDS] [CAP_S] [CURVE_TRIALS] [OUT_DIR]
#     WORKERS       parallel training workers (mpirun -np WORKERS+1; Optuna processes) [2]
#     SEEDS         seeds per method [10]
#     CAP_S         time cap of one race run, s (MaxRuntimeInSeconds; Optuna --max-runtime) [60]
#     CURVE_TRIALS  random configurations of the calibration / curve-recording run [100]
#     OUT_DIR       [bench/exp1/out]; an existing curves/ run there is reused
#   env: SIM_SEEDS (100), ORACLE_SEEDS (9), METHODS (hyperband asha bayesian random
#        hyperband-mobster hyperband-hypertune optuna-tpe optuna-random)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=$(cd "${1:?usage: run.sh BUILD_DIR [WORKERS] [SEEDS] [CAP_S] [CURVE_TRIALS] [OUT_DIR]}" && pwd)
workers=${2:-2}
seeds=${3:-10}
cap=${4:-60}
curve_trials=${5:-100}
out=${6:-$here/out}
sim_seeds=${SIM_SEEDS:-100}
oracle_seeds=${ORACLE_SEEDS:-9}
methods=${METHODS:-hyperband asha bayesian random hyperband-mobster hyperband-hypertune optuna-tpe optuna-random}
py=/usr/bin/python3
rung=$build/rung
export_tool=$build/bench/bench_exp1_export
for f in "$rung" "$export_tool"; do
  [ -x "$f" ] || { echo "run.sh: $f missing: cmake --build $build --target rung bench_exp1_export" >&2; exit 2; }
done
mpi="mpirun --oversubscribe"
[ "$(id -u)" -eq 0 ] && mpi="$mpi --allow-run-as-root"
mkdir -p "$out"
log() { echo "[$(date -u +%T)] $*"; }

# 1. The data set, exported from the same job file rung trains on.
$py "$here/gen_jobs.py" "$out/jobs" "$workers" "$curve_trials" --strategies calibrate
"$export_tool" "$out/jobs/calibrate.yaml" "$out/data.csv"

# 2. Calibration = the recorded learning curves: Random, no early stopping, full epochs.
if [ ! -f "$out/curves/results.h5" ]; then
  log "calibration: $curve_trials random configurations, full epochs, $workers workers"
  rm -rf "$out/curves"
  $mpi -np $((workers + 1)) "$rung" run "$out/jobs/calibrate.yaml" --out "$out/curves" \
    > "$out/curves.log" 2>&1
fi
$py "$here/calibrate.py" "$rung" "$out/curves" --json "$out/calibration.json" > /dev/null
head -20 "$out/calibration.json"

# 3. The race: every method with the same workers, seed by seed (methods interleaved so a
#    change in the machine's load hits all of them alike), each to the target or the cap.
for seed in $(seq 1 "$seeds"); do
  $py "$here/gen_jobs.py" "$out/jobs/seed-$seed" "$workers" 10000 --seed "$seed" \
    --max-runtime "$cap" \
    --strategies hyperband,asha,bayesian,random,hyperband-mobster,hyperband-hypertune
  for m in $methods; do
    dir=$out/race/$m/seed-$seed
    [ -f "$dir/done" ] && continue
    rm -rf "$dir"
    mkdir -p "$(dirname "$dir")"
    start=$(date +%s.%N)
    case $m in
      optuna-tpe|optuna-random)
        timeout $((cap + 120)) $py "$here/optuna_peer.py" "$out/data.csv" "$dir" \
          --sampler "${m#optuna-}" --workers "$workers" --seed "$seed" --max-runtime "$cap" \
          > "$dir.log" 2>&1 || log "$m seed $seed: exit $?" ;;
      *)
        timeout $((cap + 120)) $mpi -np $((workers + 1)) "$rung" run \
          "$out/jobs/seed-$seed/$m.yaml" --out "$dir" > "$dir.log" 2>&1 || log "$m seed $seed: exit $?" ;;
    esac
    end=$(date +%s.%N)
    mkdir -p "$dir"
    echo "$start $end" > "$dir/done"
    log "$m seed $seed: $(grep -c '"report"' "$dir/journal" 2>/dev/null || cat "$dir"/reports-*.jsonl | wc -l) epochs, $(echo "$end - $start" | bc) s launch to exit"
  done
done

# 4. The oracle: the best configuration any method found, trained alone from scratch.
for seed in $(seq 1 "$oracle_seeds"); do
  dir=$out/oracle/seed-$seed
  [ -f "$dir/done" ] && continue
  rm -rf "$dir"
  mkdir -p "$out/oracle"
  $py "$here/oracle.py" "$out" "$out/jobs/oracle-$seed.yaml" --seed "$seed"
  $mpi -np 2 "$rung" run "$out/jobs/oracle-$seed.yaml" --out "$dir" > "$dir.log" 2>&1
  touch "$dir/done"
done
# The same configuration alone in the peer's trainer (PyTorch eager): trainer speed, measured.
dir=$out/oracle-optuna/seed-1
if [ ! -f "$dir/summary.json" ]; then
  rm -rf "$dir"
  mkdir -p "$out/oracle-optuna"
  $py "$here/optuna_peer.py" "$out/data.csv" "$dir" --sampler random --workers 1 --seed 1 \
    --max-trials 1 --enqueue "$($py -c 'import json,sys; print(json.dumps(json.load(open(sys.argv[1]))["hyperparameters"]))' "$out/oracle.json")" \
    > "$dir.log" 2>&1 || log "oracle in the peer: exit $?"
fi

# 5. The simulated race on the recorded curves, SIM_SEEDS seeds per rung strategy.
sim_methods="hyperband asha bayesian random hyperband-promotion asha-promotion hyperband-mobster
             hyperband-hypertune"
$py "$here/gen_jobs.py" "$out/jobs/sim" "$workers" 10000 --seed 1 \
  --strategies "$(echo $sim_methods | tr ' ' ,)"
for m in $sim_methods; do
  case " $methods " in *" ${m%-promotion} "*) ;; *) continue ;; esac
  rm -rf "$out/sim/$m"
  log "simulate $m: $sim_seeds seeds"
  "$rung" simulate "$out/jobs/sim/$m.yaml" --curves "results:$out/curves/results.h5" \
    --seeds "$sim_seeds" --workers "$workers" --out "$out/sim/$m" > "$out/sim-$m.log" 2>&1
done

# 6. Table and plots.
$py "$here/summarize.py" "$out" --cap "$cap"
log "done: $out/table.md, $out/*.png"
