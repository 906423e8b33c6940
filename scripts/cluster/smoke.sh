#!/usr/bin/env bash
# Smoke test for the local control plane: run against a cluster started by
# up.sh (KUBECONFIG must point at it). Creates and deletes its own namespace.
# Checks Deployments, Services, PV/PVC binding, server-side apply, server
# dry-run, Jobs, namespace deletion and the kwok pod conventions of
# kwok-stages.yaml. Prints one line per check and exits non-zero on failure.
set -uo pipefail

: "${KUBECONFIG:?set KUBECONFIG (eval \"\$(scripts/cluster/up.sh)\")}"
NS="smoke-$$"
PV="smoke-$$"
passed=0
failed=0

check() { # description, command...
	local what="$1"
	shift
	if "$@" >/tmp/smoke.$$.out 2>&1; then
		passed=$((passed + 1))
		printf 'ok   %s\n' "$what"
	else
		failed=$((failed + 1))
		printf 'FAIL %s\n' "$what"
		sed 's/^/     /' /tmp/smoke.$$.out | tail -n 20
	fi
}

# jp OBJECT JSONPATH: print a field.
jp() { kubectl -n "$NS" get "$1" -o jsonpath="$2"; }

# eventually SECONDS COMMAND...: retry until it succeeds.
eventually() {
	local deadline=$((SECONDS + $1))
	shift
	until "$@"; do
		[ $SECONDS -lt $deadline ] || return 1
		sleep 0.5
	done
}

equals() { [ "$1" = "$2" ] || { echo "expected '$2', got '$1'"; return 1; }; }
pod_of() { kubectl -n "$NS" get pods -l "app=$1" -o name | head -n 1; }
pod_field() { jp "$(pod_of "$1")" "$2"; }

cleanup() {
	kubectl delete namespace "$NS" --wait=false >/dev/null 2>&1 || true
	kubectl delete pv "$PV" --wait=false >/dev/null 2>&1 || true
	rm -f /tmp/smoke.$$.out
}
trap cleanup EXIT

# shellcheck disable=SC2016 # expanded by the inner shell
check "apiserver /readyz" eventually 5 bash -c '[ "$(kubectl get --raw /readyz)" = ok ]'
check "kwok node Ready" kubectl wait --for=condition=Ready node -l type=kwok --timeout=10s
kubectl create namespace "$NS" >/dev/null
check "default ServiceAccount in new namespace" eventually 20 kubectl -n "$NS" get serviceaccount default

deployment() { # name, replicas, image, annotations-yaml
	cat <<EOF
apiVersion: apps/v1
kind: Deployment
metadata: {name: $1, namespace: $NS}
spec:
  replicas: $2
  selector: {matchLabels: {app: $1}}
  template:
    metadata:
      labels: {app: $1}
      annotations: {${4:-}}
    spec:
      containers:
      - name: main
        image: $3
        ports: [{containerPort: 8080}]
EOF
}

deployment web 2 registry.example/panda-server:1 | kubectl apply --server-side -f - >/dev/null
check "Deployment (server-side apply) becomes Available" \
	kubectl -n "$NS" wait deployment/web --for=condition=Available --timeout=30s
check "readyReplicas=2" equals "$(jp deployment/web '{.status.readyReplicas}')" 2

deployment web 5 registry.example/panda-server:1 | kubectl apply --dry-run=server -f - >/dev/null 2>&1
check "apply --dry-run=server leaves replicas alone" equals "$(jp deployment/web '{.spec.replicas}')" 2

kubectl -n "$NS" expose deployment web --port 80 --target-port 8080 >/dev/null
check "Service gets a ClusterIP" eventually 10 bash -c "[ -n \"\$(kubectl -n $NS get service web -o jsonpath='{.spec.clusterIP}')\" ]"
check "EndpointSlice lists both pods" eventually 20 bash -c \
	"[ \"\$(kubectl -n $NS get endpointslices -l kubernetes.io/service-name=web -o jsonpath='{.items[*].endpoints[*].addresses[0]}' | wc -w)\" = 2 ]"

