#!/usr/bin/env bash
# command_case.sh MPIEXEC "FLAGS" NP RUNG JOB OUT CHECKER
# A command-trainer job under a real mpirun (NP 0: no launcher), then rung's generic output
# checks (CHECKER) and the toy program's continuation checks (check_continuation.py).
set -euo pipefail
mpiexec=$1 flags=$2 np=$3 rung=$4 job=$5 out=$6 checker=$7
here=$(cd "$(dirname "$0")" && pwd)
"$here/../mpi/run_case.sh" "$mpiexec" "$flags" "$np" "$rung" "$job" "$out" "$checker"
extra=()
[ "$np" -ge 3 ] && extra=(--expect-promotion-to-another-worker)
/usr/bin/python3 "$here/check_continuation.py" "$out" --exact "${extra[@]}"
