/**
 * The one database recipe: MariaDB or PostgreSQL as storage, a Service and one pod, with the same
 * rules for every component (iam, harvester, panda, idds): a TCP readiness probe on the database
 * port, the storage recipe's selector rule, the data claim mounted at the engine's data path, and
 * never an autoscaler. What differs between components is a parameter.
 */
import type { V1EnvFromSource, V1EnvVar } from '@kubernetes/client-node';
import { service, type K8sObject, type Part } from './k8s.js';
import { port, type Mount } from './pod.js';
import { probe, type ProbeTiming } from './probes.js';
import { storage, type StorageOptions, type StorageRecipe } from './storage.js';
import { workload, type PodOptions, type WorkloadSpec } from './workload.js';

export const DB_ENGINES = {
  mariadb: { container: 'mariadb', port: 3306, portName: 'mariadb-port' },
  postgres: { container: 'postgres', port: 5432, portName: 'postgres-port' },
} as const;
export type DbEngine = keyof typeof DB_ENGINES;

/** Readiness of every database: the port accepts connections. */
export const DB_READINESS: ProbeTiming = { initialDelaySeconds: 5, periodSeconds: 10 };

/** What the values give a database sub-component (`databaseFields` in src/values/common.ts). */
export interface DatabaseOptions extends Omit<PodOptions, 'autoscaling'> {
  persistentvolume: StorageOptions;
  service: { type: string; port: number };
}

export interface DatabaseSpec {
  engine: DbEngine;
  values: DatabaseOptions;
  /** Where the image keeps its data; the claim is mounted here. */
  dataPath: string;
  envFrom: readonly V1EnvFromSource[];
  env?: readonly V1EnvVar[];
  /** Mounts besides the data (e.g. init scripts). */
  mounts?: readonly Mount[];
  /** Pod hostname. */
  hostname?: string;
  /** Probe timing (default {@link DB_READINESS}). */
  readiness?: ProbeTiming;
  /** Storage options (e.g. claim templates for a StatefulSet). */
  storage?: StorageRecipe;
  /** StatefulSet / Deployment options. */
  serviceName?: WorkloadSpec['serviceName'];
  strategy?: WorkloadSpec['strategy'];
}

const NO_AUTOSCALING = { enabled: false, minReplicas: 1, maxReplicas: 1, targetCPUUtilizationPercentage: 80 };

/** Storage, Service and workload of one database. */
export function database(part: Part, d: DatabaseSpec): K8sObject[] {
  const e = DB_ENGINES[d.engine];
  const v = d.values;
  const data = storage(part, v.persistentvolume, d.storage);
  return [
    ...data.objects,
    service(part.owner, part.names.service, [{ name: e.portName, port: v.service.port, targetPort: e.portName }], v.service.type),
    ...workload(part, {
      values: { ...v, autoscaling: NO_AUTOSCALING },
      autoscale: false,
      ...(d.hostname ? { hostname: d.hostname } : {}),
      ...(d.serviceName ? { serviceName: d.serviceName } : {}),
      ...(d.strategy ? { strategy: d.strategy } : {}),
      container: {
        name: e.container,
        ports: [port(e.portName, e.port)],
        envFrom: [...d.envFrom],
        ...(d.env?.length ? { env: [...d.env] } : {}),
        readinessProbe: probe.tcp(e.portName, d.readiness ?? DB_READINESS),
        mounts: [data.mount(d.dataPath, 'data'), ...(d.mounts ?? [])],
      },
    }),
  ];
}
