#!/usr/bin/env bash
# worker_lost_case.sh MPIEXEC "FLAGS" NP RUNG JOB OUT
# A worker rank that stops answering without MPI noticing (SIGSTOP, as a hung node): runs JOB
# under mpirun and stops worker rank NP-1 once it has reported an epoch.
# NP > 2: the coordinator gives the rank up after rung.worker_timeout_s, fails its trial
# (why "worker lost") and finishes the job with the others: exit 4, complete outputs.
# NP = 2: no worker is left, so the run suspends ("workers lost", exit 3); running the same
# command again resumes it and finishes (exit 0).
set -uo pipefail
mpiexec=$1 flags=$2 np=$3 rung=$4 job=$5 out=$6
victim=$(( np - 1 ))
rm -rf "$out" "$out".*.log
mkdir -p "$(dirname "$out")"
fail() { echo "FAIL: $*"; for f in "$out".*.log; do echo "--- $f"; tail -40 "$f"; done; exit 1; }

# The pid of rung's rank `victim` of the run writing to $out (its environment names the rank).
rank_pid() {
  local p
  for p in $(pgrep -f -- "--out $out\$"); do
    if tr '\0' '\n' < "/proc/$p/environ" 2> /dev/null | grep -qx "OMPI_COMM_WORLD_RANK=$victim"; then
      echo "$p"
      return
    fi
  done
}
stopped=""
cleanup() { [[ -n $stopped ]] && kill -CONT "$stopped" 2> /dev/null && kill -KILL "$stopped" 2> /dev/null; }
trap cleanup EXIT

# shellcheck disable=SC2086
"$mpiexec" $flags -np "$np" "$rung" run "$job" --out "$out" > "$out.1.log" 2>&1 &
pid=$!
for _ in $(seq 1 1200); do
  grep -q "\"event\":\"report\",[^}]*\"worker\":$victim," "$out/journal" 2> /dev/null && break
  sleep 0.05
done
stopped=$(rank_pid)
[[ -n $stopped ]] || fail "rank $victim never reported an epoch"
kill -STOP "$stopped"
stopped_at=$(date +%s)
for _ in $(seq 1 1800); do kill -0 "$pid" 2> /dev/null || break; sleep 0.1; done
kill -0 "$pid" 2> /dev/null && { kill -KILL "$pid"; fail "the run hangs with rank $victim stopped"; }
wait "$pid"
rc=$?
echo "run ended $(( $(date +%s) - stopped_at )) s after rank $victim was stopped, exit $rc"
# Open MPI's SIGTERM cannot reach a stopped process (a hung one under Slurm is the step's to
# end): the rank itself is this test's to clean up.
kill -0 "$stopped" 2> /dev/null && echo "rank $victim, stopped, outlived mpirun (ended by the test)"
cleanup
stopped=""

lost=$(grep -c '"event":"release",[^}]*"outcome":"failed"[^}]*"why":"worker lost"' "$out/journal")
(( lost == 1 )) || fail "expected 1 trial failed for a lost worker in the journal, found $lost"
grep -q "sent nothing for" "$out/journal" || fail "the failure does not say why"
grep -q " lost       worker $victim sent nothing" "$out.1.log" || fail "the console does not name the lost worker"
# Nothing started on the lost worker after it was given up.
after=$(awk -v w="$victim" '/"why":"worker lost"/ {seen=1; next}
  seen && /"event":"(start|promote|restart)"/ && $0 ~ "\"worker\":" w "," {n++} END {print n+0}' "$out/journal")
(( after == 0 )) || fail "$after assignment(s) went to worker $victim after it was given up"

if (( np > 2 )); then
  (( rc == 4 )) || fail "expected exit 4 (finished, workers lost), got $rc"
  grep -q '"event":"job_end"' "$out/journal" || fail "the job did not end"
  [[ -s $out/results.h5 && -s $out/trials.csv && -s $out/summary.json ]] || fail "outputs missing"
  running=$(grep -c ',InProgress,' "$out/trials.csv")
  (( running == 0 )) || fail "$running trial(s) still InProgress in trials.csv"
else
  (( rc == 3 )) || fail "expected exit 3 (suspended, every worker lost), got $rc"
  grep -q '"event":"suspend","signal":"workers lost"' "$out/journal" || fail "no workers-lost suspension journaled"
  # shellcheck disable=SC2086
  "$mpiexec" $flags -np "$np" "$rung" run "$job" --out "$out" > "$out.2.log" 2>&1
  rc=$?
  (( rc == 0 )) || fail "the resume exited $rc"
  grep -q '"event":"job_end"' "$out/journal" || fail "the resumed job did not end"
fi
ls "$out"/checkpoints/*.tmp* 2> /dev/null && fail "temporary checkpoint files left behind"
echo "PASS"
