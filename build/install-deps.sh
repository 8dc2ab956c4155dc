#!/usr/bin/env bash
# Installs what building and testing Momentum needs on Debian 12, skipping
# what is already there: Debian packages, Go and Node checks, the Wails CLI,
# the frontend's npm packages and the bundled PostgreSQL.
# Sourced or run by build/run.sh and build/test.sh; safe to run again.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
readonly WAILS_VERSION=v2.16.0
readonly GO_MIN=1.26
readonly NODE_MIN=20

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }
die() { printf 'install-deps: %s\n' "$*" >&2; exit 1; }

as_root() {
	if [ "$(id -u)" = 0 ]; then "$@"
	elif command -v sudo >/dev/null 2>&1; then sudo "$@"
	else die "need root to install Debian packages ($*): run as root or install sudo"
	fi
}

# Debian packages: the desktop build (GTK, WebKitGTK 4.0), the test tools
# (Xvfb, ImageMagick, Chromium, a keychain on D-Bus) and the C toolchain.
packages=(gcc libc6-dev pkg-config git curl ca-certificates libgtk-3-dev libwebkit2gtk-4.0-dev
	xvfb xauth imagemagick chromium gnome-keyring dbus-x11 dbus)
missing=()
for p in "${packages[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	say "installing Debian packages: ${missing[*]}"
	as_root apt-get update -qq
	as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# Go: the machine's go, or Debian's, which fetches the toolchain go.mod names
# through the Go module proxy.
export PATH="$PATH:/usr/local/go/bin:$(go env GOPATH 2>/dev/null || echo "$HOME/go")/bin"
if ! command -v go >/dev/null 2>&1; then
	say "installing Go from Debian (it fetches Go $GO_MIN+ through the module proxy)"
	as_root apt-get install -y -qq golang-go >/dev/null
fi
export GOTOOLCHAIN=${GOTOOLCHAIN:-auto}
gov=$(cd "$root" && go env GOVERSION)
case "$gov" in go1.2[6-9]* | go1.[3-9]*) ;; *) die "Go $GO_MIN or newer is needed, found $gov" ;; esac
export PATH="$PATH:$(go env GOPATH)/bin"

# Node.js 20+ with npm.
if ! command -v node >/dev/null 2>&1; then
	say "installing Node.js from Debian"
	as_root apt-get install -y -qq nodejs npm >/dev/null
fi
nodev=$(node -p 'process.versions.node.split(".")[0]')
[ "$nodev" -ge "$NODE_MIN" ] || die "Node.js $NODE_MIN or newer is needed (Vite 8), found $(node --version)"

# Wails CLI, pinned.
if ! command -v wails >/dev/null 2>&1 || ! wails version 2>/dev/null | grep -q "$WAILS_VERSION"; then
	say "installing the Wails CLI $WAILS_VERSION"
	go install "github.com/wailsapp/wails/v2/cmd/wails@$WAILS_VERSION"
fi

# Frontend packages, exactly as locked.
if [ ! -d "$root/frontend/node_modules" ] || [ "$root/frontend/package-lock.json" -nt "$root/frontend/node_modules/.package-lock.json" ]; then
	say "installing the frontend's npm packages"
	(cd "$root/frontend" && npm ci --no-audit --no-fund --loglevel=error)
fi

# The PostgreSQL bundle the binary embeds.
"$root/build/fetch-postgres.sh"
