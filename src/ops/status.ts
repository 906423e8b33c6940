/** One table for the stack: every workload we own, its readiness, images, age and last problem. */
import { LABEL } from '../core/k8s.js';
import { COMPONENTS } from '../components/registry.js';
import { type Affix, stackNames } from '../core/names.js';
import type { Kube } from '../cluster/kube.js';
import { ownedSelector } from '../cluster/inventory.js';
import { checkNamespace } from './preflight.js';
import { readiness, type Live } from '../cluster/readiness.js';
import { podFindings } from '../cluster/failures.js';

export interface StatusRow {
  component: string;
  sub: string;
  release: string;
  kind: string;
  name: string;
  ready: string;
  images: string[];
  age: string;
  /** Empty when ready. */
  problem: string;
}

export interface StatusReport {
  namespace: string;
  /** Only this instance, when given. */
  affix?: string;
  workloads: StatusRow[];
}

export const allReady = (r: StatusReport) => r.workloads.every((w) => !w.problem);

export function age(ts: string | undefined, now: number): string {
  if (!ts) return '-';
  const s = Math.max(0, Math.round((now - Date.parse(ts)) / 1000));
  return s < 120 ? `${s}s` : s < 7200 ? `${Math.round(s / 60)}m` : s < 172800 ? `${Math.round(s / 3600)}h` : `${Math.round(s / 86400)}d`;
}

const labelsOf = (o: Live) => o.metadata.labels ?? {};

/** `affix`: only that instance's releases; otherwise every panda-k8s instance in the namespace. */
/** `installed` false: nothing of ours (of that affix) in the namespace. */
export async function status(kube: Kube, o: { affix?: Affix; now: number }): Promise<StatusReport> {
  await checkNamespace(kube);
  const releases = o.affix ? new Set(Object.values(stackNames(o.affix, COMPONENTS)).map((n) => n.release)) : undefined;
  const selector = ownedSelector();
  const [deploys, sets, pvcs, pods] = await Promise.all([
    kube.list('apps/v1', 'Deployment', { labelSelector: selector }),
    kube.list('apps/v1', 'StatefulSet', { labelSelector: selector }),
    kube.list('v1', 'PersistentVolumeClaim', { labelSelector: selector }),
    kube.list('v1', 'Pod', {}),
  ]);
  const rows: StatusRow[] = [];
  const order = (c: string) => (COMPONENTS as readonly string[]).indexOf(c);
  for (const d of [...deploys, ...sets]) {
    const l = labelsOf(d);
    if (releases && !releases.has(l[LABEL.instance] ?? '')) continue;
    const sel = (d.spec?.selector?.matchLabels ?? {}) as Record<string, string>;
    const mine = pods.filter((p) => Object.entries(sel).every(([k, v]) => labelsOf(p)[k] === v));
    const v = readiness(d);
    let problem = v.state === 'ready' ? '' : v.state === 'failed' ? v.reason : `waiting for ${v.for}`;
    if (v.state !== 'ready') {
      const probs = podFindings(mine, []);
      if (probs[0]) problem = `${probs[0].reason}${probs[0].message ? `: ${probs[0].message}` : ''} (${probs[0].pod ?? probs[0].object})`;
    }
    const claims = ((d.spec?.template?.spec?.volumes ?? []) as { persistentVolumeClaim?: { claimName: string } }[]).map((x) => x.persistentVolumeClaim?.claimName).filter(Boolean);
    const pending = pvcs.find((c) => claims.includes(c.metadata.name) && c.status?.phase !== 'Bound');
    if (pending && !problem) problem = `PersistentVolumeClaim/${pending.metadata.name} ${pending.status?.phase ?? 'Pending'}`;
    rows.push({
      component: l[LABEL.component] ?? '?',
      sub: l[LABEL.sub] ?? '?',
      release: l[LABEL.instance] ?? '?',
      kind: d.kind,
      name: d.metadata.name,
      ready: `${d.status?.readyReplicas ?? 0}/${d.spec?.replicas ?? 1}`,
      images: ((d.spec?.template?.spec?.containers ?? []) as { image: string }[]).map((c) => c.image),
      age: age(d.metadata.creationTimestamp, o.now),
      problem,
    });
  }
  rows.sort((a, b) => order(a.component) - order(b.component) || a.release.localeCompare(b.release) || a.sub.localeCompare(b.sub));
  return { namespace: kube.namespace, ...(o.affix ? { affix: o.affix.value } : {}), workloads: rows };
}
