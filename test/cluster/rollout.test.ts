/**
 * Config changes roll exactly their consumers, on a real control plane: a changed value restarts
 * only the workloads whose pods read it (their pod template's digest changes, the controller
 * rolls them); a rotated Secret of the secrets lifecycle restarts its readers on `secrets install`.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasChanges } from '../../src/ops/diff.js';
import { readSecrets } from '../../src/ops/inputs.js';
import { secretsDiff, secretsInstall } from '../../src/ops/secrets.js';
import { tierOf } from '../../src/ops/rollout.js';
import { printSecretsDiff } from '../../src/cli/print.js';
import { LABEL } from '../../src/core/k8s.js';
import { realClock } from '../../src/cluster/clock.js';
import type { Kube } from '../../src/cluster/kube.js';
import { CONFIG_DIGEST, podReferences, SECRETS_DIGEST } from '../../src/render/digests.js';
import { affixFor, cleanupVolumes, install, installSecrets, list, namespace, provideVolumes, SECRETS_VALUES } from './helpers.js';

const affix = affixFor('r');
/** The Secret prefix of the test's secrets values (global.secret). */
const prefix = readSecrets({ secretsValues: SECRETS_VALUES, affix }).prefix;
const RELEASES = ['msgsvc', 'iam', 'panda', 'harvester', 'idds', 'bigmon'].map((c) => `${affix}${c}`).join(',');

/** Each workload's pod-template digests and generation. */
async function templates(kube: Kube): Promise<Map<string, { config?: string; secrets?: string; generation: number }>> {
  const out = new Map<string, { config?: string; secrets?: string; generation: number }>();
  for (const kind of ['Deployment', 'StatefulSet']) {
    for (const w of await list(kube, 'apps/v1', kind)) {
      const a = (w.spec?.template?.metadata?.annotations ?? {}) as Record<string, string>;
      out.set(`${kind}/${w.metadata.name}`, { ...(a[CONFIG_DIGEST] ? { config: a[CONFIG_DIGEST] } : {}), ...(a[SECRETS_DIGEST] ? { secrets: a[SECRETS_DIGEST] } : {}), generation: w.metadata.generation ?? 0 });
    }
  }
  return out;
}

/** The workloads whose pod template changed between two snapshots. */
function rolled(a: Awaited<ReturnType<typeof templates>>, b: Awaited<ReturnType<typeof templates>>): string[] {
  return [...b.keys()].filter((k) => a.get(k)?.generation !== b.get(k)!.generation).sort();
}

/** The six components every experiment has (ui needs a site host name). */
const SIX = ['msgsvc', 'iam', 'panda', 'harvester', 'idds', 'bigmon'];

