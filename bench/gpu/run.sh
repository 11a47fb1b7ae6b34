#!/usr/bin/env bash
# bench/gpu/run.sh: ResNet-20 on CIFAR-10 on one GPU machine, in one go (about 8 minutes,
# every step under its own timeout). Builds rung against the LibTorch inside the machine's
# PyTorch, converts CIFAR-10 from the carried JPEG tarball, then measures in the same run:
#   1. one ResNet-20 epoch with rung and with PyTorch eager (same model, batch 128, device);
#   2. total epochs per second with 1, 2 and 4 worker ranks sharing the GPU
#      (workers_per_gpu 4), and the GPU memory each worker holds (nvidia-smi);
#   3. a short Hyperband job with 4 workers, and its best validation accuracy.
# Writes under $OUT (at most 8 files): summary.md (the numbers), results.json, log.txt,
# build.log. See README.md beside this file for how to carry the data and call it.
# For a smoke test without a GPU: RUNG_GPU_DEVICE=cpu RUNG_GPU_SUBSET=200 RUNG_EXE=build/rung
# RUNG_CIFAR_DIR=<converted CIFAR-10> bench/gpu/run.sh (skips the build and the conversion).
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
out=${OUT:-/tmp/rung-gpu-out}
work=${RUNG_GPU_WORK:-/tmp/rung-gpu}
carried=${RUNG_CIFAR_SRC:-$root/.gpu-carry}  # cifar10-jpeg.tar.gz and make_cifar10.py
build=$work/build
data=${RUNG_CIFAR_DIR:-$work/cifar10}
device=${RUNG_GPU_DEVICE:-cuda}
subset=${RUNG_GPU_SUBSET:-0}  # training images (0: all); the test split gets a fifth
mkdir -p "$out" "$work"
log=$out/log.txt
: > "$log"
t0=$(date +%s)
say() { echo "[$(( $(date +%s) - t0 ))s] $*" | tee -a "$log"; }
test_subset=$((subset / 5))
# Fills @DATA@, @TRAIN@, @TEST@, @DEVICE@, @WORKERS@, @CHANNELS_LAST@, @AUTOCAST@ in a job.
job() {
  sed "s|@DATA@|$data|g; s|@TRAIN@|$subset|g; s|@TEST@|$test_subset|g; s|@DEVICE@|$device|g;
       s|@WORKERS@|${2:-1}|g; s|@CHANNELS_LAST@|${3:-false}|g; s|@AUTOCAST@|${4:-off}|g" \
    "$here/jobs/$1.yaml"
}
eager=(python3 "$here/eager_epoch.py" --data "$data" --device "$device" --batch 128
       --train-subset "$subset" --test-subset "$test_subset")
mpi_flags=(--oversubscribe)
[ "$(id -u)" = 0 ] && mpi_flags+=(--allow-run-as-root)

say "== machine"
{ nvidia-smi -L; nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader
  python3 -c 'import torch; print("torch", torch.__version__, "cuda", torch.version.cuda)'
  cmake --version | head -1; g++ --version | head -1; command -v mpirun || echo "no mpirun"
} >> "$log" 2>&1

say "== convert CIFAR-10 (background) from $carried"
if [ -s "$data/test_batch.bin" ]; then
  (true) &
else
  (cd "$work" && timeout 150 python3 "$carried/make_cifar10.py" "$data") >> "$log" 2>&1 &
fi
convert_pid=$!

build_rc=0
if [ -n "${RUNG_EXE:-}" ]; then
  rung=$RUNG_EXE
else
  say "== build rung (Release, LibTorch from PyTorch)"
  torch_dir=$(python3 -c 'import torch; print(torch.utils.cmake_prefix_path)')
  # CMake 4 refuses package files that declare a policy version below 3.5; HDF5's serial C++
  # headers live under /usr/include/hdf5/serial there.
  export CMAKE_POLICY_VERSION_MINIMUM=3.5
  export CPATH=/usr/include/hdf5/serial${CPATH:+:$CPATH}
  {
    timeout 120 cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release \
      -DCMAKE_PREFIX_PATH="$torch_dir" -DRUNG_WITH_NLOPT=OFF -DRUNG_BUILD_TESTS=OFF \
      -DRUNG_BUILD_BENCH=OFF &&
      timeout 300 cmake --build "$build" -j "$(nproc)" --target rung
  } > "$out/build.log" 2>&1
  build_rc=$?
  say "build exit $build_rc"
  rung=$build/rung
fi
wait "$convert_pid"
say "convert exit $? ($(ls "$data" 2> /dev/null | tr '\n' ' '))"
if [ "$build_rc" -ne 0 ] || [ ! -x "$rung" ] || [ ! -s "$data/test_batch.bin" ]; then
  grep -E "error|Error" "$out/build.log" 2> /dev/null | head -30 >> "$log"
  say "cannot go on: build or data missing"; exit 1
