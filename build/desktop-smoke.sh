#!/usr/bin/env bash
# Desktop smoke test: the desktop binary opens its window under Xvfb, the
# webview renders the app (it calls /api/v1/health through the AssetServer),
# a screenshot is taken and must not be blank, and SIGTERM closes it cleanly.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bin=${MOMENTUM_BIN:-$root/build/bin/momentum}
out=${SMOKE_OUT:-$root/build/bin/desktop-smoke.png}
[ -x "$bin" ] || { echo "desktop-smoke: $bin is missing: run build/build.sh" >&2; exit 1; }
data=$(mktemp -d)
display=:${SMOKE_DISPLAY:-97}
cleanup() {
	[ -n "${app:-}" ] && kill "$app" 2>/dev/null
	[ -n "${xvfb:-}" ] && kill "$xvfb" 2>/dev/null
	rm -rf "$data"
}
trap cleanup EXIT

Xvfb "$display" -screen 0 1440x900x24 -nolisten tcp >/dev/null 2>&1 &
xvfb=$!
sleep 1
"$bin" --db sqlite --data-dir "$data" demo --scale small >/dev/null
DISPLAY=$display "$bin" --db sqlite --data-dir "$data" -v >"$data/app.log" 2>&1 &
app=$!
# Wait for the webview to load the app and call the API.
ok=
for _ in $(seq 60); do
	if grep -q 'path=/api/v1/metrics/commit-pr-activity' "$data/app.log" 2>/dev/null; then ok=1; break; fi
	kill -0 "$app" 2>/dev/null || break
	sleep 0.5
done
sleep 3 # let the chart draw
DISPLAY=$display import -window root "$out"
kill -TERM "$app"
status=0
wait "$app" || status=$?
app=
colors=$(convert "$out" -format '%k' info:)
stddev=$(convert "$out" -colorspace Gray -format '%[fx:standard_deviation]' info:)
echo "desktop-smoke: screenshot $out: $colors colours, grey standard deviation $stddev; exit status $status"
[ -n "$ok" ] || { cat "$data/app.log"; echo "desktop-smoke: FAIL: the webview never called the API" >&2; exit 1; }
[ "$colors" -gt 50 ] || { echo "desktop-smoke: FAIL: the screenshot is blank" >&2; exit 1; }
[ "$status" = 0 ] || { cat "$data/app.log"; echo "desktop-smoke: FAIL: the app exited with $status on SIGTERM" >&2; exit 1; }
echo "desktop-smoke: PASS"
