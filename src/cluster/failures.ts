/**
 * Terminal failures, read from what the cluster shows while we wait: pod and container statuses,
 * the scheduler's verdict, the events of pods and claims. Pure: no I/O, no clock. Each finding is
 * terminal at once (waiting longer cannot help), after a grace (back-offs that may still clear),
 * or only informative. The executor applies the grace ({@link GRACE}) and fails the node.
 */
import type { Live } from './readiness.js';

/** An Event as the API server lists it (core/v1). */
export interface KubeEvent {
  involvedObject?: { name?: string; kind?: string };
  type?: string;
  reason?: string;
  message?: string;
  count?: number;
  series?: { count?: number };
  lastTimestamp?: string | Date;
  eventTime?: string | Date;
}

export type Severity = 'now' | 'grace' | 'info';

export interface Finding {
  /** The object that shows it: `Pod/x` or `PersistentVolumeClaim/y`. */
  object: string;
  pod?: string;
  container?: string;
  reason: string;
  message: string;
  fix: string;
  severity: Severity;
  /** For back-offs: how often it has backed off so far (restarts, failed pulls). */
  backOffs?: number;
}

/**
 * The grace for failures that may still clear: an image pull that keeps failing, a container that
 * keeps crashing, a provisioning that keeps failing. Terminal once it has backed off
 * `backOffs` times or been seen continuously for `ms`, whichever comes first.
 */
export const GRACE = { backOffs: 3, ms: 20_000 } as const;

type Cond = { type: string; status: string; reason?: string; message?: string };
const cond = (o: Live, type: string) => (o.status?.conditions as Cond[] | undefined)?.find((c) => c.type === type);
const eventCount = (e: KubeEvent) => e.series?.count ?? e.count ?? 1;
const when = (e: KubeEvent) => String(e.lastTimestamp ?? e.eventTime ?? '');

/** What the kubelet says about a missing Secret/ConfigMap or key, as a fix. */
export function missingRef(message: string): { kind: 'Secret' | 'ConfigMap'; name: string; key?: string } | undefined {
  let m = /couldn't find key (\S+) in (Secret|ConfigMap) (?:[^/\s]+\/)?([^\s,;]+)/i.exec(message);
  if (m) return { kind: m[2] === 'Secret' ? 'Secret' : 'ConfigMap', name: m[3]!, key: m[1]! };
  m = /(secret|configmap) "([^"]+)" not found/i.exec(message);
  if (m) return { kind: m[1]!.toLowerCase() === 'secret' ? 'Secret' : 'ConfigMap', name: m[2]! };
  return undefined;
}

function refFix(message: string, fallback: string): string {
  const r = missingRef(message);
  if (!r) return fallback;
  const what = `${r.kind}/${r.name}${r.key ? ` has no key ${r.key}` : ' does not exist'}`;
  return `${what}: ${r.kind === 'Secret' ? 'run `panda-k8s secrets install` (same -n and affix) or create it' : 'create it'}${r.key ? ` with the key ${r.key}` : ''}`;
}

const DEFINITE_PULL = /not found|manifest unknown|does not exist|pull access denied|unauthorized|repository .* not/i;

function containerFinding(pod: string, cs: any): Finding | undefined {
  const w = cs?.state?.waiting as { reason?: string; message?: string } | undefined;
  if (!w?.reason || w.reason === 'ContainerCreating' || w.reason === 'PodInitializing') return undefined;
  const base = { object: `Pod/${pod}`, pod, container: String(cs.name ?? ''), reason: w.reason, message: w.message ?? '' };
  const restarts = typeof cs.restartCount === 'number' ? cs.restartCount : 0;
  switch (w.reason) {
    case 'InvalidImageName':
      return { ...base, severity: 'now', fix: 'the image reference is malformed: fix image.repository/tag in your values' };
    case 'CreateContainerConfigError':
      return { ...base, severity: 'now', fix: refFix(base.message, 'a Secret or ConfigMap (or a key of one) the container reads is missing: run `panda-k8s secrets install`') };
    case 'ErrImagePull':
    case 'ImagePullBackOff':
      return { ...base, severity: DEFINITE_PULL.test(base.message) ? 'now' : 'grace', fix: 'check the image repository and tag in your values, the registry access and imagePullSecrets' };
    case 'CrashLoopBackOff':
      return { ...base, severity: 'grace', backOffs: restarts, fix: `read the container log (kubectl logs ${pod} -c ${base.container} --previous) and fix its configuration` };
    case 'CreateContainerError':
    case 'RunContainerError':
      return { ...base, severity: 'grace', backOffs: restarts, fix: 'the runtime could not start the container: check its command, volumes and securityContext' };
    default:
      return { ...base, severity: 'info', fix: '' };
  }
}

