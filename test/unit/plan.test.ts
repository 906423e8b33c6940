import { describe, expect, it } from 'vitest';
import { buildPlan, criticalPath, waves } from '../../src/plan/plan.js';
import { renderFromOptions } from '../../src/render/inputs.js';
import { lineDiff, normalize } from '../../src/ops/compare.js';
import { parseDuration } from '../../src/cluster/clock.js';

describe('plan', () => {
  const plan = buildPlan(renderFromOptions({}), 'ns');
  const node = (id: string) => plan.nodes.find((n) => n.id === id)!;

  it('is a serializable dependency graph in tiers', () => {
    expect(JSON.parse(JSON.stringify(plan)).waves).toEqual(plan.waves);
    expect(plan.waves[0]).toEqual(['msgsvc', 'iam-db']);
    const depth = (id: string) => plan.waves.findIndex((w) => w.includes(id));
    expect(depth('iam')).toBeGreaterThan(depth('iam-db/mariadb'));
    expect(depth('ui')).toBeGreaterThan(depth('panda/server'));
    expect(depth('panda')).toBeGreaterThan(depth('iam/main'));
    expect(depth('harvester')).toBeGreaterThan(depth('panda/server'));
    expect(depth('idds')).toBe(depth('bigmon'));
  });
  it('a database before its server; config objects before workloads', () => {
    expect(node('panda/server').deps).toContain('panda/postgres');
    expect(node('harvester/harvester').deps).toContain('harvester/mariadb');
    expect(node('panda').apply.every((o) => ['ConfigMap', 'PersistentVolume', 'PersistentVolumeClaim', 'Service', 'Secret', 'ServiceAccount'].includes(o.kind))).toBe(true);
    expect(node('panda/server').apply.map((o) => o.kind)).toContain('StatefulSet');
    expect(node('panda/server').await.map((r) => r.kind)).toContain('PersistentVolumeClaim');
  });
  it('places objects in the namespace (not cluster-scoped ones) without mutating the render', () => {
    const pv = plan.nodes.flatMap((n) => n.apply).find((o) => o.kind === 'PersistentVolume')!;
    expect(pv.metadata.namespace).toBeUndefined();
    expect(node('panda/server').apply[0]!.metadata.namespace).toBe('ns');
  });
  it('only depends on components it installs', () => {
    const p = buildPlan(renderFromOptions({ enable: ['harvester'] }), 'ns');
    expect(p.nodes.find((n) => n.id === 'harvester')!.deps).toEqual([]);
  });
  it('waves and the critical path', () => {
    const g = [
      { id: 'a', deps: [] },
      { id: 'b', deps: ['a'] },
      { id: 'c', deps: ['a'] },
      { id: 'd', deps: ['b', 'c'] },
    ];
    expect(waves(g)).toEqual([['a'], ['b', 'c'], ['d']]);
    expect(criticalPath(g, (id) => ({ a: 1, b: 5, c: 2, d: 1 })[id]!)).toBe(7);
    expect(() => waves([{ id: 'x', deps: ['y'] }, { id: 'y', deps: ['x'] }])).toThrow(/cycle/);
  });
});

describe('plan: storage shared across tiers', () => {
  const HEAD_TREE = new URL('../../../shared/upstream/head/tree', import.meta.url).pathname;
  const plan = buildPlan(renderFromOptions({ experiment: 'atlas_testbed', from: HEAD_TREE, affix: 'test-' }), 'ns');
  const appliedBy = (kind: string, name: string) => plan.nodes.filter((n) => n.apply.some((o) => o.kind === kind && o.metadata.name === name)).map((n) => n.id);

  it("the shared logs claim harvester creates is applied with the config of PanDA, whose server mounts it; it stays harvester's object", () => {
    expect(appliedBy('PersistentVolumeClaim', 'panda-shared-logs')).toEqual(['panda']);
    expect(appliedBy('PersistentVolume', 'panda-shared-logs')).toEqual(['panda']);
    const claim = plan.nodes.flatMap((n) => n.apply).find((o) => o.kind === 'PersistentVolumeClaim' && o.metadata.name === 'panda-shared-logs')!;
    expect(claim.metadata.labels?.['app.kubernetes.io/instance']).toBe('test-harvester');
    // harvester's own claims stay with harvester
    expect(appliedBy('PersistentVolumeClaim', 'test-harvester-wdirs')).toEqual(['harvester']);
  });
});

