/**
 * Values of the secrets lifecycle: the format of upstream's `secrets/values.yaml`, at HEAD and as
 * it was in 2022, so an existing secrets file loads unchanged. Credentials, host names and ports
 * that end up in a Secret accept strings, numbers and booleans alike and are kept as strings
 * (`password: 12345` stays `"12345"`), because every Secret value is a string. Defaults are HEAD's:
 * passwords, tokens and site names are `FIXME` placeholders, which a real install refuses.
 */
import { z } from 'zod';
import { bool, secretText, str } from '../values/common.js';

/** Characters Kubernetes allows in a Secret key. */
export const SECRET_KEY_RE = /^[-._a-zA-Z0-9]+$/;

/** A TCP port, written as a number or a string; kept as a string (it is pasted into URLs and env vars). */
const port = (description: string, def: string) =>
  z
    .union([z.string(), z.number()])
    .transform((v) => String(v).trim())
    .refine((v) => /^\d+$/.test(v) && Number(v) >= 1 && Number(v) <= 65535, { message: 'must be a port number (1-65535)' })
    .default(def)
    .describe(`${description}\n@default ${JSON.stringify(def)}`);

/** A port that may be left empty (an Oracle database, a service reached by alias). */
const optPort = (description: string, def: string) =>
  z
    .union([z.string(), z.number()])
    .transform((v) => String(v).trim())
    .refine((v) => v === '' || (/^\d+$/.test(v) && Number(v) >= 1 && Number(v) <= 65535), { message: 'must be a port number (1-65535) or empty' })
    .default(def)
    .describe(`${description}\n@default ${JSON.stringify(def)}`);

/** A database or user name pasted into SQL: letters, digits and `_` only. */
const sqlName = (description: string, def: string) =>
  z
    .union([z.string(), z.number()])
    .transform((v) => String(v))
    .pipe(z.string().regex(/^[A-Za-z0-9_]+$/, 'use letters, digits and _ only'))
    .default(def)
    .describe(`${description}\n@default ${JSON.stringify(def)}`);

/** An optional text: absent means "use the fallback the description names". */
const optText = (description: string) =>
  z
    .union([z.string(), z.number(), z.boolean()])
    .transform((v) => String(v))
    .optional()
    .describe(description);

const backend = (description: string) => z.enum(['postgres', 'oracle']).default('postgres').describe(`${description}\n@default "postgres"`);

const oidcClient = z
  .strictObject({
    name: z
      .string()
      .regex(SECRET_KEY_RE, 'use letters, digits, ".", "_" and "-" only (it becomes a Secret key and a VO name)')
      .refine((n) => n !== 'common' && n !== 'test_vo', { message: '`common` and `test_vo` are sections of the iDDS auth.cfg already' })
      .describe('VO name of the client: the key `<name>_auth_config.json` in panda-auth and a section of the iDDS auth.cfg.'),
    client_id: z
      .union([z.string(), z.number()])
      .transform((v) => String(v))
      .describe('OIDC client id registered in IAM for this VO.'),
    client_secret: secretText('OIDC client secret of this client (empty or absent for a public client).', ''),
    robot_ids: secretText('Comma-separated ids of the robot users of this VO (`robot_ids` of its auth config).', ''),
    audience: secretText('Audience of this client\'s tokens; empty: `auth.oidc.audience`.', ''),
    config_url: secretText('OpenID configuration URL of this client\'s issuer; empty: `auth.oidc.config_url`.', ''),
    jwt_profile: optText('JWT profile of the issuer (`jwt_profile` of the auth config), when it needs one.'),
  })
  .describe('One OIDC client (VO) accepted by PanDA and iDDS.');

const DEFAULT_CLIENTS = ['panda_dev', 'Rubin', 'Rubin.production'].map((name) => ({ name, client_id: 'FIXME', client_secret: 'FIXME', robot_ids: 'FIXME', audience: '', config_url: '' }));

const DEFAULT_CHANNELS = [
  'idds_panda:idds:panda,jedi',
  'panda_idds:panda,jedi:idds',
  'self.jedi_jobtaskstatus:jedi:jedi',
  'panda_jedi:panda:jedi',
  'panda_pilot:panda:pilot',
  'idds.internal:idds:idds',
];