/** `500m` → 0.5, `2` → 2, `1Gi` → 1073741824, `1G` → 1e9. */
export function quantity(q: unknown): number | undefined {
  if (typeof q === 'number') return q;
  if (typeof q !== 'string') return undefined;
  const m = /^([0-9.]+)([a-zA-Z]*)$/.exec(q.trim());
  if (!m) return undefined;
  const n = Number(m[1]);
  const mult: Record<string, number> = { '': 1, m: 1e-3, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50 };
  return m[2]! in mult ? n * mult[m[2]!]! : undefined;
}

/** What a pod requests of a resource: the larger of its containers' sum and its largest init container. */
export function podRequest(pod: Live, resource: string): number {
  const req = (c: any) => quantity(c?.resources?.requests?.[resource]) ?? 0;
  const sum = ((pod.spec?.containers as any[]) ?? []).reduce((a, c) => a + req(c), 0);
  const init = Math.max(0, ...((pod.spec?.initContainers as any[]) ?? []).map(req));
  return Math.max(sum, init);
}

/** Scheduler reasons that no waiting clears: nothing about the nodes will change by itself. */
const PERMANENT = [/didn't match Pod's node affinity\/selector/i, /had untolerated taint/i, /didn't match pod's node affinity/i, /node\(s\) had volume node affinity conflict/i];

/**
 * The scheduler's `0/3 nodes are available: 1 node(s) had untolerated taint {x}, 2 Insufficient cpu.
 * preemption: ...`: terminal when every node is excluded for a reason that will not clear (no node
 * matches the selectors or tolerations, or the request exceeds every node's allocatable).
 */
export function permanentlyUnschedulable(pod: Live, message: string, nodes: readonly Live[]): boolean {
  const m = /nodes are available: (.*)$/.exec(message);
  if (!m) return false;
  // the list ends at the first sentence end: "... selector. no new claims to deallocate, preemption: ..."
  const reasons = m[1]!.split(/\.(?:\s|$)/)[0]!.split(/, (?=\d+ )/);
  if (!reasons.length) return false;
  return reasons.every((r) => {
    if (PERMANENT.some((p) => p.test(r))) return true;
    const insufficient = /Insufficient (\S+)/.exec(r);
    if (insufficient && nodes.length) {
      const res = insufficient[1]!;
      const want = podRequest(pod, res);
      return nodes.every((n) => want > (quantity(n.status?.allocatable?.[res]) ?? Infinity));
    }
    return false;
  });
}

