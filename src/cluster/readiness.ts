/**
 * Readiness as data: for each kind, an ordered list of described conditions on the live object
 * (kstatus rules). Pure: no I/O, no clock. The first condition that does not hold says what we are
 * waiting for; a condition may also declare the object failed (no point in waiting longer).
 */

/** A live object as the API server returns it. */
export interface Live {
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string>; generation?: number; deletionTimestamp?: string; creationTimestamp?: string; resourceVersion?: string };
  spec?: Record<string, any>;
  status?: Record<string, any>;
}

export type Verdict = { state: 'ready' } | { state: 'waiting'; for: string } | { state: 'failed'; reason: string };

export interface Condition {
  /** What must hold, for messages: "observedGeneration caught up". */
  description: string;
  /** true when it holds; a string when the object has failed for that reason; false to keep waiting. */
  check(o: Live): boolean | string;
}

type Cond = { type: string; status: string; reason?: string; message?: string };
const cond = (o: Live, type: string): Cond | undefined => (o.status?.conditions as Cond[] | undefined)?.find((c) => c.type === type);

const observed: Condition = {
  description: 'the controller has seen the latest spec',
  check: (o) => o.metadata.generation === undefined || (o.status?.observedGeneration ?? 0) >= o.metadata.generation,
};

const notDeleting: Condition = { description: 'not being deleted', check: (o) => !o.metadata.deletionTimestamp };

function replicasReady(kind: 'Deployment' | 'StatefulSet'): Condition[] {
  const want = (o: Live) => (o.spec?.replicas ?? 1) as number;
  return [
    notDeleting,
    observed,
    {
      description: 'the rollout has not exceeded its progress deadline',
      check: (o) => {
        const p = cond(o, 'Progressing');
        return p?.status === 'False' && p.reason === 'ProgressDeadlineExceeded' ? `rollout stalled: ${p.message ?? p.reason}` : true;
      },
    },
    { description: 'all replicas updated to the latest template', check: (o) => (o.status?.updatedReplicas ?? 0) >= want(o) },
    { description: 'old replicas terminated', check: (o) => (o.status?.replicas ?? 0) <= want(o) },
    {
      description: kind === 'Deployment' ? 'all replicas available' : 'all replicas ready',
      check: (o) => ((kind === 'Deployment' ? o.status?.availableReplicas : o.status?.readyReplicas) ?? 0) >= want(o),
    },
  ];
}

/** The readiness table. Kinds not listed are ready as soon as they exist. */
export const READINESS: Readonly<Record<string, readonly Condition[]>> = {
  Deployment: replicasReady('Deployment'),
  StatefulSet: replicasReady('StatefulSet'),
  PersistentVolumeClaim: [
    notDeleting,
    { description: 'the claim is bound to a volume', check: (o) => (o.status?.phase === 'Lost' ? 'the bound volume was lost' : o.status?.phase === 'Bound') },
  ],
  PersistentVolume: [
    notDeleting,
    { description: 'the volume is available or bound', check: (o) => (o.status?.phase === 'Failed' ? 'volume failed' : o.status?.phase === 'Available' || o.status?.phase === 'Bound') },
  ],
  Job: [
    notDeleting,
    {
      description: 'the job has completed',
      check: (o) => {
        const failed = cond(o, 'Failed');
        if (failed?.status === 'True') return `job failed: ${failed.message ?? failed.reason ?? ''}`;
        return cond(o, 'Complete')?.status === 'True';
      },
    },
  ],
  Pod: [
    notDeleting,
    { description: 'the pod is ready', check: (o) => (o.status?.phase === 'Failed' ? 'pod failed' : cond(o, 'Ready')?.status === 'True') },
  ],
};

export function readiness(o: Live): Verdict {
  for (const c of READINESS[o.kind] ?? [notDeleting]) {
    const r = c.check(o);
    if (typeof r === 'string') return { state: 'failed', reason: r };
    if (!r) return { state: 'waiting', for: c.description };
  }
  return { state: 'ready' };
}

/** Pod-level reasons a workload is not ready: waiting containers, scheduling, failed mounts. */
export interface PodProblem {
  pod: string;
  reason: string;
  message: string;
}

const WAITING_REASONS = new Set([
  'ImagePullBackOff',
  'ErrImagePull',
  'CrashLoopBackOff',
  'CreateContainerConfigError',
  'CreateContainerError',
  'InvalidImageName',
  'RunContainerError',
]);

/** Pure: problems visible in pod statuses and the pods' warning events, most telling first. */
export function podProblems(pods: readonly Live[], events: readonly { involvedObject?: { name?: string; kind?: string }; type?: string; reason?: string; message?: string; lastTimestamp?: string | Date; eventTime?: string | Date }[]): PodProblem[] {
  const out: PodProblem[] = [];
  for (const p of pods) {
    const name = p.metadata.name;
    for (const cs of [...((p.status?.initContainerStatuses as any[]) ?? []), ...((p.status?.containerStatuses as any[]) ?? [])]) {
      const w = cs?.state?.waiting;
      if (w?.reason && (WAITING_REASONS.has(w.reason) || w.reason !== 'ContainerCreating')) {
        if (w.reason !== 'ContainerCreating' && w.reason !== 'PodInitializing') out.push({ pod: name, reason: w.reason, message: w.message ?? '' });
      }
      const t = cs?.state?.terminated ?? cs?.lastState?.terminated;
      if (t && t.exitCode && !w) out.push({ pod: name, reason: t.reason ?? 'Error', message: `exit code ${t.exitCode}` });
    }
    const sched = cond(p, 'PodScheduled');
    if (sched?.status === 'False') out.push({ pod: name, reason: sched.reason ?? 'Unschedulable', message: sched.message ?? '' });
  }
  const warnings = events
    .filter((e) => e.type === 'Warning' && (e.involvedObject?.kind === 'Pod' || e.involvedObject?.kind === 'PersistentVolumeClaim'))
    .sort((a, b) => String(b.lastTimestamp ?? b.eventTime ?? '').localeCompare(String(a.lastTimestamp ?? a.eventTime ?? '')));
  for (const e of warnings) {
    const who = e.involvedObject?.name ?? '';
    if (!out.some((x) => x.pod === who && x.reason === e.reason)) out.push({ pod: who, reason: e.reason ?? 'Warning', message: e.message ?? '' });
  }
  return out;
}
