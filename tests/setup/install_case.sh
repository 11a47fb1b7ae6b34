#!/usr/bin/env bash
# An installed rung works from anywhere (issue 16): `cmake --install BUILD --prefix P` puts
# rung in P/bin and the Slurm templates, example jobs and shipped data under P/share/rung;
# then, from a working directory outside the source and build trees, with neither RUNG nor
# RUNG_HOME set: `rung --version` names the version, commit and libraries and finds
# P/share/rung/data; `rung validate` reads an installed job; the installed rung-cpu.sbatch,
# run as Slurm would run it (scontrol and squeue stubbed, mpirun as the launcher), finds
# rung-segment.sh beside itself, which finds P/bin/rung beside itself and runs a small job on
# 2 ranks, whose output directory then passes mpi_output_check.
#   install_case.sh SOURCE_DIR BUILD_DIR WORK CHECKER "MPIRUN_FLAGS" VERSION COMMIT TORCH HDF5 MPI_STD
set -euo pipefail
src=$(realpath "$1") build=$(realpath "$2") work=$(realpath -m "$3") checker=$4 flags=$5
version=$6 commit=$7 torch=$8 hdf5=$9 mpi_std=${10}
fail() { echo "FAIL: $*"; exit 1; }
rm -rf "$work"
mkdir -p "$work/elsewhere" "$work/stubs"
prefix=$work/prefix
unset RUNG RUNG_HOME RUNG_DATA_DIR

cmake --install "$build" --prefix "$prefix" > "$work/install.log" || { cat "$work/install.log"; fail "cmake --install"; }

# The layout, and nothing else (no test executables, no third-party headers).
[[ -x $prefix/bin/rung ]] || fail "no $prefix/bin/rung"
for f in rung-segment.sh rung-cpu.sbatch rung-gpu.sbatch rung-gpu-multinode.sbatch rung-array.sbatch; do
  [[ -x $prefix/share/rung/slurm/$f ]] || fail "no executable $prefix/share/rung/slurm/$f"
