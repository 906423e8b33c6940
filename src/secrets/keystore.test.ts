import { createPrivateKey, createPublicKey, sign, verify, type JsonWebKey } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { generateJwks, IAM_KEY_ID, jwksProblem } from './keystore.js';

describe('generateJwks', () => {
  it('makes an RSA-2048 private JWK set with kid rsa1, RS256, use sig', () => {
    const set = JSON.parse(generateJwks()) as { keys: Array<JsonWebKey & { kid: string; alg: string; use: string }> };
    expect(set.keys).toHaveLength(1);
    const k = set.keys[0]!;
    expect(k).toMatchObject({ kty: 'RSA', kid: IAM_KEY_ID, alg: 'RS256', use: 'sig', e: 'AQAB' });
    for (const f of ['n', 'd', 'p', 'q', 'dp', 'dq', 'qi'] as const) expect(typeof k[f]).toBe('string');
    expect(Buffer.from(k.n!, 'base64url')).toHaveLength(256);
  });

  it('makes a key that signs and verifies', () => {
    const k = JSON.parse(generateJwks()).keys[0] as JsonWebKey;
    const priv = createPrivateKey({ key: k, format: 'jwk' });
    const pub = createPublicKey({ key: { kty: 'RSA', n: k.n, e: k.e }, format: 'jwk' });
    const sig = sign('sha256', Buffer.from('token'), priv);
    expect(verify('sha256', Buffer.from('token'), pub, sig)).toBe(true);
  });

  it('makes a new key each time', () => {
    expect(JSON.parse(generateJwks()).keys[0].n).not.toBe(JSON.parse(generateJwks()).keys[0].n);
  });

  it('is accepted by the keystore check, which refuses unusable texts', () => {
    expect(jwksProblem(generateJwks())).toBeUndefined();
    expect(jwksProblem('not json')).toMatch(/not JSON/);
    expect(jwksProblem('{"keys":[]}')).toMatch(/no "keys"/);
    expect(jwksProblem('{"keys":[{"kty":"RSA","n":"x","e":"AQAB"}]}')).toMatch(/no private key/);
  });
});
