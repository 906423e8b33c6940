import { describe, expect, it } from 'vitest';
import { PandaError } from '../core/errors.js';
import { LABEL, type K8sObject } from '../core/k8s.js';
import { enabledSecretIds, renderSecrets } from './render.js';
import { isCataloguedKey, SECRET_IDS, SECRETS, sectionSecrets, type SecretEntry, type SecretId } from './refs.js';
import { secretsContext, secretsValues, TEST_KEYSTORE } from './testing.js';

type Secret = K8sObject & { type: string; stringData?: Record<string, string>; data?: Record<string, string> };

const render = (values: unknown = {}, ctx = secretsContext()) => renderSecrets(secretsValues(values), ctx) as Secret[];
const get = (objs: Secret[], suffix: string, prefix = 'panda-secrets') => {
  const s = objs.find((o) => o.metadata.name === `${prefix}-${suffix}`);
  if (!s) throw new Error(`no Secret ${prefix}-${suffix}`);
  return s;
};
const env = (objs: Secret[], suffix: string) => get(objs, suffix).stringData!;

/** Upstream's upper-case placeholder affix, which our names module refuses; built directly to compare with upstream's render. */
const FIXME = { value: '-FIXME', kind: 'suffix' as const, source: 'test' };

describe('secrets render: structure', () => {
  it('renders the 31 Secrets of HEAD in catalogue order, typed as catalogued, labelled as the secrets lifecycle', () => {
    const objs = render();
    expect(objs).toHaveLength(31);
    expect(objs.map((o) => o.metadata.name.replace('panda-secrets-', ''))).toEqual(SECRET_IDS.filter((id) => id !== 'cric-jsons'));
    for (const o of objs) {
      const id = o.metadata.name.replace('panda-secrets-', '') as SecretId;
      const entry: SecretEntry = SECRETS[id];
      expect(o).toMatchObject({ apiVersion: 'v1', kind: 'Secret', type: entry.type ?? 'Opaque' });
      expect(o.metadata.labels![LABEL.lifecycle]).toBe('secrets');
      expect(o.metadata.labels![LABEL.instance]).toBe('panda-secrets');
    }
    expect(get(objs, 'panda-envs').metadata.labels![LABEL.name]).toBe('panda');
    expect(render({ cric: { real: false } }).map((o) => o.metadata.name)).toContain('panda-secrets-cric-jsons');
  });

  it('names every Secret with the configured prefix', () => {
    const objs = renderSecrets(secretsValues(), secretsContext({ prefix: 'site-sec' }));
    expect(objs.every((o) => o.metadata.name.startsWith('site-sec-'))).toBe(true);
  });

  it('holds every always-present key of the catalogue, and no key the catalogue does not list', () => {
    const full = {
      auth: { auth_client_id: 'c', auth_client_secret: 's', auth_endpoint: 'https://iam/token' },
      proxy: { httpProxy: 'http://p:3128', httpsProxy: 'http://p:3129' },
      panda: { hostName: 'panda.example.org' },
      harvester: { experiment: 'atlas', database: { db_add_index: 'true', name_prefix: 'h', dbhost_domain: '.site' } },
      ui: { database: { pandaui: { vendor: 'postgresql', host: 'db', port: 5432 } } },
      cric: { real: false },
    };
    const ctx = secretsContext({
      folders: { panda_certs: { 'hostcert.pem': 'C', 'hostkey.pem': 'K', 'x509.proxy': 'P' }, cric_jsons: { 'sites.json': '{}' }, harvester_auth: { 'gcloud.json': '{}' } },
    });
    for (const values of [{}, full, { rucio: { authType: 'oidc' } }, { rucio: { authType: 'x509_proxy' }, idds: { database: { backend: 'oracle' } }, bigmon: { database: { backend: 'oracle' } } }]) {
      for (const o of render(values, ctx)) {
        const id = o.metadata.name.replace('panda-secrets-', '') as SecretId;
        const keys = Object.keys({ ...o.data, ...o.stringData });
        expect(keys.filter((k) => !isCataloguedKey(id, k)), id).toEqual([]);
        expect(SECRETS[id].keys.filter((k: string) => !keys.includes(k)), id).toEqual([]);
      }
    }
  });

  it('renders upstream host names for upstream affixes, the IAM database at the iam-db component (B23)', () => {
    const objs = render({}, secretsContext({ affix: FIXME }));
    expect(env(objs, 'harvester-envs').HARVESTER_DB_HOST).toBe('harvester-FIXME-mariadb');
    expect(env(objs, 'iam-envs').IAM_DB_HOST).toBe('iam-db-FIXME-mariadb');
    expect(env(objs, 'idds-envs')).toMatchObject({
      PANDA_MONITOR_URL: 'https://bigmon-FIXME-main',
      IDDS_DATABASE_HOST: 'idds-FIXME-postgres',
      IDDS_CONDUCTOR_BROKERS: 'msgsvc-FIXME-activemq:61613',
      IDDS_RECEIVER_BROKERS: 'msgsvc-FIXME-activemq:61613',
      PANDA_URL_SSL: 'https://panda-FIXME-server:443/server/panda',
    });
    expect(env(objs, 'panda-envs')).toMatchObject({
      PANDA_DB_HOST: 'panda-FIXME-postgres',
      PANDA_ACTIVEMQ_LIST: 'msgsvc-FIXME-activemq:61613',
      PANDA_IDDS_HOST: 'idds-FIXME-rest',
      PANDA_IDDS_PORT: '8443',
    });
    expect(env(objs, 'bigmon-envs')).toMatchObject({ PANDA_DB_HOST: 'panda-FIXME-postgres', IDDS_DB_HOST: 'idds-FIXME-postgres', IDDS_HOST: 'idds-FIXME-rest' });
    expect(env(objs, 'ui-envs').PANDA_SERVER_API_URL).toBe('https://panda-FIXME-server:443/api/v1');
  });

  it('gates each section on its enabled flag, cric-jsons on cric.real, certificates on existingTlsSecret', () => {
    const all = render().map((o) => o.metadata.name.replace('panda-secrets-', ''));
    for (const section of ['bigmon', 'harvester', 'iam', 'idds', 'msgsvc', 'panda', 'ui'] as const) {
      const v = { [section]: { enabled: false } };
      const names = render(v).map((o) => o.metadata.name.replace('panda-secrets-', ''));
      expect(names).toEqual(all.filter((s) => !sectionSecrets(section).includes(s as SecretId)));
      expect(enabledSecretIds(secretsValues(v))).toEqual(names);
    }
    const none = Object.fromEntries(['bigmon', 'harvester', 'iam', 'idds', 'msgsvc', 'panda', 'ui'].map((s) => [s, { enabled: false }]));
    expect(render(none)).toEqual([]);
    const own = render({ panda: { existingTlsSecret: 'site-tls' }, bigmon: { existingTlsSecret: 'site-tls' } }).map((o) => o.metadata.name);
    expect(own.filter((n) => /(panda|bigmon)-(tls-)?certs$/.test(n))).toEqual([]);
    expect(own).toHaveLength(27);
  });
});

