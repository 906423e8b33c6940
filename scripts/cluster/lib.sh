# Shared settings for scripts/cluster/{up,down}.sh. Sourced, not executed.
# shellcheck shell=bash
# shellcheck disable=SC2034 # the settings are used by the sourcing scripts

CLUSTER_SCRIPTS="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PANDA_K8S_CACHE="${PANDA_K8S_CACHE:-$HOME/.cache/panda-k8s}"
CLUSTER_DIR="${PANDA_K8S_CLUSTER_DIR:-$PANDA_K8S_CACHE/cluster}"

ETCD_PORT="${PANDA_K8S_ETCD_PORT:-23790}"
ETCD_PEER_PORT="${PANDA_K8S_ETCD_PEER_PORT:-23800}"
APISERVER_PORT="${PANDA_K8S_APISERVER_PORT:-26443}"
CONTROLLER_MANAGER_PORT="${PANDA_K8S_CONTROLLER_MANAGER_PORT:-26257}"
SCHEDULER_PORT="${PANDA_K8S_SCHEDULER_PORT:-26259}"
KWOK_PORT="${PANDA_K8S_KWOK_PORT:-26250}"

SERVICE_CIDR="${PANDA_K8S_SERVICE_CIDR:-127.96.0.0/16}"
POD_CIDR="${PANDA_K8S_POD_CIDR:-10.244.0.0/16}"
NODE_COUNT="${PANDA_K8S_NODES:-1}"
NODE_CPU="${PANDA_K8S_NODE_CPU:-512}"
NODE_MEMORY="${PANDA_K8S_NODE_MEMORY:-2Ti}"
NODE_PODS="${PANDA_K8S_NODE_PODS:-500}"
UP_TIMEOUT="${PANDA_K8S_UP_TIMEOUT:-120}"
KUBE_VERSION="$(awk '$1 == "k8s.io/kubernetes" { print $2; exit }' "$CLUSTER_SCRIPTS/go/go.mod")"

# Start order; down.sh stops them in reverse.
COMPONENTS=(etcd kube-apiserver kube-controller-manager kube-scheduler kwok)

log() { printf '[cluster] %s\n' "$*" >&2; }

# pid_alive NAME: the pid file exists and names a live process of ours (its
# command line refers to the state directory, so a recycled pid is ignored).
pid_alive() {
	local f="$CLUSTER_DIR/pids/$1.pid" pid
	[ -f "$f" ] || return 1
	pid="$(cat "$f" 2>/dev/null)" || return 1
	[ -n "$pid" ] && [ -d "/proc/$pid" ] || return 1
	tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$CLUSTER_DIR"
}

# stop_all: TERM every recorded process (reverse start order), wait for them
# to exit, KILL stragglers after 20 s, remove the pid files.
stop_all() {
	local i name pid f deadline
	[ -d "$CLUSTER_DIR/pids" ] || return 0
	for ((i = ${#COMPONENTS[@]} - 1; i >= 0; i--)); do
		name="${COMPONENTS[$i]}"
		f="$CLUSTER_DIR/pids/$name.pid"
		[ -f "$f" ] || continue
		if pid_alive "$name"; then
			pid="$(cat "$f")"
			log "stopping $name (pid $pid)"
			kill -TERM "$pid" 2>/dev/null || true
			deadline=$((SECONDS + 20))
			while [ -d "/proc/$pid" ] && [ "$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)" != Z ]; do
				if [ $SECONDS -ge $deadline ]; then
					log "$name did not exit after 20s; killing"
					kill -KILL "$pid" 2>/dev/null || true
					sleep 0.2
					break
				fi
				sleep 0.1
			done
		fi
		rm -f "$f"
	done
}

# remove_state_dir: delete $CLUSTER_DIR, but only when it is one of ours
# (carries the marker file) or empty, so a mistyped PANDA_K8S_CLUSTER_DIR
# cannot wipe anything else.
remove_state_dir() {
	[ -e "$CLUSTER_DIR" ] || return 0
	if [ -f "$CLUSTER_DIR/.panda-k8s-cluster" ] || [ -z "$(ls -A "$CLUSTER_DIR" 2>/dev/null)" ]; then
		rm -rf "$CLUSTER_DIR"
	else
		log "error: refusing to remove $CLUSTER_DIR: it has no .panda-k8s-cluster marker"
		return 1
	fi
}

# lock_cluster: hold an exclusive lock on the state dir for the rest of the
# calling script (fd 8), so concurrent up.sh/down.sh calls queue up.
lock_cluster() {
	mkdir -p "$(dirname "$CLUSTER_DIR")"
	exec 8>"$CLUSTER_DIR.lock"
	if command -v flock >/dev/null 2>&1; then
		flock 8
	fi
}
