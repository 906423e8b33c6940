/**
 * What we own on the cluster: objects labelled managed-by panda-k8s, by component and release.
 * Used to prune objects we no longer render, for status and for uninstall.
 */
import { LABEL, MANAGED_BY } from '../core/k8s.js';
import type { ObjectRef } from '../core/objects.js';
import type { Kube } from './kube.js';
import type { Live } from './readiness.js';

/** Every kind we may render, in the order uninstall deletes them (workloads first, data last). */
export const OWNED_KINDS: readonly { apiVersion: string; kind: string; data?: boolean; optional?: boolean }[] = [
  { apiVersion: 'route.openshift.io/v1', kind: 'Route', optional: true },
  { apiVersion: 'gateway.envoyproxy.io/v1alpha1', kind: 'ClientTrafficPolicy', optional: true },
  { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', optional: true },
  { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'Gateway', optional: true },
  { apiVersion: 'batch/v1', kind: 'CronJob' },
  { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress' },
  { apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler' },
  { apiVersion: 'apps/v1', kind: 'Deployment' },
  { apiVersion: 'apps/v1', kind: 'StatefulSet' },
  { apiVersion: 'v1', kind: 'Service' },
  { apiVersion: 'v1', kind: 'ServiceAccount' },
  { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding' },
  { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole' },
  { apiVersion: 'v1', kind: 'ConfigMap' },
  { apiVersion: 'v1', kind: 'Secret' },
  { apiVersion: 'v1', kind: 'PersistentVolumeClaim', data: true },
  { apiVersion: 'v1', kind: 'PersistentVolume', data: true },
];

export const isDataKind = (kind: string) => kind === 'PersistentVolumeClaim' || kind === 'PersistentVolume';

export function ownedSelector(component?: string, release?: string): string {
  return [`${LABEL.managedBy}=${MANAGED_BY}`, ...(component ? [`${LABEL.component}=${component}`] : []), ...(release ? [`${LABEL.instance}=${release}`] : [])].join(',');
}

export interface Owned {
  ref: ObjectRef;
  live: Live;
}

/** Objects of a component instance on the cluster (Secrets of the secrets lifecycle excluded). */
export async function listOwned(kube: Kube, component: string, release: string): Promise<Owned[]> {
  const selector = ownedSelector(component, release);
  const out: Owned[] = [];
  const lists = await Promise.all(
    OWNED_KINDS.map(async (k) => {
      if (k.optional && !(await kube.serves(k.apiVersion, k.kind))) return [];
      const items = await kube.list(k.apiVersion, k.kind, { labelSelector: selector });
      return items.map((live) => ({ k, live }));
    }),
  );
  for (const { k, live } of lists.flat()) {
    const labels = (live.metadata as { labels?: Record<string, string> }).labels;
    if (labels?.[LABEL.lifecycle] === 'secrets') continue;
    // cluster-wide objects of the same release in another namespace belong to that stack
    if (labels?.[LABEL.namespace] !== undefined && labels[LABEL.namespace] !== kube.namespace) continue;
    out.push({
      ref: { apiVersion: k.apiVersion, kind: k.kind, name: live.metadata.name, ...(live.metadata.namespace ? { namespace: live.metadata.namespace } : {}) },
      live,
    });
  }
  return out;
}
