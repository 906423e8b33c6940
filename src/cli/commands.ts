/**
 * The cluster commands: install, diff, status, uninstall, and the secrets lifecycle. Each reads
 * (render → plan, pure), then talks to the API through `Kube`, and returns an exit code; output
 * goes through the CLI's writers.
 */
import { COMPONENTS, registry } from '../components/registry.js';
import { ExitCode, IssueList, PandaError } from '../core/errors.js';
import { LABEL, type K8sObject } from '../core/k8s.js';
import { resolveAffix, stackNames } from '../core/names.js';
import { toYamlStream } from '../core/yaml.js';
import { buildPlan, refOf, refKey, inNamespace, type Plan } from '../plan/plan.js';
import { renderFromOptions, resolve, secretsRenderer, type RenderOptions, type SecretsOptions } from '../render/inputs.js';
import { err, out, warnIgnored, warnNotices } from './output.js';
import { createProgress, table } from './progress.js';
import { parseDuration, realClock, type Clock } from '../cluster/clock.js';
import { hideSecretValues, lineDiff, normalize } from '../cluster/diff.js';
import { executePlan, type ExecuteResult, type ProgressEvent } from '../cluster/execute.js';
import { isDataKind, listOwned, OWNED_KINDS, ownedSelector } from '../cluster/inventory.js';
import { connect, type Kube, type KubeTarget } from '../cluster/kube.js';
import { podProblems, readiness, type Live } from '../cluster/readiness.js';
import { consumersOf, liveDigests, rollConsumers, type Consumer } from '../cluster/rollout.js';
import { annotateStack, externalReferences, type RefName } from '../render/digests.js';

type Flags = Record<string, unknown>;

function target(f: Flags): KubeTarget {
  return {
    ...(f.kubeconfig ? { kubeconfig: String(f.kubeconfig) } : {}),
    ...(f.context ? { context: String(f.context) } : {}),
    ...(f.namespace ? { namespace: String(f.namespace) } : {}),
  };
}

function duration(v: unknown, flag: string): number {
  const ms = parseDuration(String(v));
  if (ms === undefined) throw new PandaError('invalid duration', [{ where: flag, message: `cannot read ${JSON.stringify(v)}`, fix: 'write e.g. 90s, 10m or 1h' }]);
  return ms;
}

/** Stop on Ctrl-C: no new writes start; in-flight requests finish. */
function interruptible(): { signal: AbortSignal; dispose(): void } {
  const ac = new AbortController();
  const onSig = () => {
    if (ac.signal.aborted) process.exit(ExitCode.interrupted);
    err('\ninterrupted: finishing the requests in flight (Ctrl-C again to quit at once)\n');
    ac.abort();
  };
  process.on('SIGINT', onSig);
  process.on('SIGTERM', onSig);
  return {
    signal: ac.signal,
    dispose() {
      process.off('SIGINT', onSig);
      process.off('SIGTERM', onSig);
    },
  };
}

async function checkNamespace(kube: Kube): Promise<void> {
  const ns = await kube.get({ apiVersion: 'v1', kind: 'Namespace', name: kube.namespace });
  if (!ns)
    throw new PandaError(`namespace ${kube.namespace} does not exist`, [
      { where: '--namespace', message: `no namespace ${JSON.stringify(kube.namespace)} on ${kube.server}`, fix: `kubectl create namespace ${kube.namespace}, or pass -n with an existing one` },
    ]);
}

/** Secrets each selected sub-component reads, which the secrets lifecycle must have installed. */
export function requiredSecrets(plan: Plan, prefix: string): Map<string, string[]> {
  return registry.requiredSecrets(plan.components, prefix);
}

