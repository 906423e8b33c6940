/**
 * Carrying out a plan: each node starts as soon as everything it depends on is done; independent
 * nodes run in parallel. A node deletes and applies its objects (server-side apply, one write
 * each), then waits until the objects it awaits are ready (install) or gone (uninstall). A node
 * that fails or times out blocks its dependents (they are not started); what was done stays, and
 * a re-run converges. Ctrl-C (the abort signal) starts nothing new and ends the waits at once.
 */
import { ExitCode, PandaError, type Issue } from '../core/errors.js';
import type { K8sObject } from '../core/k8s.js';
import { refName, refOf, type ObjectRef } from '../core/objects.js';
import type { Plan, PlanNode } from '../plan/plan.js';
import type { Clock } from '../cluster/clock.js';
import { ClusterError, foreignConflicts, type FieldConflict, type Kube } from '../cluster/kube.js';
import { podProblems, readiness, type Live, type PodProblem, type Verdict } from '../cluster/readiness.js';

export type NodeState = 'pending' | 'applying' | 'waiting' | 'ready' | 'failed' | 'blocked' | 'interrupted';
export type Change = 'created' | 'changed' | 'unchanged';

export type ProgressEvent =
  | { type: 'node'; node: string; component: string; sub?: string; state: NodeState; at: number; detail?: string }
  | { type: 'applied'; node: string; object: string; change: Change; at: number; conflicts?: FieldConflict[] }
  | { type: 'deleted'; node: string; object: string; at: number }
  | { type: 'pruned'; object: string; at: number };

export interface NodeResult {
  id: string;
  component: string;
  sub?: string;
  state: NodeState;
  startedAt?: number;
  appliedAt?: number;
  readyAt?: number;
  changes: Record<Change, number>;
  /** Objects this node deleted (`Kind/name`). */
  deleted: string[];
  /** Fields of other managers this node's applies took back. */
  conflicts: FieldConflict[];
  problem?: string;
}

export interface ExecuteOptions {
  /** Wait for readiness (install); false applies in dependency order only. Deletions are always awaited. */
  wait: boolean;
  /** Per component: from its first node's start until all its nodes are done. */
  timeoutMs: number;
  /** Interval between two readings of the awaited objects. */
  pollMs?: number;
  clock: Clock;
  signal?: AbortSignal;
  onEvent?: (e: ProgressEvent) => void;
}

export interface ExecuteResult {
  nodes: NodeResult[];
  startedAt: number;
  finishedAt: number;
  writes: number;
  failures: PandaError[];
  interrupted: boolean;
}

