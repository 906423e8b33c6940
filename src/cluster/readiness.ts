/**
 * Readiness as data: for each kind, an ordered list of described conditions on the live object,
 * after the rules of kstatus (kubernetes-sigs/cli-utils, pkg/kstatus/status). Pure: no I/O, no
 * clock. The first condition that does not hold says what we are waiting for; a condition may
 * also declare the object failed (no point in waiting longer).
 *
 * Every kind first passes the generic rules (not being deleted, the controller has seen the
 * latest generation, no `Stalled`/`Reconciling` condition), then its own. A kind without rules of
 * its own is ready once the generic rules hold and, when it has a `Ready` condition, that is True.
 * Where we deliberately differ from kstatus the condition says so in `differs` (listed in
 * docs/readiness.md, generated from this table by {@link readinessTable}).
 */

/** A live object as the API server returns it. */
export interface Live {
  kind: string;
  apiVersion?: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string>; generation?: number; deletionTimestamp?: string; creationTimestamp?: string; resourceVersion?: string; uid?: string; ownerReferences?: { kind: string; name: string; uid?: string }[] };
  spec?: Record<string, any>;
  status?: Record<string, any>;
}

export type Verdict = { state: 'ready' } | { state: 'waiting'; for: string } | { state: 'failed'; reason: string };

/** What the rules may know about the cluster beyond the object itself. */
export interface ReadinessContext {
  /** `volumeBindingMode` of a StorageClass by name; `undefined` name: the default class. Undefined when unknown. */
  bindingMode?(className: string | undefined): string | undefined;
}

export interface Condition {
  /** What must hold, for messages: "the controller has seen the latest spec". */
  description: string;
  /** How and why this differs from kstatus, when it does. */
  differs?: string;
  /** true when it holds; a string when the object has failed for that reason; false to keep waiting. */
  check(o: Live, ctx: ReadinessContext): boolean | string;
}

type Cond = { type: string; status: string; reason?: string; message?: string; observedGeneration?: number };
export const condition = (o: Live, type: string): Cond | undefined => (o.status?.conditions as Cond[] | undefined)?.find((c) => c.type === type);
const int = (v: unknown, dflt: number): number => (typeof v === 'number' ? v : typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : dflt);
const detail = (c: Cond) => c.message || c.reason || c.type;

// ------------------------------------------------------------------------------- generic rules

const notDeleting: Condition = { description: 'not being deleted (Terminating)', check: (o) => !o.metadata.deletionTimestamp };

const generationObserved: Condition = {
  description: 'the controller has seen the latest spec (status.observedGeneration = metadata.generation)',
  check: (o) => o.metadata.generation === undefined || o.status?.observedGeneration === undefined || o.status.observedGeneration >= o.metadata.generation,
};

const notStalled: Condition = {
  description: 'no Stalled condition',
  check: (o) => {
    const c = condition(o, 'Stalled');
    return c?.status === 'True' ? `stalled: ${detail(c)}` : true;
  },
};

const notReconciling: Condition = { description: 'no Reconciling condition', check: (o) => condition(o, 'Reconciling')?.status !== 'True' };

/** The generic rules every kind passes first, as kstatus's checkGenericProperties. */
export const GENERIC: readonly Condition[] = [notDeleting, generationObserved, notStalled, notReconciling];

/** For kinds without rules of their own: a `Ready` condition, when present, must be True. */
const readyConditionIfAny: Condition = {
  description: 'its Ready condition, if it has one, is True',
  check: (o) => {
    const c = condition(o, 'Ready');
    return !c || c.status === 'True';
  },
};

// ------------------------------------------------------------------------------ workload rules

/** The workload controller has written a status for the latest spec (kstatus only compares when observedGeneration is set). */
const statusForLatestSpec: Condition = {
  description: 'the controller has written a status for the latest spec',
  differs: 'kstatus skips the generation check when status.observedGeneration is missing; for workloads we wait for it',
  check: (o) => o.metadata.generation === undefined || int(o.status?.observedGeneration, 0) >= o.metadata.generation,
};

const specReplicas = (o: Live) => int(o.spec?.replicas, 1);
const st = (o: Live, k: string) => int(o.status?.[k], 0);

