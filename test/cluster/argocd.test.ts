/**
 * Argo CD on a real control plane: the Applications `argocd apps` writes validate against Argo
 * CD's own CRDs (from its Go module, fetched by scripts/crds/fetch.sh), and what `argocd generate`
 * prints is sync-loop free: applied and read back, every field it sets is what the API server
 * holds (no defaulted field Argo would flag, claim templates included).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, type Kube } from '../../src/cluster/kube.js';
import type { K8sObject } from '../../src/core/k8s.js';
import { refOf } from '../../src/core/objects.js';
import { renderStackFor } from '../../src/ops/inputs.js';
import { applications, SYNC_WAVE } from '../../src/plan/argocd.js';
import { affixFor, cleanupVolumes, kubeconfig, namespace, ROOT, SECRETS_VALUES } from './helpers.js';

const hasKubectl = spawnSync('kubectl', ['version', '--client'], { encoding: 'utf8' }).status === 0;

function argoCrds(): string[] {
  const r = spawnSync('bash', [path.join(ROOT, 'scripts', 'crds', 'fetch.sh')], { encoding: 'utf8', timeout: 600_000 });
  if (r.status !== 0) throw new Error(`scripts/crds/fetch.sh failed: ${r.stderr}`);
  const dir = r.stdout.trim().split('\n').find((d) => path.basename(d).startsWith('argo-cd-'));
  if (!dir) throw new Error('scripts/crds/fetch.sh printed no argo-cd directory');
  return fs.readdirSync(dir).filter((f) => f.endsWith('-crd.yaml')).map((f) => path.join(dir, f));
}

/**
 * Where the live object differs from what was applied: every field the desired object sets must
 * be there with the same value; arrays item by item. Claim templates are compared whole: Argo CD
 * diffs them as a unit (and they are immutable), so a field the server adds to them is a loop.
 */
export function drift(desired: unknown, live: unknown, at = ''): string[] {
  if (at.endsWith('.volumeClaimTemplates')) return JSON.stringify(sorted(desired)) === JSON.stringify(sorted(live)) ? [] : [`${at}: ${JSON.stringify(desired)} != ${JSON.stringify(live)}`];
  if (Array.isArray(desired)) {
    if (!Array.isArray(live) || live.length !== desired.length) return [`${at}: ${JSON.stringify(desired)} != ${JSON.stringify(live)}`];
    return desired.flatMap((d, i) => drift(d, live[i], `${at}[${i}]`));
  }
  if (desired && typeof desired === 'object') {
    if (!live || typeof live !== 'object') return [`${at}: missing`];
    return Object.entries(desired).flatMap(([k, v]) => drift(v, (live as Record<string, unknown>)[k], `${at}.${k}`));
  }
  // resource quantities: Argo CD reads built-in kinds into their typed form, where 4000m is 4
  if (/\.resources\.(limits|requests)\.|\.capacity\./.test(at) && quantity(desired) !== undefined && quantity(desired) === quantity(live)) return [];
  return desired === live ? [] : [`${at}: ${JSON.stringify(desired)} != ${JSON.stringify(live)}`];
}
const UNITS: Record<string, number> = { '': 1, m: 1e-3, k: 1e3, M: 1e6, G: 1e9, T: 1e12, Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40 };
function quantity(v: unknown): number | undefined {
  const m = /^(\d+(?:\.\d+)?)(m|k|M|G|T|Ki|Mi|Gi|Ti)?$/.exec(String(v));
  return m ? Math.round(Number(m[1]) * UNITS[m[2] ?? '']! * 1000) : undefined;
}
const sorted = (v: unknown): unknown =>
  Array.isArray(v) ? v.map(sorted) : v && typeof v === 'object' ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, sorted((v as Record<string, unknown>)[k])])) : v;

