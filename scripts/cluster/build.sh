#!/usr/bin/env bash
# Build the local control-plane binaries (etcd, kube-apiserver,
# kube-controller-manager, kube-scheduler, kwok) from the pinned Go modules in
# scripts/cluster/go into a content-addressed cache directory:
#
#   ${PANDA_K8S_CACHE:-$HOME/.cache/panda-k8s}/bin-<hash>
#
# <hash> covers the Go toolchain version, GOOS/GOARCH, go.mod, go.sum and the
# wrapper sources, so a change to any of them produces a fresh directory. When
# the directory is already complete this script does nothing.
#
# Progress goes to stderr; the last (only) line on stdout is the bin directory.
#
# Environment:
#   PANDA_K8S_CACHE        cache root (default: $HOME/.cache/panda-k8s)
#   PANDA_K8S_BUILD_JOBS   go build -p value (default: 2)
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
GODIR="$HERE/go"
CACHE="${PANDA_K8S_CACHE:-$HOME/.cache/panda-k8s}"
JOBS="${PANDA_K8S_BUILD_JOBS:-2}"
BINARIES=(etcd kube-apiserver kube-controller-manager kube-scheduler kwok)

log() { printf '[cluster/build] %s\n' "$*" >&2; }

command -v go >/dev/null 2>&1 || { [ -x /usr/local/go/bin/go ] && export PATH="/usr/local/go/bin:$PATH"; }
command -v go >/dev/null 2>&1 || { log "error: go is not on PATH (Go is needed to build the local control plane)"; exit 1; }

# Stamp the Kubernetes version into the binaries (as upstream's release build
# does), so /version reports it instead of v0.0.0-master.
KUBE_VERSION="$(awk '$1 == "k8s.io/kubernetes" { print $2; exit }' "$GODIR/go.mod")"
KUBE_MINOR="${KUBE_VERSION#v1.}"
KUBE_MINOR="${KUBE_MINOR%%.*}"
V=k8s.io/component-base/version
LDFLAGS="-s -w -X $V.gitVersion=$KUBE_VERSION -X $V.gitMajor=1 -X $V.gitMinor=$KUBE_MINOR -X $V.gitTreeState=clean -X $V.gitCommit="
CGO="${CGO_ENABLED:-0}"

version_hash() {
	{
		go env GOVERSION GOOS GOARCH
		printf 'ldflags=%s cgo=%s\n' "$LDFLAGS" "$CGO"
		cd "$GODIR"
		# Every input of the build, in a stable order.
		find go.mod go.sum cmd -type f -print | LC_ALL=C sort | while read -r f; do
			printf '%s\n' "$f"
			cat "$f"
		done
	} | sha256sum | cut -c1-16
}

HASH="$(version_hash)"
BIN="$CACHE/bin-$HASH"

complete() {
	[ -f "$BIN/.complete" ] || return 1
	local b
	for b in "${BINARIES[@]}"; do
		[ -x "$BIN/$b" ] || return 1
	done
}

if complete; then
	log "binaries up to date: $BIN"
	printf '%s\n' "$BIN"
	exit 0
fi

mkdir -p "$CACHE"
# Serialise concurrent builds into the same cache.
exec 9>"$CACHE/.build.lock"
if command -v flock >/dev/null 2>&1; then
	flock 9
fi
if complete; then
	log "binaries up to date (built concurrently): $BIN"
	printf '%s\n' "$BIN"
	exit 0
fi

TMP="$CACHE/.bin-$HASH.tmp.$$"
rm -rf "$TMP"
mkdir -p "$TMP"
trap 'rm -rf "$TMP"' EXIT

start=$(date +%s)
log "building ${BINARIES[*]} with $(go env GOVERSION) (-p $JOBS) into $BIN"
log "downloading modules (first run only)..."
(cd "$GODIR" && go mod download >&2)
log "modules ready after $(( $(date +%s) - start ))s; compiling (a cold build takes ~12 min on 2 cores)..."
(
	cd "$GODIR"
	CGO_ENABLED="$CGO" go build \
		-mod=readonly -buildvcs=false -trimpath -ldflags "$LDFLAGS" \
		-p "$JOBS" -o "$TMP/" ./cmd/...
) >&2

for b in "${BINARIES[@]}"; do
	[ -x "$TMP/$b" ] || { log "error: $b was not produced"; exit 1; }
done
touch "$TMP/.complete"
rm -rf "$BIN"
mv "$TMP" "$BIN"
trap - EXIT

# Drop binary sets of other pins that were built more than a week ago (other
# checkouts may still use recent ones; running processes keep their inodes).
find "$CACHE" -mindepth 1 -maxdepth 1 -type d -name 'bin-*' ! -path "$BIN" -mtime +7 -print |
	while read -r old; do
		log "removing stale $old"
		rm -rf "$old"
	done

log "built in $(( $(date +%s) - start ))s: $BIN"
printf '%s\n' "$BIN"
