#!/usr/bin/env bash
# report_case.sh MPIEXEC "FLAGS" NP RUNG JOB OUT CHECKER
# Runs a real tuning job (NP 0: no launcher, workers as threads), then `rung report` on its
# output directory, and checks the page: well-formed, every chart drawn, no temporary file
# left, the best trial the same as summary.json's, failed trials listed as trials.csv has them.
set -euo pipefail
mpiexec=$1 flags=$2 np=$3 rung=$4 job=$5 out=$6 checker=$7
rm -rf "$out"
mkdir -p "$(dirname "$out")"
launcher=()
# shellcheck disable=SC2206
[ "$np" -gt 0 ] && launcher=("$mpiexec" $flags -np "$np")
if ! "${launcher[@]}" "$rung" run "$job" --out "$out" > "$out.log" 2>&1; then
  echo "rung run failed:"; cat "$out.log"; exit 1
fi
"$rung" report "$out" | tee "$out.report.log"
page="$out/report.html"
test -s "$page" || { echo "no $page"; exit 1; }
if ls -a "$out" | grep -q 'report\.html\.tmp'; then echo "temporary file left in $out"; exit 1; fi
"$checker" "$page"
best=$(sed -n 's/.*"BestTrainingJob":{"TrainingJobName":"\([^"]*\)".*/\1/p' "$out/summary.json")
test -n "$best" || { echo "summary.json names no best trial"; exit 1; }
grep -q "<th>best trial</th><td>$best</td>" "$page" || { echo "the page's best trial is not $best"; exit 1; }
failed=$(grep -c ',Failed,' "$out/trials.csv" || true)
if [ "$failed" -gt 0 ]; then
  grep -q "Failed trials ($failed)" "$page" || { echo "the page does not list $failed failed trials"; exit 1; }
fi
echo "report ok: best $best, $failed failed"
