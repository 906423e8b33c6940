/**
 * The CLI against the local control plane: the exit codes that need a real API server (0, 1, 4,
 * 5; 2, 3 and 130 are in test/unit/exit-codes.test.ts and test/cluster/interrupt.test.ts), two
 * installs of one stack at once, and a field another manager changed with a kubectl patch,
 * reported by diff and install. Times are printed.
 */
import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Kube } from '../../src/cluster/kube.js';
import { affixFor, cleanupVolumes, kubeconfig, namespace, ROOT, SECRETS_VALUES } from './helpers.js';

const affix = affixFor('x');
let ns = '';
let kube: Kube;

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

function cli(args: readonly string[]): Promise<Run> {
  return new Promise((resolve) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, [path.join(ROOT, 'bin', 'panda-k8s.js'), ...args, '--kubeconfig', kubeconfig(), '-n', ns], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (status) => resolve({ status, stdout, stderr, ms: performance.now() - t0 }));
  });
}

const values = ['--secrets-values', SECRETS_VALUES, '-a', affix];
const stack = [...values, '-c', 'msgsvc'];

beforeAll(async () => {
  ({ ns, kube } = await namespace('exit'));
});
afterAll(() => cleanupVolumes(ns, `${affix}msgsvc`));

describe('exit codes against an API server, in order of a stack\'s life', () => {
  it('4: status, uninstall and secrets uninstall of a stack that is not installed', async () => {
    for (const args of [['status', '-a', affix], ['uninstall', ...values], ['secrets', 'uninstall', '--secrets-values', SECRETS_VALUES]]) {
      const r = await cli(args);
      expect(r.status, `${args.join(' ')}: ${r.stderr}`).toBe(4);
      expect(r.stderr).toMatch(/not installed|nothing to uninstall|no Secrets/);
    }
  });

  it('1: diff and secrets diff before anything is installed; 0 once it is', async () => {
    expect((await cli(['secrets', 'diff', '--secrets-values', SECRETS_VALUES])).status).toBe(1);
    const s = await cli(['secrets', 'install', '--secrets-values', SECRETS_VALUES, '--allow-placeholders']);
    expect(s.status, s.stderr).toBe(0);
    expect((await cli(['secrets', 'diff', '--secrets-values', SECRETS_VALUES])).status).toBe(0);
    expect((await cli(['diff', ...stack])).status).toBe(1);
  });

  it('0: install, then diff and status', async () => {
    const r = await cli(['install', ...stack, '--allow-placeholders', '--timeout', '2m']);
    console.log(`install -c msgsvc: exit ${r.status} in ${r.ms.toFixed(0)} ms`);
    expect(r.status, r.stderr).toBe(0);
    const d = await cli(['diff', ...stack]);
    expect(d.status, d.stdout).toBe(0);
    const st = await cli(['status', '-a', affix]);
    expect(st.status, st.stdout + st.stderr).toBe(0);
  });

  it('5: the stack is locked by someone else: install and uninstall fail at once naming the holder', async () => {
    const name = `${affix}panda-k8s`;
    const now = new Date().toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
    await kube.apply({ apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name, namespace: ns }, spec: { holderIdentity: 'alice@elsewhere pid 1: install', leaseDurationSeconds: 300, acquireTime: now, renewTime: now } });
    try {
      for (const args of [['install', ...stack, '--allow-placeholders'], ['uninstall', ...values]]) {
        const r = await cli(args);
        console.log(`${args[0]} while locked: exit ${r.status} in ${r.ms.toFixed(0)} ms`);
        expect(r.status, r.stderr).toBe(5);
        expect(r.stderr).toContain('alice@elsewhere pid 1: install');
      }
    } finally {
      await kube.delete({ apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', name, namespace: ns });
    }
  });

  it('two installs at once: one fails naming the other; with --wait-for-lock both succeed, one after the other', async () => {
    // a pod that becomes ready only after 10 s keeps the first install holding the lock
    const slow = ['--set', 'msgsvc.activemq.podAnnotations.pod-ready\\.stage\\.kwok\\.x-k8s\\.io/delay=10s'];
    const args = ['install', ...stack, '--allow-placeholders', '--timeout', '2m', ...slow];
    const both = await Promise.all([cli(args), cli(args)]);
    const codes = both.map((r) => r.status).sort();
    console.log(`two installs at once: exits ${codes.join(', ')}`);
    expect(codes, both.map((r) => r.stderr).join('\n---\n')).toEqual([0, 5]);
    const loser = both.find((r) => r.status === 5)!;
    expect(loser.stderr).toMatch(/the stack is locked by another operation: .* pid \d+: install/);
    expect(loser.stdout).toBe('');

    const back = ['install', ...stack, '--allow-placeholders', '--timeout', '2m', '--wait-for-lock', '2m'];
    const waited = await Promise.all([cli([...back, '--set', 'msgsvc.activemq.podAnnotations.pod-ready\\.stage\\.kwok\\.x-k8s\\.io/delay=5s']), cli([...back, '--set', 'msgsvc.activemq.podAnnotations.pod-ready\\.stage\\.kwok\\.x-k8s\\.io/delay=5s'])]);
    console.log(`two installs with --wait-for-lock: exits ${waited.map((r) => r.status).join(', ')} in ${waited.map((r) => r.ms.toFixed(0)).join(', ')} ms`);
    expect(waited.map((r) => r.status)).toEqual([0, 0]);
    expect(waited.filter((r) => /waiting for the stack lock, held by .* pid \d+: install/.test(r.stderr))).toHaveLength(1);
  }, 300_000);

  it('a field changed with kubectl patch by another field manager: diff shows who owns it, install takes it back and says so', async () => {
    const sts = spawnSync('kubectl', ['--kubeconfig', kubeconfig(), '-n', ns, 'get', 'statefulset,deployment', '-l', `app.kubernetes.io/instance=${affix}msgsvc`, '-o', 'name'], { encoding: 'utf8' });
    const workload = sts.stdout.trim().split('\n')[0]!;
    expect(workload, sts.stderr).toMatch(/^(statefulset|deployment)\.apps\//);
    const container = spawnSync('kubectl', ['--kubeconfig', kubeconfig(), '-n', ns, 'get', workload, '-o', 'jsonpath={.spec.template.spec.containers[0].name}'], { encoding: 'utf8' }).stdout;
    const patch = spawnSync(
      'kubectl',
      ['--kubeconfig', kubeconfig(), '-n', ns, 'patch', workload, '--field-manager', 'operator-edit', '--type', 'strategic', '-p', JSON.stringify({ spec: { template: { spec: { containers: [{ name: container, image: 'example.invalid/patched:1' }] } } } })],
      { encoding: 'utf8' },
    );
    expect(patch.status, patch.stderr).toBe(0);

    const d = await cli(['diff', ...stack]);
    expect(d.status).toBe(1);
    expect(d.stdout).toMatch(/owned by operator-edit, install takes back: .*image/);
    expect(d.stdout).toContain('example.invalid/patched:1');

    const i = await cli(['install', ...stack, '--allow-placeholders', '--timeout', '2m']);
    expect(i.status, i.stderr).toBe(0);
    expect(i.stderr).toMatch(/took back from operator-edit: .*image/);
    const image = spawnSync('kubectl', ['--kubeconfig', kubeconfig(), '-n', ns, 'get', workload, '-o', 'jsonpath={.spec.template.spec.containers[0].image}'], { encoding: 'utf8' }).stdout;
    expect(image).not.toContain('patched');
    // taken back: nothing left to report
    const again = await cli(['diff', ...stack]);
    expect(again.status, again.stdout).toBe(0);
  });
});
