#!/usr/bin/env bash
# Start a local Kubernetes control plane on 127.0.0.1: etcd, kube-apiserver,
# kube-controller-manager, kube-scheduler and kwok (simulated nodes and pod
# lifecycles). Builds the binaries first when needed (scripts/cluster/build.sh).
#
# All progress goes to stderr. The last line on stdout is
#   export KUBECONFIG=<absolute path>
# so `eval "$(scripts/cluster/up.sh)"` points kubectl at the cluster.
#
# Idempotent: when the cluster is already up and healthy it only prints the
# export line. A half-dead cluster is stopped and started afresh.
# See README.md for the environment variables.
set -euo pipefail

# shellcheck source=lib.sh
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib.sh"

KUBECONFIG_PATH="$CLUSTER_DIR/kubeconfig"
PKI="$CLUSTER_DIR/pki"
LOGS="$CLUSTER_DIR/logs"

command -v kubectl >/dev/null 2>&1 || { log "error: kubectl is not on PATH"; exit 1; }
command -v openssl >/dev/null 2>&1 || { log "error: openssl is not on PATH"; exit 1; }
command -v curl >/dev/null 2>&1 || { log "error: curl is not on PATH"; exit 1; }

k() { kubectl --kubeconfig "$KUBECONFIG_PATH" --request-timeout=10s "$@"; }

healthy() {
	local c
	for c in "${COMPONENTS[@]}"; do
		pid_alive "$c" || return 1
	done
	[ -f "$KUBECONFIG_PATH" ] || return 1
	[ "$(k get --raw /readyz 2>/dev/null)" = ok ] || return 1
	k get serviceaccount default -n default >/dev/null 2>&1 || return 1
	local ready
	ready="$(k get nodes -l type=kwok -o jsonpath='{range .items[*]}{.status.conditions[?(@.type=="Ready")].status}{"\n"}{end}' 2>/dev/null)" || return 1
	[ -n "$ready" ] && ! grep -qv '^True$' <<<"$ready"
}

start_time=$SECONDS
BIN="$("$CLUSTER_SCRIPTS/build.sh" | tail -n 1)"

# One up/down at a time per state dir (fd 8 is closed for the daemons).
lock_cluster

if [ -d "$CLUSTER_DIR/pids" ]; then
	if [ "$(cat "$CLUSTER_DIR/bin" 2>/dev/null)" = "$BIN" ] && healthy; then
		log "cluster already running ($CLUSTER_DIR)"
		printf 'export KUBECONFIG=%s\n' "$KUBECONFIG_PATH"
		exit 0
	fi
	log "cluster in $CLUSTER_DIR is not healthy or uses other binaries; restarting it"
	stop_all
fi

# Refuse to start on top of something else listening on our ports.
for port in "$ETCD_PORT" "$ETCD_PEER_PORT" "$APISERVER_PORT" "$CONTROLLER_MANAGER_PORT" "$SCHEDULER_PORT" "$KWOK_PORT"; do
	if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
		log "error: 127.0.0.1:$port is already in use (another cluster? run scripts/cluster/down.sh, or set PANDA_K8S_*_PORT)"
		exit 1
	fi
done

remove_state_dir
mkdir -p "$PKI" "$LOGS" "$CLUSTER_DIR/pids" "$CLUSTER_DIR/etcd" "$CLUSTER_DIR/run"
chmod 700 "$CLUSTER_DIR" "$CLUSTER_DIR/etcd"
touch "$CLUSTER_DIR/.panda-k8s-cluster"
printf '%s\n' "$BIN" >"$CLUSTER_DIR/bin"

# ---------------------------------------------------------------- certificates
log "generating certificates in $PKI"
first_service_ip() {
	# First usable address of an IPv4 CIDR (the apiserver's ClusterIP).
	local net="${1%/*}" a b c d
	IFS=. read -r a b c d <<<"$net"
	printf '%s.%s.%s.%s\n' "$a" "$b" "$c" $((d + 1))
}
KUBERNETES_SVC_IP="$(first_service_ip "$SERVICE_CIDR")"

