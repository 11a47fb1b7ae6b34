#!/usr/bin/env bash
# Installs rung's build and run dependencies from Debian's packages, when any is missing.
# Used by `make demo` and `make test`; safe to run again (does nothing when all are there).
#   scripts/install-deps.sh [--bench]
set -euo pipefail
packages=(cmake make g++ libopenmpi-dev openmpi-bin libhdf5-dev libyaml-cpp-dev libtorch-dev
          libgtest-dev libeigen3-dev libnlopt-cxx-dev libbenchmark-dev)
# --bench: also what the benchmark scripts need (plots with Debian's matplotlib).
[ "${1:-}" = "--bench" ] && packages+=(python3-matplotlib)
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
