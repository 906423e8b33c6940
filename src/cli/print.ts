/**
 * Reports as text (tables and summaries on stdout, errors on stderr), as a versioned JSON or YAML
 * document (`apiVersion: panda-k8s/v1`, `kind: <Name>Report`; shapes in docs/reports.md), or as
 * the names of the objects concerned (`-o name`, kubectl's `kind.group/name`).
 */
import { formatError, PandaError } from '../core/errors.js';
import type { K8sObject } from '../core/k8s.js';
import { toYaml, toYamlStream } from '../core/emit.js';
import type { FieldConflict } from '../cluster/kube.js';
import type { DiffReport } from '../ops/diff.js';
import type { InstallReport } from '../ops/install.js';
import type { ErrorReport } from '../ops/report.js';
import type { Reader, SecretsDiffReport, SecretsInstallReport, SecretsUninstallReport } from '../ops/secrets.js';
import type { StatusReport } from '../ops/status.js';
import type { UninstallReport } from '../ops/uninstall.js';
import type { HistoryReport } from '../ops/history.js';
import type { ReleaseRecord } from '../ops/records.js';
import type { OutputFormat } from './flags.js';
import { err, out } from './output.js';
import { table } from './progress.js';

/** The apiVersion of every document the command line prints with -o json|yaml. */
export const REPORT_API_VERSION = 'panda-k8s/v1';

/** A report as the versioned document -o json and -o yaml print. */
export function reportDocument<K extends string, R extends object>(kind: K, r: R): { apiVersion: typeof REPORT_API_VERSION; kind: K } & R {
  return { apiVersion: REPORT_API_VERSION, kind, ...r };
}

/** kubectl's `-o name`: `kind.group/name`, kind in lower case, the core group left out. */
export function objectName(apiVersion: string, kind: string, name: string): string {
  const group = apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : '';
  return `${kind.toLowerCase()}${group ? `.${group}` : ''}/${name}`;
}
export const nameOf = (o: K8sObject) => objectName(o.apiVersion, o.kind, o.metadata.name);
/** `Kind/name` (the reports' form) as kubectl's name, for kinds of the core group and the stack's groups. */
const GROUPS: Record<string, string> = {
  Deployment: 'apps', StatefulSet: 'apps', DaemonSet: 'apps', CronJob: 'batch', Job: 'batch', Ingress: 'networking.k8s.io', NetworkPolicy: 'networking.k8s.io',
  Role: 'rbac.authorization.k8s.io', RoleBinding: 'rbac.authorization.k8s.io', ClusterRole: 'rbac.authorization.k8s.io', ClusterRoleBinding: 'rbac.authorization.k8s.io',
  HorizontalPodAutoscaler: 'autoscaling', PodDisruptionBudget: 'policy', Route: 'route.openshift.io', Gateway: 'gateway.networking.k8s.io', HTTPRoute: 'gateway.networking.k8s.io',
  StorageClass: 'storage.k8s.io', ClientTrafficPolicy: 'gateway.envoyproxy.io',
};
export function refToName(ref: string): string {
  const i = ref.indexOf('/');
  if (i < 0) return ref;
  const kind = ref.slice(0, i);
  return objectName(GROUPS[kind] ? `${GROUPS[kind]}/v1` : 'v1', kind, ref.slice(i + 1));
}

/**
 * Print a report in the format asked for: `text` runs the caller's printer, `json`/`yaml` the
 * versioned document, `name` one line per object the report concerns.
 */
export function emitReport(kind: string, r: object, format: OutputFormat, text: () => void, names: () => readonly string[] = () => []): void {
  if (format === 'text') return text();
  if (format === 'name') return void out(names().map((n) => `${n}\n`).join(''));
  const doc = reportDocument(kind, r);
  out(format === 'yaml' ? toYaml(doc) : JSON.stringify(doc, null, 2) + '\n');
}

function printErrors(errors: readonly ErrorReport[]): void {
  for (const e of errors) err(formatError(new PandaError(e.message, e.issues)) + '\n');
}

function printConflicts(conflicts: readonly FieldConflict[], verb: string): void {
  for (const c of conflicts) err(`warning: ${c.object}: ${verb} from ${c.manager}: ${c.fields.join(', ')}\n`);
}

