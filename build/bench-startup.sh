#!/usr/bin/env bash
# Benchmark: from launching `momentum serve` to GET /api/v1/health answering
# OK, per database engine, against the baseline of launching the same binary
# for `momentum version` (process start and Go runtime init), measured in the
# same run. Also prints the binary's size. Median of N runs (default 5).
# As root, the bundled-PostgreSQL runs use the unprivileged user momentum-ci.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bin=${MOMENTUM_BIN:-$root/build/bin/momentum}
n=${N:-5}
port=${PORT:-17499}
[ -x "$bin" ] || { echo "bench-startup: $bin is missing: run build/build.sh" >&2; exit 1; }

as_user=()
if [ "$(id -u)" = 0 ]; then
	id momentum-ci >/dev/null 2>&1 || useradd --system --home-dir /var/tmp/momentum-ci --create-home --shell /bin/sh momentum-ci
	as_user=(runuser -u momentum-ci --)
fi

now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

# start_to_health DB DATADIR [runner...]: ms from exec to health OK, then stop.
start_to_health() {
	local db=$1 dir=$2; shift 2
	local t0 pid
	t0=$(now_ms)
	"$@" "$bin" --db "$db" --data-dir "$dir" serve --addr "127.0.0.1:$port" >"$dir.log" 2>&1 &
	pid=$!
	until curl -fsS "http://127.0.0.1:$port/api/v1/health" 2>/dev/null | grep -q '"status":"ok"'; do
		kill -0 "$pid" 2>/dev/null || { cat "$dir.log" >&2; echo "bench-startup: the server exited" >&2; exit 1; }
		sleep 0.005
	done
	echo $(( $(now_ms) - t0 ))
	kill -TERM "$pid"; wait "$pid" 2>/dev/null || true
}

work=$(mktemp -d /var/tmp/momentum-bench.XXXXXX)
chmod 755 "$work"
trap 'rm -rf "$work"' EXIT

base=$(for _ in $(seq "$n"); do t0=$(now_ms); "$bin" version >/dev/null; echo $(( $(now_ms) - t0 )); done | median)
sqlite=$(mkdir -p "$work/sqlite"; for _ in $(seq "$n"); do start_to_health sqlite "$work/sqlite"; done | median)
cold=$(for i in $(seq "$n"); do d="$work/cold$i"; mkdir -p "$d"; [ ${#as_user[@]} = 0 ] || chown momentum-ci "$d"; start_to_health embedded "$d" "${as_user[@]}"; done | median)
warm=$(d="$work/cold1"; for _ in $(seq "$n"); do start_to_health embedded "$d" "${as_user[@]}"; done | median)

size=$(stat -c %s "$bin")
printf '\nstart → health OK, median of %d runs (%s)\n' "$n" "$(date -u +%F)"
printf '%-44s %8s %10s\n' case ms "× baseline"
printf '%-44s %8d %10s\n' "baseline: momentum version" "$base" "1.0"
for row in "serve, SQLite:$sqlite" "serve, bundled PostgreSQL (warm):$warm" "serve, bundled PostgreSQL (first start):$cold"; do
	name=${row%:*}; ms=${row##*:}
	printf '%-44s %8d %10s\n' "$name" "$ms" "$(awk -v a="$ms" -v b="$base" 'BEGIN {printf "%.1f", a/(b>0?b:1)}')"
done
bundle=$(stat -c %s "$root"/backend/store/pgembed/bundle/postgres-*.tar.gz 2>/dev/null | head -1)
awk -v b="$bin" -v s="$size" -v p="${bundle:-0}" 'BEGIN {printf "binary: %s, %.1f MB (the PostgreSQL bundle is %.1f MB of it)\n", b, s/1048576, p/1048576}'
