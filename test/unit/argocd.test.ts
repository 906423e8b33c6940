/** Argo CD: the plugin's inputs from Argo's env, sync waves in install's order, the Applications. */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { pluginInputs } from '../../src/cli/argocd.js';
import { LABEL } from '../../src/core/k8s.js';
import { PandaError } from '../../src/core/errors.js';
import { renderStackFor } from '../../src/ops/inputs.js';
import { applications, componentTiers, SYNC_WAVE, withSyncWaves } from '../../src/plan/argocd.js';
import { buildPlan } from '../../src/plan/plan.js';
import { fileURLToPath } from 'node:url';

const SECRETS_VALUES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'cluster', 'fixtures', 'secrets-values.yaml');

describe('argocd generate inputs', () => {
  it('reads the plugin env and parameters; relative paths are in the checkout; parameters win', () => {
    const i = pluginInputs(
      {
        ARGOCD_ENV_EXPERIMENT: 'lsst',
        ARGOCD_ENV_AFFIX: 'dev-',
        ARGOCD_ENV_ENABLE: 'msgsvc, panda',
        ARGOCD_ENV_VALUES: 'site.yaml,panda=charts/panda-site.yaml',
        ARGOCD_ENV_SET: 'panda.server.replicaCount=2\nmsgsvc.activemq.javaMemory=-Xmx1g,-Xms1g',
        ARGOCD_APP_NAMESPACE: 'panda',
        ARGOCD_APP_PARAMETERS: JSON.stringify([{ name: 'experiment', string: 'sphenix' }, { name: 'disable', array: ['panda.jedi'] }, { name: 'set', map: { 'panda.server.replicaCount': '3' } }]),
      },
      '/repo/deploy',
    );
    expect(i).toMatchObject({
      experiment: 'sphenix',
      affix: 'dev-',
      enable: ['msgsvc', 'panda'],
      disable: ['panda.jedi'],
      files: ['/repo/deploy/site.yaml', `panda=${path.resolve('/repo/deploy', 'charts/panda-site.yaml')}`],
      sets: ['panda.server.replicaCount=3'],
      namespace: 'panda',
      allowPlaceholders: false,
    });
    expect(pluginInputs({ ARGOCD_ENV_SET: 'a=1,2\nb=3' }, '/r').sets).toEqual(['a=1,2', 'b=3']);
    expect(pluginInputs({}, '/r')).toMatchObject({ namespace: 'default', enable: [], files: [] });
  });

  it('bad inputs are one error naming each: unknown parameters, an empty selection, bad JSON', () => {
    const e = (() => {
      try {
        pluginInputs({ ARGOCD_ENV_ENABLE: ' , ', ARGOCD_ENV_ALLOW_PLACEHOLDERS: 'yes', ARGOCD_APP_PARAMETERS: JSON.stringify([{ name: 'experimnet', string: 'x' }]) }, '/r');
      } catch (x) {
        return x as PandaError;
      }
    })();
    expect(e).toBeInstanceOf(PandaError);
    expect(e!.issues.map((i) => i.where)).toEqual(['parameter "experimnet"', 'ARGOCD_ENV_ENABLE', 'ARGOCD_ENV_ALLOW_PLACEHOLDERS']);
    expect(() => pluginInputs({ ARGOCD_APP_PARAMETERS: '{' }, '/r')).toThrow(PandaError);
  });
});

