#!/usr/bin/env bash
# Time until every panel of the Organization page is ready in Chromium: `momentum serve --db
# sqlite` on a temporary data dir with the small demo data, then frontend/e2e/page-ready.mjs
# (a fresh browser context per run; prints each run and the median).
#
#   bash build/page-ready.sh [runs=5] [section=delivery|ci|review]
# MOMENTUM_BIN picks the binary (default build/bin/momentum), MOMENTUM_E2E_PORT the port.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bin=${MOMENTUM_BIN:-$root/build/bin/momentum}
[ -x "$bin" ] || { echo "page-ready: $bin is missing: run build/build.sh" >&2; exit 1; }
data=$(mktemp -d)
port=${MOMENTUM_E2E_PORT:-17420}
log=$data/serve.log
cleanup() { [ -n "${pid:-}" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null; rm -rf "$data"; }
trap cleanup EXIT

"$bin" --db sqlite --data-dir "$data" demo --scale small >/dev/null
"$bin" --db sqlite --data-dir "$data" serve --addr "127.0.0.1:$port" >"$log" 2>&1 &
pid=$!
for _ in $(seq 100); do
	curl -fsS "http://127.0.0.1:$port/api/v1/health" >/dev/null 2>&1 && break
	kill -0 "$pid" 2>/dev/null || { cat "$log"; echo "page-ready: the server exited" >&2; exit 1; }
	sleep 0.1
done
MOMENTUM_URL="http://127.0.0.1:$port" node "$root/frontend/e2e/page-ready.mjs" "${1:-5}" "${2:-delivery}"
