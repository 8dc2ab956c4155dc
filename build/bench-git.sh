#!/usr/bin/env bash
# Benchmark: the local git source against git itself. On a generated
# repository of 80,000 commits (git fast-import: twenty authors in many time
# zones, one to six files per commit, feature branches and merges, binaries,
# a mailmap, tags), in one run per engine:
#   (a) `git log --all --numstat --no-renames`: the baseline, run before and
#       after the import (the ratio is against their mean);
#   (b) a full import into an empty database, checked against the baseline's
#       output (commits, file changes, line totals), as a ratio to (a);
#   (c) a second sync with nothing new;
#   (d) the peak RSS of the importing process and of the largest git child.
# Targets (issue 4): (b) ≤ 1.2 × (a), (c) < 0.5 s, (d) bounded.
#
#   build/bench-git.sh                      # both engines, 80,000 commits
#   COMMITS=20000 ENGINES=sqlite build/bench-git.sh
#
# The repository is generated once into $MOMENTUM_BENCH_DIR/git-COMMITS and
# reused. Writes build/bench-results/git-DATE-ENGINE.json. As root, everything
# runs as the unprivileged user momentum-ci (the bundled PostgreSQL refuses
# root, and git refuses a repository another user owns).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
dir=${MOMENTUM_BENCH_DIR:-/var/tmp/momentum-bench-git}
commits=${COMMITS:-80000}
engines=${ENGINES:-sqlite embedded}
out=$root/build/bench-results
stamp=$(date -u +%Y-%m-%dT%H%M)

mkdir -p "$dir" "$out"
chmod 755 "$dir"
bin=$dir/bench-git
(cd "$root" && go build -o "$bin" ./build/bench-git)
chmod 755 "$bin"

as_user=()
if [ "$(id -u)" = 0 ]; then
	id momentum-ci >/dev/null 2>&1 || useradd --system --home-dir /var/tmp/momentum-ci --create-home --shell /bin/sh momentum-ci
	as_user=(runuser -u momentum-ci --)
	chown momentum-ci "$dir"
fi

repo=$dir/git-$commits
(cd "$dir" && "${as_user[@]}" "$bin" gen -repo "$repo" -commits "$commits")
for engine in $engines; do
	case $engine in
	sqlite | embedded) ;;
	*) echo "bench-git: unknown engine $engine (sqlite or embedded)" >&2; exit 2 ;;
	esac
	json=$dir/result-$engine.json
	rm -f "$json"
	(cd "$dir" && "${as_user[@]}" "$bin" run -repo "$repo" -db "$engine" -data-dir "$dir/db-$engine" -out "$json")
	cp "$json" "$out/git-$stamp-$engine.json"
done
echo "results: $out/git-$stamp-*.json"
