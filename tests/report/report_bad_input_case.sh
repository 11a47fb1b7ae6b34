#!/usr/bin/env bash
# report_bad_input_case.sh RUNG WORKDIR: `rung report` on bad input exits 2, names the
# problem, and leaves no report (final or temporary) behind.
set -uo pipefail
rung=$1 work=$2
rm -rf "$work"; mkdir -p "$work"
fail() { echo "FAIL: $*"; exit 1; }
expect() {  # expect WORDS ARGS...: exit 2 and WORDS in stderr
  local words=$1; shift
  "$rung" report "$@" > "$work/out" 2> "$work/err"; local rc=$?
  [ $rc -eq 2 ] || fail "rung report $* exited $rc, not 2"
  grep -qF -- "$words" "$work/err" || { cat "$work/err"; fail "no '$words' in the message"; }
  echo "ok: $(cat "$work/err")"
}
expect "no run directory at $work/nope" "$work/nope"
mkdir -p "$work/empty"
expect "no journal at $work/empty/journal" "$work/empty"
mkdir -p "$work/started"
: > "$work/started/journal"
expect "holds no event yet" "$work/started"
[ -z "$(ls -A "$work/started" | grep -v '^journal$')" ] || fail "files left in $work/started"
mkdir -p "$work/broken"
printf '{"t":0,"event":"job_start","job":"x","objective":"acc"}\nnot json at all\n{"t":1,"event":"job_end"}\n' > "$work/broken/journal"
expect "$work/broken/journal line 2" "$work/broken"
[ -z "$(ls -A "$work/broken" | grep -v '^journal$')" ] || fail "files left in $work/broken: $(ls -A "$work/broken")"
mkdir -p "$work/ok"
printf '{"t":0,"event":"job_start","job":"x","objective":"acc"}\n' > "$work/ok/journal"
expect "$work/missing-dir" "$work/ok" --html "$work/missing-dir/r.html"
expect "missing DIR"
expect "unknown flag '--pdf'" "$work/ok" --pdf
[ -z "$(ls -A "$work/ok" | grep -v '^journal$')" ] || fail "files left in $work/ok"
# The same journal reads fine, and a cut last line (a write in progress) is skipped.
printf '{"t":1,"event":"start","trial":0,"name":"a","worker":1,"until":1,"hyperparameters":{"x":1}}\n{"t":2,"event":"rep' >> "$work/ok/journal"
"$rung" report "$work/ok" --html "$work/ok.html" || fail "a journal with a cut last line did not render"
grep -q "last line was incomplete" "$work/ok.html" || fail "the page does not say the last line was skipped"
echo "bad input ok"