async function preflight(kube: Kube, plan: Plan, prefix: string): Promise<void> {
  await checkNamespace(kube);
  const issues = new IssueList();
  const need = requiredSecrets(plan, prefix);
  const present = await Promise.all([...need.keys()].map((name) => kube.get({ apiVersion: 'v1', kind: 'Secret', name, namespace: kube.namespace })));
  [...need.entries()].forEach(([name, users], i) => {
    if (!present[i])
      issues.add({
        where: `Secret/${name}`,
        message: `missing in namespace ${kube.namespace}; read by ${users.join(', ')}`,
        fix: 'install the secrets first: panda-k8s secrets install (same -n and global.secret)',
      });
  });
  // PersistentVolumes are cluster-scoped: one left by another namespace, or by a deleted claim,
  // would keep our claim Pending forever
  const pvs = plan.nodes.flatMap((n) => n.apply).filter((o) => o.kind === 'PersistentVolume');
  const livePvs = await Promise.all(pvs.map((o) => kube.get({ apiVersion: 'v1', kind: 'PersistentVolume', name: o.metadata.name })));
  livePvs.forEach((pv, i) => {
    const ref = pv?.spec?.claimRef as { namespace?: string; name?: string } | undefined;
    if (!pv || !ref) return;
    const name = pvs[i]!.metadata.name;
    if (ref.namespace !== kube.namespace)
      issues.add({
        where: `PersistentVolume/${name}`,
        message: `already belongs to claim ${ref.namespace}/${ref.name} (PersistentVolumes are cluster-wide)`,
        fix: 'use another affix for this namespace, or set persistentvolume.create=false and a StorageClass',
      });
    else if (pv.status?.phase === 'Released')
      issues.add({
        where: `PersistentVolume/${name}`,
        message: 'keeps the data of a deleted claim (Released), so the new claim cannot bind to it',
        fix: `to reuse the data: kubectl patch pv ${name} --type json -p '[{"op":"remove","path":"/spec/claimRef"}]'; to discard it: kubectl delete pv ${name}`,
      });
  });
  const kinds = new Map<string, string>();
  for (const n of plan.nodes) for (const o of n.apply) kinds.set(`${o.apiVersion}|${o.kind}`, `${o.kind}/${o.metadata.name}`);
  for (const [k, example] of kinds) {
    const [apiVersion, kind] = k.split('|') as [string, string];
    if (!['v1', 'apps/v1'].includes(apiVersion) && !(await kube.serves(apiVersion, kind)))
      issues.add({
        where: example,
        message: `the cluster does not serve ${apiVersion} ${kind}`,
        fix: kind === 'Route' ? 'Routes need OpenShift/OKD: disable route.enabled and use ingress instead' : `install the ${kind} API or disable it in your values`,
      });
  }
  issues.throwIfAny('the cluster is not ready for this install; nothing was applied');
}

export interface InstallReport {
  namespace: string;
  affix: string;
  components: { name: string; release: string; state: string; seconds?: number; created: number; changed: number; unchanged: number; problem?: string }[];
  created: number;
  changed: number;
  unchanged: number;
  pruned: string[];
  kept: string[];
  writes: number;
  seconds: number;
  errors: { message: string; issues: { where: string; message: string; fix?: string }[] }[];
}

function summarize(plan: Plan, r: ExecuteResult, affix: string, pruned: string[], kept: string[]): InstallReport {
  const comps = plan.components.map((c) => {
    const nodes = r.nodes.filter((n) => n.component === c.name);
    const sum = (k: 'created' | 'changed' | 'unchanged') => nodes.reduce((a, n) => a + n.changes[k], 0);
    const states = nodes.map((n) => n.state);
    const state = (['failed', 'interrupted', 'blocked', 'pending'] as const).find((s) => states.includes(s)) ?? 'ready';
    const started = Math.min(...nodes.map((n) => n.startedAt ?? Infinity));
    const ready = Math.max(...nodes.map((n) => n.readyAt ?? -Infinity));
    const problem = nodes.find((n) => n.problem)?.problem;
    return {
      name: c.name,
      release: c.release,
      state,
      ...(state === 'ready' && isFinite(started) ? { seconds: Math.round((ready - started) / 100) / 10 } : {}),
      created: sum('created'),
      changed: sum('changed'),
      unchanged: sum('unchanged'),
      ...(problem ? { problem } : {}),
    };
  });
  const total = (k: 'created' | 'changed' | 'unchanged') => comps.reduce((a, c) => a + c[k], 0);
  return {
    namespace: plan.namespace,
    affix,
    components: comps,
    created: total('created'),
    changed: total('changed'),
    unchanged: total('unchanged'),
    pruned,
    kept,
    writes: r.writes,
    seconds: Math.round((r.finishedAt - r.startedAt) / 100) / 10,
    errors: r.failures.map((e) => ({ message: e.message, issues: e.issues.map((i) => ({ where: i.where, message: i.message, ...(i.fix ? { fix: i.fix } : {}) })) })),
  };
}

