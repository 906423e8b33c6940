/**
 * The catalogue of the Secrets the secrets lifecycle installs, for the components that read them.
 * A component names a Secret only through a reference from here (`secretRefs.pandaEnvs`): its name
 * comes from the prefix (`global.secret`) through the names module, and the keys it holds are
 * typed, so a component cannot read a Secret or a key the lifecycle does not install.
 */
import { secretName } from '../core/names.js';

/** Sections of the secrets values; each renders its Secrets when `<section>.enabled`. */
export type SecretSection = 'harvester' | 'iam' | 'idds' | 'msgsvc' | 'panda';

export interface SecretRef<K extends string = string> {
  /** Catalogue key (`pandaEnvs`). */
  readonly id: string;
  /** The secrets-values section that renders it. */
  readonly section: SecretSection;
  /** Name after the prefix (`panda-envs`). */
  readonly suffix: string;
  /** Keys it may hold (env Secrets); empty when its keys are files (certificates, configuration). */
  readonly keys: readonly K[];
  /** Its keys are the files of a secrets files folder. */
  readonly files: boolean;
  /** The Secret's name under this prefix. */
  name(prefix: string): string;
  /** An env var source reading one key (`valueFrom.secretKeyRef`). */
  keyRef(prefix: string, key: K): { secretKeyRef: { name: string; key: K } };
}

function ref<const K extends string>(id: string, section: SecretSection, suffix: string, keys: readonly K[], files = false): SecretRef<K> {
  return {
    id,
    section,
    suffix,
    keys,
    files,
    name: (prefix) => secretName(prefix, suffix),
    keyRef: (prefix, key) => ({ secretKeyRef: { name: secretName(prefix, suffix), key } }),
  };
}

const DB_ENV_MARIADB = ['MARIADB_USER', 'MARIADB_PASSWORD', 'MARIADB_ROOT_PASSWORD'] as const;
const PANDA_CLIENT = ['PANDA_AUTH_ID_TOKEN', 'PANDA_AUTH_VO', 'PANDA_BEHIND_REAL_LB', 'PANDA_URL', 'PANDA_URL_SSL'] as const;

