#!/usr/bin/env bash
# Fetch the published CustomResourceDefinitions of the Gateway API (standard channel), of
# Envoy Gateway and of Argo CD from their Go modules through the Go module proxy, into
#
#   ${PANDA_K8S_CACHE:-$HOME/.cache/panda-k8s}/crds/gateway-api-<v>/   gateway.networking.k8s.io_*.yaml
#   ${PANDA_K8S_CACHE:-$HOME/.cache/panda-k8s}/crds/envoy-gateway-<v>/ gateway.envoyproxy.io_*.yaml
#   ${PANDA_K8S_CACHE:-$HOME/.cache/panda-k8s}/crds/argo-cd-<v>/       application-crd.yaml, ...
#
# The deploy tests apply them to the local control plane so the API server's dry run validates
# our Gateway, HTTPRoute and ClientTrafficPolicy objects and the Argo CD Applications we write
# against the real schemas. Nothing is committed; a complete directory is reused.
#
# Progress goes to stderr; stdout is the three directories, one per line.
#
# Environment:
#   PANDA_K8S_CACHE            cache root (default: $HOME/.cache/panda-k8s)
#   PANDA_K8S_GATEWAY_API      sigs.k8s.io/gateway-api version (default below)
#   PANDA_K8S_ENVOY_GATEWAY    github.com/envoyproxy/gateway version (default below; it must
#                              be built against the same Gateway API minor)
#   PANDA_K8S_ARGO_CD          github.com/argoproj/argo-cd/v3 version (default below)
set -euo pipefail

CACHE="${PANDA_K8S_CACHE:-$HOME/.cache/panda-k8s}"
GATEWAY_API="${PANDA_K8S_GATEWAY_API:-v1.4.0}"
ENVOY_GATEWAY="${PANDA_K8S_ENVOY_GATEWAY:-v1.6.0}"
ARGO_CD="${PANDA_K8S_ARGO_CD:-v3.5.7}"   # v3.6 requires Go 1.27

log() { printf '[crds] %s\n' "$*" >&2; }

command -v go >/dev/null 2>&1 || { [ -x /usr/local/go/bin/go ] && export PATH="/usr/local/go/bin:$PATH"; }
command -v go >/dev/null 2>&1 || { log "error: go is not on PATH (Go fetches the CRD modules)"; exit 1; }

# Modules go to a cache of our own, writable so it can be removed with rm -rf.
export GOMODCACHE="$CACHE/gomod"
export GOFLAGS="-modcacherw"
export GOTOOLCHAIN=local

# module_dir MODULE@VERSION: download it (through GOPROXY) and print its directory.
module_dir() {
	local json dir
	json="$(cd "$CACHE" && timeout 300 go mod download -json "$1")" || { log "error: go mod download $1 failed: $json"; return 1; }
	dir="$(printf '%s\n' "$json" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
	[ -n "$dir" ] && [ -d "$dir" ] || { log "error: no module directory for $1"; return 1; }
	printf '%s\n' "$dir"
}

# collect DEST SRC_DIR GLOB: copy the CRD files matching GLOB into DEST (atomically).
collect() {
	local dest="$1" src="$2" glob="$3" tmp n
	if [ -f "$dest/.complete" ]; then
		printf '%s\n' "$dest"
		return 0
	fi
	tmp="$(mktemp -d "$dest.tmp.XXXXXX")"
	# shellcheck disable=SC2086 # the glob is meant to expand
	cp $src/$glob "$tmp/"
	n="$(find "$tmp" -name '*.yaml' | wc -l)"
	[ "$n" -gt 0 ] || { rm -rf "$tmp"; log "error: no CRDs matching $src/$glob"; return 1; }
	touch "$tmp/.complete"
	rm -rf "$dest"
	mv "$tmp" "$dest"
	log "$n CRD files in $dest"
	printf '%s\n' "$dest"
}

mkdir -p "$CACHE/crds"
GA_DEST="$CACHE/crds/gateway-api-$GATEWAY_API"
EG_DEST="$CACHE/crds/envoy-gateway-$ENVOY_GATEWAY"
if [ ! -f "$GA_DEST/.complete" ]; then
	log "fetching sigs.k8s.io/gateway-api@$GATEWAY_API"
	GA_DIR="$(module_dir "sigs.k8s.io/gateway-api@$GATEWAY_API")"
fi
collect "$GA_DEST" "${GA_DIR:-}/config/crd/standard" 'gateway.networking.k8s.io_*.yaml'
if [ ! -f "$EG_DEST/.complete" ]; then
	log "fetching github.com/envoyproxy/gateway@$ENVOY_GATEWAY"
	EG_DIR="$(module_dir "github.com/envoyproxy/gateway@$ENVOY_GATEWAY")"
fi
collect "$EG_DEST" "${EG_DIR:-}/charts/gateway-helm/crds/generated" 'gateway.envoyproxy.io_*.yaml'
AC_DEST="$CACHE/crds/argo-cd-$ARGO_CD"
if [ ! -f "$AC_DEST/.complete" ]; then
	log "fetching github.com/argoproj/argo-cd/v3@$ARGO_CD"
	AC_DIR="$(module_dir "github.com/argoproj/argo-cd/v3@$ARGO_CD")"
fi
collect "$AC_DEST" "${AC_DIR:-}/manifests/crds" '*-crd.yaml'
