#!/usr/bin/env bash
# scripts/get-data.sh for real, offline: CIFAR-10 from a data mirror (RUNG_DATA_MIRROR, else
# ../shared/data beside the checkout, as on this project's CI, whose cifar10/ holds the
# STAND-IN rebuilt from a public JPEG copy, not the official archive), or Fashion-MNIST from a
# mirror or Debian's dataset-fashion-mnist. The script must say what it used (for the
# stand-in: loudly), lay the files out where the job's dataset.path points (data/<name> under
# the working directory), and rung must then train one small ResNet-20 epoch on them. A second
# run leaves the data alone. Skipped (exit 77) where there is no source of that data set.
#   get_data_mirror_case.sh cifar10|fashion-mnist SOURCE_DIR RUNG WORK
set -euo pipefail
name=$1 src=$(realpath "$2") rung=$(realpath "$3") work=$(realpath -m "$4")
fail() { echo "FAIL: $*"; exit 1; }
mirror=${RUNG_DATA_MIRROR:-$src/../shared/data}
unset RUNG_DATA_MIRROR
from=()
case $name in
  cifar10)
    [[ -d $mirror/cifar10 ]] || { echo "SKIPPED: no data mirror with cifar10/ (set RUNG_DATA_MIRROR)"; exit 77; }
    from=(--from "$(realpath "$mirror")")
    kind=cifar10 ;;
  fashion-mnist)
    if [[ -d $mirror/fashion-mnist ]]; then
      from=(--from "$(realpath "$mirror")")
    elif [[ ! -f /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz ]]; then
      echo "SKIPPED: no mirror with fashion-mnist/ and no Debian dataset-fashion-mnist"; exit 77
    fi
    kind=fashion_mnist ;;
  *) fail "unknown data set $name" ;;
esac
rm -rf "$work"
mkdir -p "$work"
cd "$work"

"$src/scripts/get-data.sh" "$name" "${from[@]}" > get.log 2>&1 || { cat get.log; fail "get-data.sh exited $?"; }
cat get.log
[[ -f data/$name/SOURCE.txt ]] || fail "no data/$name/SOURCE.txt"
cat "data/$name/SOURCE.txt"
if [[ $name == cifar10 ]]; then
  for f in data_batch_1.bin data_batch_2.bin data_batch_3.bin data_batch_4.bin data_batch_5.bin test_batch.bin; do
    [[ $(stat -c %s "data/cifar10/$f") == 30730000 ]] || fail "data/cifar10/$f is not 10,000 records"
  done
  if [[ -f $mirror/cifar10/cifar10-jpeg.tar.gz && ! -f $mirror/cifar10/cifar-10-binary.tar.gz ]]; then
    grep -q "STAND-IN" get.log || fail "get-data.sh did not say the mirror's CIFAR-10 is a stand-in"
    grep -q "STAND-IN" data/cifar10/SOURCE.txt || fail "SOURCE.txt does not say stand-in"
  fi
fi

# One trial, one epoch of ResNet-20 on a slice of the files, read from data/<name>.
cat > job.yaml <<YAML
HyperParameterTuningJobName: get-data-$name
HyperParameterTuningJobConfig:
  Strategy: Random
  ResourceLimits: {MaxNumberOfTrainingJobs: 1, MaxParallelTrainingJobs: 1}
  HyperParameterTuningJobObjective: {Type: Maximize, MetricName: "validation:accuracy"}
  ParameterRanges:
    ContinuousParameterRanges:
      - {Name: learning_rate, MinValue: "0.01", MaxValue: "0.1", ScalingType: Logarithmic}
  RandomSeed: 16
rung:
  model: resnet20
  dataset: {kind: $kind, path: data/$name, train_subset: 256, test_subset: 128}
  static_hyperparameters: {epochs: 1, batch_size: 64}
  device: cpu
  threads_per_worker: 1
YAML
"$rung" run job.yaml --out out --workers 1 > run.log 2>&1 || { cat run.log; fail "rung run exited $?"; }
tail -n 5 run.log
tr -d ' \n' < out/summary.json | grep -q '"TrainingJobStatusCounters":{"Completed":1,' ||
  fail "the trial did not complete"

"$src/scripts/get-data.sh" "$name" "${from[@]}" > again.log 2>&1 || { cat again.log; fail "second run"; }
grep -q "already holds $name" again.log || { cat again.log; fail "the second run did not leave the data alone"; }
echo "PASS"