function notStarted(components: readonly { name: string; state: string }[], why: string): void {
  const blocked = components.filter((c) => c.state === 'blocked');
  if (blocked.length) err(`${why}: ${blocked.map((c) => c.name).join(', ')}\n`);
}

export function printInstall(r: InstallReport, format: OutputFormat, objects: readonly K8sObject[] = []): void {
  emitReport('InstallReport', r, format, () => installText(r), () => objects.map(nameOf));
  if (format !== 'text') printErrors(r.errors);
}

function installText(r: InstallReport): void {
  runText(r);
  if (!r.rolledBack) return;
  if ('error' in r.rolledBack) return void err(`not rolled back: ${formatError(new PandaError(r.rolledBack.error.message, r.rolledBack.error.issues))}\n`);
  out(`\nrolled back to revision ${r.rolledBack.rollbackOf}:\n`);
  runText(r.rolledBack);
}

function runText(r: InstallReport): void {
  out(
    table(
      ['COMPONENT', 'RELEASE', 'STATE', 'TIME', 'CREATED', 'CHANGED', 'UNCHANGED'],
      r.components.map((c) => [c.name, c.release, c.state, c.seconds !== undefined ? `${c.seconds}s` : '-', String(c.created), String(c.changed), String(c.unchanged)]),
    ),
  );
  const changed = r.created + r.changed + r.pruned.length;
  out(`${changed} changed (${r.created} created, ${r.changed} updated, ${r.pruned.length} pruned), ${r.unchanged} unchanged in namespace ${r.namespace}, ${r.seconds}s\n`);
  if (r.kept.length) out(`kept (data is never pruned without --prune-data): ${r.kept.join(', ')}\n`);
  printConflicts(r.conflicts, 'took back');
  printErrors(r.errors);
  notStarted(r.components, 'not applied (a component they depend on is not ready)');
  if (r.revision !== undefined) out(`recorded as revision ${r.revision}${r.rollbackOf !== undefined ? ` (a rollback to revision ${r.rollbackOf})` : ''}\n`);
}

export function printHistory(r: HistoryReport, format: OutputFormat): void {
  emitReport('HistoryReport', r, format, () => {
    if (!r.revisions.length) return void err(`no release records of ${r.stack} in namespace ${r.namespace}\n`);
    out(
      table(
        ['REVISION', 'UPDATED', 'OPERATION', 'OUTCOME', 'BY', 'TOOL', 'COMPONENTS', 'OBJECTS', 'DIGEST'],
        r.revisions.map((v) => [
          String(v.revision),
          v.finishedAt,
          v.rollbackOf !== undefined ? `rollback to ${v.rollbackOf}` : v.operation,
          v.outcome,
          v.by,
          v.tool,
          v.components.join(',') || '-',
          String(v.objects),
          v.digest.slice(0, 19),
        ]),
      ),
    );
  }, () => r.revisions.map((v) => `secret/${r.stack}.v${v.revision}`));
}

/** `get values` (a values file, reusable with -f) or `get manifest` (the objects), as YAML or JSON. */
export function printRecord(r: ReleaseRecord, what: 'values' | 'manifest', format: OutputFormat): void {
  if (what === 'values') {
    if (r.values === undefined) return void err(`revision ${r.revision} is an ${r.operation}: it has no values\n`);
    return void out(format === 'json' ? JSON.stringify(r.values, null, 2) + '\n' : toYaml(r.values));
  }
  const objects = r.components.flatMap((c) => c.objects);
  if (!r.manifest) err(`revision ${r.revision} kept no manifest${r.operation === 'uninstall' ? ' (an uninstall)' : ' (too large)'}; its inventory: ${r.inventory.join(', ') || '-'}\n`);
  if (format === 'json') return void out(JSON.stringify(objects, null, 2) + '\n');
  if (objects.length) out(toYamlStream(objects));
}

export function printDiff(r: DiffReport, format: OutputFormat, kind = 'DiffReport'): void {
  emitReport(kind, r, format, () => diffText(r), () => r.changes.filter((e) => e.action !== 'keep').map((e) => refToName(e.object)));
}

