import { z } from 'zod';
import { bool, cvmfsSchema, databaseSchema, ingressSchema, nginxHttpsBackendAnnotations, int, proxyFields, sharedStorageFields, storageSchema, str, unused, workloadFields } from '../../values/common.js';

/** iDDS image at HEAD (the chart's `rest.image.tag`; the testbed and DOMA overlays run 2.6.14). */
const IDDS_IMAGE = { repository: 'ghcr.io/hsf/idds', tag: '2.2.49', pullPolicy: 'IfNotPresent' } as const;

/** Default requests and limits of the iDDS pods at HEAD (4 CPU / 16Gi both); overlays reduce them. */
const HEAD_RESOURCES = { limits: { cpu: '4000m', memory: '16Gi' }, requests: { cpu: '4000m', memory: '16Gi' } };

/** The iDDS authentication and forwarded-certificate headers the REST Ingress passes through. */
const AUTH_HEADER_NAMES = [
  'X-IDDS-Auth-Type',
  'X-IDDS-Auth-VO',
  'X-IDDS-Auth-Token',
  'X-IDDS-Auth-Username-Original',
  'X-IDDS-Auth-Usercert-Original',
  'X-IDDS-Auth-Userdn-Original',
];
const nginxVar = (h: string) => `$http_${h.toLowerCase().replaceAll('-', '_')}`;

/**
 * Annotations of the REST Ingress for the nginx controller (HEAD): TLS ends at the controller and
 * is re-encrypted to the REST server on 8443; a client certificate is asked for but not checked
 * against a CA (`optional_no_ca`) and is forwarded with the iDDS auth headers; large request
 * bodies (5g) and 360 s timeouts for uploads.
 */
export const REST_INGRESS_ANNOTATIONS: Record<string, string> = {
  ...nginxHttpsBackendAnnotations({ verifyClient: 'optional_no_ca', verifyDepth: '10', bodySize: '5g' }),
  'nginx.ingress.kubernetes.io/configuration-snippet': [
    ...AUTH_HEADER_NAMES.map((h) => `proxy_set_header ${h} ${nginxVar(h)};`),
    '',
    'proxy_set_header SSL-CLIENT-CERT $ssl_client_escaped_cert;',
    'proxy_set_header SSL-CLIENT-S-DN  $ssl_client_s_dn;',
  ].join('\n'),
  'nginx.ingress.kubernetes.io/ssl-prefer-server-ciphers': 'true',
  'nginx.ingress.kubernetes.io/server-snippet': 'ssl_verify_client optional_no_ca;\nssl_verify_depth 10;\n',
};

/** As at HEAD, the REST server (with its agents) runs as a StatefulSet. */
const STATEFUL_SET = z.literal('StatefulSet').default('StatefulSet').describe('Workload kind: a StatefulSet, as upstream since 2022-12.\n@default "StatefulSet"');

/** A number or string written either way in value files (`minWorkers: 4` or `"4"`), kept as text. */
const text = (description: string) =>
  z
    .union([z.string(), z.number()])
    .transform((v) => String(v))
    .default('')
    .describe(`${description}\n@default ""`);

/** A value of idds_configmap.json: `{<config file>: {<section>: {<key>: value}}}`. */
const configValue = z.union([z.string(), z.number(), z.boolean(), z.record(z.string(), z.unknown()), z.array(z.unknown())]);
export const configOverridesSchema = z
  .record(z.string(), z.record(z.string(), z.record(z.string(), configValue)))
  .default({})
  .describe(
    'Settings merged into `idds_configmap.json`, as `{<config file in the image>: {<section>: {<key>: value}}}`; e.g. ' +
      '`{"/opt/idds/config/rucio.cfg": {"client": {"rucio_host": "https://rucio.example.org:443"}}}`. ' +
      'Values may reference container env vars as `${NAME}`.\n@default {}',
  );

const DAEMON_GONE =
  'The iDDS daemon sub-chart was removed upstream: the agents now run in the rest pod (`start-daemon.sh all`). ' +
  'Ignored; set images, storage, proxies and resources under `idds.rest`.';