describe('config changes roll exactly their consumers', () => {
  let kube: Kube;
  let ns: string;
  let tmp: string;
  beforeAll(async () => {
    ({ kube, ns } = await namespace('rollout'));
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'panda-k8s-rollout-'));
    await provideVolumes(kube, { affix });
    expect(await installSecrets(kube, { affix })).toBe(0);
    expect((await install(kube, { affix, enable: SIX })).code).toBe(0);
  });
  afterAll(async () => {
    await cleanupVolumes(ns, RELEASES);
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('every workload carries its digests; a second install changes no pod template', async () => {
    const before = await templates(kube);
    expect(before.size).toBeGreaterThan(5);
    for (const [w, t] of before) expect(t.config ?? t.secrets, `${w} has no digest`).toBeTruthy();
    expect((await install(kube, { affix, enable: SIX })).code).toBe(0);
    expect(rolled(before, await templates(kube))).toEqual([]);
  });

  it('changing the harvester proxy rolls only harvester', async () => {
    const before = await templates(kube);
    const r = await install(kube, { affix, enable: SIX, sets: ['harvester.harvester.httpProxy=http://squid.example:3128'] });
    expect(r.code).toBe(0);
    const after = await templates(kube);
    const changed = rolled(before, after);
    expect(changed.length).toBeGreaterThan(0);
    for (const w of changed) expect(w).toMatch(new RegExp(`/${affix}harvester`));
  });

  /** A copy of the test's secrets values with the PanDA database password replaced. */
  function rotate(file: string, password: string): string {
    const rotated = path.join(tmp, file);
    const text = fs.readFileSync(SECRETS_VALUES, 'utf8');
    expect(text).toMatch(/panda:\n  database:\n    password: "[^"]*"/);
    fs.writeFileSync(rotated, text.replace(/(panda:\n  database:\n    password: )"[^"]*"/, `$1"${password}"`));
    return rotated;
  }

  /** The Secrets of the lifecycle whose content changed between two reads of the cluster. */
  async function secretData(): Promise<Map<string, string>> {
    return new Map((await kube.list('v1', 'Secret', { labelSelector: `${LABEL.lifecycle}=secrets` })).map((s) => [`Secret/${s.metadata.name}`, JSON.stringify((s as { data?: unknown }).data ?? {})]));
  }
  const changedSecrets = (a: Map<string, string>, b: Map<string, string>) => [...b.keys()].filter((k) => a.get(k) !== b.get(k)).sort();

  /** The live workloads whose pod spec reads any of `secrets` (from their pod templates, independently of ops). */
  async function readersOf(secrets: readonly string[]): Promise<string[]> {
    const out: string[] = [];
    for (const kind of ['Deployment', 'StatefulSet'])
      for (const w of await list(kube, 'apps/v1', kind)) if (podReferences(w.spec?.template?.spec).some((r) => secrets.includes(r))) out.push(`${kind}/${w.metadata.name}`);
    return out.sort();
  }

  it('rotating the PanDA DB password: secrets diff names the readers, secrets install rolls exactly them, in tier order', async () => {
    const rotated = rotate('secrets.yaml', 'rotated-Pa55');
    const secrets = () => readSecrets({ secretsValues: rotated, affix });

    const report = await secretsDiff(kube, secrets());
    expect(hasChanges(report)).toBe(true);
    const lines: string[] = [];
    const write = process.stdout.write.bind(process.stdout);
    process.stdout.write = ((s: string) => (lines.push(String(s)), true)) as typeof process.stdout.write;
    try {
      printSecretsDiff(report, 'text');
      printSecretsDiff(report, 'json');
    } finally {
      process.stdout.write = write;
    }
    const printed = lines.join('');
    expect(printed).not.toContain('rotated-Pa55');
    expect(printed).toMatch(/which secrets install would restart/);

    const beforeData = await secretData();
    const before = await templates(kube);
    const r = await secretsInstall(kube, secrets(), { rollout: true, timeoutMs: 120_000, clock: realClock });
    expect(r.notReady).toEqual([]);
    const changedS = changedSecrets(beforeData, await secretData());
    // the PanDA password lives in the PanDA Secret (and in bigmon's, which reads PanDA's database)
    expect(changedS).toContain(`Secret/${prefix}-panda-envs`);
    const expected = await readersOf(changedS);
    const after = await templates(kube);
    const changed = rolled(before, after);
    console.log(`rotated PanDA DB password: changed ${changedS.join(', ')}; rolled ${changed.join(', ')}`);
    // exactly the readers of the changed Secrets rolled: PanDA's server and JEDI among them
    expect(changed).toEqual(expected);
    expect(changed).toEqual(expect.arrayContaining([`StatefulSet/${affix}panda-server`, `StatefulSet/${affix}panda-jedi`]));
    // secrets diff named the same workloads before, and secrets install reported them
    expect(report.readers.map((c) => c.workload).sort()).toEqual(expected);
    expect([...r.rolled].sort()).toEqual(expected);
    // in tier order: panda before bigmon
    const tiers = r.rolled.map((w) => tierOf(r.readers.find((c) => c.workload === w)!.component));
    expect(tiers).toEqual([...tiers].sort((a, b) => a - b));
    for (const w of changed) expect(after.get(w)!.secrets).not.toBe(before.get(w)!.secrets);
    // the restarted workloads are ready again
    for (const w of changed) {
      const [kind, name] = w.split('/') as [string, string];
      const live = await kube.get({ apiVersion: 'apps/v1', kind, name, namespace: ns });
      expect(live?.status?.updatedReplicas, w).toBe(live?.spec?.replicas ?? 1);
    }
    // a later install computes the same digest: no further restart
    expect((await install(kube, { affix, enable: SIX, secretsValues: rotated, sets: ['harvester.harvester.httpProxy=http://squid.example:3128'] })).code).toBe(0);
    expect(rolled(after, await templates(kube))).toEqual([]);
  });

  it('--no-rollout leaves the readers running; the next install rolls them', async () => {
    const rotated = rotate('secrets2.yaml', 'rotated-again');
    const beforeData = await secretData();
    const before = await templates(kube);
    const r = await secretsInstall(kube, readSecrets({ secretsValues: rotated, affix }), { rollout: false, timeoutMs: 120_000, clock: realClock });
    const expected = await readersOf(changedSecrets(beforeData, await secretData()));
    expect(expected).toEqual(expect.arrayContaining([`StatefulSet/${affix}panda-server`]));
    // listed, not restarted
    expect(r.readers.map((c) => c.workload).sort()).toEqual(expected);
    expect(r.rolled).toEqual([]);
    const mid = await templates(kube);
    expect(rolled(before, mid)).toEqual([]);
    // install reads the new Secret digests and rolls exactly those readers
    const again = await install(kube, { affix, enable: SIX, secretsValues: rotated, sets: ['harvester.harvester.httpProxy=http://squid.example:3128'] });
    expect(again.code, JSON.stringify(again.report.errors)).toBe(0);
    expect(rolled(mid, await templates(kube))).toEqual(expected);
  });
});
