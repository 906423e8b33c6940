/** Helpers for the secrets tests: a context built from plain data. */
import type { Affix } from '../core/names.js';
import type { FileSet } from '../core/files.js';
import { secretsStack, type SecretsContext } from './context.js';
import { secretsSchema, type SecretsValues } from './values.js';

export const TEST_KEYSTORE = '{"keys":[{"kty":"RSA","kid":"rsa1","n":"x","e":"AQAB","d":"y"}]}';

/** A secrets context; `folders` maps a folder name to `relative path → text or bytes`. */
export function secretsContext(
  opts: { affix?: Affix; prefix?: string; folders?: Record<string, Record<string, string | Uint8Array>>; iamKeystore?: string } = {},
): SecretsContext {
  const affix = opts.affix ?? { value: 'test-', kind: 'prefix', source: 'test' };
  const folders = opts.folders ?? {};
  return {
    affix,
    prefix: opts.prefix ?? 'panda-secrets',
    stack: secretsStack(affix),
    files: (folder): FileSet =>
      new Map(Object.entries(folders[folder] ?? {}).map(([k, v]) => [k, typeof v === 'string' ? new TextEncoder().encode(v) : v])),
    iamKeystore: opts.iamKeystore ?? TEST_KEYSTORE,
  };
}

export function secretsValues(v: unknown = {}): SecretsValues {
  return secretsSchema.parse(v);
}
