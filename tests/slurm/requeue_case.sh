#!/usr/bin/env bash
# The walltime test on a real (private, single-node) Slurm: submit slurm/rung-cpu.sbatch with
# a one-minute limit, USR1 to the batch script 20 s before it and rung's deadline 8 s before
# it, so rung is signalled mid-run; rung checkpoints and exits 3, the script requeues the job,
# later segments resume from the journal. Checks: the job was requeued at least once and
# completed, the signal reached rung, every segment's log is there, and the output directory
# is that of a whole run (trial count, journal/results agreement via the checker).
# JOB (default tests/slurm/jobs/requeue.yaml): a command-trainer job is also checked for each
# program start continuing from its trial's own checkpoint (tests/command/check_continuation.py).
#   requeue_case.sh SOURCE_DIR RUNG CHECKER WORK_DIR [JOB]
set -euo pipefail
src=$(realpath "$1") rung=$(realpath "$2") checker=$(realpath "$3") work=$(realpath -m "$4")
job=$(realpath "${5:-$src/tests/slurm/jobs/requeue.yaml}")
rm -rf "$work"
mkdir -p "$work"
slurm_dir=$work/slurm
"$src/tests/slurm/local_slurm.sh" stop "$slurm_dir" 2>/dev/null || true
trap '"$src/tests/slurm/local_slurm.sh" stop "$slurm_dir"' EXIT
export SLURM_CONF
SLURM_CONF=$("$src/tests/slurm/local_slurm.sh" start "$slurm_dir")

out=$work/out
log=$work/rung-slurm.log
cd "$src"  # the template runs slurm/rung-segment.sh from the submit directory
id=$(RUNG=$rung RUNG_SIGNAL_LEAD=20 RUNG_DEADLINE_MARGIN=8 \
     sbatch --parsable --overcommit --ntasks=3 --time=1 --signal=B:USR1@20 \
       --output="$log" --export=ALL slurm/rung-cpu.sbatch "$job" "$out")
echo "submitted job $id"

state=""
for _ in $(seq 900); do  # at most 15 minutes
  state=$(scontrol show job "$id" 2>/dev/null | sed -n 's/.*JobState=\([A-Z_]*\).*/\1/p')
  case $state in COMPLETED | FAILED | CANCELLED | TIMEOUT | NODE_FAIL | OUT_OF_MEMORY) break ;; esac
  sleep 1
done
restarts=$(scontrol show job "$id" | sed -n 's/.*Restarts=\([0-9]*\).*/\1/p')
echo "job $id: state $state after $restarts requeue(s)"
cat "$log"
fail() { echo "FAIL: $*"; exit 1; }
[[ $state == COMPLETED ]] || fail "job ended $state, expected COMPLETED"
((restarts >= 1)) || fail "the job was never requeued (the walltime signal did not cut it)"
segments=$(grep -c '^rung-segment: job .* segment' "$log")
((segments == restarts + 1)) || fail "$segments segment logs for $restarts requeues"
grep -q "rung exited 3" "$log" || fail "no segment ended with exit 3 (incomplete)"
grep -q "asking rung to suspend" "$log" || fail "the walltime USR1 never reached rung"
grep -q "suspending the run (SIGUSR1)" "$log" || fail "rung never suspended on SIGUSR1"
[[ $(grep 'rung exited' "$log" | tail -1) == *"rung exited 0"* ]] || fail "last segment did not exit 0"
grep -q '"event":"resume"' "$out/journal" || fail "the journal holds no resume event"
RUNG_CHECK_OUT=$out RUNG_CHECK_JOB=$job RUNG_CHECK_NP=3 RUNG_CHECK_LOG=$log "$checker"
if grep -q '^ *model: command' "$job"; then
  /usr/bin/python3 "$src/tests/command/check_continuation.py" "$out" || fail "a program did not continue"
fi
echo "PASS: $restarts requeue(s), $segments segments"
