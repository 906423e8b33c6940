/**
 * Where release records live: Secrets of the stack's namespace labelled with the stack's name.
 * Listing, writing (create only: a revision is never overwritten) and deleting them; what a record
 * holds is ops/records.ts's business.
 */
import { LABEL, MANAGED_BY, type K8sObject } from '../core/k8s.js';
import type { Kube } from './kube.js';
import type { Live } from './readiness.js';

export const recordsSelector = (stack: string) => `${LABEL.managedBy}=${MANAGED_BY},${LABEL.stack}=${stack}`;

/** The record Secrets of a stack, in no particular order. */
export async function listRecordSecrets(kube: Kube, stack: string): Promise<Live[]> {
  return kube.list('v1', 'Secret', { labelSelector: recordsSelector(stack) });
}

/** Create a record Secret; a ClusterError with status 409 when that revision exists already. */
export async function createRecordSecret(kube: Kube, secret: K8sObject): Promise<Live> {
  return kube.create(secret);
}

export async function deleteRecordSecret(kube: Kube, name: string): Promise<boolean> {
  return kube.delete({ apiVersion: 'v1', kind: 'Secret', name, namespace: kube.namespace });
}