const DEPLOYMENT: readonly Condition[] = [
  statusForLatestSpec,
  {
    description: 'the rollout has not exceeded its progress deadline',
    check: (o) => {
      const p = condition(o, 'Progressing');
      return p?.reason === 'ProgressDeadlineExceeded' ? `rollout stalled: ${detail(p)}` : true;
    },
  },
  { description: 'all replicas created (status.replicas ≥ spec.replicas)', check: (o) => st(o, 'replicas') >= specReplicas(o) },
  { description: 'all replicas updated to the latest template', check: (o) => st(o, 'updatedReplicas') >= specReplicas(o) },
  { description: 'old replicas terminated', check: (o) => st(o, 'replicas') <= specReplicas(o) },
  { description: 'all updated replicas available', check: (o) => st(o, 'availableReplicas') >= st(o, 'updatedReplicas') },
  { description: 'all replicas ready', check: (o) => st(o, 'readyReplicas') >= specReplicas(o) },
  {
    description: 'the new ReplicaSet is available (Progressing: NewReplicaSetAvailable)',
    check: (o) => o.spec?.progressDeadlineSeconds === undefined || (condition(o, 'Progressing')?.status === 'True' && condition(o, 'Progressing')?.reason === 'NewReplicaSetAvailable'),
  },
  { description: 'the Deployment is Available', check: (o) => condition(o, 'Available')?.status === 'True' },
];

const strategy = (o: Live) => (o.spec?.updateStrategy?.type as string | undefined) ?? 'RollingUpdate';
const partition = (o: Live) => int(o.spec?.updateStrategy?.rollingUpdate?.partition, 0);
const partitioned = (o: Live) => strategy(o) !== 'OnDelete' && partition(o) > 0;

const STATEFULSET: readonly Condition[] = [
  statusForLatestSpec,
  { description: 'all replicas created (status.replicas ≥ spec.replicas)', check: (o) => st(o, 'replicas') >= specReplicas(o) },
  {
    description: 'all replicas ready',
    differs: 'kstatus reports an OnDelete StatefulSet current at once; we still wait for its replicas to be ready (an install creates them)',
    check: (o) => st(o, 'readyReplicas') >= specReplicas(o),
  },
  { description: 'old replicas terminated', check: (o) => st(o, 'replicas') <= specReplicas(o) },
  {
    description: 'the replicas above the partition are updated (partitioned rollout)',
    check: (o) => !partitioned(o) || st(o, 'updatedReplicas') >= specReplicas(o) - partition(o),
  },
  {
    description: 'all replicas at the current revision',
    check: (o) => strategy(o) === 'OnDelete' || partitioned(o) || st(o, 'currentReplicas') >= specReplicas(o),
  },
  {
    description: 'the update is complete (status.currentRevision = status.updateRevision)',
    check: (o) => strategy(o) === 'OnDelete' || partitioned(o) || o.status?.currentRevision === o.status?.updateRevision,
  },
];

const POD: readonly Condition[] = [
  {
    description: 'the pod has not failed',
    differs: 'kstatus reports a Failed pod as current (it has completed); for us it has failed',
    check: (o) => (o.status?.phase === 'Failed' ? `pod failed${o.status?.reason ? `: ${o.status.reason}` : ''}${o.status?.message ? ` (${o.status.message})` : ''}` : true),
  },
  {
    description: 'the pod is ready (or has succeeded)',
    check: (o) => o.status?.phase === 'Succeeded' || (o.status?.phase === 'Running' && condition(o, 'Ready')?.status === 'True'),
  },
];

const JOB: readonly Condition[] = [
  {
    description: 'the job has not failed',
    check: (o) => {
      const f = condition(o, 'Failed');
      return f?.status === 'True' ? `job failed: ${detail(f)}` : true;
    },
  },
  {
    description: 'the job is not suspended',
    differs: 'kstatus reports a suspended Job as current; a suspended Job never completes, so we report it at once',
    check: (o) => (o.spec?.suspend === true ? 'the job is suspended (spec.suspend: true): it will not run until resumed' : true),
  },
  {
    description: 'the job has completed',
    differs: 'kstatus reports a started Job as current; an install waits for its Jobs to complete',
    check: (o) => condition(o, 'Complete')?.status === 'True',
  },
];

