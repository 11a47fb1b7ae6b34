#!/usr/bin/env bash
# Journals written before the typed journal (tests/tune/journal_compat, by rung at acda168)
# still resume and still report, and a finished run's missing outputs are rebuilt from its
# journal: a run cut after `cut` records resumes with today's rung and
# ends with the trials the old rung's uninterrupted run ended with; `rung status` and
# `rung report` read the old journal whole.
#   journal_compat_case.sh RUNG FIXTURE_DIR WORK_DIR
set -euo pipefail
rung=$1 fixture=$2 work=$3
rm -rf "$work" && mkdir -p "$work/resumed" "$work/old"
job="$fixture/job.yaml"
cut=$(( $(wc -l < "$fixture/journal") * 3 / 5 ))

# A run killed after `cut` records: the old journal's first lines, no checkpoints.
head -n "$cut" "$fixture/journal" > "$work/resumed/journal"
"$rung" run "$job" --out "$work/resumed" --workers 1 > "$work/resumed.log" 2>&1 ||
  { echo "resuming the old journal failed:"; cat "$work/resumed.log"; exit 1; }
grep -q "resume compat (segment 2)" "$work/resumed.log" ||
  { echo "no resume line:"; cat "$work/resumed.log"; exit 1; }
# name, status, hyperparameters, epochs and objective (the timing columns differ).
outcome() { cut -d, -f1-8 "$1"; }
if ! diff <(outcome "$fixture/trials.csv") <(outcome "$work/resumed/trials.csv"); then
  echo "the resumed run ended otherwise than the old rung's run (old <, resumed >)"; exit 1
fi

# A run killed after its job_end but before its outputs: running it again writes them from
# the journal (the same trials.csv), and trains nothing.
cp "$work/resumed/trials.csv" "$work/trials.before.csv"
rm "$work/resumed/results.h5" "$work/resumed/trials.csv"
"$rung" run "$job" --out "$work/resumed" --workers 1 > "$work/rebuilt.log" 2>&1 ||
  { echo "rebuilding the outputs failed:"; cat "$work/rebuilt.log"; exit 1; }
grep -q "rebuilt from the journal" "$work/rebuilt.log" || { cat "$work/rebuilt.log"; exit 1; }
test -s "$work/resumed/results.h5" || { echo "results.h5 not rebuilt"; exit 1; }
diff "$work/trials.before.csv" "$work/resumed/trials.csv" ||
  { echo "the rebuilt trials.csv differs (before <, rebuilt >)"; exit 1; }

# The old journal, whole, for status and report.
cp "$fixture/journal" "$work/old/journal"
cp "$job" "$work/old/job.yaml"
"$rung" status "$work/old" > "$work/status.log"
grep -q "state: *ended" "$work/status.log" || { echo "status:"; cat "$work/status.log"; exit 1; }
"$rung" report "$work/old" > "$work/report.log"
test -s "$work/old/report.html" || { echo "no report:"; cat "$work/report.log"; exit 1; }
"$rung" report "$work/resumed" > /dev/null
echo "old journal: resumed from record $cut to the same trials; status and report read it"
