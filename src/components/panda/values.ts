/**
 * Values of the panda component: the PanDA server, JEDI, the PanDA database and the umbrella's
 * node-recovery job, one key per sub-component. Defaults are upstream HEAD's effective defaults
 * (sub-chart values overlaid by the umbrella values), except where docs/differences.md (panda)
 * says otherwise.
 */
import { z } from 'zod';
import {
  bool,
  cvmfsSchema,
  databaseSchema,
  ingressSchema,
  sharedStorageFields,
  storageSchema,
  int,
  proxyFields,
  routeSchema,
  str,
  unused,
  workloadFields,
} from '../../values/common.js';

/** HEAD's umbrella resources of the server, JEDI and the database: 4 CPUs and 16Gi, requested and limited. */
const HEAD_RESOURCES = { limits: { cpu: '4000m', memory: '16Gi' }, requests: { cpu: '4000m', memory: '16Gi' } };
/** The server and JEDI are StatefulSets at HEAD (stable pod names and per-pod claims). */
const statefulSet = z.enum(['Deployment', 'StatefulSet']).default('StatefulSet').describe('Workload kind.\n@default "StatefulSet"');
const resources = z
  .record(z.string(), z.unknown())
  .default(() => structuredClone(HEAD_RESOURCES))
  .describe(`Container resources.\n@default ${JSON.stringify(HEAD_RESOURCES)}`);

/** One JSON config file as overrides: section → key → value; `null` removes a key. */
const configOverrides = (file: string) =>
  z
    .record(z.string(), z.record(z.string(), z.unknown()))
    .default({})
    .describe(
      `Sections and keys merged over ${file} (a key set to null is removed; a new section is added).\n@default {}`,
    );

/** HEAD's server Ingress annotations (nginx: TLS terminated at the controller, client certificates forwarded). */
const SERVER_INGRESS_ANNOTATIONS: Record<string, string> = {
  'kubernetes.io/ingress.class': 'nginx',
  'spec.ingressClassName': 'nginx',
  'nginx.ingress.kubernetes.io/ssl-passthrough': 'false',
  'nginx.ingress.kubernetes.io/ssl-redirect': 'true',
  'nginx.ingress.kubernetes.io/secure-backends': 'true',
  'nginx.ingress.kubernetes.io/backend-protocol': 'HTTPS',
  'nginx.ingress.kubernetes.io/auth-tls-pass-certificate-to-upstream': 'true',
  'nginx.ingress.kubernetes.io/auth-tls-verify-client': 'optional_no_ca',
  'nginx.ingress.kubernetes.io/auth-tls-verify-depth': '10',
  'nginx.ingress.kubernetes.io/proxy-connect-timeout': '10',
  'nginx.ingress.kubernetes.io/proxy-send-timeout': '360',
  'nginx.ingress.kubernetes.io/proxy-read-timeout': '360',
  'nginx.ingress.kubernetes.io/proxy-body-size': '5g',
  'nginx.ingress.kubernetes.io/client-body-buffer-size': '5g',
  'nginx.ingress.kubernetes.io/client_max_body_size': '5g',
  'nginx.ingress.kubernetes.io/configuration-snippet': [
    'proxy_set_header PANDA-OIDC-VO  $http_panda_oidc_vo;',
    'proxy_set_header PANDA-OIDC-GROUP $http_panda_oidc_group;',
    'proxy_set_header PANDA-OIDC-ROLE $http_panda_oidc_role;',
    '',
    'proxy_set_header SSL-CLIENT-CERT $ssl_client_escaped_cert;',
    'proxy_set_header SSL-CLIENT-S-DN  $ssl_client_s_dn;',
  ].join('\n'),
  'nginx.ingress.kubernetes.io/server-snippet': 'ssl_verify_client optional_no_ca;\nssl_verify_depth 10;\n',
};

/** Umbrella default hosts of the server Ingress: placeholders an experiment replaces. */
const FIXME_HOSTS = [{ domain: 'FIXME', hostOverride: '', paths: [{ path: '/', pathType: 'Prefix' }] }];
const FIXME_TLS = [{ hosts: [{ domain: 'FIXME', hostOverride: 'FIXME' }] }];

