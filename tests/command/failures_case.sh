#!/usr/bin/env bash
# failures_case.sh RUNG JOB OUT
# One trial per way a user's program fails (the toy program's modes): each ends Failed with
# the cause in summary.json's FailureReason and the journal, the job itself ends normally,
# and the program that hung left no process behind.
set -uo pipefail
rung=$1 job=$2 out=$3
rm -rf "$out"
mkdir -p "$(dirname "$out")"
fail() { echo "FAIL: $*"; exit 1; }
"$rung" run "$job" --out "$out" --workers 2 > "$out.log" 2>&1 || { cat "$out.log"; fail "rung run exited $?"; }
grep -E ' (failed|completed) ' "$out.log"
/usr/bin/python3 - "$out" <<'PY' || exit 1
import json, sys
out = sys.argv[1]
summary = json.load(open(out + "/summary.json"))
failed = {j["TrainingJobName"]: j["FailureReason"] for j in summary.get("FailedTrainingJobs", [])}
modes = {}
for line in open(out + "/journal"):
    e = json.loads(line)
    if e.get("event") == "start":
        modes[e["name"]] = e["hyperparameters"]["mode"]
expected = {
    "crash": ["exited with status 3 at epoch 2", "something went wrong: injected crash"],
    "segv": ["killed by signal SIGSEGV"],
    "nan": ["is not finite at epoch 2"],
    "early_exit": ["after epoch 1, before RUNG_EPOCHS=3, without an error"],
    "silent": ["without reporting an epoch"],
    "hang": ["took longer than rung.epoch_timeout_s"],
}
bad = False
for name, mode in sorted(modes.items()):
    reason = failed.get(name)
    if mode == "normal":
        if reason is not None:
            print(f"FAIL: {name} ({mode}) failed: {reason}"); bad = True
        continue
    if reason is None:
        print(f"FAIL: {name} ({mode}) did not fail"); bad = True
        continue
    for want in expected[mode]:
        if want not in reason:
            print(f"FAIL: {name} ({mode}): {want!r} not in {reason!r}"); bad = True
    print(f"{mode:10} {name}: {reason.splitlines()[0]}")
counters = summary["TrainingJobStatusCounters"]
if counters["Completed"] != 1 or counters["NonRetryableError"] != 6:
    print("FAIL: counters", counters); bad = True
sys.exit(1 if bad else 0)
PY
if pgrep -f "toy_program.py.*--mode hang" > /dev/null; then fail "the hung program is still running"; fi
# `rung report` links each trial to its program's output.
"$rung" report "$out" > /dev/null || fail "rung report failed"
links=$(grep -o 'href="trials/[^"]*/output.log"' "$out/report.html" | wc -l)
[ "$links" -ge 7 ] || fail "the report links $links trials to their output, expected 7 or more"
for f in $(grep -o 'href="trials/[^"]*/output.log"' "$out/report.html" | sed 's/href="//; s/"$//' | sort -u); do
  [ -s "$out/$f" ] || fail "the report links $f, which is not there"
done
echo ok
