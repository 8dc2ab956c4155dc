#!/usr/bin/env bash
# Builds the frontend and the desktop binary into build/bin/momentum.
# Equivalent by hand: npm --prefix frontend run build &&
#   go build -tags desktop,production,webkit2_40 -o momentum .
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
version=$(git describe --tags --always --dirty 2>/dev/null || echo dev)
echo "==> building the frontend"
npm --prefix frontend run build --silent
echo "==> building build/bin/momentum ($version)"
mkdir -p build/bin
go build -tags desktop,production,webkit2_40 -trimpath \
	-ldflags "-s -w -X github.com/momentum-app/momentum/backend/buildinfo.Version=$version" \
	-o build/bin/momentum .
ls -l build/bin/momentum | awk '{printf "==> build/bin/momentum: %.1f MB\n", $5/1048576}'
