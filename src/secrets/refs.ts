/**
 * The catalogue of the Secrets the secrets lifecycle installs: each Secret's name (after the
 * prefix `global.secret`), the section of the secrets values that gates it, and the keys it holds.
 * Components take Secret names and keys from here ({@link secretName}, {@link secretKeyRef}), so a
 * reference to a Secret or key that is not installed is a compile error, and the secrets render is
 * tested against the same catalogue. Component declarations list the Secrets a sub-component
 * reads as typed references ({@link secretRefs}: `secretRefs.pandaEnvs`).
 */
import { secretName as nameOf } from '../core/names.js';

/** One Secret of the catalogue. */
export interface SecretEntry {
  /** Section of the secrets values whose `enabled` gates it (`cric`: rendered when `cric.real` is false). */
  readonly section: SecretSection;
  /** `kubernetes.io/tls` for the TLS pairs; Opaque otherwise. */
  readonly type?: 'kubernetes.io/tls';
  /** Keys it always holds. */
  readonly keys: readonly string[];
  /** Keys present only with some values (a proxy, an Oracle backend, an internal client, ...). */
  readonly optional?: readonly string[];
  /** Keys that come from the operator's files or lists (certificate file names, one per OIDC client). */
  readonly pattern?: RegExp;
  /** Folder of the secrets files directory its keys come from. */
  readonly folder?: string;
  /** What it is for. */
  readonly description: string;
}

export type SecretSection = 'bigmon' | 'cric' | 'harvester' | 'iam' | 'idds' | 'msgsvc' | 'panda' | 'ui';

/** `http_proxy`, `https_proxy`, `no_proxy`: in every env Secret when `proxy.httpProxy` or `proxy.httpsProxy` is set. */
export const PROXY_KEYS = ['http_proxy', 'https_proxy', 'no_proxy'] as const;
const TLS_KEYS = ['tls.crt', 'tls.key'] as const;
const DB_KEYS = ['root_password', 'database_name', 'user_name', 'user_password'] as const;
const PEM = /^[-._a-zA-Z0-9]+\.pem$/;

function entry<const K extends readonly string[], const O extends readonly string[] = readonly []>(
  e: Omit<SecretEntry, 'keys' | 'optional'> & { keys: K; optional?: O },
): Omit<SecretEntry, 'keys' | 'optional'> & { keys: K; optional: O } {
  return { ...e, optional: (e.optional ?? []) as O };
}

