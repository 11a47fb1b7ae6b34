#!/usr/bin/env bash
# bad_input_case.sh MPIEXEC "FLAGS" NP RUNG JOB OUT EXPECTED_TEXT [PRE_EXISTING_RUN]
# A bad job under mpirun: every rank exits with code 2, the message is printed once (by
# rank 0), and a bad job file leaves no output directory behind.
set -uo pipefail
mpiexec=$1 flags=$2 np=$3 rung=$4 job=$5 out=$6 expected=$7 existing=${8:-}
rm -rf "$out"
mkdir -p "$(dirname "$out")"
if [ -n "$existing" ]; then mkdir -p "$out" && echo '{}' > "$out/journal"; fi
# shellcheck disable=SC2086
"$mpiexec" $flags -np "$np" "$rung" run "$job" --out "$out" > "$out.log" 2>&1
rc=$?
cat "$out.log"
[ "$rc" -eq 2 ] || { echo "FAIL: exit code $rc, expected 2"; exit 1; }
count=$(grep -c -- "$expected" "$out.log")
[ "$count" -eq 1 ] || { echo "FAIL: '$expected' printed $count times, expected once"; exit 1; }
if [ -z "$existing" ] && [ -e "$out" ]; then echo "FAIL: $out was created for a bad job"; exit 1; fi
if [ -n "$existing" ] && [ "$(ls "$out")" != "journal" ]; then echo "FAIL: the earlier run was touched"; exit 1; fi
echo "ok"
