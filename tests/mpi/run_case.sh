#!/usr/bin/env bash
# run_case.sh MPIEXEC "FLAGS" NP RUNG JOB OUT CHECKER
# Runs one tuning job under mpirun and checks its output directory.
set -euo pipefail
mpiexec=$1 flags=$2 np=$3 rung=$4 job=$5 out=$6 checker=$7
rm -rf "$out"
mkdir -p "$(dirname "$out")"
# NP 0: no launcher at all (workers run as threads of the single rung process).
launcher=()
# shellcheck disable=SC2206
[ "$np" -gt 0 ] && launcher=("$mpiexec" $flags -np "$np")
if ! "${launcher[@]}" "$rung" run "$job" --out "$out" > "$out.log" 2>&1; then
  echo "rung run failed:"; cat "$out.log"; exit 1
fi
tail -n 20 "$out.log"
RUNG_CHECK_OUT="$out" RUNG_CHECK_JOB="$job" RUNG_CHECK_NP="$np" RUNG_CHECK_LOG="$out.log" "$checker"
