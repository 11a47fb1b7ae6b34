#!/usr/bin/env bash
# Installs rung's build and run dependencies from Debian's packages, when any is missing.
# Used by `make demo` and `make test`; safe to run again (does nothing when all are there).
#   scripts/install-deps.sh [--test] [--bench]
# Without root it installs through sudo when sudo may; otherwise (a cluster login node) it
# prints the apt-get command and how to build against site modules instead, and exits 3.
# RUNG_SKIP_DEPS=1 skips the check (dependencies from modules, pip or conda; CMake finds them).
# Exit status: 0 everything is installed (now or already), 2 usage, 3 packages are missing
# and cannot be installed here (no root, no sudo, or not a Debian system).
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
    # python3-numpy and python3-pil rebuild the CIFAR-10 stand-in of CI's data mirror
    # (scripts/get-data.sh, tests/setup). clang and libFuzzer build the fuzz targets
    # (tests/fuzz, `make fuzz-smoke`).
    --test) packages+=(slurm-wlm munge chromium fonts-dejavu-core dataset-fashion-mnist
                       python3-torch python3-xgboost python3-sklearn python3-h5py
                       python3-numpy python3-pil clang libfuzzer-14-dev) ;;
    # The benchmarks: plots with Debian's matplotlib, Optuna and PyTorch as the peer.
    --bench) packages+=(python3-matplotlib python3-optuna python3-torch) ;;
    *) echo "usage: scripts/install-deps.sh [--test] [--bench]" >&2; exit 2 ;;
  esac
done
if [[ -n ${RUNG_SKIP_DEPS:-} ]]; then
  echo "rung: RUNG_SKIP_DEPS is set: not checking packages (CMake reports what it cannot find)"
  exit 0
fi
# What a site without these packages does instead (README.md, "Building on a cluster").
site_build_hint() {
  cat <<'HINT'
Where the libraries come from site modules, or LibTorch from pip or conda, skip this check
and point CMake at them (README.md, "Building on a cluster"), e.g.:
  module load openmpi hdf5 cmake        # your site's names; HDF5_ROOT and MPI_HOME also work
  torch_cmake=$(python3 -c 'import torch;print(torch.utils.cmake_prefix_path)')
  RUNG_SKIP_DEPS=1 make demo CMAKE_ARGS="-DTorch_DIR=$torch_cmake/Torch -DCMAKE_PREFIX_PATH=$HOME/opt"
HINT
}
if ! command -v dpkg-query >/dev/null; then
  echo "rung: not a Debian system (no dpkg-query), so these cannot be checked or installed:" >&2
  echo "  ${packages[*]}" >&2
  site_build_hint >&2
  exit 3
fi
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "rung: every Debian package needed is installed (${#packages[@]} checked)"
  exit 0
fi
sudo=()
if [ "$(id -u)" -ne 0 ]; then
  # sudo only where it may be used: without a password, or with one asked at a terminal.
  if command -v sudo >/dev/null && { sudo -n true 2>/dev/null || { [ -t 0 ] && sudo -v; }; }; then
    sudo=(sudo)
  else
    echo "rung: missing Debian packages: ${missing[*]}" >&2
    echo "rung: not root and no sudo here; an administrator can install them with" >&2
    echo "  apt-get install -y --no-install-recommends ${missing[*]}" >&2
    site_build_hint >&2
    exit 3
  fi
fi
echo "rung: installing missing packages: ${missing[*]}"
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
