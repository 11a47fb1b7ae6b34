#!/usr/bin/env bash
# kill_resume_case.sh MPIEXEC "FLAGS" NP RUNG JOB OUT KILLS SEED MAX_DELAY_MS COMPARE [EXPECT]
# Crash resume under a real mpirun: runs JOB once uninterrupted (OUT.reference), then runs it
# in OUT and SIGKILLs the whole job (mpirun and every rank: Open MPI gives each rank its own
# process group) KILLS times at seeded random moments, resuming each time with the same
# command, and finally lets it finish. COMPARE then checks that the two runs agree.
# Every 4th kill lands at a random moment of start-up (MPI start, journal check and cut);
# the others at a random moment up to MAX_DELAY_MS after the coordinator got going.
# EXPECT periodic: the job checkpoints periodically (rung.checkpoint_every), so some resume
# must restart an interrupted trial from a checkpoint, never from further back than N epochs
# (N when the kill cut the writing of the next checkpoint short).
set -uo pipefail
mpiexec=$1 flags=$2 np=$3 rung=$4 job=$5 out=$6 kills=$7 seed=$8 max_delay_ms=$9 compare=${10}
expect=${11:-}
ref="$out.reference"
rm -rf "$out" "$ref" "$out".*.log
mkdir -p "$(dirname "$out")"
fail() { echo "FAIL: $*"; exit 1; }
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
sleep_ms() { sleep "$(printf '%d.%03d' $(( $1 / 1000 )) $(( $1 % 1000 )))"; }

# shellcheck disable=SC2086
"$mpiexec" $flags -np "$np" "$rung" run "$job" --out "$ref" > "$ref.log" 2>&1 ||
  { cat "$ref.log"; fail "the uninterrupted run failed"; }

RANDOM=$seed
set -m  # each launch in its own process group
killed=0 finished_early=0 resume_ms_total=0 resumes_timed=0
for i in $(seq 1 "$kills"); do
  log="$out.$i.log"
  groups=""
  start=$(now_ms)
  # shellcheck disable=SC2086
  "$mpiexec" $flags -np "$np" "$rung" run "$job" --out "$out" > "$log" 2>&1 &
  pid=$!
  if (( i % 4 == 0 )); then
    sleep_ms $(( RANDOM % 1500 ))
  else
    # Until the coordinator has replayed the journal (or started the job), then a bit more.
    while kill -0 "$pid" 2> /dev/null && ! grep -qE '^\[ *[0-9.]+s\] (job|resume) ' "$log"; do
      sleep 0.02
    done
    if grep -qE '^\[ *[0-9.]+s\] resume ' "$log"; then
      resume_ms_total=$(( resume_ms_total + $(now_ms) - start ))
      resumes_timed=$(( resumes_timed + 1 ))
    fi
    sleep_ms $(( RANDOM % max_delay_ms ))
  fi
  if kill -0 "$pid" 2> /dev/null; then
    # Freeze mpirun (no rank starts after this), then kill it and every rank's group at once.
    kill -STOP -- "-$pid" 2> /dev/null
    groups=$(ps -o pgid= --ppid "$pid" | sort -u | sed 's/^ */-/')
    # shellcheck disable=SC2086
    kill -KILL -- "-$pid" $groups 2> /dev/null
    killed=$(( killed + 1 ))
  else
    finished_early=$(( finished_early + 1 ))
  fi
  wait "$pid" 2> /dev/null
  # A rank outliving the kill would still write to OUT: there must be none.
  # (a killed process may take a moment to go: torch's threads and memory are torn down)
  for g in $groups; do
    for _ in $(seq 1 100); do
      ps -eo pgid=,stat= | awk -v g="${g#-}" '$1 == g && $2 !~ /^Z/ { found = 1 } END { exit !found }' ||
        continue 2
      sleep 0.05
    done
    fail "processes of group ${g#-} outlived the kill"
  done
done
set +m

# shellcheck disable=SC2086
"$mpiexec" $flags -np "$np" "$rung" run "$job" --out "$out" > "$out.final.log" 2>&1 ||
  { cat "$out.final.log"; fail "the last resume failed"; }
tail -n 5 "$out.final.log"
grep -h ' resume ' "$out".*.log | sed 's/^/  /' | tail -n 25
echo "killed $killed times ($finished_early launches had finished before their kill moment)"
if (( resumes_timed > 0 )); then
  echo "launch to resumed coordinator: $(( resume_ms_total / resumes_timed )) ms on average over $resumes_timed resumes"
fi
(( killed >= kills / 2 )) || fail "only $killed of $kills kills hit a running job"
if [ "$expect" = periodic ]; then
  every=$(sed -n 's/^ *checkpoint_every: *\([0-9]*\).*/\1/p' "$job")
  from_ckpt=$(grep -h ' restart .*from its checkpoint at epoch' "$out".*.log | wc -l)
  echo "restarts from a periodic checkpoint: $from_ckpt (checkpoint_every $every)"
  (( from_ckpt > 0 )) || fail "no restart came from a periodic checkpoint"
  # Each restart trains again what ran after its latest checkpoint: at most every epochs.
  worst=$(grep -ho 'from its checkpoint at epoch [0-9]*, [0-9]* epoch(s) to train again' \
    "$out".*.log | sed 's/.*, \([0-9]*\) epoch.*/\1/' | sort -n | tail -n 1)
  echo "most epochs trained again by one restart from a checkpoint: ${worst:-0}"
  (( ${worst:-0} <= every )) || fail "a restart trained $worst epochs again (checkpoint_every $every)"
fi
RUNG_REFERENCE_OUT="$ref" RUNG_RESUMED_OUT="$out" "$compare"
