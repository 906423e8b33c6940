/**
 * Deploy-test helpers: a real API server (started by `npm run cluster:up`, found through
 * KUBECONFIG), one namespace per test, and storage fixtures standing in for a site's volumes.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { fileURLToPath } from 'node:url';
import { connect, type Kube } from '../../src/cluster/kube.js';
import type { PandaError } from '../../src/core/errors.js';
import type { K8sObject } from '../../src/core/k8s.js';
import { inNamespace } from '../../src/core/objects.js';
import { parseDuration, realClock } from '../../src/cluster/clock.js';
import type { ProgressEvent } from '../../src/ops/execute.js';
import { readSecrets, renderStackFor } from '../../src/ops/inputs.js';
import { install as installStack, type InstallReport } from '../../src/ops/install.js';
import { secretsInstall } from '../../src/ops/secrets.js';
import type { RenderOptions } from '../../src/render/inputs.js';
import { renderFromOptions } from '../../src/render/inputs.js';
import type { Live } from '../../src/cluster/readiness.js';

export const HERE = path.dirname(fileURLToPath(import.meta.url));
export const ROOT = path.resolve(HERE, '..', '..');
export const SECRETS_VALUES = path.join(HERE, 'fixtures', 'secrets-values.yaml');

export function kubeconfig(): string {
  const k = process.env.KUBECONFIG;
  if (!k) throw new Error('KUBECONFIG is not set: start the local control plane with `eval "$(npm run -s cluster:up | tail -n 1)"`');
  return k;
}

/**
 * A token unique to this test run: PersistentVolumes are cluster-scoped and named after the
 * release, so every run uses its own affixes (`<token>n-`).
 */
export const RUN = Math.random().toString(36).slice(2, 6).replace(/^[0-9]/, 'r');
export const affixFor = (tag: string) => `${RUN}${tag}-`;

