/**
 * The cluster commands as the command line sees them: flags → inputs (read and checked before
 * any connection) → the operation in ops/ → the report printed → an exit code for the one
 * top-level handler in main.ts. No orchestration here.
 */
import os from 'node:os';
import { ExitCode, PandaError } from '../core/errors.js';
import { COMPONENTS, type ComponentName } from '../components/registry.js';
import type { RenderOptions, SecretsOptions } from '../render/inputs.js';
import { resolve } from '../render/inputs.js';
import { parseDuration, realClock } from '../cluster/clock.js';
import { connect, type Kube, type KubeTarget } from '../cluster/kube.js';
import { hasChanges, diff } from '../ops/diff.js';
import type { NodeState } from '../ops/execute.js';
import { install, type InstallOptions, type RunOptions } from '../ops/install.js';
import { outcomeCode } from '../ops/report.js';
import { readSecrets, renderStackFor } from '../ops/inputs.js';
import { secretsDiff, secretsInstall, secretsUninstall } from '../ops/secrets.js';
import { allReady, status } from '../ops/status.js';
import { uninstall } from '../ops/uninstall.js';
import { getRecord, history, type RecordOptions } from '../ops/history.js';
import { rollback } from '../ops/rollback.js';
import { VERSION } from './version.js';
import { serverDryRun } from '../ops/dryrun.js';
import type { K8sObject } from '../core/k8s.js';
import { redactSecrets } from './redact.js';
import { err, warnIgnored } from './output.js';
import { printDiff, printHistory, printInstall, printRecord, printSecretsDiff, printSecretsInstall, printSecretsUninstall, printStatus, printUninstall } from './print.js';
import { createProgress } from './progress.js';
import type { Flags, OutputFormat } from './flags.js';

export function target(f: Flags): KubeTarget {
  return {
    ...(f.kubeconfig ? { kubeconfig: String(f.kubeconfig) } : {}),
    ...(f.kubeContext ? { context: String(f.kubeContext) } : {}),
    ...(f.namespace ? { namespace: String(f.namespace) } : {}),
  };
}

/** A client with the command's timeouts; retries are told on stderr (at most every few seconds). */
export function timeoutsOf(f: Flags): { requestMs: number; connectMs: number } {
  return { requestMs: positive(f.requestTimeout ?? '30s', '--request-timeout'), connectMs: positive(f.connectTimeout ?? '10s', '--connect-timeout') };
}

function cluster(f: Flags): Kube {
  let told = 0;
  return connect(target(f), {
    timeouts: timeoutsOf(f),
    onRetry: (what, reason, delayMs) => {
      if (Date.now() - told < 5000) return;
      told = Date.now();
      err(`${what}: ${reason}; retrying in ${Math.round(delayMs / 100) / 10}s\n`);
    },
  });
}

function positive(v: unknown, flag: string): number {
  const ms = duration(v, flag);
  if (ms <= 0) throw new PandaError('invalid duration', [{ where: flag, message: 'must be longer than 0', fix: 'every request has a deadline: write e.g. 30s' }]);
  return ms;
}

/** `user@host`, for the lock's holder and the release records. */
function who(): string {
  let user = 'unknown';
  try {
    user = os.userInfo().username;
  } catch {
    /* no passwd entry */
  }
  return `${user}@${os.hostname()}`;
}

/** Who holds the stack's lock, for the message another operator sees. */
function lockFor(f: Flags, operation: string): NonNullable<RunOptions['lock']> {
  return {
    holder: `${who()} pid ${process.pid}: ${operation}`,
    waitMs: f.waitForLock !== undefined ? duration(f.waitForLock, '--wait-for-lock') : 0,
    onWait: (holder, since) => err(`waiting for the stack lock, held by ${holder} since ${since}\n`),
  };
}

function duration(v: unknown, flag: string): number {
  const ms = parseDuration(String(v));
  if (ms === undefined) throw new PandaError('invalid duration', [{ where: flag, message: `cannot read ${JSON.stringify(v)}`, fix: 'write e.g. 90s, 10m or 1h' }]);
  return ms;
}

const format = (f: Flags): OutputFormat => (f.output as OutputFormat | undefined) ?? 'text';

/** A whole number of at least `min` (revisions, --history-max). */
function count(v: unknown, flag: string, min = 1): number {
  const n = Number(v);
  if (!/^\d+$/.test(String(v)) || n < min) throw new PandaError('invalid number', [{ where: flag, message: `cannot read ${JSON.stringify(v)} as a whole number of at least ${min}`, fix: `write e.g. ${Math.max(min, 10)}` }]);
  return n;
}

