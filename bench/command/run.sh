#!/usr/bin/env bash
# bench/command/run.sh [BUILD_DIR] [OUT_DIR]
# The command trainer's overhead against the built-in MLP trainer doing the same work, all in
# one invocation (the machine is shared and noisy: the ratios are the result). Everything runs
# one at a time, with 1 worker and 1 torch thread:
#   ROUNDS times (default 3), interleaved:
#     builtin     rung run builtin.yaml   the built-in mlp model (LibTorch), 3 trials x 9 epochs
#     command     rung run command.yaml   the same work as a PyTorch program (mlp_program.py)
#     standalone  mlp_program.py alone, 3 runs x 9 epochs, no rung (standalone.py times it)
#   then once each:
#     hyperband_builtin, hyperband_command   18 trials, rungs 1, 3, 9: promotions, so a
#                                            command trial starts its program several times
# Then summarize.py prints the tables of README.md (also in OUT_DIR/summary.md). About 2.5
# minutes on 2 cores.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=$(realpath "${1:-build}")
out=${2:-/tmp/rung-bench-command}
rounds=${ROUNDS:-3}
python=/usr/bin/python3   # Debian's, with torch (the python3 on PATH may lack it)
rung="$build/rung"
[ -x "$rung" ] || { echo "no rung binary at $rung" >&2; exit 2; }
"$python" -c 'import torch, numpy' || { echo "$python cannot import torch and numpy" >&2; exit 2; }
rm -rf "$out" && mkdir -p "$out"
cd "$here/../.."   # the jobs' command path is relative to the repository root

now() { date +%s.%N; }
wall() {  # wall NAME COMMAND...: run it, its wall seconds to $out/NAME.wall, output to NAME.log
  local name=$1 t0 t1
  shift
  t0=$(now)
  if ! "$@" > "$out/$name.log" 2>&1; then
    echo "$name failed; its output:" >&2
    tail -20 "$out/$name.log" >&2
    exit 1
  fi
  t1=$(now)
  echo "$t0 $t1" | awk '{printf "%.4f\n", $2 - $1}' > "$out/$name.wall"
  echo "  $name: $(cat "$out/$name.wall") s" >&2
}

for r in $(seq 1 "$rounds"); do
  echo "round $r of $rounds" >&2
  wall "builtin-$r" "$rung" run bench/command/builtin.yaml --out "$out/builtin-$r" --workers 1
  wall "command-$r" "$rung" run bench/command/command.yaml --out "$out/command-$r" --workers 1
  wall "standalone-$r" "$python" bench/command/standalone.py "$out/standalone-$r.json" \
    "$out/standalone-$r" 3 9 -- "$python" bench/command/mlp_program.py \
    --learning_rate 0.01 --units 64 --batch_size 32 --l2 0.00001 --epochs 9
done
echo "hyperband" >&2
for m in builtin command; do
  wall "hyperband_$m" "$rung" run "bench/command/hyperband_$m.yaml" --out "$out/hyperband_$m" \
    --workers 1
done

"$python" bench/command/summarize.py "$out" "$rounds" | tee "$out/summary.md"