let seq = 0;
/** A fresh namespace (and a Kube bound to it). */
export async function namespace(prefix: string): Promise<{ ns: string; kube: Kube }> {
  const ns = `${prefix}-${process.pid % 10000}-${++seq}-${Date.now() % 100000}`;
  const admin = connect({ kubeconfig: kubeconfig() });
  await admin.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
  for (let i = 0; i < 100; i++) {
    if (await admin.get({ apiVersion: 'v1', kind: 'ServiceAccount', name: 'default', namespace: ns })) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  return { ns, kube: connect({ kubeconfig: kubeconfig(), namespace: ns }) };
}

/** The Route API, served by a CRD on this plain control plane. */
export async function ensureRouteCrd(): Promise<void> {
  const admin = connect({ kubeconfig: kubeconfig() });
  await admin.apply(parse(fs.readFileSync(path.join(HERE, 'fixtures', 'route-crd.yaml'), 'utf8')));
  for (let i = 0; i < 300; i++) {
    const crd = await admin.get({ apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', name: 'routes.route.openshift.io' });
    const ok = (crd?.status?.conditions as { type: string; status: string }[] | undefined)?.some((c) => c.type === 'Established' && c.status === 'True');
    if (ok && (await connect({ kubeconfig: kubeconfig() }).serves('route.openshift.io/v1', 'Route'))) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('the Route CRD did not become established');
}

/**
 * Volumes for claims that neither a PersistentVolume of ours nor a StorageClass of the cluster
 * serves (experiments that name a site StorageClass this cluster lacks): one hostPath PV per
 * claim, pre-bound to it. Claims without a class are left to the default StorageClass and its
 * provisioner, as are claims of a class the cluster has.
 */
export async function provideVolumes(kube: Kube, opts: RenderOptions): Promise<void> {
  const { objects } = renderFromOptions({ namespace: kube.namespace, ...opts });
  const classes = new Set((await kube.list('storage.k8s.io/v1', 'StorageClass')).map((c) => c.metadata.name));
  const pvs = new Set(objects.filter((o) => o.kind === 'PersistentVolume').map((o) => o.metadata.name));
  type ClaimSpec = { storageClassName?: string; resources: { requests: { storage: string } }; accessModes: string[] };
  const claims: { metadata: { name: string }; spec?: unknown }[] = objects.filter((o) => o.kind === 'PersistentVolumeClaim');
  // the claims a StatefulSet's claim templates make: <template>-<statefulset>-<ordinal>
  for (const sts of objects.filter((o) => o.kind === 'StatefulSet')) {
    const spec = sts.spec as { replicas?: number; volumeClaimTemplates?: { metadata: { name: string }; spec: ClaimSpec }[] };
    for (const t of spec.volumeClaimTemplates ?? []) {
      for (let i = 0; i < (spec.replicas ?? 1); i++) claims.push({ metadata: { name: `${t.metadata.name}-${sts.metadata.name}-${i}` }, spec: t.spec });
    }
  }
  for (const c of claims) {
    if (pvs.has(c.metadata.name)) continue;
    const spec = c.spec as ClaimSpec;
    if (!spec.storageClassName || classes.has(spec.storageClassName)) continue;
    await kube.apply({
      apiVersion: 'v1',
      kind: 'PersistentVolume',
      metadata: { name: `site-${kube.namespace}-${c.metadata.name}`.slice(0, 253), labels: { 'panda-k8s.test/site-volume': kube.namespace } },
      spec: {
        ...(spec.storageClassName ? { storageClassName: spec.storageClassName } : { storageClassName: '' }),
        capacity: { storage: spec.resources.requests.storage },
        accessModes: spec.accessModes,
        hostPath: { path: `/tmp/site/${c.metadata.name}` },
        claimRef: { namespace: kube.namespace, name: c.metadata.name },
      },
    });
  }
}

/** Delete the test's namespace and the PVs it created (cluster-scoped, so they outlive it). */
export async function cleanupVolumes(ns: string, releases?: string): Promise<void> {
  const admin = connect({ kubeconfig: kubeconfig() });
  const selectors = [`panda-k8s.test/site-volume=${ns}`, ...(releases ? [`app.kubernetes.io/instance in (${releases})`] : [])];
  for (const labelSelector of selectors) {
    for (const pv of await admin.list('v1', 'PersistentVolume', { labelSelector })) await admin.delete({ apiVersion: 'v1', kind: 'PersistentVolume', name: pv.metadata.name });
  }
  if (ns) await admin.delete({ apiVersion: 'v1', kind: 'Namespace', name: ns });
}

export async function installSecrets(kube: Kube, extra: Partial<RenderOptions> = {}): Promise<number> {
  await secretsInstall(kube, readSecrets({ secretsValues: SECRETS_VALUES, ...extra }));
  return 0;
}

export interface Recorded {
  code: number;
  events: ProgressEvent[];
  report: InstallReport;
}

/** Install through ops (placeholders allowed, 120 s per component); `code` as the CLI would exit. */
export async function install(kube: Kube, opts: RenderOptions, flags: { timeout?: string; signal?: AbortSignal; skipPreflight?: boolean; createNamespace?: boolean } = {}): Promise<Recorded> {
  const events: ProgressEvent[] = [];
  const report = await installStack(kube, renderStackFor({ secretsValues: SECRETS_VALUES, namespace: kube.namespace, ...opts }), {
    timeoutMs: parseDuration(flags.timeout ?? '120s')!,
    clock: realClock,
    onEvent: (e) => events.push(e),
    ...(flags.signal ? { signal: flags.signal } : {}),
    ...(flags.skipPreflight ? { skipPreflight: true } : {}),
    ...(flags.createNamespace ? { createNamespace: true } : {}),
  });
  return { code: report.interrupted ? 130 : report.errors.length ? 1 : 0, events, report };
}

export async function list(kube: Kube, apiVersion: string, kind: string, labelSelector = 'app.kubernetes.io/managed-by=panda-k8s'): Promise<Live[]> {
  return kube.list(apiVersion, kind, { labelSelector });
}

export const names = (objs: readonly Live[]) => objs.map((o) => o.metadata.name).sort();

/** Objects the API server's dry run refuses, with its message. */
export async function dryRunRefusals(kube: Kube, objects: readonly K8sObject[]): Promise<string[]> {
  const refused: string[] = [];
  for (const o of objects) {
    try {
      await kube.apply(inNamespace(o, kube.namespace), { dryRun: true });
    } catch (e) {
      refused.push(`${o.kind}/${o.metadata.name}: ${(e as PandaError).issues?.[0]?.message ?? e}`);
    }
  }
  return refused;
}

type LivePodSpec = {
  volumes?: { secret?: { secretName: string; items?: { key: string }[]; optional?: boolean }; configMap?: { name: string; items?: { key: string }[]; optional?: boolean }; projected?: { sources: { secret?: { name: string; items?: { key: string }[]; optional?: boolean }; configMap?: { name: string; items?: { key: string }[]; optional?: boolean } }[] } }[];
  containers?: LiveContainer[];
  initContainers?: LiveContainer[];
};
type LiveContainer = {
  name: string;
  env?: { name: string; valueFrom?: { secretKeyRef?: { name: string; key: string; optional?: boolean }; configMapKeyRef?: { name: string; key: string; optional?: boolean } } }[];
  envFrom?: { secretRef?: { name: string; optional?: boolean }; configMapRef?: { name: string; optional?: boolean } }[];
};

/**
 * What the running pods of the namespace read that the cluster does not hold: a Secret or
 * ConfigMap that does not exist, or a key it lacks (references marked optional aside). `checked`
 * counts the references looked at, per kind.
 */
export async function liveReferenceProblems(kube: Kube): Promise<{ problems: string[]; checked: Record<'Secret' | 'ConfigMap', number> }> {
  const held = new Map<string, Set<string>>();
  for (const kind of ['Secret', 'ConfigMap'] as const) {
    for (const o of await kube.list('v1', kind, {})) {
      const d = o as unknown as { data?: object; binaryData?: object };
      held.set(`${kind}/${o.metadata.name}`, new Set([...Object.keys(d.data ?? {}), ...Object.keys(d.binaryData ?? {})]));
    }
  }
  const problems: string[] = [];
  const checked = { Secret: 0, ConfigMap: 0 };
  const need = (pod: string, kind: 'Secret' | 'ConfigMap', name: string, keys: readonly string[], optional?: boolean) => {
    checked[kind]++;
    if (optional) return;
    const have = held.get(`${kind}/${name}`);
    if (!have) problems.push(`${pod}: ${kind}/${name} does not exist`);
    else for (const k of keys) if (!have.has(k)) problems.push(`${pod}: ${kind}/${name} has no key ${k}`);
  };
  for (const pod of await kube.list('v1', 'Pod', {})) {
    const spec = pod.spec as LivePodSpec;
    const who = `Pod/${pod.metadata.name}`;
    for (const v of spec.volumes ?? []) {
      if (v.secret) need(who, 'Secret', v.secret.secretName, (v.secret.items ?? []).map((i) => i.key), v.secret.optional);
      if (v.configMap) need(who, 'ConfigMap', v.configMap.name, (v.configMap.items ?? []).map((i) => i.key), v.configMap.optional);
      for (const s of v.projected?.sources ?? []) {
        if (s.secret) need(who, 'Secret', s.secret.name, (s.secret.items ?? []).map((i) => i.key), s.secret.optional);
        if (s.configMap) need(who, 'ConfigMap', s.configMap.name, (s.configMap.items ?? []).map((i) => i.key), s.configMap.optional);
      }
    }
    for (const c of [...(spec.containers ?? []), ...(spec.initContainers ?? [])]) {
      const where = `${who} container ${c.name}`;
      for (const e of c.envFrom ?? []) {
        if (e.secretRef) need(where, 'Secret', e.secretRef.name, [], e.secretRef.optional);
        if (e.configMapRef) need(where, 'ConfigMap', e.configMapRef.name, [], e.configMapRef.optional);
      }
      for (const e of c.env ?? []) {
        const s = e.valueFrom?.secretKeyRef;
        const m = e.valueFrom?.configMapKeyRef;
        if (s) need(where, 'Secret', s.name, [s.key], s.optional);
        if (m) need(where, 'ConfigMap', m.name, [m.key], m.optional);
      }
    }
  }
  return { problems, checked };
}

/** An IngressClass as a site's ingress controller provides it (this control plane runs none). */
export async function ensureIngressClass(name: string): Promise<void> {
  const admin = connect({ kubeconfig: kubeconfig() });
  await admin.apply({ apiVersion: 'networking.k8s.io/v1', kind: 'IngressClass', metadata: { name }, spec: { controller: `k8s.io/ingress-${name}` } });
}
