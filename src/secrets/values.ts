/**
 * Values of the secrets lifecycle: the same format as upstream's `secrets/values.yaml`, so an
 * existing secrets file loads unchanged. Credentials, host names and ports that end up in a Secret
 * accept strings, numbers and booleans alike and are kept as strings (`password: 12345` stays
 * `"12345"`), because every Secret value is a string.
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

/** A database or user name pasted into SQL: letters, digits and `_` only. */
const sqlName = (description: string, def: string) =>
  z
    .string()
    .regex(/^[A-Za-z0-9_]+$/, 'use letters, digits and _ only')
    .default(def)
    .describe(`${description}\n@default ${JSON.stringify(def)}`);

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
    client_secret: z
      .union([z.string(), z.number()])
      .transform((v) => String(v))
      .default('')
      .describe('OIDC client secret of this client (empty for a public client).\n@default ""'),
  })
  .describe('One OIDC client (VO) accepted by PanDA and iDDS.');

const DEFAULT_CLIENTS = ['panda_dev', 'Rubin', 'Rubin.production'].map((name) => ({ name, client_id: 'FIXME', client_secret: 'FIXME' }));

const DEFAULT_CHANNELS = [
  'idds_panda:idds:panda,jedi',
  'panda_idds:panda,jedi:idds',
  'self.jedi_taskstatus:jedi:jedi',
  'panda_jedi:panda:jedi',
  'panda_pilot:panda:pilot',
  'idds.internal:idds:idds',
];

