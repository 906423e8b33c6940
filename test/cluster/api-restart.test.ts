/**
 * The API server killed and restarted while install waits for readiness: install retries its
 * reads through the outage and finishes (exit 0). It stops an API server, so it runs only on a
 * control plane of its own, started by scripts/cluster/fault-test.sh (PANDA_K8S_FAULT_CLUSTER
 * names its state directory); elsewhere it is skipped. Times are printed.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { affixFor, cleanupVolumes, installSecrets, kubeconfig, namespace, ROOT, SECRETS_VALUES } from './helpers.js';

const DIR = process.env.PANDA_K8S_FAULT_CLUSTER;
/** Only the cluster the script started: its kubeconfig lives in its state directory. */
const own = !!DIR && path.resolve(process.env.KUBECONFIG ?? '') === path.resolve(DIR, 'kubeconfig');

const affix = affixFor('k');
let ns = '';
afterAll(async () => {
  if (own && ns) await cleanupVolumes(ns, `${affix}msgsvc`);
});

const pidFile = () => path.join(DIR!, 'pids', 'kube-apiserver.pid');
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** Kill the API server (SIGKILL: no graceful shutdown) and start it again with the same command line after `downMs`. */
async function killAndRestart(downMs: number): Promise<{ down: number; pid: number }> {
  const pid = Number(fs.readFileSync(pidFile(), 'utf8').trim());
  const argv = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
  expect(argv.join(' ')).toContain(DIR!);
  const t0 = performance.now();
  process.kill(pid, 'SIGKILL');
  while (alive(pid)) await new Promise((r) => setTimeout(r, 50));
  await new Promise((r) => setTimeout(r, downMs));
  const log = fs.openSync(path.join(DIR!, 'logs', 'kube-apiserver.log'), 'a');
  const child = spawn(argv[0]!, argv.slice(1), { detached: true, stdio: ['ignore', log, log] });
  child.unref();
  fs.writeFileSync(pidFile(), `${child.pid}\n`);
  return { down: performance.now() - t0, pid: child.pid! };
}

describe.skipIf(!own)('the API server restarts while install waits', () => {
  it('install retries through the outage and finishes: exit 0', async () => {
    const t = await namespace('restart');
    ns = t.ns;
    expect(await installSecrets(t.kube, { affix })).toBe(0);
    // the broker's pod becomes ready 20 s after it starts: install is waiting when the server goes
    const slow = 'msgsvc.activemq.podAnnotations.pod-ready\\.stage\\.kwok\\.x-k8s\\.io/delay=20s';
    const t0 = performance.now();
    const child = spawn(
      process.execPath,
      [path.join(ROOT, 'bin', 'panda-k8s.js'), 'install', '--kubeconfig', kubeconfig(), '-n', ns, '-a', affix, '-c', 'msgsvc', '--secrets-values', SECRETS_VALUES, '--allow-placeholders', '--set', slow, '--timeout', '3m', '--request-timeout', '5s'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    // wait until the broker is applied and being waited for
    for (let i = 0; ; i++) {
      const w = [...(await t.kube.list('apps/v1', 'StatefulSet')), ...(await t.kube.list('apps/v1', 'Deployment'))];
      if (w.some((o) => o.metadata.name.startsWith(`${affix}msgsvc`))) break;
      if (i > 600) throw new Error(`msgsvc was never applied:\n${stderr}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const { down, pid } = await killAndRestart(3000);
    console.log(`API server down for ${(down / 1000).toFixed(1)} s (restarted as pid ${pid})`);
    const code = await exited;
    console.log(`install: exit ${code} after ${((performance.now() - t0) / 1000).toFixed(1)} s; retries told: ${(stderr.match(/retrying in/g) ?? []).length}`);
    expect(code, stderr).toBe(0);
    // it told the operator what happened
    expect(stderr).toMatch(/retrying in/);
  }, 300_000);
});