const DEFAULT_PROVIDERS = {
  Google: { key: 'FIXME', secret: 'FIXME' },
  CERNOIDC: { key: 'FIXME', secret: 'FIXME' },
  github: { key: 'FIXME', secret: 'FIXME' },
  indigoiam: { key: 'FIXME', secret: 'FIXME', basePath: 'FIXME' },
};

const CRIC = 'https://datalake-cric.cern.ch/api/atlas';

export const secretsSchema = z
  .strictObject({
    affix: str(
      'Affix of the instance release names: `x-` is a prefix (`x-panda`), `-x` a suffix (`panda-x`). Used when no `--affix` is given; empty means `test-`. Every host name the Secrets carry is derived from it.',
      '',
    ),
    auth: z
      .strictObject({
        auth: secretText('Authentication type of the PanDA clients (`PANDA_AUTH`).', 'oidc'),
        authIdToken: secretText('Long-lived internal ID token the PanDA, harvester and iDDS clients present (`PANDA_AUTH_ID_TOKEN`); unused with `auth_client_id`.', 'FIXME'),
        authVO: secretText('VO of the internal token (`PANDA_AUTH_VO`); `<authVO>.internal` with `auth_client_id`.', 'panda_dev'),
        auth_client_id: secretText(
          'Client id for short-lived internal access tokens instead of the long-lived ID token: the clients then read the token from a file the token cache renews (`PANDA_AUTH_ID_TOKEN=file:...`). Empty: use `authIdToken`.',
          '',
        ),
        auth_client_secret: secretText('Client secret of `auth_client_id`.', ''),
        auth_endpoint: secretText('Token endpoint the internal client gets its tokens from (e.g. `https://<iam>/token`).', ''),
        config_url: secretText('OpenID configuration URL of the internal client\'s issuer; empty: `auth.oidc.config_url`.', ''),
        oidc: z
          .strictObject({
            audience: secretText('Default audience of the OIDC tokens PanDA and iDDS accept.', 'https://pandaserver-doma.cern.ch'),
            config_url: secretText('Default OpenID configuration URL of the token issuer (`oidc_config_url` of every client).', 'https://panda-iam-doma.cern.ch/.well-known/openid-configuration'),
            clients: z
              .array(oidcClient)
              .default(DEFAULT_CLIENTS)
              .refine((cs) => new Set(cs.map((c) => c.name)).size === cs.length, { message: 'client names must be unique' })
              .describe(`OIDC clients, one per VO.\n@default ${JSON.stringify(DEFAULT_CLIENTS)}`),
            token_cache: z
              .strictObject({
                client_name: z.string().regex(SECRET_KEY_RE, 'a plain name').default('pilot_server').describe('Name of the token-cache entry.\n@default "pilot_server"'),
                client_id: secretText('Client id the PanDA server gets pilot tokens with.', 'FIXME'),
                client_secret: secretText('Secret of that client.', 'FIXME'),
                endpoint: secretText('Token endpoint of that client.', 'https://panda-iam-doma.cern.ch/token'),
              })
              .prefault({})
              .describe('Token cache of the PanDA server (panda-token-cache).'),
          })
          .prefault({})
          .describe('OIDC clients of PanDA and iDDS.'),
      })
      .prefault({})
      .describe('Authentication of PanDA and iDDS clients.'),
    msgsvc: z
      .strictObject({
        enabled: bool('Render the Secret of the message service (msgsvc-envs).', true),
        basePasswd: secretText('ActiveMQ base password: `system` uses it, each account `<basePasswd>_<account>`.', 'FIXME'),
        accounts: z
          .array(z.string().regex(/^[A-Za-z0-9_.-]+$/, 'an account is a plain name'))
          .default(['panda', 'jedi', 'idds', 'pilot'])
          .describe('ActiveMQ accounts.\n@default ["panda","jedi","idds","pilot"]'),
        channels: z
          .array(z.string().regex(/^[^:;\s]+:[^:;\s]+:[^:;\s]+$/, 'a channel is `name:writers:readers` (accounts comma-separated)'))
          .default(DEFAULT_CHANNELS)
          .describe(`Message channels, \`name:writers:readers\`.\n@default ${JSON.stringify(DEFAULT_CHANNELS)}`),
      })
      .prefault({})
      .describe('Message service (ActiveMQ) credentials and channels.'),
    panda: z
      .strictObject({
        enabled: bool('Render the PanDA Secrets (panda-envs, panda-auth, panda-token-cache, panda-certs, panda-tls-certs).', true),
        existingTlsSecret: secretText('Name of a TLS Secret you manage; when set, panda-certs and panda-tls-certs are not rendered.', ''),
        database: z
          .strictObject({
            backend: backend('Database of the PanDA server (`PANDA_DB_BACKEND`).'),
            password: secretText('Password of the PanDA database.', 'FIXME'),
            dbhost: secretText('Host (or TNS alias) of an external PanDA database; empty: the stack\'s own postgres Service.', ''),
            dbport: optPort('Port of the PanDA database.', '5432'),
            name: secretText('PanDA database name.', 'panda_db'),
            user: secretText('PanDA database user.', 'panda'),
            schemapanda: secretText('Schema of the PanDA tables.', 'DOMA_PANDA'),
            schemameta: secretText('Schema of the PanDA meta tables.', 'DOMA_PANDAMETA'),
            schemapandaarch: secretText('Schema of the PanDA archive tables.', 'DOMA_PANDAARCH'),
            schemajedi: secretText('Schema of the JEDI tables.', 'DOMA_PANDA'),
            schemadeft: secretText('Schema of the DEFT tables.', 'DOMA_DEFT'),
          })
          .prefault({}),
        port: port('HTTP port of the PanDA server Service (`PANDA_URL`).', '80'),
        sslPort: port('HTTPS port of the PanDA server Service (`PANDA_URL_SSL`, `PANDACACHE_URL`).', '443'),
        hostName: secretText('Host name of the PanDA server for external access (`PANDA_HOSTNAME`).', 'FIXME'),
        verifyHost: secretText('Whether PanDA clients verify the server certificate (`PANDA_VERIFY_HOST`).', 'off'),
        configRoot: secretText('Configuration directory of the PanDA client in iDDS (`PANDA_CONFIG_ROOT`).', '/tmp/'),
      })
      .prefault({})
      .describe('PanDA server and JEDI.'),
    harvester: z
      .strictObject({
        enabled: bool('Render the harvester Secrets (harvester-db, harvester-db-id-rsa, harvester-envs, harvester-auth, harvester-certs, harvester-initdb).', true),
        experiment: secretText('Experiment harvester configures itself for (`EXPERIMENT`, e.g. `lsst`, `atlas`); empty: none.', ''),
        harvesterID: secretText('Harvester instance id (`HARVESTER_ID`).', 'my-harvester'),
        replicaCount: z.number().int().min(0).optional().describe('Number of harvester instances sharing the database: one extra database `<name>_<i>` each.'),
        database: z
          .strictObject({
            name: sqlName('Harvester database name.', 'harvester'),
            user: secretText('Harvester database user.', 'harvester'),
            password: secretText('Password of the harvester database user.', 'FIXME'),
            admin_password: secretText('Root password of the harvester MariaDB; empty: `<password>-admin`.', 'FIXME'),
            dbhost: secretText('Host of an external harvester database; empty: the stack\'s own mariadb Service.', ''),
            dbhost_add_index: secretText('`HARVESTER_DB_HOST_ADD_INDEX`: each harvester instance adds its index to the database host (`<prefix><i><domain>`); empty leaves the three settings out.', 'false'),
            dbhost_prefix: secretText('`HARVESTER_DB_HOST_PREFIX`: host prefix used with `dbhost_add_index`.', ''),
            dbhost_domain: secretText('`HARVESTER_DB_HOST_DOMAIN`: host domain used with `dbhost_add_index`.', ''),
            db_add_index: secretText('`HARVESTER_DB_ADD_INDEX`: each instance adds its index to the database name (with `name_prefix`).', ''),
            name_prefix: secretText('`MARIADB_DATABASE_PREFIX`: database name prefix used with `db_add_index`.', ''),
          })
          .prefault({}),
        condorChannel: secretText('HTCondor channel harvester installs from (`CONDOR_CHANNEL=.<channel>`): `9`, `stable` or `latest`; empty: `stable` with `useStableCondor`, else `latest`.', ''),
        useStableCondor: bool('The 2022 setting: install HTCondor from the stable channel (used when `condorChannel` is empty).', false),
      })
      .prefault({})
      .describe('Harvester.'),
    idds: z
      .strictObject({
        enabled: bool('Render the iDDS Secrets (idds-db-envs, idds-envs, idds-auth, idds-certs, idds-tls-certs).', true),
        restPort: port('HTTPS port of the iDDS REST Service (`IDDS_SERVER`, `PANDA_IDDS_PORT`).', '8443'),
        database: z
          .strictObject({
            backend: backend('Database of iDDS (`IDDS_DB_BACKEND`).'),
            name: secretText('iDDS database name.', 'idds_db'),
            user: secretText('iDDS database user.', 'idds'),
            password: secretText('iDDS database password.', 'FIXME'),
            schema: secretText('iDDS database schema.', 'doma_idds'),
            host: secretText('Host of an external iDDS database; empty: the stack\'s own postgres Service.', ''),
            dbhost: secretText('Host or TNS alias of an external iDDS database; takes precedence over `host`.', ''),
            port: optPort('Port of the iDDS database (PostgreSQL).', '5432'),
          })
          .prefault({}),
      })
      .prefault({})
      .describe('iDDS.'),
    bigmon: z
      .strictObject({
        enabled: bool('Render the BigMon Secrets (bigmon-envs, bigmon-certs, bigmon-tls-certs).', true),
        existingTlsSecret: secretText('Name of a TLS Secret you manage; when set, bigmon-certs and bigmon-tls-certs are not rendered.', ''),
        base_url: secretText('Public URL of BigMon (`BIGMON_BASE_URL` of harvester).', 'FIXME'),
        hostname: secretText('Host name of BigMon (`BIGMON_HOST`).', 'FIXME'),
        deployment: secretText('`BIGMON_DEPLOYMENT`: `ORACLE_ATLAS`, `ORACLE_DOMA` or `POSTGRES`; empty: from the database backend.', 'FIXME'),
        dbaccess: secretText('`BIGMON_DB_ACCESS`: `dbaccess_oracle_atlas`, `dbaccess_oracle_doma` or `dbaccess_postgres`; empty: from the database backend.', 'FIXME'),
        dbBackend: optText('Database backend of BigMon when `database.backend` is not set.'),
        database: z
          .strictObject({
            backend: secretText('`oracle` or `postgres`; empty: `dbBackend`, else the PanDA database backend.', 'FIXME'),
            name: optText('PanDA database name BigMon reads; absent: `panda.database.name`.'),
            dbhost: optText('PanDA database host BigMon reads; absent: the PanDA database host.'),
            dbport: optText('PanDA database port BigMon reads; absent: `panda.database.dbport`.'),
            user: optText('PanDA database user BigMon reads; absent: `panda.database.user`.'),
            password: optText('PanDA database password BigMon reads; absent: `panda.database.password`.'),
          })
          .prefault({})
          .describe('The PanDA database as BigMon reads it; each setting falls back to the `panda.database` one.'),
        numWSGI: secretText('WSGI processes of BigMon (`BIGMON_NUM_WSGI_PROC`).', '10'),
        vo: secretText('VO BigMon shows (`BIGMON_VO`).', 'FIXME'),
        secretKey: secretText('Django secret key of BigMon (`BIGMON_SECRET_KEY`).', 'FIXME'),
        debugMode: bool('Django debug mode (`BIGMON_DEBUG`).', false),
        bigmon_extra: secretText('Extra Django apps of BigMon (`BIGMON_INSTALLED_APPS_LIST`).', ''),
        logs_provider: secretText('Where BigMon reads job logs from: `rucio` or `cric`; empty: `rucio`.', 'FIXME'),
        auth: z
          .strictObject({
            providers: z
              .record(z.string().regex(/^[A-Za-z0-9_]+$/, 'a provider name is letters, digits and _'), z.record(z.string().regex(/^[A-Za-z0-9_]+$/), z.union([z.string(), z.number(), z.boolean()]).transform((v) => String(v))))
              .default(DEFAULT_PROVIDERS)
              .describe(`Social-auth providers: each setting becomes \`SOCIAL_AUTH_<PROVIDER>_<SETTING>\` (upper case); \`cern\` also sets the \`SOCIAL_AUTH_CERNOIDC_*\` pair.\n@default ${JSON.stringify(DEFAULT_PROVIDERS)}`),
          })
          .prefault({}),
        prmonLocation: secretText(
          'URL pattern of prmon job files (`PRMON_LOGS_DIRECTIO_LOCATION`); empty: fetched with rucio download.',
          'https://storage.googleapis.com/drp-us-central1-logging/logs/{queue_name}/PandaJob_{panda_id}',
        ),
      })
      .prefault({})
      .describe('BigMon (the PanDA monitor).'),
    ui: z
      .strictObject({
        enabled: bool('Render the PanDA UI Secrets (ui-envs, ui-certs, ui-tls-certs).', true),
        secret: secretText('Django secret key of the UI backend (`PANDAUI_SECRET_KEY`).', 'FIXME'),
        numWSGI: secretText('WSGI processes of the UI backend.', '10'),
        database: z
          .strictObject({
            pandaui: z
              .strictObject({
                vendor: z.enum(['oracle', 'postgresql']).default('oracle').describe('Database of the UI (`DB_CONN_PANDAUI_VENDOR`).\n@default "oracle"'),
                host: secretText('Host of a PostgreSQL database (`DB_CONN_PANDAUI_HOST`).', ''),
                port: optPort('Port of a PostgreSQL database (`DB_CONN_PANDAUI_PORT`).', ''),
                service: secretText('Oracle service or database name (`DB_CONN_PANDAUI_NAME`).', 'FIXME'),
                user: secretText('Database user.', 'FIXME'),
                password: secretText('Database password.', 'FIXME'),
              })
              .prefault({}),
            schema: z
              .strictObject({
                panda: secretText('Schema of the PanDA tables (`DB_SCHEMA_PANDA`).', 'FIXME'),
                pandaui: secretText('Schema of the UI tables (`DB_SCHEMA_PANDAUI`).', 'FIXME'),
              })
              .prefault({}),
          })
          .prefault({}),
        iam: z
          .strictObject({
            endpoint: secretText('IAM the UI logs users in with (`AUTH_IAM_ENDPOINT`).', 'FIXME'),
            client: secretText('Client id of the UI at IAM.', 'FIXME'),
            secret: secretText('Client secret of the UI at IAM.', 'FIXME'),
          })
          .prefault({}),
      })
      .prefault({})
      .describe('PanDA UI.'),
    iam: z
      .strictObject({
        enabled: bool('Render the IAM Secrets (iam-db, iam-db-id-rsa, iam-db-envs, iam-envs, iam-initdb, iam-conf, iam-certs, iam-tls-certs).', true),
        profiles: secretText('Spring profiles IAM runs with (`-Dspring.profiles.active`).', 'prod,registration,oidc'),
        base_url: secretText('Public base URL of IAM (`IAM_BASE_URL`, and `IAM_ISSUER` unless `issuer` is set).', 'FIXME'),
        baseUrl: optText('Older spelling of `base_url`, used when `base_url` is not set.'),
        issuer: secretText('OIDC issuer of IAM (`IAM_ISSUER`); empty: the base URL.', ''),
        port: port('Port IAM listens on (`IAM_PORT`).', '8443'),
        organisationName: secretText('Organisation shown by IAM (`IAM_ORGANISATION_NAME`).', 'Rubin'),
        topbarTitle: secretText('Title of the IAM web pages (`IAM_TOPBAR_TITLE`).', 'PanDA Rubin'),
        database: z
          .strictObject({
            host: secretText('Host of an external IAM database; empty: the stack\'s iam-db MariaDB Service.', ''),
            name: sqlName('IAM database name.', 'iam_db'),
            user: secretText('IAM database user.', 'iam'),
            password: secretText('IAM database password.', 'FIXME'),
            root_password: optText('Root password of the IAM MariaDB; absent: `admin_password`, else `<password>_admin`.'),
            admin_password: optText('The 2022 name of `root_password`.'),
          })
          .prefault({}),
        cilogon: z
          .strictObject({
            client_id: secretText('Client id of IAM at CILogon (external OIDC login).', 'FIXME'),
            client_secret: secretText('Client secret of IAM at CILogon.', 'FIXME'),
          })
          .prefault({}),
        mail: z
          .strictObject({
            host: secretText('SMTP host IAM sends mail through (`IAM_MAIL_HOST`).', 'smtp.cern.ch'),
            port: port('SMTP port (`IAM_MAIL_PORT`).', '587'),
          })
          .prefault({}),
        notification: z
          .strictObject({
            from: secretText('Sender address of IAM notifications (`IAM_NOTIFICATION_FROM`).', 'panda-doma-no-reply@cern.ch'),
            adminAddress: secretText('Address IAM sends administrator notifications to (`IAM_NOTIFICATION_ADMIN_ADDRESS`).', 'panda-doma-admins@cern.ch'),
          })
          .prefault({}),
      })
      .prefault({})
      .describe('INDIGO IAM and its database (iam-db).'),
    rucio: z
      .strictObject({
        rucioHost: secretText('Rucio server `host:port` PanDA and BigMon talk to.', 'sprucio01.sdcc.bnl.gov:443'),
        authHost: secretText('Rucio authentication server `host:port`.', 'sprucio01.sdcc.bnl.gov:443'),
        account: secretText('Rucio account.', 'iddsv1'),
        authType: z.enum(['userpass', 'x509_proxy', 'oidc']).default('userpass').describe('How PanDA and BigMon authenticate to Rucio.\n@default "userpass"'),
        username: secretText('Rucio user name (`userpass`).', 'iddsv1'),
        password: secretText('Rucio password (`userpass`).', 'FIXME'),
        clientX509Proxy: secretText('Path of the X.509 proxy (`x509_proxy`); BigMon reads its base name under /opt/bigmon/etc/cert/.', ''),
        caCert: secretText('CA certificates directory (`x509_proxy`, `oidc`); empty: /etc/grid-security/certificates/.', ''),
        oidcAudience: secretText('Token audience (`oidc`).', 'rucio'),
        oidcScope: secretText('Token scope (`oidc`).', 'openid profile offline_access'),
        oidcIssuer: secretText('Token issuer name (`oidc`).', 'wlcg'),
        oidcRefreshActive: secretText('Refresh tokens before they expire (`oidc`).', 'true'),
        oidcRefreshBeforeExp: secretText('Minutes before expiry to refresh (`oidc`).', '20'),
      })
      .prefault({})
      .describe('Rucio access of PanDA and BigMon.'),
    cric: z
      .strictObject({
        real: bool('Use a real CRIC (the URLs below); false: CRIC JSON files from `cric_jsons/` (Secret cric-jsons), served by the PanDA server.', true),
        costMetrix: secretText('Cost matrix URL (`PANDA_CRIC_CM`).', ''),
        ddmBlackList: secretText('DDM blacklist URL.', `${CRIC}/ddmendpointstatus/query/?json&activity=write_wan&fstate=OFF`),
        ddmEndpoints: secretText('DDM endpoints URL.', `${CRIC}/ddmendpoint/query/?json`),
        schedConfig: secretText('PanDA queues (schedconfig) URL.', `${CRIC}/pandaqueue/query/?json`),
        sites: secretText('Sites URL.', `${CRIC}/site/query/?json`),
        objectStores: secretText('Object stores URL (harvester).', `${CRIC}/ddmendpoint/query/?json&state=ACTIVE&site_state=ACTIVE&preset=dict&json_pretty=1&type[]=OS_LOGS&type[]=OS_ES`),
      })
      .prefault({})
      .describe('CRIC, the information system of PanDA, harvester and BigMon.'),
    object_store: z
      .strictObject({
        host_name: secretText('Object store host BigMon reads logs from.', 'FIXME'),
        port: optPort('Object store port.', '443'),
        bucket_name: secretText('Bucket.', 'FIXME'),
        access_key: secretText('Access key.', 'FIXME'),
        secret_key: secretText('Secret key.', 'FIXME'),
      })
      .prefault({})
      .describe('Object store of BigMon.'),
    proxy: z
      .strictObject({
        httpProxy: secretText('HTTP proxy of every component (`http_proxy` in each env Secret); empty: none.', ''),
        httpsProxy: secretText('HTTPS proxy (`https_proxy`); empty: none.', ''),
        noProxy: secretText('`no_proxy`; empty: localhost and the stack\'s PanDA server and iDDS REST Services.', ''),
      })
      .prefault({})
      .describe('Outbound proxy of the components.'),
  })
  .prefault({})
  .describe('Secrets values: the format of upstream\'s secrets/values.yaml. Installed with `panda-k8s secrets install`.');

export type SecretsValues = z.output<typeof secretsSchema>;