export const secretRefs = {
  harvesterEnvs: ref('harvesterEnvs', 'harvester', 'harvester-envs', [
    'MARIADB_DATABASE',
    ...DB_ENV_MARIADB,
    'HARVESTER_DB_HOST',
    ...PANDA_CLIENT,
    'EXPERIMENT',
    'HARVESTER_ID',
    'CONDOR_CHANNEL',
  ]),
  harvesterCerts: ref('harvesterCerts', 'harvester', 'harvester-certs', [], true),
  iamDbEnvs: ref('iamDbEnvs', 'iam', 'iam-db-envs', DB_ENV_MARIADB),
  iamEnvs: ref('iamEnvs', 'iam', 'iam-envs', [
    'IAM_JAVA_OPTS',
    'IAM_DB_HOST',
    'IAM_DB_NAME',
    'IAM_DB_USERNAME',
    'IAM_DB_PASSWORD',
    'IAM_CILOGON_CLIENT_ID',
    'IAM_CILOGON_CLIENT_SECRET',
    'IAM_PORT',
    'IAM_ORGANISATION_NAME',
    'IAM_TOPBAR_TITLE',
    'IAM_ACCESS_TOKEN_INCLUDE_AUTHN_INFO',
    'IAM_LOCAL_AUTHN_LOGIN_PAGE_VISIBILITY',
    'IAM_CLIENT_REGISTRATION_ALLOW_FOR',
    'IAM_LOCAL_AUTHN_ENABLED_FOR',
    'IAM_REGISTRATION_REQUIRE_EXTERNAL_AUTHENTICATION',
    'IAM_LOGO_URL',
    'IAM_LOGO_HEIGHT',
    'IAM_LOGO_WIDTH',
    'IAM_REGISTRATION_OIDC_ISSUER',
    'IAM_BASE_URL',
    'IAM_ISSUER',
    'IAM_USE_FORWARDED_HEADERS',
    'IAM_KEY_STORE_LOCATION',
    'IAM_MAIL_HOST',
    'IAM_MAIL_PORT',
    'IAM_NOTIFICATION_FROM',
    'IAM_NOTIFICATION_ADMIN_ADDRESS',
  ]),
  iamInitdb: ref('iamInitdb', 'iam', 'iam-initdb', ['init_org_db.sql']),
  iamConf: ref('iamConf', 'iam', 'iam-conf', [], true),
  iddsDbEnvs: ref('iddsDbEnvs', 'idds', 'idds-db-envs', ['POSTGRES_DB', 'POSTGRES_USER', 'POSTGRES_PASSWORD', 'POSTGRES_SCHEMA']),
  iddsEnvs: ref('iddsEnvs', 'idds', 'idds-envs', [
    ...PANDA_CLIENT,
    'PANDA_AUTH',
    'PANDA_MONITOR_URL',
    'PANDACACHE_URL',
    'PANDA_VERIFY_HOST',
    'PANDA_CONFIG_ROOT',
    'IDDS_DATABASE_NAME',
    'IDDS_DATABASE_USER',
    'IDDS_DATABASE_PASSWORD',
    'IDDS_DATABASE_SCHEMA',
    'IDDS_DATABASE_HOST',
    'IDDS_CONDUCTOR_BROKERS',
    'IDDS_CONDUCTOR_PORT',
    'IDDS_CONDUCTOR_DESTINATION',
    'IDDS_CONDUCTOR_USERNAME',
    'IDDS_CONDUCTOR_PASSWORD',
    'IDDS_SERVER',
  ]),
  iddsAuth: ref('iddsAuth', 'idds', 'idds-auth', ['auth.cfg.json']),
  iddsCerts: ref('iddsCerts', 'idds', 'idds-certs', [], true),
  msgsvcEnvs: ref('msgsvcEnvs', 'msgsvc', 'msgsvc-envs', ['ACTIVEMQ_BASE_PASSWD', 'ACTIVEMQ_CHANNELS', 'ACTIVEMQ_ACCOUNTS']),
  pandaEnvs: ref('pandaEnvs', 'panda', 'panda-envs', [
    'PANDA_DB_PASSWORD',
    'PANDA_DB_HOST',
    'PANDA_URL',
    'PANDA_URL_SSL',
    'PANDA_VERIFY_HOST',
    'PANDA_AUTH',
    'PANDA_AUTH_ID_TOKEN',
    'PANDA_AUTH_VO',
    'PANDA_SANDBOX_HOST',
    'PANDA_ACTIVEMQ_LIST',
    'PANDA_ACTIVEMQ_PASSWD_panda',
    'PANDA_ACTIVEMQ_PASSWD_jedi',
    'PANDA_IDDS_HOST',
    'PANDA_IDDS_PORT',
    'PANDA_IDDS_AUTH_ID_TOKEN',
    'PANDA_IDDS_AUTH_VO',
    'PANDA_RUCIO_HOST',
    'PANDA_RUCIO_AUTH_HOST',
    'PANDA_RUCIO_USERNAME',
    'PANDA_RUCIO_PASSWORD',
    'PANDA_RUCIO_ACCOUNT',
  ]),
  pandaCerts: ref('pandaCerts', 'panda', 'panda-certs', [], true),
  /** One `<vo>_auth_config.json` per OIDC client. */
  pandaAuth: ref('pandaAuth', 'panda', 'panda-auth', [], true),
} as const satisfies Record<string, SecretRef>;

export type SecretRefs = typeof secretRefs;
export type SecretId = keyof SecretRefs;

/** Every reference, in catalogue order. */
export const ALL_SECRET_REFS: readonly SecretRef[] = Object.values(secretRefs);