kubectl apply -f - >/dev/null <<EOF
apiVersion: v1
kind: PersistentVolume
metadata:
  name: $PV
  labels: {smoke: "$PV"}
spec:
  capacity: {storage: 10Gi}
  accessModes: [ReadWriteMany]
  storageClassName: manual
  hostPath: {path: /tmp/$PV}
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: data, namespace: $NS}
spec:
  accessModes: [ReadWriteMany]
  storageClassName: manual
  resources: {requests: {storage: 1Gi}}
  selector: {matchLabels: {smoke: "$PV"}}
EOF
check "PVC binds to the matching PV" \
	kubectl -n "$NS" wait pvc/data --for=jsonpath='{.status.phase}'=Bound --timeout=30s

kubectl apply -f - >/dev/null <<EOF
apiVersion: batch/v1
kind: Job
metadata: {name: ok, namespace: $NS}
spec:
  template:
    spec:
      restartPolicy: Never
      containers: [{name: main, image: busybox}]
---
apiVersion: batch/v1
kind: Job
metadata: {name: fails, namespace: $NS}
spec:
  backoffLimit: 0
  template:
    metadata:
      annotations: {pod-complete.stage.kwok.x-k8s.io/exit-code: "2"}
    spec:
      restartPolicy: Never
      containers: [{name: main, image: busybox}]
EOF
check "Job completes" kubectl -n "$NS" wait job/ok --for=condition=Complete --timeout=30s
check "Job with exit-code annotation fails" kubectl -n "$NS" wait job/fails --for=condition=Failed --timeout=30s

deployment delayed 1 registry.example/x:1 'pod-ready.stage.kwok.x-k8s.io/delay: "4s"' | kubectl apply -f - >/dev/null
deployment never 1 registry.example/x:1 'pod-ready.stage.kwok.x-k8s.io/never: "true"' | kubectl apply -f - >/dev/null
deployment neverimg 1 registry.example/never-ready:1 | kubectl apply -f - >/dev/null
deployment unpullable 1 registry.example/unpullable:1 | kubectl apply -f - >/dev/null
deployment crashloop 1 registry.example/crashloop:1 | kubectl apply -f - >/dev/null
check "ready-delay pod is Running but not Ready at first" eventually 3 bash -c \
	"kubectl -n $NS get pods -l app=delayed -o jsonpath='{.items[0].status.phase}/{.items[0].status.conditions[?(@.type==\"Ready\")].status}' | grep -qx Running/False"
check "ready-delay pod turns Ready after the delay" \
	kubectl -n "$NS" wait deployment/delayed --for=condition=Available --timeout=20s
started="$(pod_field delayed '{.status.startTime}')"
ready="$(pod_field delayed '{.status.conditions[?(@.type=="Ready")].lastTransitionTime}')"
check "ready-delay honoured (>= 4s from startTime)" \
	test $(($(date -d "$ready" +%s) - $(date -d "$started" +%s))) -ge 4
sleep 3
check "never annotation: Running, not Ready" \
	equals "$(pod_field never '{.status.phase}/{.status.conditions[?(@.type=="Ready")].status}')" Running/False
check "never-ready image: Running, not Ready" \
	equals "$(pod_field neverimg '{.status.phase}/{.status.conditions[?(@.type=="Ready")].status}')" Running/False
check "unpullable image: Pending, ImagePullBackOff" \
	equals "$(pod_field unpullable '{.status.phase}/{.status.containerStatuses[0].state.waiting.reason}')" Pending/ImagePullBackOff
check "crashloop image: Running, CrashLoopBackOff" \
	equals "$(pod_field crashloop '{.status.phase}/{.status.containerStatuses[0].state.waiting.reason}')" Running/CrashLoopBackOff

kubectl -n "$NS" scale deployment web --replicas=1 >/dev/null
check "scale down removes a pod" eventually 20 bash -c \
	"[ \"\$(kubectl -n $NS get pods -l app=web -o name | wc -l)\" = 1 ]"

check "namespace deletion finishes" kubectl delete namespace "$NS" --timeout=90s
check "PV released and deletable" kubectl delete pv "$PV" --timeout=30s

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
