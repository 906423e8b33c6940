import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type JsonWebKey } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { generateJwks, IAM_KEY_ID, isPublishedKeystore, jwksProblem, keystoreFromKeyFile, TEMPLATE_KEYSTORE } from './keystore.js';

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

const HEAD_KEY = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../shared/upstream/head/tree/secrets/files/iam_conf/iam-keystore.jwks');

describe('operator keys', () => {
  it('derive the same keystore from the same PEM key, one that signs as the PEM key does (--iam-key)', () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    for (const type of ['pkcs1', 'pkcs8'] as const) {
      const pem = privateKey.export({ format: 'pem', type }) as string;
      const a = keystoreFromKeyFile(pem);
      const b = keystoreFromKeyFile(pem);
      expect(a).toEqual(b);
      const k = JSON.parse((a as { jwks: string }).jwks).keys[0];
      expect(k).toMatchObject({ kid: IAM_KEY_ID, alg: 'RS256', use: 'sig' });
      const sig = sign('sha256', Buffer.from('t'), createPrivateKey({ key: k, format: 'jwk' }));
      expect(verify('sha256', Buffer.from('t'), createPublicKey(privateKey), sig)).toBe(true);
    }
  });

  it('take a JWK set as it is and refuse what IAM cannot sign with', () => {
    const jwks = generateJwks();
    expect(keystoreFromKeyFile(jwks)).toEqual({ jwks });
    expect(keystoreFromKeyFile('{"keys":[]}')).toEqual({ problem: expect.stringMatching(/no "keys"/) });
    expect(keystoreFromKeyFile('hello')).toEqual({ problem: expect.stringMatching(/neither/) });
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'pem', type: 'pkcs8' }) as string;
    expect(keystoreFromKeyFile(ec)).toEqual({ problem: expect.stringMatching(/ec key/) });
  });

  it.skipIf(!fs.existsSync(HEAD_KEY))("recognise upstream's published key (B9), and no other", () => {
    expect(isPublishedKeystore(fs.readFileSync(HEAD_KEY, 'utf8'))).toBe(true);
    expect(isPublishedKeystore(generateJwks())).toBe(false);
    expect(isPublishedKeystore('not json')).toBe(false);
  });

  it('mark a key generated at install in templates with valid JSON holding no key', () => {
    expect(JSON.parse(TEMPLATE_KEYSTORE)).toMatchObject({ keys: [] });
  });
});
