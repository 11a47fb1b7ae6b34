#!/usr/bin/env bash
# bench/coordinator/run.sh [BUILD_DIR] — how many reports rank 0 handles per second.
#
# Real `mpirun --oversubscribe -np N rung run` with the instant trainer (rung.model:
# analytic: every epoch is a curve lookup, no computation, no sleep), N in $NPS, for
# Hyperband (pauses write HDF5 checkpoints) and Random (FIFO, no checkpoints), each with the
# durable (one fdatasync per batch of events, the default) and the buffered journal; then the same jobs
# in-process (`rung run --workers N-1`, workers are threads). Every job is capped by
# MaxRuntimeInSeconds ($SECONDS_PER_RUN), so each run takes about that long.
# Prints one table row per run; raw logs and outputs stay in $OUT (default /tmp/rung-bench-coordinator).
set -euo pipefail
build=${1:-build}
rung=$(cd "$build" && pwd)/rung
out=${OUT:-/tmp/rung-bench-coordinator}
nps=${NPS:-2 4 8 16 32 64}
seconds=${SECONDS_PER_RUN:-6}
strategies=${STRATEGIES:-Hyperband Random}
journals=${JOURNALS:-durable buffered}
flags=(--oversubscribe)
[ "$(id -u)" = 0 ] && flags+=(--allow-run-as-root)
rm -rf "$out"
mkdir -p "$out"

job() {  # job STRATEGY WORKERS JOURNAL
  local strategy=$1 workers=$2 journal=$3
  cat <<YAML
HyperParameterTuningJobName: bench-$strategy-$workers-$journal
HyperParameterTuningJobConfig:
  Strategy: $strategy
YAML
  if [ "$strategy" = Hyperband ]; then
    echo "  StrategyConfig: {HyperbandStrategyConfig: {MinResource: 1, MaxResource: 27}}"
  else
    echo "  TrainingJobEarlyStoppingType: \"Off\""
  fi
  cat <<YAML
  ResourceLimits: {MaxNumberOfTrainingJobs: 500000, MaxParallelTrainingJobs: $workers, MaxRuntimeInSeconds: $seconds}
  HyperParameterTuningJobObjective: {Type: Maximize, MetricName: "validation:accuracy"}
  ParameterRanges:
    IntegerParameterRanges:
      - {Name: units, MinValue: "8", MaxValue: "512", ScalingType: Logarithmic}
    ContinuousParameterRanges:
      - {Name: learning_rate, MinValue: "0.0001", MaxValue: "0.1", ScalingType: Logarithmic}
  RandomSeed: 1
rung:
  model: analytic
  journal: $journal
  static_hyperparameters: {epochs: 27}
YAML
  [ "$strategy" = Hyperband ] && echo "  asha: {reduction_factor: 3, type: promotion}"
  return 0
}

# summary.json + log -> one row: reports/s, messages/s, p50, p99, bytes/report, rank 0 CPU
row() {  # row MODE N STRATEGY JOURNAL DIR LOG
  python3 - "$@" <<'PY'
import json, re, sys
mode, n, strategy, journal, d, log = sys.argv[1:]
r = json.load(open(d + "/summary.json"))["Rung"]
loop = r.get("EventLoopSeconds") or 1e-9
reports = r["EpochsTrained"]
text = open(log).read()
b = r.get("BytesSent", 0) + r.get("BytesReceived", 0)
bpr = f"{b / reports:.0f}" if "BytesSent" in r and reports else "-"
m = re.search(r"cpu: rank 0 used ([\d.]+) s of ([\d.]+) s over \d+ ranks \(([\d.]+)%\)", text)
cpu = f"{m.group(3)}% ({float(m.group(1)) / loop * 100:.0f}% of a core)" if m else "-"
print(f"| {mode:10} | {n:>3} | {strategy:9} | {journal:8} | {reports / loop:9.0f} | "
      f"{r['MessagesPerSecond']:9.0f} | {r['DecisionLatencyP50Microseconds']:7.1f} | "
      f"{r['DecisionLatencyP99Microseconds']:8.1f} | {bpr:>6} | {cpu} |")
PY
}

echo "| transport  |   N | strategy  | journal  | reports/s | msgs/s    | p50 us  | p99 us   | B/rep  | rank 0 CPU |"
echo "| ---        | --- | ---       | ---      | ---       | ---       | ---     | ---      | ---    | ---        |"
for strategy in $strategies; do
  for journal in $journals; do
    for np in $nps; do
      workers=$((np - 1))
      name="$strategy-$journal-np$np"
      job "$strategy" "$workers" "$journal" > "$out/$name.yaml"
      mpirun "${flags[@]}" -np "$np" "$rung" run "$out/$name.yaml" --out "$out/mpi-$name" \
        > "$out/mpi-$name.log" 2>&1 || { echo "failed: see $out/mpi-$name.log" >&2; exit 1; }
      row mpi "$np" "$strategy" "$journal" "$out/mpi-$name" "$out/mpi-$name.log"
      "$rung" run "$out/$name.yaml" --out "$out/inproc-$name" --workers "$workers" \
        > "$out/inproc-$name.log" 2>&1 || { echo "failed: see $out/inproc-$name.log" >&2; exit 1; }
      row in-process "$np" "$strategy" "$journal" "$out/inproc-$name" "$out/inproc-$name.log"
    done
  done
done