export const secretsSchema = z
  .strictObject({
    affix: str(
      'Affix of the instance release names: `x-` is a prefix (`x-panda`), `-x` a suffix (`panda-x`). Used when no `--affix` is given; empty means `test-`. Every host name the Secrets carry is derived from it.',
      '',
    ),
    auth: z
      .strictObject({
        auth: secretText('Authentication type of the PanDA clients (`PANDA_AUTH`).', 'oidc'),
        authIdToken: secretText('Internal ID token the PanDA and iDDS clients present (`PANDA_AUTH_ID_TOKEN`).', 'FIXME'),
        authVO: secretText('VO of that token (`PANDA_AUTH_VO`).', 'panda_dev'),
        oidc: z
          .strictObject({
            audience: secretText('Audience of the OIDC tokens PanDA and iDDS accept.', 'https://pandaserver-doma.cern.ch'),
            config_url: secretText(
              'OpenID configuration URL of the token issuer (`oidc_config_url` of every client).',
              'https://panda-iam-doma.cern.ch/.well-known/openid-configuration',
            ),
            clients: z
              .array(oidcClient)
              .default(DEFAULT_CLIENTS)
              .refine((cs) => new Set(cs.map((c) => c.name)).size === cs.length, { message: 'client names must be unique' })
              .describe(`OIDC clients, one per VO.\n@default ${JSON.stringify(DEFAULT_CLIENTS)}`),
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
        enabled: bool('Render the PanDA Secrets (panda-envs, panda-certs, panda-auth).', true),
        database: z
          .strictObject({
            password: secretText('Password of the PanDA database.', 'FIXME'),
            dbhost: secretText('Host of an external PanDA database; empty: the stack\'s own postgres Service.', ''),
          })
          .prefault({}),
        port: port('HTTP port of the PanDA server Service (`PANDA_URL`).', '80'),
        sslPort: port('HTTPS port of the PanDA server Service (`PANDA_URL_SSL`, `PANDACACHE_URL`).', '443'),
        hostName: secretText('Host name of the PanDA server for external access (`PANDA_SANDBOX_HOST`, `PANDACACHE_URL`).', 'FIXME'),
        verifyHost: secretText('Whether PanDA clients verify the server certificate (`PANDA_VERIFY_HOST`).', 'off'),
        configRoot: secretText('Configuration directory of the PanDA client in iDDS (`PANDA_CONFIG_ROOT`).', '/tmp/'),
      })
      .prefault({})
      .describe('PanDA server and JEDI.'),
    harvester: z
      .strictObject({
        enabled: bool('Render the harvester Secrets (harvester-envs, harvester-certs).', true),
        experiment: secretText('Experiment harvester configures itself for (`EXPERIMENT`, e.g. `lsst`, `sphenix`); empty: none.', ''),
        harvesterID: secretText('Harvester instance id (`HARVESTER_ID`).', 'my-harvester'),
        database: z
          .strictObject({
            password: secretText('Password of the harvester database user; the root password is `<password>-admin`.', 'FIXME'),
            dbhost: secretText('Host of an external harvester database; empty: the stack\'s own mariadb Service.', ''),
          })
          .prefault({}),
        useStableCondor: bool('Install HTCondor from the stable channel instead of the latest (`CONDOR_CHANNEL=.stable`).', false),
      })
      .prefault({})
      .describe('Harvester.'),
    idds: z
      .strictObject({
        enabled: bool('Render the iDDS Secrets (idds-db-envs, idds-envs, idds-auth, idds-certs).', true),
        restPort: port('HTTPS port of the iDDS REST Service (`IDDS_SERVER`, `PANDA_IDDS_PORT`).', '8443'),
        database: z
          .strictObject({
            name: secretText('iDDS database name.', 'idds_db'),
            user: secretText('iDDS database user.', 'idds'),
            password: secretText('iDDS database password.', 'MyPass123'),
            schema: secretText('iDDS database schema.', 'doma_idds'),
            host: secretText('Host of an external iDDS database; empty: the stack\'s own postgres Service.', ''),
          })
          .prefault({}),
      })
      .prefault({})
      .describe('iDDS.'),
    bigmon: z
      .strictObject({
        enabled: bool('Accepted for compatibility; BigMon reads no Secret, it is only the target of `PANDA_MONITOR_URL`.', true),
      })
      .prefault({})
      .describe('BigMon.'),
    iam: z
      .strictObject({
        enabled: bool('Render the IAM Secrets (iam-db-envs, iam-envs, iam-initdb, iam-conf).', true),
        database: z
          .strictObject({
            host: secretText('Host of an external IAM database; empty: the stack\'s own mariadb Service.', ''),
            name: sqlName('IAM database name.', 'iam_db'),
            user: secretText('IAM database user.', 'iam'),
            password: secretText('IAM database password.', 'MyPass0508'),
            admin_password: secretText('Root password of the IAM mariadb.', 'MyAdminPass0508'),
          })
          .prefault({}),
        cilogon: z
          .strictObject({
            client_id: secretText('Client id of IAM at CILogon (external OIDC login).', 'FIXME'),
            client_secret: secretText('Client secret of IAM at CILogon.', 'FIXME'),
          })
          .prefault({}),
        profiles: secretText('Spring profiles IAM runs with (`-Dspring.profiles.active`).', 'prod,registration,oidc'),
        baseUrl: secretText('Public base URL of IAM (`IAM_BASE_URL`).', 'https://panda-iam-dev.cern.ch'),
        issuer: secretText('OIDC issuer of IAM (`IAM_ISSUER`); empty: the base URL.', ''),
        organisationName: secretText('Organisation shown by IAM (`IAM_ORGANISATION_NAME`).', 'Rubin'),
        topbarTitle: secretText('Title of the IAM web pages (`IAM_TOPBAR_TITLE`).', 'PanDA Rubin'),
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
      .describe('INDIGO IAM.'),
    rucio: z
      .strictObject({
        rucioHost: secretText('Rucio server `host:port` PanDA talks to.', 'sprucio01.sdcc.bnl.gov:443'),
        authHost: secretText('Rucio authentication server `host:port`.', 'sprucio01.sdcc.bnl.gov:443'),
        username: secretText('Rucio user name.', 'iddsv1'),
        password: secretText('Rucio password.', 'FIXME'),
        account: secretText('Rucio account.', 'iddsv1'),
      })
      .prefault({})
      .describe('Rucio credentials of the PanDA server.'),
  })
  .prefault({})
  .describe('Secrets values: the format of upstream\'s secrets/values.yaml. Installed with `panda-k8s secrets install`.');

export type SecretsValues = z.output<typeof secretsSchema>;
