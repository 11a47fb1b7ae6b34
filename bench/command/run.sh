#!/usr/bin/env bash
# bench/command/run.sh [BUILD_DIR] [OUT_DIR]
# The command trainer's overhead against the built-in MLP trainer doing the same work, in one
# invocation (the machine is shared and noisy: ratios, not absolute times, are the result):
#   1. builtin:    rung run, model mlp, 3 trials x 9 epochs, 1 worker (LibTorch in-process);
#   2. command:    rung run, model command, the same network in PyTorch (mlp_program.py);
#   3. standalone: mlp_program.py alone, 9 epochs, no rung (the program's own speed);
#   4. hyperband:  a command job with promotions (several program starts per trial).
# Per-epoch times come from the journal (train_s + eval_s of each report).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=$(realpath "${1:-build}")
out=${2:-/tmp/rung-bench-command}
python=/usr/bin/python3
rm -rf "$out" && mkdir -p "$out"
cd "$here/../.."

job() {  # job NAME MODEL STRATEGY TRIALS
  local name=$1 model=$2 strategy=$3 trials=$4 extra=""
  if [ "$model" = command ]; then
    extra="  command: [$python, bench/command/mlp_program.py]
  metric_definitions:
    - {Name: validation:accuracy, Regex: \"val_accuracy=([0-9.]+)\"}
    - {Name: validation:loss, Regex: \"val_loss=([0-9.]+)\"}
    - {Name: epoch, Regex: \"epoch=([0-9]+)\"}"
  else
    extra="  dataset: {kind: synthetic, samples: 5000, seed: 7}"
  fi
  local strategy_config=""
  [ "$strategy" = Hyperband ] && strategy_config="  StrategyConfig: {HyperbandStrategyConfig: {MinResource: 1, MaxResource: 9}}"
  cat > "$out/$name.yaml" <<YAML
HyperParameterTuningJobName: bench-$name
HyperParameterTuningJobConfig:
  Strategy: $strategy
$strategy_config
  ResourceLimits: {MaxNumberOfTrainingJobs: $trials, MaxParallelTrainingJobs: 1}
  HyperParameterTuningJobObjective: {Type: Maximize, MetricName: validation:accuracy}
  ParameterRanges:
    ContinuousParameterRanges:
      - {Name: learning_rate, MinValue: "0.005", MaxValue: "0.02", ScalingType: Logarithmic}
  RandomSeed: 3
  TrainingJobEarlyStoppingType: "Off"
rung:
  model: $model
$extra
  static_hyperparameters: {units: 64, batch_size: 32, l2: 0.00001, epochs: 9}
  threads_per_worker: 1
YAML
}

job builtin mlp Random 3
job command command Random 3
job hyperband command Hyperband 12

for name in builtin command hyperband; do
  /usr/bin/time -f "%e" -o "$out/$name.wall" "$build/rung" run "$out/$name.yaml" --out "$out/$name" \
    --workers 1 > "$out/$name.log" 2>&1
done
OMP_NUM_THREADS=1 /usr/bin/time -f "%e" -o "$out/standalone.wall" \
  "$python" bench/command/mlp_program.py --epochs 9 > "$out/standalone.log"

"$python" - "$out" <<'PY'
import json, statistics, sys
out = sys.argv[1]
def reports(name):
    rows = []
    for line in open(f"{out}/{name}/journal"):
        e = json.loads(line)
        if e.get("event") == "report":
            rows.append((e["trial"], e["epoch"], e["train_s"] + e["eval_s"]))
    return rows
def wall(name):
    return float(open(f"{out}/{name}.wall").read().split()[-1])
b, c, h = reports("builtin"), reports("command"), reports("hyperband")
b_epoch = statistics.median(s for _, e, s in b if e > 1)
c_epoch = statistics.median(s for _, e, s in c if e > 1)
c_first = statistics.median(s for _, e, s in c if e == 1)
alone = [float(l.split("seconds=")[1]) for l in open(f"{out}/standalone.log")]
alone_epoch = statistics.median(alone[1:])
starts = sum(1 for l in open(f"{out}/hyperband/journal") if '"event":"start"' in l or '"event":"promote"' in l)
print(f"{'':38} {'builtin mlp':>12} {'command':>12} {'standalone':>12}")
print(f"{'median seconds per epoch (epochs 2-9)':38} {b_epoch:12.4f} {c_epoch:12.4f} {alone_epoch:12.4f}")
print(f"{'job wall seconds (3 trials x 9 epochs)':38} {wall('builtin'):12.2f} {wall('command'):12.2f} {wall('standalone'):12.2f}")
print(f"command / builtin, per epoch: {c_epoch / b_epoch:.2f}x;  command under rung / standalone, per epoch: {c_epoch / alone_epoch:.2f}x")
print(f"cost per trial start (first epoch minus a median epoch): {c_first - c_epoch:.2f} s")
print(f"hyperband command job: {len(h)} epochs, {starts} program starts, {wall('hyperband'):.1f} s wall, "
      f"{wall('hyperband') / starts:.2f} s per start")
PY
