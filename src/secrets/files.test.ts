import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { renderSecrets } from './render.js';
import { secretsContext, secretsValues } from './testing.js';

const FILES = path.join(path.dirname(fileURLToPath(import.meta.url)), 'files');
const folder = (name: string): Record<string, string> => {
  const dir = path.join(FILES, name);
  if (!fs.existsSync(dir)) return {};
  return Object.fromEntries(fs.readdirSync(dir).map((f) => [f, fs.readFileSync(path.join(dir, f), 'utf8')]));
};

describe('built-in secrets files', () => {
  it('ship no signing key and no certificates (B9)', () => {
    const all = fs.readdirSync(FILES, { recursive: true, encoding: 'utf8' });
    expect(all.filter((f) => /\.(jwks|pem|key|crt|p12)$/.test(f))).toEqual([]);
  });

  it('give iam-conf the files upstream renders, plus the generated keystore', () => {
    const ctx = secretsContext({ folders: { iam_conf: folder('iam_conf') } });
    const conf = renderSecrets(secretsValues(), ctx).find((o) => o.metadata.name === 'panda-secrets-iam-conf') as unknown as { stringData: Record<string, string> };
    expect(Object.keys(conf.stringData)).toEqual(['application-oidc.yml', 'application.properties', 'application.yml', 'iam-keystore.jwks']);
  });

  it('are valid YAML, and read only variables that iam-envs sets or that have a fallback', () => {
    const files = folder('iam_conf');
    const envs = renderSecrets(secretsValues(), secretsContext()).find((o) => o.metadata.name === 'panda-secrets-iam-envs') as unknown as { stringData: Record<string, string> };
    for (const f of ['application.yml', 'application-oidc.yml']) {
      expect(() => parse(files[f]!)).not.toThrow();
      for (const m of files[f]!.matchAll(/\$\{(IAM_[A-Z_]+)(:?)/g)) {
        if (m[2] !== ':') expect(envs.stringData, `${f} needs ${m[1]}`).toHaveProperty(m[1]!);
      }
    }
    const yml = parse(files['application.yml']!);
    expect(yml.iam.jwk['keystore-location']).toContain('${IAM_KEY_STORE_LOCATION');
    const oidc = parse(files['application-oidc.yml']!);
    expect(oidc.oidc.providers[0]).toMatchObject({ name: 'cilogon', issuer: 'https://cilogon.org' });
    expect(files['application.properties']).toMatch(/^logging\.level\.root=/m);
  });
});
