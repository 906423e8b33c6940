/**
 * Install or upgrade a rendered stack: preflight, the plan carried out by the executor, then
 * pruning of objects we own and no longer render. Returns a serializable report; never prints.
 */
import { ExitCode, PandaError } from '../core/errors.js';
import type { Affix } from '../core/names.js';
import type { ObjectRef } from '../core/objects.js';
import { refKey, refName, refOf } from '../core/objects.js';
import { buildPlan, type Plan } from '../plan/plan.js';
import type { Clock } from '../cluster/clock.js';
import { isDataKind, listOwned } from '../cluster/inventory.js';
import type { FieldConflict, Kube } from '../cluster/kube.js';
import { annotateStack, externalReferences } from '../render/digests.js';
import { liveDigests } from './rollout.js';
import { executePlan, type ExecuteResult, type FailureReport, type ProgressEvent } from './execute.js';
import type { Rendered } from './inputs.js';
import { lockName, withStackLock, type LockOptions } from './lock.js';
import { checkNamespace, preflight } from './preflight.js';
import { reportErrors, type ErrorReport } from './report.js';
import { DEFAULT_RECORD, readRecords, writeRecord, type RecordOptions } from './history.js';
import { inputsDigest, inventoryOf, nonSecretValues, recordedComponents, rollbackTarget, stackFromRecord, stackName, type Operation, type Outcome, type ReleaseRecord } from './records.js';

export interface RunOptions {
  clock: Clock;
  signal?: AbortSignal;
  /** Hold the stack's Lease while running (the CLI always does). */
  lock?: Omit<LockOptions, 'clock' | 'signal' | 'onLost'>;
  onEvent?: (e: ProgressEvent) => void;
  /** Called once the plan is known (e.g. to set up a progress view). */
  onPlan?: (plan: Plan) => void;
}

export interface InstallOptions extends RunOptions {
  /** Per component, until all its sub-components are ready. */
  timeoutMs: number;
  wait?: boolean;
  /** Prune PVCs and PVs no longer rendered too. */
  pruneData?: boolean;
  /** The release record written at the end; `false`: none. @default {@link DEFAULT_RECORD} */
  record?: RecordOptions | false;
  /** When the install fails, re-apply the newest revision that succeeded before it. */
  rollbackOnFailure?: boolean;
  /** Set by a rollback: the revision whose recorded inputs this run re-applies. */
  rollbackOf?: number;
}

export interface ComponentReport {
  name: string;
  release: string;
  state: string;
  seconds?: number;
  created: number;
  changed: number;
  unchanged: number;
  problem?: string;
  /** A terminal failure seen while waiting: object, pod, reason, message, fix, seconds. */
  failure?: FailureReport;
}

export interface InstallReport {
  namespace: string;
  affix: string;
  components: ComponentReport[];
  created: number;
  changed: number;
  unchanged: number;
  pruned: string[];
  kept: string[];
  /** Fields other managers (kubectl, an operator's patch) owned that install took back. */
  conflicts: FieldConflict[];
  writes: number;
  seconds: number;
  interrupted: boolean;
  errors: ErrorReport[];
  /** The release record this run wrote (absent when records are off or writing failed). */
  revision?: number;
  /** With a rollback: the revision re-applied. */
  rollbackOf?: number;
  /** With --rollback-on-failure after a failure: the rollback that followed (or why none could). */
  rolledBack?: InstallReport | { error: ErrorReport };
}

/** Per component: its nodes' states and counts folded into one row. */
export function componentReports(plan: Plan, r: ExecuteResult): ComponentReport[] {
  return plan.components.map((c) => {
    const nodes = r.nodes.filter((n) => n.component === c.name);
    const sum = (k: 'created' | 'changed' | 'unchanged') => nodes.reduce((a, n) => a + n.changes[k], 0);
    const states = nodes.map((n) => n.state);
    const state = (['failed', 'interrupted', 'blocked', 'pending'] as const).find((s) => states.includes(s)) ?? 'ready';
    const started = Math.min(...nodes.map((n) => n.startedAt ?? Infinity));
    const ready = Math.max(...nodes.map((n) => n.readyAt ?? -Infinity));
    const problem = nodes.find((n) => n.problem)?.problem;
    const failure = nodes.find((n) => n.failure)?.failure;
    return {
      name: c.name,
      release: c.release,
      state,
      ...(state === 'ready' && isFinite(started) ? { seconds: Math.round((ready - started) / 100) / 10 } : {}),
      created: sum('created'),
      changed: sum('changed'),
      unchanged: sum('unchanged'),
      ...(problem ? { problem } : {}),
      ...(failure ? { failure } : {}),
    };
  });
}

/** Objects of the planned components that we own but no longer render. */
export async function pruneCandidates(kube: Kube, plan: Plan): Promise<{ ref: ObjectRef; data: boolean }[]> {
  const desired = new Set(plan.nodes.flatMap((n) => n.apply.map((o) => refKey(refOf(o, plan.namespace)))));
  for (const n of plan.nodes) for (const r of n.await) desired.add(refKey(r));
  const owned = await Promise.all(plan.components.map((c) => listOwned(kube, c.name, c.release)));
  return owned.flat().flatMap((o) => (desired.has(refKey(o.ref)) ? [] : [{ ref: o.ref, data: isDataKind(o.ref.kind) }]));
}