describe('secrets render: hosts and URLs (B10, B14)', () => {
  it('points PANDA_URL at the http port with http:// and PANDA_URL_SSL at the https port with https://', () => {
    const objs = render({ panda: { port: 8080, sslPort: 8443 } });
    for (const s of ['harvester-envs', 'idds-envs', 'panda-envs']) {
      expect(env(objs, s).PANDA_URL).toBe('http://test-panda-server:8080/server/panda');
      expect(env(objs, s).PANDA_URL_SSL).toBe('https://test-panda-server:8443/server/panda');
    }
  });

  it('points IDDS_SERVER at the iDDS REST Service', () => {
    const objs = render({ idds: { restPort: 9443 } });
    expect(env(objs, 'idds-envs').IDDS_SERVER).toBe('https://test-idds-rest:9443');
    expect(env(objs, 'panda-envs')).toMatchObject({ PANDA_IDDS_HOST: 'test-idds-rest', PANDA_IDDS_PORT: '9443' });
  });

  it('uses the same names as the components, also where an affix word equals a sub-component', () => {
    const main = { value: '-main', kind: 'suffix' as const, source: 'test' };
    const objs = render({}, secretsContext({ affix: main }));
    // `bigmon-main` + `main` collapses to `bigmon-main`, as the bigmon objects are named
    expect(env(objs, 'idds-envs').PANDA_MONITOR_URL).toBe('https://bigmon-main');
    expect(env(objs, 'iam-envs').IAM_DB_HOST).toBe('iam-db-main-mariadb');
    const rest = { value: 'rest-', kind: 'prefix' as const, source: 'test' };
    const r = render({}, secretsContext({ affix: rest }));
    expect(env(r, 'panda-envs').PANDA_IDDS_HOST).toBe('rest-idds');
    expect(env(r, 'idds-envs').IDDS_SERVER).toBe('https://rest-idds:8443');
  });

  it('uses external database hosts when given', () => {
    const objs = render({
      panda: { database: { dbhost: 'pg.site' } },
      harvester: { database: { dbhost: 'maria.site' } },
      idds: { database: { host: 'pg2.site' } },
      iam: { database: { host: 'maria2.site' } },
    });
    expect(env(objs, 'panda-envs').PANDA_DB_HOST).toBe('pg.site');
    expect(env(objs, 'harvester-envs').HARVESTER_DB_HOST).toBe('maria.site');
    expect(env(objs, 'idds-envs').IDDS_DATABASE_HOST).toBe('pg2.site');
    expect(env(objs, 'iam-envs').IAM_DB_HOST).toBe('maria2.site');
  });

  it('points PANDACACHE_URL at the PanDA server Service and sets PANDA_HOSTNAME from the external host name, only when given', () => {
    const objs = render({ panda: { hostName: 'panda.example.org', sslPort: 8443 } });
    expect(env(objs, 'idds-envs').PANDACACHE_URL).toBe('https://test-panda-server:8443/server/panda');
    expect(env(objs, 'panda-envs')).toMatchObject({ PANDA_HOSTNAME: 'panda.example.org', PANDA_SANDBOX_HOST: 'panda.example.org' });
    expect(env(render({ panda: { hostName: '' } }), 'panda-envs')).not.toHaveProperty('PANDA_HOSTNAME');
  });

  it('puts the proxy into every env Secret, https_proxy from httpsProxy (B5), no_proxy naming the stack\'s Services', () => {
    const objs = render({ proxy: { httpProxy: 'http://p:3128', httpsProxy: 'http://s:3129' } });
    for (const s of ['bigmon-envs', 'harvester-envs', 'idds-envs', 'panda-envs', 'ui-envs'])
      expect(env(objs, s)).toMatchObject({ http_proxy: 'http://p:3128', https_proxy: 'http://s:3129', no_proxy: 'localhost,test-panda-server,test-idds-rest' });
    expect(env(render(), 'panda-envs')).not.toHaveProperty('http_proxy');
    expect(env(render({ proxy: { httpsProxy: 'http://s:1', noProxy: '.site' } }), 'idds-envs')).toMatchObject({ https_proxy: 'http://s:1', no_proxy: '.site' });
  });

  it('switches to short-lived internal tokens with auth.auth_client_id', () => {
    const objs = render({ auth: { authVO: 'vo', auth_client_id: 'cid', auth_client_secret: 'cs', auth_endpoint: 'https://iam.example/token' } });
    expect(env(objs, 'panda-envs')).toMatchObject({ PANDA_AUTH_ID_TOKEN: 'file:/tmp/proxies/panda_internal_token', PANDA_AUTH_VO: 'vo.internal' });
    expect(env(objs, 'harvester-envs')).toMatchObject({ PANDA_AUTH_ID_TOKEN: 'file:/opt/harvester/etc/auth_tokens/panda_token', PANDA_AUTH_VO: 'vo.internal' });
    expect(JSON.parse(env(objs, 'panda-auth')['vo.internal_auth_config.json']!)).toMatchObject({ client_id: 'cid', robot_ids: 'cid', client_secret: null, vo: 'internal' });
    expect(JSON.parse(env(objs, 'panda-token-cache')['token_cache_config.json']!).internal).toEqual({
      client_id: 'cid',
      endpoint: 'https://iam.example/token',
      secret: 'cs',
      token_file_path: '/tmp/proxies/panda_internal_token',
    });
    const tok = JSON.parse(Buffer.from(get(objs, 'harvester-auth').data!['token_panda-internal_client.json']!, 'base64').toString());
    expect(tok).toEqual({ client_id: 'cid', client_secret: 'cs', issuer: 'https://iam.example/' });
  });

  it('selects the Rucio auth type and the database backends', () => {
    expect(env(render({ rucio: { authType: 'oidc' } }), 'panda-envs')).toMatchObject({ PANDA_RUCIO_AUTH_TYPE: 'oidc', PANDA_RUCIO_OIDC_AUDIENCE: 'rucio', PANDA_RUCIO_USERNAME: '' });
    const x = render({ rucio: { authType: 'x509_proxy', clientX509Proxy: '/certs/x509up' } });
    expect(env(x, 'panda-envs')).toMatchObject({ PANDA_RUCIO_AUTH_TYPE: 'x509_proxy', PANDA_RUCIO_X509_PROXY: '/certs/x509up', PANDA_RUCIO_PASSWORD: '' });
    expect(env(x, 'bigmon-envs')).toMatchObject({ RUCIO_AUTH_TYPE: 'x509_proxy', X509_USER_PROXY: '/opt/bigmon/etc/cert/x509up' });
    const o = render({ idds: { database: { backend: 'oracle', dbhost: 'IDDS_TNS', user: 'u', password: 'p@ss' } }, panda: { database: { backend: 'oracle' } } });
    expect(env(o, 'idds-envs')).toMatchObject({ TNS_ADMIN: '/opt/idds/configmap', IDDS_DATABASE_PORT: '', IDDS_DATABASE_URL: 'oracle+oracledb://u:p%40ss@IDDS_TNS' });
    expect(env(o, 'bigmon-envs')).toMatchObject({ PANDA_DB_BACKEND: 'oracle', BIGMON_DEPLOYMENT: 'FIXME', TNS_ADMIN: '/data/bigmon/config' });
    expect(env(render({ bigmon: { deployment: '', dbaccess: '' } }), 'bigmon-envs')).toMatchObject({ BIGMON_DEPLOYMENT: 'POSTGRES', BIGMON_DB_ACCESS: 'dbaccess_postgres' });
  });

  it('gives BigMon the PanDA database settings unless its own are set (upstream empties them)', () => {
    const b = env(render({ panda: { database: { password: 'pp', name: 'pdb' } }, bigmon: { database: { user: 'reader' } } }), 'bigmon-envs');
    expect(b).toMatchObject({ PANDA_DB_NAME: 'pdb', PANDA_DB_HOST: 'test-panda-postgres', PANDA_DB_PORT: '5432', PANDA_DB_USER: 'reader', PANDA_DB_PASSWORD: 'pp' });
  });
});

