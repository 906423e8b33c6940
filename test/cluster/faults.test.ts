/**
 * Injected faults against the local control plane: each is reported within seconds of being
 * observable (well under the 10-minute timeout), names the object, the pod, the reason and the
 * fix, and nothing that depends on the failed component is applied. kwok simulates the pod side
 * (scripts/cluster/README.md: image names with `unpullable`/`crashloop`, waiting-reason
 * annotations); the scheduler, the PV controller and RBAC are the real ones.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { connect, type Kube } from '../../src/cluster/kube.js';
import { PandaError } from '../../src/core/errors.js';
import { affixFor, cleanupVolumes, install, installSecrets, kubeconfig, list, namespace, type Recorded } from './helpers.js';

const SIX = ['msgsvc', 'iam', 'panda', 'harvester', 'idds', 'bigmon'];
const TIMEOUT = '10m';
const cleanup: [string, string][] = [];
afterAll(async () => {
  for (const [ns, affix] of cleanup) await cleanupVolumes(ns, SIX.map((c) => `${affix}${c}`).join(','));
});

async function fresh(tag: string): Promise<{ kube: Kube; affix: string }> {
  const { ns, kube } = await namespace(`fault-${tag}`);
  const affix = affixFor(tag);
  cleanup.push([ns, affix]);
  expect(await installSecrets(kube, { affix })).toBe(0);
  return { kube, affix };
}

const states = (r: Recorded) => Object.fromEntries(r.report.components.map((c) => [c.name, c.state]));
const failureOf = (r: Recorded, component: string) => r.report.components.find((c) => c.name === component)?.failure;

/** Nothing of the stack was written: no object labelled managed-by panda-k8s but the Secrets of the secrets lifecycle. */
async function nothingApplied(kube: Kube): Promise<void> {
  for (const [v, k] of [['apps/v1', 'Deployment'], ['apps/v1', 'StatefulSet'], ['v1', 'ConfigMap'], ['v1', 'Service'], ['v1', 'PersistentVolumeClaim']] as const) expect(await list(kube, v, k), k).toEqual([]);
}

/** The workloads of the components that depend on the failed one were never created. */
async function nothingDependentApplied(kube: Kube, components: string[]): Promise<void> {
  const workloads = [...(await list(kube, 'apps/v1', 'Deployment')), ...(await list(kube, 'apps/v1', 'StatefulSet'))];
  const present = new Set(workloads.map((w) => w.metadata.labels?.['panda-k8s.io/component']));
  for (const c of components) expect(present.has(c), `${c} was applied`).toBe(false);
}

