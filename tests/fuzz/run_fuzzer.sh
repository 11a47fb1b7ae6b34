#!/usr/bin/env bash
# One fuzz target's short run (ctest -L fuzz, `make fuzz-smoke`; bench/fuzz/run.sh runs the
# same for longer):
#   run_fuzzer.sh FUZZER SEED_DIR WORK_DIR SECONDS
# The fuzzer reads the committed seeds (SEED_DIR, never written) and keeps what it finds in
# WORK_DIR/corpus. By default it runs in libFuzzer's fork mode (FUZZ_JOBS processes, 1),
# which goes on after a failure, so that a known HDF5 bug does not hide one of rung's. A
# crash, sanitizer report, hang (-timeout) or memory blow-up (-rss_limit_mb,
# -malloc_limit_mb) leaves its input in WORK_DIR, and triage.sh says whose it is: the run
# fails when any is rung's; libhdf5's are listed (WORK_DIR/triage). The last line says
# seconds, executions, exec/s, corpus, coverage and failures.
set -euo pipefail
[[ $# -eq 4 ]] || { echo "usage: run_fuzzer.sh FUZZER SEED_DIR WORK_DIR SECONDS" >&2; exit 2; }
fuzzer=$1 seeds=$2 work=$3 seconds=$4
here=$(cd "$(dirname "$0")" && pwd)
name=$(basename "$fuzzer")
# The corpus carries over from an earlier run in WORK_DIR; its failures and log do not.
mkdir -p "$work/corpus"
rm -f "$work"/crash-* "$work"/timeout-* "$work"/oom-* "$work"/leak-* "$work/log" "$work/triage"
# Leaks are not what these targets look for (HDF5 keeps library-wide state until exit). A
# failed allocation returns null (operator new throws), so an unbounded one is reported as
# the std::bad_alloc the reader let out, or as libFuzzer's malloc limit.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0:allocator_may_return_null=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
# FUZZ_FORK=0 (CI's short runs of the targets without HDF5): one process that stops at the
# first failure, several times faster than fork mode over a few seconds.
mode=(-fork="${FUZZ_JOBS:-1}" -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1)
[[ ${FUZZ_FORK:-1} == 0 ]] && mode=(-print_final_stats=1)
# The HDF5 targets' input files, RAM-backed where /dev/shm is.
tmp=${TMPDIR:-/tmp}
[[ -w /dev/shm ]] && tmp=/dev/shm
scratch=$(mktemp -d "$tmp/rung-fuzz.XXXXXX")
trap 'rm -rf "$scratch"' EXIT
export RUNG_FUZZ_SCRATCH=$scratch
start=$SECONDS
(cd "$work" && "$fuzzer" "${mode[@]}" -max_total_time="$seconds" -timeout=10 \
   -rss_limit_mb=2048 -malloc_limit_mb=2048 -max_len=65536 -artifact_prefix="$work/" \
   "$work/corpus" "$seeds" >"$work/log" 2>&1) || true
elapsed=$((SECONDS - start))
# Progress lines: "#N: cov: C ft: ..." (fork mode) or "#N<TAB>NEW cov: C ft: ..." (one
# process, which also prints stat::number_of_executed_units at the end).
last=$(grep -E '^#[0-9]+:?[[:space:]]*[A-Z]*[[:space:]]*cov:' "$work/log" | tail -n 1 || true)
if [[ -z $last ]]; then
  tail -n 40 "$work/log"
  echo "$name: FAILED: the fuzzer did not run (log: $work/log)" >&2
  exit 1
fi
execs=$(sed -nE 's/^stat::number_of_executed_units: *([0-9]+)/\1/p' "$work/log" | tail -n 1)
[[ -n $execs ]] || execs=$(sed -nE 's/^#([0-9]+).*/\1/p' <<<"$last")
cov=$(sed -nE 's/.* cov: ([0-9]+) .*/\1/p' <<<"$last")
rate=$(awk -v n="$execs" -v s="$elapsed" 'BEGIN { printf "%.0f", (s > 0 ? n / s : 0) }')
rung_bugs=0 hdf5_bugs=0
: >"$work/triage"
for input in "$work"/crash-* "$work"/timeout-* "$work"/oom-*; do
  [[ -e $input ]] || continue
  rc=0
  verdict=$("$here/triage.sh" "$fuzzer" "$input") || rc=$?
  case $rc in
    0) hdf5_bugs=$((hdf5_bugs + 1)) ;;
    3) ;;
    *) rung_bugs=$((rung_bugs + 1)) ;;
  esac
  echo "$(basename "$input"): $verdict" | tee -a "$work/triage"
done
echo "$name: ${elapsed} s, $execs executions, $rate exec/s, corpus $(ls "$work/corpus" | wc -l)" \
     "new inputs, coverage $cov edges; failures: $rung_bugs rung's, $hdf5_bugs libhdf5's"
if ((rung_bugs > 0)); then
  echo "$name: FAILED: rung's readers failed on the inputs above; reproduce with" \
       "$fuzzer $work/<input> (log: $work/log)" >&2
  exit 1
fi
