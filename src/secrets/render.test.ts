import { describe, expect, it } from 'vitest';
import { PandaError } from '../core/errors.js';
import { LABEL, type K8sObject } from '../core/k8s.js';
import { ALL_SECRET_SUFFIXES, enabledSecretSuffixes, renderSecrets, SECRET_SUFFIXES } from './render.js';
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
  it('renders the 16 Secrets in upstream order, all Opaque, labelled as the secrets lifecycle', () => {
    const objs = render();
    expect(objs.map((o) => o.metadata.name)).toEqual([
      'panda-secrets-harvester-envs',
      'panda-secrets-harvester-auth',
      'panda-secrets-harvester-certs',
      'panda-secrets-harvester-initdb',
      'panda-secrets-iam-db-envs',
      'panda-secrets-iam-envs',
      'panda-secrets-iam-initdb',
      'panda-secrets-iam-conf',
      'panda-secrets-idds-db-envs',
      'panda-secrets-idds-envs',
      'panda-secrets-idds-auth',
      'panda-secrets-idds-certs',
      'panda-secrets-msgsvc-envs',
      'panda-secrets-panda-envs',
      'panda-secrets-panda-certs',
      'panda-secrets-panda-auth',
    ]);
    for (const o of objs) {
      expect(o).toMatchObject({ apiVersion: 'v1', kind: 'Secret', type: 'Opaque' });
      expect(o.metadata.labels![LABEL.lifecycle]).toBe('secrets');
      expect(o.metadata.labels![LABEL.instance]).toBe('panda-secrets');
    }
    expect(get(objs, 'panda-envs').metadata.labels![LABEL.name]).toBe('panda');
    expect(objs.map((o) => o.metadata.name.replace('panda-secrets-', ''))).toEqual(ALL_SECRET_SUFFIXES);
  });

  it('names every Secret with the configured prefix', () => {
    const objs = renderSecrets(secretsValues(), secretsContext({ prefix: 'site-sec' }));
    expect(objs.every((o) => o.metadata.name.startsWith('site-sec-'))).toBe(true);
  });

  it('carries the keys upstream renders (parity of facets)', () => {
    const objs = render({}, secretsContext({ affix: FIXME }));
    const keys = (s: string) => Object.keys(get(objs, s).stringData ?? {});
    expect(keys('harvester-envs')).toEqual([
      'MARIADB_DATABASE',
      'MARIADB_USER',
      'MARIADB_PASSWORD',
      'MARIADB_ROOT_PASSWORD',
      'HARVESTER_DB_HOST',
      'PANDA_AUTH_ID_TOKEN',
      'PANDA_AUTH_VO',
      'PANDA_BEHIND_REAL_LB',
      'PANDA_URL',
      'PANDA_URL_SSL',
      'HARVESTER_ID',
    ]);
    expect(keys('iam-db-envs')).toEqual(['MARIADB_USER', 'MARIADB_PASSWORD', 'MARIADB_ROOT_PASSWORD']);
    expect(keys('iam-envs')).toHaveLength(27);
    expect(keys('iam-initdb')).toEqual(['init_org_db.sql']);
    expect(keys('idds-db-envs')).toEqual(['POSTGRES_DB', 'POSTGRES_USER', 'POSTGRES_PASSWORD', 'POSTGRES_SCHEMA']);
    expect(keys('idds-envs')).toHaveLength(21);
    expect(keys('idds-auth')).toEqual(['auth.cfg.json']);
    expect(keys('msgsvc-envs')).toEqual(['ACTIVEMQ_BASE_PASSWD', 'ACTIVEMQ_CHANNELS', 'ACTIVEMQ_ACCOUNTS']);
    expect(keys('panda-envs')).toHaveLength(21);
    expect(keys('panda-auth')).toEqual(['panda_dev_auth_config.json', 'Rubin_auth_config.json', 'Rubin.production_auth_config.json']);
    const idds = JSON.parse(env(objs, 'idds-auth')['auth.cfg.json']!);
    expect(Object.keys(idds)).toEqual(['/opt/idds/config/idds/auth.cfg']);
    expect(Object.keys(idds['/opt/idds/config/idds/auth.cfg'])).toEqual(['common', 'panda_dev', 'Rubin', 'Rubin.production', 'test_vo']);
    const panda = JSON.parse(env(objs, 'panda-auth')['Rubin_auth_config.json']!);
    expect(Object.keys(panda)).toEqual(['client_secret', 'audience', 'client_id', 'oidc_config_url', 'vo']);
  });

  it('renders upstream host names for upstream affixes', () => {
    const objs = render({}, secretsContext({ affix: FIXME }));
    expect(env(objs, 'harvester-envs').HARVESTER_DB_HOST).toBe('harvester-FIXME-mariadb');
    expect(env(objs, 'iam-envs').IAM_DB_HOST).toBe('iam-FIXME-mariadb');
    expect(env(objs, 'idds-envs')).toMatchObject({
      PANDA_MONITOR_URL: 'https://bigmon-FIXME-main',
      IDDS_DATABASE_HOST: 'idds-FIXME-postgres',
      IDDS_CONDUCTOR_BROKERS: 'msgsvc-FIXME-activemq:61613',
      PANDA_URL_SSL: 'https://panda-FIXME-server:443/server/panda',
    });
    expect(env(objs, 'panda-envs')).toMatchObject({
      PANDA_DB_HOST: 'panda-FIXME-postgres',
      PANDA_ACTIVEMQ_LIST: 'msgsvc-FIXME-activemq:61613',
      PANDA_IDDS_HOST: 'idds-FIXME-rest',
      PANDA_IDDS_PORT: '8443',
    });
  });

  it('gates each section on its enabled flag', () => {
    for (const section of Object.keys(SECRET_SUFFIXES) as (keyof typeof SECRET_SUFFIXES)[]) {
      const v = { [section]: { enabled: false } };
      const names = render(v).map((o) => o.metadata.name.replace('panda-secrets-', ''));
      expect(names).toEqual(ALL_SECRET_SUFFIXES.filter((s) => !(SECRET_SUFFIXES[section] as readonly string[]).includes(s)));
      expect(enabledSecretSuffixes(secretsValues(v))).toEqual(names);
    }
    const none = { harvester: { enabled: false }, iam: { enabled: false }, idds: { enabled: false }, msgsvc: { enabled: false }, panda: { enabled: false } };
    expect(render(none)).toEqual([]);
    expect(render({ bigmon: { enabled: false } })).toHaveLength(16);
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
    expect(env(objs, 'iam-envs').IAM_DB_HOST).toBe('iam-main-mariadb');
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

  it('builds PANDACACHE_URL and PANDA_SANDBOX_HOST from the external host name, and omits the sandbox host when empty', () => {
    const objs = render({ panda: { hostName: 'panda.example.org', sslPort: 8443 } });
    expect(env(objs, 'idds-envs').PANDACACHE_URL).toBe('https://panda.example.org:8443/server/panda');
    expect(env(objs, 'panda-envs').PANDA_SANDBOX_HOST).toBe('panda.example.org');
    expect(env(render({ panda: { hostName: '' } }), 'panda-envs')).not.toHaveProperty('PANDA_SANDBOX_HOST');
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
      client_secret: 's"e\\c',
      audience: 'https://aud',
      client_id: 'ID-NAME-SECRET-URL',
      oidc_config_url: 'https://iam.example/.well-known/openid-configuration',
      vo: 'vo1',
    });
    const cfg = JSON.parse(env(objs, 'idds-auth')['auth.cfg.json']!)['/opt/idds/config/idds/auth.cfg'];
    expect(cfg.common).toEqual({ allow_vos: 'vo1' });
    expect(cfg.vo1).toEqual(panda);
  });

  it('starts IAM with the configured Spring profiles (B7)', () => {
    expect(env(render(), 'iam-envs').IAM_JAVA_OPTS).toBe('-Dspring.profiles.active=prod,registration,oidc -Dlog4j2.formatMsgNoLookups=true');
    expect(env(render({ iam: { profiles: 'prod' } }), 'iam-envs').IAM_JAVA_OPTS).toBe('-Dspring.profiles.active=prod -Dlog4j2.formatMsgNoLookups=true');
  });

  it('takes the IAM base URL, issuer, organisation, mail and notification settings from values (B8)', () => {
    const e = env(
      render({
        iam: {
          baseUrl: 'https://iam.example.org',
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
  });

  it('sets harvester EXPERIMENT and CONDOR_CHANNEL only when configured', () => {
    const plain = env(render(), 'harvester-envs');
    expect(plain).not.toHaveProperty('EXPERIMENT');
    expect(plain).not.toHaveProperty('CONDOR_CHANNEL');
    const lsst = env(render({ harvester: { experiment: 'lsst', useStableCondor: true } }), 'harvester-envs');
    expect(lsst).toMatchObject({ EXPERIMENT: 'lsst', CONDOR_CHANNEL: '.stable' });
  });

  it('derives the harvester root password and the ActiveMQ account passwords', () => {
    const objs = render({ harvester: { database: { password: 'hp' } }, msgsvc: { basePasswd: 'bp', accounts: ['a', 'b'], channels: ['x:a:b', 'y:b:a'] } });
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
    expect(env(render(), 'iam-db-envs')).toEqual({ MARIADB_USER: 'iam', MARIADB_PASSWORD: 'MyPass0508', MARIADB_ROOT_PASSWORD: 'MyAdminPass0508' });
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