describe.skipIf(!hasKubectl)('Argo CD', () => {
  let kube: Kube;
  let ns: string;
  const affix = affixFor('a');
  beforeAll(async () => {
    ({ kube, ns } = await namespace('argocd'));
    for (const f of argoCrds()) {
      const r = spawnSync('kubectl', ['--kubeconfig', kubeconfig(), 'apply', '--server-side', '--force-conflicts', '-f', f], { encoding: 'utf8', timeout: 120_000 });
      expect(r.status, `kubectl apply -f ${f}: ${r.stderr}`).toBe(0);
    }
    const admin = connect({ kubeconfig: kubeconfig() });
    for (let i = 0; i < 300; i++) {
      const crd = await admin.get({ apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', name: 'applications.argoproj.io' });
      const ok = (crd?.status?.conditions as { type: string; status: string }[] | undefined)?.some((c) => c.type === 'Established' && c.status === 'True');
      if (ok && (await connect({ kubeconfig: kubeconfig() }).serves('argoproj.io/v1alpha1', 'Application'))) break;
      await new Promise((r) => setTimeout(r, 100));
    }
  });
  afterAll(() => cleanupVolumes(ns, ['msgsvc', 'iam', 'panda', 'harvester', 'idds', 'bigmon'].map((c) => `${affix}${c}`).join(',')));

  it.each(['per-component', 'single'] as const)('the Applications (%s) validate against Argo CD\'s CRD', async (mode) => {
    const rendered = renderStackFor({ secretsValues: SECRETS_VALUES, namespace: ns, affix, experiment: 'atlas_testbed' });
    const apps = applications(
      {
        components: rendered.components.map((c) => c.name),
        mode,
        prefix: 'panda-',
        repoURL: 'https://git.example.org/ops/panda.git',
        targetRevision: 'main',
        path: 'deploy',
        env: { EXPERIMENT: 'atlas_testbed', AFFIX: affix },
        project: 'default',
        argocdNamespace: ns,
        destinationServer: 'https://kubernetes.default.svc',
        destinationNamespace: ns,
        automated: true,
      },
      rendered.objects,
    );
    expect(apps.length).toBe(mode === 'single' ? 1 : rendered.components.length);
    const refused: string[] = [];
    for (const a of apps) {
      const dry = await kube.apply(a, { dryRun: true }).catch((e: Error & { issues?: { message: string }[] }) => void refused.push(`${a.metadata.name}: ${e.issues?.[0]?.message ?? e.message}`));
      // a field the schema does not know is pruned silently: the dry run must keep every field
      if (dry) expect(drift(a.spec, dry.spec, `${a.metadata.name}.spec`)).toEqual([]);
    }
    expect(refused).toEqual([]);
    // a field of the wrong type is refused by the same schema: the check can fail
    const bad = structuredClone(apps[0]!) as K8sObject & { spec: { syncPolicy: { syncOptions: unknown } } };
    bad.spec.syncPolicy.syncOptions = 'ServerSideApply=true';
    await expect(kube.apply(bad, { dryRun: true })).rejects.toThrow();
  });

  it('argocd generate prints manifests only, each with a sync wave; applied and read back they show no drift', async () => {
    const env = { ...process.env, ARGOCD_ENV_AFFIX: affix, ARGOCD_ENV_EXPERIMENT: 'lsst', ARGOCD_ENV_SECRETS_VALUES: SECRETS_VALUES, ARGOCD_ENV_ALLOW_PLACEHOLDERS: 'true', ARGOCD_APP_NAMESPACE: ns };
    const r = spawnSync(process.execPath, [path.join(ROOT, 'bin', 'panda-k8s.js'), 'argocd', 'generate'], { encoding: 'utf8', env, cwd: ROOT });
    expect(r.status, r.stderr).toBe(0);
    const objects = parseAllDocuments(r.stdout).map((d) => d.toJS() as K8sObject);
    expect(objects.length).toBeGreaterThan(30);
    expect(objects.every((o) => o.metadata.annotations?.[SYNC_WAVE] !== undefined)).toBe(true);
    const drifted: string[] = [];
    for (const o of objects) {
      await kube.apply(o);
      const live = await kube.get(refOf(o, ns));
      drifted.push(...drift(o, live, `${o.kind}/${o.metadata.name}`));
    }
    const withTemplates = objects.filter((o) => o.kind === 'StatefulSet' && (o.spec as { volumeClaimTemplates?: unknown[] }).volumeClaimTemplates?.length).length;
    console.log(`argocd generate (lsst): ${objects.length} objects applied and read back, ${withTemplates} StatefulSets with claim templates, ${drifted.length} drifted fields`);
    expect(drifted).toEqual([]);
  });
});
