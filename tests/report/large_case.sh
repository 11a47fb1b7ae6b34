#!/usr/bin/env bash
# large_case.sh RUNG JOB OUT CHECKER: a 10,000-trial study from `rung simulate` (analytic
# curves), then `rung report`: the page is well-formed, every chart drawn, and it says it
# sampled; every trial is still counted in the summary.
set -euo pipefail
rung=$1 job=$2 out=$3 checker=$4
rm -rf "$out"; mkdir -p "$(dirname "$out")"
"$rung" simulate "$job" --workers 100 --curves analytic --out "$out" > "$out.log" 2>&1 || { tail "$out.log"; exit 1; }
"$rung" report "$out"
"$checker" "$out/report.html"
page="$out/report.html"
grep -q 'id="sampling-banner"' "$page" || { echo "no sampling banner"; exit 1; }
grep -q 'Sampled: 300 of 10,000 trials' "$page" || { echo "learning curves not sampled as 300 of 10,000"; exit 1; }
grep -q '<th>trials</th><td>10000 started' "$page" || { echo "summary does not count 10000 trials"; exit 1; }
echo "large report ok: $(wc -c < "$page") bytes"
