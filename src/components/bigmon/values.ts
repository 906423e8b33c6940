import { z } from 'zod';
import { bool, cvmfsSchema, ingressTlsSchema, nginxHttpsBackendAnnotations, int, routeSchema, sharedStorageFields, storageSchema, str, unused, workloadFields } from '../../values/common.js';

/** The annotations of BigMon's Ingress at HEAD: TLS ends at the controller and is re-encrypted to the pod's httpd (8443). */
export const BIGMON_INGRESS_ANNOTATIONS: Record<string, string> = nginxHttpsBackendAnnotations({ verifyClient: 'optional', bodySize: '10m' });

/** A 2022 key whose setting moved to the secrets values (the `bigmon-envs` Secret) at HEAD. */
const movedToSecrets = (key: string, to: string) =>
  unused(`Ignored: BigMon reads ${key} from the \`bigmon-envs\` Secret since upstream moved its settings out of the chart; set \`${to}\` in the secrets values.`);

/**
 * One path of an Ingress host. By default it routes to BigMon itself; `component: harvester`
 * routes to that component's Service of this stack (its name follows the affix); `serviceName`
 * names any Service verbatim (upstream's form, e.g. `harvester-dev`).
 */
const ingressPathSchema = z
  .strictObject({
    path: z.string(),
    pathType: z.enum(['Prefix', 'Exact', 'ImplementationSpecific']).default('Prefix'),
    component: z
      .enum(['harvester'])
      .optional()
      .describe("Route this path to that component's Service in this stack, whatever the affix (harvester: its HTTPS port 443, e.g. for /condor_logs)."),
    serviceName: z.string().optional().describe('Route this path to this Service, verbatim (upstream form). `component` is preferred: it follows the affix.'),
    servicePort: z.number().int().optional().describe('Service port of `serviceName`/`component` (default: the component\'s HTTPS port, or BigMon\'s `service.httpsPort`).'),
  })
  .refine((p) => !(p.component && p.serviceName), { message: 'give either component or serviceName, not both' });

const ingressHostSchema = z.strictObject({
  domain: z.string().default('').describe('Domain appended to the object name when no hostOverride is given.'),
  hostOverride: z.string().default('').describe('Full host name; wins over `<name>.<domain>`.'),
  paths: z.array(ingressPathSchema).default([{ path: '/', pathType: 'Prefix' }]),
});

export const bigmonIngressSchema = z
  .strictObject({
    enabled: bool('Expose BigMon through an Ingress.', true),
    className: str('ingressClassName (set only when non-empty).', ''),
    annotations: z.record(z.string(), z.string()).default(BIGMON_INGRESS_ANNOTATIONS).describe('Ingress annotations, verbatim.'),
    hosts: z.array(ingressHostSchema).default([{ domain: 'cern.ch', hostOverride: '', paths: [{ path: '/', pathType: 'Prefix' }] }] as never),
    tls: z
      .array(
        ingressTlsSchema.extend({ secretName: unused('Ignored: the TLS certificate is always the `<global.secret>-bigmon-tls-certs` Secret of the secrets lifecycle.') }),
      )
      .default([{ hosts: [{ domain: 'cern.ch', hostOverride: '' }] }] as never),
  })
  .prefault({});
export type BigmonIngressValues = z.infer<typeof bigmonIngressSchema>;

export const mainSchema = z
  .strictObject({
    ...workloadFields({ repository: 'ghcr.io/pandawms/panda-bigmon-core', tag: 'v1.1.7', pullPolicy: 'IfNotPresent' }),
    kind: z.literal('StatefulSet').default('StatefulSet').describe('Workload kind: a StatefulSet, as upstream since 2022-12.\n@default "StatefulSet"'),
    autoStart: bool('Wait for the PanDA database (PostgreSQL backend), then start BigMon when the pod starts; false leaves the pod idle for debugging.', true),
    persistentvolume: storageSchema({ path: '/mnt/bigmon-main-logs', create: false, class: null }, sharedStorageFields)
      .describe(
        'Logs volume, mounted at /data/bigmon/logs: an own hostPath PV/PVC when `create` (reclaim policy Delete), else the shared claim `sharedPvcName`, else a volumeClaimTemplate (ReadWriteOnce, `class`, `size`).',
      ),
    hostName: str('Public host name of BigMon: the host of the Route.', 'FIXME'),
    installedAppsList: str('Comma-separated Django apps BigMon enables (BIGMON_INSTALLED_APPS_LIST, set only when non-empty), e.g. core.iDDS,core.reports.', ''),
    service: z
      .strictObject({
        type: str('Service type.', 'ClusterIP'),
        httpsPort: int('HTTPS port of the Service (targets the container port `https`, 8443); also the Ingress backend port.', 443),
      })
      .prefault({}),
    cvmfs: cvmfsSchema,
    ingress: bigmonIngressSchema,
    route: routeSchema,
    // 2022 keys: BigMon's settings and credentials moved into the secrets values at HEAD.
    hostcerts: unused(
      'Ignored: BigMon always mounts its host certificate from the `bigmon-certs` Secret (secrets files `bigmon_certs/`), or from `global.existingTlsSecret`.',
    ),
    httpProxy: movedToSecrets('http_proxy', 'proxy.httpProxy'),
    httpsProxy: movedToSecrets('https_proxy', 'proxy.httpsProxy'),
    noProxy: movedToSecrets('no_proxy', 'proxy.noProxy'),
    secretKey: movedToSecrets('BIGMON_SECRET_KEY', 'bigmon.secretKey'),
    vo: movedToSecrets('BIGMON_VO', 'bigmon.vo'),
    deployment: movedToSecrets('BIGMON_DEPLOYMENT', 'bigmon.deployment'),
    debugMode: movedToSecrets('BIGMON_DEBUG', 'bigmon.debugMode'),
    httpd: movedToSecrets('BIGMON_NUM_WSGI_PROC', 'bigmon.numWSGI'),
    panda: movedToSecrets('PANDA_DB_*', 'panda.database'),
    idds: movedToSecrets('IDDS_DB_* and IDDS_HOST', 'idds.database'),
    rucio: movedToSecrets('RUCIO_*', 'rucio'),
    auth: movedToSecrets('SOCIAL_AUTH_*', 'bigmon.auth.providers'),
    cric: movedToSecrets('CRIC_API_URL', 'cric'),
    aws: movedToSecrets('the object-store keys', 'bigmon object store settings'),
  })
  .prefault({});

/** Chart-level globals of upstream's bigmon chart (`global:` in helm/bigmon/values.yaml). */
const bigmonGlobalSchema = z
  .strictObject({
    existingTlsSecret: str(
      "An existing `kubernetes.io/tls` Secret (e.g. issued by cert-manager) to mount as BigMon's host certificate (tls.crt → hostcert.pem, tls.key → hostkey.pem) instead of the `bigmon-certs` Secret. Set `bigmon.existingTlsSecret` in the secrets values too, so the secrets lifecycle does not create one.",
      '',
    ),
  })
  .prefault({});

/** Values of the bigmon component (the PanDA monitor). */
export const bigmonSchema = z.strictObject({ global: bigmonGlobalSchema, main: mainSchema }).prefault({}).describe('PanDA monitor (BigMon).');
export type BigmonValues = z.output<typeof bigmonSchema>;
export type BigmonMainValues = BigmonValues['main'];
