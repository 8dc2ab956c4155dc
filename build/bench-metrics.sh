#!/usr/bin/env bash
# Benchmark: every metric endpoint of the Organization and Individual views on
# the large demo data set (1M+ commits, 200k PRs, 1M+ pipeline runs), 90-day
# range, without and with each filter, with and without compare; p50/p95 per
# request per engine, and each whole page (all panels at once). The baseline
# is GET /api/v1/health, measured interleaved in the same run.
#
# The data sets are generated once into $MOMENTUM_BENCH_DIR/{sqlite,pg}
# (minutes each) and reused; opening them migrates them.
#
#   build/bench-metrics.sh                 # both engines, N=10
#   N=20 ENGINES=sqlite build/bench-metrics.sh
#   METRICS=wip,cycle-time build/bench-metrics.sh
#
# Writes build/bench-results/metrics-DATE.md (and the raw JSON beside it).
# As root, the bundled PostgreSQL runs as the unprivileged user momentum-ci.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
dir=${MOMENTUM_BENCH_DIR:-/var/tmp/momentum-bench}
n=${N:-10}
engines=${ENGINES:-sqlite embedded}
metrics=${METRICS:-}
out=$root/build/bench-results
stamp=$(date -u +%Y-%m-%dT%H%M)

mkdir -p "$dir/sqlite" "$dir/pg" "$out"
chmod 755 "$dir"
bin=$dir/bench-metrics
(cd "$root" && go build -o "$bin" ./build/bench-metrics)
chmod 755 "$bin"

as_user=()
if [ "$(id -u)" = 0 ]; then
	id momentum-ci >/dev/null 2>&1 || useradd --system --home-dir /var/tmp/momentum-ci --create-home --shell /bin/sh momentum-ci
	as_user=(runuser -u momentum-ci --)
	chown momentum-ci "$dir/pg"
fi

jsons=()
for engine in $engines; do
	case $engine in
	sqlite) data=$dir/sqlite; runner=() ;;
	embedded) data=$dir/pg; runner=("${as_user[@]}") ;;
	*) echo "bench-metrics: unknown engine $engine (sqlite or embedded)" >&2; exit 2 ;;
	esac
	json=$data/bench-result.json # the data dir is writable by the user who runs it
	rm -f "$json"
	"${runner[@]}" "$bin" -db "$engine" -data-dir "$data" -n "$n" -metrics "$metrics" -out "$json" >/dev/null
	cp "$json" "$out/metrics-$stamp-$engine.json"
	jsons+=("$out/metrics-$stamp-$engine.json")
done
"$bin" report "${jsons[@]}" | tee "$out/metrics-$stamp.md"
echo "bench-metrics: wrote $out/metrics-$stamp.md" >&2
