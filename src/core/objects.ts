/** Kubernetes facts about objects: which kinds are cluster-scoped, and how an object is referred to. */
import type { K8sObject } from './k8s.js';

/** Cluster-scoped kinds we render. */
export const CLUSTER_SCOPED = new Set(['PersistentVolume', 'Namespace', 'StorageClass', 'ClusterRole', 'ClusterRoleBinding', 'Node', 'IngressClass', 'PriorityClass', 'CustomResourceDefinition']);

export interface ObjectRef {
  apiVersion: string;
  kind: string;
  name: string;
  /** Undefined for cluster-scoped kinds. */
  namespace?: string;
}

export function refOf(o: K8sObject, namespace: string): ObjectRef {
  return {
    apiVersion: o.apiVersion,
    kind: o.kind,
    name: o.metadata.name,
    ...(CLUSTER_SCOPED.has(o.kind) ? {} : { namespace }),
  };
}

export const refKey = (r: ObjectRef) => `${r.kind}/${r.namespace ? `${r.namespace}/` : ''}${r.name}`;

/** `Kind/name` of a reference or an object, for messages. */
export const refName = (r: { kind: string; name: string } | K8sObject) => `${r.kind}/${'metadata' in r ? r.metadata.name : r.name}`;

/** A copy of the object placed in the namespace (cluster-scoped kinds unchanged). */
export function inNamespace(o: K8sObject, namespace: string): K8sObject {
  const c = structuredClone(o);
  if (!CLUSTER_SCOPED.has(o.kind)) c.metadata.namespace = namespace;
  return c;
}
