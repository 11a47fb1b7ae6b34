#!/usr/bin/env bash
# results_curves_case.sh RUNG JOB OUT
# A real in-process run (instant trainer, Random, every trial to full budget), then
# `rung simulate --curves results:OUT/run/results.h5` of the same job and seed. Every
# proposal is then a table row itself, so the simulated study must find the same best trial
# with the same objective, and its epochs must come from the table (train_s + eval_s).
set -euo pipefail
rung=$1 job=$2 out=$3
rm -rf "$out"
mkdir -p "$out"
"$rung" run "$job" --out "$out/run" --workers 2 > "$out/run.log" 2>&1 ||
  { echo "rung run failed:"; cat "$out/run.log"; exit 1; }
"$rung" simulate "$job" --workers 3 --curves "results:$out/run/results.h5" --out "$out/sim" \
  > "$out/sim.log" 2>&1 || { echo "rung simulate failed:"; cat "$out/sim.log"; exit 1; }
grep -q "results:$out/run/results.h5" "$out/sim.log" ||
  { echo "simulate does not name the results source:"; cat "$out/sim.log"; exit 1; }
best() {  # the best trial's name and objective from summary.json
  tr -d ' \n' < "$1/summary.json" |
    sed -n 's/.*"BestTrainingJob":{"TrainingJobName":"\([^"]*\)".*"FinalHyperParameterTuningJobObjectiveMetric":{[^}]*"Value":\([^,}]*\).*/\1 \2/p'
}
real=$(best "$out/run") simulated=$(best "$out/sim")
echo "run: $real; simulated from its results.h5: $simulated"
[ -n "$real" ] && [ "$real" = "$simulated" ] || { echo "best trials differ"; exit 1; }
# A job whose ranges are not in the results file is refused with exit code 2.
sed 's/Name: units/Name: width/' "$job" > "$out/other.yaml"
set +e
"$rung" simulate "$out/other.yaml" --workers 2 --curves "results:$out/run/results.h5" \
  --out "$out/sim-bad" > "$out/bad.log" 2>&1
rc=$?
set -e
[ "$rc" -eq 2 ] || { echo "expected exit 2, got $rc"; cat "$out/bad.log"; exit 1; }
grep -q "no hyperparameter width" "$out/bad.log" || { cat "$out/bad.log"; exit 1; }
echo ok
