#!/usr/bin/env bash
# scripts/install-deps.sh as a user without root or sudo (a cluster login node), with id,
# dpkg-query, sudo and apt-get stubbed so the test decides what is installed and never
# installs anything: everything there -> says so, exit 0; something missing -> the exact
# apt-get command and how to build against site modules instead, exit 3, apt-get never run;
# RUNG_SKIP_DEPS=1 -> exit 0 without checking; a bad flag -> exit 2.
#   install_deps_case.sh SOURCE_DIR WORK
set -uo pipefail
src=$(realpath "$1") work=$(realpath -m "$2")
fail() { echo "FAIL: $*"; exit 1; }
rm -rf "$work"
mkdir -p "$work/stubs"
stubs=$work/stubs
cat > "$stubs/id" <<'SH'
#!/bin/sh
[ "$1" = -u ] && { echo 1000; exit 0; }
exec /usr/bin/id "$@"
SH
# Reports every package installed except those in $STUB_MISSING.
cat > "$stubs/dpkg-query" <<'SH'
#!/bin/sh
for p in $STUB_MISSING; do [ "$p" = "${4:-$3}" ] && exit 1; done
printf 'install ok installed'
SH
printf '#!/bin/sh\necho "sudo: a password is required" >&2\nexit 1\n' > "$stubs/sudo"
printf '#!/bin/sh\ntouch "%s/apt-get-ran"\n' "$work" > "$stubs/apt-get"
chmod +x "$stubs"/*
deps() { PATH=$stubs:$PATH "$src/scripts/install-deps.sh" "$@" > "$work/out.txt" 2>&1 < /dev/null; }

STUB_MISSING="" deps --test
rc=$?
cat "$work/out.txt"
((rc == 0)) || fail "everything installed: exit $rc, expected 0"
grep -q "every Debian package needed is installed" "$work/out.txt" || fail "did not say all are installed"

export STUB_MISSING="libtorch-dev chromium"
deps --test
rc=$?
cat "$work/out.txt"
((rc == 3)) || fail "missing packages without root: exit $rc, expected 3"
grep -q -x "  apt-get install -y --no-install-recommends libtorch-dev chromium" "$work/out.txt" ||
  fail "no exact apt-get command for the missing packages"
for words in "not root and no sudo" "Building on a cluster" "Torch_DIR=" "CMAKE_PREFIX_PATH=" \
             "RUNG_SKIP_DEPS=1" "HDF5_ROOT" "MPI_HOME"; do
  grep -q -- "$words" "$work/out.txt" || fail "the message does not mention $words"
done
[[ ! -e $work/apt-get-ran ]] || fail "apt-get ran without root"

RUNG_SKIP_DEPS=1 deps --test
rc=$?
((rc == 0)) || fail "RUNG_SKIP_DEPS=1: exit $rc, expected 0"
grep -q "RUNG_SKIP_DEPS is set" "$work/out.txt" || fail "RUNG_SKIP_DEPS=1 did not say it skipped"

deps --nope
rc=$?
((rc == 2)) || fail "a bad flag: exit $rc, expected 2"
[[ ! -e $work/apt-get-ran ]] || fail "apt-get ran"
echo "PASS"
