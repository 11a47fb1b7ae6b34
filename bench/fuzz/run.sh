#!/usr/bin/env bash
# Long fuzzing runs: builds rung's libFuzzer targets (tests/fuzz: clang, ASan + UBSan) and
# runs each for FUZZ_SECONDS (default 3600: an hour each), one after another, through the
# same script as CI's short run (tests/fuzz/run_fuzzer.sh), then writes a table of
# executions per second, corpus, coverage and failures (rung's, and libhdf5's).
#   bench/fuzz/run.sh [TARGET...]          (default: every target)
# Environment: FUZZ_SECONDS (per target), FUZZ_BUILD (build directory, default build-fuzz),
# FUZZ_OUT (default FUZZ_BUILD/bench-fuzz: corpora, failing inputs, logs, results.md), FUZZ_JOBS
# (fuzzing processes per target, default 1), JOBS (build parallelism).
# Each target's corpus grows across runs in FUZZ_OUT/<target>/corpus (the committed seeds in
# tests/fuzz/corpus/<target> are read, never written). A failure does not stop the run:
# its input stays in FUZZ_OUT/<target>/ (crash-*, timeout-*, oom-*), triaged in
# FUZZ_OUT/<target>/triage; reproduce with FUZZ_BUILD/tests/fuzz/fuzz_<target> <input>.
# Exit status 1 when any failure is rung's.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
seconds=${FUZZ_SECONDS:-3600}
build=${FUZZ_BUILD:-$root/build-fuzz}
out=${FUZZ_OUT:-$build/bench-fuzz}
jobs=${JOBS:-$(nproc 2>/dev/null || echo 2)}
all=(job_config wire_messages journal_record journal checkpoint results_h5 curve_table)
if [[ $# -gt 0 ]]; then targets=("$@"); else targets=("${all[@]}"); fi

cmake -S "$root" -B "$build" -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo -DRUNG_FUZZ=ON -DRUNG_BUILD_TESTS=OFF \
  -DRUNG_BUILD_BENCH=OFF >/dev/null
cmake --build "$build" --target rung_fuzzers -j "$jobs"

mkdir -p "$out"
results=$out/results.md
{
  echo "# rung fuzzing, $(date -u '+%Y-%m-%d %H:%M UTC'), ${seconds} s per target"
  echo
  echo "$(nproc) cores, FUZZ_JOBS=${FUZZ_JOBS:-1}; $(clang++ --version | head -n 1);" \
       "commit $(git -C "$root" describe --always --dirty 2>/dev/null || echo unknown)"
  echo
  echo "| target | seconds | executions | exec/s | corpus (new inputs) | coverage (edges) | rung's failures | libhdf5's failures |"
  echo "| --- | --- | --- | --- | --- | --- | --- | --- |"
} >"$results"
status=0
for t in "${targets[@]}"; do
  fuzzer=$build/tests/fuzz/fuzz_$t
  [[ -x $fuzzer ]] || { echo "fuzz: no target $t ($fuzzer)" >&2; exit 2; }
  echo "fuzz: $t for $seconds s"
  line=$("$root/tests/fuzz/run_fuzzer.sh" "$fuzzer" "$root/tests/fuzz/corpus/$t" "$out/$t" \
         "$seconds" | tee /dev/stderr | tail -n 1) || status=1
  # "<name>: S s, N executions, R exec/s, corpus K new inputs, coverage C edges; failures:
  #  A rung's, B libhdf5's"
  sed -nE "s/^fuzz_$t: ([0-9]+) s, ([0-9]+) executions, ([0-9]+) exec\/s, corpus ([0-9]+) new inputs, coverage ([0-9]+) edges; failures: ([0-9]+) rung's, ([0-9]+) libhdf5's.*/| $t | \1 | \2 | \3 | \4 | \5 | \6 | \7 |/p" \
    <<<"$line" >>"$results"
done
echo
cat "$results"
echo "fuzz: results in $results; failing inputs and their triage under $out/<target>/"
exit $status
