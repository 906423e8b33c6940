/**
 * Release history on the cluster: reading and writing a stack's records (records.ts builds and
 * parses them), `history`, `get values`, `get manifest`. Install, rollback and uninstall write
 * their record through {@link writeRecord} while they hold the stack lock.
 */
import { ClusterError, type Kube } from '../cluster/kube.js';
import { createRecordSecret, deleteRecordSecret, listRecordSecrets } from '../cluster/records.js';
import type { Affix } from '../core/names.js';
import type { K8sObject } from '../core/k8s.js';
import { DEFAULT_HISTORY_MAX, nextRevision, parseRecord, pickRecord, recordName, recordSecret, recordsToPrune, stackName, type ReleaseRecord } from './records.js';
import { checkNamespace } from './preflight.js';

/** Who writes records and how many are kept. */
export interface RecordOptions {
  /** `user@host`. */
  by: string;
  /** `panda-k8s <version>`. */
  tool: string;
  /** Records kept per stack, the newest; older ones are deleted. @default 10 */
  historyMax?: number;
}

export const DEFAULT_RECORD: RecordOptions = { by: 'unknown', tool: 'panda-k8s', historyMax: DEFAULT_HISTORY_MAX };

/** A stack's records, oldest first. */
export async function readRecords(kube: Kube, stack: string): Promise<ReleaseRecord[]> {
  const secrets = await listRecordSecrets(kube, stack);
  return secrets.map((s) => parseRecord(s as K8sObject)).sort((a, b) => a.revision - b.revision);
}

/**
 * Store a new revision (the next after `known`, or later if another writer was quicker) and
 * delete the records beyond `historyMax`. Returns the revision written and the ones pruned.
 */
export async function writeRecord(kube: Kube, draft: Omit<ReleaseRecord, 'revision'>, known: readonly ReleaseRecord[], historyMax = DEFAULT_HISTORY_MAX): Promise<{ revision: number; pruned: number[] }> {
  let revisions = known.map((r) => r.revision);
  let revision = nextRevision(known);
  for (let attempt = 0; ; attempt++) {
    try {
      await createRecordSecret(kube, recordSecret({ ...draft, revision }));
      break;
    } catch (e) {
      if (!(e instanceof ClusterError && e.status === 409) || attempt >= 5) throw e;
      revisions = (await readRecords(kube, draft.stack)).map((r) => r.revision);
      revision = Math.max(revision, ...revisions) + 1;
    }
  }
  const pruned = recordsToPrune([...revisions, revision], historyMax);
  for (const n of pruned) await deleteRecordSecret(kube, recordName(draft.stack, n));
  return { revision, pruned };
}

export interface HistoryRow {
  revision: number;
  operation: ReleaseRecord['operation'];
  outcome: ReleaseRecord['outcome'];
  startedAt: string;
  finishedAt: string;
  by: string;
  tool: string;
  digest: string;
  components: string[];
  objects: number;
  rollbackOf?: number;
  errors: string[];
}

export interface HistoryReport {
  namespace: string;
  stack: string;
  revisions: HistoryRow[];
}

export async function history(kube: Kube, affix: Affix): Promise<HistoryReport> {
  await checkNamespace(kube);
  const stack = stackName(affix);
  const records = await readRecords(kube, stack);
  return {
    namespace: kube.namespace,
    stack,
    revisions: records.map((r) => ({
      revision: r.revision,
      operation: r.operation,
      outcome: r.outcome,
      startedAt: r.startedAt,
      finishedAt: r.finishedAt,
      by: r.by,
      tool: r.tool,
      digest: r.digest,
      components: r.components.map((c) => c.name),
      objects: r.inventory.length,
      ...(r.rollbackOf !== undefined ? { rollbackOf: r.rollbackOf } : {}),
      errors: r.errors,
    })),
  };
}

/** One revision's record (the newest installed one by default), for `get values` and `get manifest`. */
export async function getRecord(kube: Kube, affix: Affix, revision?: number): Promise<ReleaseRecord> {
  await checkNamespace(kube);
  const stack = stackName(affix);
  return pickRecord(await readRecords(kube, stack), stack, revision);
}
