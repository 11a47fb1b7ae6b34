#!/usr/bin/env bash
# Installs rung's build and run dependencies from Debian's packages, when any is missing.
# Used by `make demo` and `make test`; safe to run again (does nothing when all are there).
#   scripts/install-deps.sh [--test] [--bench]
set -euo pipefail
packages=(cmake make g++ libopenmpi-dev openmpi-bin libhdf5-dev libyaml-cpp-dev libtorch-dev
          libgtest-dev libeigen3-dev libnlopt-cxx-dev libbenchmark-dev zlib1g-dev
          nlohmann-json3-dev libcli11-dev libfmt-dev)
for arg in "$@"; do
  case $arg in
    # What the tests run for real: a private single-node Slurm (slurmctld, slurmd, munged),
    # headless Chromium to render `rung report` pages (with fonts for their text), and the
    # Fashion-MNIST files in their IDX format; Python with PyTorch, XGBoost and scikit-learn
    # for the command trainer's example programs (examples/), and h5py for the TorchScript
    # example's data (examples/torchscript/make_model.py; its tests script modules with torch).
    --test) packages+=(slurm-wlm munge chromium fonts-dejavu-core dataset-fashion-mnist
                       python3-torch python3-xgboost python3-sklearn python3-h5py) ;;
    # The benchmarks: plots with Debian's matplotlib, Optuna and PyTorch as the peer.
    --bench) packages+=(python3-matplotlib python3-optuna python3-torch) ;;
    *) echo "usage: scripts/install-deps.sh [--test] [--bench]" >&2; exit 2 ;;
  esac
done
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "rung: installing missing packages: ${missing[*]}"
sudo=""
[ "$(id -u)" -ne 0 ] && sudo="sudo"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
