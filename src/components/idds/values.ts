import { z } from 'zod';
import { bool, ingressSchema, int, proxyFields, storageSchema, str, unused, workloadFields, databaseFields } from '../../values/common.js';

const IDDS_IMAGE = { repository: 'ghcr.io/hsf/idds', tag: '0.11.12', pullPolicy: 'IfNotPresent' } as const;

/**
 * Annotations of the REST Ingress for the nginx controller: TLS passes through to the REST
 * server (which speaks HTTPS on 8443 and checks client certificates itself), and the iDDS
 * authentication headers are forwarded.
 */
const AUTH_HEADER_NAMES = ['X-IDDS-Auth-Type', 'X-IDDS-Auth-VO', 'X-IDDS-Auth-Token'];
const AUTH_HEADERS = AUTH_HEADER_NAMES.join(',');
export const REST_INGRESS_ANNOTATIONS: Record<string, string> = {
  'kubernetes.io/ingress.class': 'nginx',
  'nginx.ingress.kubernetes.io/ssl-passthrough': 'true',
  'nginx.ingress.kubernetes.io/ssl-redirect': 'true',
  'nginx.ingress.kubernetes.io/secure-backends': 'true',
  'nginx.ingress.kubernetes.io/backend-protocol': 'HTTPS',
  'nginx.ingress.kubernetes.io/auth-tls-secret': 'default/ca-secret-wguan',
  'nginx.ingress.kubernetes.io/auth-tls-pass-certificate-to-upstream': 'true',
  'nginx.ingress.kubernetes.io/auth-tls-verify-client': 'optional',
  'nginx.ingress.kubernetes.io/auth-tls-verify-depth': '10',
  'nginx.ingress.kubernetes.io/auth-proxy-set-headers': AUTH_HEADERS,
  'nginx.ingress.kubernetes.io/proxy-pass-headers': AUTH_HEADERS,
  'nginx.org/proxy-pass-headers': AUTH_HEADERS,
  'nginx.ingress.kubernetes.io/configuration-snippet': [
    ...AUTH_HEADER_NAMES.map((h) => `proxy_set_header ${h} $http_${h.toLowerCase().replaceAll('-', '_')};`),
    ...AUTH_HEADER_NAMES.map((h) => `add_header ${h} $http_${h.toLowerCase().replaceAll('-', '_')};`),
  ].join('\n'),
  'nginx.ingress.kubernetes.io/ssl-prefer-server-ciphers': 'true',
  'nginx.ingress.kubernetes.io/server-snippet': 'ssl on;\n',
};

const service = (https: number, http: number) =>
  z
    .strictObject({
      type: str('Service type.', 'ClusterIP'),
      httpsPort: int('HTTPS port of the Service (targets the container port `https`, 8443); also the Ingress backend port.', https),
      httpPort: int('HTTP port of the Service (targets the container port `http`, 8080).', http),
    })
    .prefault({});

/** A value of idds_configmap.json: `{<config file>: {<section>: {<key>: value}}}`. */
const configValue = z.union([z.string(), z.number(), z.boolean()]);
export const configOverridesSchema = z
  .record(z.string(), z.record(z.string(), z.record(z.string(), configValue)))
  .default({})
  .describe(
    'Settings merged into `idds_configmap.json`, as `{<config file in the image>: {<section>: {<key>: value}}}`; e.g. ' +
      '`{"/opt/idds/config/rucio.cfg": {"client": {"rucio_host": "https://rucio.example.org:443"}}}`. ' +
      'Values may reference container env vars as `${NAME}`.\n@default {}',
  );

export const restSchema = z
  .strictObject({
    ...workloadFields(IDDS_IMAGE),
    autoStart: bool('Start the REST service when the pod starts; false leaves the image entrypoint and command unchanged.', true),
    noRoot: bool('Run start-daemon.sh as the image user, without chmod/runuser (OpenShift/OKD).', false),
    persistentvolume: storageSchema({ path: '/mnt/idds-rest-logs' }),
    ...proxyFields,
    service: service(8443, 8080),
    ingress: ingressSchema({
      enabled: true,
      annotations: REST_INGRESS_ANNOTATIONS,
      tls: [{ secretName: 'idds-dev-main-tls-cert', hosts: [{ domain: 'cern.ch', hostOverride: '' }] }],
    }),
    configOverrides: configOverridesSchema,
    hostcerts: unused('Upstream carries `hostcerts.enabled`; no template reads it. Certificates come from the `idds-certs` Secret.'),
    database: unused('Upstream carries `database.config_ref`; no template reads it. Database settings come from the `idds-envs` Secret.'),
    oidc: unused('Upstream carries dummy OIDC clients here; no template reads them. OIDC clients are set in the secrets values.'),
    conductor: unused('Upstream carries conductor (ActiveMQ) settings here; no template reads them. They come from the `idds-envs` Secret.'),
    iddsServer: unused('Set by upstream overlays; no template reads it.'),
    secret: unused('Set by upstream overlays (`secret.name`); no template reads it. Secret names come from `global.secret`.'),
  })
  .prefault({});

export const daemonSchema = z
  .strictObject({
    ...workloadFields(IDDS_IMAGE),
    autoStart: bool('Start the daemons when the pod starts; false leaves the image entrypoint and command unchanged.', true),
    noRoot: bool('Run start-daemon.sh as the image user, without chmod/runuser (OpenShift/OKD).', false),
    persistentvolume: storageSchema({ path: '/mnt/idds-daemon-logs' }),
    httpProxy: unused('The daemon reads the REST env ConfigMap; set proxies under `rest`.'),
    httpsProxy: unused('The daemon reads the REST env ConfigMap; set proxies under `rest`.'),
    noProxy: unused('The daemon reads the REST env ConfigMap; set proxies under `rest`.'),
    service: unused('The daemon has no Service; upstream carries `service.*` here unread.'),
    ingress: unused('The daemon has no Ingress; upstream carries `ingress.enabled` here unread.'),
    hostcerts: unused('Upstream carries `hostcerts.enabled`; no template reads it.'),
    database: unused('Upstream carries `database.config_ref`; no template reads it.'),
    iddsServer: unused('Upstream carries `iddsServer`; no template reads it.'),
    secret: unused('Set by upstream overlays (`secret.name`); no template reads it.'),
  })
  .prefault({});

export const postgresSchema = z
  .strictObject({
    ...databaseFields('PostgreSQL', { repository: 'postgres', tag: '13.6', pullPolicy: 'IfNotPresent' }, { path: '/mnt/idds-database' }),
    noRoot: bool('Keep the database under `/tmp/pg_volume/data` (PGDATA) so PostgreSQL can run as an arbitrary user (OpenShift/OKD).', false),
    database: unused('Upstream carries database settings here; no template reads them. They come from the `idds-db-envs` Secret (secrets values `idds.database`).'),
    ingress: unused('PostgreSQL has no Ingress; upstream carries `ingress.enabled` here unread.'),
    secret: unused('Set by upstream overlays (`secret.name`); no template reads it.'),
  })
  .prefault({});

/** Values of the idds component. Set `postgres.enabled: false` for an external database (and its host in the secrets values). */
export const iddsSchema = z
  .strictObject({ rest: restSchema, daemon: daemonSchema, postgres: postgresSchema })
  .prefault({})
  .describe('iDDS: REST server, daemons and their PostgreSQL database.');
export type IddsValues = z.output<typeof iddsSchema>;
