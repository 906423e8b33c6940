/**
 * Deploy behaviour against a real control plane (kube-apiserver, etcd, controller-manager,
 * scheduler, kwok): tiers, readiness, idempotence, pruning, uninstall, failure reporting.
 */
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { realClock } from '../../src/cluster/clock.js';
import { resolveAffix } from '../../src/core/names.js';
import { diff, hasChanges } from '../../src/ops/diff.js';
import { readSecrets, renderStackFor } from '../../src/ops/inputs.js';
import { status } from '../../src/ops/status.js';
import { uninstall } from '../../src/ops/uninstall.js';
import { registry } from '../../src/components/registry.js';
import { experimentComponents } from '../../src/render/values.js';
import { PandaError } from '../../src/core/errors.js';
import type { Kube } from '../../src/cluster/kube.js';
import { affixFor, cleanupVolumes, ensureRouteCrd, install, installSecrets, kubeconfig, list, names, namespace, provideVolumes, SECRETS_VALUES, type Recorded } from './helpers.js';

const RELEASES = (affix: string) => ['msgsvc', 'iam-db', 'iam', 'panda', 'harvester', 'idds', 'bigmon'].map((c) => `${affix}${c}`).join(',');

/** When each component became ready, from the progress events. */
function readyTimes(r: Recorded): Map<string, number> {
  const t = new Map<string, number>();
  for (const e of r.events) if (e.type === 'node' && e.state === 'ready' && e.sub) t.set(e.component, Math.max(t.get(e.component) ?? 0, e.at));
  return t;
}

/** Server-observed ordering: no object of a component was created before its dependencies were ready. */
async function assertTierOrder(kube: Kube, r: Recorded): Promise<void> {
  const ready = readyTimes(r);
  const firstApplied = new Map<string, number>();
  for (const e of r.events) if (e.type === 'applied') {
    const c = e.node.split('/')[0]!;
    firstApplied.set(c, Math.min(firstApplied.get(c) ?? Infinity, e.at));
  }
  // the server's view: a dependent's objects were created no earlier than the second in which
  // its dependencies' Deployments became Available
  const deploys = await list(kube, 'apps/v1', 'Deployment');
  const configMaps = await list(kube, 'v1', 'ConfigMap');
  const availableAt = new Map<string, number>();
  for (const d of deploys) {
    const c = d.metadata.labels?.['panda-k8s.io/component'] ?? '';
    const cond = (d.status?.conditions as { type: string; lastTransitionTime: string }[]).find((x) => x.type === 'Available');
    availableAt.set(c, Math.max(availableAt.get(c) ?? 0, Date.parse(cond!.lastTransitionTime)));
  }
  for (const { name: c, needs: deps } of registry.list) {
    if (!firstApplied.has(c)) continue;
    // dependencies that are part of this install (a dependency left out is the operator's choice)
    for (const d of deps.filter((x) => firstApplied.has(x))) {
      expect(firstApplied.get(c)!, `${c} applied before ${d} was ready`).toBeGreaterThanOrEqual(ready.get(d)!);
      // components whose workloads are all StatefulSets have no Deployment to take the time from
      if (!availableAt.has(d)) continue;
      for (const o of [...deploys, ...configMaps].filter((x) => x.metadata.labels?.['panda-k8s.io/component'] === c)) {
        expect(Date.parse(o.metadata.creationTimestamp!), `${o.kind}/${o.metadata.name} created before ${d} was available`).toBeGreaterThanOrEqual(availableAt.get(d)! - 999);
      }
    }
  }
}

/** The six components every experiment has (ui needs a site host name; iam-db is optional). */
const SIX = ['msgsvc', 'iam', 'panda', 'harvester', 'idds', 'bigmon'];

