import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { isCataloguedKey, SECRET_IDS, SECRETS, secretKeyRef, secretName, secretRefs } from './refs.js';

const DOCS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'docs', 'secrets.md');

describe('the Secrets catalogue', () => {
  it('holds the 31 Secrets of upstream HEAD plus cric-jsons, each once, with valid key names', () => {
    expect(SECRET_IDS).toHaveLength(32);
    for (const id of SECRET_IDS) {
      const e = SECRETS[id];
      for (const k of [...e.keys, ...e.optional]) expect(k).toMatch(/^[-._a-zA-Z0-9]+$/);
      expect(new Set([...e.keys, ...e.optional]).size).toBe(e.keys.length + e.optional.length);
    }
  });

  it('names Secrets and key references with the prefix', () => {
    expect(secretName('site', 'panda-envs')).toBe('site-panda-envs');
    expect(secretKeyRef('site', 'panda-envs', 'PANDA_DB_PASSWORD')).toEqual({ secretKeyRef: { name: 'site-panda-envs', key: 'PANDA_DB_PASSWORD' } });
    expect(secretRefs.iamDbEnvs.keyRef('p', 'MARIADB_PASSWORD')).toEqual({ secretKeyRef: { name: 'p-iam-db-envs', key: 'MARIADB_PASSWORD' } });
  });

  it('tells listed, optional and patterned keys from others', () => {
    expect(isCataloguedKey('panda-envs', 'PANDA_URL')).toBe(true);
    expect(isCataloguedKey('panda-envs', 'http_proxy')).toBe(true);
    expect(isCataloguedKey('panda-envs', 'PANDA_NOPE')).toBe(false);
    expect(isCataloguedKey('panda-auth', 'Rubin.production_auth_config.json')).toBe(true);
    expect(isCataloguedKey('bigmon-envs', 'SOCIAL_AUTH_GOOGLE_KEY')).toBe(true);
  });

  it('is documented: docs/secrets.md lists every Secret', () => {
    const text = fs.readFileSync(DOCS, 'utf8');
    expect(SECRET_IDS.filter((id) => !text.includes(`\`${id}\``))).toEqual([]);
  });
});