/** Findings for the pods of a workload: container waits, scheduling, failed mounts, from statuses and the pods' events. */
export function podFindings(pods: readonly Live[], events: readonly KubeEvent[], nodes: readonly Live[] = []): Finding[] {
  const out: Finding[] = [];
  for (const p of pods) {
    const name = p.metadata.name;
    for (const cs of [...((p.status?.initContainerStatuses as any[]) ?? []), ...((p.status?.containerStatuses as any[]) ?? [])]) {
      const f = containerFinding(name, cs);
      if (!f) continue;
      // failed pulls counted by the kubelet's events
      if (f.reason === 'ImagePullBackOff' || f.reason === 'ErrImagePull') {
        const pulls = events.filter((e) => e.involvedObject?.name === name && e.reason === 'Failed' && /pull/i.test(e.message ?? '')).reduce((a, e) => Math.max(a, eventCount(e)), 0);
        if (pulls) f.backOffs = pulls;
      }
      out.push(f);
    }
    const sched = cond(p, 'PodScheduled');
    if (sched?.status === 'False' && sched.reason === 'Unschedulable') {
      const message = sched.message ?? '';
      const permanent = permanentlyUnschedulable(p, message, nodes);
      out.push({
        object: `Pod/${name}`,
        pod: name,
        reason: 'Unschedulable',
        message,
        severity: permanent ? 'now' : 'info',
        fix: permanent ? 'no node can take this pod: fix nodeSelector/affinity/tolerations or the resource requests in your values, or add a matching node' : 'free capacity or wait for the cluster to scale',
      });
    }
  }
  const warnings = events.filter((e) => e.type === 'Warning').sort((a, b) => when(b).localeCompare(when(a)));
  for (const e of warnings) {
    const pod = e.involvedObject?.name ?? '';
    if (e.reason === 'FailedMount' && missingRef(e.message ?? '')) {
      if (!out.some((x) => x.pod === pod && x.reason === 'FailedMount'))
        out.push({ object: `Pod/${pod}`, pod, reason: 'FailedMount', message: e.message ?? '', severity: 'now', fix: refFix(e.message ?? '', '') });
    } else if (!out.some((x) => x.pod === pod && x.reason === e.reason) && e.reason !== 'FailedScheduling' && e.reason !== 'Failed' && e.reason !== 'BackOff')
      out.push({ object: `Pod/${pod}`, pod, reason: e.reason ?? 'Warning', message: e.message ?? '', severity: 'info', fix: '' });
  }
  return out;
}

/** Findings for a claim that is not bound: its StorageClass is missing, provisioning fails, or no volume can ever match. */
export function claimFindings(claim: Live, events: readonly KubeEvent[]): Finding[] {
  if (claim.status?.phase === 'Bound') return [];
  const object = `PersistentVolumeClaim/${claim.metadata.name}`;
  const cls = claim.spec?.storageClassName as string | undefined;
  const mine = events.filter((e) => (e.involvedObject?.name ?? claim.metadata.name) === claim.metadata.name && e.type === 'Warning').sort((a, b) => when(b).localeCompare(when(a)));
  const latest = mine[0];
  if (!latest) return [];
  const message = latest.message ?? '';
  if (latest.reason === 'ProvisioningFailed') {
    const missing = /storageclass\.storage\.k8s\.io "([^"]+)" not found/.exec(message);
    if (missing)
      return [{ object, reason: 'StorageClassNotFound', message, severity: 'now', fix: `the cluster has no StorageClass ${missing[1]}: create it, or set the claim's class in your values (persistentvolume.class / storageClass) to one of: kubectl get storageclass` }];
    const unsupported = /invalid AccessModes|only AccessModes|not supported/i.test(message);
    return [{ object, reason: 'ProvisioningFailed', message, severity: unsupported ? 'now' : 'grace', backOffs: eventCount(latest), fix: `the provisioner of StorageClass ${cls ?? '(default)'} cannot make this volume: use a class whose provisioner supports the claim's access modes and size` }];
  }
  if (latest.reason === 'FailedBinding')
    return [{ object, reason: 'FailedBinding', message, severity: 'grace', fix: 'no PersistentVolume matches and no StorageClass provisions one: create a matching PersistentVolume, or give the claim a StorageClass with a provisioner (a default class serves claims without one)' }];
  return [{ object, reason: latest.reason ?? 'Warning', message, severity: 'info', fix: '' }];
}

/** Claims a pod mounts. */
export const claimsOf = (pod: Live): string[] =>
  ((pod.spec?.volumes ?? []) as { persistentVolumeClaim?: { claimName?: string } }[]).flatMap((v) => (v.persistentVolumeClaim?.claimName ? [v.persistentVolumeClaim.claimName] : []));

/** Past its grace? `seenForMs`: how long this finding has been seen continuously. */
export function isTerminal(f: Finding, seenForMs: number): boolean {
  return f.severity === 'now' || (f.severity === 'grace' && ((f.backOffs ?? 0) >= GRACE.backOffs || seenForMs >= GRACE.ms));
}