/** The release record options of a command that writes one. */
const recordFor = (f: Flags): RecordOptions => ({ by: who(), tool: `panda-k8s ${VERSION}`, historyMax: count(f.historyMax ?? 10, '--history-max') });

/** Ctrl-C: the operation starts nothing new and ends its waits; a second Ctrl-C quits at once. */
async function interruptible<T>(fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const ac = new AbortController();
  const onSig = () => {
    if (ac.signal.aborted) process.exit(ExitCode.interrupted);
    err('\ninterrupted: finishing the requests in flight (Ctrl-C again to quit at once)\n');
    ac.abort();
  };
  process.on('SIGINT', onSig);
  process.on('SIGTERM', onSig);
  try {
    return await fn(ac.signal);
  } finally {
    process.off('SIGINT', onSig);
    process.off('SIGTERM', onSig);
  }
}

/** Live progress on stderr for an operation that runs a plan. */
function progressView(f: Flags, labels?: Partial<Record<NodeState, string>>): { hooks: Pick<InstallOptions, 'onPlan' | 'onEvent'>; stop(): void } {
  let view: ReturnType<typeof createProgress> | undefined;
  return {
    hooks: {
      onPlan: (plan) => {
        const comps = plan.components.map((c) => ({ name: c.name, nodes: plan.nodes.filter((n) => n.component === c.name).map((n) => n.id) }));
        view = createProgress(comps, { tty: format(f) === 'text' && !!process.stderr.isTTY, write: err, now: realClock.now, ...(labels ? { labels } : {}) });
      },
      onEvent: (e) => view?.onEvent(e),
    },
    stop: () => view?.stop(),
  };
}


export async function installAction(opts: RenderOptions, f: Flags): Promise<number> {
  // checked before connecting, in the namespace named on the command line
  const checked = renderStackFor({ ...opts, namespace: String(f.namespace ?? 'default') }, { refusePlaceholders: true, allowPlaceholders: !!f.allowPlaceholders });
  warnIgnored(checked.ignored);
  const timeoutMs = positive(f.timeout ?? '10m', '--timeout');
  const record = recordFor(f);
  const kube = cluster(f);
  // names of cluster-wide objects carry the namespace: render for the one the context gives
  const rendered = kube.namespace === String(f.namespace ?? 'default') ? checked : renderStackFor({ ...opts, namespace: kube.namespace }, { refusePlaceholders: true, allowPlaceholders: !!f.allowPlaceholders });
  const progress = progressView(f);
  const report = await interruptible(async (signal) => {
    try {
      return await install(kube, rendered, { timeoutMs, wait: f.wait !== false, pruneData: !!f.pruneData, createNamespace: !!f.createNamespace, skipPreflight: !!f.skipPreflight, clock: realClock, signal, lock: lockFor(f, 'install'), record, rollbackOnFailure: !!f.rollbackOnFailure, ...progress.hooks });
    } finally {
      progress.stop();
    }
  });
  printInstall(report, format(f), rendered.objects);
  return outcomeCode(report);
}

/** `install --dry-run=server`: what the API server would store, printed as `template` prints; nothing written. */
export async function dryRunAction(opts: RenderOptions, f: Flags): Promise<number> {
  const checked = renderStackFor({ ...opts, namespace: String(f.namespace ?? 'default') }, { refusePlaceholders: true, allowPlaceholders: !!f.allowPlaceholders });
  warnIgnored(checked.ignored);
  const kube = cluster(f);
  const rendered = kube.namespace === String(f.namespace ?? 'default') ? checked : renderStackFor({ ...opts, namespace: kube.namespace }, { refusePlaceholders: true, allowPlaceholders: !!f.allowPlaceholders });
  // as the API server sent them (the client turns timestamps into Dates)
  const stored = JSON.parse(JSON.stringify(await serverDryRun(kube, rendered))) as K8sObject[];
  const { printObjects } = await import('./template.js');
  printObjects(f.showSecrets ? stored : redactSecrets(stored), format(f) === 'text' ? 'yaml' : format(f));
  return ExitCode.ok;
}

export async function diffAction(opts: RenderOptions, f: Flags): Promise<number> {
  const checked = renderStackFor({ ...opts, namespace: String(f.namespace ?? 'default') });
  warnIgnored(checked.ignored);
  const kube = cluster(f);
  const report = await diff(kube, kube.namespace === String(f.namespace ?? 'default') ? checked : renderStackFor({ ...opts, namespace: kube.namespace }));
  printDiff(report, format(f));
  return hasChanges(report) ? ExitCode.changesOrNotReady : ExitCode.ok;
}

