/**
 * Containers and their volumes. A container lists its mounts as `mount(path, volume)`; the pod's
 * `volumes` are collected from the mounts of all its containers, so each volume is named once
 * (by the sub-component's names) and cannot be mounted under one name and declared under another.
 */
import type { V1Container, V1ContainerPort, V1EnvFromSource, V1PersistentVolumeClaimSpec, V1Volume, V1VolumeMount } from '@kubernetes/client-node';
import type { SubNames } from './names.js';

/** The source of a pod volume: everything of a `V1Volume` but its name. */
export type VolumeSource = Omit<V1Volume, 'name'>;

/** A claim the StatefulSet creates per pod (`volumeClaimTemplates`); only StatefulSets take it. */
export interface ClaimTemplate {
  storageClassName?: string | null;
  accessModes: readonly string[];
  size: string;
}

/** A pod volume. Its name is `<fullname>-<role>` unless `name` is given (upstream's `cvmfs-<repo>`). */
export interface Volume {
  role: string;
  name?: string;
  /** What it is; absent for a claim template. */
  source?: VolumeSource;
  /** A per-pod claim from the StatefulSet's `volumeClaimTemplates` instead of a pod volume. */
  template?: ClaimTemplate;
}

export interface Mount {
  path: string;
  volume: Volume;
  subPath?: string;
  readOnly?: boolean;
}

/** Volume kinds. */
export const vol = {
  claim: (role: string, claimName: string, readOnly?: boolean): Volume => ({
    role,
    source: { persistentVolumeClaim: { claimName, ...(readOnly ? { readOnly } : {}) } },
  }),
  configMap: (role: string, name: string, defaultMode?: number): Volume => ({
    role,
    source: { configMap: { name, ...(defaultMode ? { defaultMode } : {}) } },
  }),
  secret: (role: string, secretName: string, opts: { defaultMode?: number; optional?: boolean } = {}): Volume => ({
    role,
    source: { secret: { secretName, ...(opts.defaultMode ? { defaultMode: opts.defaultMode } : {}), ...(opts.optional ? { optional: true } : {}) } },
  }),
  /** ConfigMaps and Secrets merged into one directory, in order. */
  projected: (role: string, sources: ReadonlyArray<{ configMap: string } | { secret: string }>): Volume => ({
    role,
    source: {
      projected: { sources: sources.map((s) => ('configMap' in s ? { configMap: { name: s.configMap } } : { secret: { name: s.secret } })) },
    },
  }),
  emptyDir: (role: string, opts: { medium?: 'Memory'; sizeLimit?: string } = {}): Volume => ({ role, source: { emptyDir: { ...opts } } }),
  /** A per-pod claim of a StatefulSet (`volumeClaimTemplates`), named like the pod volume. */
  claimTemplate: (role: string, template: ClaimTemplate): Volume => ({ role, template }),
};

export function mount(path: string, volume: Volume, opts: { subPath?: string; readOnly?: boolean } = {}): Mount {
  return { path, volume, ...(opts.subPath ? { subPath: opts.subPath } : {}), ...(opts.readOnly ? { readOnly: true } : {}) };
}

/** A container as components describe it: `mounts` instead of `volumeMounts`. */
export interface ContainerSpec extends Omit<V1Container, 'volumeMounts'> {
  mounts?: readonly Mount[];
}

export const port = (name: string, containerPort: number): V1ContainerPort => ({ name, containerPort, protocol: 'TCP' });

export const envFrom = {
  secret: (name: string): V1EnvFromSource => ({ secretRef: { name } }),
  configMap: (name: string): V1EnvFromSource => ({ configMapRef: { name } }),
};

export interface PodVolumes {
  containers: V1Container[];
  initContainers: V1Container[];
  volumes: V1Volume[];
  templates: { name: string; template: ClaimTemplate }[];
}

/**
 * The containers with their `volumeMounts`, and the pod's `volumes` (first mount first) and
 * claim templates, named by `names`. One volume mounted twice (e.g. two `subPath`s) is one volume;
 * one name with two different sources is an error.
 */
export function podVolumes(names: SubNames, containers: readonly ContainerSpec[], initContainers: readonly ContainerSpec[] = []): PodVolumes {
  const byName = new Map<string, Volume>();
  const volumes: V1Volume[] = [];
  const templates: PodVolumes['templates'] = [];
  const convert = (c: ContainerSpec): V1Container => {
    // `mounts` becomes `volumeMounts` in its place, so the container's fields keep their order
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(c)) {
      if (k !== 'mounts') out[k] = x;
      else if (c.mounts?.length) out.volumeMounts = c.mounts.map(volumeMount);
    }
    return out as unknown as V1Container;
  };
  const volumeMount = (m: Mount): V1VolumeMount => {
      const name = m.volume.name ?? names.podVolume(m.volume.role);
      const seen = byName.get(name);
      if (!seen) {
        byName.set(name, m.volume);
        if (m.volume.template) templates.push({ name, template: m.volume.template });
        else volumes.push({ name, ...m.volume.source });
      } else if (seen !== m.volume && JSON.stringify([seen.source, seen.template]) !== JSON.stringify([m.volume.source, m.volume.template])) {
        throw new Error(`pod volume ${name} of ${names.fullname} is declared twice with different sources`);
      }
      return { name, mountPath: m.path, ...(m.subPath ? { subPath: m.subPath } : {}), ...(m.readOnly ? { readOnly: true } : {}) };
  };
  return { initContainers: initContainers.map(convert), containers: containers.map(convert), volumes, templates };
}

/** The claim spec of a template or a claim. */
export function claimSpec(t: ClaimTemplate): V1PersistentVolumeClaimSpec {
  return {
    ...(t.storageClassName !== undefined && t.storageClassName !== null ? { storageClassName: t.storageClassName } : {}),
    accessModes: [...t.accessModes],
    resources: { requests: { storage: t.size } },
  };
}