/** Every Secret, in render order. */
export const SECRETS = {
  'bigmon-envs': entry({
    section: 'bigmon',
    description: 'BigMon settings and credentials: its Django secret key, OAuth providers, PanDA and iDDS databases, Rucio, CRIC, object store.',
    keys: [
      'BIGMON_HOST', 'BIGMON_NUM_WSGI_PROC', 'BIGMON_SECRET_KEY', 'BIGMON_VO', 'BIGMON_DEPLOYMENT', 'BIGMON_DB_ACCESS',
      'PRMON_LOGS_DIRECTIO_LOCATION', 'BIGMON_DEBUG', 'BIGMON_INSTALLED_APPS_LIST', 'LOGS_PROVIDER', 'BIGMON_AUTH_PROVIDER_LIST',
      'PANDA_DB_BACKEND', 'PANDA_DB_NAME', 'PANDA_DB_HOST', 'PANDA_DB_PORT', 'PANDA_DB_USER', 'PANDA_DB_PASSWORD',
      'IDDS_DB_NAME', 'IDDS_DB_HOST', 'IDDS_DB_PORT', 'IDDS_DB_USER', 'IDDS_DB_PASSWORD', 'IDDS_DB_SCHEMA',
      'IDDS_HOST', 'IDDS_PORT', 'IDDS_AUTH_ID_TOKEN', 'IDDS_AUTH_VO',
      'RUCIO_SERVER_HOST', 'RUCIO_AUTH_HOST', 'RUCIO_ACCOUNT', 'RUCIO_CONFIG', 'RUCIO_AUTH_TYPE', 'X509_USER_PROXY', 'RUCIO_CA_CERT',
      'RUCIO_USERNAME', 'RUCIO_PASSWORD', 'CRIC_API_URL',
      'host_name', 'port', 'bucket_name', 'access_key', 'secret_key',
    ],
    optional: ['TNS_ADMIN', ...PROXY_KEYS],
    // one SOCIAL_AUTH_<PROVIDER>_<SETTING> per setting of each bigmon.auth.providers entry
    pattern: /^SOCIAL_AUTH_[A-Z0-9_]+$/,
  }),
  'bigmon-certs': entry({ section: 'bigmon', folder: 'bigmon_certs', description: 'BigMon certificates (`bigmon_certs/**.pem`, plus `panda_certs/**.proxy`); not rendered with `bigmon.existingTlsSecret`.', keys: [], pattern: /^[-._a-zA-Z0-9]+\.(pem|proxy)$/ }),
  'bigmon-tls-certs': entry({ section: 'bigmon', type: 'kubernetes.io/tls', folder: 'bigmon_certs', description: 'TLS pair of the BigMon Ingress (`bigmon_certs/hostcert.pem`, `hostkey.pem`).', keys: TLS_KEYS }),
  'cric-jsons': entry({ section: 'cric', folder: 'cric_jsons', description: 'CRIC JSON files served instead of a real CRIC (`cric_jsons/*.json`); only with `cric.real: false`.', keys: [], pattern: /^[-._a-zA-Z0-9]+\.json$/ }),
  'harvester-db': entry({ section: 'harvester', description: 'Harvester database credentials, one key each.', keys: DB_KEYS }),
  'harvester-db-id-rsa': entry({ section: 'harvester', folder: 'harvester_db_conf', description: 'SSH key of the harvester database host (`harvester_db_conf/id_rsa`).', keys: ['id_rsa'] }),
  'harvester-envs': entry({
    section: 'harvester',
    description: 'Harvester and its MariaDB: database, PanDA server URLs and token, CRIC, HTCondor channel.',
    keys: [
      'MARIADB_DATABASE', 'MARIADB_USER', 'MARIADB_PASSWORD', 'MARIADB_ROOT_PASSWORD', 'HARVESTER_DB_HOST',
      'PANDA_AUTH_ID_TOKEN', 'PANDA_AUTH_VO', 'PANDA_BEHIND_REAL_LB', 'PANDA_VERIFY_HOST', 'PANDA_URL', 'PANDA_URL_SSL',
      'BIGMON_BASE_URL', 'HARVESTER_ID', 'CONDOR_CHANNEL',
      'HARVESTER_CRIC_OS', 'HARVESTER_CRIC_DDMENDPOINTS', 'HARVESTER_CRIC_URL_DDMENDPOINTS', 'HARVESTER_CRIC_SCHEDCONFIG',
    ],
    optional: [
      'HARVESTER_DB_HOST_ADD_INDEX', 'HARVESTER_DB_HOST_PREFIX', 'HARVESTER_DB_HOST_DOMAIN', 'HARVESTER_DB_ADD_INDEX', 'MARIADB_DATABASE_PREFIX',
      'EXPERIMENT', ...PROXY_KEYS,
    ],
  }),
  'harvester-auth': entry({ section: 'harvester', folder: 'harvester_auth', description: 'Harvester auth files (`harvester_auth/*`, e.g. cloud credentials); the internal client token config with `auth.auth_client_id`.', keys: [], optional: ['token_panda-internal_client.json'], pattern: /^[-._a-zA-Z0-9]+$/ }),
  'harvester-certs': entry({ section: 'harvester', folder: 'harvester_certs', description: 'Harvester certificates (`harvester_certs/**.pem`): host cert and key, pilot proxy cert and key.', keys: [], pattern: PEM }),
  'harvester-initdb': entry({ section: 'harvester', description: 'SQL that creates the harvester database and user on the first start of its MariaDB.', keys: ['init_harvester_db.sql'] }),
  'iam-db': entry({ section: 'iam', description: 'IAM database credentials, one key each.', keys: DB_KEYS }),
  'iam-db-id-rsa': entry({ section: 'iam', folder: 'iam_db_conf', description: 'SSH key of the IAM database host (`iam_db_conf/id_rsa`).', keys: ['id_rsa'] }),
  'iam-db-envs': entry({ section: 'iam', description: 'The IAM MariaDB (iam-db): user, password, root password.', keys: ['MARIADB_USER', 'MARIADB_PASSWORD', 'MARIADB_ROOT_PASSWORD'] }),
  'iam-envs': entry({
    section: 'iam',
    description: 'INDIGO IAM settings: database, CILogon client, base URL and issuer, mail, registration.',
    keys: [
      'IAM_JAVA_OPTS', 'IAM_DB_HOST', 'IAM_DB_NAME', 'IAM_DB_USERNAME', 'IAM_DB_PASSWORD', 'IAM_CILOGON_CLIENT_ID', 'IAM_CILOGON_CLIENT_SECRET',
      'IAM_PORT', 'IAM_ORGANISATION_NAME', 'IAM_TOPBAR_TITLE', 'IAM_ACCESS_TOKEN_INCLUDE_AUTHN_INFO', 'IAM_LOCAL_AUTHN_LOGIN_PAGE_VISIBILITY',
      'IAM_CLIENT_REGISTRATION_ALLOW_FOR', 'IAM_LOCAL_AUTHN_ENABLED_FOR', 'IAM_REGISTRATION_REQUIRE_EXTERNAL_AUTHENTICATION',
      'IAM_LOGO_URL', 'IAM_LOGO_HEIGHT', 'IAM_LOGO_WIDTH', 'IAM_REGISTRATION_OIDC_ISSUER', 'IAM_BASE_URL', 'IAM_ISSUER',
      'IAM_FORWARD_HEADERS_STRATEGY', 'IAM_USE_FORWARDED_HEADERS', 'IAM_KEY_STORE_LOCATION',
      'IAM_MAIL_HOST', 'IAM_MAIL_PORT', 'IAM_NOTIFICATION_FROM', 'IAM_NOTIFICATION_ADMIN_ADDRESS',
    ],
  }),
  'iam-initdb': entry({ section: 'iam', description: 'SQL that creates the IAM database and grants its user on the first start of the IAM MariaDB.', keys: ['init_org_db.sql'] }),
  'iam-conf': entry({ section: 'iam', folder: 'iam_conf', description: 'IAM configuration files (`iam_conf/*`), mounted at /indigo-iam/config/, and the token-signing keystore.', keys: ['iam-keystore.jwks'], optional: ['application.yml', 'application-oidc.yml', 'application.properties'], pattern: /^[-._a-zA-Z0-9]+$/ }),
  'iam-certs': entry({ section: 'iam', folder: 'iam_certs', description: 'IAM certificates (`iam_certs/*`).', keys: [], pattern: /^[-._a-zA-Z0-9]+$/ }),
  'iam-tls-certs': entry({ section: 'iam', type: 'kubernetes.io/tls', folder: 'iam_certs', description: 'TLS pair of the IAM Ingress (`iam_certs/hostcert.pem`, `hostkey.pem`).', keys: TLS_KEYS }),
  'idds-db-envs': entry({
    section: 'idds',
    description: 'The iDDS database: backend, name, user, password, schema (also as POSTGRES_* for the postgres image).',
    keys: ['IDDS_DB_BACKEND', 'IDDS_DB', 'IDDS_USER', 'IDDS_PASSWORD', 'IDDS_SCHEMA', 'POSTGRES_DB', 'POSTGRES_USER', 'POSTGRES_PASSWORD', 'POSTGRES_SCHEMA'],
  }),
  'idds-envs': entry({
    section: 'idds',
    description: 'iDDS: PanDA URLs and token, database, ActiveMQ conductor and receiver, its own REST URL.',
    keys: [
      'PANDA_AUTH_ID_TOKEN', 'PANDA_AUTH_VO', 'PANDA_AUTH', 'PANDA_BEHIND_REAL_LB', 'PANDA_MONITOR_URL', 'PANDA_URL', 'PANDA_URL_SSL',
      'PANDA_API_URL_SSL', 'PANDACACHE_URL', 'PANDA_VERIFY_HOST', 'PANDA_CONFIG_ROOT',
      'IDDS_DATABASE_NAME', 'IDDS_DATABASE_USER', 'IDDS_DATABASE_PASSWORD', 'IDDS_DATABASE_SCHEMA', 'IDDS_DATABASE_HOST', 'IDDS_DATABASE_PORT',
      'IDDS_DATABASE_URL',
      'IDDS_CONDUCTOR_BROKERS', 'IDDS_CONDUCTOR_PORT', 'IDDS_CONDUCTOR_DESTINATION', 'IDDS_CONDUCTOR_USERNAME', 'IDDS_CONDUCTOR_PASSWORD',
      'IDDS_RECEIVER_BROKERS', 'IDDS_RECEIVER_PORT', 'IDDS_RECEIVER_DESTINATION', 'IDDS_RECEIVER_USERNAME', 'IDDS_RECEIVER_PASSWORD',
      'IDDS_SERVER',
    ],
    optional: ['TNS_ADMIN', ...PROXY_KEYS],
  }),
  'idds-auth': entry({ section: 'idds', description: 'iDDS auth configuration (`auth.cfg.json`): one section per OIDC client.', keys: ['auth.cfg.json'] }),
  'idds-certs': entry({ section: 'idds', folder: 'idds_certs', description: 'iDDS certificates (`idds_certs/**.pem`).', keys: [], pattern: PEM }),
  'idds-tls-certs': entry({ section: 'idds', type: 'kubernetes.io/tls', folder: 'idds_certs', description: 'TLS pair of the iDDS REST Ingress (`idds_certs/hostcert.pem`, `hostkey.pem`).', keys: TLS_KEYS }),
  'msgsvc-envs': entry({ section: 'msgsvc', description: 'ActiveMQ: base password, channels, accounts.', keys: ['ACTIVEMQ_BASE_PASSWD', 'ACTIVEMQ_CHANNELS', 'ACTIVEMQ_ACCOUNTS'] }),
  'panda-envs': entry({
    section: 'panda',
    description: 'PanDA server and JEDI: database, URLs, token, ActiveMQ, iDDS, Rucio, CRIC.',
    keys: [
      'PANDA_DB_BACKEND', 'PANDA_DB_PASSWORD', 'PANDA_DB_HOST', 'PANDA_DB_PORT', 'PANDA_DB_USER', 'PANDA_DB_NAME',
      'PANDA_DB_SCHEMAPANDA', 'PANDA_DB_SCHEMAMETA', 'PANDA_DB_SCHEMAPANDAARCH', 'PANDA_DB_SCHEMAJEDI', 'PANDA_DB_SCHEMADEFT',
      'PANDA_URL', 'PANDA_URL_SSL', 'PANDA_API_URL', 'PANDA_API_URL_SSL', 'PANDA_BEHIND_REAL_LB', 'PANDA_VERIFY_HOST',
      'PANDA_AUTH', 'PANDA_AUTH_ID_TOKEN', 'PANDA_AUTH_VO',
      'PANDA_ACTIVEMQ_LIST', 'PANDA_ACTIVEMQ_PASSWD_panda', 'PANDA_ACTIVEMQ_PASSWD_jedi',
      'PANDA_IDDS_HOST', 'PANDA_IDDS_PORT', 'PANDA_IDDS_AUTH_ID_TOKEN', 'PANDA_IDDS_AUTH_VO',
      'PANDA_RUCIO_HOST', 'PANDA_RUCIO_AUTH_HOST', 'PANDA_RUCIO_ACCOUNT', 'PANDA_RUCIO_AUTH_TYPE', 'PANDA_RUCIO_USERNAME', 'PANDA_RUCIO_PASSWORD',
      'PANDA_RUCIO_X509_PROXY', 'PANDA_RUCIO_CA_CERT',
      'PANDA_CRIC_CM', 'PANDA_CRIC_DDMBLACKLIST', 'PANDA_CRIC_DDMENDPOINTS', 'PANDA_CRIC_URL_DDMENDPOINTS', 'PANDA_CRIC_SCHEDCONFIG', 'PANDA_CRIC_SITES',
    ],
    optional: [
      'PANDA_HOSTNAME', 'PANDA_SANDBOX_HOST',
      'PANDA_RUCIO_OIDC_AUDIENCE', 'PANDA_RUCIO_OIDC_SCOPE', 'PANDA_RUCIO_OIDC_ISSUER', 'PANDA_RUCIO_OIDC_REFRESH_ACTIVE', 'PANDA_RUCIO_OIDC_REFRESH_BEFORE_EXP',
      ...PROXY_KEYS,
    ],
  }),
  'panda-auth': entry({ section: 'panda', description: 'One `<vo>_auth_config.json` per OIDC client (and `<authVO>.internal_auth_config.json` with `auth.auth_client_id`).', keys: [], pattern: /^[-._a-zA-Z0-9]+_auth_config\.json$/ }),
  'panda-token-cache': entry({ section: 'panda', description: 'Token cache configuration of the PanDA server (`token_cache_config.json`).', keys: ['token_cache_config.json'] }),
  'panda-certs': entry({ section: 'panda', folder: 'panda_certs', description: 'PanDA server certificates (`panda_certs/**.pem`, `**.proxy`): hostcert.pem, hostkey.pem, chain.pem; not rendered with `panda.existingTlsSecret`.', keys: [], pattern: /^[-._a-zA-Z0-9]+\.(pem|proxy)$/ }),
  'panda-tls-certs': entry({ section: 'panda', type: 'kubernetes.io/tls', folder: 'panda_certs', description: 'TLS pair of the PanDA server Ingress or Gateway (`panda_certs/hostcert.pem`, `hostkey.pem`); not rendered with `panda.existingTlsSecret`.', keys: TLS_KEYS }),
  'ui-envs': entry({
    section: 'ui',
    description: 'PanDA UI backend: Django secret key, IAM client, database, PanDA API URL.',
    keys: [
      'PANDAUI_NUM_WSGI_PROC', 'PANDAUI_SECRET_KEY', 'AUTH_IAM_ENDPOINT', 'AUTH_IAM_CLIENT_ID', 'AUTH_IAM_CLIENT_SECRET',
      'DB_CONN_PANDAUI_VENDOR', 'DB_CONN_PANDAUI_NAME', 'DB_CONN_PANDAUI_USER', 'DB_CONN_PANDAUI_PASSWORD', 'DB_SCHEMA_PANDAUI', 'DB_SCHEMA_PANDA',
      'PANDA_SERVER_API_URL',
    ],
    optional: ['DB_CONN_PANDAUI_HOST', 'DB_CONN_PANDAUI_PORT', ...PROXY_KEYS],
  }),
  'ui-certs': entry({ section: 'ui', folder: 'ui_certs', description: 'PanDA UI certificates (`ui_certs/**.pem`).', keys: [], pattern: PEM }),
  'ui-tls-certs': entry({ section: 'ui', type: 'kubernetes.io/tls', folder: 'ui_certs', description: 'TLS pair of the PanDA UI Ingress (`ui_certs/hostcert.pem`, `hostkey.pem`).', keys: TLS_KEYS }),
} as const satisfies Record<string, SecretEntry>;