const serverIngress = (what: string, hosts: unknown[], tls: unknown[]) =>
  ingressSchema({ enabled: false, annotations: SERVER_INGRESS_ANNOTATIONS, hosts, tls, fixedTlsSecret: '<global.secret>-panda-tls-certs (or global.existingTlsSecret)' }).describe(
    `${what} Its TLS entries use the server's TLS Secret (\`<global.secret>-panda-tls-certs\`, or \`global.existingTlsSecret\`), as upstream.`,
  );

/**
 * Logs volume of the server or JEDI: a hostPath PV + RWX claim (`create`), a shared claim with a
 * subPath (`sharedPvcName`), an existing claim, or else one claim per pod (claim templates).
 * Created volumes keep their data (`Retain`), as upstream.
 */
const logsStorage = (path: string) =>
  storageSchema({ path, reclaimPolicy: 'Retain' }, sharedStorageFields);

/** Container env values (`extraEnv`): strings, or numbers/booleans written without quotes, kept as strings. */
const envMap = (description: string) =>
  z
    .record(z.string(), z.union([z.string(), z.number(), z.boolean()]).transform((v) => String(v)))
    .default({})
    .describe(`${description}\n@default {}`);

const serviceSchema = z
  .strictObject({
    type: str('Service type.', 'ClusterIP'),
    httpPort: int('Service port to the HTTP listener (container port 25080).', 80),
    httpsPort: int('Service port to the HTTPS listener (container port 25443); also the Ingress and HTTPRoute backend port.', 443),
  })
  .prefault({});

/** What the server and JEDI pods share: both run the panda-server image as StatefulSets. */
const pandaPodFields = {
  ...workloadFields({ repository: 'ghcr.io/pandawms/panda-server', tag: '1.0.0', pullPolicy: 'Always' }),
  kind: statefulSet,
  resources,
  autoStart: bool(
    'Start the services when the pod starts (wait for a PostgreSQL database, install the sandbox, run the launcher). False keeps the image command.',
    true,
  ),
};

export const serverSchema = z
  .strictObject({
    ...pandaPodFields,
    ...proxyFields,
    noRoot: bool(
      'Run the server and JEDI scripts without root (no runuser/chmod): sets PANDA_NO_ROOT=1 in the server env, which JEDI reads too (OpenShift/OKD).',
      false,
    ),
    extraEnv: envMap('Extra variables of the server env ConfigMap (JEDI reads it too), e.g. PANDA_SERVER_CONF_MIN_WORKERS.'),
    sharedCache: bool(
      'Keep the server cache (/var/log/panda/pandacache) on one ReadWriteMany claim `<server>` shared by all replicas (class and size from persistentvolume). Only when persistentvolume.create is false.',
      false,
    ),
    persistentvolume: logsStorage('/mnt/panda-server-logs'),
    cvmfs: cvmfsSchema,
    service: serviceSchema,
    ingress: serverIngress('Expose the server through an nginx Ingress (backend: Service port httpsPort).', FIXME_HOSTS, FIXME_TLS),
    ingress_big: serverIngress(
      'A second Ingress `<server>-big` on the same Service, e.g. for a host with larger upload limits.',
      [{ domain: 'cern.ch', hostOverride: '', paths: [{ path: '/', pathType: 'Prefix' }] }],
      [{ hosts: [{ domain: 'cern.ch', hostOverride: '' }] }],
    ),
    route: routeSchema,
    gateway: z
      .strictObject({
        enabled: bool('Expose the server through the Gateway API: a Gateway (HTTP 80, HTTPS 443 terminated with the server TLS Secret) and two HTTPRoutes on hostName.', false),
        className: str('gatewayClassName of the Gateway.', 'FIXME'),
        implementation: str(
          'Gateway implementation. `envoy` adds an Envoy Gateway ClientTrafficPolicy (client certificates validated against ConfigMap `<global.secret>-panda-client-cas`, subject DN forwarded in x-forwarded-client-cert) and renders that ConfigMap from clientCAs.',
          'envoy',
        ),
        clientCAs: str(
          'PEM bundle of the CAs that sign client certificates (key ca.crt of ConfigMap `<global.secret>-panda-client-cas`). Required when enabled with implementation envoy.',
          '',
        ),
      })
      .prefault({}),
    hostName: str('External host name of the server: the Routes use `<hostName>` and `http-<hostName>`, the HTTPRoutes `<hostName>`.', 'FIXME'),
    configFile: str(
      'Server config JSON: a file of the chart payloads (with --from, helm/panda/charts/server/<file> of the checkout; otherwise --sandbox-dir DIR/panda/server-config/<file>). The default file is built in.',
      'panda_server_config.json',
    ),
    config: configOverrides('the server config JSON (configFile)'),
    hostcerts: unused('Upstream carries `hostcerts.enabled` (commented out); no template reads it. Certificates come from the panda-certs Secret.'),
    authIdToken: unused('Seed overlays set this; no template reads it. The ID token comes from the secrets values.'),
    authVO: unused('Seed overlays set this; no template reads it. The VO comes from the secrets values.'),
    rucioAccount: unused('Upstream carries `rucioAccount` (commented out); no template reads it. The Rucio account comes from the secrets values.'),
  })
  .prefault({});