const PVC: readonly Condition[] = [
  { description: 'the bound volume is not lost', check: (o) => (o.status?.phase === 'Lost' ? 'the bound volume was lost (phase Lost)' : true) },
  {
    description: 'the claim is bound (or waits for its first consumer)',
    differs: 'kstatus waits for Bound; a claim of a WaitForFirstConsumer class binds only once a pod uses it, so waiting for it first would deadlock',
    check: (o, ctx) => {
      if (o.status?.phase === 'Bound') return true;
      const cls = o.spec?.storageClassName as string | undefined;
      return cls !== '' && ctx.bindingMode?.(cls) === 'WaitForFirstConsumer';
    },
  },
];

const PV: readonly Condition[] = [
  { description: 'the volume is available or bound', check: (o) => (o.status?.phase === 'Failed' ? `volume failed${o.status?.message ? `: ${o.status.message}` : ''}` : o.status?.phase === 'Available' || o.status?.phase === 'Bound') },
];

const CRONJOB: readonly Condition[] = [
  { description: 'exists (a CronJob is ready once it exists, as in kstatus; its Jobs run on their schedule)', check: () => true },
];

const HPA: readonly Condition[] = [
  {
    description: 'the autoscaler can scale (AbleToScale is not False)',
    differs: 'kstatus has no HPA rule; we report AbleToScale=False but do not wait for ScalingActive, which needs a metrics API',
    check: (o) => condition(o, 'AbleToScale')?.status !== 'False',
  },
];

const INGRESS: readonly Condition[] = [
  {
    description: 'exists (ready once it exists, as in kstatus; an address in status.loadBalancer is not awaited)',
    differs: 'we deliberately do not wait for status.loadBalancer.ingress: many controllers never publish one',
    check: () => true,
  },
];

/** Gateway API: Accepted, then Programmed, each for the latest generation (a condition's observedGeneration). */
const gatewayCondition = (type: string, failing: readonly string[]): Condition => ({
  description: `the Gateway is ${type}`,
  differs: type === 'Programmed' ? 'kstatus has no Gateway rule (generic only); we wait for Programmed as the Gateway API defines readiness' : undefined,
  check: (o) => {
    const c = condition(o, type);
    if (!c) return false;
    if (c.observedGeneration !== undefined && o.metadata.generation !== undefined && c.observedGeneration < o.metadata.generation) return false;
    if (c.status === 'False' && c.reason && failing.includes(c.reason)) return `${type}=False: ${detail(c)}`;
    return c.status === 'True';
  },
});
const GATEWAY: readonly Condition[] = [gatewayCondition('Accepted', ['Invalid', 'InvalidParameters', 'UnsupportedAddress', 'UnsupportedValue']), gatewayCondition('Programmed', ['Invalid'])];

/** The kind-specific rules; every kind first passes {@link GENERIC}. */
export const READINESS: Readonly<Record<string, readonly Condition[]>> = {
  Deployment: DEPLOYMENT,
  StatefulSet: STATEFULSET,
  Pod: POD,
  Job: JOB,
  PersistentVolumeClaim: PVC,
  PersistentVolume: PV,
  CronJob: CRONJOB,
  HorizontalPodAutoscaler: HPA,
  Ingress: INGRESS,
  Gateway: GATEWAY,
};

/** The conditions an object of this kind must pass, in order. */
export function conditionsFor(kind: string): readonly Condition[] {
  return [...GENERIC, ...(READINESS[kind] ?? [readyConditionIfAny])];
}

export function readiness(o: Live, ctx: ReadinessContext = {}): Verdict {
  for (const c of conditionsFor(o.kind)) {
    const r = c.check(o, ctx);
    if (typeof r === 'string') return { state: 'failed', reason: r };
    if (!r) return { state: 'waiting', for: c.description };
  }
  return { state: 'ready' };
}

/** The table as Markdown (docs/readiness.md): kind, condition, and where it differs from kstatus. */
export function readinessTable(): string {
  const rows = ['| kind | in order, each must hold | differs from kstatus |', '| --- | --- | --- |'];
  rows.push(`| every kind, first | ${GENERIC.map((c) => c.description).join('; ')} | |`);
  for (const [kind, conds] of Object.entries(READINESS)) for (const c of conds) rows.push(`| ${kind} | ${c.description} | ${c.differs ?? ''} |`);
  rows.push(`| any other kind | ${readyConditionIfAny.description} | |`);
  return rows.join('\n');
}
