#!/usr/bin/env bash
# The whole test suite: build, build the encryption tools and start the local control plane (both
# from Go modules on first use), run the unit and deploy tests, stop the control plane. Extra arguments go to vitest.
set -euo pipefail
cd "$(dirname "$0")/.."

npm run -s build
# sops, age and age-keygen for the sops tests (built from Go modules on first use, then cached)
PANDA_K8S_TOOLS="$(bash scripts/tools/build.sh | tail -n 1)"
export PANDA_K8S_TOOLS

started=""
if [ -z "${KUBECONFIG_FOR_TESTS:-}" ]; then
  line=$(bash scripts/cluster/up.sh | tail -n 1)
  case "$line" in
    "export KUBECONFIG="*) eval "$line" ;;
    *) echo "cluster:up did not print the KUBECONFIG line" >&2; exit 1 ;;
  esac
  started=1
else
  export KUBECONFIG="$KUBECONFIG_FOR_TESTS"
fi
cleanup() { [ -n "$started" ] && bash scripts/cluster/down.sh >&2 || true; }
trap cleanup EXIT

mkdir -p .cache
rm -f .cache/vitest.json
status=0
npx vitest run --reporter=default --reporter=json --outputFile.json=.cache/vitest.json "$@" || status=$?
cleanup
trap - EXIT
# the summary is the last line
[ -f .cache/vitest.json ] && node -e '
  const r = JSON.parse(require("fs").readFileSync(".cache/vitest.json", "utf8"));
  const skipped = r.numPendingTests + r.numTodoTests;
  console.log(`${r.numPassedTests} passed, ${r.numFailedTests} failed` + (skipped ? `, ${skipped} skipped` : ""));
' || true
exit $status