describe('faults are reported within seconds, not at the timeout', () => {
  it('unpullable image: ImagePullBackOff after the 20 s grace', async () => {
    const { kube, affix } = await fresh('pull');
    const r = await install(kube, { affix, enable: SIX, sets: ['panda.server.image.repository=registry.invalid/unpullable-server'] }, { timeout: TIMEOUT });
    expect(states(r)).toMatchObject({ msgsvc: 'ready', iam: 'ready', panda: 'failed', harvester: 'blocked', idds: 'blocked', bigmon: 'blocked' });
    const f = failureOf(r, 'panda')!;
    expect(f).toMatchObject({ object: `StatefulSet/${affix}panda-server`, reason: 'ImagePullBackOff', fix: expect.stringMatching(/image/) });
    expect(f.pod).toMatch(new RegExp(`^${affix}panda-server-0$`));
    expect(f.seconds).toBeGreaterThanOrEqual(20);
    expect(f.seconds).toBeLessThan(30);
    expect(r.report.seconds).toBeLessThan(60);
    await nothingDependentApplied(kube, ['harvester', 'idds', 'bigmon']);
  }, 120_000);

  it('crash loop: CrashLoopBackOff after three restarts, at once', async () => {
    const { kube, affix } = await fresh('crash');
    const r = await install(kube, { affix, enable: SIX, sets: ['panda.server.image.repository=registry.invalid/crashloop-server'] }, { timeout: TIMEOUT });
    const f = failureOf(r, 'panda')!;
    expect(f).toMatchObject({ reason: 'CrashLoopBackOff', fix: expect.stringContaining('--previous') });
    expect(f.seconds).toBeLessThan(5);
    await nothingDependentApplied(kube, ['harvester', 'idds', 'bigmon']);
  }, 120_000);

  it('a Secret key the container reads is missing: CreateContainerConfigError names the Secret and the key, at once', async () => {
    const { kube, affix } = await fresh('cfg');
    const ann = 'panda.server.podAnnotations.pod-start\\.stage\\.kwok\\.x-k8s\\.io/';
    const r = await install(
      kube,
      { affix, enable: SIX, sets: [`${ann}waiting-reason=CreateContainerConfigError`, `${ann}waiting-message=couldn't find key PANDA_DB_PASSWORD in Secret ${kube.namespace}/panda-secrets-panda-envs`] },
      { timeout: TIMEOUT },
    );
    const f = failureOf(r, 'panda')!;
    expect(f).toMatchObject({ reason: 'CreateContainerConfigError', fix: expect.stringMatching(/^Secret\/panda-secrets-panda-envs has no key PANDA_DB_PASSWORD/) });
    expect(f.seconds).toBeLessThan(5);
    await nothingDependentApplied(kube, ['harvester', 'idds', 'bigmon']);
  }, 120_000);

  it('unsatisfiable node selector: Unschedulable at once', async () => {
    const { kube, affix } = await fresh('sel');
    const r = await install(kube, { affix, enable: SIX, sets: ['panda.server.nodeSelector.disk=ssd'] }, { timeout: TIMEOUT });
    const f = failureOf(r, 'panda')!;
    expect(f).toMatchObject({ reason: 'Unschedulable', message: expect.stringContaining("didn't match Pod's node affinity/selector"), fix: expect.stringMatching(/nodeSelector/) });
    expect(f.seconds).toBeLessThan(5);
    await nothingDependentApplied(kube, ['harvester', 'idds', 'bigmon']);
  }, 120_000);

  it('a StorageClass the stack names is missing: preflight refuses before the first write; with --skip-preflight the claim fails at once', async () => {
    const { kube, affix } = await fresh('sc');
    const opts = { affix, enable: SIX, experiment: 'lsst' };
    const t0 = Date.now();
    const err = await install(kube, opts, { timeout: TIMEOUT }).then(() => undefined, (e: unknown) => e as PandaError);
    expect(err).toBeInstanceOf(PandaError);
    expect(err!.exitCode).toBe(2);
    const sc = err!.issues.find((i) => i.where === 'StorageClass/wekafs--sdf-k8s01')!;
    expect(sc.message).toMatch(/does not exist .*named by PersistentVolumeClaim\//);
    expect(sc.fix).toContain('standard');
    expect(Date.now() - t0).toBeLessThan(10_000);
    await nothingApplied(kube);

    const r = await install(kube, opts, { timeout: TIMEOUT, skipPreflight: true });
    const f = failureOf(r, 'msgsvc')!;
    expect(f).toMatchObject({ reason: 'StorageClassNotFound', object: `PersistentVolumeClaim/${affix}msgsvc-activemq`, fix: expect.stringContaining('no StorageClass wekafs--sdf-k8s01') });
    expect(f.seconds).toBeLessThan(5);
    expect(states(r)).toMatchObject({ msgsvc: 'failed', panda: 'blocked', harvester: 'blocked' });
    await nothingDependentApplied(kube, ['panda', 'harvester', 'idds', 'bigmon']);
  }, 120_000);

  it('an RBAC-limited user (a ServiceAccount with a narrow Role): preflight names what it may not write; nothing is applied', async () => {
    const { kube, affix } = await fresh('rbac');
    const ns = kube.namespace;
    const admin = connect({ kubeconfig: kubeconfig(), namespace: ns });
    await admin.apply({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'deployer', namespace: ns } });
    // everything but creating and patching workloads
    await admin.apply({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: { name: 'deployer', namespace: ns },
      rules: [
        { apiGroups: ['', 'networking.k8s.io', 'coordination.k8s.io', 'batch', 'autoscaling'], resources: ['*'], verbs: ['*'] },
        { apiGroups: ['apps'], resources: ['*'], verbs: ['get', 'list', 'watch'] },
      ],
    });
    await admin.apply({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: 'deployer', namespace: ns }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'deployer' }, subjects: [{ kind: 'ServiceAccount', name: 'deployer', namespace: ns }] });
    const token = spawnSync('kubectl', ['--kubeconfig', kubeconfig(), 'create', 'token', 'deployer', '-n', ns, '--duration', '10m'], { encoding: 'utf8' });
    expect(token.status, token.stderr).toBe(0);
    const cfg = spawnSync('kubectl', ['--kubeconfig', kubeconfig(), 'config', 'view', '--raw', '--minify', '-o', 'json'], { encoding: 'utf8' });
    const kc = JSON.parse(cfg.stdout) as { users: { name: string; user: Record<string, unknown> }[] };
    kc.users = [{ name: kc.users[0]!.name, user: { token: token.stdout.trim() } }];
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'panda-k8s-rbac-')), 'kubeconfig');
    fs.writeFileSync(file, JSON.stringify(kc), { mode: 0o600 });
    const limited = connect({ kubeconfig: file, namespace: ns });

    const err = await install(limited, { affix, enable: SIX }, { timeout: TIMEOUT }).then(() => undefined, (e: unknown) => e as PandaError);
    expect(err).toBeInstanceOf(PandaError);
    expect(err!.exitCode).toBe(2);
    const denied = Object.fromEntries(err!.issues.filter((i) => i.message.startsWith('you may not')).map((i) => [i.where, i.message]));
    // the workloads the Role leaves out, and the stack's PersistentVolumes, which no Role can grant (cluster-scoped)
    expect(Object.keys(denied).sort()).toEqual(['Deployment', 'PersistentVolume', 'StatefulSet']);
    expect(denied.StatefulSet).toMatch(new RegExp(`^you may not create, patch apps/v1 StatefulSet in namespace ${ns} \\(e\\.g\\. StatefulSet/${affix}`));
    expect(denied.PersistentVolume).toMatch(/^you may not get, create, patch v1 PersistentVolume \(cluster-wide\)/);
    await nothingApplied(kube);
    expect(await admin.list('coordination.k8s.io/v1', 'Lease')).toEqual([]);
  }, 120_000);
});
