/**
 * Release records: built and read back purely (compression, size, pruning, choosing a rollback
 * target), and written by install, rollback and uninstall against an in-memory cluster.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { PandaError } from '../core/errors.js';
import type { K8sObject } from '../core/k8s.js';
import { resolveAffix } from '../core/names.js';
import { LIMITS } from '../plan/limits.js';
import { readSecrets, renderStackFor } from './inputs.js';
import { getRecord, history, readRecords } from './history.js';
import { install } from './install.js';
import {
  inputsDigest,
  nonSecretValues,
  parseRecord,
  pickRecord,
  recordSecret,
  recordsToPrune,
  rollbackTarget,
  stackName,
  type ReleaseRecord,
} from './records.js';
import { rollback } from './rollback.js';
import { FakeClock, FakeCluster } from './testing.js';
import { uninstall } from './uninstall.js';

const SECRETS_VALUES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'test', 'cluster', 'fixtures', 'secrets-values.yaml');
const T0 = Date.UTC(2026, 11, 2, 1, 0, 0);

function record(revision: number, over: Partial<ReleaseRecord> = {}): ReleaseRecord {
  return {
    revision,
    stack: 'dev-panda-k8s',
    namespace: 'ns',
    operation: 'upgrade',
    outcome: 'succeeded',
    tool: 'panda-k8s 0.1.0',
    by: 'alice@h',
    startedAt: new Date(T0).toISOString(),
    finishedAt: new Date(T0 + 1000).toISOString(),
    digest: 'sha256:x',
    affix: 'dev-',
    secretPrefix: 'panda-secrets',
    values: { panda: { server: { replicaCount: 1 } } },
    components: [{ name: 'msgsvc', release: 'dev-msgsvc', subs: ['activemq'], objects: [{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'dev-msgsvc-x' }, data: { a: 'b' } }] }],
    manifest: true,
    inventory: ['ConfigMap/dev-msgsvc-x'],
    summary: { created: 1, changed: 0, unchanged: 0, pruned: [], kept: [] },
    errors: [],
    ...over,
  };
}

describe('release records, pure', () => {
  it('a record is a Secret of its own type, named and labelled after stack and revision, that reads back unchanged', () => {
    const r = record(3);
    const s = recordSecret(r);
    expect(s.metadata.name).toBe('dev-panda-k8s.v3');
    expect(s.type).toBe('panda-k8s.io/release.v1');
    expect(s.metadata.labels).toMatchObject({ 'app.kubernetes.io/managed-by': 'panda-k8s', 'panda-k8s.io/stack': 'dev-panda-k8s', 'panda-k8s.io/revision': '3' });
    expect(parseRecord(s)).toEqual(r);
  });

  it('a whole rendered stack is compressed well within what a Secret holds', () => {
    const rendered = renderStackFor({ secretsValues: SECRETS_VALUES, namespace: 'ns' });
    const comps = rendered.components.map((c) => ({ name: c.name, release: c.release, subs: c.subs, objects: c.objects }));
    const s = recordSecret(record(1, { components: comps }));
    const stored = Buffer.from(String((s.data as Record<string, string>).release), 'base64').length;
    const raw = Buffer.byteLength(JSON.stringify(rendered.objects));
    expect(stored).toBeLessThan(raw / 3);
    expect(stored).toBeLessThan(LIMITS.dataBytes / 10);
    expect(parseRecord(s).components.map((c) => c.objects.length)).toEqual(comps.map((c) => c.objects.length));
  });

  it('a manifest too large even compressed is left out, the inventory kept; such a revision cannot be rolled back to', () => {
    // random data does not compress
    const big = Array.from({ length: 3 }, (_, i) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `big-${i}` }, data: { f: Buffer.from(Array.from({ length: 600_000 }, () => Math.floor(Math.random() * 256))).toString('base64') } }));
    const s = recordSecret(record(2, { components: [{ name: 'panda', release: 'dev-panda', subs: ['server'], objects: big }], inventory: big.map((o) => `ConfigMap/${o.metadata.name}`) }));
    const r = parseRecord(s);
    expect(r.manifest).toBe(false);
    expect(r.components[0]!.objects).toEqual([]);
    expect(r.inventory).toEqual(['ConfigMap/big-0', 'ConfigMap/big-1', 'ConfigMap/big-2']);
    expect(() => rollbackTarget([record(1), r], 'dev-panda-k8s', 2)).toThrow(expect.objectContaining({ issues: [expect.objectContaining({ message: 'its manifest was too large to keep' })] }));
  });

  it('keeps no secret values: the secrets slice is dropped', () => {
    const rendered = renderStackFor({ secretsValues: SECRETS_VALUES, namespace: 'ns' });
    const v = nonSecretValues(rendered.values);
    expect(Object.keys(v)).not.toContain('secrets');
    expect(Object.keys(v)).toContain('panda');
    const text = JSON.stringify(recordSecret(record(1, { values: v })));
    const password = (rendered.values.secrets as { panda: { database: { password: string } } }).panda.database.password;
    expect(password.length).toBeGreaterThan(3);
    expect(JSON.stringify(parseRecord(JSON.parse(text) as K8sObject))).not.toContain(password);
  });

  it('the inputs digest depends on values and objects, not on key order', () => {
    const c = [{ name: 'msgsvc', subs: ['activemq'], objects: [{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a' }, data: { x: '1', y: '2' } }] }];
    const reordered = [{ name: 'msgsvc', subs: ['activemq'], objects: [{ data: { y: '2', x: '1' }, metadata: { name: 'a' }, kind: 'ConfigMap', apiVersion: 'v1' }] }];
    expect(inputsDigest({ a: 1, b: 2 }, c)).toBe(inputsDigest({ b: 2, a: 1 }, reordered));
    expect(inputsDigest({ a: 1 }, c)).not.toBe(inputsDigest({ a: 2 }, c));
    expect(inputsDigest({ a: 1 }, c)).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  it('prunes to the newest max revisions, oldest first; never below one', () => {
    expect(recordsToPrune([1, 2, 3, 4, 5], 3)).toEqual([1, 2]);
    expect(recordsToPrune([5, 3, 4], 10)).toEqual([]);
    expect(recordsToPrune([1, 2], 0)).toEqual([1]);
  });

  it('a rollback goes to the newest success before the newest revision, or the one named', () => {
    const rs = [record(1), record(2, { outcome: 'failed' }), record(3), record(4, { outcome: 'failed' })];
    expect(rollbackTarget(rs, 's').revision).toBe(3);
    expect(rollbackTarget(rs.slice(0, 3), 's').revision).toBe(1);
    expect(rollbackTarget(rs, 's', 2).revision).toBe(2);
    expect(() => rollbackTarget(rs, 's', 9)).toThrow(/no revision 9/);
    expect(() => rollbackTarget([record(1)], 's')).toThrow(/no earlier revision/);
    expect(() => rollbackTarget([record(1), record(2, { operation: 'uninstall', manifest: false })], 's', 2)).toThrow(expect.objectContaining({ issues: [expect.objectContaining({ message: 'it is an uninstall' })] }));
    const e = (() => {
      try {
        rollbackTarget([], 'dev-panda-k8s');
      } catch (x) {
        return x as PandaError;
      }
    })();
    expect(e?.exitCode).toBe(4);
  });

  it('get values and manifest default to the newest revision that is not an uninstall', () => {
    const rs = [record(1), record(2), record(3, { operation: 'uninstall', manifest: false })];
    expect(pickRecord(rs, 's').revision).toBe(2);
    expect(pickRecord(rs, 's', 1).revision).toBe(1);
    expect(() => pickRecord(rs, 's', 7)).toThrow(/no revision 7/);
  });
});

describe('release records, written by install, rollback and uninstall', () => {
  const affix = resolveAffix('dev-', undefined);
  const opts = { affix: 'dev-', enable: ['msgsvc'], secretsValues: SECRETS_VALUES, namespace: 'ns' };
  function setup(script: ConstructorParameters<typeof FakeCluster>[1] = {}) {
    const clock = new FakeClock(T0);
    const kube = new FakeCluster(clock, script, 'ns');
    for (const s of readSecrets({ secretsValues: SECRETS_VALUES, affix: 'dev-' }).render()) kube.put({ ...s, metadata: { ...s.metadata, namespace: 'ns' } });
    const run = <T>(p: Promise<T>) => clock.run(p);
    const base = { timeoutMs: 60_000, clock, record: { by: 'alice@h', tool: 'panda-k8s 0.1.0', historyMax: 3 } };
    return { clock, kube, run, base };
  }
  const configOf = async (kube: FakeCluster, run: <T>(p: Promise<T>) => Promise<T>) => (await run(kube.list('v1', 'ConfigMap', { labelSelector: 'app.kubernetes.io/managed-by=panda-k8s' }))).map((c) => ({ name: c.metadata.name, data: (c as { data?: unknown }).data })).sort((a, b) => a.name.localeCompare(b.name));

  it('install, upgrade, rollback: each a revision; rollback restores the values and the objects of the revision it names', async () => {
    const { kube, run, base } = setup();
    const r1 = await run(install(kube, renderStackFor(opts), base));
    expect(r1.errors).toEqual([]);
    expect(r1.revision).toBe(1);
    const cm1 = await configOf(kube, run);
    const r2 = await run(install(kube, renderStackFor({ ...opts, sets: ['msgsvc.activemq.replicaCount=2'] }), base));
    expect(r2.revision).toBe(2);
    const sts = async () => (await run(kube.list('apps/v1', 'StatefulSet'))).concat(await run(kube.list('apps/v1', 'Deployment'))).map((d) => (d.spec as { replicas?: number }).replicas);
    expect(await sts()).toContain(2);
    const h = await run(history(kube, affix));
    expect(h.stack).toBe('dev-panda-k8s');
    expect(h.revisions.map((r) => [r.revision, r.operation, r.outcome, r.by])).toEqual([
      [1, 'install', 'succeeded', 'alice@h'],
      [2, 'upgrade', 'succeeded', 'alice@h'],
    ]);
    expect(h.revisions[0]!.digest).not.toBe(h.revisions[1]!.digest);
    const rb = await run(rollback(kube, affix, 1, base));
    expect(rb.errors).toEqual([]);
    expect(rb.revision).toBe(3);
    expect(rb.rollbackOf).toBe(1);
    expect(await sts()).not.toContain(2);
    expect(await configOf(kube, run)).toEqual(cm1);
    const v1 = await run(getRecord(kube, affix, 1));
    const v3 = await run(getRecord(kube, affix));
    expect(v3.revision).toBe(3);
    expect(v3.values).toEqual(v1.values);
    expect(v3.digest).toBe(v1.digest);
    expect((await run(getRecord(kube, affix, 2))).values).not.toEqual(v1.values);
  });

  it('keeps --history-max records, deleting the oldest', async () => {
    const { kube, run, base } = setup();
    for (let i = 0; i < 5; i++) await run(install(kube, renderStackFor(opts), base));
    const rs = await run(readRecords(kube, stackName(affix)));
    expect(rs.map((r) => r.revision)).toEqual([3, 4, 5]);
  });

  it('--rollback-on-failure re-applies the newest success when the upgrade fails; both runs are recorded', async () => {
    let failing = false;
    const { kube, run, base } = setup({ readyAfter: (o) => (failing && (o.kind === 'StatefulSet' || o.kind === 'Deployment') && JSON.stringify(o).includes('broken:1') ? undefined : 0) });
    expect((await run(install(kube, renderStackFor(opts), base))).errors).toEqual([]);
    failing = true;
    const r = await run(install(kube, renderStackFor({ ...opts, sets: ['msgsvc.activemq.image.tag=broken:1'] }), { ...base, timeoutMs: 5_000, rollbackOnFailure: true }));
    expect(r.errors.length).toBeGreaterThan(0);
    expect(r.revision).toBe(2);
    expect(r.rolledBack && 'revision' in r.rolledBack ? [r.rolledBack.revision, r.rolledBack.rollbackOf, r.rolledBack.errors] : r.rolledBack).toEqual([3, 1, []]);
    const h = await run(history(kube, affix));
    expect(h.revisions.map((x) => [x.revision, x.operation, x.outcome])).toEqual([
      [1, 'install', 'succeeded'],
      [2, 'upgrade', 'failed'],
      [3, 'rollback', 'succeeded'],
    ]);
    const images = (await run(kube.list('apps/v1', 'StatefulSet'))).concat(await run(kube.list('apps/v1', 'Deployment'))).flatMap((d) => JSON.stringify(d.spec).match(/broken:1/g) ?? []);
    expect(images).toEqual([]);
  });

  it('uninstall writes a revision with what it deleted; get values skips it', async () => {
    const { kube, run, base } = setup();
    await run(install(kube, renderStackFor(opts), base));
    const u = await run(uninstall(kube, { affix, timeoutMs: 60_000, clock: base.clock, record: base.record }));
    expect(u.revision).toBe(2);
    const rs = await run(readRecords(kube, stackName(affix)));
    expect(rs.map((r) => [r.operation, r.outcome])).toEqual([
      ['install', 'succeeded'],
      ['uninstall', 'succeeded'],
    ]);
    expect(rs[1]!.inventory).toEqual(u.deleted);
    expect(rs[1]!.values).toBeUndefined();
    expect((await run(getRecord(kube, affix))).revision).toBe(1);
    // the next install is an install again
    expect((await run(install(kube, renderStackFor(opts), base))).revision).toBe(3);
    expect((await run(readRecords(kube, stackName(affix)))).at(-1)!.operation).toBe('install');
  });
});
