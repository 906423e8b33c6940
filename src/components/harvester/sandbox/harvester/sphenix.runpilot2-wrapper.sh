#!/bin/bash
# Minimal PanDA pilot wrapper. Harvester's HTCondor submitter ships this file as the
# executable of every pilot job (see the *.submit_pilot*.sdf templates and the
# executableFile of the queue configuration); it runs on the worker node.
#
# What it does:
#   1. makes a fresh work directory (under $PILOT_WORKDIR_BASE, $TMPDIR or the
#      job's directory) and enters it;
#   2. downloads the pilot tarball and unpacks it;
#   3. runs pilot.py with python 3, passing on every option it does not read
#      itself, forwards termination signals to the pilot and exits with the
#      pilot's exit code;
#   4. removes the work directory (unless PILOT_KEEP_WORKDIR is set).
#
# What it does not do: set up ALRB/CVMFS, re-execute in a container, or report to
# an external pilot monitor. Sites that need a full production wrapper install
# their own file under this name with `panda-k8s install --sandbox-dir DIR`
# (DIR/harvester/harvester/<file>); see docs/harvester-sandbox.md.
#
# Options read here (all others go to pilot.py unchanged):
#   --piloturl URL       pilot tarball; default $PILOT_TARBALL_URL, else the pilot3
#                        release tarball
#   --pythonversion N    python major version for the pilot (default 3)
#   --localpy            accepted; the worker node's python is always used
#   --mute               accepted; nothing is reported to a monitor anyway

pilot_url=${PILOT_TARBALL_URL:-http://cern.ch/atlas-panda-pilot/pilot3.tar.gz}
python_version=3
pilot_args=()

while [ $# -gt 0 ]; do
    case "$1" in
        --piloturl) pilot_url=$2; shift 2 ;;
        --piloturl=*) pilot_url=${1#*=}; shift ;;
        --pythonversion) python_version=$2; shift 2 ;;
        --pythonversion=*) python_version=${1#*=}; shift ;;
        --localpy|--mute) shift ;;
        *) pilot_args+=("$1"); shift ;;
    esac
done

log() { echo "$(date -u +%Y-%m-%dT%H:%M:%SZ) pilot-wrapper: $*"; }
fail() { log "ERROR: $*"; exit "${2:-64}"; }

log "host $(hostname -f 2>/dev/null || hostname), user $(id -un 2>/dev/null || id -u), start dir $PWD"

base=${PILOT_WORKDIR_BASE:-${TMPDIR:-$PWD}}
workdir=$(mktemp -d "${base}/pilot.XXXXXX") || fail "cannot create a work directory under ${base}"
cleanup() {
    cd / || true
    if [ -z "${PILOT_KEEP_WORKDIR:-}" ]; then rm -rf "${workdir}"; fi
}
trap cleanup EXIT
cd "${workdir}" || fail "cannot enter ${workdir}"
log "work directory ${workdir}"

python_bin=$(command -v "python${python_version}" || true)
[ -n "${python_bin}" ] || fail "python${python_version} not found on this node"
log "python: ${python_bin} ($("${python_bin}" -V 2>&1))"

if [ -n "${X509_USER_PROXY:-}" ]; then
    if [ -r "${X509_USER_PROXY}" ]; then
        log "X509_USER_PROXY=${X509_USER_PROXY}"
    else
        log "WARNING: X509_USER_PROXY=${X509_USER_PROXY} is not readable"
    fi
fi

log "fetching ${pilot_url}"
fetched=1
for attempt in 1 2 3; do
    if command -v curl > /dev/null 2>&1; then
        curl -fsSL --connect-timeout 30 --max-time 600 -o pilot.tar.gz "${pilot_url}" && { fetched=0; break; }
    elif command -v wget > /dev/null 2>&1; then
        wget -q -T 60 -O pilot.tar.gz "${pilot_url}" && { fetched=0; break; }
    else
        "${python_bin}" -c 'import sys, urllib.request; urllib.request.urlretrieve(sys.argv[1], "pilot.tar.gz")' "${pilot_url}" && { fetched=0; break; }
    fi
    log "download attempt ${attempt} failed"
    sleep $((attempt * 10))
done
[ "${fetched}" -eq 0 ] || fail "could not download the pilot from ${pilot_url}"
tar -xzf pilot.tar.gz || fail "could not unpack the pilot tarball"

pilot_py=$(find . -maxdepth 3 -name pilot.py -type f | sort | head -n 1)
[ -n "${pilot_py}" ] || fail "no pilot.py in the pilot tarball"
log "running ${pilot_py} ${pilot_args[*]}"

"${python_bin}" "${pilot_py}" "${pilot_args[@]}" &
pilot_pid=$!
forward() { log "got SIG$1, passing it to the pilot"; kill -s "$1" "${pilot_pid}" 2> /dev/null; }
for sig in TERM INT QUIT USR1 XCPU; do
    trap "forward ${sig}" "${sig}"
done

# wait returns early when a trapped signal arrives; keep waiting for the pilot itself
while true; do
    wait "${pilot_pid}"
    rc=$?
    kill -0 "${pilot_pid}" 2> /dev/null || break
done
log "pilot finished with exit code ${rc}"
exit "${rc}"
