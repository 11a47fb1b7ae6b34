#!/usr/bin/env bash
# resnet_case.sh MPIEXEC "FLAGS" NP RUNG JOB_TEMPLATE OUT CHECKER MAKE_TINY_CIFAR
# ResNet-20 under a real mpirun on generated CIFAR-10-format files: writes the files, puts
# their directory into the job (@DATA@), runs and checks it as run_case.sh does; then breaks
# one file and expects exit 2 from the run with that file named, before any training.
set -euo pipefail
mpiexec=$1 flags=$2 np=$3 rung=$4 template=$5 out=$6 checker=$7 maker=$8
data="$out.data"
job="$out.job.yaml"
rm -rf "$data" "$out.bad" && mkdir -p "$(dirname "$out")"
"$maker" "$data" 40 40
sed "s|@DATA@|$data|" "$template" > "$job"
"$(dirname "$0")/run_case.sh" "$mpiexec" "$flags" "$np" "$rung" "$job" "$out" "$checker"
if [ "$np" -gt 1 ]; then
  grep -q "placement:" "$out.log" || { echo "FAIL: no placement table"; exit 1; }
  [ "$(grep -c 'coordinates; trains nothing' "$out.log")" -eq 1 ] ||
    { echo "FAIL: placement table printed more than once"; exit 1; }
fi

# A truncated training file: exit 2, the file named, no epoch trained.
truncate -s 5000 "$data/data_batch_4.bin"
launcher=()  # NP 0: no launcher, worker threads in one process
# shellcheck disable=SC2206
[ "$np" -gt 0 ] && launcher=("$mpiexec" $flags -np "$np")
set +e
"${launcher[@]}" "$rung" run "$job" --out "$out.bad" > "$out.bad.log" 2>&1
rc=$?
set -e
cat "$out.bad.log"
[ "$rc" -eq 2 ] || { echo "FAIL: exit code $rc for a truncated data file, expected 2"; exit 1; }
grep -q "data_batch_4.bin: is 5000 bytes" "$out.bad.log" || { echo "FAIL: file not named"; exit 1; }
if grep -q '"event":"report"' "$out.bad/journal" 2>/dev/null; then echo "FAIL: trained"; exit 1; fi
echo "ok"