/** Objects of the planned components that we own but no longer render. */
async function pruneCandidates(kube: Kube, plan: Plan): Promise<{ ref: ReturnType<typeof refOf>; data: boolean }[]> {
  const desired = new Set(plan.nodes.flatMap((n) => n.apply.map((o) => refKey(refOf(o, plan.namespace)))));
  for (const n of plan.nodes) for (const r of n.await) desired.add(refKey(r));
  const out: { ref: ReturnType<typeof refOf>; data: boolean }[] = [];
  for (const c of plan.components) {
    for (const o of await listOwned(kube, c.name, c.release)) {
      if (!desired.has(refKey(o.ref))) out.push({ ref: o.ref, data: isDataKind(o.ref.kind) });
    }
  }
  return out;
}

export interface InstallDeps {
  clock?: Clock;
  kube?: Kube;
  signal?: AbortSignal;
  onEvent?: (e: ProgressEvent) => void;
  /** Receives the install report (what `-o json` prints). */
  onReport?: (r: InstallReport) => void;
  quiet?: boolean;
}

/** Install or upgrade. Returns the exit code; the report is printed (text or JSON). */
export async function installCommand(opts: RenderOptions, f: Flags, deps: InstallDeps = {}): Promise<number> {
  const first = renderFromOptions({ ...(f.namespace ? { namespace: String(f.namespace) } : {}), ...opts });
  if (!deps.quiet) warnIgnored(first.ignored);
  if (first.missing.length) throw new PandaError('payload files named by the values are missing; nothing was applied', first.missing);
  if (first.placeholders.length && !f.allowPlaceholders) {
    throw new PandaError(
      'values still hold FIXME placeholders; nothing was applied',
      first.placeholders,
    );
  }
  const timeoutMs = duration(f.timeout ?? '10m', '--timeout');
  const kube = deps.kube ?? connect(target(f));
  // names of cluster-wide objects carry the namespace: render for the one we install into
  const rendered = first.objects.length && kube.namespace !== (f.namespace ?? 'default') ? renderFromOptions({ ...opts, namespace: kube.namespace }) : first;
  // pod templates carry the digest of the Secrets they read from outside the stack, as installed
  const stack = annotateStack(rendered, { external: await liveDigests(kube, externalReferences(rendered.objects)) });
  const plan = buildPlan(stack, kube.namespace);
  await preflight(kube, plan, rendered.secretPrefix);
  const clock = deps.clock ?? realClock;
  const json = f.output === 'json';
  const intr = deps.signal ? undefined : interruptible();
  const signal = deps.signal ?? intr!.signal;
  const view = deps.quiet ? undefined : createProgress(plan.components.map((c) => ({ name: c.name, nodes: plan.nodes.filter((n) => n.component === c.name).map((n) => n.id) })), { tty: !json && !!process.stderr.isTTY, write: err, now: clock.now });
  let result: ExecuteResult;
  try {
    result = await executePlan(kube, plan, {
      wait: f.wait !== false,
      timeoutMs,
      clock,
      signal,
      onEvent: (e) => {
        view?.onEvent(e);
        deps.onEvent?.(e);
      },
    });
  } finally {
    view?.stop();
    intr?.dispose();
  }
  const pruned: string[] = [];
  const kept: string[] = [];
  if (!result.failures.length && !result.interrupted) {
    for (const c of await pruneCandidates(kube, plan)) {
      const name = `${c.ref.kind}/${c.ref.name}`;
      if (c.data && !f.pruneData) {
        kept.push(name);
        continue;
      }
      await kube.delete(c.ref);
      result.writes++;
      pruned.push(name);
      deps.onEvent?.({ type: 'pruned', object: name, at: clock.now() });
    }
  }
  const report = summarize(plan, result, rendered.affix.value, pruned, kept);
  deps.onReport?.(report);
  if (!deps.quiet) printInstallReport(report, json);
  if (result.interrupted) return ExitCode.interrupted;
  return result.failures.length ? ExitCode.changesOrNotReady : ExitCode.ok;
}

