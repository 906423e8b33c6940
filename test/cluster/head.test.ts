/**
 * The stacks operators run at upstream HEAD, installed from an operator's checkout (`--from`)
 * with HEAD's own secrets values, on the local control plane: every component of the experiment
 * becomes ready, StatefulSets reach their replicas, the claims of their volumeClaimTemplates bind,
 * and every Secret and ConfigMap key a running pod reads exists once `secrets install` has run.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Kube } from '../../src/cluster/kube.js';
import { experimentComponents } from '../../src/render/values.js';
import { affixFor, cleanupVolumes, ensureIngressClass, install, installSecrets, list, namespace, provideVolumes, ROOT, liveReferenceProblems, type Recorded } from './helpers.js';

const HEAD_TREE = path.resolve(ROOT, '..', 'shared', 'upstream', 'head', 'tree');

describe.each([
  { exp: 'lsst-prod', affix: affixFor('p') },
  // the testbed's value files name claims of the release set `panda-*` (its MariaDB keeps its data
  // on `panda-harvester-wdirs`), so it is installed as the testbed runs it, with the affix `panda-`
  { exp: 'atlas_testbed', affix: 'panda-' },
])('HEAD stack from the checkout, experiment $exp', ({ exp, affix }) => {
  let kube: Kube;
  let ns: string;
  const opts = { affix, experiment: exp, from: HEAD_TREE };
  const components = experimentComponents({ experiment: exp, from: HEAD_TREE }) ?? [];
  beforeAll(async () => {
    ({ kube, ns } = await namespace(`head-${exp.replace(/_/g, '-')}`));
    await provideVolumes(kube, opts);
    // the testbed's UI Ingress names the class of the site's nginx controller (preflight checks it)
    await ensureIngressClass('nginx');
    // HEAD's secrets/values.yaml and secrets/files/ of the checkout, as upstream's secrets chart takes them
    expect(await installSecrets(kube, { affix, from: HEAD_TREE, secretsValues: undefined })).toBe(0);
  });
  afterAll(() => cleanupVolumes(ns, components.map((c) => `${affix}${c}`).join(',')));

  let first: Recorded;
  it("installs the experiment's components, each ready in tier order", async () => {
    first = await install(kube, { ...opts, secretsValues: undefined }, { timeout: '240s' });
    expect(first.report.errors).toEqual([]);
    expect(first.code).toBe(0);
    expect(first.report.components.map((c) => [c.name, c.state])).toEqual(components.map((c) => [c, 'ready']));
  });

  it('StatefulSets reach their replicas and the claims of their templates are bound', async () => {
    const sets = await list(kube, 'apps/v1', 'StatefulSet');
    expect(sets.length).toBeGreaterThanOrEqual(6);
    const notReady = sets.filter((s) => (s.status?.readyReplicas ?? 0) < ((s.spec as { replicas?: number }).replicas ?? 1)).map((s) => s.metadata.name);
    expect(notReady).toEqual([]);
    // claims a StatefulSet made from its templates carry no labels of ours: list them all
    const claims = await kube.list('v1', 'PersistentVolumeClaim', {});
    const templated = sets.flatMap((s) => ((s.spec as { volumeClaimTemplates?: { metadata: { name: string } }[] }).volumeClaimTemplates ?? []).map((t) => `${t.metadata.name}-${s.metadata.name}-`));
    const fromTemplates = claims.filter((c) => templated.some((p) => c.metadata.name.startsWith(p)));
    expect(fromTemplates.length).toBeGreaterThanOrEqual(templated.length);
    expect(claims.filter((c) => c.status?.phase !== 'Bound').map((c) => `${c.metadata.name}: ${c.status?.phase}`)).toEqual([]);
  });

  it('every Secret and ConfigMap key a pod reads exists', async () => {
    const { problems, checked } = await liveReferenceProblems(kube);
    expect(problems).toEqual([]);
    // the pods read the secrets lifecycle's Secrets and their own ConfigMaps
    expect(checked.Secret).toBeGreaterThan(10);
    expect(checked.ConfigMap).toBeGreaterThan(10);
  });

  it('a second install changes nothing', async () => {
    const again = await install(kube, { ...opts, secretsValues: undefined }, { timeout: '240s' });
    expect(again.code).toBe(0);
    expect(again.report.created + again.report.changed + again.report.pruned.length).toBe(0);
    expect(again.report.unchanged).toBe(first.report.created);
  });
});
