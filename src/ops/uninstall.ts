/**
 * Remove component instances: what we own is listed, then deleted by the executor in reverse tier
 * order (dependents first, independent components in parallel), each component waited for until
 * gone. PVCs and PVs stay unless `purge`; the Secrets of the secrets lifecycle always stay.
 */
import { ExitCode, PandaError } from '../core/errors.js';
import { COMPONENTS, type ComponentName } from '../components/registry.js';
import { stackNames, type Affix } from '../core/names.js';
import { refName } from '../core/objects.js';
import { buildUninstallPlan, type InstalledComponent } from '../plan/plan.js';
import { isDataKind, listOwned, OWNED_KINDS } from '../cluster/inventory.js';
import type { Kube } from '../cluster/kube.js';
import { executePlan } from './execute.js';
import { componentReports, locking, lostLock, type ComponentReport, type RunOptions } from './install.js';
import { withStackLock } from './lock.js';
import { checkNamespace } from './preflight.js';
import { reportErrors, type ErrorReport } from './report.js';
import { DEFAULT_RECORD, readRecords, writeRecord, type RecordOptions } from './history.js';
import { inputsDigest, stackName } from './records.js';

export interface UninstallOptions extends RunOptions {
  affix: Affix;
  /** Components to remove; every component when omitted. */
  components?: readonly ComponentName[];
  purge?: boolean;
  timeoutMs: number;
  /** The release record written at the end; `false`: none. @default {@link DEFAULT_RECORD} */
  record?: RecordOptions | false;
}

export interface UninstallReport {
  namespace: string;
  components: Omit<ComponentReport, 'created' | 'changed' | 'unchanged'>[];
  deleted: string[];
  kept: string[];
  seconds: number;
  interrupted: boolean;
  errors: ErrorReport[];
  /** The release record this run wrote. */
  revision?: number;
}

/** What is installed of these components, each object in deletion order (workloads first, data last). */
export async function installed(kube: Kube, affix: Affix, selected: readonly ComponentName[]): Promise<InstalledComponent[]> {
  const names = stackNames(affix, COMPONENTS);
  const rank = (kind: string) => OWNED_KINDS.findIndex((k) => k.kind === kind);
  const out = await Promise.all(
    selected.map(async (c) => ({
      name: c,
      release: names[c].release,
      objects: (await listOwned(kube, c, names[c].release)).map((o) => ({ ref: o.ref, data: isDataKind(o.ref.kind) })).sort((a, b) => rank(a.ref.kind) - rank(b.ref.kind)),
    })),
  );
  return out.filter((c) => c.objects.length);
}

export async function uninstall(kube: Kube, o: UninstallOptions): Promise<UninstallReport> {
  await checkNamespace(kube);
  const l = locking(o);
  const report = await withStackLock(kube, o.affix, l.lock, () => run(kube, o, l.signal));
  if (l.lost()) return { ...report, interrupted: false, errors: [...report.errors, ...reportErrors([lostLock(o.affix)])] };
  return report;
}

async function run(kube: Kube, o: UninstallOptions, signal: AbortSignal): Promise<UninstallReport> {
  const selected = o.components ?? COMPONENTS;
  const present = await installed(kube, o.affix, selected);
  if (!present.length)
    throw new PandaError(`nothing to uninstall: no ${selected.length === COMPONENTS.length ? 'component' : selected.join(', ')} of affix ${JSON.stringify(o.affix.value)} in namespace ${kube.namespace}`, [
      { where: `--affix ${o.affix.value}`, message: `no objects of releases ${selected.map((c) => stackNames(o.affix, COMPONENTS)[c].release).join(', ')}`, fix: 'check -a and -n (panda-k8s status -n NS lists what is installed)' },
    ], ExitCode.notInstalled);
  const plan = buildUninstallPlan(present, kube.namespace, !!o.purge);
  o.onPlan?.(plan);
  const startedAt = new Date(o.clock.now()).toISOString();
  const result = await executePlan(kube, plan, { wait: true, timeoutMs: o.timeoutMs, clock: o.clock, signal, ...(o.onEvent ? { onEvent: o.onEvent } : {}) });
  const report: UninstallReport = {
    namespace: kube.namespace,
    components: componentReports(plan, result).map(({ created: _c, changed: _ch, unchanged: _u, ...c }) => c),
    deleted: result.nodes.flatMap((n) => n.deleted),
    kept: plan.kept.map(refName),
    seconds: Math.round((result.finishedAt - result.startedAt) / 100) / 10,
    interrupted: result.interrupted,
    errors: reportErrors(result.failures),
  };
  if (o.record === false) return report;
  const rec = o.record ?? DEFAULT_RECORD;
  const stack = stackName(o.affix);
  const records = await readRecords(kube, stack);
  const components = present.map((c) => ({ name: c.name, release: c.release, subs: [], objects: [] }));
  const { revision } = await writeRecord(
    kube,
    {
      stack,
      namespace: kube.namespace,
      operation: 'uninstall',
      outcome: report.interrupted ? 'interrupted' : report.errors.length ? 'failed' : 'succeeded',
      tool: rec.tool,
      by: rec.by,
      startedAt,
      finishedAt: new Date(o.clock.now()).toISOString(),
      digest: inputsDigest(undefined, components),
      affix: o.affix.value,
      secretPrefix: records.at(-1)?.secretPrefix ?? '',
      components,
      manifest: false,
      inventory: report.deleted,
      summary: { created: 0, changed: 0, unchanged: 0, pruned: report.deleted, kept: report.kept },
      errors: report.errors.map((e) => e.message),
    },
    records,
    rec.historyMax,
  );
  return { ...report, revision };
}
