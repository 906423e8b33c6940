/**
 * The IAM MariaDB: values and objects of the database IAM uses, on the shared database recipe
 * (src/core/database.ts): a claim at `/var/lib/mysql`, a Service on 3306, the first-start SQL from
 * the `iam-initdb` Secret and the credentials from `iam-db-envs`. The iam-db component deploys it
 * as a StatefulSet; the iam component's older `mariadb` sub-component (off since HEAD) as a
 * Deployment with strategy Recreate.
 */
import { z } from 'zod';
import { database } from '../../core/database.js';
import type { K8sObject } from '../../core/k8s.js';
import { envFrom, mount, vol } from '../../core/pod.js';
import { WORKLOAD_KINDS, type WorkloadKind } from '../../core/workload.js';
import { secretRefs } from '../../secrets/refs.js';
import { databaseSchema, unused } from '../../values/common.js';
import type { ComponentPart } from '../define.js';

/**
 * The official `mariadb` image, pinned: it keeps its data in `/var/lib/mysql` (where the claim is
 * mounted) and reads `MARIADB_USER`/`MARIADB_PASSWORD`/`MARIADB_ROOT_PASSWORD` and
 * `/docker-entrypoint-initdb.d`. Upstream's `bitnami/mariadb:latest` keeps data elsewhere (B12).
 */
export const MARIADB_IMAGE = { repository: 'mariadb', tag: '10.11', pullPolicy: 'IfNotPresent' } as const;

export const iamMariadbSchema = (d: { enabled: boolean; kind: WorkloadKind }) =>
  databaseSchema('MariaDB', MARIADB_IMAGE, { path: '/mnt/iam-data' }, {
    enabled: z.boolean().default(d.enabled).describe(`Deploy this MariaDB.\n@default ${d.enabled}`),
    kind: z.enum(WORKLOAD_KINDS).default(d.kind).describe(`Workload kind.\n@default ${JSON.stringify(d.kind)}`),
    iam: unused('Upstream carries `iam.organization` here; no template reads it.'),
    database: unused('Upstream carries database settings here; no template reads them. They come from the `iam-db-envs` and `iam-initdb` Secrets (secrets values `iam.database`).'),
    ingress: unused('MariaDB has no Ingress; upstream carries `ingress.*` here unread.'),
  });
export type IamMariadbValues = z.output<ReturnType<typeof iamMariadbSchema>>;

/** Claim (and hostPath PV when `create`), Service and workload of one IAM MariaDB. */
export function iamMariadb(part: ComponentPart, db: IamMariadbValues, hostname: string): K8sObject[] {
  return database(part, {
    engine: 'mariadb',
    values: db,
    hostname,
    dataPath: '/var/lib/mysql',
    // one database pod writing one volume: the old pod stops before the new one starts
    ...(db.kind === 'Deployment' ? { strategy: 'Recreate' as const } : {}),
    envFrom: [envFrom.secret(part.secret(secretRefs.iamDbEnvs))],
    mounts: [mount('/docker-entrypoint-initdb.d/', vol.secret('initdb', part.secret(secretRefs.iamInitdb)))],
  });
}
