/**
 * The secrets lifecycle: the Secrets every component reads (credentials, the hosts and URLs of the
 * other components, certificates, IAM configuration), installed once and separately from the
 * components. Pure: values and context in, objects out. Which Secrets exist and which keys they
 * hold is the catalogue of ./refs.ts; every host is a Service name from the one names module.
 */
import { IssueList, type Issue } from '../core/errors.js';
import { LABEL, owner, secret, type K8sObject } from '../core/k8s.js';
import type { SecretsContext } from './context.js';
import { isPublishedKeystore, jwksProblem } from './keystore.js';
import { SECRET_IDS, SECRETS, secretName, type SecretId, type SecretSection } from './refs.js';
import { SECRET_KEY_RE, type SecretsValues } from './values.js';

export { secretName } from './refs.js';

/** Whether a section's Secrets are rendered with these values. */
function sectionOn(v: SecretsValues, s: SecretSection): boolean {
  return s === 'cric' ? !v.cric.real : v[s].enabled;
}

/** Ids of the Secrets these values render, in render order. */
export function enabledSecretIds(v: SecretsValues): SecretId[] {
  return SECRET_IDS.filter((id) => sectionOn(v, SECRETS[id].section) && !replacedByExisting(v, id));
}

/** panda and bigmon certificates are not rendered when the operator names a TLS Secret of their own. */
function replacedByExisting(v: SecretsValues, id: SecretId): boolean {
  return (v.panda.existingTlsSecret !== '' && (id === 'panda-certs' || id === 'panda-tls-certs')) || (v.bigmon.existingTlsSecret !== '' && (id === 'bigmon-certs' || id === 'bigmon-tls-certs'));
}

/** The STOMP port of the ActiveMQ Service. */
const ACTIVEMQ_PORT = '61613';
/** Where the iDDS image turns `auth.cfg.json` into its auth configuration file. */
const IDDS_AUTH_CFG = '/opt/idds/config/idds/auth.cfg';
const KEYSTORE = 'iam-keystore.jwks';
const IAM_CONFIG_DIR = '/indigo-iam/config/';
/** Where the PanDA server's token cache writes the short-lived internal token. */
const PANDA_INTERNAL_TOKEN = '/tmp/proxies/panda_internal_token';
/** Where harvester keeps the token it gets for PanDA. */
const HARVESTER_INTERNAL_TOKEN = '/opt/harvester/etc/auth_tokens/panda_token';
const CA_CERTS = '/etc/grid-security/certificates/';

interface Body {
  stringData?: Record<string, string>;
  data?: Record<string, string>;
}

/** Hosts and URLs of the stack, from the one naming function the components use for their objects. */
function endpoints(v: SecretsValues, ctx: SecretsContext) {
  const s = ctx.stack;
  const server = s.panda.sub('server');
  const iddsDb = v.idds.database.dbhost || v.idds.database.host || s.idds.sub('postgres');
  return {
    server,
    pandaUrl: `http://${server}:${v.panda.port}/server/panda`,
    pandaUrlSsl: `https://${server}:${v.panda.sslPort}/server/panda`,
    apiUrl: `http://${server}:${v.panda.port}/api/v1`,
    apiUrlSsl: `https://${server}:${v.panda.sslPort}/api/v1`,
    pandaDb: v.panda.database.dbhost || s.panda.sub('postgres'),
    activemq: `${s.msgsvc.sub('activemq')}:${ACTIVEMQ_PORT}`,
    iddsRest: s.idds.sub('rest'),
    iddsDb,
    harvesterDb: v.harvester.database.dbhost || s.harvester.sub('mariadb'),
    iamDb: v.iam.database.host || s['iam-db'].sub('mariadb'),
    bigmon: `https://${s.bigmon.sub('main')}`,
  };
}
type Endpoints = ReturnType<typeof endpoints>;

/** `http_proxy`, `https_proxy` and `no_proxy` when a proxy is set (each from its own value: B5). */
function proxyEnv(v: SecretsValues, e: Endpoints): Record<string, string> {
  const { httpProxy, httpsProxy, noProxy } = v.proxy;
  if (!httpProxy && !httpsProxy) return {};
  return {
    ...(httpProxy ? { http_proxy: httpProxy } : {}),
    ...(httpsProxy ? { https_proxy: httpsProxy } : {}),
    no_proxy: noProxy || `localhost,${e.server},${e.iddsRest}`,
  };
}

/** The internal token: a file the token cache renews (with `auth.auth_client_id`), else the long-lived ID token. */
function internalToken(v: SecretsValues, file: string): { PANDA_AUTH_ID_TOKEN: string; PANDA_AUTH_VO: string } {
  return v.auth.auth_client_id
    ? { PANDA_AUTH_ID_TOKEN: `file:${file}`, PANDA_AUTH_VO: `${v.auth.authVO}.internal` }
    : { PANDA_AUTH_ID_TOKEN: v.auth.authIdToken, PANDA_AUTH_VO: v.auth.authVO };
}