describe.each([
  { exp: undefined, affix: affixFor('n') },
  { exp: 'lsst', affix: affixFor('l') },
  { exp: 'sphenix', affix: affixFor('s') },
])('full install, experiment $exp', ({ exp, affix }) => {
  let kube: Kube;
  let ns: string;
  // without an experiment, the six every experiment has; with one, the experiment's own (lsst and
  // sphenix run the IAM database as a component of its own)
  const components = exp ? (experimentComponents({ experiment: exp }) ?? []) : SIX;
  const opts = { affix, enable: components, ...(exp ? { experiment: exp } : {}) };
  beforeAll(async () => {
    ({ kube, ns } = await namespace(`full-${exp ?? 'none'}`));
    if (exp === 'sphenix') await ensureRouteCrd();
    await provideVolumes(kube, opts);
    expect(await installSecrets(kube, { affix })).toBe(0);
  });
  afterAll(() => cleanupVolumes(ns, RELEASES(affix)));

  let first: Recorded;
  it('installs every component, tier after tier, each ready before its dependents start', async () => {
    first = await install(kube, opts);
    expect(first.report?.errors).toEqual([]);
    expect(first.code).toBe(0);
    expect(first.report!.components.map((c) => [c.name, c.state])).toEqual(components.map((c) => [c, 'ready']));
    if (exp) expect(components).toContain('iam-db');
    expect(first.report!.created).toBeGreaterThan(40);
    // at most two writes per object (one apply; pruning aside)
    expect(first.report!.writes).toBeLessThanOrEqual(2 * (first.report!.created + first.report!.changed + first.report!.unchanged));
    await assertTierOrder(kube, first);
    const rows = (await status(kube, { affix: resolveAffix(affix, undefined), now: Date.now() })).workloads;
    expect(rows.length).toBeGreaterThanOrEqual(8);
    expect(rows.filter((r) => r.problem)).toEqual([]);
  });

  it('changes nothing when run again with the same values', async () => {
    const again = await install(kube, opts);
    expect(again.code).toBe(0);
    expect(again.report!.created + again.report!.changed + again.report!.pruned.length).toBe(0);
    expect(again.report!.unchanged).toBe(first.report!.created);
    expect((await diff(kube, renderStackFor({ ...opts, namespace: ns }))).changes).toEqual([]);
  });
});