describe('secrets render: settings', () => {
  it('substitutes the OIDC config URL and builds auth configs as JSON, not by string replacement (B3)', () => {
    const objs = render({
      auth: {
        oidc: {
          audience: 'https://aud',
          config_url: 'https://iam.example/.well-known/openid-configuration',
          clients: [{ name: 'vo1', client_id: 'ID-NAME-SECRET-URL', client_secret: 's"e\\c' }],
        },
      },
    });
    const panda = JSON.parse(env(objs, 'panda-auth')['vo1_auth_config.json']!);
    expect(panda).toEqual({
      audience: 'https://aud',
      client_id: 'ID-NAME-SECRET-URL',
      client_secret: 's"e\\c',
      oidc_config_url: 'https://iam.example/.well-known/openid-configuration',
      robot_ids: '',
      vo: 'vo1',
    });
    const cfg = JSON.parse(env(objs, 'idds-auth')['auth.cfg.json']!)['/opt/idds/config/idds/auth.cfg'];
    expect(cfg.common).toEqual({ allow_vos: 'vo1' });
    expect(cfg.vo1).toEqual(panda);
  });

  it('uses per-client audience, config URL and robot ids in PanDA and iDDS alike; a public client has no secret', () => {
    const objs = render({ auth: { oidc: { clients: [{ name: 'a', client_id: 'i', robot_ids: 'r1,r2', audience: 'aud-a', config_url: 'https://a/conf' }] } } });
    const want = { audience: 'aud-a', client_id: 'i', client_secret: null, oidc_config_url: 'https://a/conf', robot_ids: 'r1,r2', vo: 'a' };
    expect(JSON.parse(env(objs, 'panda-auth')['a_auth_config.json']!)).toEqual(want);
    expect(JSON.parse(env(objs, 'idds-auth')['auth.cfg.json']!)['/opt/idds/config/idds/auth.cfg'].a).toEqual(want);
  });

  it('starts IAM with the configured Spring profiles (B7)', () => {
    expect(env(render(), 'iam-envs').IAM_JAVA_OPTS).toBe('-Dspring.profiles.active=prod,registration,oidc -Dlog4j2.formatMsgNoLookups=true');
    expect(env(render({ iam: { profiles: 'prod' } }), 'iam-envs').IAM_JAVA_OPTS).toBe('-Dspring.profiles.active=prod -Dlog4j2.formatMsgNoLookups=true');
  });

  it('takes the IAM base URL, issuer, organisation, mail and notification settings from values (B8)', () => {
    const e = env(
      render({
        iam: {
          base_url: 'https://iam.example.org',
          organisationName: 'Example',
          topbarTitle: 'Example IAM',
          mail: { host: 'smtp.example.org', port: 25 },
          notification: { from: 'iam@example.org', adminAddress: 'admins@example.org' },
        },
      }),
      'iam-envs',
    );
    expect(e).toMatchObject({
      IAM_BASE_URL: 'https://iam.example.org',
      IAM_ISSUER: 'https://iam.example.org',
      IAM_ORGANISATION_NAME: 'Example',
      IAM_TOPBAR_TITLE: 'Example IAM',
      IAM_MAIL_HOST: 'smtp.example.org',
      IAM_MAIL_PORT: '25',
      IAM_NOTIFICATION_FROM: 'iam@example.org',
      IAM_NOTIFICATION_ADMIN_ADDRESS: 'admins@example.org',
    });
    expect(env(render({ iam: { issuer: 'https://issuer.example.org' } }), 'iam-envs').IAM_ISSUER).toBe('https://issuer.example.org');
    expect(env(render({ iam: { baseUrl: 'https://old.example.org' } }), 'iam-envs').IAM_BASE_URL).toBe('https://old.example.org');
    expect(env(render(), 'iam-envs').IAM_PORT).toBe('8443');
  });

  it('sets harvester EXPERIMENT only when configured, and the HTCondor channel from condorChannel or the 2022 useStableCondor', () => {
    const plain = env(render(), 'harvester-envs');
    expect(plain).not.toHaveProperty('EXPERIMENT');
    expect(plain.CONDOR_CHANNEL).toBe('.latest');
    expect(env(render({ harvester: { experiment: 'lsst', useStableCondor: true } }), 'harvester-envs')).toMatchObject({ EXPERIMENT: 'lsst', CONDOR_CHANNEL: '.stable' });
    expect(env(render({ harvester: { condorChannel: 9 } }), 'harvester-envs').CONDOR_CHANNEL).toBe('.9');
  });

  it('derives the harvester root password and the ActiveMQ account passwords', () => {
    const objs = render({ harvester: { database: { password: 'hp', admin_password: '' } }, msgsvc: { basePasswd: 'bp', accounts: ['a', 'b'], channels: ['x:a:b', 'y:b:a'] } });
    expect(env(objs, 'harvester-envs')).toMatchObject({ MARIADB_PASSWORD: 'hp', MARIADB_ROOT_PASSWORD: 'hp-admin' });
    expect(env(objs, 'msgsvc-envs')).toEqual({ ACTIVEMQ_BASE_PASSWD: 'bp', ACTIVEMQ_CHANNELS: 'x:a:b;y:b:a', ACTIVEMQ_ACCOUNTS: 'a;b' });
    expect(env(objs, 'panda-envs')).toMatchObject({ PANDA_ACTIVEMQ_PASSWD_panda: 'bp_panda', PANDA_ACTIVEMQ_PASSWD_jedi: 'bp_jedi' });
    expect(env(objs, 'idds-envs').IDDS_CONDUCTOR_PASSWORD).toBe('bp_idds');
  });

  it('follows auth.auth and panda.verifyHost in panda-envs as in idds-envs', () => {
    const objs = render({ auth: { auth: 'x509' }, panda: { verifyHost: 'on' } });
    for (const s of ['panda-envs', 'idds-envs']) expect(env(objs, s)).toMatchObject({ PANDA_AUTH: 'x509', PANDA_VERIFY_HOST: 'on' });
  });

  it('keeps every value a string, whatever YAML type the values file used (B25)', () => {
    const objs = render({ panda: { database: { password: 12345 }, verifyHost: false }, msgsvc: { basePasswd: 1 }, iam: { database: { password: 0.5 } } });
    for (const o of objs) for (const v of Object.values(o.stringData ?? {})) expect(typeof v).toBe('string');
    expect(env(objs, 'panda-envs')).toMatchObject({ PANDA_DB_PASSWORD: '12345', PANDA_VERIFY_HOST: 'false' });
    expect(env(objs, 'msgsvc-envs').ACTIVEMQ_BASE_PASSWD).toBe('1');
  });

  it('quotes the IAM user and password in the init SQL', () => {
    const sql = env(render({ iam: { database: { name: 'iamdb', user: "o'neil", password: "p'w\\x" } } }), 'iam-initdb')['init_org_db.sql']!;
    expect(sql).toBe(
      "CREATE DATABASE iamdb CHARACTER SET latin1 COLLATE latin1_swedish_ci;\nGRANT ALL PRIVILEGES ON iamdb.* TO 'o''neil'@'%' IDENTIFIED BY 'p''w\\\\x';\n",
    );
    expect(env(render({ iam: { database: { password: 'p', admin_password: 'r' } } }), 'iam-db-envs')).toEqual({ MARIADB_USER: 'iam', MARIADB_PASSWORD: 'p', MARIADB_ROOT_PASSWORD: 'r' });
    expect(env(render({ iam: { database: { password: 'p' } } }), 'iam-db-envs').MARIADB_ROOT_PASSWORD).toBe('p_admin');
  });

  it('gives the database credential Secrets the same root password the MariaDB starts with', () => {
    const objs = render({ iam: { database: { password: 'p', root_password: 'r' } }, harvester: { database: { password: 'h', admin_password: 'ha' } } });
    const d = (s: string) => Object.fromEntries(Object.entries(get(objs, s).data!).map(([k, v]) => [k, Buffer.from(v, 'base64').toString()]));
    expect(d('iam-db')).toEqual({ root_password: 'r', database_name: 'iam_db', user_name: 'iam', user_password: 'p' });
    expect(env(objs, 'iam-db-envs').MARIADB_ROOT_PASSWORD).toBe('r');
    expect(d('harvester-db')).toEqual({ root_password: 'ha', database_name: 'harvester', user_name: 'harvester', user_password: 'h' });
    expect(env(objs, 'harvester-envs').MARIADB_ROOT_PASSWORD).toBe('ha');
  });

  it('creates the harvester database, user and one database per replica, quoting the password', () => {
    const sql = env(render({ harvester: { replicaCount: 2, database: { password: "it's" } } }), 'harvester-initdb')['init_harvester_db.sql']!;
    expect(sql).toContain("CREATE USER 'harvester'@'%' IDENTIFIED BY 'it''s';");
    expect(sql).toContain('CREATE DATABASE harvester_1;');
    expect(sql.trimEnd().endsWith('FLUSH PRIVILEGES;')).toBe(true);
  });
});