type Client = SecretsValues['auth']['oidc']['clients'][number];

/** The auth-config object of one OIDC client, as PanDA and iDDS read it (keys sorted, as upstream's toJson). */
function authConfig(v: SecretsValues, c: Client): Record<string, string | null> {
  return {
    audience: c.audience || v.auth.oidc.audience,
    client_id: c.client_id,
    client_secret: c.client_secret === '' ? null : c.client_secret,
    ...(c.jwt_profile !== undefined ? { jwt_profile: c.jwt_profile } : {}),
    oidc_config_url: c.config_url || v.auth.oidc.config_url,
    robot_ids: c.robot_ids,
    vo: c.name,
  };
}

/** A MariaDB string literal. */
function sqlString(s: string): string {
  return `'${s.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`;
}

const b64 = (s: string | Uint8Array) => Buffer.from(s).toString('base64');
const baseName = (key: string) => key.slice(key.lastIndexOf('/') + 1);
const byName = ([a]: [string, unknown], [b]: [string, unknown]) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Files of one folder as base64 `data`, keyed by base name: those at any depth whose name
 * matches `match` (`**.pem`), or only the top-level ones (`*`).
 */
function filesData(ctx: SecretsContext, folder: string, issues: IssueList, match: RegExp, deep: boolean, into: Record<string, string> = {}, from = new Map<string, string>()): Record<string, string> {
  for (const [key, bytes] of [...ctx.files(folder)].sort(byName)) {
    if (!deep && key.includes('/')) continue;
    const name = baseName(key);
    if (!match.test(name)) continue;
    if (!SECRET_KEY_RE.test(name)) {
      issues.add({ where: `${folder}/${key}`, message: 'file name is not a valid Secret key', fix: "rename it using letters, digits, '.', '_' and '-' only" });
      continue;
    }
    const seen = from.get(name);
    if (seen !== undefined) {
      issues.add({ where: `${folder}/${key}`, message: `same file name as ${seen}; both would be the Secret key ${name}`, fix: 'keep one of them' });
      continue;
    }
    from.set(name, `${folder}/${key}`);
    into[name] = b64(bytes);
  }
  return into;
}

const PEM = /\.pem$/;
const PROXY = /\.proxy$/;
const ANY = /^/;

/** `tls.crt` and `tls.key` from `<folder>/hostcert.pem` and `hostkey.pem` (empty when absent, as upstream). */
function tlsPair(ctx: SecretsContext, folder: string): Body {
  const f = ctx.files(folder);
  const get = (n: string) => {
    const bytes = f.get(n);
    return bytes ? b64(bytes) : '';
  };
  return { data: { 'tls.crt': get('hostcert.pem'), 'tls.key': get('hostkey.pem') } };
}