/** Name of a Secret after the prefix, e.g. `panda-envs`. */
export type SecretId = keyof typeof SECRETS;
/** The keys a Secret always or sometimes holds. */
export type SecretKey<S extends SecretId> = (typeof SECRETS)[S]['keys'][number] | (typeof SECRETS)[S]['optional'][number];

export const SECRET_IDS = Object.keys(SECRETS) as SecretId[];

/** `<prefix>-<id>`: the one way a Secret of the lifecycle is named. */
export function secretName(prefix: string, id: SecretId): string {
  return nameOf(prefix, id);
}

/** An env `valueFrom.secretKeyRef` to one key of a catalogued Secret. */
export function secretKeyRef<S extends SecretId>(prefix: string, id: S, key: SecretKey<S>): { secretKeyRef: { name: string; key: string } } {
  return { secretKeyRef: { name: secretName(prefix, id), key } };
}

/** Whether `key` is one a Secret may hold (a listed key, or one its pattern allows). */
export function isCataloguedKey(id: SecretId, key: string): boolean {
  const e: SecretEntry = SECRETS[id];
  return e.keys.includes(key) || (e.optional ?? []).includes(key) || (e.pattern?.test(key) ?? false);
}

/** Ids of the Secrets of one section. */
export function sectionSecrets(section: SecretSection): SecretId[] {
  return SECRET_IDS.filter((id) => SECRETS[id].section === section);
}

/** A typed reference to one catalogued Secret, as component declarations list them. */
export interface SecretRef<S extends SecretId = SecretId> {
  /** Name after the prefix (`panda-envs`). */
  readonly id: S;
  readonly section: SecretSection;
  /** The Secret's name under this prefix. */
  name(prefix: string): string;
  /** An env `valueFrom` reading one of its keys. */
  keyRef(prefix: string, key: SecretKey<S>): { secretKeyRef: { name: string; key: string } };
}

type Camel<S extends string> = S extends `${infer H}-${infer T}` ? `${H}${Capitalize<Camel<T>>}` : S;
const camel = (id: string) => id.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());

/** Every catalogued Secret as a typed reference, by camel-cased id: `secretRefs.pandaEnvs`, `secretRefs.iamDbEnvs`. */
export const secretRefs = Object.fromEntries(
  SECRET_IDS.map((id): [string, SecretRef] => [
    camel(id),
    { id, section: SECRETS[id].section, name: (prefix) => secretName(prefix, id), keyRef: (prefix, key) => secretKeyRef(prefix, id, key as never) },
  ]),
) as { readonly [S in SecretId as Camel<S>]: SecretRef<S> };
