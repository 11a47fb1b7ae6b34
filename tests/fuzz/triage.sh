#!/usr/bin/env bash
# Says whose bug a fuzzer's failing input shows:
#   triage.sh FUZZER INPUT   ->  prints "libhdf5: <frame>", "rung: <frame or message>" or
#                                "not reproduced: ..."
# It runs the input once and finds the first stack frame that is neither the sanitizers',
# libFuzzer's nor the C library's. HDF5 1.10 has known memory-safety bugs and endless loops
# on damaged files (reported upstream, many still open in 1.14): a failure whose first such
# frame is in libhdf5 is HDF5's, not rung's (bench/fuzz/README.md lists what was found).
# Anything else, and every failed check of a fuzz target ("rung fuzz: ..."), is rung's.
# Exit status: 0 libhdf5, 1 rung, 2 usage, 3 the input did not fail again.
set -uo pipefail
[[ $# -eq 2 ]] || { echo "usage: triage.sh FUZZER INPUT" >&2; exit 2; }
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0:allocator_may_return_null=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
out=$("$1" -timeout=10 -rss_limit_mb=2048 -malloc_limit_mb=2048 "$2" 2>&1)
if grep -q '^rung fuzz: ' <<<"$out"; then
  echo "rung: $(grep -m1 '^rung fuzz: ' <<<"$out" | cut -c 12-200)"
  exit 1
fi
runtime='__sanitizer|__interceptor|__asan|__ubsan|__lsan|fuzzer::|/libc\.so|sysdeps/'
runtime+='|libc_start|in _start |in (malloc|calloc|realloc|free|operator new|operator delete)'
frame=$(sed -n '/ERROR: \|runtime error: /,$p' <<<"$out" | grep -E '^ +#[0-9]+ 0x' |
  grep -vE "$runtime" | head -n 1 |
  sed -E 's/^ +#[0-9]+ 0x[0-9a-f]+ //; s/ \(BuildId: [0-9a-f]+\)//')
if [[ -z $frame ]]; then
  # A hang near the time limit on a loaded machine, most often: listed, not counted.
  echo "not reproduced: the input did not fail again (see the fuzzer's log)"
  exit 3
fi
if grep -q 'libhdf5' <<<"$frame"; then
  echo "libhdf5: $frame"
  exit 0
fi
echo "rung: $frame"
exit 1