describe('sync waves', () => {
  const rendered = renderStackFor({ secretsValues: SECRETS_VALUES, namespace: 'ns', enable: ['msgsvc', 'iam', 'panda', 'harvester'] });
  const objects = withSyncWaves(rendered, 'ns');
  const wave = (o: (typeof objects)[number]) => Number(o.metadata.annotations![SYNC_WAVE]);

  it('every object has the wave of its plan node, in order; the objects are those install applies', () => {
    const plan = buildPlan(rendered, 'ns');
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`).sort()).toEqual(plan.nodes.flatMap((n) => n.apply.map((o) => `${o.kind}/${o.metadata.name}`)).sort());
    expect(objects.map(wave)).toEqual([...objects.map(wave)].sort((a, b) => a - b));
  });

  it('config before workloads, databases before their servers, dependencies before dependents', () => {
    const of = (component: string, pred: (o: (typeof objects)[number]) => boolean) => objects.filter((o) => o.metadata.labels?.[LABEL.component] === component && pred(o)).map(wave);
    const workloads = (o: (typeof objects)[number]) => o.kind === 'StatefulSet' || o.kind === 'Deployment';
    for (const c of ['msgsvc', 'panda', 'harvester']) expect(Math.max(...of(c, (o) => o.kind === 'ConfigMap'))).toBeLessThan(Math.min(...of(c, workloads)));
    const pandaDb = of('panda', (o) => workloads(o) && o.metadata.labels?.[LABEL.sub] === 'postgres');
    const pandaServer = of('panda', (o) => workloads(o) && o.metadata.labels?.[LABEL.sub] === 'server');
    if (pandaDb.length) expect(Math.max(...pandaDb)).toBeLessThan(Math.min(...pandaServer));
    expect(Math.max(...of('msgsvc', workloads))).toBeLessThan(Math.min(...of('panda', (o) => o.kind === 'ConfigMap')));
    expect(Math.max(...of('panda', workloads))).toBeLessThan(Math.min(...of('harvester', workloads)));
  });
});

describe('argocd apps', () => {
  const rendered = renderStackFor({ secretsValues: SECRETS_VALUES, namespace: 'panda' });
  const base = {
    components: rendered.components.map((c) => c.name),
    prefix: 'panda-',
    repoURL: 'https://git.example.org/ops/panda.git',
    targetRevision: 'main',
    path: 'deploy',
    env: { EXPERIMENT: 'atlas_testbed', AFFIX: 'test-' },
    project: 'default',
    argocdNamespace: 'argocd',
    destinationServer: 'https://kubernetes.default.svc',
    destinationNamespace: 'panda',
    automated: true,
  };

  it('one Application per component, ordered by tier, each with its tier as sync wave and upstream\'s sync options', () => {
    const apps = applications({ ...base, mode: 'per-component' }, rendered.objects);
    const tiers = componentTiers(base.components);
    expect(apps.map((a) => a.metadata.name)).toEqual([...base.components].sort((a, b) => tiers.get(a)! - tiers.get(b)!).map((c) => `panda-${c}`));
    const waves = apps.map((a) => Number(a.metadata.annotations![SYNC_WAVE]));
    expect(waves).toEqual([...waves].sort((a, b) => a - b));
    expect(tiers.get('msgsvc')).toBeLessThan(tiers.get('panda')!);
    const panda = apps.find((a) => a.metadata.name === 'panda-panda')!;
    const spec = panda.spec as { source: { plugin: { name: string; env: { name: string; value: string }[] } }; syncPolicy: { automated: unknown; syncOptions: string[] }; ignoreDifferences?: { name: string }[] };
    expect(spec.source.plugin.name).toBe('panda-k8s');
    expect(spec.source.plugin.env).toEqual([
      { name: 'EXPERIMENT', value: 'atlas_testbed' },
      { name: 'AFFIX', value: 'test-' },
      { name: 'ENABLE', value: 'panda' },
    ]);
    expect(spec.syncPolicy).toEqual({ automated: { prune: true, selfHeal: true }, syncOptions: ['CreateNamespace=true', 'ServerSideApply=true', 'RespectIgnoreDifferences=true'] });
    const sts = rendered.objects.filter((o) => o.kind === 'StatefulSet' && o.metadata.labels?.[LABEL.component] === 'panda' && (o.spec as { volumeClaimTemplates?: unknown[] }).volumeClaimTemplates?.length);
    expect((spec.ignoreDifferences ?? []).map((d) => d.name)).toEqual(sts.map((o) => o.metadata.name));
  });

  it('or one Application for the whole stack, its objects ordered by the waves generate writes', () => {
    const apps = applications({ ...base, mode: 'single', automated: false }, rendered.objects);
    expect(apps).toHaveLength(1);
    expect(apps[0]!.metadata.name).toBe('panda-stack');
    expect(apps[0]!.metadata.annotations).toBeUndefined();
    expect((apps[0]!.spec as { syncPolicy: Record<string, unknown> }).syncPolicy.automated).toBeUndefined();
    expect((apps[0]!.spec as { source: { plugin: { env: { name: string; value: string }[] } } }).source.plugin.env.find((e) => e.name === 'ENABLE')!.value).toBe(base.components.join(','));
  });
});
