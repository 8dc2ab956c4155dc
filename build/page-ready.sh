#!/usr/bin/env bash
# Time until every panel of the Organization page is ready in Chromium: `momentum serve`, then
# frontend/e2e/page-ready.mjs (a fresh browser context per run; prints each run and the median).
# By default on a temporary data dir with the small demo data (SQLite); with MOMENTUM_PAGE_DATA
# set, on that data dir as it is (e.g. the large demo data of build/bench-metrics.sh:
# /var/tmp/momentum-bench/sqlite or .../pg) and MOMENTUM_PAGE_DB (sqlite or embedded; as root
# the bundled PostgreSQL runs as momentum-ci).
#
#   bash build/page-ready.sh [runs=5] [section=delivery|ci|review] [range=30d] [compare=false]
#   MOMENTUM_PAGE_DATA=/var/tmp/momentum-bench/pg MOMENTUM_PAGE_DB=embedded bash build/page-ready.sh 5 delivery 90d true
# MOMENTUM_BIN picks the binary (default build/bin/momentum), MOMENTUM_E2E_PORT the port.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bin=${MOMENTUM_BIN:-$root/build/bin/momentum}
[ -x "$bin" ] || { echo "page-ready: $bin is missing: run build/build.sh" >&2; exit 1; }
tmp=$(mktemp -d)
chmod 755 "$tmp"
port=${MOMENTUM_E2E_PORT:-17420}
log=$tmp/serve.log
cleanup() { [ -n "${pid:-}" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT

db=${MOMENTUM_PAGE_DB:-sqlite}
runner=()
if [ -n "${MOMENTUM_PAGE_DATA:-}" ]; then
	data=$MOMENTUM_PAGE_DATA
	if [ "$db" = embedded ] && [ "$(id -u)" = 0 ]; then
		cp "$bin" "$tmp/momentum" && chmod 755 "$tmp/momentum" && bin=$tmp/momentum
		runner=(runuser -u momentum-ci --)
	fi
else
	data=$tmp/data
	"$bin" --db sqlite --data-dir "$data" demo --scale small >/dev/null
fi
"${runner[@]}" "$bin" --db "$db" --data-dir "$data" serve --addr "127.0.0.1:$port" >"$log" 2>&1 &
pid=$!
for _ in $(seq 100); do
	curl -fsS "http://127.0.0.1:$port/api/v1/health" >/dev/null 2>&1 && break
	kill -0 "$pid" 2>/dev/null || { cat "$log"; echo "page-ready: the server exited" >&2; exit 1; }
	sleep 0.1
done
# Warm up: the first request of a data set opened after an upgrade fills its rollups.
if [ -n "${MOMENTUM_PAGE_DATA:-}" ]; then
	curl -fsS -o /dev/null "http://127.0.0.1:$port/api/v1/metrics/deployments?range=90d" || true
fi
MOMENTUM_URL="http://127.0.0.1:$port" node "$root/frontend/e2e/page-ready.mjs" "${1:-5}" "${2:-delivery}" "${3:-30d}" "${4:-false}"