fi

# Per-epoch seconds from a run's journal: "train_s eval_s accuracy" per report.
epochs_of() {
  python3 - "$1" <<'EOF'
import json, sys
for line in open(sys.argv[1]):
    e = json.loads(line)
    if e.get("event") == "report":
        print(e["trial"], e["epoch"], e["worker"], e["train_s"], e["eval_s"],
              e["metrics"].get("validation:accuracy"), e["t"])
EOF
}

say "== 1. one epoch: PyTorch eager (batch 128, 3 epochs; the first warms up)"
timeout 120 "${eager[@]}" --epochs 3 --max-epochs 3 > "$work/eager.json" 2>> "$log"
say "eager exit $?: $(cat "$work/eager.json")"
say "== 1. one epoch: rung (same model, batch, device; in-process worker)"
job epoch > "$work/epoch.yaml"
rm -rf "$work/out_epoch"
timeout 120 "$rung" run "$work/epoch.yaml" --out "$work/out_epoch" --workers 1 \
  > "$work/epoch.log" 2>&1
say "rung exit $?"; tail -n 3 "$work/epoch.log" >> "$log"
epochs_of "$work/out_epoch/journal" > "$work/rung_epochs.txt"; cat "$work/rung_epochs.txt" >> "$log"
say "== 1b. the same with channels-last + bf16 autocast, both sides"
timeout 90 "${eager[@]}" --epochs 2 --max-epochs 2 --channels-last --bf16 \
  > "$work/eager_cl_bf16.json" 2>> "$log"
job epoch 1 true bf16 | sed 's/epochs: 3/epochs: 2/' > "$work/epoch_cl.yaml"
rm -rf "$work/out_epoch_cl"
timeout 90 "$rung" run "$work/epoch_cl.yaml" --out "$work/out_epoch_cl" --workers 1 \
  > "$work/epoch_cl.log" 2>&1
say "rung cl+bf16 exit $?"
epochs_of "$work/out_epoch_cl/journal" > "$work/rung_epochs_cl.txt"

nvidia-smi --query-gpu=memory.used --format=csv,noheader,nounits > "$work/memory_idle.txt" 2>&1
say "== 2. workers sharing the GPU: 1, 2, 4 worker ranks, 2 epochs each"
for k in 1 2 4; do
  job share "$k" > "$work/share$k.yaml"
  rm -rf "$work/out_share$k"
  ( while sleep 2; do
      nvidia-smi --query-compute-apps=pid,used_memory --format=csv,noheader,nounits 2>/dev/null |
        sed "s/^/$k, /"
      # The whole GPU's use too: some VMs list no processes.
      nvidia-smi --query-gpu=memory.used --format=csv,noheader,nounits 2>/dev/null |
        sed "s/^/$k, total, /"
    done ) > "$work/memory$k.txt" &
  sampler=$!
  start=$(date +%s.%N)
  if command -v mpirun > /dev/null; then
    timeout 120 mpirun "${mpi_flags[@]}" -np $((k + 1)) "$rung" run "$work/share$k.yaml" \
      --out "$work/out_share$k" > "$work/share$k.log" 2>&1
  else  # no launcher: k worker threads in one process
    timeout 120 "$rung" run "$work/share$k.yaml" --out "$work/out_share$k" --workers "$k" \
      > "$work/share$k.log" 2>&1
  fi
  rc=$?
  kill "$sampler" 2> /dev/null; wait "$sampler" 2> /dev/null
  end=$(date +%s.%N)
  epochs_of "$work/out_share$k/journal" > "$work/share_epochs$k.txt"
  say "workers $k: exit $rc, $(wc -l < "$work/share_epochs$k.txt") epochs, wall $(python3 -c "print(round($end - $start, 1))") s"
  grep -A6 "^placement" "$work/share$k.log" >> "$log"
done

say "== 3. short Hyperband job, 4 workers on the GPU"
job hyperband_short > "$work/hyperband.yaml"
rm -rf "$work/out_hyperband"
if command -v mpirun > /dev/null; then
  timeout 200 mpirun "${mpi_flags[@]}" -np 5 "$rung" run "$work/hyperband.yaml" \
    --out "$work/out_hyperband" > "$work/hyperband.log" 2>&1
else
  timeout 200 "$rung" run "$work/hyperband.yaml" --out "$work/out_hyperband" --workers 4 \
    > "$work/hyperband.log" 2>&1
fi
say "hyperband exit $?"
tail -n 25 "$work/hyperband.log" >> "$log"

say "== summary"
python3 "$here/summarize.py" "$work" > "$out/summary.md" 2>> "$log"
cp "$work/results.json" "$out/results.json" 2> /dev/null
cat "$out/summary.md" | tee -a "$log"
say "done"
