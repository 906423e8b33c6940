/**
 * The IAM token-signing key. Upstream ships one private key in its repository, so every
 * deployment that keeps it signs tokens with a publicly known key (B9); we never ship one, and we
 * do not use upstream's when an operator's files still carry it. The loader calls
 * {@link generateJwks} on the first install when no key is given, and keeps the installed key
 * afterwards; a template shows {@link TEMPLATE_KEYSTORE} instead of a key nobody will install.
 */
import { createHash, createPrivateKey, generateKeyPairSync, type KeyObject } from 'node:crypto';

/** Key id IAM signs with by default. */
export const IAM_KEY_ID = 'rsa1';

/**
 * What a template prints for a key that `secrets install` generates on the first install and
 * keeps from the cluster afterwards: valid JSON with no key, so the same inputs always print the
 * same document.
 */
export const TEMPLATE_KEYSTORE = `${JSON.stringify({ keys: [], generated: 'by panda-k8s secrets install: a new RSA key on the first install, the installed key on later ones' }, null, 2)}\n`;

/** SHA-256 of the modulus `n` of private keys published in upstream's repository. */
const PUBLISHED_MODULI = new Set(['b241a46f4010518e7659622704455c6502549e1a573205d5b74b04d16816ed6d']);

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

function jwksOf(key: KeyObject): string {
  const jwk = key.export({ format: 'jwk' }) as unknown as RsaPrivateJwk;
  const out = { kty: 'RSA', kid: IAM_KEY_ID, use: 'sig', alg: 'RS256', n: jwk.n, e: jwk.e, d: jwk.d, p: jwk.p, q: jwk.q, dp: jwk.dp, dq: jwk.dq, qi: jwk.qi };
  return `${JSON.stringify({ keys: [out] }, null, 2)}\n`;
}

/** A fresh RSA-2048 private JWK set (kid `rsa1`, RS256, use `sig`), as IAM's keystore file expects. */
export function generateJwks(): string {
  return jwksOf(generateKeyPairSync('rsa', { modulusLength: 2048, publicExponent: 0x10001 }).privateKey);
}

/**
 * The keystore of an operator's key file: a JWK set is taken as it is; a PEM RSA private key
 * (PKCS#1 or PKCS#8, e.g. from `openssl genrsa`) becomes the JWK set IAM reads, the same for the
 * same key. Returns the keystore or the reason it cannot be used.
 */
export function keystoreFromKeyFile(text: string): { jwks: string } | { problem: string } {
  if (text.trimStart().startsWith('{')) {
    const problem = jwksProblem(text);
    return problem ? { problem } : { jwks: text };
  }
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: text, format: 'pem' });
  } catch {
    return { problem: 'is neither a JWK set nor a PEM private key' };
  }
  if (key.asymmetricKeyType !== 'rsa') return { problem: `holds a ${key.asymmetricKeyType} key; IAM signs with RSA (RS256)` };
  return { jwks: jwksOf(key) };
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

/** Whether a keystore holds a private key published in upstream's repository. */
export function isPublishedKeystore(text: string): boolean {
  try {
    const keys = (JSON.parse(text) as { keys?: Array<{ n?: unknown }> }).keys ?? [];
    return keys.some((k) => typeof k.n === 'string' && PUBLISHED_MODULI.has(createHash('sha256').update(k.n).digest('hex')));
  } catch {
    return false;
  }
}
