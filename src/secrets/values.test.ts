import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { describe, expect, it } from 'vitest';
import { secretsSchema } from './values.js';

const parse = (v: unknown) => secretsSchema.safeParse(v);

describe('secrets values', () => {
  it('defaults to upstream settings, with the IAM profiles upstream meant (B7) and its hard-coded IAM settings as values (B8)', () => {
    const v = secretsSchema.parse(undefined);
    expect(v.affix).toBe('');
    expect(v.auth.auth).toBe('oidc');
    expect(v.auth.oidc.clients.map((c) => c.name)).toEqual(['panda_dev', 'Rubin', 'Rubin.production']);
    expect(v.msgsvc.accounts).toEqual(['panda', 'jedi', 'idds', 'pilot']);
    expect(v.msgsvc.channels).toHaveLength(6);
    expect(v.panda).toMatchObject({ port: '80', sslPort: '443', hostName: 'FIXME', verifyHost: 'off', configRoot: '/tmp/' });
    expect(v.harvester).toMatchObject({ experiment: '', harvesterID: 'my-harvester', useStableCondor: false, condorChannel: '' });
    expect(v.idds.restPort).toBe('8443');
    // HEAD ships no plaintext default passwords (B26): placeholders a real install refuses
    expect(v.idds.database).toEqual({ backend: 'postgres', name: 'idds_db', user: 'idds', password: 'FIXME', schema: 'doma_idds', host: '', dbhost: '', port: '5432' });
    expect(v.iam.database).toMatchObject({ name: 'iam_db', user: 'iam', password: 'FIXME' });
    expect(v.iam.profiles).toBe('prod,registration,oidc');
    expect(v.cric.real).toBe(true);
    expect(v.iam).toMatchObject({
      base_url: 'FIXME',
      port: '8443',
      issuer: '',
      organisationName: 'Rubin',
      topbarTitle: 'PanDA Rubin',
      mail: { host: 'smtp.cern.ch', port: '587' },
      notification: { from: 'panda-doma-no-reply@cern.ch', adminAddress: 'panda-doma-admins@cern.ch' },
    });
    expect(v.rucio.rucioHost).toBe('sprucio01.sdcc.bnl.gov:443');
  });

  it('accepts a file in upstream format, unquoted numbers and booleans kept as strings (B25)', () => {
    const r = parse({
      affix: '-dev',
      auth: { auth: 'oidc', authIdToken: 12345, authVO: 'vo', oidc: { audience: 'a', config_url: 'u', clients: [{ name: 'vo', client_id: 42, client_secret: 'x' }] } },
      msgsvc: { enabled: true, basePasswd: 1234, accounts: ['panda'], channels: ['c:panda:panda'] },
      panda: { enabled: true, database: { password: 'p', dbhost: '' }, port: 80, sslPort: '443', hostName: 'h', verifyHost: false, configRoot: '/tmp/' },
      harvester: { enabled: true, experiment: '', harvesterID: 'h', database: { password: true, dbhost: '' }, useStableCondor: false },
      idds: { enabled: true, restPort: 8443, database: { name: 'n', user: 'u', password: 'p', schema: 's', host: '' } },
      bigmon: { enabled: true },
      iam: { enabled: true, database: { host: '', name: 'iam_db', user: 'iam', password: 5, admin_password: 6 }, cilogon: { client_id: 'a', client_secret: 'b' } },
      rucio: { rucioHost: 'r:443', authHost: 'r:443', username: 'u', password: 'p', account: 'a' },
    });
    expect(r.success).toBe(true);
    const v = r.data!;
    expect(v.auth.authIdToken).toBe('12345');
    expect(v.auth.oidc.clients[0]!.client_id).toBe('42');
    expect(v.msgsvc.basePasswd).toBe('1234');
    expect(v.panda.port).toBe('80');
    expect(v.panda.verifyHost).toBe('false');
    expect(v.harvester.database.password).toBe('true');
    expect(v.idds.restPort).toBe('8443');
    expect(v.iam.database.password).toBe('5');
  });

  it('rejects unknown keys, at any depth', () => {
    expect(parse({ pnda: {} }).success).toBe(false);
    expect(parse({ panda: { database: { pasword: 'x' } } }).success).toBe(false);
  });

  it('rejects ports that are not port numbers', () => {
    expect(parse({ panda: { port: 'http' } }).success).toBe(false);
    expect(parse({ idds: { restPort: 70000 } }).success).toBe(false);
  });

  it('rejects OIDC clients whose names collide or cannot be Secret keys', () => {
    const c = (name: string) => ({ name, client_id: 'i', client_secret: 's' });
    expect(parse({ auth: { oidc: { clients: [c('a'), c('a')] } } }).success).toBe(false);
    expect(parse({ auth: { oidc: { clients: [c('a b')] } } }).success).toBe(false);
    expect(parse({ auth: { oidc: { clients: [c('common')] } } }).success).toBe(false);
    expect(parse({ auth: { oidc: { clients: [{ name: 'x' }] } } }).success).toBe(false);
  });

  it('rejects malformed message channels and IAM database names that would break the SQL', () => {
    expect(parse({ msgsvc: { channels: ['only:two'] } }).success).toBe(false);
    expect(parse({ iam: { database: { name: 'iam-db; DROP' } } }).success).toBe(false);
  });

  it('describes every option with its default', () => {
    const missing: string[] = [];
    const walk = (s: unknown, path: string) => {
      let cur = s as { _zod: { def: Record<string, unknown> }; description?: string };
      let described = false;
      for (let i = 0; i < 10; i++) {
        if (cur.description) described = true;
        const def = cur._zod.def;
        if (def.innerType) cur = def.innerType as typeof cur;
        else if (def.type === 'pipe') cur = def.in as typeof cur;
        else break;
      }
      if (cur.description) described = true;
      const def = cur._zod.def;
      if (def.type === 'object') {
        for (const [k, child] of Object.entries(def.shape as Record<string, unknown>)) walk(child, path ? `${path}.${k}` : k);
      } else if (path && !described) missing.push(path);
    };
    walk(secretsSchema, '');
    expect(missing).toEqual([]);
  });
});

const UPSTREAM = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../shared/upstream');
const upstreamFile = (p: string) => path.join(UPSTREAM, p);

describe.skipIf(!fs.existsSync(UPSTREAM))('upstream secrets values files', () => {
  it.each(['head/tree/secrets/values.yaml', 'seed/values/secrets/values.yaml'])('%s loads unchanged', (f) => {
    const r = parse(parseYaml(fs.readFileSync(upstreamFile(f), 'utf8')));
    expect(r.error?.issues ?? []).toEqual([]);
  });

  it("reads HEAD's settings", () => {
    const v = secretsSchema.parse(parseYaml(fs.readFileSync(upstreamFile('head/tree/secrets/values.yaml'), 'utf8')));
    expect(v.auth.oidc.clients[0]).toMatchObject({ name: 'panda_dev', robot_ids: 'FIXME', audience: 'https://pandaserver-doma.cern.ch' });
    expect(v.auth.oidc.token_cache.client_name).toBe('pilot_server');
    expect(v.harvester.condorChannel).toBe('latest');
    expect(v.iam).toMatchObject({ port: '8443', base_url: 'FIXME', database: { root_password: 'FIXME' } });
    expect(Object.keys(v.bigmon.auth.providers)).toEqual(['Google', 'CERNOIDC', 'github', 'indigoiam']);
    expect(v.object_store.port).toBe('443');
  });
});
