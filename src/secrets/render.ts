/**
 * The secrets lifecycle: the Secrets every component reads (credentials, the hosts and URLs of the
 * other components, certificates, IAM configuration), installed once and separately from the
 * components. Pure: values and context in, objects out.
 */
import { IssueList } from '../core/errors.js';
import { LABEL, owner, secret, type K8sObject } from '../core/k8s.js';
import type { SecretsContext } from './context.js';
import { jwksProblem } from './keystore.js';
import { SECRET_KEY_RE, type SecretsValues } from './values.js';

/**
 * Suffixes of the Secrets each gated section of the values renders (`<section>.enabled`), in
 * render order. A component that reads `<prefix>-<suffix>` needs the section installed.
 */
export const SECRET_SUFFIXES = {
  harvester: ['harvester-envs', 'harvester-auth', 'harvester-certs', 'harvester-initdb'],
  iam: ['iam-db-envs', 'iam-envs', 'iam-initdb', 'iam-conf'],
  idds: ['idds-db-envs', 'idds-envs', 'idds-auth', 'idds-certs'],
  msgsvc: ['msgsvc-envs'],
  panda: ['panda-envs', 'panda-certs', 'panda-auth'],
} as const;

export type SecretSection = keyof typeof SECRET_SUFFIXES;
export type SecretSuffix = (typeof SECRET_SUFFIXES)[SecretSection][number];

const SECTIONS = Object.keys(SECRET_SUFFIXES) as SecretSection[];

/** Every suffix, in render order. */
export const ALL_SECRET_SUFFIXES: readonly SecretSuffix[] = SECTIONS.flatMap((s) => SECRET_SUFFIXES[s]);

/** Name of one Secret. */
export function secretName(prefix: string, suffix: SecretSuffix): string {
  return `${prefix}-${suffix}`;
}

/** Suffixes of the Secrets these values render. */
export function enabledSecretSuffixes(v: SecretsValues): SecretSuffix[] {
  return SECTIONS.filter((s) => v[s].enabled).flatMap((s) => SECRET_SUFFIXES[s]);
}

/** The STOMP port of the ActiveMQ Service. */
const ACTIVEMQ_PORT = '61613';
/** Where the iDDS image turns `auth.cfg.json` into its auth configuration file. */
const IDDS_AUTH_CFG = '/opt/idds/config/idds/auth.cfg';
const KEYSTORE = 'iam-keystore.jwks';
const IAM_CONFIG_DIR = '/indigo-iam/config/';

interface Body {
  stringData?: Record<string, string>;
  data?: Record<string, string>;
}

type Builders = { [S in SecretSection]: (v: SecretsValues, ctx: SecretsContext, issues: IssueList) => Record<(typeof SECRET_SUFFIXES)[S][number], Body> };

/** Hosts and URLs of the stack, from the one naming function the components use for their objects. */
function endpoints(v: SecretsValues, ctx: SecretsContext) {
  const server = ctx.stack.panda.sub('server');
  return {
    pandaUrl: `http://${server}:${v.panda.port}/server/panda`,
    pandaUrlSsl: `https://${server}:${v.panda.sslPort}/server/panda`,
    pandaDb: v.panda.database.dbhost || ctx.stack.panda.sub('postgres'),
    activemq: `${ctx.stack.msgsvc.sub('activemq')}:${ACTIVEMQ_PORT}`,
    iddsRest: ctx.stack.idds.sub('rest'),
    iddsDb: v.idds.database.host || ctx.stack.idds.sub('postgres'),
    harvesterDb: v.harvester.database.dbhost || ctx.stack.harvester.sub('mariadb'),
    iamDb: v.iam.database.host || ctx.stack.iam.sub('mariadb'),
    bigmon: `https://${ctx.stack.bigmon.sub('main')}`,
  };
}

/** The auth-config object of one OIDC client, as PanDA and iDDS read it. */
function authConfig(v: SecretsValues, c: SecretsValues['auth']['oidc']['clients'][number]) {
  return {
    client_secret: c.client_secret,
    audience: v.auth.oidc.audience,
    client_id: c.client_id,
    oidc_config_url: v.auth.oidc.config_url,
    vo: c.name,
  };
}

