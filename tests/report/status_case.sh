#!/usr/bin/env bash
# status_case.sh RUNG JOB OUT
# `rung status` while a real job runs (started here, in the background), after it ended, and
# on a journal cut after its fifth finished trial (a job caught mid-run or crashed): every
# snapshot exits 0; the remaining-time line says the job ended, or estimates the rest from
# the trials finished so far; `rung report` renders the cut run too.
set -uo pipefail
rung=$1 job=$2 out=$3
fail() { echo "FAIL: $*"; exit 1; }
rm -rf "$out" "$out.cut"; mkdir -p "$(dirname "$out")"
"$rung" run "$job" --out "$out" > "$out.log" 2>&1 &
pid=$!
snapshots=0
while kill -0 $pid 2> /dev/null; do
  if [ -s "$out/journal" ]; then
    "$rung" status "$out" > "$out.status" 2>&1 || { cat "$out.status"; fail "status exited $? while the job ran"; }
    grep -q '^remaining: ' "$out.status" || { cat "$out.status"; fail "no remaining line while running"; }
    snapshots=$((snapshots + 1))
  fi
  sleep 0.1
done
wait $pid || { cat "$out.log"; fail "rung run failed"; }
echo "status read the running job $snapshots time(s)"
"$rung" status "$out" > "$out.status" || fail "status on the finished job"
grep -q '^remaining:   nothing (the job has ended)$' "$out.status" || { cat "$out.status"; fail "ended job"; }

mkdir -p "$out.cut"
cp "$out/job.yaml" "$out.cut/"
lines=$(grep -n '"event":"release"' "$out/journal" | grep -v '"outcome":"paused"' | sed -n 5p | cut -d: -f1)
[ -n "$lines" ] || fail "fewer than 5 finished trials in $out/journal"
head -n "$lines" "$out/journal" > "$out.cut/journal"
max=$(sed -n 's/.*"max_trials":\([0-9]*\).*/\1/p' "$out.cut/journal" | head -1)
"$rung" status "$out.cut" > "$out.cut.status" || fail "status on the cut journal"
cat "$out.cut.status"
grep -Eq "^remaining:   about [0-9]+:[0-9]{2} \($((max - 5)) of $max trials unfinished; " "$out.cut.status" ||
  fail "no estimate for $((max - 5)) of $max unfinished trials"
grep -q '^state: *running' "$out.cut.status" || fail "the cut job is not shown as running"
"$rung" report "$out.cut" > /dev/null || fail "report on the cut journal"
grep -q 'not ended' "$out.cut/report.html" || fail "the report of the cut run does not say it has not ended"
echo "status ok"