describe('upgrade, prune, uninstall', () => {
  let kube: Kube;
  let ns: string;
  const affix = affixFor('u');
  beforeAll(async () => {
    ({ kube, ns } = await namespace('upgrade'));
    expect(await installSecrets(kube, { affix })).toBe(0);
    const r = await install(kube, { affix, enable: ['msgsvc', 'iam', 'panda'] });
    expect(r.code).toBe(0);
  });
  afterAll(() => cleanupVolumes(ns, RELEASES(affix)));

  it('secrets install again changes nothing: the generated IAM key is kept', async () => {
    const ref = { apiVersion: 'v1', kind: 'Secret', name: 'panda-secrets-iam-conf', namespace: ns };
    const before = await kube.get(ref);
    expect(await installSecrets(kube, { affix })).toBe(0);
    const after = await kube.get(ref);
    expect(after!.metadata.resourceVersion).toBe(before!.metadata.resourceVersion);
    const jwks = JSON.parse(Buffer.from((after as unknown as { data: Record<string, string> }).data['iam-keystore.jwks']!, 'base64').toString());
    expect(jwks.keys[0].kid).toBe('rsa1');
    expect(jwks.keys[0].d).toBeTruthy();
  });

  it('diff reports a changed value and exits 1', async () => {
    const r = await diff(kube, renderStackFor({ affix, namespace: ns, enable: ['msgsvc', 'iam', 'panda'], sets: ['panda.server.replicaCount=2'] }));
    expect(hasChanges(r)).toBe(true);
    expect(r.changes.map((c) => [c.object, c.action])).toEqual([[`StatefulSet/${affix}panda-server`, 'update']]);
    expect(r.changes[0]!.diff!.join('\n')).toMatch(/^- +replicas: 1\n\+ +replicas: 2$/m);
  });

  it('disabling a sub-component prunes exactly its objects and keeps its data', async () => {
    const before = await list(kube, 'v1', 'ConfigMap');
    const r = await install(kube, { affix, enable: ['msgsvc', 'iam', 'panda'], disable: ['panda.jedi'] });
    expect(r.code).toBe(0);
    const jedi = `${affix}panda-jedi`;
    // at HEAD JEDI is a StatefulSet with a Service of its own
    expect(r.report.pruned.sort()).toEqual([`ConfigMap/${jedi}-configjson`, `ConfigMap/${jedi}-sandbox`, `Service/${jedi}`, `StatefulSet/${jedi}`]);
    expect(r.report.kept.sort()).toEqual([`PersistentVolume/${jedi}`, `PersistentVolumeClaim/${jedi}`]);
    const after = await list(kube, 'v1', 'ConfigMap');
    expect(names(before).filter((n) => !names(after).includes(n))).toEqual([`${jedi}-configjson`, `${jedi}-sandbox`]);
    expect(names(await list(kube, 'v1', 'PersistentVolumeClaim'))).toContain(jedi);
    expect(names(await list(kube, 'apps/v1', 'StatefulSet'))).not.toContain(jedi);
  });

  it('uninstall removes workloads in reverse order, keeps PVCs, PVs and the secrets', async () => {
    const secrets = readSecrets({ secretsValues: SECRETS_VALUES, affix }).render(ns).length;
    const r = await uninstall(kube, { affix: resolveAffix(affix, undefined), timeoutMs: 60_000, clock: realClock });
    expect(r.errors).toEqual([]);
    expect(r.components.map((c) => [c.name, c.state])).toEqual([['msgsvc', 'ready'], ['iam', 'ready'], ['panda', 'ready']]);
    expect(await list(kube, 'apps/v1', 'Deployment')).toEqual([]);
    expect(await list(kube, 'apps/v1', 'StatefulSet')).toEqual([]);
    expect(await list(kube, 'v1', 'Service')).toEqual([]);
    expect(await list(kube, 'v1', 'ConfigMap')).toEqual([]);
    expect(names(await list(kube, 'v1', 'PersistentVolumeClaim'))).toEqual(['iam-main', 'msgsvc-activemq', 'panda-jedi', 'panda-postgres', 'panda-server'].map((n) => affix + n));
    // PersistentVolumes are cluster-scoped: those of this stack
    expect(names(await list(kube, 'v1', 'PersistentVolume')).filter((n) => n.startsWith(affix))).toEqual(['iam-main', 'msgsvc-activemq', 'panda-jedi', 'panda-postgres', 'panda-server'].map((n) => affix + n));
    expect(secrets).toBeGreaterThan(20);
    expect((await list(kube, 'v1', 'Secret', 'panda-k8s.io/lifecycle=secrets')).length).toBe(secrets);
  });
});