describe('diff and durations', () => {
  it('ignores server bookkeeping', () => {
    const a = normalize({ metadata: { name: 'x', resourceVersion: '1', managedFields: [] }, status: { a: 1 }, spec: { b: 1 } });
    expect(a).toEqual({ metadata: { name: 'x' }, spec: { b: 1 } });
  });
  it('line diff with context', () => {
    expect(lineDiff('a\nb\nc', 'a\nB\nc')).toEqual(['  a', '- b', '+ B', '  c']);
  });
  it('durations', () => {
    expect(parseDuration('90')).toBe(90_000);
    expect(parseDuration('1m30s')).toBe(90_000);
    expect(parseDuration('500ms')).toBe(500);
    expect(parseDuration('soon')).toBeUndefined();
  });
});

describe('secret values in diffs', () => {
  it('are never shown, but a change of the same length is still seen', async () => {
    const { hideSecretValues } = await import('../../src/ops/compare.js');
    const s = (v: string) => ({ kind: 'Secret', data: { PASS: Buffer.from(v).toString('base64') } });
    const a = JSON.stringify(hideSecretValues(s('aaaa')));
    const b = JSON.stringify(hideSecretValues(s('bbbb')));
    expect(a).not.toContain('YWFh');
    expect(a).not.toBe(b);
    expect(JSON.stringify(hideSecretValues(s('aaaa')))).toBe(a);
  });
  it('equal values under two keys or in two Secrets do not look equal', async () => {
    const { hideSecretValues } = await import('../../src/ops/compare.js');
    const v = Buffer.from('same').toString('base64');
    const h = hideSecretValues({ kind: 'Secret', metadata: { name: 'x' }, data: { A: v, B: v } }) as { data: Record<string, string> };
    const other = hideSecretValues({ kind: 'Secret', metadata: { name: 'y' }, data: { A: v } }) as { data: Record<string, string> };
    expect(h.data.A).toMatch(/^\(hidden [0-9a-f]{12}\)$/);
    expect(h.data.A).not.toBe(h.data.B);
    expect(h.data.A).not.toBe(other.data.A);
  });
});

describe('autoscaled workloads', () => {
  it('are applied without replicas, so the autoscaler owns them', async () => {
    const { forApply } = await import('../../src/plan/plan.js');
    const d = (name: string) => ({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name }, spec: { replicas: 2, template: {} } });
    const hpa = { apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata: { name: 'h' }, spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'scaled' } } };
    const objs = [d('scaled'), d('fixed'), hpa];
    const out = forApply(objs);
    expect((out[0]!.spec as { replicas?: number }).replicas).toBeUndefined();
    expect((out[1]!.spec as { replicas?: number }).replicas).toBe(2);
    expect((objs[0]!.spec as { replicas?: number }).replicas).toBe(2); // input untouched
  });
  it('the stack renders no replicas for an autoscaled sub-component', () => {
    const r = renderFromOptions({ enable: ['panda'], sets: ['panda.server.autoscaling.enabled=true'] });
    const server = r.objects.find((o) => (o.kind === 'Deployment' || o.kind === 'StatefulSet') && o.metadata.name === 'test-panda-server')!;
    expect(r.objects.some((o) => o.kind === 'HorizontalPodAutoscaler')).toBe(true);
    const applied = buildPlan(r, 'ns').nodes.flatMap((n) => n.apply).find((o) => o.metadata.name === server.metadata.name && o.kind === server.kind)!;
    expect((applied.spec as { replicas?: number }).replicas).toBeUndefined();
  });
});
