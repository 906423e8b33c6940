#!/usr/bin/env bash
# Build the encryption tools the tests run against — sops, age and age-keygen — from the pinned
# Go modules in scripts/tools/go into a content-addressed cache directory:
#
#   ${PANDA_K8S_CACHE:-$HOME/.cache/panda-k8s}/tools-<hash>
#
# <hash> covers the Go toolchain version, GOOS/GOARCH, go.mod and go.sum, so a new pin builds a
# fresh directory. When the directory is already complete this script does nothing.
#
# Progress goes to stderr; the last (only) line on stdout is the directory.
#
# Environment:
#   PANDA_K8S_CACHE        cache root (default: $HOME/.cache/panda-k8s)
#   PANDA_K8S_BUILD_JOBS   go build -p value (default: 2)
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
GODIR="$HERE/go"
CACHE="${PANDA_K8S_CACHE:-$HOME/.cache/panda-k8s}"
JOBS="${PANDA_K8S_BUILD_JOBS:-2}"
TOOLS=(github.com/getsops/sops/v3/cmd/sops filippo.io/age/cmd/age filippo.io/age/cmd/age-keygen)
BINARIES=(sops age age-keygen)
LDFLAGS="-s -w"

log() { printf '[tools/build] %s\n' "$*" >&2; }

command -v go >/dev/null 2>&1 || { [ -x /usr/local/go/bin/go ] && export PATH="/usr/local/go/bin:$PATH"; }
command -v go >/dev/null 2>&1 || { log "error: go is not on PATH (Go is needed to build sops and age for the tests)"; exit 1; }

version_hash() {
	{
		go env GOVERSION GOOS GOARCH
		printf 'ldflags=%s tools=%s\n' "$LDFLAGS" "${TOOLS[*]}"
		cat "$GODIR/go.mod" "$GODIR/go.sum"
	} | sha256sum | cut -c1-16
}

DIR="$CACHE/tools-$(version_hash)"

complete() {
	[ -f "$DIR/.complete" ] || return 1
	local b
	for b in "${BINARIES[@]}"; do
		[ -x "$DIR/$b" ] || return 1
	done
}

if complete; then
	log "tools up to date: $DIR"
	printf '%s\n' "$DIR"
	exit 0
fi

mkdir -p "$CACHE"
# Serialise concurrent builds into the same cache.
exec 9>"$CACHE/.tools-build.lock"
if command -v flock >/dev/null 2>&1; then
	flock 9
fi
if complete; then
	log "tools up to date (built concurrently): $DIR"
	printf '%s\n' "$DIR"
	exit 0
fi

TMP="$CACHE/.tools.tmp.$$"
rm -rf "$TMP"
mkdir -p "$TMP"
trap 'rm -rf "$TMP"' EXIT

start=$(date +%s)
log "building ${BINARIES[*]} with $(go env GOVERSION) (-p $JOBS) into $DIR"
(cd "$GODIR" && go mod download >&2)
log "modules ready after $(($(date +%s) - start))s; compiling (a cold build takes ~3 min on 2 cores)..."
(
	cd "$GODIR"
	CGO_ENABLED=0 go build -mod=readonly -buildvcs=false -trimpath -ldflags "$LDFLAGS" -p "$JOBS" -o "$TMP/" "${TOOLS[@]}"
) >&2

for b in "${BINARIES[@]}"; do
	[ -x "$TMP/$b" ] || { log "error: $b was not produced"; exit 1; }
done
touch "$TMP/.complete"
rm -rf "$DIR"
mv "$TMP" "$DIR"
trap - EXIT

# Drop tool sets of other pins built more than a week ago.
find "$CACHE" -mindepth 1 -maxdepth 1 -type d -name 'tools-*' ! -path "$DIR" -mtime +7 -print |
	while read -r old; do
		log "removing stale $old"
		rm -rf "$old"
	done

log "built in $(($(date +%s) - start))s: $DIR"
printf '%s\n' "$DIR"