function printInstallReport(r: InstallReport, json: boolean): void {
  if (json) return void out(JSON.stringify(r, null, 2) + '\n');
  out(
    table(
      ['COMPONENT', 'RELEASE', 'STATE', 'TIME', 'CREATED', 'CHANGED', 'UNCHANGED'],
      r.components.map((c) => [c.name, c.release, c.state, c.seconds !== undefined ? `${c.seconds}s` : '-', String(c.created), String(c.changed), String(c.unchanged)]),
    ),
  );
  const changed = r.created + r.changed + r.pruned.length;
  out(`${changed} changed (${r.created} created, ${r.changed} updated, ${r.pruned.length} pruned), ${r.unchanged} unchanged in namespace ${r.namespace}, ${r.seconds}s\n`);
  if (r.kept.length) out(`kept (data is never pruned without --prune-data): ${r.kept.join(', ')}\n`);
  for (const e of r.errors) {
    err(`error: ${e.message}\n`);
    for (const i of e.issues) err(`  - ${i.where}: ${i.message}${i.fix ? `\n      fix: ${i.fix}` : ''}\n`);
  }
  const blocked = r.components.filter((c) => c.state === 'blocked');
  if (blocked.length) err(`not applied (a component they depend on is not ready): ${blocked.map((c) => c.name).join(', ')}\n`);
}

interface DiffEntry {
  object: string;
  action: 'create' | 'update' | 'delete' | 'keep';
  diff?: string[];
}

async function diffObjects(kube: Kube, objects: readonly K8sObject[], namespace: string): Promise<DiffEntry[]> {
  const entries = await Promise.all(
    objects.map(async (o): Promise<DiffEntry | undefined> => {
      const obj = inNamespace(o, namespace);
      const live = await kube.get(refOf(obj, namespace));
      const name = `${o.kind}/${o.metadata.name}`;
      if (!live) return { object: name, action: 'create' };
      const dry = await kube.apply(obj, { dryRun: true });
      const a = toYamlStream([hideSecretValues(normalize(live))]);
      const b = toYamlStream([hideSecretValues(normalize(dry))]);
      if (a === b) return undefined;
      return { object: name, action: 'update', diff: lineDiff(a, b) };
    }),
  );
  return entries.filter((e): e is DiffEntry => !!e);
}

function printDiff(entries: readonly DiffEntry[], json: boolean): void {
  if (json) return void out(JSON.stringify({ changes: entries }, null, 2) + '\n');
  if (!entries.length) return void out('no changes\n');
  for (const e of entries) {
    out(`${{ create: '+', update: '~', delete: '-', keep: '=' }[e.action]} ${e.object} (${e.action === 'keep' ? 'no longer rendered; kept: data' : e.action})\n`);
    for (const l of e.diff ?? []) out(`    ${l}\n`);
  }
  const n = entries.filter((e) => e.action !== 'keep').length;
  out(`${n} object(s) would change\n`);
}

export async function diffCommand(opts: RenderOptions, f: Flags, deps: InstallDeps = {}): Promise<number> {
  const kube = deps.kube ?? connect(target(f));
  const rendered = renderFromOptions({ ...opts, namespace: kube.namespace });
  await checkNamespace(kube);
  const stack = annotateStack(rendered, { external: await liveDigests(kube, externalReferences(rendered.objects)) });
  const plan = buildPlan(stack, kube.namespace);
  const entries = await diffObjects(kube, stack.objects, kube.namespace);
  for (const c of await pruneCandidates(kube, plan)) entries.push({ object: `${c.ref.kind}/${c.ref.name}`, action: c.data ? 'keep' : 'delete' });
  if (!deps.quiet) printDiff(entries, f.output === 'json');
  return entries.some((e) => e.action !== 'keep') ? ExitCode.changesOrNotReady : ExitCode.ok;
}

// ---------------------------------------------------------------- status

interface StatusRow {
  component: string;
  sub: string;
  release: string;
  kind: string;
  name: string;
  ready: string;
  images: string[];
  age: string;
  problem: string;
}