(
	cd "$PKI"
	exec 2>>"$LOGS/openssl.log"
	openssl ecparam -name prime256v1 -genkey -noout -out ca.key
	openssl req -x509 -new -key ca.key -sha256 -days 30 -subj "/CN=panda-k8s-local-ca" \
		-addext "basicConstraints=critical,CA:TRUE" \
		-addext "keyUsage=critical,keyCertSign,cRLSign,digitalSignature" -out ca.crt

	# name, subject, extendedKeyUsage, subjectAltName (optional)
	issue() {
		local name="$1" subj="$2" eku="$3" san="${4:-}"
		openssl ecparam -name prime256v1 -genkey -noout -out "$name.key"
		openssl req -new -key "$name.key" -subj "$subj" -out "$name.csr"
		{
			echo "basicConstraints=critical,CA:FALSE"
			echo "keyUsage=critical,digitalSignature,keyEncipherment"
			echo "extendedKeyUsage=$eku"
			[ -z "$san" ] || echo "subjectAltName=$san"
		} >"$name.ext"
		openssl x509 -req -in "$name.csr" -CA ca.crt -CAkey ca.key -CAcreateserial \
			-days 30 -sha256 -extfile "$name.ext" -out "$name.crt"
		rm -f "$name.csr" "$name.ext"
	}
	issue apiserver "/CN=kube-apiserver" serverAuth \
		"IP:127.0.0.1,IP:$KUBERNETES_SVC_IP,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local"
	issue admin "/O=system:masters/CN=panda-k8s-admin" clientAuth
	issue kube-controller-manager "/CN=system:kube-controller-manager" clientAuth
	issue kube-scheduler "/CN=system:kube-scheduler" clientAuth
	issue kwok "/O=system:masters/CN=kwok-controller" clientAuth
	issue kwok-serving "/CN=kwok" serverAuth "IP:127.0.0.1,DNS:localhost"
	issue apiserver-kubelet-client "/O=system:masters/CN=kube-apiserver-kubelet-client" clientAuth

	openssl genrsa -out sa.key 2048
	openssl rsa -in sa.key -pubout -out sa.pub
	chmod 600 ./*.key
)

# ------------------------------------------------------------------ kubeconfigs
b64() { base64 -w0 <"$1"; }
write_kubeconfig() { # file, cert name, user
	cat >"$1" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: panda-k8s-local
  cluster:
    server: https://127.0.0.1:$APISERVER_PORT
    certificate-authority-data: $(b64 "$PKI/ca.crt")
users:
- name: $3
  user:
    client-certificate-data: $(b64 "$PKI/$2.crt")
    client-key-data: $(b64 "$PKI/$2.key")
contexts:
- name: panda-k8s-local
  context:
    cluster: panda-k8s-local
    user: $3
    namespace: default
current-context: panda-k8s-local
EOF
	chmod 600 "$1"
}
write_kubeconfig "$KUBECONFIG_PATH" admin panda-k8s-admin
write_kubeconfig "$CLUSTER_DIR/kube-controller-manager.kubeconfig" kube-controller-manager system:kube-controller-manager
write_kubeconfig "$CLUSTER_DIR/kube-scheduler.kubeconfig" kube-scheduler system:kube-scheduler
write_kubeconfig "$CLUSTER_DIR/kwok.kubeconfig" kwok kwok-controller

# ------------------------------------------------------------------- processes
# start NAME ARGS...: run $BIN/NAME in its own session, detached from our
# stdio, logging to $LOGS/NAME.log, pid in $CLUSTER_DIR/pids/NAME.pid.
start() {
	local name="$1"
	shift
	log "starting $name"
	# shellcheck disable=SC2016 # expanded by the inner shell
	setsid bash -c 'echo $$ >"$1"; shift; exec "$@"' _ \
		"$CLUSTER_DIR/pids/$name.pid" "$BIN/$name" "$@" \
		</dev/null >>"$LOGS/$name.log" 2>&1 8>&- &
	local i
	for i in $(seq 50); do
		[ -s "$CLUSTER_DIR/pids/$name.pid" ] && return 0
		sleep 0.05
	done
	log "error: $name did not start"
	return 1
}

fail() {
	log "error: $*"
	local f
	for f in "$LOGS"/*.log; do
		[ -s "$f" ] || continue
		log "---- last lines of $f"
		tail -n 15 "$f" >&2
	done
	log "stopping the partly started cluster (logs stay in $LOGS)"
	stop_all
	exit 1
}

# wait_for DESCRIPTION COMPONENT COMMAND...: poll COMMAND until it succeeds.
wait_for() {
	local what="$1" component="$2" deadline=$((SECONDS + UP_TIMEOUT))
	shift 2
	until "$@" >/dev/null 2>&1; do
		if [ -n "$component" ] && ! pid_alive "$component"; then
			fail "$component exited while waiting for $what"
		fi
		[ $SECONDS -lt $deadline ] || fail "timed out after ${UP_TIMEOUT}s waiting for $what"
		sleep 0.25
	done
}

start etcd \
	--name=panda-k8s \
	--data-dir="$CLUSTER_DIR/etcd" \
	--listen-client-urls="http://127.0.0.1:$ETCD_PORT" \
	--advertise-client-urls="http://127.0.0.1:$ETCD_PORT" \
	--listen-peer-urls="http://127.0.0.1:$ETCD_PEER_PORT" \
	--initial-advertise-peer-urls="http://127.0.0.1:$ETCD_PEER_PORT" \
	--initial-cluster="panda-k8s=http://127.0.0.1:$ETCD_PEER_PORT" \
	--initial-cluster-state=new \
	--unsafe-no-fsync \
	--quota-backend-bytes=$((2 * 1024 * 1024 * 1024)) \
	--log-level=warn
wait_for "etcd health" etcd curl -fsS --max-time 2 "http://127.0.0.1:$ETCD_PORT/health"

start kube-apiserver \
	--bind-address=127.0.0.1 \
	--advertise-address=127.0.0.1 \
	--secure-port="$APISERVER_PORT" \
	--cert-dir="$CLUSTER_DIR/run" \
	--etcd-servers="http://127.0.0.1:$ETCD_PORT" \
	--tls-cert-file="$PKI/apiserver.crt" \
	--tls-private-key-file="$PKI/apiserver.key" \
	--client-ca-file="$PKI/ca.crt" \
	--kubelet-client-certificate="$PKI/apiserver-kubelet-client.crt" \
	--kubelet-client-key="$PKI/apiserver-kubelet-client.key" \
	--kubelet-certificate-authority="$PKI/ca.crt" \
	--service-cluster-ip-range="$SERVICE_CIDR" \
	--service-account-issuer=https://kubernetes.default.svc.cluster.local \
	--service-account-key-file="$PKI/sa.pub" \
	--service-account-signing-key-file="$PKI/sa.key" \
	--authorization-mode=Node,RBAC \
	--allow-privileged=true \
	--endpoint-reconciler-type=none \
	--profiling=false \
	--v=1
wait_for "kube-apiserver /readyz" kube-apiserver \
	curl -fsS --max-time 2 --cacert "$PKI/ca.crt" --cert "$PKI/admin.crt" --key "$PKI/admin.key" \
	"https://127.0.0.1:$APISERVER_PORT/readyz"

start kube-controller-manager \
	--kubeconfig="$CLUSTER_DIR/kube-controller-manager.kubeconfig" \
	--bind-address=127.0.0.1 \
	--secure-port="$CONTROLLER_MANAGER_PORT" \
	--cert-dir="$CLUSTER_DIR/run" \
	--leader-elect=false \
	--controllers='*' \
	--use-service-account-credentials=true \
	--service-account-private-key-file="$PKI/sa.key" \
	--root-ca-file="$PKI/ca.crt" \
	--cluster-signing-cert-file="$PKI/ca.crt" \
	--cluster-signing-key-file="$PKI/ca.key" \
	--service-cluster-ip-range="$SERVICE_CIDR" \
	--pvclaimbinder-sync-period=2s \
	--enable-hostpath-provisioner \
	--flex-volume-plugin-dir="$CLUSTER_DIR/run/flexvolume" \
	--profiling=false \
	--v=1

start kube-scheduler \
	--kubeconfig="$CLUSTER_DIR/kube-scheduler.kubeconfig" \
	--bind-address=127.0.0.1 \
	--secure-port="$SCHEDULER_PORT" \
	--cert-dir="$CLUSTER_DIR/run" \
	--leader-elect=false \
	--profiling=false \
	--v=1

# `kubectl logs` on any simulated container returns this one CRI-format line.
printf '%s stdout F [kwok] simulated container; there is no real output\n' \
	"$(date -u +%Y-%m-%dT%H:%M:%S.000000000Z)" >"$CLUSTER_DIR/run/container.log"
cat >"$CLUSTER_DIR/kwok-logs.yaml" <<EOF
apiVersion: kwok.x-k8s.io/v1alpha1
kind: ClusterLogs
metadata:
  name: all-containers
spec:
  logs:
  - logsFile: $CLUSTER_DIR/run/container.log
EOF

start kwok \
	--kubeconfig="$CLUSTER_DIR/kwok.kubeconfig" \
	--config="$CLUSTER_SCRIPTS/kwok-stages.yaml" \
	--config="$CLUSTER_DIR/kwok-logs.yaml" \
	--manage-nodes-with-annotation-selector=kwok.x-k8s.io/node=fake \
	--cidr="$POD_CIDR" \
	--node-ip=127.0.0.1 \
	--node-port="$KWOK_PORT" \
	--server-address="127.0.0.1:$KWOK_PORT" \
	--tls-cert-file="$PKI/kwok-serving.crt" \
	--tls-private-key-file="$PKI/kwok-serving.key" \
	--node-lease-duration-seconds=40

# ---------------------------------------------------------------- fake nodes
nodes=""
for ((i = 0; i < NODE_COUNT; i++)); do
	nodes+="---
apiVersion: v1
kind: Node
metadata:
  name: kwok-node-$i
  annotations:
    kwok.x-k8s.io/node: fake
    node.alpha.kubernetes.io/ttl: \"0\"
  labels:
    type: kwok
    kubernetes.io/arch: amd64
    kubernetes.io/os: linux
    kubernetes.io/hostname: kwok-node-$i
    node-role.kubernetes.io/worker: \"\"
status:
  allocatable: &res
    cpu: \"$NODE_CPU\"
    memory: $NODE_MEMORY
    pods: \"$NODE_PODS\"
    ephemeral-storage: 1Ti
  capacity: *res
  nodeInfo:
    architecture: amd64
    operatingSystem: linux
    kubeletVersion: $KUBE_VERSION
    containerRuntimeVersion: kwok
"
done
wait_for "API access for the admin kubeconfig" "" k get --raw /readyz
printf '%s' "$nodes" | k create -f - >&2 || fail "could not create nodes"

wait_for "kube-controller-manager /healthz" kube-controller-manager \
	curl -fsSk --max-time 2 "https://127.0.0.1:$CONTROLLER_MANAGER_PORT/healthz"
wait_for "kube-scheduler /healthz" kube-scheduler \
	curl -fsSk --max-time 2 "https://127.0.0.1:$SCHEDULER_PORT/healthz"
wait_for "nodes Ready" kwok \
	k wait --for=condition=Ready node -l type=kwok --timeout=5s
wait_for "ServiceAccount default/default" kube-controller-manager \
	k get serviceaccount default -n default

# A default StorageClass served by kube-controller-manager's host-path provisioner (as in
# Kubernetes' local-up-cluster): claims without a class, and StatefulSets' claim templates, bind.
k apply -f - >&2 <<SC || fail "could not create the default StorageClass"
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata:
  name: standard
  annotations:
    storageclass.kubernetes.io/is-default-class: "true"
provisioner: kubernetes.io/host-path
reclaimPolicy: Delete
volumeBindingMode: Immediate
SC

log "cluster up in $((SECONDS - start_time))s; kubeconfig: $KUBECONFIG_PATH"
printf 'export KUBECONFIG=%s\n' "$KUBECONFIG_PATH"
