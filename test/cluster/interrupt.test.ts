/** Ctrl-C during an install stops cleanly; a re-run continues and converges. */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { affixFor, cleanupVolumes, install, installSecrets, kubeconfig, list, namespace, ROOT, SECRETS_VALUES } from './helpers.js';

const affix = affixFor('i');
let ns = '';
afterAll(() => cleanupVolumes(ns, ['msgsvc', 'iam', 'panda'].map((c) => affix + c).join(',')));

describe('interrupt', () => {
  it('SIGINT while waiting exits 130 with nothing half-done; a re-run converges', async () => {
    const t = await namespace('intr');
    ns = t.ns;
    expect(await installSecrets(t.kube, { affix })).toBe(0);
    const slow = 'panda.server.podAnnotations.pod-ready\\.stage\\.kwok\\.x-k8s\\.io/delay=60s';
    const child = spawn(
      'node',
      [path.join(ROOT, 'bin', 'panda-k8s.js'), 'install', '--kubeconfig', kubeconfig(), '-n', ns, '-a', affix, '-c', 'msgsvc,iam,panda', '--secrets-values', SECRETS_VALUES, '--allow-placeholders', '--set', slow],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stderr = '';
    const exited = new Promise<number>((resolve) => child.on('exit', (code, sig) => resolve(code ?? (sig ? 128 : -1))));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    // interrupt once the PanDA server is applied and being waited for
    for (let i = 0; ; i++) {
      if (await t.kube.get({ apiVersion: 'apps/v1', kind: 'StatefulSet', name: `${affix}panda-server`, namespace: ns })) break;
      if (i > 600) throw new Error(`the PanDA server was never applied:\n${stderr}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    await new Promise((r) => setTimeout(r, 500));
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    expect(stderr).toMatch(/interrupted/);
    // what was applied stays
    expect((await list(t.kube, 'apps/v1', 'StatefulSet')).map((d) => d.metadata.name)).toContain(`${affix}panda-server`);

    const r = await install(t.kube, { affix, enable: ['msgsvc', 'iam', 'panda'] });
    expect(r.code).toBe(0);
    expect(r.report!.components.every((c) => c.state === 'ready')).toBe(true);
    expect(r.report!.created).toBe(0); // everything was there; the server Deployment changes back to no delay
  });
});
