/**
 * Roll a stack back to an earlier revision: the recorded components and objects of that revision
 * are installed again (preflight, tiers, readiness, pruning, exactly as install does) and the run
 * is recorded as a new revision that names the one it re-applied.
 */
import type { Kube } from '../cluster/kube.js';
import type { Affix } from '../core/names.js';
import { readRecords } from './history.js';
import { install, type InstallOptions, type InstallReport } from './install.js';
import { checkNamespace } from './preflight.js';
import { rollbackTarget, stackFromRecord, stackName } from './records.js';

export async function rollback(kube: Kube, affix: Affix, revision: number | undefined, o: InstallOptions): Promise<InstallReport> {
  await checkNamespace(kube);
  const stack = stackName(affix);
  const target = rollbackTarget(await readRecords(kube, stack), stack, revision);
  return install(kube, stackFromRecord(target, affix), { ...o, rollbackOf: target.revision, rollbackOnFailure: false });
}
