#!/usr/bin/env bash
# End to end: `momentum serve --db sqlite` on a temporary data dir with demo
# data, driven by headless Chromium (frontend/e2e/run.mjs). Screenshots land
# in frontend/e2e/screenshots/.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bin=${MOMENTUM_BIN:-$root/build/bin/momentum}
[ -x "$bin" ] || { echo "e2e: $bin is missing: run build/build.sh" >&2; exit 1; }
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
	kill -0 "$pid" 2>/dev/null || { cat "$log"; echo "e2e: the server exited" >&2; exit 1; }
	sleep 0.1
done
MOMENTUM_URL="http://127.0.0.1:$port" npm --prefix "$root/frontend" run e2e --silent
