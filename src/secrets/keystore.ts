/**
 * The IAM token-signing key. Upstream ships one private key in its repository, so every
 * deployment that keeps it signs tokens with a publicly known key; we never ship one. The loader
 * calls {@link generateJwks} when the operator's `iam_conf/` has no `iam-keystore.jwks`.
 */
import { generateKeyPairSync } from 'node:crypto';

/** Key id IAM signs with by default. */
export const IAM_KEY_ID = 'rsa1';

interface RsaPrivateJwk {
  kty: 'RSA';
  n: string;
  e: string;
  d: string;
  p: string;
  q: string;
  dp: string;
  dq: string;
  qi: string;
}

/** A fresh RSA-2048 private JWK set (kid `rsa1`, RS256, use `sig`), as IAM's keystore file expects. */
export function generateJwks(): string {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048, publicExponent: 0x10001 });
  const jwk = privateKey.export({ format: 'jwk' }) as unknown as RsaPrivateJwk;
  const key = {
    kty: 'RSA',
    kid: IAM_KEY_ID,
    use: 'sig',
    alg: 'RS256',
    n: jwk.n,
    e: jwk.e,
    d: jwk.d,
    p: jwk.p,
    q: jwk.q,
    dp: jwk.dp,
    dq: jwk.dq,
    qi: jwk.qi,
  };
  return `${JSON.stringify({ keys: [key] }, null, 2)}\n`;
}

/** Why a keystore text cannot be used by IAM, or undefined when it looks usable. */
export function jwksProblem(text: string): string | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return 'is not JSON';
  }
  const keys = (parsed as { keys?: unknown }).keys;
  if (!Array.isArray(keys) || keys.length === 0) return 'has no "keys" list';
  const priv = keys.filter((k) => typeof k === 'object' && k !== null && typeof (k as { d?: unknown }).d === 'string');
  if (priv.length === 0) return 'holds no private key (IAM needs one to sign tokens)';
  return undefined;
}