export const jediSchema = z
  .strictObject({
    ...pandaPodFields,
    persistentvolume: logsStorage('/mnt/panda-jedi-logs'),
    cvmfs: cvmfsSchema,
    service: serviceSchema,
    configFile: str(
      'JEDI config JSON: a file of the chart payloads (with --from, helm/panda/charts/jedi/<file> of the checkout; otherwise --sandbox-dir DIR/panda/jedi-config/<file>). The default file is built in.',
      'panda_jedi_config.json',
    ),
    config: configOverrides('the JEDI config JSON (configFile)'),
    noRoot: unused('Upstream carries `jedi.noRoot`; no template reads it: JEDI reads the server env, so `server.noRoot` applies to both.'),
    httpProxy: unused('Seed overlays set this; no template reads it: JEDI reads the server env, so the `server` proxies apply to both.'),
    httpsProxy: unused('Seed overlays set this; no template reads it (see `server.httpsProxy`).'),
    noProxy: unused('Seed overlays set this; no template reads it (see `server.noProxy`).'),
    server: unused('Upstream carries `jedi.server.config_ref` (commented out); no template reads it. JEDI always mounts the server config of its release.'),
  })
  .prefault({});

export const postgresSchema = databaseSchema('PostgreSQL', { repository: 'ghcr.io/pandawms/panda-database', tag: '0.1.5-2', pullPolicy: 'Always' }, { path: '/mnt/panda-data' }, {
  resources,
  noRoot: unused('Upstream overlays set `postgres.noRoot`; no template reads it.'),
});

export const nodeRecoverySchema = z
  .strictObject({
    enabled: bool(
      'Every minute, force-delete pods stuck terminating on NotReady nodes (a CronJob with a ServiceAccount and a ClusterRole on nodes and pods), so StatefulSet pods are recreated elsewhere.',
      false,
    ),
    image: str('Image with kubectl, bash and jq.', 'bitnami/kubectl:latest'),
  })
  .prefault({});

/** Values of the panda component. `postgres.enabled: false` uses an external database (set its host in the secrets). */
export const pandaSchema = z
  .strictObject({
    server: serverSchema.describe('PanDA server (httpd + WSGI, message-broker proxy, daemons).'),
    jedi: jediSchema.describe('JEDI, the task-level engine, on the panda-server image. Reads the server env, config and sandbox.'),
    postgres: postgresSchema.describe('The PanDA database (PostgreSQL). Disable it to use an external database.'),
    nodeRecovery: nodeRecoverySchema.describe('Recovery of pods stuck on NotReady nodes (umbrella CronJob).'),
  })
  .prefault({})
  .describe('PanDA server, JEDI, their database and the node-recovery job.');
export type PandaValues = z.output<typeof pandaSchema>;
export type ServerValues = PandaValues['server'];
export type JediValues = PandaValues['jedi'];
export type PostgresValues = PandaValues['postgres'];
export type LogsStorageValues = ServerValues['persistentvolume'];