export async function executePlan(kube: Kube, plan: Plan, o: ExecuteOptions): Promise<ExecuteResult> {
  const { clock } = o;
  const poll = o.pollMs ?? 250;
  const startedAt = clock.now();
  const results = new Map<string, NodeResult>(
    plan.nodes.map((n) => [n.id, { id: n.id, component: n.component, ...(n.sub ? { sub: n.sub } : {}), state: 'pending' as NodeState, changes: { created: 0, changed: 0, unchanged: 0 }, deleted: [], conflicts: [] }]),
  );
  const componentStart = new Map<string, number>();
  const failures: PandaError[] = [];
  let writes = 0;
  const aborted = () => !!o.signal?.aborted;
  const emit = (n: PlanNode, state: NodeState, detail?: string) => {
    results.get(n.id)!.state = state;
    o.onEvent?.({ type: 'node', node: n.id, component: n.component, ...(n.sub ? { sub: n.sub } : {}), state, at: clock.now(), ...(detail ? { detail } : {}) });
  };

  async function run(n: PlanNode): Promise<void> {
    const r = results.get(n.id)!;
    r.startedAt = clock.now();
    if (!componentStart.has(n.component)) componentStart.set(n.component, r.startedAt);
    emit(n, 'applying');
    for (const ref of n.delete ?? []) {
      if (aborted()) return void emit(n, 'interrupted');
      if (await kube.delete(ref)) {
        writes++;
        r.deleted.push(refName(ref));
        o.onEvent?.({ type: 'deleted', node: n.id, object: refName(ref), at: clock.now() });
      }
    }
    for (const obj of n.apply) {
      if (aborted()) return void emit(n, 'interrupted');
      const a = await applyOne(kube, obj, plan.namespace);
      writes += a.writes;
      r.changes[a.change]++;
      r.conflicts.push(...a.conflicts);
      o.onEvent?.({ type: 'applied', node: n.id, object: refName(obj), change: a.change, at: clock.now(), ...(a.conflicts.length ? { conflicts: a.conflicts } : {}) });
    }
    r.appliedAt = clock.now();
    const until = n.until ?? 'ready';
    if ((until === 'ready' && !o.wait) || n.await.length === 0) {
      r.readyAt = clock.now();
      return void emit(n, 'ready');
    }
    emit(n, 'waiting');
    const deadline = componentStart.get(n.component)! + o.timeoutMs;
    let lastWait = '';
    for (;;) {
      if (aborted()) return void emit(n, 'interrupted');
      const pending = await (until === 'gone' ? stillPresent(kube, n.await) : notReady(kube, n.await));
      if (pending.length === 0) {
        r.readyAt = clock.now();
        return void emit(n, 'ready');
      }
      const failed = pending.find((p) => p.verdict.state === 'failed');
      if (failed || clock.now() >= deadline) {
        const err = await describeFailure(kube, n, pending, failed ? undefined : o.timeoutMs);
        r.problem = err.issues.map((i) => `${i.where}: ${i.message}`).join('; ');
        failures.push(err);
        return void emit(n, 'failed', r.problem);
      }
      const w = pending[0]!;
      const waitMsg = `${refName(w.ref)}: waiting for ${w.verdict.state === 'waiting' ? w.verdict.for : ''}`;
      if (waitMsg !== lastWait) {
        lastWait = waitMsg;
        o.onEvent?.({ type: 'node', node: n.id, component: n.component, ...(n.sub ? { sub: n.sub } : {}), state: 'waiting', at: clock.now(), detail: waitMsg });
      }
      await clock.sleep(Math.min(poll, Math.max(0, deadline - clock.now())), o.signal);
    }
  }

  // schedule: start every node whose dependencies are all done
  const running = new Map<string, Promise<void>>();
  const byId = new Map(plan.nodes.map((n) => [n.id, n]));
  for (;;) {
    let progressed = false;
    for (const n of plan.nodes) {
      const r = results.get(n.id)!;
      if (r.state !== 'pending' || running.has(n.id)) continue;
      const deps = n.deps.filter((d) => byId.has(d)).map((d) => results.get(d)!);
      if (aborted()) {
        emit(n, 'interrupted');
        progressed = true;
        continue;
      }
      const culprit = deps.find((d) => d.state === 'failed' || d.state === 'blocked' || d.state === 'interrupted');
      if (culprit) {
        r.problem = `not started: ${culprit.id} is not ${byId.get(culprit.id)!.until === 'gone' ? 'gone' : 'ready'}`;
        emit(n, 'blocked', r.problem);
        progressed = true;
        continue;
      }
      if (deps.every((d) => d.state === 'ready')) {
        const p = run(n).catch((e: unknown) => {
          const err = e instanceof PandaError ? e : new PandaError(String(e), [], ExitCode.cluster);
          failures.push(err);
          r.problem = err.issues[0] ? `${err.issues[0].where}: ${err.issues[0].message}` : err.message;
          emit(n, 'failed', r.problem);
        });
        running.set(
          n.id,
          p.finally(() => running.delete(n.id)),
        );
        progressed = true;
      }
    }
    if (running.size === 0 && !progressed) break;
    if (running.size > 0) await Promise.race(running.values());
  }
  return {
    nodes: [...results.values()],
    startedAt,
    finishedAt: clock.now(),
    writes,
    failures,
    interrupted: aborted(),
  };
}

export interface Applied {
  change: Change;
  /** Fields other managers owned that this apply took back. */
  conflicts: FieldConflict[];
  writes: number;
}

/**
 * Apply one object; tells whether it was created, changed or left as it was, and whose fields it
 * took back: it applies without force first, so that the API server names the other managers.
 */
export async function applyOne(kube: Kube, obj: K8sObject, namespace: string): Promise<Applied> {
  const before = await kube.get(refOf(obj, namespace));
  let after: Live;
  let conflicts: FieldConflict[] = [];
  let writes = 1;
  try {
    after = await kube.apply(obj, { force: false });
  } catch (e) {
    if (!(e instanceof ClusterError && e.status === 409 && e.conflicts.length)) throw e;
    conflicts = foreignConflicts(e.conflicts);
    after = await kube.apply(obj, { force: true });
    writes = 2;
  }
  const change = !before ? 'created' : before.metadata.resourceVersion === after.metadata.resourceVersion ? 'unchanged' : 'changed';
  return { change, conflicts, writes };
}

interface Pending {
  ref: ObjectRef;
  live?: Live;
  verdict: Verdict;
}

