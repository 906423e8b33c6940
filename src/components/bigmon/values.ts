import { z } from 'zod';
import {
  bool,
  ingressSchema,
  int,
  proxyFields,
  routeSchema,
  secretText,
  storageSchema,
  str,
  workloadFields,
} from '../../values/common.js';

/** The annotations upstream's BigMon Ingress carries: TLS passthrough to the pod's own httpd. */
export const BIGMON_INGRESS_ANNOTATIONS: Record<string, string> = {
  'kubernetes.io/ingress.class': 'nginx',
  'nginx.ingress.kubernetes.io/ssl-passthrough': 'true',
  'nginx.ingress.kubernetes.io/ssl-redirect': 'true',
  'nginx.ingress.kubernetes.io/secure-backends': 'true',
  'nginx.ingress.kubernetes.io/backend-protocol': 'HTTPS',
  'nginx.ingress.kubernetes.io/auth-tls-pass-certificate-to-upstream': 'true',
  'nginx.ingress.kubernetes.io/auth-tls-verify-client': 'optional',
};

/** Credentials: rendered into the `<fullname>-secret-env` Secret, never into the env ConfigMap. */
const secret = (description: string, def: string) => secretText(`${description} Kept in a Secret.`, def);

const oauthSchema = (provider: string) =>
  z
    .strictObject({
      key: secretText(`OAuth client id for ${provider}.`, 'FIXME'),
      secret: secret(`OAuth client secret for ${provider}.`, 'FIXME'),
    })
    .prefault({});

const databaseFields = (d: { name: string; user: string; what: string; host: string }) => ({
  databaseName: secretText(`Name of the ${d.what} database.`, d.name),
  port: secretText(`Port of the ${d.what} database.`, '5432'),
  userName: secretText(`User of the ${d.what} database.`, d.user),
  hostName: str(`Host of the ${d.what} database. Empty: ${d.host}.`, ''),
  password: secret(`Password of the ${d.what} database user.`, 'FIXME'),
});

export const mainSchema = z
  .strictObject({
    ...workloadFields({ repository: 'ghcr.io/pandawms/panda-bigmon-core', tag: 'v0.3.0', pullPolicy: 'IfNotPresent' }),
    autoStart: bool('Wait for the PanDA database, then start BigMon when the pod starts; false leaves the pod idle for debugging.', true),
    persistentvolume: storageSchema({ path: '/mnt/bigmon-main-logs', create: false, class: null }),
    hostcerts: z
      .strictObject({
        enabled: bool(
          'Mount a host certificate at /opt/bigmon/etc/cert: files hostcert.pem, hostkey.pem and chain.pem of the `certs` sandbox set (supply them with --sandbox-dir), kept in a Secret.',
          false,
        ),
      })
      .prefault({}),
    ...proxyFields,
    hostName: str('Public host name of BigMon (httpd ServerName, BIGMON_HOST, and the Route host).', 'FIXME'),
    secretKey: secret('Django secret key.', 'FIXME'),
    vo: str('Organisation shown by BigMon (BIGMON_VO).', 'FIXME'),
    deployment: str('Database flavour of the deployment (BIGMON_DEPLOYMENT).', 'POSTGRES'),
    debugMode: bool('Django debug mode (BIGMON_DEBUG).', false),
    httpd: z.strictObject({ numWSGI: int('Number of WSGI processes of httpd.', 10) }).prefault({}),
    panda: z
      .strictObject(databaseFields({ name: 'panda_db', user: 'panda', what: 'PanDA', host: "the stack's PanDA postgres Service" }))
      .prefault({}),
    idds: z
      .strictObject({
        ...databaseFields({ name: 'idds_db', user: 'idds', what: 'iDDS', host: "the stack's iDDS postgres Service" }),
        host: str("URL of the iDDS REST API (IDDS_HOST). Empty: the stack's iDDS rest Service, https port 8443.", ''),
      })
      .prefault({}),
    rucio: z
      .strictObject({
        rucioHost: str('Rucio server URL.', 'https://rucio-lb-prod.cern.ch'),
        authHost: str('Rucio authentication server URL.', 'https://rucio-auth-prod.cern.ch'),
        account: str('Rucio account.', 'iddsv1'),
      })
      .prefault({}),
    auth: z
      .strictObject({
        providers: z
          .array(z.string())
          .default([])
          .describe('Enabled authentication providers, e.g. google, cern, github, indigoiam (BIGMON_AUTH_PROVIDER_LIST, set only when non-empty).\n@default []'),
        google: oauthSchema('Google'),
        cern: oauthSchema('CERN SSO'),
        github: oauthSchema('GitHub'),
        indigoiam: z
          .strictObject({
            key: secretText('OAuth client id for INDIGO IAM.', 'FIXME'),
            secret: secret('OAuth client secret for INDIGO IAM.', 'FIXME'),
            basePath: str('Base URL of the IAM instance, e.g. https://panda-iam-doma.cern.ch.', 'FIXME'),
          })
          .prefault({}),
      })
      .prefault({}),
    cric: z
      .strictObject({ apiUrl: str('CRIC PanDA-queue API URL.', 'https://datalake-cric.cern.ch/api/atlas/pandaqueue/query/?json') })
      .prefault({}),
    aws: z
      .strictObject({
        accessKey: secret('AWS access key (AWS_ACCESS_KEY_ATLAS).', 'FIXME'),
        secretKey: secret('AWS secret key (AWS_SECRET_KEY_ATLAS).', 'FIXME'),
      })
      .prefault({}),
    service: z
      .strictObject({
        type: str('Service type.', 'ClusterIP'),
        httpsPort: int('HTTPS port of the Service (and the Ingress backend).', 443),
      })
      .prefault({}),
    ingress: ingressSchema({
      enabled: true,
      annotations: BIGMON_INGRESS_ANNOTATIONS,
      tls: [{ secretName: '', hosts: [{ domain: 'cern.ch', hostOverride: '' }] }],
    }),
    route: routeSchema,
  })
  .prefault({});

/** Values of the bigmon component (the PanDA monitor). */
export const bigmonSchema = z.strictObject({ main: mainSchema }).prefault({}).describe('PanDA monitor (BigMon).');
export type BigmonValues = z.output<typeof bigmonSchema>;
export type BigmonMainValues = BigmonValues['main'];
