import { z } from 'zod';
import { bool, ingressSchema, int, storageSchema, str, unused, workloadFields, databaseFields } from '../../values/common.js';

const HOST = 'panda-iam-dev.cern.ch';

/**
 * Annotations of the IAM Ingress for the nginx controller. TLS terminates at the controller (IAM
 * serves plain HTTP on 8080), and the client-certificate details are forwarded as headers.
 */
export const MAIN_INGRESS_ANNOTATIONS: Record<string, string> = {
  'kubernetes.io/ingress.class': 'nginx',
  'nginx.ingress.kubernetes.io/ssl-redirect': 'true',
  'nginx.ingress.kubernetes.io/ssl-prefer-server-ciphers': 'true',
  'nginx.ingress.kubernetes.io/server-snippet': [
    'ssl_protocols TLSv1 TLSv1.1 TLSv1.2;',
    'ssl_ciphers ' +
      [
        'ECDHE-ECDSA-CHACHA20-POLY1305', 'ECDHE-RSA-CHACHA20-POLY1305', 'ECDHE-ECDSA-AES128-GCM-SHA256', 'ECDHE-RSA-AES128-GCM-SHA256',
        'ECDHE-ECDSA-AES256-GCM-SHA384', 'ECDHE-RSA-AES256-GCM-SHA384', 'DHE-RSA-AES128-GCM-SHA256', 'DHE-RSA-AES256-GCM-SHA384',
        'ECDHE-ECDSA-AES128-SHA256', 'ECDHE-RSA-AES128-SHA256', 'ECDHE-ECDSA-AES128-SHA', 'ECDHE-RSA-AES256-SHA384', 'ECDHE-RSA-AES128-SHA',
        'ECDHE-ECDSA-AES256-SHA384', 'ECDHE-ECDSA-AES256-SHA', 'ECDHE-RSA-AES256-SHA', 'DHE-RSA-AES128-SHA256', 'DHE-RSA-AES128-SHA',
        'DHE-RSA-AES256-SHA256', 'DHE-RSA-AES256-SHA', 'AES128-GCM-SHA256', 'AES256-GCM-SHA384', 'AES128-SHA256', 'AES256-SHA256',
        'AES128-SHA', 'AES256-SHA', '!DSS',
      ].join(':') +
      ';',
    '',
  ].join('\n'),
  'nginx.ingress.kubernetes.io/auth-tls-verify-client': 'off',
  'nginx.ingress.kubernetes.io/auth-tls-secret': 'default/ca-secret',
  'nginx.ingress.kubernetes.io/configuration-snippet': [
    ['X-SSL-Client-Cert', '$ssl_client_cert'],
    ['X-SSL-Client-I-Dn', '$ssl_client_i_dn'],
    ['X-SSL-Client-S-Dn', '$ssl_client_s_dn'],
    ['X-SSL-Client-Serial', '$ssl_client_serial'],
    ['X-SSL-Client-V-Start', '$ssl_client_v_start'],
    ['X-SSL-Client-V-End', '$ssl_client_v_end'],
    ['X-SSL-Client-Verify', '$ssl_client_verify'],
    ['X-SSL-Protocol', '$ssl_protocol'],
    ['X-SSL-Server-Name', '$ssl_server_name'],
  ]
    .map(([h, v]) => `proxy_set_header ${h} ${v};`)
    .join('\n'),
};

export const mainSchema = z
  .strictObject({
    ...workloadFields({ repository: 'indigoiam/iam-login-service', tag: 'v1.6.0', pullPolicy: 'Always' }),
    persistentvolume: storageSchema({ path: '/mnt/iam-logs' }),
    service: z
      .strictObject({
        enabled: bool('Render the Service of the IAM login service.', true),
        type: str('Service type.', 'ClusterIP'),
        httpsPort: int('Port of the Service (named `http`; targets the plain-HTTP container port 8080); also the Ingress backend port.', 443),
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

export const mariadbSchema = z
  .strictObject({
    ...databaseFields('MariaDB', { repository: 'mariadb', tag: '10.11', pullPolicy: 'IfNotPresent' }, { path: '/mnt/iam-data' }),
    iam: unused('Upstream carries `iam.organization` here; no template reads it.'),
    database: unused('Upstream carries database settings here; no template reads them. They come from the `iam-db-envs` and `iam-initdb` Secrets (secrets values `iam.database`).'),
    ingress: unused('MariaDB has no Ingress; upstream carries `ingress.*` here unread.'),
  })
  .prefault({});

/** Values of the iam component. Set `mariadb.enabled: false` for an external database (and its host in the secrets values). */
export const iamSchema = z
  .strictObject({ main: mainSchema, mariadb: mariadbSchema })
  .prefault({})
  .describe('INDIGO IAM (OIDC identity provider) and its MariaDB database.');
export type IamValues = z.output<typeof iamSchema>;
