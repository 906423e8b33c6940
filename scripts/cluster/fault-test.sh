#!/usr/bin/env bash
# The fault tests that stop the API server (test/cluster/api-restart.test.ts) on a control plane
# of their own — never the shared one: its own state directory and ports (the defaults + 1000),
# started here and stopped afterwards. Extra arguments go to vitest.
set -euo pipefail
cd "$(dirname "$0")/../.."

export PANDA_K8S_CLUSTER_DIR="${PANDA_K8S_FAULT_CLUSTER_DIR:-/tmp/panda-k8s-fault-cluster}"
export PANDA_K8S_ETCD_PORT=24790 PANDA_K8S_ETCD_PEER_PORT=24800 PANDA_K8S_APISERVER_PORT=27443
export PANDA_K8S_CONTROLLER_MANAGER_PORT=27257 PANDA_K8S_SCHEDULER_PORT=27259 PANDA_K8S_KWOK_PORT=27250
# a service range of its own too, so that its Services never collide with the shared cluster's
export PANDA_K8S_SERVICE_CIDR=127.97.0.0/16

line=$(bash scripts/cluster/up.sh | tail -n 1)
case "$line" in
  "export KUBECONFIG="*) eval "$line" ;;
  *) echo "cluster:up did not print the KUBECONFIG line" >&2; exit 1 ;;
esac
trap 'bash scripts/cluster/down.sh >&2 || true' EXIT
# the test may stop and restart this cluster's API server: it checks that it is this one
export PANDA_K8S_FAULT_CLUSTER="$PANDA_K8S_CLUSTER_DIR"
npx vitest run --project cluster test/cluster/api-restart.test.ts "$@"