done
[[ -f $prefix/share/rung/slurm/README.md ]] || fail "no slurm/README.md"
for f in "$src"/jobs/*; do
  cmp -s "$f" "$prefix/share/rung/jobs/$(basename "$f")" || fail "jobs/$(basename "$f") not installed"
done
[[ -d $prefix/share/rung/data ]] || fail "no $prefix/share/rung/data"
if [[ -d $src/data ]]; then
  diff -r -x cifar10 -x fashion-mnist "$src/data" "$prefix/share/rung/data" ||
    fail "share/rung/data differs from the source tree's data/"
fi
extra=$(cd "$prefix" && find . -mindepth 1 -maxdepth 2 |
        grep -v -x -e ./bin -e ./bin/rung -e ./share -e ./share/rung) || true  # none: grep fails
[[ -z $extra ]] || fail "unexpected files installed: $extra"

cd "$work/elsewhere"
rung=$prefix/bin/rung

# --version: the version, the commit configured from, the libraries compiled against, and the
# installed data folder first on the search path.
"$rung" --version > version.txt || fail "rung --version exited $?"
cat version.txt
[[ $(sed -n 1p version.txt) == "rung $version" ]] || fail "first line is not 'rung $version'"
[[ $(sed -n 2p version.txt) == "commit: $commit" ]] || fail "commit line is not 'commit: $commit'"
[[ $commit == unknown || $commit =~ ^[0-9A-Za-z._-]+$ ]] || fail "odd commit '$commit'"
built=$(sed -n 3p version.txt)
[[ $built == "built with: $torch"* ]] || fail "no '$torch' first in: $built"
# (CMake may not know the MPI standard's or HDF5's version: then any.)
std_re=${mpi_std//./\\.}
[[ -n $mpi_std ]] || std_re='[0-9]+\.[0-9]+'
mpi_re=", (Open MPI [0-9]+\.[0-9]+\.[0-9]+|MPICH [^,]*|an MPI library) \(MPI $std_re\), HDF5 "
[[ $built =~ $mpi_re ]] || fail "no MPI library with standard ${mpi_std:-x.y} in: $built"
[[ $built == *", $hdf5"* ]] || fail "no '$hdf5' in: $built"
[[ $(sed -n 4p version.txt) == "data folders: $prefix/share/rung/data"* ]] ||
  fail "the installed rung does not look in $prefix/share/rung/data first"
RUNG_DATA_DIR=$work/elsewhere "$rung" --version | grep -q -x "data folders: $work/elsewhere, $prefix/share/rung/data.*" ||
  fail "RUNG_DATA_DIR does not come first"

"$rung" validate "$prefix/share/rung/jobs/quickstart.yaml" > /dev/null 2> validate.err ||
  { cat validate.err; fail "rung validate of the installed quickstart.yaml"; }
grep -q "valid" validate.err || fail "validate did not say valid"

# The Slurm chain as an sbatch job runs it, outside Slurm: the stubs stand for a controller
# that does not answer (so the template falls back to its own path, as under `bash`).
printf '#!/bin/sh\nexit 1\n' > "$work/stubs/scontrol"
cp "$work/stubs/scontrol" "$work/stubs/squeue"
chmod +x "$work/stubs/scontrol" "$work/stubs/squeue"
cp "$src/tests/setup/jobs/install_smoke.yaml" job.yaml
log=$work/segment.log
PATH=$work/stubs:$PATH SLURM_JOB_ID=4242 SLURM_NTASKS=2 SLURM_JOB_NODELIST=localhost \
  RUNG_LAUNCHER=mpirun RUNG_LAUNCH_ARGS="$flags" \
  bash "$prefix/share/rung/slurm/rung-cpu.sbatch" job.yaml out/smoke > "$log" 2>&1 ||
  { cat "$log"; fail "rung-cpu.sbatch exited $?"; }
tail -n 12 "$log"
grep -q "^rung-segment: $prefix/bin/rung: rung $version" "$log" ||
  fail "rung-segment.sh did not find $prefix/bin/rung beside itself"
grep -q "^rung-segment: rung exited 0" "$log" || fail "the segment did not exit 0"
RUNG_CHECK_OUT=$PWD/out/smoke RUNG_CHECK_JOB=$PWD/job.yaml RUNG_CHECK_NP=2 RUNG_CHECK_LOG=$log "$checker"
"$rung" status out/smoke | grep -q '^state: *ended' || fail "rung status does not say ended"

# rung-segment.sh away from any rung: RUNG_HOME finds the install; without it, a clear error.
mkdir -p "$work/lonely"
cp "$prefix/share/rung/slurm/rung-segment.sh" "$work/lonely/"
set +e
PATH=$work/stubs:/usr/bin:/bin RUNG_HOME=$prefix RUNG_LAUNCHER=none SLURM_JOB_ID=1 SLURM_NTASKS=2 \
  SLURM_JOB_NODELIST=x "$work/lonely/rung-segment.sh" job.yaml out/x > lonely.log 2>&1
rc=$?
set -e
cat lonely.log
if ((rc != 2)) || ! grep -q "^rung-segment: $prefix/bin/rung: rung $version" lonely.log; then
  fail "RUNG_HOME=$prefix did not lead rung-segment.sh to $prefix/bin/rung (exit $rc)"
fi
set +e
PATH=$work/stubs:/usr/bin:/bin SLURM_JOB_ID=1 SLURM_NTASKS=2 SLURM_JOB_NODELIST=x \
  "$work/lonely/rung-segment.sh" job.yaml out/x > lonely.log 2>&1
rc=$?
set -e
cat lonely.log
if ((rc != 2)) || ! grep -q "set RUNG or RUNG_HOME" lonely.log; then
  fail "rung-segment.sh without a rung to find: exit $rc, not 2 naming RUNG and RUNG_HOME"
fi
echo "PASS: installed under $prefix, ran from $work/elsewhere"