function age(ts: string | undefined, now: number): string {
  if (!ts) return '-';
  const s = Math.max(0, Math.round((now - Date.parse(ts)) / 1000));
  return s < 120 ? `${s}s` : s < 7200 ? `${Math.round(s / 60)}m` : s < 172800 ? `${Math.round(s / 3600)}h` : `${Math.round(s / 86400)}d`;
}

export async function statusRows(kube: Kube, affix?: string, now = Date.now()): Promise<StatusRow[]> {
  const releases = affix ? new Set(Object.values(stackNames(resolveAffix(affix, undefined), COMPONENTS)).map((n) => n.release)) : undefined;
  const selector = ownedSelector();
  const [deploys, pvcs, pods] = await Promise.all([
    kube.list('apps/v1', 'Deployment', { labelSelector: selector }),
    kube.list('v1', 'PersistentVolumeClaim', { labelSelector: selector }),
    kube.list('v1', 'Pod', {}),
  ]);
  const labelsOf = (o: Live) => ((o.metadata as { labels?: Record<string, string> }).labels ?? {});
  const rows: StatusRow[] = [];
  const order = (c: string) => (COMPONENTS as readonly string[]).indexOf(c);
  for (const d of deploys) {
    const l = labelsOf(d);
    if (releases && !releases.has(l[LABEL.instance] ?? '')) continue;
    const sel = (d.spec?.selector?.matchLabels ?? {}) as Record<string, string>;
    const mine = pods.filter((p) => Object.entries(sel).every(([k, v]) => labelsOf(p)[k] === v));
    const v = readiness(d);
    let problem = v.state === 'ready' ? '' : v.state === 'failed' ? v.reason : `waiting for ${v.for}`;
    if (v.state !== 'ready') {
      const probs = podProblems(mine, []);
      if (probs[0]) problem = `${probs[0].reason}${probs[0].message ? `: ${probs[0].message}` : ''} (${probs[0].pod})`;
    }
    const claims = ((d.spec?.template?.spec?.volumes ?? []) as { persistentVolumeClaim?: { claimName: string } }[]).map((x) => x.persistentVolumeClaim?.claimName).filter(Boolean);
    const pending = pvcs.find((c) => claims.includes(c.metadata.name) && c.status?.phase !== 'Bound');
    if (pending && !problem) problem = `PersistentVolumeClaim/${pending.metadata.name} ${pending.status?.phase ?? 'Pending'}`;
    rows.push({
      component: l[LABEL.component] ?? '?',
      sub: l[LABEL.sub] ?? '?',
      release: l[LABEL.instance] ?? '?',
      kind: 'Deployment',
      name: d.metadata.name,
      ready: `${d.status?.readyReplicas ?? 0}/${d.spec?.replicas ?? 1}`,
      images: ((d.spec?.template?.spec?.containers ?? []) as { image: string }[]).map((c) => c.image),
      age: age(d.metadata.creationTimestamp, now),
      problem,
    });
  }
  return rows.sort((a, b) => order(a.component) - order(b.component) || a.release.localeCompare(b.release) || a.sub.localeCompare(b.sub));
}

export async function statusCommand(f: Flags, deps: InstallDeps = {}): Promise<number> {
  const kube = deps.kube ?? connect(target(f));
  const rows = await statusRows(kube, f.affix ? String(f.affix) : undefined);
  if (f.output === 'json') out(JSON.stringify({ namespace: kube.namespace, workloads: rows }, null, 2) + '\n');
  else if (!rows.length) out(`no panda-k8s components in namespace ${kube.namespace}\n`);
  else out(table(['COMPONENT', 'SUB', 'RELEASE', 'READY', 'IMAGES', 'AGE', 'LAST PROBLEM'], rows.map((r) => [r.component, r.sub, r.release, r.ready, r.images.join(','), r.age, r.problem || '-'])));
  return rows.every((r) => !r.problem) ? ExitCode.ok : ExitCode.changesOrNotReady;
}

// ---------------------------------------------------------------- uninstall


/** The values an instance command needs besides the cluster: affix and Secret prefix. */
const instanceValues = (f: Flags) =>
  resolve({ ...(f.secretsValues ? { secretsValues: String(f.secretsValues) } : {}), ...(f.affix !== undefined ? { affix: String(f.affix) } : {}) });

