#!/usr/bin/env bash
# Installs what is missing, builds Momentum and launches it: the desktop
# window where there is a display, `momentum serve` where there is none.
# Extra arguments go to momentum (e.g. build/run.sh --db sqlite).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
"$root/build/install-deps.sh"
export PATH="$PATH:/usr/local/go/bin:$(go env GOPATH)/bin"
"$root/build/build.sh"
bin="$root/build/bin/momentum"
if [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
	echo "==> launching the desktop app ($bin)"
	exec "$bin" "$@"
fi
echo "==> no display here: serving the app on http://127.0.0.1:7420 instead (Ctrl-C to stop)"
exec "$bin" "$@" serve
