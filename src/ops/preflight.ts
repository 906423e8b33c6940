/**
 * Checks before the first write: the namespace exists, the Secrets the selected sub-components
 * read are installed, no PersistentVolume we would create is held by another claim, and the
 * cluster serves every API we render. All problems come together in one error; nothing is applied.
 */
import { registry } from '../components/registry.js';
import { IssueList, PandaError, type Issue } from '../core/errors.js';
import type { Plan } from '../plan/plan.js';
import type { Kube } from '../cluster/kube.js';

export async function checkNamespace(kube: Kube): Promise<void> {
  const ns = await kube.get({ apiVersion: 'v1', kind: 'Namespace', name: kube.namespace });
  if (!ns)
    throw new PandaError(`namespace ${kube.namespace} does not exist`, [
      { where: '--namespace', message: `no namespace ${JSON.stringify(kube.namespace)} on ${kube.server}`, fix: `kubectl create namespace ${kube.namespace}, or pass -n with an existing one` },
    ]);
}

/** Secrets each selected sub-component reads, which the secrets lifecycle must have installed: name → readers. */
export function requiredSecrets(plan: Pick<Plan, 'components'>, prefix: string): Map<string, string[]> {
  return registry.requiredSecrets(plan.components, prefix);
}

async function missingSecrets(kube: Kube, plan: Plan, prefix: string): Promise<Issue[]> {
  const need = requiredSecrets(plan, prefix);
  const present = await Promise.all([...need.keys()].map((name) => kube.get({ apiVersion: 'v1', kind: 'Secret', name, namespace: kube.namespace })));
  return [...need.entries()].flatMap(([name, users], i) =>
    present[i]
      ? []
      : [{ where: `Secret/${name}`, message: `missing in namespace ${kube.namespace}; read by ${users.join(', ')}`, fix: 'install the secrets first: panda-k8s secrets install (same -n and global.secret)' }],
  );
}

/** PersistentVolumes are cluster-scoped: one left by another namespace, or by a deleted claim, would keep our claim Pending forever. */
async function heldVolumes(kube: Kube, plan: Plan): Promise<Issue[]> {
  const pvs = plan.nodes.flatMap((n) => n.apply).filter((o) => o.kind === 'PersistentVolume');
  const live = await Promise.all(pvs.map((o) => kube.get({ apiVersion: 'v1', kind: 'PersistentVolume', name: o.metadata.name })));
  return live.flatMap((pv, i): Issue[] => {
    const ref = pv?.spec?.claimRef as { namespace?: string; name?: string } | undefined;
    if (!pv || !ref) return [];
    const name = pvs[i]!.metadata.name;
    if (ref.namespace !== kube.namespace)
      return [{ where: `PersistentVolume/${name}`, message: `already belongs to claim ${ref.namespace}/${ref.name} (PersistentVolumes are cluster-wide)`, fix: 'use another affix for this namespace, or set persistentvolume.create=false and a StorageClass' }];
    if (pv.status?.phase === 'Released')
      return [
        {
          where: `PersistentVolume/${name}`,
          message: 'keeps the data of a deleted claim (Released), so the new claim cannot bind to it',
          fix: `to reuse the data: kubectl patch pv ${name} --type json -p '[{"op":"remove","path":"/spec/claimRef"}]'; to discard it: kubectl delete pv ${name}`,
        },
      ];
    return [];
  });
}

async function unservedApis(kube: Kube, plan: Plan): Promise<Issue[]> {
  const kinds = new Map<string, string>();
  for (const n of plan.nodes) for (const o of n.apply) kinds.set(`${o.apiVersion}|${o.kind}`, `${o.kind}/${o.metadata.name}`);
  const issues: Issue[] = [];
  for (const [k, example] of kinds) {
    const [apiVersion, kind] = k.split('|') as [string, string];
    if (!['v1', 'apps/v1'].includes(apiVersion) && !(await kube.serves(apiVersion, kind)))
      issues.push({
        where: example,
        message: `the cluster does not serve ${apiVersion} ${kind}`,
        fix: kind === 'Route' ? 'Routes need OpenShift/OKD: disable route.enabled and use ingress instead' : `install the ${kind} API or disable it in your values`,
      });
  }
  return issues;
}

/** Run after {@link checkNamespace}. */
export async function preflight(kube: Kube, plan: Plan, prefix: string): Promise<void> {
  const issues = new IssueList();
  for (const i of [...(await missingSecrets(kube, plan, prefix)), ...(await heldVolumes(kube, plan)), ...(await unservedApis(kube, plan))]) issues.add(i);
  issues.throwIfAny('the cluster is not ready for this install; nothing was applied');
}