export const restSchema = z
  .strictObject({
    ...workloadFields(IDDS_IMAGE),
    kind: STATEFUL_SET,
    resources: z.record(z.string(), z.unknown()).default(HEAD_RESOURCES).describe(`Container resources.\n@default ${JSON.stringify(HEAD_RESOURCES)}`),
    autoStart: bool(
      'Start iDDS (REST server and agents) when the pod starts, after the PostgreSQL database answers (not waited for with the Oracle backend); false leaves the image entrypoint and command unchanged.',
      true,
    ),
    noRoot: bool('Run start-daemon.sh as the image user, without chmod/runuser (OpenShift/OKD).', false),
    persistentvolume: storageSchema({ path: '/mnt/idds-rest-logs' }, sharedStorageFields)
      .describe(
        'Logs volume, mounted at /var/log/idds/: an own hostPath PV/PVC when `create` (reclaim policy Delete), else the shared claim `sharedPvcName`, else a volumeClaimTemplate (ReadWriteOnce, `class`, `size`).',
      ),
    persistentvolumerequests: storageSchema({ path: '/mnt/idds-rest-requests', size: '10Gi' }, {
      reuseLogsVolume: bool('Keep request files on the logs volume (in `subPath`) instead of an own claim.', false),
      subPath: str('Sub-directory of the logs volume for request files, with `reuseLogsVolume`.', ''),
      requestpath: unused('Carried by upstream overlays; no template reads it (the request directory is set in idds_configmap.json, rest.additional_storage).'),
    })
      .describe(
        'Request files volume, mounted at `path`: an own claim `<fullname>-requests` (with a hostPath PV when `create`, reclaim policy Delete), or a directory of the logs volume with `reuseLogsVolume`.',
      ),
    persistentvolumerequests_test: unused('Carried by upstream overlays (a spare requests volume); no template reads it.'),
    ...proxyFields,
    service: z
      .strictObject({
        type: str('Service type.', 'ClusterIP'),
        httpsPort: int('HTTPS port of the Service (targets the container port `https`, 8443); also the Ingress backend port.', 8443),
        httpPort: int('HTTP port of the Service (targets the container port `http`, 8080).', 8080),
      })
      .prefault({}),
    restHost: str("URL of this REST service (IDDS_REST_HOST). Empty: the stack's iDDS rest Service, `https://<rest>:<httpsPort>`.", ''),
    bigmonURL: str("URL of the PanDA monitor (PANDAMON_URL). Empty: the stack's BigMon Service, `https://<bigmon main>`.", ''),
    serverConf: z
      .strictObject({
        minWorkers: text('IDDS_SERVER_CONF_MIN_WORKERS (set only when non-empty).'),
        maxWorkers: text('IDDS_SERVER_CONF_MAX_WORKERS (set only when non-empty).'),
        numWsgi: text('IDDS_SERVER_CONF_NUM_WSGI (set only when non-empty).'),
        numWsgiThread: text('IDDS_SERVER_CONF_NUM_WSGI_THREAD (set only when non-empty).'),
        maxBacklog: text('IDDS_SERVER_CONF_MAX_BACKLOG (set only when non-empty).'),
      })
      .prefault({})
      .describe('httpd/WSGI tuning of the REST server, passed as env vars.'),
    cvmfs: cvmfsSchema,
    ingress: ingressSchema({
      enabled: true,
      annotations: REST_INGRESS_ANNOTATIONS,
      tls: [{ hosts: [{ domain: 'cern.ch', hostOverride: '' }] }],
      fixedTlsSecret: '`<global.secret>-idds-tls-certs`',
    }),
    configOverrides: configOverridesSchema,
    iddsServer: unused('Set by upstream overlays (the public host name); no template reads it.'),
    hostcerts: unused('Upstream carries `hostcerts.enabled`; no template reads it. Certificates come from the `idds-certs` Secret.'),
    database: unused('Upstream carries `database.config_ref`; no template reads it. Database settings come from the `idds-db-envs` Secret.'),
    oidc: unused('Upstream carries dummy OIDC clients here; no template reads them. OIDC clients are set in the secrets values.'),
    conductor: unused('Upstream carries conductor (ActiveMQ) settings here; no template reads them. They come from the `idds-envs` Secret.'),
    secret: unused('Set by upstream overlays (`secret.name`); no template reads it. Secret names come from `global.secret`.'),
  })
  .prefault({});

export const postgresSchema = databaseSchema('PostgreSQL', { repository: 'postgres', tag: '13.6', pullPolicy: 'IfNotPresent' }, { path: '/mnt/idds-database' }, {
  resources: z.record(z.string(), z.unknown()).default(HEAD_RESOURCES).describe(`Container resources.\n@default ${JSON.stringify(HEAD_RESOURCES)}`),
  noRoot: bool('Keep the database under `/tmp/pg_volume/data` (PGDATA) so PostgreSQL can run as an arbitrary user (OpenShift/OKD).', false),
  database: unused('Upstream carries database settings here; no template reads them. They come from the `idds-db-envs` Secret (secrets values `idds.database`).'),
  ingress: unused('PostgreSQL has no Ingress; upstream carries `ingress.enabled` here unread.'),
  secret: unused('Set by upstream overlays (`secret.name`); no template reads it.'),
});

/**
 * Values of the idds component. Set `postgres.enabled: false` for an external database (its host,
 * or an Oracle backend, in the secrets values `idds.database`).
 */
export const iddsSchema = z
  .strictObject({ rest: restSchema, postgres: postgresSchema, daemon: unused(DAEMON_GONE) })
  .prefault({})
  .describe('iDDS: REST server with its agents, and its PostgreSQL database.');
export type IddsValues = z.output<typeof iddsSchema>;
export type IddsRestValues = IddsValues['rest'];
