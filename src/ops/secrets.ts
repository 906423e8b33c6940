/** The secrets lifecycle: install (keeping the IAM signing key already installed), diff and uninstall. */
import { ExitCode, PandaError } from '../core/errors.js';
import { LABEL } from '../core/k8s.js';
import { inNamespace } from '../core/objects.js';
import type { SecretsRenderer } from '../render/inputs.js';
import type { Kube } from '../cluster/kube.js';
import { diffObjects, type DiffReport } from './diff.js';
import { applyOne, type Change } from './execute.js';
import { checkNamespace } from './preflight.js';
import { consumersOf, rollConsumers, type Consumer } from './rollout.js';
import type { RefName } from '../render/digests.js';
import { realClock, type Clock } from '../cluster/clock.js';

export interface SecretsInstallReport extends Record<Change, number> {
  namespace: string;
  prefix: string;
  secrets: string[];
  /** Workloads that read a changed Secret. */
  readers: Reader[];
  /** Of those, the ones restarted (tier by tier), and the ones not ready after it. */
  rolled: string[];
  notReady: { workload: string; waitingFor: string }[];
}

/** A live workload that reads changed Secrets (names only: never values). */
export interface Reader {
  workload: string;
  component: string;
  reads: string[];
}

/** `secrets diff`: what would change, and which workloads `secrets install` would restart. */
export interface SecretsDiffReport extends DiffReport {
  readers: Reader[];
}

const reader = (c: Consumer): Reader => ({ workload: `${c.kind}/${c.name}`, component: c.component, reads: [...c.reads] });

export interface SecretsInstallOptions {
  /** Restart the readers of changed Secrets (default true). */
  rollout?: boolean;
  wait?: boolean;
  timeoutMs: number;
  clock: Clock;
  signal?: AbortSignal;
}

export interface SecretsUninstallReport {
  namespace: string;
  prefix: string;
  deleted: string[];
}

/** The IAM signing key of an earlier install, so that tokens it signed stay valid. */
async function installedKeystore(kube: Kube, prefix: string): Promise<string | undefined> {
  const s = await kube.get({ apiVersion: 'v1', kind: 'Secret', name: `${prefix}-iam-conf`, namespace: kube.namespace });
  const data = (s as { data?: Record<string, string> } | undefined)?.data?.['iam-keystore.jwks'];
  return data ? Buffer.from(data, 'base64').toString('utf8') : undefined;
}

/** `secrets`: read by {@link readSecrets} (placeholders refused there). A new IAM key is generated unless one is installed. */
export async function secretsInstall(kube: Kube, secrets: SecretsRenderer, o: SecretsInstallOptions = { timeoutMs: 600_000, clock: realClock }): Promise<SecretsInstallReport> {
  await checkNamespace(kube);
  const objects = secrets.render(await installedKeystore(kube, secrets.prefix));
  const counts: Record<Change, number> = { created: 0, changed: 0, unchanged: 0 };
  const changed = new Set<RefName>();
  for (const s of objects) {
    const c = (await applyOne(kube, inNamespace(s, kube.namespace), kube.namespace)).change;
    counts[c]++;
    if (c !== 'unchanged') changed.add(`Secret/${s.metadata.name}`);
  }
  // the workloads that read a changed Secret restart, tier by tier, unless told not to
  const readers = await consumersOf(kube, changed);
  const roll = o.rollout !== false && readers.length > 0;
  const rollout = roll ? await rollConsumers(kube, readers, { clock: o.clock, timeoutMs: o.timeoutMs, wait: o.wait !== false, ...(o.signal ? { signal: o.signal } : {}) }) : { rolled: [], notReady: [] };
  return {
    namespace: kube.namespace,
    prefix: secrets.prefix,
    ...counts,
    secrets: objects.map((s) => s.metadata.name),
    readers: readers.map(reader),
    rolled: rollout.rolled.map((c) => reader(c).workload),
    notReady: rollout.notReady,
  };
}

export async function secretsDiff(kube: Kube, secrets: SecretsRenderer): Promise<SecretsDiffReport> {
  await checkNamespace(kube);
  const objects = secrets.render((await installedKeystore(kube, secrets.prefix)) ?? 'unused');
  const changes = await diffObjects(kube, objects);
  // the live workloads that read a Secret which would change: those secrets install restarts
  const changed = new Set(changes.filter((e) => e.action !== 'keep').map((e) => e.object as RefName));
  return { namespace: kube.namespace, changes, readers: (await consumersOf(kube, changed)).map(reader) };
}

export async function secretsUninstall(kube: Kube, prefix: string): Promise<SecretsUninstallReport> {
  await checkNamespace(kube);
  const items = await kube.list('v1', 'Secret', { labelSelector: `${LABEL.lifecycle}=secrets,${LABEL.instance}=${prefix}` });
  const deleted: string[] = [];
  if (!items.length)
    throw new PandaError(`no Secrets ${prefix}-* of the secrets lifecycle in namespace ${kube.namespace}`, [{ where: 'global.secret', message: `nothing labelled ${LABEL.lifecycle}=secrets, ${LABEL.instance}=${prefix}`, fix: 'check -n and --secrets-values (global.secret)' }], ExitCode.notInstalled);
  for (const s of items) if (await kube.delete({ apiVersion: 'v1', kind: 'Secret', name: s.metadata.name, namespace: kube.namespace })) deleted.push(s.metadata.name);
  return { namespace: kube.namespace, prefix, deleted };
}
