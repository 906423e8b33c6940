#!/bin/bash
# Health check of the Harvester pod, run every 10 minutes by run-harvester-crons. While Harvester
# (uWSGI), the personal HTCondor pool (condor_master, condor_schedd) and condor_q all answer, it
# writes /var/log/panda/harvester_healthy, which the container's liveness probe reads; otherwise
# it removes the file and the kubelet restarts the container once the probe fails.

healthy=/var/log/panda/harvester_healthy
problems=()

running() { pgrep -f "$1" > /dev/null 2>&1; }

running uwsgi || problems+=("Harvester (uWSGI) is not running")
running condor_master || problems+=("condor_master is not running")
running condor_schedd || problems+=("condor_schedd is not running")

if [ -f /data/condor/condor/condor.sh ]; then
    # shellcheck disable=SC1091
    source /data/condor/condor/condor.sh
fi
if ! timeout 120 condor_q -totals > /dev/null 2>&1; then
    problems+=("condor_q does not answer")
fi

now=$(date -u +%Y-%m-%dT%H:%M:%SZ)
if [ ${#problems[@]} -eq 0 ]; then
    echo "OK ${now}" > "${healthy}.new" && mv -f "${healthy}.new" "${healthy}"
    echo "${now} healthy"
else
    rm -f "${healthy}"
    for p in "${problems[@]}"; do echo "${now} unhealthy: ${p}"; done
fi
