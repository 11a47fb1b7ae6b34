#!/usr/bin/env bash
# used_dir_case.sh MPIEXEC "FLAGS" NP RUNG JOB OTHER_JOB OUT
# An output directory holding a run of another job: `rung run JOB --out OUT` under mpirun is
# refused with exit 2 on every rank, the message (printed once) says what differs, and the
# earlier run is left untouched. `--resume` into a directory with no journal is refused too.
set -uo pipefail
mpiexec=$1 flags=$2 np=$3 rung=$4 job=$5 other=$6 out=$7
fail() { echo "FAIL: $*"; exit 1; }
rm -rf "$out" "$out.empty"
mkdir -p "$(dirname "$out")"
"$rung" run "$other" --out "$out" > "$out.other.log" 2>&1 || { cat "$out.other.log"; fail "the other job failed"; }
before=$(cd "$out" && find . -type f -exec md5sum {} + | sort)

# shellcheck disable=SC2086
"$mpiexec" $flags -np "$np" "$rung" run "$job" --out "$out" > "$out.log" 2>&1
rc=$?
cat "$out.log"
[ "$rc" -eq 2 ] || fail "exit code $rc, expected 2"
count=$(grep -c -- "holds a run of another job" "$out.log")
[ "$count" -eq 1 ] || fail "the refusal was printed $count times, expected once"
grep -q "job name: analytic-buffered in the run, random-fifo in this job" "$out.log" ||
  fail "the message does not say what differs"
after=$(cd "$out" && find . -type f -exec md5sum {} + | sort)
[ "$before" = "$after" ] || fail "the earlier run was touched"

# shellcheck disable=SC2086
"$mpiexec" $flags -np "$np" "$rung" run "$job" --out "$out.empty" --resume > "$out.empty.log" 2>&1
rc=$?
cat "$out.empty.log"
[ "$rc" -eq 2 ] || fail "--resume without a journal: exit code $rc, expected 2"
grep -q "holds no journal" "$out.empty.log" || fail "--resume without a journal: no message"
echo "ok"