export async function uninstallCommand(f: Flags, deps: InstallDeps = {}): Promise<number> {
  const affix = instanceValues(f).affix;
  const names = stackNames(affix, COMPONENTS);
  const selected = (f.enable as string[] | undefined)?.length ? (f.enable as string[]) : [...COMPONENTS];
  const bad = selected.filter((c) => !registry.get(c));
  if (bad.length) throw new PandaError('unknown component', bad.map((c) => ({ where: `--enable ${c}`, message: 'unknown component', fix: `use one of: ${COMPONENTS.join(', ')}` })));
  const kube = deps.kube ?? connect(target(f));
  const clock = deps.clock ?? realClock;
  const timeoutMs = duration(f.timeout ?? '5m', '--timeout');
  const deleted: string[] = [];
  const kept: string[] = [];
  // tiers in reverse: dependents first
  for (const tier of registry.reverseTiers) {
    const comps = tier.filter((c) => selected.includes(c));
    const gone: ReturnType<typeof refOf>[] = [];
    await Promise.all(
      comps.map(async (c) => {
        const owned = await listOwned(kube, c, names[c].release);
        for (const kind of OWNED_KINDS) {
          for (const o of owned.filter((x) => x.ref.kind === kind.kind)) {
            const name = `${o.ref.kind}/${o.ref.name}`;
            if (kind.data && !f.purge) {
              kept.push(name);
              continue;
            }
            if (await kube.delete(o.ref)) {
              deleted.push(name);
              gone.push(o.ref);
            }
          }
        }
      }),
    );
    // wait for deletion before the next tier
    const deadline = clock.now() + timeoutMs;
    for (;;) {
      const left = (await Promise.all(gone.map(async (r) => ((await kube.get(r)) ? r : undefined)))).filter(Boolean);
      if (!left.length) break;
      if (clock.now() >= deadline)
        throw new PandaError('objects were not deleted in time', left.map((r) => ({ where: `${r!.kind}/${r!.name}`, message: 'still present (finalizers?)', fix: 'check its finalizers and events, or raise --timeout' })), ExitCode.changesOrNotReady);
      await clock.sleep(250);
    }
  }
  if (!deps.quiet) {
    if (f.output === 'json') out(JSON.stringify({ namespace: kube.namespace, deleted, kept }, null, 2) + '\n');
    else {
      out(`deleted ${deleted.length} object(s) in namespace ${kube.namespace}\n`);
      if (kept.length) out(`kept ${kept.length} (data; delete with --purge): ${kept.join(', ')}\n`);
      out('kept the Secrets of the secrets lifecycle (remove them with: panda-k8s secrets uninstall)\n');
    }
  }
  return ExitCode.ok;
}

// ---------------------------------------------------------------- secrets

async function existingKeystore(kube: Kube, prefix: string): Promise<string | undefined> {
  const s = await kube.get({ apiVersion: 'v1', kind: 'Secret', name: `${prefix}-iam-conf`, namespace: kube.namespace });
  const data = (s as { data?: Record<string, string> } | undefined)?.data?.['iam-keystore.jwks'];
  return data ? Buffer.from(data, 'base64').toString('utf8') : undefined;
}

