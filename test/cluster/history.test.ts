/**
 * Release history on a real control plane: install twice (0 drift, two revisions), upgrade,
 * rollback (values and live objects of the earlier revision again), and the CLI's history,
 * get values and get manifest reading the same records.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { realClock } from '../../src/cluster/clock.js';
import type { Kube } from '../../src/cluster/kube.js';
import { resolveAffix } from '../../src/core/names.js';
import { diff } from '../../src/ops/diff.js';
import { normalize } from '../../src/ops/compare.js';
import { getRecord, history } from '../../src/ops/history.js';
import { renderStackFor } from '../../src/ops/inputs.js';
import { rollback } from '../../src/ops/rollback.js';
import { affixFor, cleanupVolumes, install, installSecrets, kubeconfig, list, namespace, ROOT, SECRETS_VALUES } from './helpers.js';

const COMPONENTS = ['msgsvc', 'iam', 'panda'];

/** Every object of the stack as the API server holds it, without server bookkeeping. */
async function liveState(kube: Kube): Promise<Map<string, unknown>> {
  const out = new Map<string, unknown>();
  for (const [apiVersion, kind] of [['v1', 'ConfigMap'], ['v1', 'Service'], ['apps/v1', 'Deployment'], ['apps/v1', 'StatefulSet'], ['v1', 'PersistentVolumeClaim'], ['batch/v1', 'CronJob']] as const) {
    for (const o of await list(kube, apiVersion, kind)) {
      const n = normalize(o) as { metadata: Record<string, unknown> };
      delete n.metadata.annotations; // pv.kubernetes.io/bind-completed and the like, written by controllers
      out.set(`${kind}/${o.metadata.name}`, n);
    }
  }
  return out;
}

const cli = (args: string[]) => spawnSync(process.execPath, [path.join(ROOT, 'bin', 'panda-k8s.js'), ...args, '--kubeconfig', kubeconfig()], { encoding: 'utf8', cwd: ROOT });

describe('release history', () => {
  let kube: Kube;
  let ns: string;
  const affix = affixFor('h');
  const opts = { affix, enable: COMPONENTS };
  const changed = { ...opts, sets: ['panda.server.replicaCount=2', 'msgsvc.activemq.javaMemory=-Xmx1g'] };
  beforeAll(async () => {
    ({ kube, ns } = await namespace('history'));
    expect(await installSecrets(kube, { affix })).toBe(0);
  });
  afterAll(() => cleanupVolumes(ns, COMPONENTS.map((c) => `${affix}${c}`).join(',')));

  let rev1: Map<string, unknown>;
  it('install twice: 0 drift, two revisions with the same inputs digest', async () => {
    const first = await install(kube, opts);
    expect(first.report.errors).toEqual([]);
    expect(first.report.revision).toBe(1);
    rev1 = await liveState(kube);
    const again = await install(kube, opts);
    expect(again.report.created + again.report.changed + again.report.pruned.length).toBe(0);
    expect(again.report.revision).toBe(2);
    expect((await diff(kube, renderStackFor({ secretsValues: SECRETS_VALUES, namespace: ns, ...opts }))).changes).toEqual([]);
    expect(await liveState(kube)).toEqual(rev1);
    const h = await history(kube, resolveAffix(affix, undefined));
    expect(h.revisions.map((r) => [r.revision, r.operation, r.outcome])).toEqual([
      [1, 'install', 'succeeded'],
      [2, 'upgrade', 'succeeded'],
    ]);
    expect(h.revisions[0]!.digest).toBe(h.revisions[1]!.digest);
    expect(h.revisions[0]!.objects).toBeGreaterThan(20);
  });

  it('rollback returns get values and every live object to the earlier revision', async () => {
    const up = await install(kube, changed);
    expect(up.report.errors).toEqual([]);
    expect(up.report.revision).toBe(3);
    const rev3 = await liveState(kube);
    const differing = [...rev3.keys()].filter((k) => JSON.stringify(rev3.get(k)) !== JSON.stringify(rev1.get(k)));
    expect(differing.length).toBeGreaterThan(0);
    const a = resolveAffix(affix, undefined);
    const back = await rollback(kube, a, 1, { timeoutMs: 120_000, clock: realClock });
    expect(back.errors).toEqual([]);
    expect([back.revision, back.rollbackOf]).toEqual([4, 1]);
    expect(await liveState(kube)).toEqual(rev1);
    expect((await getRecord(kube, a)).values).toEqual((await getRecord(kube, a, 1)).values);
    expect((await getRecord(kube, a, 3)).values).not.toEqual((await getRecord(kube, a, 1)).values);
    console.log(`history: ${rev1.size} live objects; upgrade changed ${differing.length} (${differing.join(', ')}); rollback restored all of them in ${back.seconds}s`);
  });

  it('the CLI reads the same records: history, get values, get manifest', () => {
    const h = cli(['history', '-n', ns, '-a', affix, '-o', 'json']);
    expect(h.stderr).toBe('');
    expect(h.status).toBe(0);
    const revs = (JSON.parse(h.stdout) as { revisions: { revision: number; operation: string; rollbackOf?: number; objects: number }[] }).revisions;
    expect(revs.map((r) => [r.revision, r.operation, r.rollbackOf])).toEqual([
      [1, 'install', undefined],
      [2, 'upgrade', undefined],
      [3, 'upgrade', undefined],
      [4, 'rollback', 1],
    ]);
    const v3 = cli(['get', 'values', '-n', ns, '-a', affix, '--revision', '3', '-o', 'json']);
    expect(v3.status).toBe(0);
    expect(JSON.parse(v3.stdout).panda.server.replicaCount).toBe(2);
    expect(JSON.parse(v3.stdout).secrets).toBeUndefined();
    const m = cli(['get', 'manifest', '-n', ns, '-a', affix, '-o', 'json']);
    expect(m.status).toBe(0);
    const objs = JSON.parse(m.stdout) as { kind: string }[];
    expect(objs.length).toBe(revs[3]!.objects);
    expect(objs.some((o) => o.kind === 'StatefulSet' || o.kind === 'Deployment')).toBe(true);
    const missing = cli(['get', 'values', '-n', ns, '-a', affix, '--revision', '99']);
    expect(missing.status).toBe(4);
    expect(missing.stderr).toMatch(/no revision 99/);
  });
});
