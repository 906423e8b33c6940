/** Reports as text (tables and summaries on stdout, errors on stderr) or as JSON on stdout. */
import { formatError, PandaError } from '../core/errors.js';
import type { FieldConflict } from '../cluster/kube.js';
import type { DiffReport } from '../ops/diff.js';
import type { InstallReport } from '../ops/install.js';
import type { ErrorReport } from '../ops/report.js';
import type { Reader, SecretsDiffReport, SecretsInstallReport, SecretsUninstallReport } from '../ops/secrets.js';
import type { StatusReport } from '../ops/status.js';
import type { UninstallReport } from '../ops/uninstall.js';
import type { HistoryReport } from '../ops/history.js';
import type { ReleaseRecord } from '../ops/records.js';
import { toYaml, toYamlStream } from '../core/emit.js';
import { err, out } from './output.js';
import { table } from './progress.js';

const asJson = (r: unknown) => out(JSON.stringify(r, null, 2) + '\n');

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

export function printInstall(r: InstallReport, json: boolean): void {
  if (json) return void asJson(r);
  printRun(r);
  if (!r.rolledBack) return;
  if ('error' in r.rolledBack) return void err(`not rolled back: ${formatError(new PandaError(r.rolledBack.error.message, r.rolledBack.error.issues))}\n`);
  out(`\nrolled back to revision ${r.rolledBack.rollbackOf}:\n`);
  printRun(r.rolledBack);
}

function printRun(r: InstallReport): void {
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

export function printHistory(r: HistoryReport, json: boolean): void {
  if (json) return void asJson(r);
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
}

export function printRecord(r: ReleaseRecord, what: 'values' | 'manifest', json: boolean): void {
  if (what === 'values') {
    if (r.values === undefined) return void err(`revision ${r.revision} is an ${r.operation}: it has no values\n`);
    return void (json ? asJson(r.values) : out(toYaml(r.values)));
  }
  const objects = r.components.flatMap((c) => c.objects);
  if (!r.manifest) err(`revision ${r.revision} kept no manifest${r.operation === 'uninstall' ? ' (an uninstall)' : ' (too large)'}; its inventory: ${r.inventory.join(', ') || '-'}\n`);
  if (json) return void asJson(objects);
  if (objects.length) out(toYamlStream(objects));
}

export function printDiff(r: DiffReport, json: boolean): void {
  if (json) return void asJson({ changes: r.changes });
  if (!r.changes.length) return void out('no changes\n');
  for (const e of r.changes) {
    out(`${{ create: '+', update: '~', delete: '-', keep: '=' }[e.action]} ${e.object} (${e.action === 'keep' ? 'no longer rendered; kept: data' : e.action})\n`);
    for (const c of e.conflicts ?? []) out(`    owned by ${c.manager}, install takes back: ${c.fields.join(', ')}\n`);
    for (const l of e.diff ?? []) out(`    ${l}\n`);
  }
  out(`${r.changes.filter((e) => e.action !== 'keep').length} object(s) would change\n`);
}

export function printStatus(r: StatusReport, json: boolean): void {
  if (json) return void asJson(r);
  if (!r.workloads.length) return void err(`not installed: no panda-k8s components${r.affix ? ` of affix ${JSON.stringify(r.affix)}` : ''} in namespace ${r.namespace}\n`);
  out(table(['COMPONENT', 'SUB', 'RELEASE', 'READY', 'IMAGES', 'AGE', 'LAST PROBLEM'], r.workloads.map((w) => [w.component, w.sub, w.release, w.ready, w.images.join(','), w.age, w.problem || '-'])));
}

export function printUninstall(r: UninstallReport, json: boolean): void {
  if (json) return void asJson(r);
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

export function printSecretsDiff(r: SecretsDiffReport, json: boolean): void {
  if (json) return void asJson({ changes: r.changes, wouldRestart: r.readers });
  printDiff(r, false);
  printReaders(r.readers, 'which secrets install would restart');
}

export function printSecretsInstall(r: SecretsInstallReport, json: boolean, rolled = true): void {
  if (json) return void asJson(r);
  out(`${r.created + r.changed} changed (${r.created} created, ${r.changed} updated), ${r.unchanged} unchanged: ${r.secrets.length} Secrets ${r.prefix}-* in namespace ${r.namespace}\n`);
  printReaders(r.readers, rolled ? 'restarted' : 'not restarted (--no-rollout); they read the new values when they next restart');
  for (const n of r.notReady) err(`error: ${n.workload} is not ready after the restart: waiting for ${n.waitingFor}\n`);
}

export function printSecretsUninstall(r: SecretsUninstallReport, json: boolean): void {
  if (json) return void asJson(r);
  out(`deleted ${r.deleted.length} Secret(s) ${r.prefix}-* in namespace ${r.namespace}\n`);
}