export async function statusAction(f: Flags): Promise<number> {
  const affix = f.affix !== undefined ? resolve({ affix: String(f.affix) }).affix : undefined;
  const report = await status(cluster(f), { ...(affix ? { affix } : {}), now: Date.now() });
  printStatus(report, format(f));
  if (!report.workloads.length) return ExitCode.notInstalled;
  return allReady(report) ? ExitCode.ok : ExitCode.changesOrNotReady;
}

/** The values an instance command needs besides the cluster: affix and Secret prefix. */
const instanceValues = (f: Flags) => resolve({ ...(f.secretsValues ? { secretsValues: String(f.secretsValues) } : {}), ...(f.affix !== undefined ? { affix: String(f.affix) } : {}) });

export async function uninstallAction(f: Flags): Promise<number> {
  const { affix } = instanceValues(f);
  const selected = (f.enable as string[] | undefined)?.length ? (f.enable as string[]) : undefined;
  const bad = (selected ?? []).filter((c) => !(COMPONENTS as readonly string[]).includes(c));
  if (bad.length) throw new PandaError('unknown component', bad.map((c) => ({ where: `--enable ${c}`, message: 'unknown component', fix: `use one of: ${COMPONENTS.join(', ')}` })));
  const timeoutMs = positive(f.timeout ?? '5m', '--timeout');
  const record = recordFor(f);
  const kube = cluster(f);
  const progress = progressView(f, { applying: 'deleting', waiting: 'deleting', ready: 'gone' });
  const report = await interruptible(async (signal) => {
    try {
      return await uninstall(kube, { affix, ...(selected ? { components: selected as ComponentName[] } : {}), purge: !!f.purge, timeoutMs, clock: realClock, signal, lock: lockFor(f, 'uninstall'), record, ...progress.hooks });
    } finally {
      progress.stop();
    }
  });
  printUninstall(report, format(f));
  return outcomeCode(report);
}

export async function historyAction(f: Flags): Promise<number> {
  const { affix } = instanceValues(f);
  const report = await history(cluster(f), affix);
  printHistory(report, format(f));
  return report.revisions.length ? ExitCode.ok : ExitCode.notInstalled;
}

export async function getAction(what: 'values' | 'manifest', f: Flags): Promise<number> {
  const { affix } = instanceValues(f);
  const revision = f.revision !== undefined ? count(f.revision, '--revision') : undefined;
  printRecord(await getRecord(cluster(f), affix, revision), what, format(f));
  return ExitCode.ok;
}

export async function rollbackAction(revisionArg: string | undefined, f: Flags): Promise<number> {
  const { affix } = instanceValues(f);
  const revision = revisionArg !== undefined ? count(revisionArg, 'rollback REVISION') : undefined;
  const timeoutMs = positive(f.timeout ?? '10m', '--timeout');
  const record = recordFor(f);
  const kube = cluster(f);
  const progress = progressView(f);
  const report = await interruptible(async (signal) => {
    try {
      return await rollback(kube, affix, revision, { timeoutMs, wait: f.wait !== false, pruneData: !!f.pruneData, clock: realClock, signal, lock: lockFor(f, 'rollback'), record, ...progress.hooks });
    } finally {
      progress.stop();
    }
  });
  printInstall(report, format(f));
  return outcomeCode(report);
}

const secretsOptions = (opts: RenderOptions, f: Flags): SecretsOptions => ({ ...opts, ...(f.secretsDir ? { secretsDir: String(f.secretsDir) } : {}) });

export async function secretsInstallAction(opts: RenderOptions, f: Flags): Promise<number> {
  const secrets = readSecrets(secretsOptions(opts, f), { refusePlaceholders: true, allowPlaceholders: !!f.allowPlaceholders });
  const r = await secretsInstall(cluster(f), secrets, { createNamespace: !!f.createNamespace, rollout: f.rollout !== false, wait: f.wait !== false, timeoutMs: positive(f.timeout ?? '10m', '--timeout'), clock: realClock });
  printSecretsInstall(r, format(f), f.rollout !== false);
  return r.notReady.length ? ExitCode.changesOrNotReady : ExitCode.ok;
}

export async function secretsDiffAction(opts: RenderOptions, f: Flags): Promise<number> {
  const secrets = readSecrets(secretsOptions(opts, f));
  const report = await secretsDiff(cluster(f), secrets);
  printSecretsDiff(report, format(f));
  return hasChanges(report) ? ExitCode.changesOrNotReady : ExitCode.ok;
}

export async function secretsUninstallAction(f: Flags): Promise<number> {
  const prefix = instanceValues(f).values.global.secret;
  printSecretsUninstall(await secretsUninstall(cluster(f), prefix), format(f));
  return ExitCode.ok;
}
