import { z } from 'zod';
import { bool, ingressSchema, int, storageSchema, str, unused, workloadFields } from '../../values/common.js';
import { WORKLOAD_KINDS } from '../../core/workload.js';
import { iamMariadbSchema } from '../iam-db/mariadb.js';

const HOST = 'panda-iam-dev.cern.ch';

/**
 * Annotations of the IAM Ingress for the nginx controller (HEAD): TLS terminates at the controller
 * with the `iam-tls-certs` Secret, client certificates are not requested, and IAM learns its
 * public HTTPS port from a header. The backend is IAM's port 8443, spoken to in plain HTTP.
 */
export const MAIN_INGRESS_ANNOTATIONS: Record<string, string> = {
  'kubernetes.io/ingress.class': 'nginx',
  'nginx.ingress.kubernetes.io/auth-tls-verify-client': 'off',
  'nginx.ingress.kubernetes.io/auth-tls-verify-depth': '10',
  'nginx.ingress.kubernetes.io/server-snippet': 'ssl_verify_depth 10;\nssl_verify_client off;\n',
  'nginx.ingress.kubernetes.io/configuration-snippet': 'proxy_set_header X-Forwarded-Port-Https 8443;',
};

export const mainSchema = z
  .strictObject({
    ...workloadFields({ repository: 'indigoiam/iam-login-service', tag: 'v1.8.4', pullPolicy: 'Always' }),
    kind: z.enum(WORKLOAD_KINDS).default('StatefulSet').describe('Workload kind (HEAD: StatefulSet).\n@default "StatefulSet"'),
    container: z.strictObject({ port: int('Port IAM listens on (`IAM_PORT` in the iam-envs Secret must match).', 8443) }).prefault({}),
    persistentvolume: storageSchema({ path: '/mnt/iam-logs' }),
    service: z
      .strictObject({
        enabled: bool('Render the Service of the IAM login service.', true),
        type: str('Service type.', 'ClusterIP'),
        httpsPort: int('Port of the Service (named `http`, targeting the container port); also the Ingress backend port.', 8443),
      })
      .prefault({}),
    ingress: ingressSchema({
      enabled: true,
      annotations: MAIN_INGRESS_ANNOTATIONS,
      hosts: [{ domain: 'cern.ch', hostOverride: HOST, paths: [{ path: '/', pathType: 'Prefix' }] }],
      tls: [{ secretName: '', hosts: [{ domain: 'cern.ch', hostOverride: HOST }] }],
    }),
    autoStart: unused('Upstream carries `autoStart`; no template reads it. The image command always runs.'),
    hostcerts: unused('Upstream carries `hostcerts.enabled`; no template reads it.'),
    iam: unused('Upstream carries IAM settings here (profiles, organization, CILogon client, base URL, issuer); no template reads them. They come from the `iam-envs` Secret (secrets values `iam.*`).'),
    database: unused('Upstream carries `database.config_ref`; no template reads it. Database settings come from the `iam-envs` Secret.'),
  })
  .prefault({});

/**
 * Values of the iam component. Its database is the iam-db component since HEAD; `mariadb.enabled:
 * true` still deploys upstream's older in-chart MariaDB (a Deployment) instead.
 */
export const iamSchema = z
  .strictObject({ main: mainSchema, mariadb: iamMariadbSchema({ enabled: false, kind: 'Deployment' }) })
  .prefault({})
  .describe('INDIGO IAM (OIDC identity provider). Its database is the iam-db component.');
export type IamValues = z.output<typeof iamSchema>;
