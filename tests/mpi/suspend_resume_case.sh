#!/usr/bin/env bash
# suspend_resume_case.sh MODE MPIEXEC "FLAGS" NP RUNG JOB OUT SIGNALS COMPARE
# Walltime / preemption: runs JOB once uninterrupted (OUT.reference); then runs it in OUT and
# signals it SIGNALS times mid-run, each time expecting exit status 3 (incomplete, resume me)
# with the outputs written, and resuming with the same command; the last run must finish
# (exit 0) with the results of the uninterrupted run and nothing trained twice.
# MODE: usr1-mpirun   SIGUSR1 to mpirun, which forwards it to every rank (Slurm's way);
#       term-ranks    SIGTERM to each rank process directly (mpirun would kill on SIGTERM);
#       usr1-alone    no launcher (NP ignored): SIGUSR1 to the single rung process;
#       deadline      no signal: `--deadline +SECONDS` ends each segment (mpirun).
set -uo pipefail
mode=$1 mpiexec=$2 flags=$3 np=$4 rung=$5 job=$6 out=$7 signals=$8 compare=$9
ref="$out.reference"
rm -rf "$out" "$ref" "$out".*.log
mkdir -p "$(dirname "$out")"
fail() { echo "FAIL: $*"; exit 1; }
launcher=()
# shellcheck disable=SC2206
[ "$mode" != usr1-alone ] && launcher=("$mpiexec" $flags -np "$np")

ref_start_ns=$(date +%s%N)
"${launcher[@]}" "$rung" run "$job" --out "$ref" > "$ref.log" 2>&1 ||
  { cat "$ref.log"; fail "the uninterrupted run failed"; }
ref_wall_ms=$(( ($(date +%s%N) - ref_start_ns) / 1000000 ))
# The signal goes out this long after the coordinator starts: a slice of the whole run.
total_ms=$(sed -n 's/^coordinator: .* in \([0-9.]*\) s .*/\1/p' "$ref.log" | awk '{ printf "%d", $1 * 1000 }')
slice_ms=$(( total_ms / (signals + 2) + 50 ))
# A deadline counts from the launch: the reference run's start-up and shutdown (its wall time
# beyond the coordinator's loop) plus half the loop, so that it falls mid-run however fast
# this machine is (a whole-second deadline once outlasted a 2.7 s run).
outside_ms=$(( ref_wall_ms > total_ms ? ref_wall_ms - total_ms : 0 ))
deadline_ms=$(( outside_ms + total_ms / 2 ))

i=1
while [ "$i" -le "$signals" ]; do
  log="$out.$i.log"
  deadline=()
  # (start-up, a second or two, comes out of the segment too)
  [ "$mode" = deadline ] &&
    deadline=(--deadline "+$(printf '%d.%03d' $(( deadline_ms / 1000 )) $(( deadline_ms % 1000 )))")
  "${launcher[@]}" "$rung" run "$job" --out "$out" "${deadline[@]}" > "$log" 2>&1 &
  pid=$!
  while kill -0 "$pid" 2> /dev/null && ! grep -qE '^\[ *[0-9.]+s\] (job|resume) ' "$log"; do
    sleep 0.02
  done
  [ "$mode" = deadline ] || sleep "$(printf '%d.%03d' $(( slice_ms / 1000 )) $(( slice_ms % 1000 )))"
  case "$mode" in
    usr1-mpirun | usr1-alone) kill -USR1 "$pid" ;;
    term-ranks) kill -TERM $(ps -o pid= --ppid "$pid") ;;
  esac
  wait "$pid"
  rc=$?
  # Start-up time is the machine's, not rung's: a run that ended before its deadline (this
  # segment started much faster than the reference) is run again, from scratch, with an
  # earlier one. Only the first segment can be cut so (signals is 1 for this mode).
  if [ "$mode" = deadline ] && [ "$rc" -eq 0 ] && [ "$i" -eq 1 ] && [ "${retries:-0}" -lt 3 ]; then
    retries=$(( ${retries:-0} + 1 ))
    deadline_ms=$(( deadline_ms / 2 ))
    echo "  the run ended before its deadline; again from scratch with +${deadline_ms} ms"
    rm -rf "$out"
    continue  # the same i again
  fi
  grep -E 'suspend|resume |deadline' "$log" | sed 's/^/  /'
  [ "$rc" -eq 3 ] || { cat "$log"; fail "signalled run $i exited $rc, expected 3"; }
  grep -q '^\[ *[0-9.]*s\] suspended ' "$log" || fail "run $i did not say it suspended"
  for f in journal results.h5 trials.csv summary.json; do
    [ -s "$out/$f" ] || fail "run $i left no $f"
  done
  if [ "$mode" != usr1-alone ]; then
    # Every rank exited 3 (mpirun names the first non-zero one; none may have another code).
    if grep -q 'Exit code:' "$log"; then
      grep 'Exit code:' "$log" | grep -qv 'Exit code: *3$' && fail "a rank exited other than 3"
    fi
  fi
  i=$(( i + 1 ))
done

"${launcher[@]}" "$rung" run "$job" --out "$out" > "$out.final.log" 2>&1 ||
  { cat "$out.final.log"; fail "the resume after the last signal failed"; }
grep -E 'resume ' "$out.final.log" | sed 's/^/  /'
# A second `rung run` on the finished run runs nothing and says so.
"${launcher[@]}" "$rung" run "$job" --out "$out" > "$out.again.log" 2>&1 || fail "rerun of a finished run"
grep -q 'holds a finished run' "$out.again.log" || { cat "$out.again.log"; fail "no 'finished run' message"; }
RUNG_REFERENCE_OUT="$ref" RUNG_RESUMED_OUT="$out" RUNG_EXPECT_NOTHING_RECOMPUTED=1 "$compare"
