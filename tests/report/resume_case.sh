#!/usr/bin/env bash
# resume_case.sh RUNG JOB OUT CHECKER: a real MLP run suspended by SIGUSR1 (as Slurm sends
# before the walltime) after its sixth report, reported while suspended, resumed with the same
# command, and reported again: both pages well-formed with every chart drawn; the first says
# the run is suspended, the second counts the interruption.
set -uo pipefail
rung=$1 job=$2 out=$3 checker=$4
fail() { echo "FAIL: $*"; exit 1; }
rm -rf "$out"; mkdir -p "$(dirname "$out")"
"$rung" run "$job" --out "$out" > "$out.log" 2>&1 &
pid=$!
reports() { local n; n=$(grep -c '"event":"report"' "$out/journal" 2> /dev/null); echo "${n:-0}"; }
while kill -0 $pid 2> /dev/null && [ "$(reports)" -lt 6 ]; do sleep 0.1; done
kill -USR1 $pid 2> /dev/null
wait $pid; rc=$?
[ $rc -eq 3 ] || { tail "$out.log"; fail "the suspended run exited $rc, not 3"; }
"$rung" report "$out" --html "$out.suspended.html" || fail "report of the suspended run"
"$checker" "$out.suspended.html" || fail "the suspended run's page"
grep -q 'suspended (resume it' "$out.suspended.html" || fail "the page does not say the run is suspended"
"$rung" run "$job" --out "$out" --resume > "$out.resume.log" 2>&1 || { tail "$out.resume.log"; fail "resume"; }
"$rung" report "$out" || fail "report of the resumed run"
"$checker" "$out/report.html" || fail "the resumed run's page"
grep -q '<th>interruptions</th><td>suspended 1 time(s), resumed 1 time(s)' "$out/report.html" ||
  fail "the page does not count the interruption"
grep -q 'class="mark segment"' "$out/report.html" || fail "no segment line in the worker timeline"
echo "resume report ok"
