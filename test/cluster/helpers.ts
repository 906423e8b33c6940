/**
 * Deploy-test helpers: a real API server (started by `npm run cluster:up`, found through
 * KUBECONFIG), one namespace per test, and storage fixtures standing in for a site's volumes.
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { connect, type Kube } from '../../src/cluster/kube.js';
import type { ProgressEvent } from '../../src/cluster/execute.js';
import { installCommand, secretsInstallCommand, type InstallReport } from '../../src/cluster/commands.js';
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

export function kubectl(args: string[], input?: string): string {
  return execFileSync('kubectl', ['--kubeconfig', kubeconfig(), ...args], { input, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'] });
}

/** The Route API, served by a CRD on this plain control plane. */
export function ensureRouteCrd(): void {
  kubectl(['apply', '--server-side', '-f', path.join(HERE, 'fixtures', 'route-crd.yaml')]);
  kubectl(['wait', '--for=condition=Established', 'crd/routes.route.openshift.io', '--timeout=60s']);
}

/**
 * Volumes for claims that no PersistentVolume of ours serves (experiments that use a site
 * StorageClass, `create: false`): one hostPath PV per claim, pre-bound to it.
 */
export async function provideVolumes(kube: Kube, opts: RenderOptions): Promise<void> {
  const { objects } = renderFromOptions(opts);
  const pvs = new Set(objects.filter((o) => o.kind === 'PersistentVolume').map((o) => o.metadata.name));
  for (const c of objects.filter((o) => o.kind === 'PersistentVolumeClaim')) {
    if (pvs.has(c.metadata.name)) continue;
    const spec = c.spec as { storageClassName?: string; resources: { requests: { storage: string } }; accessModes: string[] };
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

/** Delete PVs a test created (cluster-scoped, so they outlive the namespace). */
export function cleanupVolumes(ns: string, release?: string): void {
  try {
    kubectl(['delete', 'pv', '-l', `panda-k8s.test/site-volume=${ns}`, '--wait=false']);
    if (release) kubectl(['delete', 'pv', '-l', `app.kubernetes.io/instance in (${release})`, '--wait=false']);
  } catch {
    /* best effort */
  }
}

export async function installSecrets(kube: Kube, extra: Partial<RenderOptions> = {}): Promise<number> {
  return secretsInstallCommand({ secretsValues: SECRETS_VALUES, ...extra }, {}, { kube, quiet: true });
}

export interface Recorded {
  code: number;
  events: ProgressEvent[];
  report?: InstallReport;
}

export async function install(kube: Kube, opts: RenderOptions, flags: Record<string, unknown> = {}): Promise<Recorded> {
  const events: ProgressEvent[] = [];
  let report: InstallReport | undefined;
  const code = await installCommand(
    { secretsValues: SECRETS_VALUES, ...opts },
    { allowPlaceholders: true, timeout: '120s', ...flags },
    { kube, quiet: true, onEvent: (e) => events.push(e), onReport: (r) => (report = r), signal: new AbortController().signal },
  );
  return { code, events, ...(report ? { report } : {}) };
}

export async function list(kube: Kube, apiVersion: string, kind: string, labelSelector = 'app.kubernetes.io/managed-by=panda-k8s'): Promise<Live[]> {
  return kube.list(apiVersion, kind, { labelSelector });
}

export const names = (objs: readonly Live[]) => objs.map((o) => o.metadata.name).sort();