async function notReady(kube: Kube, refs: readonly ObjectRef[]): Promise<Pending[]> {
  const lives = await Promise.all(refs.map((r) => kube.get(r)));
  const out: Pending[] = [];
  refs.forEach((ref, i) => {
    const live = lives[i];
    if (!live) return void out.push({ ref, verdict: { state: 'waiting', for: 'the object to exist' } });
    const v = readiness(live);
    if (v.state !== 'ready') out.push({ ref, live, verdict: v });
  });
  return out;
}

async function stillPresent(kube: Kube, refs: readonly ObjectRef[]): Promise<Pending[]> {
  const lives = await Promise.all(refs.map((r) => kube.get(r)));
  return refs.flatMap((ref, i) => {
    const live = lives[i];
    if (!live) return [];
    const finalizers = (live.metadata as { finalizers?: string[] }).finalizers ?? [];
    return [{ ref, live, verdict: { state: 'waiting' as const, for: `deletion${finalizers.length ? ` (finalizers: ${finalizers.join(', ')})` : ''}` } }];
  });
}

/** The error for a node that did not finish: the object, and pod-level reasons from status and events. */
async function describeFailure(kube: Kube, n: PlanNode, pending: Pending[], timeoutMs?: number): Promise<PandaError> {
  const issues: Issue[] = [];
  const after = timeoutMs ? ` after ${Math.round(timeoutMs / 1000)}s` : '';
  for (const p of pending) {
    if (n.until === 'gone') {
      issues.push({ where: refName(p.ref), message: `still present${after} (waiting for ${p.verdict.state === 'waiting' ? p.verdict.for : '?'})`, fix: 'check its finalizers and events, or raise --timeout' });
      continue;
    }
    const what = p.verdict.state === 'failed' ? p.verdict.reason : `not ready${after} (waiting for ${p.verdict.state === 'waiting' ? p.verdict.for : '?'})`;
    let problems: PodProblem[] = [];
    try {
      problems = await diagnose(kube, p);
    } catch {
      /* diagnosis is best effort */
    }
    issues.push({
      where: refName(p.ref),
      message: [what, ...problems.slice(0, 3).map((x) => `${x.pod}: ${x.reason}${x.message ? ` (${x.message})` : ''}`)].join('; '),
      ...(fixFor(problems[0]?.reason) ? { fix: fixFor(problems[0]?.reason)! } : {}),
    });
  }
  return new PandaError(`${n.id} did not become ${n.until === 'gone' ? 'gone' : 'ready'}`, issues, ExitCode.changesOrNotReady);
}

async function diagnose(kube: Kube, p: Pending): Promise<PodProblem[]> {
  const ns = p.ref.namespace;
  if (p.ref.kind === 'PersistentVolumeClaim') {
    const events = await kube.list('v1', 'Event', { ...(ns ? { namespace: ns } : {}), fieldSelector: `involvedObject.name=${p.ref.name}` });
    const probs = podProblems([], events as never);
    return probs.length ? probs : [{ pod: p.ref.name, reason: 'Pending', message: 'no volume bound yet (no matching PersistentVolume or provisioner)' }];
  }
  const selector = (p.live?.spec?.selector?.matchLabels ?? {}) as Record<string, string>;
  const labelSelector = Object.entries(selector)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
  if (!labelSelector) return [];
  const pods = await kube.list('v1', 'Pod', { ...(ns ? { namespace: ns } : {}), labelSelector });
  const events = (await Promise.all(pods.slice(0, 5).map((pod) => kube.list('v1', 'Event', { ...(ns ? { namespace: ns } : {}), fieldSelector: `involvedObject.name=${pod.metadata.name}` })))).flat();
  const probs = podProblems(pods, events as never);
  if (!pods.length) probs.push({ pod: '(none)', reason: 'NoPods', message: 'no pods were created; check the ReplicaSet events and quotas' });
  return probs;
}

function fixFor(reason?: string): string | undefined {
  switch (reason) {
    case 'ImagePullBackOff':
    case 'ErrImagePull':
    case 'InvalidImageName':
      return 'check the image repository/tag in your values and imagePullSecrets';
    case 'CrashLoopBackOff':
      return 'read the container log (kubectl logs --previous) and fix its configuration';
    case 'CreateContainerConfigError':
      return 'a Secret or ConfigMap it reads is missing: run `panda-k8s secrets install`';
    case 'Unschedulable':
    case 'FailedScheduling':
      return 'free capacity, or fix nodeSelector/tolerations, or bind its PersistentVolumeClaims';
    case 'Pending':
    case 'ProvisioningFailed':
      return 'create a matching PersistentVolume, or set persistentvolume.class to a StorageClass with a provisioner';
    default:
      return reason ? undefined : 'raise --timeout if the component is just slow to start';
  }
}