/** A MariaDB string literal. */
function sqlString(s: string): string {
  return `'${s.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`;
}

const baseName = (key: string) => key.slice(key.lastIndexOf('/') + 1);

/** A string literal's body for SQL: quotes doubled, backslashes escaped. */
const sqlText = (v: string) => v.replace(/\\/g, '\\\\').replace(/'/g, "''");

/** Every top-level file of one folder as `data`, keyed by file name. */
function folderFiles(ctx: SecretsContext, folder: string, issues: IssueList): Record<string, string> {
  const data: Record<string, string> = {};
  for (const [key, bytes] of [...ctx.files(folder)].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (key.includes('/')) continue;
    if (!SECRET_KEY_RE.test(key)) {
      issues.add({ where: `${folder}/${key}`, message: 'file name is not a valid Secret key', fix: "rename it using letters, digits, '.', '_' and '-' only" });
      continue;
    }
    data[key] = Buffer.from(bytes).toString('base64');
  }
  return data;
}

/** Certificates of one folder as `data`: every `*.pem`, in subfolders too, keyed by base name. */
function certificates(ctx: SecretsContext, folder: string, issues: IssueList): Record<string, string> {
  const data: Record<string, string> = {};
  const from = new Map<string, string>();
  for (const [key, bytes] of [...ctx.files(folder)].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const name = baseName(key);
    if (!name.endsWith('.pem')) continue;
    if (!SECRET_KEY_RE.test(name)) {
      issues.add({ where: `${folder}/${key}`, message: 'file name is not a valid Secret key', fix: "rename it using letters, digits, '.', '_' and '-' only" });
      continue;
    }
    const seen = from.get(name);
    if (seen !== undefined) {
      issues.add({ where: `${folder}/${key}`, message: `same file name as ${folder}/${seen}; both would be the Secret key ${name}`, fix: 'keep one of them' });
      continue;
    }
    from.set(name, key);
    data[name] = Buffer.from(bytes).toString('base64');
  }
  return data;
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
  if (supplied) {
    const problem = jwksProblem(Buffer.from(supplied).toString('utf8'));
    if (problem) issues.add({ where: `iam_conf/${KEYSTORE}`, message: `the IAM keystore ${problem}`, fix: 'supply a JWK set with an RSA private key, or remove the file to have one generated' });
  } else {
    files.set(KEYSTORE, new TextEncoder().encode(ctx.iamKeystore));
  }
  const stringData: Record<string, string> = {};
  const data: Record<string, string> = {};
  for (const [name, bytes] of [...files].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    try {
      stringData[name] = utf8.decode(bytes);
    } catch {
      data[name] = Buffer.from(bytes).toString('base64');
    }
  }
  return Object.keys(data).length ? { stringData, data } : { stringData };
}

const builders: Builders = {
  harvester: (v, ctx, issues) => {
    const e = endpoints(v, ctx);
    const h = v.harvester;
    return {
      'harvester-envs': {
        stringData: {
          MARIADB_DATABASE: 'harvester',
          MARIADB_USER: 'harvester',
          MARIADB_PASSWORD: h.database.password,
          MARIADB_ROOT_PASSWORD: `${h.database.password}-admin`,
          HARVESTER_DB_HOST: e.harvesterDb,
          PANDA_AUTH_ID_TOKEN: v.auth.authIdToken,
          PANDA_AUTH_VO: v.auth.authVO,
          PANDA_BEHIND_REAL_LB: '1',
          PANDA_URL: e.pandaUrl,
          PANDA_URL_SSL: e.pandaUrlSsl,
          ...(h.experiment ? { EXPERIMENT: h.experiment } : {}),
          HARVESTER_ID: h.harvesterID,
          ...(h.useStableCondor ? { CONDOR_CHANNEL: '.stable' } : {}),
        },
      },
      // files of harvester_auth/ (e.g. the internal client's token configuration), mounted at /opt/harvester/etc/auth
      'harvester-auth': { data: folderFiles(ctx, 'harvester_auth', issues) },
      'harvester-certs': { data: certificates(ctx, 'harvester_certs', issues) },
      // run by MariaDB on its first start (/docker-entrypoint-initdb.d)
      'harvester-initdb': {
        stringData: {
          'init_harvester_db.sql': [
            'CREATE DATABASE IF NOT EXISTS harvester;',
            `CREATE USER IF NOT EXISTS 'harvester'@'%' IDENTIFIED BY '${sqlText(h.database.password)}';`,
            "GRANT ALL PRIVILEGES ON harvester.* TO 'harvester'@'localhost';",
            "GRANT ALL PRIVILEGES ON harvester.* TO 'harvester'@'%';",
            'FLUSH PRIVILEGES;',
            '',
          ].join('\n'),
        },
      },
    };
  },

  iam: (v, ctx, issues) => {
    const e = endpoints(v, ctx);
    const i = v.iam;
    const db = i.database;
    return {
      'iam-db-envs': {
        stringData: { MARIADB_USER: db.user, MARIADB_PASSWORD: db.password, MARIADB_ROOT_PASSWORD: db.admin_password },
      },
      'iam-envs': {
        stringData: {
          IAM_JAVA_OPTS: [i.profiles ? `-Dspring.profiles.active=${i.profiles}` : '', '-Dlog4j2.formatMsgNoLookups=true'].filter(Boolean).join(' '),
          IAM_DB_HOST: e.iamDb,
          IAM_DB_NAME: db.name,
          IAM_DB_USERNAME: db.user,
          IAM_DB_PASSWORD: db.password,
          IAM_CILOGON_CLIENT_ID: i.cilogon.client_id,
          IAM_CILOGON_CLIENT_SECRET: i.cilogon.client_secret,
          IAM_PORT: '8080',
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
          IAM_BASE_URL: i.baseUrl,
          IAM_ISSUER: i.issuer || i.baseUrl,
          IAM_USE_FORWARDED_HEADERS: 'true',
          IAM_KEY_STORE_LOCATION: `file://${IAM_CONFIG_DIR}${KEYSTORE}`,
          IAM_MAIL_HOST: i.mail.host,
          IAM_MAIL_PORT: i.mail.port,
          IAM_NOTIFICATION_FROM: i.notification.from,
          IAM_NOTIFICATION_ADMIN_ADDRESS: i.notification.adminAddress,
        },
      },
      'iam-initdb': {
        stringData: {
          'init_org_db.sql': [
            `CREATE DATABASE ${db.name} CHARACTER SET latin1 COLLATE latin1_swedish_ci;`,
            `GRANT ALL PRIVILEGES ON ${db.name}.* TO ${sqlString(db.user)}@'%' IDENTIFIED BY ${sqlString(db.password)};`,
            '',
          ].join('\n'),
        },
      },
      'iam-conf': iamConf(ctx, issues),
    };
  },

  idds: (v, ctx, issues) => {
    const e = endpoints(v, ctx);
    const db = v.idds.database;
    const clients = v.auth.oidc.clients;
    const auth = {
      [IDDS_AUTH_CFG]: {
        common: { allow_vos: clients.map((c) => c.name).join(',') },
        ...Object.fromEntries(clients.map((c) => [c.name, authConfig(v, c)])),
        // Upstream's configuration carries this section too; iDDS runs with it, so it stays.
        test_vo: { a: 'b' },
      },
    };
    return {
      'idds-db-envs': {
        stringData: { POSTGRES_DB: db.name, POSTGRES_USER: db.user, POSTGRES_PASSWORD: db.password, POSTGRES_SCHEMA: db.schema },
      },
      'idds-envs': {
        stringData: {
          PANDA_AUTH_ID_TOKEN: v.auth.authIdToken,
          PANDA_AUTH_VO: v.auth.authVO,
          PANDA_AUTH: v.auth.auth,
          PANDA_BEHIND_REAL_LB: '1',
          PANDA_MONITOR_URL: e.bigmon,
          PANDA_URL: e.pandaUrl,
          PANDA_URL_SSL: e.pandaUrlSsl,
          PANDACACHE_URL: `https://${v.panda.hostName}:${v.panda.sslPort}/server/panda`,
          PANDA_VERIFY_HOST: v.panda.verifyHost,
          PANDA_CONFIG_ROOT: v.panda.configRoot,
          IDDS_DATABASE_NAME: db.name,
          IDDS_DATABASE_USER: db.user,
          IDDS_DATABASE_PASSWORD: db.password,
          IDDS_DATABASE_SCHEMA: db.schema,
          IDDS_DATABASE_HOST: e.iddsDb,
          IDDS_CONDUCTOR_BROKERS: e.activemq,
          IDDS_CONDUCTOR_PORT: ACTIVEMQ_PORT,
          IDDS_CONDUCTOR_DESTINATION: '/queue/idds_panda',
          IDDS_CONDUCTOR_USERNAME: 'idds',
          IDDS_CONDUCTOR_PASSWORD: `${v.msgsvc.basePasswd}_idds`,
          IDDS_SERVER: `https://${e.iddsRest}:${v.idds.restPort}`,
        },
      },
      'idds-auth': { stringData: { 'auth.cfg.json': JSON.stringify(auth, null, 2) } },
      'idds-certs': { data: certificates(ctx, 'idds_certs', issues) },
    };
  },

  msgsvc: (v) => ({
    'msgsvc-envs': {
      stringData: {
        ACTIVEMQ_BASE_PASSWD: v.msgsvc.basePasswd,
        ACTIVEMQ_CHANNELS: v.msgsvc.channels.join(';'),
        ACTIVEMQ_ACCOUNTS: v.msgsvc.accounts.join(';'),
      },
    },
  }),

  panda: (v, ctx, issues) => {
    const e = endpoints(v, ctx);
    const p = v.panda;
    const r = v.rucio;
    return {
      'panda-envs': {
        stringData: {
          PANDA_DB_PASSWORD: p.database.password,
          PANDA_DB_HOST: e.pandaDb,
          PANDA_URL: e.pandaUrl,
          PANDA_URL_SSL: e.pandaUrlSsl,
          PANDA_VERIFY_HOST: p.verifyHost,
          PANDA_AUTH: v.auth.auth,
          PANDA_AUTH_ID_TOKEN: v.auth.authIdToken,
          PANDA_AUTH_VO: v.auth.authVO,
          ...(p.hostName ? { PANDA_SANDBOX_HOST: p.hostName } : {}),
          PANDA_ACTIVEMQ_LIST: e.activemq,
          PANDA_ACTIVEMQ_PASSWD_panda: `${v.msgsvc.basePasswd}_panda`,
          PANDA_ACTIVEMQ_PASSWD_jedi: `${v.msgsvc.basePasswd}_jedi`,
          PANDA_IDDS_HOST: e.iddsRest,
          PANDA_IDDS_PORT: v.idds.restPort,
          PANDA_IDDS_AUTH_ID_TOKEN: v.auth.authIdToken,
          PANDA_IDDS_AUTH_VO: v.auth.authVO,
          PANDA_RUCIO_HOST: r.rucioHost,
          PANDA_RUCIO_AUTH_HOST: r.authHost,
          PANDA_RUCIO_USERNAME: r.username,
          PANDA_RUCIO_PASSWORD: r.password,
          PANDA_RUCIO_ACCOUNT: r.account,
        },
      },
      'panda-certs': { data: certificates(ctx, 'panda_certs', issues) },
      'panda-auth': {
        stringData: Object.fromEntries(v.auth.oidc.clients.map((c) => [`${c.name}_auth_config.json`, JSON.stringify(authConfig(v, c))])),
      },
    };
  },
};

/** The Secrets of every enabled section, in {@link SECRET_SUFFIXES} order. Throws a PandaError listing every unusable file. */
export function renderSecrets(v: SecretsValues, ctx: SecretsContext): K8sObject[] {
  const issues = new IssueList();
  const out: K8sObject[] = [];
  for (const section of SECTIONS) {
    if (!v[section].enabled) continue;
    const bodies = builders[section](v, ctx, issues) as Record<SecretSuffix, Body>;
    const o = owner('secrets', ctx.prefix, section);
    for (const suffix of SECRET_SUFFIXES[section]) {
      const s = secret(o, secretName(ctx.prefix, suffix), bodies[suffix]);
      s.metadata.labels = { ...s.metadata.labels, [LABEL.lifecycle]: 'secrets' };
      out.push(s);
    }
  }
  issues.throwIfAny('the secrets files directory has unusable files');
  return out;
}
