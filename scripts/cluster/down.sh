#!/usr/bin/env bash
# Stop the local control plane started by scripts/cluster/up.sh: every process
# recorded in the state directory's pid files gets SIGTERM (SIGKILL after 20 s)
# and is waited for; then the state directory (certs, etcd data, logs,
# kubeconfig) is removed. The binary cache is kept.
set -euo pipefail

# shellcheck source=lib.sh
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib.sh"

if [ ! -d "$CLUSTER_DIR" ]; then
	log "nothing to stop ($CLUSTER_DIR does not exist)"
	exit 0
fi
start_time=$SECONDS
lock_cluster
stop_all
remove_state_dir
log "cluster stopped and $CLUSTER_DIR removed in $((SECONDS - start_time))s"
