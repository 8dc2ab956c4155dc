#!/usr/bin/env bash
# Runs every Momentum test: go vet, Go tests with the race detector on SQLite
# and on the bundled PostgreSQL, the frontend's type-check and Vitest, an
# end-to-end run in headless Chromium, and a desktop smoke test under Xvfb.
# As root (CI), the Go tests and the e2e server run as the unprivileged user
# momentum-ci, because PostgreSQL refuses to run as root.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
"$root/build/install-deps.sh"
export PATH="$PATH:/usr/local/go/bin:$(go env GOPATH)/bin"

failed=()
step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }
run() { # run NAME CMD...: run a suite, remember a failure, go on
	local name=$1; shift
	step "$name"
	if "$@"; then echo "--- $name: ok"; else echo "--- $name: FAILED"; failed+=("$name"); fi
}

# The binary embeds the frontend, so build it first.
run "frontend build" npm --prefix frontend run build --silent
run "go vet" go vet ./...

# Go tests: as an unprivileged user when we are root.
go_test() {
	local args=(test -race -count=1 -timeout=20m ./...)
	export MOMENTUM_TEST_REQUIRE_PG=1 MOMENTUM_TEST_REQUIRE_KEYCHAIN=1
	if [ "$(id -u)" != 0 ]; then
		dbus-run-session -- sh -c 'echo -n momentum | gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>&1; exec go "$@"' go "${args[@]}"
		return
	fi
	local user=momentum-ci home=/var/tmp/momentum-ci
	id "$user" >/dev/null 2>&1 || useradd --system --home-dir "$home" --create-home --shell /bin/sh "$user"
	mkdir -p "$home" && chown "$user" "$home"
	# Modules are fetched once as root into a cache the test user can read.
	local modcache=/var/cache/momentum-ci/gomod
	mkdir -p "$modcache"
	GOMODCACHE=$modcache GOFLAGS=-mod=mod go mod download
	chmod -R a+rX /var/cache/momentum-ci
	# The checkout may sit where the test user cannot read (e.g. /root):
	# test a copy of the sources it owns.
	local src=$home/src
	rm -rf "$src" && mkdir -p "$src"
	tar -C "$root" --exclude=./frontend/node_modules --exclude=./build/cache --exclude=./.git -cf - . | tar -C "$src" -xf -
	chown -R "$user" "$src"
	runuser -u "$user" -- env -i PATH="$PATH" HOME="$home" GOMODCACHE="$modcache" GOCACHE="$home/go-build" \
		GOFLAGS=-mod=readonly GOPROXY=off GOTOOLCHAIN=local MOMENTUM_TEST_REQUIRE_PG=1 MOMENTUM_TEST_REQUIRE_KEYCHAIN=1 TMPDIR="$home" \
		dbus-run-session -- sh -c 'echo -n momentum | gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>&1; cd "$0" && exec go "$@"' "$src" "${args[@]}"
}
run "go test -race (SQLite + bundled PostgreSQL)" go_test

run "frontend type-check" npm --prefix frontend run typecheck --silent
run "frontend unit tests (Vitest)" npm --prefix frontend test --silent

run "build the desktop binary" build/build.sh
run "end to end in Chromium" build/e2e.sh
run "desktop smoke under Xvfb" build/desktop-smoke.sh

echo
if [ ${#failed[@]} -gt 0 ]; then
	printf 'FAILED: %s\n' "${failed[@]}"
	exit 1
fi
echo "all test suites passed"
