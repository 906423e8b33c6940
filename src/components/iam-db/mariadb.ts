/**
 * The IAM MariaDB recipe: values and objects of one MariaDB server that IAM uses (a claim for
 * `/var/lib/mysql`, a Service on 3306, the first-start SQL from the `iam-initdb` Secret and the
 * credentials from `iam-db-envs`). The iam-db component deploys it as a StatefulSet; the iam
 * component's legacy `mariadb` sub-component (off by default since HEAD) as a Deployment.
 */
import { z } from 'zod';
import { envFrom, service, storage, vol, workload, type K8sObject, type Owner } from '../../core/k8s.js';
import { int, storageSchema, str, unused, workloadFields } from '../../values/common.js';
import { secretName } from '../../secrets/refs.js';

/**
 * The official `mariadb` image, pinned: it keeps its data in `/var/lib/mysql` (where the claim is
 * mounted) and reads `MARIADB_USER`/`MARIADB_PASSWORD`/`MARIADB_ROOT_PASSWORD` and
 * `/docker-entrypoint-initdb.d`. Upstream's `bitnami/mariadb:latest` keeps data elsewhere (B12).
 */
export const MARIADB_IMAGE = { repository: 'mariadb', tag: '10.11', pullPolicy: 'IfNotPresent' } as const;

export const mariadbSchema = (enabled: boolean) =>
  z
    .strictObject({
      ...workloadFields(MARIADB_IMAGE),
      enabled: z.boolean().default(enabled).describe(`Deploy this MariaDB.\n@default ${enabled}`),
      persistentvolume: storageSchema({ path: '/mnt/iam-data' }),
      service: z
        .strictObject({
          type: str('Service type.', 'ClusterIP'),
          port: int('MariaDB port of the Service.', 3306),
        })
        .prefault({}),
      autoscaling: unused('Accepted for compatibility; the database runs as one pod and no HorizontalPodAutoscaler is rendered.'),
      iam: unused('Upstream carries `iam.organization` here; no template reads it.'),
      database: unused('Upstream carries database settings here; no template reads them. They come from the `iam-db-envs` and `iam-initdb` Secrets (secrets values `iam.database`).'),
      ingress: unused('MariaDB has no Ingress; upstream carries `ingress.*` here unread.'),
    })
    .prefault({});
export type MariadbValues = z.output<ReturnType<typeof mariadbSchema>>;

export interface MariadbContext {
  /** Object name (`<R>-mariadb`). */
  name: string;
  release: string;
  secretPrefix: string;
  kind: 'Deployment' | 'StatefulSet';
}

/** Claim (and hostPath PV when `create`), Service and the workload of one IAM MariaDB. */
export function mariadbObjects(o: Owner, db: MariadbValues, ctx: MariadbContext): K8sObject[] {
  const { name } = ctx;
  const data = `${name}-data`;
  const initdb = `${name}-initdb`;
  return [
    // upstream binds the claim to its PV by selector only when it creates the PV
    ...storage(o, name, db.persistentvolume, db.persistentvolume.create && db.persistentvolume.selector),
    service(o, name, [{ name: 'mariadb-port', port: db.service.port, targetPort: 'mariadb-port' }], db.service.type),
    ...workload(o, {
      name,
      kind: ctx.kind,
      // one database pod writing one volume: never autoscaled, never two at once
      values: { ...db, autoscaling: { enabled: false, minReplicas: 1, maxReplicas: 1, targetCPUUtilizationPercentage: 80 } },
      ...(ctx.kind === 'StatefulSet' ? { serviceName: name } : { strategy: 'Recreate' as const }),
      hostname: ctx.release,
      container: {
        name: 'mariadb',
        ports: [{ name: 'mariadb-port', containerPort: 3306, protocol: 'TCP' }],
        envFrom: [envFrom.secret(secretName(ctx.secretPrefix, 'iam-db-envs'))],
        readinessProbe: { tcpSocket: { port: 'mariadb-port' }, initialDelaySeconds: 10, periodSeconds: 10 },
        volumeMounts: [
          { name: data, mountPath: '/var/lib/mysql' },
          { name: initdb, mountPath: '/docker-entrypoint-initdb.d/' },
        ],
      },
      volumes: [vol.pvc(data, name), vol.secret(initdb, secretName(ctx.secretPrefix, 'iam-initdb'))],
    }),
  ];
}
