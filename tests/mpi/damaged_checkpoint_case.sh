#!/usr/bin/env bash
# damaged_checkpoint_case.sh RUNG JOB OUT COMPARE
# Nothing half-written is trusted: a run (one in-process worker) is suspended with SIGUSR1,
# every checkpoint it wrote is then cut short and a stray temporary checkpoint left beside
# them; the resume must say it does not trust them, train those trials again from scratch,
# and still end exactly like an uninterrupted run.
set -uo pipefail
rung=$1 job=$2 out=$3 compare=$4
ref="$out.reference"
fail() { echo "FAIL: $*"; exit 1; }
rm -rf "$out" "$ref"
mkdir -p "$(dirname "$out")"
"$rung" run "$job" --out "$ref" --workers 1 > "$ref.log" 2>&1 || { cat "$ref.log"; fail "reference run"; }
"$rung" run "$job" --out "$out" --workers 1 > "$out.1.log" 2>&1 &
pid=$!
while kill -0 "$pid" 2> /dev/null && ! grep -qE '^\[ *[0-9.]+s\] job ' "$out.1.log"; do sleep 0.02; done
sleep 1.5
kill -USR1 "$pid"
wait "$pid"
rc=$?
[ "$rc" -eq 3 ] || { cat "$out.1.log"; fail "the signalled run exited $rc, expected 3"; }
n=0
for f in "$out"/checkpoints/*.h5; do
  head -c 700 "$f" > "$f.cut" && mv "$f.cut" "$f"
  n=$((n + 1))
done
[ "$n" -gt 0 ] || fail "the suspended run left no checkpoint to damage"
echo "not HDF5" > "$out/checkpoints/stray.h5.tmp.4242"
"$rung" run "$job" --out "$out" --workers 1 > "$out.2.log" 2>&1 || { cat "$out.2.log"; fail "the resume failed"; }
grep -E 'resume|restart|trust|removed|again' "$out.2.log" | cut -c1-200
grep -q "not trusting" "$out.2.log" || fail "the damaged checkpoints were not reported"
grep -q "removed .*stray.h5.tmp.4242" "$out.2.log" || fail "the temporary checkpoint was not removed"
[ ! -e "$out/checkpoints/stray.h5.tmp.4242" ] || fail "the temporary checkpoint is still there"
echo "damaged $n checkpoint(s)"
RUNG_REFERENCE_OUT="$ref" RUNG_RESUMED_OUT="$out" "$compare"