/** One file of a folder as `data` under its own name (empty when absent, as upstream). */
function oneFile(ctx: SecretsContext, folder: string, name: string): Body {
  const bytes = ctx.files(folder).get(name);
  return { data: { [name]: bytes ? b64(bytes) : '' } };
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** IAM configuration files (top level of `iam_conf/`) plus the signing keystore. */
function iamConf(ctx: SecretsContext, issues: IssueList): Body {
  const files = new Map<string, Uint8Array>();
  for (const [key, bytes] of ctx.files('iam_conf')) {
    if (key.includes('/')) continue;
    if (!SECRET_KEY_RE.test(key)) {
      issues.add({ where: `iam_conf/${key}`, message: 'file name is not a valid Secret key', fix: "rename it using letters, digits, '.', '_' and '-' only" });
      continue;
    }
    files.set(key, bytes);
  }
  const supplied = files.get(KEYSTORE);
  const text = supplied && Buffer.from(supplied).toString('utf8');
  if (text && !isPublishedKeystore(text)) {
    const problem = jwksProblem(text);
    if (problem) issues.add({ where: `iam_conf/${KEYSTORE}`, message: `the IAM keystore ${problem}`, fix: 'supply a JWK set with an RSA private key, or remove the file to have one generated' });
  } else {
    // none supplied, or upstream's published key (B9): the generated or installed one
    files.set(KEYSTORE, new TextEncoder().encode(ctx.iamKeystore));
  }
  const stringData: Record<string, string> = {};
  const data: Record<string, string> = {};
  for (const [name, bytes] of [...files].sort(byName)) {
    try {
      stringData[name] = utf8.decode(bytes);
    } catch {
      data[name] = b64(bytes);
    }
  }
  return Object.keys(data).length ? { stringData, data } : { stringData };
}

/** The four credentials of a database, one base64 key each. */
function dbCredentials(root: string, name: string, user: string, password: string): Body {
  return { data: { root_password: b64(root), database_name: b64(name), user_name: b64(user), user_password: b64(password) } };
}

const iamRootPassword = (v: SecretsValues) => v.iam.database.root_password ?? v.iam.database.admin_password ?? `${v.iam.database.password}_admin`;
const harvesterRootPassword = (v: SecretsValues) => v.harvester.database.admin_password || `${v.harvester.database.password}-admin`;

function bigmonEnvs(v: SecretsValues, e: Endpoints): Body {
  const b = v.bigmon;
  const pdb = v.panda.database;
  const bdb = b.database;
  const backend = (bdb.backend !== 'FIXME' && bdb.backend) || b.dbBackend || pdb.backend;
  const providers = Object.entries(b.auth.providers).sort(byName);
  const social: Record<string, string> = {};
  for (const [p, settings] of providers) for (const [k, val] of Object.entries(settings).sort(byName)) social[`SOCIAL_AUTH_${p.toUpperCase()}_${k.toUpperCase()}`] = val;
  const cern = b.auth.providers.cern;
  if (cern) Object.assign(social, { SOCIAL_AUTH_CERNOIDC_KEY: cern.key ?? '', SOCIAL_AUTH_CERNOIDC_SECRET: cern.secret ?? '' });
  const r = v.rucio;
  const x509 = r.authType === 'x509_proxy';
  const os = v.object_store;
  return {
    stringData: {
      BIGMON_HOST: b.hostname,
      BIGMON_NUM_WSGI_PROC: b.numWSGI,
      BIGMON_SECRET_KEY: b.secretKey,
      BIGMON_VO: b.vo,
      BIGMON_DEPLOYMENT: b.deployment || backend.toUpperCase(),
      BIGMON_DB_ACCESS: b.dbaccess || `dbaccess_${backend}`,
      PRMON_LOGS_DIRECTIO_LOCATION: b.prmonLocation,
      BIGMON_DEBUG: b.debugMode ? 'True' : 'False',
      BIGMON_INSTALLED_APPS_LIST: b.bigmon_extra,
      LOGS_PROVIDER: b.logs_provider || 'rucio',
      BIGMON_AUTH_PROVIDER_LIST: providers.map(([p]) => p).join(','),
      ...social,
      PANDA_DB_BACKEND: backend,
      ...(backend === 'oracle' ? { TNS_ADMIN: '/data/bigmon/config' } : {}),
      // each setting falls back to the PanDA database's (upstream empties them all when `bigmon.database` exists)
      PANDA_DB_NAME: bdb.name ?? pdb.name,
      PANDA_DB_HOST: bdb.dbhost ?? e.pandaDb,
      PANDA_DB_PORT: bdb.dbport ?? pdb.dbport,
      PANDA_DB_USER: bdb.user ?? pdb.user,
      PANDA_DB_PASSWORD: bdb.password ?? pdb.password,
      IDDS_DB_NAME: v.idds.database.name,
      IDDS_DB_HOST: e.iddsDb,
      IDDS_DB_PORT: v.idds.database.port,
      IDDS_DB_USER: v.idds.database.user,
      IDDS_DB_PASSWORD: v.idds.database.password,
      IDDS_DB_SCHEMA: v.idds.database.schema,
      IDDS_HOST: e.iddsRest,
      IDDS_PORT: v.idds.restPort,
      IDDS_AUTH_ID_TOKEN: v.auth.authIdToken,
      IDDS_AUTH_VO: v.auth.authVO,
      RUCIO_SERVER_HOST: r.rucioHost,
      RUCIO_AUTH_HOST: r.authHost,
      RUCIO_ACCOUNT: r.account,
      RUCIO_CONFIG: '/opt/bigmon/etc/rucio.cfg',
      RUCIO_AUTH_TYPE: x509 ? 'x509_proxy' : 'userpass',
      X509_USER_PROXY: x509 ? `/opt/bigmon/etc/cert/${baseName(r.clientX509Proxy)}` : '',
      RUCIO_CA_CERT: (x509 && r.caCert) || CA_CERTS,
      RUCIO_USERNAME: x509 ? '' : r.username,
      RUCIO_PASSWORD: x509 ? '' : r.password,
      CRIC_API_URL: v.cric.real ? v.cric.schedConfig : `http://${e.server}:${v.panda.port}/cric/panda_queues.json`,
      host_name: os.host_name,
      port: os.port,
      bucket_name: os.bucket_name,
      access_key: os.access_key,
      secret_key: os.secret_key,
      ...proxyEnv(v, e),
    },
  };
}

function harvesterEnvs(v: SecretsValues, e: Endpoints): Body {
  const h = v.harvester;
  const db = h.database;
  const cric = v.cric;
  const served = (file: string) => `https://${e.server}:${v.panda.sslPort}/cric/${file}`;
  return {
    stringData: {
      MARIADB_DATABASE: db.name,
      MARIADB_USER: db.user,
      MARIADB_PASSWORD: db.password,
      MARIADB_ROOT_PASSWORD: harvesterRootPassword(v),
      HARVESTER_DB_HOST: e.harvesterDb,
      ...(db.dbhost_add_index
        ? { HARVESTER_DB_HOST_ADD_INDEX: db.dbhost_add_index, HARVESTER_DB_HOST_PREFIX: db.dbhost_prefix, ...(db.dbhost_domain ? { HARVESTER_DB_HOST_DOMAIN: db.dbhost_domain } : {}) }
        : {}),
      ...(db.db_add_index && db.name_prefix ? { HARVESTER_DB_ADD_INDEX: db.db_add_index, MARIADB_DATABASE_PREFIX: db.name_prefix } : {}),
      ...internalToken(v, HARVESTER_INTERNAL_TOKEN),
      PANDA_BEHIND_REAL_LB: '1',
      PANDA_VERIFY_HOST: 'off',
      PANDA_URL: e.pandaUrl,
      PANDA_URL_SSL: e.pandaUrlSsl,
      BIGMON_BASE_URL: v.bigmon.base_url,
      ...(h.experiment ? { EXPERIMENT: h.experiment } : {}),
      HARVESTER_ID: h.harvesterID,
      CONDOR_CHANNEL: `.${h.condorChannel || (h.useStableCondor ? 'stable' : 'latest')}`,
      HARVESTER_CRIC_OS: cric.real ? cric.objectStores : served('ddm_objectstores.json'),
      HARVESTER_CRIC_DDMENDPOINTS: cric.real ? cric.ddmEndpoints : served('ddm_endpoints.json'),
      HARVESTER_CRIC_URL_DDMENDPOINTS: cric.real ? cric.ddmEndpoints : `https://${v.panda.hostName}/cric/ddm_endpoints.json`,
      HARVESTER_CRIC_SCHEDCONFIG: cric.real ? cric.schedConfig : served('panda_queues.json'),
      ...proxyEnv(v, e),
    },
  };
}

function harvesterInitdb(v: SecretsValues): Body {
  const db = v.harvester.database;
  const user = sqlString(db.user);
  const grant = (name: string) => [`GRANT ALL PRIVILEGES ON ${name}.* TO ${user}@'localhost';`, `GRANT ALL PRIVILEGES ON ${name}.* TO ${user}@'%';`];
  const lines = [`CREATE DATABASE ${db.name};`, `CREATE USER ${user}@'%' IDENTIFIED BY ${sqlString(db.password)};`, ...grant(db.name)];
  for (let i = 0; i < (v.harvester.replicaCount ?? 0); i++) lines.push(`CREATE DATABASE ${db.name}_${i};`, ...grant(`${db.name}_${i}`));
  lines.push('FLUSH PRIVILEGES;', '');
  return { stringData: { 'init_harvester_db.sql': lines.join('\n') } };
}

function iamEnvs(v: SecretsValues, e: Endpoints): Body {
  const i = v.iam;
  const db = i.database;
  const baseUrl = i.base_url !== 'FIXME' || i.baseUrl === undefined ? i.base_url : i.baseUrl;
  return {
    stringData: {
      IAM_JAVA_OPTS: [i.profiles ? `-Dspring.profiles.active=${i.profiles}` : '', '-Dlog4j2.formatMsgNoLookups=true'].filter(Boolean).join(' '),
      IAM_DB_HOST: e.iamDb,
      IAM_DB_NAME: db.name,
      IAM_DB_USERNAME: db.user,
      IAM_DB_PASSWORD: db.password,
      IAM_CILOGON_CLIENT_ID: i.cilogon.client_id,
      IAM_CILOGON_CLIENT_SECRET: i.cilogon.client_secret,
      IAM_PORT: i.port,
      IAM_ORGANISATION_NAME: i.organisationName,
      IAM_TOPBAR_TITLE: i.topbarTitle,
      IAM_ACCESS_TOKEN_INCLUDE_AUTHN_INFO: 'true',
      IAM_LOCAL_AUTHN_LOGIN_PAGE_VISIBILITY: 'hidden',
      IAM_CLIENT_REGISTRATION_ALLOW_FOR: 'REGISTERED_USERS',
      IAM_LOCAL_AUTHN_ENABLED_FOR: 'vo-admins',
      IAM_REGISTRATION_REQUIRE_EXTERNAL_AUTHENTICATION: 'true',
      IAM_LOGO_URL: 'https://atlpan.web.cern.ch/atlpan/PanDA-rev-logo-300.jpg',
      IAM_LOGO_HEIGHT: '200',
      IAM_LOGO_WIDTH: '200',
      IAM_REGISTRATION_OIDC_ISSUER: 'https://cilogon.org',
      IAM_BASE_URL: baseUrl,
      IAM_ISSUER: i.issuer || baseUrl,
      // IAM 1.8 reads the strategy; the configuration files read the older flag
      IAM_FORWARD_HEADERS_STRATEGY: 'native',
      IAM_USE_FORWARDED_HEADERS: 'true',
      IAM_KEY_STORE_LOCATION: `file://${IAM_CONFIG_DIR}${KEYSTORE}`,
      IAM_MAIL_HOST: i.mail.host,
      IAM_MAIL_PORT: i.mail.port,
      IAM_NOTIFICATION_FROM: i.notification.from,
      IAM_NOTIFICATION_ADMIN_ADDRESS: i.notification.adminAddress,
    },
  };
}

function iddsEnvs(v: SecretsValues, e: Endpoints): Body {
  const db = v.idds.database;
  const oracle = db.backend === 'oracle';
  const user = encodeURIComponent(db.user);
  const pass = encodeURIComponent(db.password);
  const mq = (name: string, queue: string) => ({
    [`IDDS_${name}_BROKERS`]: e.activemq,
    [`IDDS_${name}_PORT`]: ACTIVEMQ_PORT,
    [`IDDS_${name}_DESTINATION`]: `/queue/${queue}`,
    [`IDDS_${name}_USERNAME`]: 'idds',
    [`IDDS_${name}_PASSWORD`]: `${v.msgsvc.basePasswd}_idds`,
  });
  return {
    stringData: {
      PANDA_AUTH_ID_TOKEN: v.auth.authIdToken,
      PANDA_AUTH_VO: v.auth.authVO,
      PANDA_AUTH: v.auth.auth,
      PANDA_BEHIND_REAL_LB: '1',
      PANDA_MONITOR_URL: e.bigmon,
      PANDA_URL: e.pandaUrl,
      PANDA_URL_SSL: e.pandaUrlSsl,
      PANDA_API_URL_SSL: e.apiUrlSsl,
      PANDACACHE_URL: e.pandaUrlSsl,
      PANDA_VERIFY_HOST: v.panda.verifyHost,
      PANDA_CONFIG_ROOT: v.panda.configRoot,
      IDDS_DATABASE_NAME: db.name,
      IDDS_DATABASE_USER: db.user,
      IDDS_DATABASE_PASSWORD: db.password,
      IDDS_DATABASE_SCHEMA: db.schema,
      ...(oracle ? { TNS_ADMIN: '/opt/idds/configmap' } : {}),
      IDDS_DATABASE_HOST: e.iddsDb,
      IDDS_DATABASE_PORT: oracle ? '' : db.port,
      // credentials URL-escaped, so any password works (B25)
      IDDS_DATABASE_URL: oracle
        ? `oracle+oracledb://${user}:${pass}@${e.iddsDb}`
        : `postgresql://${user}:${pass}@${e.iddsDb}:${db.port}/${encodeURIComponent(db.name)}?keepalives=1&keepalives_idle=30&keepalives_interval=5&keepalives_count=5`,
      ...mq('CONDUCTOR', 'idds_panda'),
      ...mq('RECEIVER', 'panda_idds'),
      // the REST Service, which every pod can resolve (B10)
      IDDS_SERVER: `https://${e.iddsRest}:${v.idds.restPort}`,
      ...proxyEnv(v, e),
    },
  };
}

function iddsAuth(v: SecretsValues): Body {
  const clients = v.auth.oidc.clients;
  const auth = {
    [IDDS_AUTH_CFG]: {
      common: { allow_vos: clients.map((c) => c.name).join(',') },
      ...Object.fromEntries(clients.map((c) => [c.name, authConfig(v, c)])),
      // Upstream's configuration carries this section too; iDDS runs with it, so it stays.
      test_vo: { a: 'b' },
    },
  };
  return { stringData: { 'auth.cfg.json': JSON.stringify(auth, null, 2) } };
}

function pandaEnvs(v: SecretsValues, e: Endpoints): Body {
  const p = v.panda;
  const db = p.database;
  const r = v.rucio;
  const c = v.cric;
  const rucio: Record<string, string> =
    r.authType === 'x509_proxy'
      ? { PANDA_RUCIO_AUTH_TYPE: 'x509_proxy', PANDA_RUCIO_X509_PROXY: r.clientX509Proxy, PANDA_RUCIO_CA_CERT: r.caCert || CA_CERTS, PANDA_RUCIO_USERNAME: '', PANDA_RUCIO_PASSWORD: '' }
      : r.authType === 'oidc'
        ? {
            PANDA_RUCIO_AUTH_TYPE: 'oidc',
            PANDA_RUCIO_CA_CERT: r.caCert || CA_CERTS,
            PANDA_RUCIO_X509_PROXY: '',
            PANDA_RUCIO_USERNAME: '',
            PANDA_RUCIO_PASSWORD: '',
            PANDA_RUCIO_OIDC_AUDIENCE: r.oidcAudience,
            PANDA_RUCIO_OIDC_SCOPE: r.oidcScope,
            PANDA_RUCIO_OIDC_ISSUER: r.oidcIssuer,
            PANDA_RUCIO_OIDC_REFRESH_ACTIVE: r.oidcRefreshActive,
            PANDA_RUCIO_OIDC_REFRESH_BEFORE_EXP: r.oidcRefreshBeforeExp,
          }
        : { PANDA_RUCIO_AUTH_TYPE: 'userpass', PANDA_RUCIO_USERNAME: r.username, PANDA_RUCIO_PASSWORD: r.password, PANDA_RUCIO_X509_PROXY: '', PANDA_RUCIO_CA_CERT: CA_CERTS };
  return {
    stringData: {
      PANDA_DB_BACKEND: db.backend,
      PANDA_DB_PASSWORD: db.password,
      PANDA_DB_HOST: e.pandaDb,
      PANDA_DB_PORT: db.dbport,
      PANDA_DB_USER: db.user,
      PANDA_DB_NAME: db.name,
      PANDA_DB_SCHEMAPANDA: db.schemapanda,
      PANDA_DB_SCHEMAMETA: db.schemameta,
      PANDA_DB_SCHEMAPANDAARCH: db.schemapandaarch,
      PANDA_DB_SCHEMAJEDI: db.schemajedi,
      PANDA_DB_SCHEMADEFT: db.schemadeft,
      PANDA_URL: e.pandaUrl,
      PANDA_URL_SSL: e.pandaUrlSsl,
      PANDA_API_URL: e.apiUrl,
      PANDA_API_URL_SSL: e.apiUrlSsl,
      PANDA_BEHIND_REAL_LB: '1',
      PANDA_VERIFY_HOST: p.verifyHost,
      PANDA_AUTH: v.auth.auth,
      ...internalToken(v, PANDA_INTERNAL_TOKEN),
      // HEAD's name, and the 2022 one the older server images read
      ...(p.hostName ? { PANDA_HOSTNAME: p.hostName, PANDA_SANDBOX_HOST: p.hostName } : {}),
      PANDA_ACTIVEMQ_LIST: e.activemq,
      PANDA_ACTIVEMQ_PASSWD_panda: `${v.msgsvc.basePasswd}_panda`,
      PANDA_ACTIVEMQ_PASSWD_jedi: `${v.msgsvc.basePasswd}_jedi`,
      PANDA_IDDS_HOST: e.iddsRest,
      PANDA_IDDS_PORT: v.idds.restPort,
      PANDA_IDDS_AUTH_ID_TOKEN: v.auth.authIdToken,
      PANDA_IDDS_AUTH_VO: v.auth.authVO,
      PANDA_RUCIO_HOST: r.rucioHost,
      PANDA_RUCIO_AUTH_HOST: r.authHost,
      PANDA_RUCIO_ACCOUNT: r.account,
      ...rucio,
      ...(c.real
        ? {
            PANDA_CRIC_CM: c.costMetrix,
            PANDA_CRIC_DDMBLACKLIST: c.ddmBlackList,
            PANDA_CRIC_DDMENDPOINTS: c.ddmEndpoints,
            PANDA_CRIC_URL_DDMENDPOINTS: c.ddmEndpoints,
            PANDA_CRIC_SCHEDCONFIG: c.schedConfig,
            PANDA_CRIC_SITES: c.sites,
          }
        : {
            PANDA_CRIC_CM: '/var/cric/cm.json',
            PANDA_CRIC_DDMBLACKLIST: '/var/cric/ddm_blacklist.json',
            PANDA_CRIC_DDMENDPOINTS: '/var/cric/ddm_endpoints.json',
            PANDA_CRIC_URL_DDMENDPOINTS: `http://${e.server}:${v.panda.port}/cric/ddm_endpoints.json`,
            PANDA_CRIC_SCHEDCONFIG: '/var/cric/panda_queues.json',
            PANDA_CRIC_SITES: '/var/cric/sites.json',
          }),
      ...proxyEnv(v, e),
    },
  };
}

function pandaAuth(v: SecretsValues): Body {
  const a = v.auth;
  const files: Record<string, string> = Object.fromEntries(a.oidc.clients.map((c) => [`${c.name}_auth_config.json`, JSON.stringify(authConfig(v, c))]));
  if (a.auth_client_id) {
    files[`${a.authVO}.internal_auth_config.json`] = JSON.stringify({
      audience: a.oidc.audience,
      client_id: a.auth_client_id,
      client_secret: null,
      oidc_config_url: a.config_url || a.oidc.config_url,
      robot_ids: a.auth_client_id,
      vo: 'internal',
    });
  }
  return { stringData: files };
}

function pandaTokenCache(v: SecretsValues): Body {
  const a = v.auth;
  const t = a.oidc.token_cache;
  const cache: Record<string, Record<string, string | boolean>> = { [t.client_name]: { client_id: t.client_id, endpoint: t.endpoint, secret: t.client_secret, use_token_key: true } };
  if (a.auth_client_id) cache.internal = { client_id: a.auth_client_id, endpoint: a.auth_endpoint, secret: a.auth_client_secret, token_file_path: PANDA_INTERNAL_TOKEN };
  return { stringData: { 'token_cache_config.json': JSON.stringify(cache) } };
}

function harvesterAuth(v: SecretsValues, ctx: SecretsContext, issues: IssueList): Body {
  const data = filesData(ctx, 'harvester_auth', issues, ANY, false);
  const internal = 'token_panda-internal_client.json';
  if (v.auth.auth_client_id && !(internal in data)) {
    const issuer = v.auth.auth_endpoint.replace(/[^/]*$/, '');
    data[internal] = b64(JSON.stringify({ client_id: v.auth.auth_client_id, client_secret: v.auth.auth_client_secret, issuer }));
  }
  return { data };
}

type Builder = (v: SecretsValues, ctx: SecretsContext, e: Endpoints, issues: IssueList) => Body;

/** One builder per catalogued Secret: the compiler checks that none is missing. */
const builders: { [S in SecretId]: Builder } = {
  'bigmon-envs': (v, _c, e) => bigmonEnvs(v, e),
  'bigmon-certs': (_v, ctx, _e, issues) => {
    const from = new Map<string, string>();
    const data = filesData(ctx, 'bigmon_certs', issues, PEM, true, {}, from);
    return { data: filesData(ctx, 'panda_certs', issues, PROXY, true, data, from) };
  },
  'bigmon-tls-certs': (_v, ctx) => tlsPair(ctx, 'bigmon_certs'),
  'cric-jsons': (_v, ctx, _e, issues) => ({ data: filesData(ctx, 'cric_jsons', issues, /\.json$/, false) }),
  'harvester-db': (v) => dbCredentials(harvesterRootPassword(v), v.harvester.database.name, v.harvester.database.user, v.harvester.database.password),
  'harvester-db-id-rsa': (_v, ctx) => oneFile(ctx, 'harvester_db_conf', 'id_rsa'),
  'harvester-envs': (v, _c, e) => harvesterEnvs(v, e),
  'harvester-auth': (v, ctx, _e, issues) => harvesterAuth(v, ctx, issues),
  'harvester-certs': (_v, ctx, _e, issues) => ({ data: filesData(ctx, 'harvester_certs', issues, PEM, true) }),
  'harvester-initdb': (v) => harvesterInitdb(v),
  'iam-db': (v) => dbCredentials(iamRootPassword(v), v.iam.database.name, v.iam.database.user, v.iam.database.password),
  'iam-db-id-rsa': (_v, ctx) => oneFile(ctx, 'iam_db_conf', 'id_rsa'),
  'iam-db-envs': (v) => ({ stringData: { MARIADB_USER: v.iam.database.user, MARIADB_PASSWORD: v.iam.database.password, MARIADB_ROOT_PASSWORD: iamRootPassword(v) } }),
  'iam-envs': (v, _c, e) => iamEnvs(v, e),
  'iam-initdb': (v) => {
    const db = v.iam.database;
    return {
      stringData: {
        'init_org_db.sql': [
          `CREATE DATABASE ${db.name} CHARACTER SET latin1 COLLATE latin1_swedish_ci;`,
          `GRANT ALL PRIVILEGES ON ${db.name}.* TO ${sqlString(db.user)}@'%' IDENTIFIED BY ${sqlString(db.password)};`,
          '',
        ].join('\n'),
      },
    };
  },
  'iam-conf': (_v, ctx, _e, issues) => iamConf(ctx, issues),
  'iam-certs': (_v, ctx, _e, issues) => ({ data: filesData(ctx, 'iam_certs', issues, ANY, false) }),
  'iam-tls-certs': (_v, ctx) => tlsPair(ctx, 'iam_certs'),
  'idds-db-envs': (v) => {
    const db = v.idds.database;
    return {
      stringData: {
        IDDS_DB_BACKEND: db.backend,
        IDDS_DB: db.name,
        IDDS_USER: db.user,
        IDDS_PASSWORD: db.password,
        IDDS_SCHEMA: db.schema,
        // what the postgres image reads to create the database on its first start
        POSTGRES_DB: db.name,
        POSTGRES_USER: db.user,
        POSTGRES_PASSWORD: db.password,
        POSTGRES_SCHEMA: db.schema,
      },
    };
  },
  'idds-envs': (v, _c, e) => iddsEnvs(v, e),
  'idds-auth': (v) => iddsAuth(v),
  'idds-certs': (_v, ctx, _e, issues) => ({ data: filesData(ctx, 'idds_certs', issues, PEM, true) }),
  'idds-tls-certs': (_v, ctx) => tlsPair(ctx, 'idds_certs'),
  'msgsvc-envs': (v) => ({
    stringData: { ACTIVEMQ_BASE_PASSWD: v.msgsvc.basePasswd, ACTIVEMQ_CHANNELS: v.msgsvc.channels.join(';'), ACTIVEMQ_ACCOUNTS: v.msgsvc.accounts.join(';') },
  }),
  'panda-envs': (v, _c, e) => pandaEnvs(v, e),
  'panda-auth': (v) => pandaAuth(v),
  'panda-token-cache': (v) => pandaTokenCache(v),
  'panda-certs': (_v, ctx, _e, issues) => {
    const from = new Map<string, string>();
    const data = filesData(ctx, 'panda_certs', issues, PEM, true, {}, from);
    return { data: filesData(ctx, 'panda_certs', issues, PROXY, true, data, from) };
  },
  'panda-tls-certs': (_v, ctx) => tlsPair(ctx, 'panda_certs'),
  'ui-envs': (v, _c, e) => {
    const u = v.ui;
    const db = u.database.pandaui;
    return {
      stringData: {
        PANDAUI_NUM_WSGI_PROC: u.numWSGI,
        PANDAUI_SECRET_KEY: u.secret,
        AUTH_IAM_ENDPOINT: u.iam.endpoint,
        AUTH_IAM_CLIENT_ID: u.iam.client,
        AUTH_IAM_CLIENT_SECRET: u.iam.secret,
        DB_CONN_PANDAUI_VENDOR: db.vendor,
        DB_CONN_PANDAUI_NAME: db.service,
        ...(db.host ? { DB_CONN_PANDAUI_HOST: db.host } : {}),
        ...(db.port ? { DB_CONN_PANDAUI_PORT: db.port } : {}),
        DB_CONN_PANDAUI_USER: db.user,
        DB_CONN_PANDAUI_PASSWORD: db.password,
        DB_SCHEMA_PANDAUI: u.database.schema.pandaui,
        DB_SCHEMA_PANDA: u.database.schema.panda,
        PANDA_SERVER_API_URL: e.apiUrlSsl,
        ...proxyEnv(v, e),
      },
    };
  },
  'ui-certs': (_v, ctx, _e, issues) => ({ data: filesData(ctx, 'ui_certs', issues, PEM, true) }),
  'ui-tls-certs': (_v, ctx) => tlsPair(ctx, 'ui_certs'),
};

/** The Secrets of every enabled section, in catalogue order. Throws a PandaError listing every unusable file. */
export function renderSecrets(v: SecretsValues, ctx: SecretsContext): K8sObject[] {
  const issues = new IssueList();
  const e = endpoints(v, ctx);
  const out: K8sObject[] = [];
  for (const id of enabledSecretIds(v)) {
    const entry = SECRETS[id];
    const s = secret(owner('secrets', ctx.prefix, entry.section), secretName(ctx.prefix, id), builders[id](v, ctx, e, issues));
    if ('type' in entry) s.type = entry.type;
    s.metadata.labels = { ...s.metadata.labels, [LABEL.lifecycle]: 'secrets' };
    out.push(s);
  }
  issues.throwIfAny('the secrets files directory has unusable files');
  return out;
}

/** What an operator should know about these inputs, without failing: upstream's published IAM key, empty TLS pairs. */
export function secretsNotices(v: SecretsValues, ctx: SecretsContext): Issue[] {
  const out: Issue[] = [];
  const ks = ctx.files('iam_conf').get(KEYSTORE);
  if (v.iam.enabled && ks && isPublishedKeystore(Buffer.from(ks).toString('utf8')))
    out.push({
      where: `iam_conf/${KEYSTORE}`,
      message: 'is the private key published in upstream\'s repository; it is not used: IAM signs with a key of this installation (generated on the first install, kept afterwards)',
      fix: 'delete the file, or put your own key there or in --iam-key',
    });
  const empty = enabledSecretIds(v).flatMap((id) => {
    const folder = SECRETS[id].folder;
    const f = folder ? ctx.files(folder) : undefined;
    return 'type' in SECRETS[id] && folder && f && !(f.get('hostcert.pem') && f.get('hostkey.pem')) ? [{ id, folder }] : [];
  });
  if (empty.length)
    out.push({
      where: empty.map((x) => secretName(ctx.prefix, x.id)).join(', '),
      message: `TLS Secrets left empty: no hostcert.pem and hostkey.pem in ${empty.map((x) => `${x.folder}/`).join(', ')}`,
      fix: 'put the host certificate and key there for each Ingress that serves TLS with them',
    });
  return out;
}
