/**
 * Storage recipes: the claim of a sub-component (with a hostPath PersistentVolume when asked, an
 * existing claim, or a StatefulSet claim template), a claim shared by several pods (mounted with
 * `subPath`), and CVMFS repositories through the CVMFS CSI driver.
 */
import type { V1PersistentVolume, V1PersistentVolumeClaim } from '@kubernetes/client-node';
import { meta, selectorLabels, type K8sObject, type Owner, type Part } from './k8s.js';
import { claimSpec, mount, vol, type Mount, type Volume } from './pod.js';

export type AccessMode = 'ReadWriteOnce' | 'ReadOnlyMany' | 'ReadWriteMany' | 'ReadWriteOncePod';
export type ReclaimPolicy = 'Retain' | 'Delete' | 'Recycle';

/** What the values give a sub-component's storage (`storageSchema` in src/values/common.ts). */
export interface StorageOptions {
  /** Create a hostPath PersistentVolume for the claim. */
  create: boolean;
  /** StorageClass; `null` leaves it unset (the cluster's default class). */
  class: string | null;
  path: string;
  size: string;
  /** Bind the claim to the created volume by label selector (only when `create`). */
  selector: boolean;
  accessModes: readonly AccessMode[];
  /** Use this claim instead of rendering one; nothing is rendered. */
  existingClaim: string;
  /** HEAD's shared claim (`sharedStorageFields`): used like `existingClaim` when `create` is false. */
  sharedPvcName?: string;
  /** Mount this directory of the volume instead of its root. */
  subPath: string;
  /** `persistentVolumeReclaimPolicy` of the created volume; `null` leaves it unset (Retain for static volumes). */
  reclaimPolicy: ReclaimPolicy | null;
}

export interface Storage {
  /** The PersistentVolume and claim to render (none for an existing claim or a claim template). */
  objects: K8sObject[];
  /** Name of the claim pods mount (undefined for a claim template). */
  claim: string | undefined;
  /** The pod volume of this storage. */
  volume(role: string): Volume;
  /** Mount it at `path` (with the values' `subPath`). */
  mount(path: string, role: string, opts?: { readOnly?: boolean }): Mount;
}

export interface StorageRecipe {
  /**
   * When no volume is created and no claim given, let the StatefulSet create one claim per pod
   * (`volumeClaimTemplates`, ReadWriteOnce) instead of rendering a claim. Only for StatefulSets.
   */
  claimTemplate?: boolean;
}

const classOf = (c: string | null) => (c !== null ? { storageClassName: c } : {});

/** The storage of one sub-component, named after it. */
export function storage(part: Part, v: StorageOptions, recipe: StorageRecipe = {}): Storage {
  const { owner: o, names } = part;
  const result = (objects: K8sObject[], claim: string | undefined, volume: (role: string) => Volume): Storage => ({
    objects,
    claim,
    volume,
    mount: (path, role, opts = {}) => mount(path, volume(role), { subPath: v.subPath, ...opts }),
  });
  const given = v.existingClaim || (!v.create && v.sharedPvcName) || '';
  if (given) return result([], given, (role) => vol.claim(role, given));
  if (!v.create && recipe.claimTemplate) {
    return result([], undefined, (role) => vol.claimTemplate(role, { storageClassName: v.class, accessModes: ['ReadWriteOnce'], size: v.size }));
  }
  const objects: K8sObject[] = [];
  if (v.create) objects.push(hostPathVolume(o, names.volume, v));
  const pvc: K8sObject & V1PersistentVolumeClaim = {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: meta(o, names.claim),
    spec: {
      ...classOf(v.class),
      accessModes: [...v.accessModes],
      resources: { requests: { storage: v.size } },
      ...(v.create && v.selector ? { selector: { matchLabels: selectorLabels(o) } } : {}),
    },
  };
  objects.push(pvc);
  return result(objects, names.claim, (role) => vol.claim(role, names.claim));
}

function hostPathVolume(o: Owner, name: string, v: StorageOptions): K8sObject {
  const pv: K8sObject & V1PersistentVolume = {
    apiVersion: 'v1',
    kind: 'PersistentVolume',
    metadata: meta(o, name),
    spec: {
      ...classOf(v.class),
      capacity: { storage: v.size },
      accessModes: [...v.accessModes],
      ...(v.reclaimPolicy ? { persistentVolumeReclaimPolicy: v.reclaimPolicy } : {}),
      hostPath: { path: v.path },
    },
  };
  return pv;
}

/**
 * One claim several pods share (ReadWriteMany by default), named by the caller (e.g. the stack's
 * logs claim); each pod mounts its own directory with `mount(path, vol.claim(role, name), { subPath })`.
 */
export function sharedClaim(o: Owner, name: string, v: Pick<StorageOptions, 'class' | 'size'> & { accessModes?: readonly AccessMode[] }): K8sObject {
  const pvc: K8sObject & V1PersistentVolumeClaim = {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: meta(o, name),
    spec: claimSpec({ storageClassName: v.class, accessModes: v.accessModes ?? ['ReadWriteMany'], size: v.size }),
  };
  return pvc;
}

export const CVMFS_DRIVER = 'cvmfs.csi.cern.ch';
export const CVMFS_CLASS = 'cvmfs';

/** CVMFS repositories to mount (`cvmfsSchema` in values). */
export interface CvmfsOptions {
  enabled: boolean;
  repositories: readonly { name: string; repository: string }[];
}

export interface Cvmfs {
  /** Per repository a CSI PersistentVolume and a claim bound to it by name. */
  objects: K8sObject[];
  /** The mounts at `/cvmfs/<repository>` (read-only claims). */
  mounts: Mount[];
}

/** CVMFS through the CSI driver: PV/PVC `<fullname>-cvmfs-<name>`, pod volume `cvmfs-<name>`. */
export function cvmfs(part: Part, v: CvmfsOptions): Cvmfs {
  if (!v.enabled) return { objects: [], mounts: [] };
  const { owner: o, names } = part;
  const objects: K8sObject[] = [];
  const mounts: Mount[] = [];
  for (const r of v.repositories) {
    const name = names.cvmfs(r.name);
    const pv: K8sObject & V1PersistentVolume = {
      apiVersion: 'v1',
      kind: 'PersistentVolume',
      metadata: meta(o, name),
      spec: {
        capacity: { storage: '1Gi' },
        accessModes: ['ReadOnlyMany'],
        storageClassName: CVMFS_CLASS,
        persistentVolumeReclaimPolicy: 'Retain',
        csi: { driver: CVMFS_DRIVER, volumeHandle: name, volumeAttributes: { repository: r.repository } },
      },
    };
    const pvc: K8sObject & V1PersistentVolumeClaim = {
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: meta(o, name),
      spec: { accessModes: ['ReadOnlyMany'], storageClassName: CVMFS_CLASS, volumeName: name, resources: { requests: { storage: '1Gi' } } },
    };
    objects.push(pv, pvc);
    mounts.push(mount(`/cvmfs/${r.repository}`, { ...vol.claim(`cvmfs-${r.name}`, name, true), name: `cvmfs-${r.name}` }));
  }
  return { objects, mounts };
}
