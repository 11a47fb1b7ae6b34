#!/usr/bin/env bash
# xgboost_case.sh RUNG OUT   (run from the project's root)
# SageMaker's XGBoost tuning example as a request file: it validates as a plain SageMaker
# CreateHyperParameterTuningJob request once rung's section is taken out, and with it runs
# end to end, promoted trials continuing from their saved boosters.
set -uo pipefail
rung=$1 out=$2
fail() { echo "FAIL: $*"; exit 1; }
rm -rf "$out"
mkdir -p "$(dirname "$out")"
/usr/bin/python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); d.pop("rung"); json.dump(d, open(sys.argv[2], "w"), indent=1)' \
  jobs/xgboost_sagemaker.json "$out.plain.json" || fail "cannot strip the rung section"
"$rung" validate "$out.plain.json" > "$out.plain.log" 2>&1
rc=$?
cat "$out.plain.log" | tail -n 3
# Exit 0: a valid tuning config that names no program to run (rung says so, and how).
[ $rc -eq 0 ] || fail "the plain SageMaker request did not validate (exit $rc)"
"$rung" validate jobs/xgboost_sagemaker.json > /dev/null || fail "the job file did not validate"
"$rung" run jobs/xgboost_sagemaker.json --out "$out" > "$out.log" 2>&1 || { cat "$out.log"; fail "run failed"; }
tail -n 8 "$out.log"
grep -q '"MetricName":"validation:auc"' "$out/summary.json" || fail "no validation:auc objective"
grep -q '"FailedTrainingJobs"' "$out/summary.json" && fail "some trials failed"
grep -l 'resumed from epoch' "$out"/trials/*/output.log > /dev/null || fail "no trial resumed from its booster"
echo ok
