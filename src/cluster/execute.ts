/**
 * Carrying out a plan: each node starts as soon as everything it depends on is ready; independent
 * nodes run in parallel. A node applies its objects (server-side apply, one write each), then
 * waits until the objects it awaits are ready. A failed or timed-out node blocks its dependents
 * (they are not applied); what was applied stays, and a re-run converges.
 */
import { ExitCode, PandaError, type Issue } from '../core/errors.js';
import type { K8sObject } from '../core/k8s.js';
import { refOf, type Plan, type PlanNode, type ObjectRef } from '../plan/plan.js';
import type { Clock } from './clock.js';
import type { Kube } from './kube.js';
import { podProblems, readiness, type Live, type PodProblem } from './readiness.js';

export type NodeState = 'pending' | 'applying' | 'waiting' | 'ready' | 'failed' | 'blocked' | 'interrupted';
export type Change = 'created' | 'changed' | 'unchanged';

export type ProgressEvent =
  | { type: 'node'; node: string; component: string; sub?: string; state: NodeState; at: number; detail?: string }
  | { type: 'applied'; node: string; object: string; change: Change; at: number }
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
  problem?: string;
}

export interface ExecuteOptions {
  wait: boolean;
  /** Per component: from its start to all its sub-components ready. */
  timeoutMs: number;
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
    plan.nodes.map((n) => [n.id, { id: n.id, component: n.component, ...(n.sub ? { sub: n.sub } : {}), state: 'pending' as NodeState, changes: { created: 0, changed: 0, unchanged: 0 } }]),
  );
  const componentStart = new Map<string, number>();
  const failures: PandaError[] = [];
  let writes = 0;
  const emit = (n: PlanNode, state: NodeState, detail?: string) => {
    const r = results.get(n.id)!;
    r.state = state;
    o.onEvent?.({ type: 'node', node: n.id, component: n.component, ...(n.sub ? { sub: n.sub } : {}), state, at: clock.now(), ...(detail ? { detail } : {}) });
  };

  async function run(n: PlanNode): Promise<void> {
    const r = results.get(n.id)!;
    r.startedAt = clock.now();
    if (!componentStart.has(n.component)) componentStart.set(n.component, r.startedAt);
    emit(n, 'applying');
    for (const obj of n.apply) {
      if (o.signal?.aborted) return void emit(n, 'interrupted');
      const change = await applyOne(kube, obj, plan.namespace);
      writes++;
      r.changes[change]++;
      o.onEvent?.({ type: 'applied', node: n.id, object: `${obj.kind}/${obj.metadata.name}`, change, at: clock.now() });
    }
    r.appliedAt = clock.now();
    if (!o.wait || n.await.length === 0) {
      r.readyAt = clock.now();
      return void emit(n, 'ready');
    }
    emit(n, 'waiting');
    const deadline = componentStart.get(n.component)! + o.timeoutMs;
    let lastWait = '';
    for (;;) {
      if (o.signal?.aborted) return void emit(n, 'interrupted');
      const pending = await notReady(kube, n.await);
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
      const waitMsg = `${w.ref.kind}/${w.ref.name}: waiting for ${w.verdict.state === 'waiting' ? w.verdict.for : ''}`;
      if (waitMsg !== lastWait) {
        lastWait = waitMsg;
        o.onEvent?.({ type: 'node', node: n.id, component: n.component, ...(n.sub ? { sub: n.sub } : {}), state: 'waiting', at: clock.now(), detail: waitMsg });
      }
      await clock.sleep(Math.min(poll, Math.max(0, deadline - clock.now())), o.signal);
    }
  }

  // schedule: start every node whose dependencies are all ready
  const running = new Map<string, Promise<void>>();
  const byId = new Map(plan.nodes.map((n) => [n.id, n]));
  for (;;) {
    let progressed = false;
    for (const n of plan.nodes) {
      const r = results.get(n.id)!;
      if (r.state !== 'pending' || running.has(n.id)) continue;
      const deps = n.deps.filter((d) => byId.has(d)).map((d) => results.get(d)!);
      if (deps.some((d) => d.state === 'failed' || d.state === 'blocked' || d.state === 'interrupted')) {
        const culprit = deps.find((d) => d.state !== 'ready')!;
        r.problem = `not applied: ${culprit.id} did not become ready`;
        emit(n, 'blocked', r.problem);
        progressed = true;
        continue;
      }
      if (o.signal?.aborted) {
        emit(n, 'interrupted');
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
    interrupted: !!o.signal?.aborted,
  };
}

/** Apply one object; tells whether it was created, changed or left as it was. */
export async function applyOne(kube: Kube, obj: K8sObject, namespace: string): Promise<Change> {
  const before = await kube.get(refOf(obj, namespace));
  const after = await kube.apply(obj);
  if (!before) return 'created';
  return before.metadata.resourceVersion === after.metadata.resourceVersion ? 'unchanged' : 'changed';
}

interface Pending {
  ref: ObjectRef;
  live?: Live;
  verdict: ReturnType<typeof readiness> | { state: 'waiting'; for: string };
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

/** The error for a node that did not become ready: the object, and pod-level reasons from status and events. */
async function describeFailure(kube: Kube, n: PlanNode, pending: Pending[], timeoutMs?: number): Promise<PandaError> {
  const issues: Issue[] = [];
  for (const p of pending) {
    const what = p.verdict.state === 'failed' ? p.verdict.reason : `not ready${timeoutMs ? ` after ${Math.round(timeoutMs / 1000)}s` : ''} (waiting for ${p.verdict.state === 'waiting' ? p.verdict.for : '?'})`;
    let problems: PodProblem[] = [];
    try {
      problems = await diagnose(kube, p);
    } catch {
      /* diagnosis is best effort */
    }
    issues.push({
      where: `${p.ref.kind}/${p.ref.name}`,
      message: [what, ...problems.slice(0, 3).map((x) => `${x.pod}: ${x.reason}${x.message ? ` (${x.message})` : ''}`)].join('; '),
      fix: fixFor(problems[0]?.reason),
    });
  }
  return new PandaError(`${n.id} did not become ready`, issues, ExitCode.changesOrNotReady);
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