describe('failures', () => {
  let kube: Kube;
  let ns: string;
  const affix = affixFor('f');
  beforeAll(async () => {
    ({ kube, ns } = await namespace('fail'));
    await provideVolumes(kube, { affix });
  });
  afterAll(() => cleanupVolumes(ns, RELEASES(affix)));

  it('refuses to install when the secrets are missing, and applies nothing', async () => {
    const e = await install(kube, { affix }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(PandaError);
    expect((e as PandaError).issues.map((i) => i.where)).toContain('Secret/panda-secrets-panda-envs');
    expect(await list(kube, 'v1', 'ConfigMap')).toEqual([]);
  });

  it('refuses a PersistentVolume that already belongs to another namespace', async () => {
    const other = await namespace('fail-other');
    const mine = affixFor('p');
    try {
      expect(await installSecrets(other.kube, { affix: mine })).toBe(0);
      expect((await install(other.kube, { affix: mine, enable: ['msgsvc'] })).code).toBe(0);
      expect(await installSecrets(kube, { affix: mine })).toBe(0);
      const e = await install(kube, { affix: mine, enable: ['msgsvc'] }).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(PandaError);
      expect((e as PandaError).issues[0]).toMatchObject({ where: `PersistentVolume/${mine}msgsvc-activemq` });
      expect((e as PandaError).issues[0]!.message).toContain(`already belongs to claim ${other.ns}/`);
    } finally {
      await cleanupVolumes(other.ns, `${mine}msgsvc`);
    }
  });

  it('a component that never becomes ready names the object and the pod reason; dependents are not applied', async () => {
    expect(await installSecrets(kube, { affix })).toBe(0);
    const r = await install(kube, { affix, enable: SIX, sets: ['panda.postgres.image.repository=registry.invalid/unpullable-postgres'] }, { timeout: '15s' });
    expect(r.code).toBe(1);
    const byName = Object.fromEntries(r.report!.components.map((c) => [c.name, c.state]));
    expect(byName).toMatchObject({ msgsvc: 'ready', iam: 'ready', panda: 'failed', harvester: 'blocked', idds: 'blocked', bigmon: 'blocked' });
    const issue = r.report!.errors.flatMap((e) => e.issues).find((i) => i.where === `Deployment/${affix}panda-postgres`);
    expect(issue?.message).toMatch(/ImagePullBackOff/);
    const comps = new Set((await list(kube, 'v1', 'ConfigMap')).map((o) => o.metadata.labels?.['panda-k8s.io/component']));
    expect([...comps].sort()).toEqual(['msgsvc', 'panda']);
  });

  it('a re-run with the problem fixed resumes and converges', async () => {
    const r = await install(kube, { affix, enable: SIX });
    expect(r.report?.errors).toEqual([]);
    expect(r.code).toBe(0);
    expect(r.report!.components.every((c) => c.state === 'ready')).toBe(true);
    expect(r.report!.unchanged).toBeGreaterThan(10); // msgsvc, iam and most of panda were already there
  });
});

describe('server-side dry run accepts every rendered object', () => {
  it.each([undefined, 'lsst', 'sphenix'])('experiment %s', async (exp) => {
    const { kube } = await namespace(`dry-${exp ?? 'none'}`);
    if (exp === 'sphenix') await ensureRouteCrd();
    const { renderFromOptions } = await import('../../src/render/inputs.js');
    const { renderSecretsFromOptions } = await import('../../src/render/inputs.js');
    const { inNamespace } = await import('../../src/core/objects.js');
    const objs = [
      ...renderSecretsFromOptions({ affix: affixFor('d'), keystore: '{"keys":[]}' }).objects,
      ...renderFromOptions({ affix: affixFor('d'), enable: SIX, ...(exp ? { experiment: exp } : {}) }).objects,
    ];
    const refused: string[] = [];
    for (const o of objs) {
      try {
        await kube.apply(inNamespace(o, kube.namespace), { dryRun: true });
      } catch (e) {
        refused.push(`${o.kind}/${o.metadata.name}: ${(e as PandaError).issues?.[0]?.message ?? e}`);
      }
    }
    expect(refused).toEqual([]);
    // and kubectl, reading our YAML the way operators pipe it (`install -t | kubectl apply`)
    if (spawnSync('kubectl', ['version', '--client'], { encoding: 'utf8' }).status === 0) {
      const { toYamlStream } = await import('../../src/core/yaml.js');
      const r = spawnSync('kubectl', ['--kubeconfig', kubeconfig(), '-n', kube.namespace, 'apply', '--dry-run=server', '-f', '-'], { input: toYamlStream(objs), encoding: 'utf8' });
      expect(r.stderr.split('\n').filter((l) => l && !/version skew|WARNING/i.test(l))).toEqual([]);
      expect(r.status).toBe(0);
      expect(r.stdout.trim().split('\n')).toHaveLength(objs.length);
    }
  });
});