function diffText(r: DiffReport): void {
  if (!r.changes.length) return void out('no changes\n');
  for (const e of r.changes) {
    out(`${{ create: '+', update: '~', delete: '-', keep: '=' }[e.action]} ${e.object} (${e.action === 'keep' ? 'no longer rendered; kept: data' : e.action})\n`);
    for (const c of e.conflicts ?? []) out(`    owned by ${c.manager}, install takes back: ${c.fields.join(', ')}\n`);
    for (const l of e.diff ?? []) out(`    ${l}\n`);
  }
  out(`${r.changes.filter((e) => e.action !== 'keep').length} object(s) would change\n`);
}

export function printStatus(r: StatusReport, format: OutputFormat): void {
  emitReport('StatusReport', r, format, () => statusText(r), () => r.workloads.map((w) => refToName(`${w.kind}/${w.name}`)));
}

function statusText(r: StatusReport): void {
  if (!r.workloads.length) return void err(`not installed: no panda-k8s components${r.affix ? ` of affix ${JSON.stringify(r.affix)}` : ''} in namespace ${r.namespace}\n`);
  out(table(['COMPONENT', 'SUB', 'RELEASE', 'READY', 'IMAGES', 'AGE', 'LAST PROBLEM'], r.workloads.map((w) => [w.component, w.sub, w.release, w.ready, w.images.join(','), w.age, w.problem || '-'])));
}

export function printUninstall(r: UninstallReport, format: OutputFormat): void {
  emitReport('UninstallReport', r, format, () => uninstallText(r), () => r.deleted.map(refToName));
  if (format !== 'text') printErrors(r.errors);
}

function uninstallText(r: UninstallReport): void {
  out(`deleted ${r.deleted.length} object(s) in namespace ${r.namespace}\n`);
  if (r.kept.length) out(`kept ${r.kept.length} (data; delete with --purge): ${r.kept.join(', ')}\n`);
  out('kept the Secrets of the secrets lifecycle (remove them with: panda-k8s secrets uninstall)\n');
  printErrors(r.errors);
  notStarted(r.components, 'not removed (a component that depends on them is not gone)');
}

/** Which workloads read the changed Secrets, and what becomes of them. */
function printReaders(readers: readonly Reader[], what: string): void {
  if (!readers.length) return;
  out(`read by ${readers.length} workload(s), ${what}:\n` + readers.map((c) => `  ${c.component}: ${c.workload} (reads ${c.reads.map((x) => x.slice(x.indexOf('/') + 1)).join(', ')})\n`).join(''));
}

export function printSecretsDiff(r: SecretsDiffReport, format: OutputFormat): void {
  emitReport('SecretsDiffReport', r, format, () => {
    diffText(r);
    printReaders(r.readers, 'which secrets install would restart');
  }, () => r.changes.filter((e) => e.action !== 'keep').map((e) => refToName(e.object)));
}

export function printSecretsInstall(r: SecretsInstallReport, format: OutputFormat, rolled = true): void {
  emitReport('SecretsInstallReport', r, format, () => secretsInstallText(r, rolled), () => r.secrets.map((n) => objectName('v1', 'Secret', n)));
  if (format !== 'text') for (const n of r.notReady) err(`error: ${n.workload} is not ready after the restart: waiting for ${n.waitingFor}\n`);
}

function secretsInstallText(r: SecretsInstallReport, rolled: boolean): void {
  out(`${r.created + r.changed} changed (${r.created} created, ${r.changed} updated), ${r.unchanged} unchanged: ${r.secrets.length} Secrets ${r.prefix}-* in namespace ${r.namespace}\n`);
  printReaders(r.readers, rolled ? 'restarted' : 'not restarted (--no-rollout); they read the new values when they next restart');
  for (const n of r.notReady) err(`error: ${n.workload} is not ready after the restart: waiting for ${n.waitingFor}\n`);
}

export function printSecretsUninstall(r: SecretsUninstallReport, format: OutputFormat): void {
  emitReport('SecretsUninstallReport', r, format, () => secretsUninstallText(r), () => r.deleted.map((n) => refToName(n.includes('/') ? n : `Secret/${n}`)));
}

function secretsUninstallText(r: SecretsUninstallReport): void {
  out(`deleted ${r.deleted.length} Secret(s) ${r.prefix}-* in namespace ${r.namespace}\n`);
}
