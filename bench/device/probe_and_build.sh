#!/usr/bin/env bash
# On a GPU machine: which of rung's dependencies it has, then a configure and build of
# everything that can build there. Output goes to $OUT (when set) and stdout.
set -u
out=${OUT:-/tmp/rung-device}
mkdir -p "$out"
{
  echo "== system"; uname -a; nvidia-smi -L 2>&1 | head -2; g++ --version | head -1; cmake --version | head -1
  echo "== packages"
  dpkg -l 2>/dev/null | awk '{print $2, $3}' | grep -E "eigen|nlopt|gtest|googletest|hdf5|yaml-cpp|openmpi|benchmark" | head -30
  echo "== headers and libraries"
  ls -d /usr/include/eigen3 /usr/include/nlopt.hpp /usr/include/hdf5/serial/H5Cpp.h /usr/include/gtest 2>&1
  ls /usr/lib/x86_64-linux-gnu/ | grep -E "hdf5_cpp|hdf5_serial_cpp|nlopt|yaml-cpp|gtest" 2>&1 | head
  torch_dir=$(python3 -c 'import torch;print(torch.utils.cmake_prefix_path)' 2>/dev/null)
  echo "torch cmake prefix: $torch_dir"; python3 -c 'import torch;print(torch.__version__, torch.cuda.is_available())'
  echo "== configure"
  cmake -S . -B /tmp/rung-build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_PREFIX_PATH="$torch_dir" 2>&1 | tail -25
  echo "== build"
  timeout 300 cmake --build /tmp/rung-build -j 16 -- -k > "$out/build.log" 2>&1
  echo "build exit: $?"
  grep -E "error|warning: " "$out/build.log" | head -40
  echo "== tests"
  (cd /tmp/rung-build && timeout 200 ctest -j 8 --timeout 120 > "$out/ctest.log" 2>&1; echo "ctest exit: $?")
  tail -25 "$out/ctest.log"
} 2>&1 | tee "$out/device.log"
