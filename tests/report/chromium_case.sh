#!/usr/bin/env bash
# chromium_case.sh CHROMIUM PAGE PNG CHECKER
# Renders a report in headless Chromium: a screenshot to PNG (kept as a CI artifact), the DOM
# as Chromium parsed it (every chart present with drawn marks, counted by CHECKER --dom), and
# the console, which must stay silent (SVG attribute errors and script errors are logged as
# CONSOLE lines). A deliberately broken page first proves the console capture works.
set -euo pipefail
chromium=$1 page=$2 png=$3 checker=$4
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$(dirname "$png")"
flags=(--headless --no-sandbox --disable-gpu --no-first-run --disable-background-networking
       --enable-logging=stderr --v=0 --user-data-dir="$work/profile")
page_url="file://$(realpath "$page")"

printf '<!DOCTYPE html><html><body><svg width="9" height="9"><rect x="NaN" width="1" height="1"/></svg></body></html>' > "$work/broken.html"
timeout 120 "$chromium" "${flags[@]}" --dump-dom "file://$work/broken.html" > /dev/null 2> "$work/broken.err" || true
grep -q ':CONSOLE' "$work/broken.err" || { echo "Chromium's console is not captured"; cat "$work/broken.err"; exit 1; }

timeout 120 "$chromium" "${flags[@]}" --window-size=1280,5200 --screenshot="$png" "$page_url" 2> "$work/shot.err" > /dev/null
test -s "$png" || { echo "no screenshot at $png"; cat "$work/shot.err"; exit 1; }
timeout 120 "$chromium" "${flags[@]}" --dump-dom "$page_url" > "$work/dom.html" 2> "$work/dom.err"
"$checker" "$work/dom.html" --dom
if grep -h ':CONSOLE' "$work/shot.err" "$work/dom.err"; then
  echo "the console shows messages (above)"; exit 1
fi
echo "rendered $page to $png ($(wc -c < "$png") bytes), console silent"
