/**
 * Preloaded into a measured process (`node --require bench/usage.cjs …`): when it exits, its own
 * resource usage — CPU time and peak memory, as getrusage reports them — is written as JSON to the
 * file named by PANDA_K8S_USAGE_FILE. Wall time does not tell a slow program from a busy machine;
 * CPU time and maxRSS mostly do.
 */
'use strict';
const fs = require('node:fs');

const file = process.env.PANDA_K8S_USAGE_FILE;
if (file) {
  const start = process.hrtime.bigint();
  process.on('exit', () => {
    const u = process.resourceUsage();
    fs.writeFileSync(file, JSON.stringify({ userMs: u.userCPUTime / 1000, systemMs: u.systemCPUTime / 1000, cpuMs: (u.userCPUTime + u.systemCPUTime) / 1000, maxRssKiB: u.maxRSS, wallMs: Number(process.hrtime.bigint() - start) / 1e6 }));
  });
}
