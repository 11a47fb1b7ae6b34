#!/usr/bin/env bash
# One walltime segment of a rung tuning job, run by the sbatch templates in this folder
# inside their allocation. It starts (or, when OUT already holds the job's journal, resumes)
# the job, and when rung exits 3 -- suspended before the walltime or on preemption, with every
# running trial checkpointed -- it requeues the job so the next segment carries on.
#   rung-segment.sh JOB OUT [more `rung run` options]
# Environment:
#   RUNG                 the rung executable (default: see find_rung below)
#   RUNG_HOME            rung's install prefix (RUNG_HOME/bin/rung) or checkout (build/rung)
#   RUNG_LAUNCHER        srun (default: srun --mpi=pmix) or mpirun (sites without PMIx)
#   RUNG_LAUNCH_ARGS     extra launcher options (e.g. --het-group=0,1 for a heterogeneous job)
#   RUNG_SIGNAL_LEAD     seconds of the template's --signal=B:USR1@LEAD (default 180)
#   RUNG_DEADLINE_MARGIN seconds before the time limit by which rung must have suspended
#                        (default 90: a checkpoint write, the outputs, and Slurm's slack)
#   RUNG_MAX_REQUEUES    stop requeueing after this many restarts (default 20)
#
# Two mechanisms end a segment in time, so either one alone is enough:
# 1. the deadline: rung gets the segment's end (less the margin) as --deadline, starts and
#    promotes nothing that would overrun it, and suspends when it arrives;
# 2. the signal: Slurm sends USR1 to this script (--signal=B:USR1@LEAD) and the script passes
#    it to the launcher, which passes it to every rank. Slurm 22.05 also re-sends that signal
#    the moment a requeued job restarts; a USR1 arriving long before the lead is therefore
#    logged and ignored (the deadline still holds).
set -uo pipefail
job=${1:?usage: rung-segment.sh JOB OUT [rung run options]}
out=${2:?usage: rung-segment.sh JOB OUT [rung run options]}
shift 2
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cd "${SLURM_SUBMIT_DIR:-.}" || exit 2
# The rung to run: RUNG; else RUNG_HOME's; else the one installed or checked out with this
# script (P/share/rung/slurm/ -> P/bin/rung, a checkout's slurm/ -> build/rung); else
# build/rung under the submit directory; else rung on PATH (a site module).
find_rung() {
  local c
  if [[ -n ${RUNG:-} ]]; then echo "$RUNG"; return; fi
  for c in ${RUNG_HOME:+"$RUNG_HOME/bin/rung" "$RUNG_HOME/build/rung"} \
           "$([[ $here == */share/rung/slurm ]] && echo "${here%/share/rung/slurm}/bin/rung")" \
           "$here/../build/rung" build/rung; do
    if [[ -n $c && -x $c && ! -d $c ]]; then echo "$c"; return; fi
  done
  command -v rung || echo rung
}
rung=$(find_rung)
restarts=${SLURM_RESTART_COUNT:-0}
lead=${RUNG_SIGNAL_LEAD:-180}
margin=${RUNG_DEADLINE_MARGIN:-90}
max_requeues=${RUNG_MAX_REQUEUES:-20}
now() { date +%s; }

echo "rung-segment: job $SLURM_JOB_ID segment $((restarts + 1)) (SLURM_RESTART_COUNT=$restarts)" \
  "on $SLURM_NTASKS tasks ($SLURM_JOB_NODELIST), $(date -u +%FT%TZ)"
[[ -x $rung ]] || { echo "rung-segment: $rung is not an executable (set RUNG or RUNG_HOME)" >&2; exit 2; }
echo "rung-segment: $rung: $("$rung" --version 2>&1 | head -2 | paste -sd ' ' -)"

# The segment's end (Slurm's EndTime for this start), for rung's deadline.
end_s=""
end=$(squeue -h -j "$SLURM_JOB_ID" -o %e 2>/dev/null | head -1)
if [[ -n $end && $end != N/A && $end != Unknown ]]; then
  end_s=$(date -d "$end" +%s 2>/dev/null) || end_s=""
fi
deadline=()
if [[ -n $end_s ]] && (( end_s - margin > $(now) + 5 )); then
  deadline=(--deadline "$((end_s - margin))")
  echo "rung-segment: time limit at $end; rung suspends by $(date -u -d "@$((end_s - margin))" +%T)Z"
fi

case ${RUNG_LAUNCHER:-srun} in
  srun) launch=(srun --mpi=pmix --kill-on-bad-exit=0) ;;
  mpirun) launch=(mpirun -np "$SLURM_NTASKS") ;;
  *) echo "rung-segment: RUNG_LAUNCHER must be srun or mpirun, not '$RUNG_LAUNCHER'" >&2; exit 2 ;;
esac
read -r -a launch_args <<<"${RUNG_LAUNCH_ARGS:-}"

"${launch[@]}" "${launch_args[@]}" "$rung" run "$job" --out "$out" "${deadline[@]}" "$@" &
pid=$!
on_usr1() {
  local left=""
  [[ -n $end_s ]] && left=$((end_s - $(now)))
  if [[ -n $left ]] && ((left > lead + 30)); then
    echo "rung-segment: ignoring USR1 ${left} s before the time limit (expected ${lead} s):" \
      "Slurm re-sends it when a requeued job restarts; the deadline still holds"
    return
  fi
  echo "rung-segment: USR1 (walltime in ${left:-?} s): asking rung to suspend"
  kill -USR1 "$pid" 2>/dev/null
}
# SIGTERM (preemption, scancel) reaches the ranks from Slurm directly; the script only has
# to outlive them to see rung's exit status.
trap on_usr1 USR1
trap 'echo "rung-segment: SIGTERM: rung suspends and checkpoints"' TERM
# `wait` returns early whenever a trapped signal arrives; a zombie still answers kill -0, so
# the loop ends only once the launcher is reaped and rc is its status.
while :; do
  wait "$pid"
  rc=$?
  kill -0 "$pid" 2>/dev/null || break
done
echo "rung-segment: rung exited $rc at $(date -u +%FT%TZ)"
if [[ $rc == 3 ]]; then
  if ((restarts >= max_requeues)); then
    echo "rung-segment: not requeueing: $restarts restarts reached RUNG_MAX_REQUEUES" >&2
    exit 3
  fi
  # Requeue keeps the job id, the log (--open-mode=append) and OUT; the next segment resumes.
  # Slurm lets a requeued job start again after the credential lifetime (AuthInfo's
  # cred_expire, 120 s by default), then as soon as the queue allows.
  scontrol requeue "$SLURM_JOB_ID" || { echo "rung-segment: scontrol requeue failed" >&2; exit 3; }
  echo "rung-segment: requeued; to resume by hand: rung run $job --out $out"
  exit 0
fi
exit "$rc"