describe('secrets render: files', () => {
  const b64 = (s: string) => Buffer.from(s).toString('base64');

  it('puts every *.pem of a certificate folder, subfolders included, into data keyed by base name', () => {
    const ctx = secretsContext({
      folders: {
        panda_certs: { 'hostcert.pem': 'C', 'hostkey.pem': 'K', 'site/chain.pem': 'CH', 'README': 'r', 'x.key': 'k' },
        harvester_certs: { 'a/b/pilot_usercert.pem': 'U' },
        idds_certs: {},
      },
    });
    const objs = render({}, ctx);
    expect(get(objs, 'panda-certs').data).toEqual({ 'chain.pem': b64('CH'), 'hostcert.pem': b64('C'), 'hostkey.pem': b64('K') });
    expect(get(objs, 'harvester-certs').data).toEqual({ 'pilot_usercert.pem': b64('U') });
    expect(get(objs, 'idds-certs').data).toEqual({});
    expect(get(objs, 'panda-certs').stringData).toBeUndefined();
    expect(get(objs, 'panda-tls-certs').data).toEqual({ 'tls.crt': b64('C'), 'tls.key': b64('K') });
    expect(get(objs, 'idds-tls-certs')).toMatchObject({ type: 'kubernetes.io/tls', data: { 'tls.crt': '', 'tls.key': '' } });
  });

  it('takes every top-level file of harvester_auth and iam_certs, *.json of cric_jsons, and the id_rsa keys', () => {
    const ctx = secretsContext({
      folders: {
        harvester_auth: { 'gcloud.json': 'G', 'sub/x': 'no' },
        iam_certs: { 'ca.crt': 'A' },
        cric_jsons: { 'sites.json': 'S', README: 'r' },
        harvester_db_conf: { id_rsa: 'H' },
        panda_certs: { 'sub/x509up.proxy': 'P' },
        bigmon_certs: { 'bigmon.pem': 'B' },
      },
    });
    const objs = render({ cric: { real: false } }, ctx);
    expect(get(objs, 'harvester-auth').data).toEqual({ 'gcloud.json': b64('G') });
    expect(get(objs, 'iam-certs').data).toEqual({ 'ca.crt': b64('A') });
    expect(get(objs, 'cric-jsons').data).toEqual({ 'sites.json': b64('S') });
    expect(get(objs, 'harvester-db-id-rsa').data).toEqual({ id_rsa: b64('H') });
    expect(get(objs, 'iam-db-id-rsa').data).toEqual({ id_rsa: '' });
    expect(get(objs, 'panda-certs').data).toEqual({ 'x509up.proxy': b64('P') });
    expect(get(objs, 'bigmon-certs').data).toEqual({ 'bigmon.pem': b64('B'), 'x509up.proxy': b64('P') });
  });

  it('refuses two certificates with the same base name, and names that cannot be Secret keys', () => {
    const dup = secretsContext({ folders: { panda_certs: { 'a/hostcert.pem': 'A', 'b/hostcert.pem': 'B' } } });
    expect(() => render({}, dup)).toThrow(PandaError);
    const bad = secretsContext({ folders: { idds_certs: { 'host cert.pem': 'A' } } });
    try {
      render({}, bad);
      expect.unreachable();
    } catch (e) {
      expect((e as PandaError).issues[0]!.where).toBe('idds_certs/host cert.pem');
    }
  });

  it('puts the top-level iam_conf files into iam-conf, plus the generated keystore when none is supplied (B9)', () => {
    const ctx = secretsContext({ folders: { iam_conf: { 'application.yml': 'a: 1\n', 'sub/ignored.yml': 'x' } }, iamKeystore: TEST_KEYSTORE });
    const conf = get(render({}, ctx), 'iam-conf');
    expect(conf.stringData).toEqual({ 'application.yml': 'a: 1\n', 'iam-keystore.jwks': TEST_KEYSTORE });
    expect(env(render({}, ctx), 'iam-envs').IAM_KEY_STORE_LOCATION).toBe('file:///indigo-iam/config/iam-keystore.jwks');
  });

  it('uses the operator keystore when iam_conf has one, and refuses one without a private key', () => {
    const own = '{"keys":[{"kty":"RSA","kid":"rsa1","n":"n","e":"AQAB","d":"own"}]}';
    const ctx = secretsContext({ folders: { iam_conf: { 'iam-keystore.jwks': own } }, iamKeystore: TEST_KEYSTORE });
    expect(get(render({}, ctx), 'iam-conf').stringData!['iam-keystore.jwks']).toBe(own);
    const pub = secretsContext({ folders: { iam_conf: { 'iam-keystore.jwks': '{"keys":[{"kty":"RSA","n":"n","e":"AQAB"}]}' } } });
    try {
      render({}, pub);
      expect.unreachable();
    } catch (e) {
      expect((e as PandaError).issues.map((i) => i.message)).toEqual([expect.stringMatching(/no private key/)]);
    }
  });

  it('keeps binary iam_conf files byte for byte in data', () => {
    const bin = new Uint8Array([0xff, 0xfe, 0x00, 0x01]);
    const conf = get(render({}, secretsContext({ folders: { iam_conf: { 'truststore.p12': bin } } })), 'iam-conf');
    expect(conf.data).toEqual({ 'truststore.p12': Buffer.from(bin).toString('base64') });
    expect(conf.stringData).toHaveProperty('iam-keystore.jwks');
  });
});
