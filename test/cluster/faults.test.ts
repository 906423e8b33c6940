/**
 * Injected faults against the local control plane: each is reported within seconds of being
 * observable (well under the 10-minute timeout), names the object, the pod, the reason and the
 * fix, and nothing that depends on the failed component is applied. kwok simulates the pod side
 * (scripts/cluster/README.md: image names with `unpullable`/`crashloop`, waiting-reason
 * annotations); the scheduler, the PV controller and RBAC are the real ones.
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { Kube } from '../../src/cluster/kube.js';
import { affixFor, cleanupVolumes, install, installSecrets, list, namespace, type Recorded } from './helpers.js';

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
});
