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
import { readiness, type Live, type ReadinessContext, type Verdict } from '../cluster/readiness.js';
import { claimFindings, claimsOf, isTerminal, podFindings, type Finding, type KubeEvent } from '../cluster/failures.js';

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
  /** A terminal failure seen while waiting (failed before the timeout): object, pod, reason, message, fix. */
  failure?: FailureReport;
}

/** A terminal failure as reports carry it. */
export interface FailureReport {
  /** The awaited object that will not become ready (`Deployment/x`). */
  object: string;
  /** Where it shows (`Pod/x-abc`, `PersistentVolumeClaim/y`), when not the object itself. */
  source?: string;
  pod?: string;
  container?: string;
  reason: string;
  message: string;
  fix: string;
  /** From the node's start of waiting until the failure was reported. */
  seconds: number;
}

export interface ExecuteOptions {
  /** Wait for readiness (install); false applies in dependency order only. Deletions are always awaited. */
  wait: boolean;
  /** Per component: from its first node's start until all its nodes are done. */
  timeoutMs: number;
  /** Interval between two readings of the awaited objects. */
  pollMs?: number;
  /** Interval between two inspections of the pods, claims and events of what is not ready yet (terminal failures). */
  inspectMs?: number;
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
  const inspect = o.inspectMs ?? 1000;
  const ctx = clusterContext(kube);
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
    const waitStart = clock.now();
    const seen = new Map<string, number>();
    let nextInspect = waitStart + inspect;
    let lastWait = '';
    for (;;) {
      if (aborted()) return void emit(n, 'interrupted');
      const pending = await (until === 'gone' ? stillPresent(kube, n.await) : notReady(kube, n.await, ctx));
      if (pending.length === 0) {
        r.readyAt = clock.now();
        return void emit(n, 'ready');
      }
      const failed = pending.find((p) => p.verdict.state === 'failed');
      let terminal: { p: Pending; f: Finding } | undefined;
      if (!failed && until === 'ready' && clock.now() >= nextInspect) {
        nextInspect = clock.now() + inspect;
        terminal = await firstTerminal(kube, pending, seen, clock.now(), ctx);
      }
      if (failed || terminal || clock.now() >= deadline) {
        if (terminal) r.failure = failureReport(terminal.p, terminal.f, (clock.now() - waitStart) / 1000);
        const err = terminal ? terminalError(n, r.failure!) : await describeFailure(kube, n, pending, failed ? undefined : o.timeoutMs, ctx, clock.now());
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

/** What readiness needs from the cluster beyond the object: StorageClass binding modes, read once when a claim is not bound. */
interface ClusterContext extends ReadinessContext {
  load(): Promise<void>;
  /** Node list for scheduling verdicts, read at most every 30 s. */
  nodes(now: number): Promise<Live[]>;
}

function clusterContext(kube: Kube): ClusterContext {
  let classes: Promise<Live[]> | undefined;
  let loaded: Live[] | undefined;
  let nodes: { at: number; list: Promise<Live[]> } | undefined;
  const bestEffort = (p: Promise<Live[]>) => p.catch(() => [] as Live[]);
  return {
    async load() {
      classes ??= bestEffort(kube.list('storage.k8s.io/v1', 'StorageClass'));
      loaded = await classes;
    },
    bindingMode(name) {
      const sc = name === undefined ? loaded?.find((c) => c.metadata.annotations?.['storageclass.kubernetes.io/is-default-class'] === 'true') : loaded?.find((c) => c.metadata.name === name);
      return (sc as { volumeBindingMode?: string } | undefined)?.volumeBindingMode;
    },
    nodes(now) {
      if (!nodes || now - nodes.at > 30_000) nodes = { at: now, list: bestEffort(kube.list('v1', 'Node')) };
      return nodes.list;
    },
  };
}

async function notReady(kube: Kube, refs: readonly ObjectRef[], ctx: ClusterContext): Promise<Pending[]> {
  const lives = await Promise.all(refs.map((r) => kube.get(r)));
  if (lives.some((l) => l?.kind === 'PersistentVolumeClaim' && l.status?.phase !== 'Bound')) await ctx.load();
  const out: Pending[] = [];
  refs.forEach((ref, i) => {
    const live = lives[i];
    if (!live) return void out.push({ ref, verdict: { state: 'waiting', for: 'the object to exist' } });
    const v = readiness(live, ctx);
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

const eventsOf = (kube: Kube, name: string, namespace?: string) =>
  kube.list('v1', 'Event', { ...(namespace ? { namespace } : {}), fieldSelector: `involvedObject.name=${name}` }) as unknown as Promise<KubeEvent[]>;

/** Pods, claims and events behind an object that is not ready: every finding, most telling first. Best effort: a read we may not do yields nothing. */
async function inspectPending(kube: Kube, p: Pending, ctx: ClusterContext, now: number): Promise<Finding[]> {
  const ns = p.ref.namespace;
  try {
    if (p.ref.kind === 'PersistentVolumeClaim') return p.live ? claimFindings(p.live, await eventsOf(kube, p.ref.name, ns)) : [];
    let pods: Live[];
    if (p.ref.kind === 'Pod') pods = p.live ? [p.live] : [];
    else {
      const selector = (p.live?.spec?.selector?.matchLabels ?? {}) as Record<string, string>;
      const labelSelector = Object.entries(selector)
        .map(([k, v]) => `${k}=${v}`)
        .join(',');
      if (!labelSelector) return [];
      pods = await kube.list('v1', 'Pod', { ...(ns ? { namespace: ns } : {}), labelSelector });
    }
    const notReadyPods = pods.filter((pod) => readiness(pod).state !== 'ready').slice(0, 3);
    if (!notReadyPods.length) return [];
    const [events, nodes] = await Promise.all([Promise.all(notReadyPods.map((pod) => eventsOf(kube, pod.metadata.name, ns))).then((e) => e.flat()), ctx.nodes(now)]);
    const found = podFindings(notReadyPods, events, nodes);
    // claims the pods wait for (a StatefulSet's claim templates are not awaited themselves)
    const claims = [...new Set(notReadyPods.flatMap(claimsOf))].slice(0, 3);
    for (const name of claims) {
      const claim = await kube.get({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', name, ...(ns ? { namespace: ns } : {}) });
      if (claim) found.push(...claimFindings(claim, await eventsOf(kube, name, ns)));
    }
    return found;
  } catch {
    return [];
  }
}

/** The first finding past its grace; `seen` remembers since when each finding has been seen (findings no longer seen are forgotten). */
async function firstTerminal(kube: Kube, pending: Pending[], seen: Map<string, number>, now: number, ctx: ClusterContext): Promise<{ p: Pending; f: Finding } | undefined> {
  const current = new Set<string>();
  let hit: { p: Pending; f: Finding } | undefined;
  for (const p of pending) {
    for (const f of await inspectPending(kube, p, ctx, now)) {
      const key = `${refName(p.ref)}|${f.object}|${f.container ?? ''}|${f.reason}`;
      current.add(key);
      if (!seen.has(key)) seen.set(key, now);
      if (!hit && isTerminal(f, now - seen.get(key)!)) hit = { p, f };
    }
  }
  for (const k of [...seen.keys()]) if (!current.has(k)) seen.delete(k);
  return hit;
}

function failureReport(p: Pending, f: Finding, seconds: number): FailureReport {
  const object = refName(p.ref);
  return {
    object,
    ...(f.object !== object ? { source: f.object } : {}),
    ...(f.pod ? { pod: f.pod } : {}),
    ...(f.container ? { container: f.container } : {}),
    reason: f.reason,
    message: f.message,
    fix: f.fix,
    seconds: Math.round(seconds * 10) / 10,
  };
}

function terminalError(n: PlanNode, f: FailureReport): PandaError {
  const where = f.pod ? `pod ${f.pod}${f.container ? ` container ${f.container}` : ''}` : f.source && f.source !== f.object ? f.source : '';
  return new PandaError(
    `${n.id} cannot become ready`,
    [{ where: f.object, message: `${f.reason}${where ? ` (${where})` : ''}${f.message ? `: ${f.message}` : ''}`, ...(f.fix ? { fix: f.fix } : {}) }],
    ExitCode.changesOrNotReady,
  );
}

/** The error for a node that did not finish: the object, and the findings behind it. */
async function describeFailure(kube: Kube, n: PlanNode, pending: Pending[], timeoutMs: number | undefined, ctx: ClusterContext, now: number): Promise<PandaError> {
  const issues: Issue[] = [];
  const after = timeoutMs ? ` after ${Math.round(timeoutMs / 1000)}s` : '';
  for (const p of pending) {
    if (n.until === 'gone') {
      issues.push({ where: refName(p.ref), message: `still present${after} (waiting for ${p.verdict.state === 'waiting' ? p.verdict.for : '?'})`, fix: 'check its finalizers and events, or raise --timeout' });
      continue;
    }
    const what = p.verdict.state === 'failed' ? p.verdict.reason : `not ready${after} (waiting for ${p.verdict.state === 'waiting' ? p.verdict.for : '?'})`;
    const found = await inspectPending(kube, p, ctx, now);
    if (p.ref.kind === 'PersistentVolumeClaim' && !found.length) found.push({ object: refName(p.ref), reason: 'Pending', message: 'no volume bound yet (no matching PersistentVolume or provisioner)', severity: 'info', fix: 'create a matching PersistentVolume, or use a StorageClass with a provisioner' });
    const fix = found.find((f) => f.fix)?.fix ?? (p.verdict.state === 'failed' ? undefined : 'raise --timeout if the component is just slow to start');
    issues.push({
      where: refName(p.ref),
      message: [what, ...found.slice(0, 3).map((x) => `${x.pod ?? x.object}: ${x.reason}${x.message ? ` (${x.message})` : ''}`)].join('; '),
      ...(fix ? { fix } : {}),
    });
  }
  return new PandaError(`${n.id} did not become ${n.until === 'gone' ? 'gone' : 'ready'}`, issues, ExitCode.changesOrNotReady);
}
