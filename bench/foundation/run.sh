#!/usr/bin/env bash
# Foundation benchmark: the quickstart (Hyperband/ASHA) against a full-budget random search
# over the same space, trial count, seed and workers, run back to back in one invocation.
# Reports wall time, epochs trained, best validation accuracy, time to a target accuracy,
# and rank 0's CPU share.   usage: bench/foundation/run.sh [BUILD_DIR] [NP] [TARGET]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=${1:-$root/build}
np=${2:-3}
target=${3:-0.96}
flags="--oversubscribe"
[ "$(id -u)" -eq 0 ] && flags="$flags --allow-run-as-root"
out=$(mktemp -d /tmp/rung-bench-XXXX)
for job in "$root/jobs/quickstart.yaml" "$here/quickstart_random.yaml"; do
  name=$(basename "$job" .yaml)
  start=$(date +%s.%N)
  # shellcheck disable=SC2086
  mpirun $flags -np "$np" "$build/rung" run "$job" --out "$out/$name" > "$out/$name.log" 2>&1
  end=$(date +%s.%N)
  echo "$name $start $end" >> "$out/wall.txt"
done
/usr/bin/python3 "$here/summarize.py" "$out" "$target"
