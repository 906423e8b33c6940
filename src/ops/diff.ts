/**
 * What install would change: a server-side dry run of every object compared with the live one
 * (Secret values as keyed digests), and the objects install would prune. Returns a report.
 */
import type { K8sObject } from '../core/k8s.js';
import { inNamespace, refName, refOf } from '../core/objects.js';
import { toYamlStream } from '../core/yaml.js';
import { buildPlan, forApply } from '../plan/plan.js';
import { ClusterError, foreignConflicts, type FieldConflict, type Kube } from '../cluster/kube.js';
import type { Live } from '../cluster/readiness.js';
import { annotateStack, externalReferences } from '../render/digests.js';
import { liveDigests } from './rollout.js';
import { hideSecretValues, lineDiff, normalize } from './compare.js';
import type { Rendered } from './inputs.js';
import { pruneCandidates } from './install.js';
import { checkNamespace } from './preflight.js';

export interface DiffEntry {
  object: string;
  /** `keep`: no longer rendered but data, so install keeps it. */
  action: 'create' | 'update' | 'delete' | 'keep';
  diff?: string[];
  /** Fields another manager owns now, which install would take back. */
  conflicts?: FieldConflict[];
}

export interface DiffReport {
  namespace: string;
  changes: DiffEntry[];
}

/** True when install would change something (kept data does not count). */
export const hasChanges = (r: DiffReport) => r.changes.some((e) => e.action !== 'keep');

export async function diffObjects(kube: Kube, objects: readonly K8sObject[]): Promise<DiffEntry[]> {
  const entries = await Promise.all(
    objects.map(async (o): Promise<DiffEntry | undefined> => {
      const obj = inNamespace(o, kube.namespace);
      const live = await kube.get(refOf(obj, kube.namespace));
      if (!live) return { object: refName(o), action: 'create' };
      let dry: Live;
      let conflicts: FieldConflict[] = [];
      try {
        dry = await kube.apply(obj, { dryRun: true, force: false });
      } catch (e) {
        if (!(e instanceof ClusterError && e.status === 409 && e.conflicts.length)) throw e;
        conflicts = foreignConflicts(e.conflicts);
        dry = await kube.apply(obj, { dryRun: true, force: true });
      }
      const a = toYamlStream([hideSecretValues(normalize(live))]);
      const b = toYamlStream([hideSecretValues(normalize(dry))]);
      if (a === b && !conflicts.length) return undefined;
      return { object: refName(o), action: 'update', diff: lineDiff(a, b), ...(conflicts.length ? { conflicts } : {}) };
    }),
  );
  return entries.filter((e): e is DiffEntry => !!e);
}

export async function diff(kube: Kube, rendered: Rendered): Promise<DiffReport> {
  await checkNamespace(kube);
  const stack = annotateStack(rendered, { external: await liveDigests(kube, externalReferences(rendered.objects)) });
  const plan = buildPlan(stack, kube.namespace);
  const changes = await diffObjects(kube, forApply(stack.objects));
  for (const c of await pruneCandidates(kube, plan)) changes.push({ object: refName(c.ref), action: c.data ? 'keep' : 'delete' });
  return { namespace: kube.namespace, changes };
}