export async function secretsInstallCommand(opts: SecretsOptions, f: Flags, deps: InstallDeps = {}): Promise<number> {
  // render first: bad input fails before any connection
  const secrets = secretsRenderer(opts);
  secrets.render('unused');
  if (!deps.quiet) warnNotices(secrets.notices);
  const kube = deps.kube ?? connect(target(f));
  await checkNamespace(kube);
  const prefix = secrets.prefix;
  const r = { objects: secrets.render((await existingKeystore(kube, prefix)) ?? opts.keystore) };
  const placeholders = r.objects.flatMap((o) => {
    const vals = Object.entries({ ...((o as { stringData?: Record<string, string> }).stringData ?? {}) });
    return vals.filter(([, v]) => v.includes('FIXME')).map(([k]) => ({ where: `Secret/${o.metadata.name} ${k}`, message: 'still holds a FIXME placeholder', fix: 'set it in your secrets values file' }));
  });
  if (placeholders.length && !f.allowPlaceholders) throw new PandaError('secrets values still hold FIXME placeholders; nothing was applied', placeholders);
  const counts = { created: 0, changed: 0, unchanged: 0 };
  const { applyOne } = await import('../cluster/execute.js');
  const changed = new Set<RefName>();
  for (const o of r.objects) {
    const c = await applyOne(kube, inNamespace(o, kube.namespace), kube.namespace);
    counts[c]++;
    if (c !== 'unchanged') changed.add(`Secret/${o.metadata.name}`);
  }
  // the workloads that read a changed Secret restart, tier by tier, unless --no-rollout
  const readers = await consumersOf(kube, changed);
  const roll = f.rollout !== false && readers.length > 0;
  const rollout = roll
    ? await rollConsumers(kube, readers, { clock: deps.clock ?? realClock, timeoutMs: duration(f.timeout ?? '10m', '--timeout'), wait: f.wait !== false, ...(deps.signal ? { signal: deps.signal } : {}) })
    : { rolled: [], notReady: [] };
  const workload = (c: Consumer) => `${c.kind}/${c.name}`;
  if (!deps.quiet) {
    if (f.output === 'json')
      out(
        JSON.stringify(
          { namespace: kube.namespace, prefix, ...counts, secrets: r.objects.map((o) => o.metadata.name), readers: readers.map((c) => ({ workload: workload(c), component: c.component, reads: c.reads })), rolled: rollout.rolled.map(workload), notReady: rollout.notReady },
          null,
          2,
        ) + '\n',
      );
    else {
      out(`${counts.created + counts.changed} changed (${counts.created} created, ${counts.changed} updated), ${counts.unchanged} unchanged: ${r.objects.length} Secrets ${prefix}-* in namespace ${kube.namespace}\n`);
      if (readers.length) out(printReaders(readers, roll ? 'restarted' : 'not restarted (--no-rollout); they read the new values when they next restart'));
    }
    for (const n of rollout.notReady) err(`error: ${n.workload} is not ready after the restart: waiting for ${n.waitingFor}\n`);
  }
  return rollout.notReady.length ? ExitCode.changesOrNotReady : ExitCode.ok;
}

/** Which workloads read the changed Secrets, and what became of them. */
function printReaders(readers: readonly Consumer[], what: string): string {
  return `read by ${readers.length} workload(s), ${what}:\n` + readers.map((c) => `  ${c.component}: ${c.kind}/${c.name} (reads ${c.reads.map((r) => r.slice(r.indexOf('/') + 1)).join(', ')})\n`).join('');
}

export async function secretsDiffCommand(opts: SecretsOptions, f: Flags, deps: InstallDeps = {}): Promise<number> {
  const secrets = secretsRenderer(opts);
  secrets.render('unused');
  const kube = deps.kube ?? connect(target(f));
  await checkNamespace(kube);
  const objects = secrets.render((await existingKeystore(kube, secrets.prefix)) ?? 'unused');
  const entries = await diffObjects(kube, objects, kube.namespace);
  const readers = await consumersOf(kube, new Set(entries.map((e) => e.object as RefName)));
  if (!deps.quiet) {
    if (f.output === 'json') out(JSON.stringify({ changes: entries, wouldRestart: readers.map((c) => ({ workload: `${c.kind}/${c.name}`, component: c.component, reads: c.reads })) }, null, 2) + '\n');
    else {
      printDiff(entries, false);
      if (readers.length) out(printReaders(readers, 'which secrets install would restart'));
    }
  }
  return entries.length ? ExitCode.changesOrNotReady : ExitCode.ok;
}

export async function secretsUninstallCommand(f: Flags, deps: InstallDeps = {}): Promise<number> {
  const kube = deps.kube ?? connect(target(f));
  const prefix = instanceValues(f).values.global.secret;
  const items = await kube.list('v1', 'Secret', { labelSelector: `${LABEL.lifecycle}=secrets,${LABEL.instance}=${prefix}` });
  for (const s of items) await kube.delete({ apiVersion: 'v1', kind: 'Secret', name: s.metadata.name, namespace: kube.namespace });
  if (!deps.quiet) out(`deleted ${items.length} Secret(s) ${prefix}-* in namespace ${kube.namespace}\n`);
  return ExitCode.ok;
}