/** The lock options for a run, and a signal that also fires when the lock is lost. */
export function locking(o: RunOptions): { lock?: LockOptions; signal: AbortSignal; lost(): boolean } {
  const ac = new AbortController();
  let lost = false;
  if (o.signal?.aborted) ac.abort();
  o.signal?.addEventListener('abort', () => ac.abort(), { once: true });
  return {
    ...(o.lock ? { lock: { ...o.lock, clock: o.clock, ...(o.signal ? { signal: o.signal } : {}), onLost: () => ((lost = true), ac.abort()) } } : {}),
    signal: ac.signal,
    lost: () => lost,
  };
}

export const lostLock = (affix: Affix) =>
  new PandaError('another operation took over the stack lock; stopped', [{ where: `Lease/${lockName(affix)}`, message: 'the lock was not renewed in time (the API server was unreachable?)', fix: 'check what the other operation did, then run again' }], ExitCode.locked);

export async function install(kube: Kube, rendered: Rendered, o: InstallOptions): Promise<InstallReport> {
  await checkNamespace(kube);
  const l = locking(o);
  return withStackLock(kube, rendered.affix, l.lock, async () => {
    const report = await recorded(kube, rendered, o, l);
    if (!o.rollbackOnFailure || report.interrupted || !report.errors.length || l.lost()) return report;
    // the newest revision that succeeded before this one, re-applied under the same lock
    const stack = stackName(rendered.affix);
    let target: ReleaseRecord;
    try {
      target = rollbackTarget(await readRecords(kube, stack), stack);
    } catch (e) {
      if (!(e instanceof PandaError)) throw e;
      return { ...report, rolledBack: { error: reportErrors([e])[0]! } };
    }
    const back = await recorded(kube, { ...stackFromRecord(target, rendered.affix) }, { ...o, rollbackOf: target.revision }, l);
    return { ...report, rolledBack: back };
  });
}

/** One run of the plan, then its release record. */
async function recorded(kube: Kube, rendered: Rendered, o: InstallOptions, l: ReturnType<typeof locking>): Promise<InstallReport> {
  const startedAt = new Date(o.clock.now()).toISOString();
  const stack = stackName(rendered.affix);
  const records = o.record === false ? [] : await readRecords(kube, stack);
  const report = await run(kube, rendered, o, l);
  if (o.record === false) return report;
  const rec = o.record ?? DEFAULT_RECORD;
  const newest = records.at(-1);
  const operation: Operation = o.rollbackOf !== undefined ? 'rollback' : newest && newest.operation !== 'uninstall' ? 'upgrade' : 'install';
  const outcome: Outcome = report.interrupted ? 'interrupted' : report.errors.length ? 'failed' : 'succeeded';
  const values = nonSecretValues(rendered.values);
  const components = recordedComponents(rendered);
  const { revision } = await writeRecord(
    kube,
    {
      stack,
      namespace: kube.namespace,
      operation,
      outcome,
      tool: rec.tool,
      by: rec.by,
      startedAt,
      finishedAt: new Date(o.clock.now()).toISOString(),
      digest: inputsDigest(values, components),
      affix: rendered.affix.value,
      secretPrefix: rendered.secretPrefix,
      ...(o.rollbackOf !== undefined ? { rollbackOf: o.rollbackOf } : {}),
      values,
      components,
      manifest: true,
      inventory: inventoryOf(components),
      summary: { created: report.created, changed: report.changed, unchanged: report.unchanged, pruned: report.pruned, kept: report.kept },
      errors: report.errors.map((e) => e.message),
    },
    records,
    rec.historyMax,
  );
  return { ...report, revision, ...(o.rollbackOf !== undefined ? { rollbackOf: o.rollbackOf } : {}) };
}

async function run(kube: Kube, rendered: Rendered, o: InstallOptions, l: ReturnType<typeof locking>): Promise<InstallReport> {
  // pod templates carry the digest of the Secrets they read from outside the stack, as installed
  const stack = annotateStack(rendered, { external: await liveDigests(kube, externalReferences(rendered.objects)) });
  const plan = buildPlan(stack, kube.namespace);
  await preflight(kube, plan, rendered.secretPrefix);
  o.onPlan?.(plan);
  const result = await executePlan(kube, plan, { wait: o.wait !== false, timeoutMs: o.timeoutMs, clock: o.clock, signal: l.signal, ...(o.onEvent ? { onEvent: o.onEvent } : {}) });
  if (l.lost()) result.failures.push(lostLock(rendered.affix));
  const report = await finish(kube, plan, rendered, result, o);
  return l.lost() ? { ...report, interrupted: false } : report;
}

async function finish(kube: Kube, plan: Plan, rendered: Rendered, result: ExecuteResult, o: InstallOptions): Promise<InstallReport> {
  const pruned: string[] = [];
  const kept: string[] = [];
  if (!result.failures.length && !result.interrupted) {
    for (const c of await pruneCandidates(kube, plan)) {
      const name = refName(c.ref);
      if (c.data && !o.pruneData) {
        kept.push(name);
        continue;
      }
      await kube.delete(c.ref);
      result.writes++;
      pruned.push(name);
      o.onEvent?.({ type: 'pruned', object: name, at: o.clock.now() });
    }
  }
  const components = componentReports(plan, result);
  const total = (k: 'created' | 'changed' | 'unchanged') => components.reduce((a, c) => a + c[k], 0);
  return {
    namespace: plan.namespace,
    affix: rendered.affix.value,
    components,
    created: total('created'),
    changed: total('changed'),
    unchanged: total('unchanged'),
    pruned,
    kept,
    conflicts: result.nodes.flatMap((n) => n.conflicts),
    writes: result.writes,
    seconds: Math.round((result.finishedAt - result.startedAt) / 100) / 10,
    interrupted: result.interrupted,
    errors: reportErrors(result.failures),
  };
}
