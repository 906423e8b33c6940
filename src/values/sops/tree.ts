/**
 * Decrypting a sops document with its data key, and verifying its MAC (pure: node:crypto only).
 * The facts follow sops' sops.go (Tree.Decrypt, ToBytes, walkBranch) and aes/cipher.go:
 *
 * - each value is AES-256-GCM with a 32-byte IV and, as additional data, the path of mapping keys
 *   joined by `:` plus a trailing `:` (sequence indices are not part of the path);
 * - the MAC is SHA-512 over the values in document order (null values and comments left out;
 *   only the encrypted ones with `mac_only_encrypted`, after a fixed 32-byte prefix), as upper-case
 *   hex, stored encrypted with `lastmodified` as additional data.
 *
 * The walk goes over the YAML syntax tree, not a JavaScript object, so that the order of keys is
 * the file's (JavaScript objects put integer-like keys first).
 */
import crypto from 'node:crypto';
import { isAlias, isMap, isPair, isScalar, isSeq, type Document, type Node } from 'yaml';
import { ENC_RE, shouldBeEncrypted, type SopsMetadata } from './format.js';

/** sops' MACOnlyEncryptedInitialization: sha256("sops"). */
const MAC_ONLY_ENCRYPTED_INIT = Buffer.from('8a3fd2ad54ce66527b1034f3d147be0b0b975b3bf44f72c6fdadec8176f27d69', 'hex');

/** Why a document did not decrypt; `path` names the value (never its content). */
export class SopsIntegrityError extends Error {
  constructor(
    message: string,
    readonly path?: string,
  ) {
    super(message);
  }
}

/** Go's strconv.FormatFloat(x, 'f', -1, 64): the shortest exact decimal, never an exponent. */
export function goFloat(x: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (x === Infinity) return '+Inf';
  if (x === -Infinity) return '-Inf';
  if (Object.is(x, -0)) return '-0';
  const s = String(x);
  const m = /^(-?)(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(s);
  if (!m) return s;
  const [, sign, lead, frac = '', expText] = m;
  const digits = lead! + frac;
  const exp = Number(expText);
  if (exp >= 0) return sign + (exp >= frac.length ? digits + '0'.repeat(exp - frac.length) : `${digits.slice(0, exp + 1)}.${digits.slice(exp + 1)}`);
  return `${sign}0.${'0'.repeat(-exp - 1)}${digits}`;
}

/** sops' ToBytes for the values a YAML or JSON document holds. */
export function toBytes(v: string | number | boolean): Buffer {
  if (typeof v === 'string') return Buffer.from(v, 'utf8');
  if (typeof v === 'boolean') return Buffer.from(v ? 'True' : 'False');
  return Buffer.from(goFloat(v));
}

function goParseBool(s: string): boolean | undefined {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(s)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(s)) return false;
  return undefined;
}

/**
 * One value: ciphertext → the typed value and the bytes sops hashes for it. An empty string is
 * stored as is (sops' isEmpty). Throws when the tag does not verify (wrong key, changed value).
 */
export function decryptValue(ciphertext: string, key: Uint8Array, additionalData: string): { value: string | number | boolean; mac: Buffer } {
  if (ciphertext === '') return { value: '', mac: Buffer.alloc(0) };
  const m = ENC_RE.exec(ciphertext);
  if (!m) throw new SopsIntegrityError('is not in sops’ encrypted format although the file’s rules say it is encrypted');
  const [data, iv, tag] = [m[1]!, m[2]!, m[3]!].map((b) => Buffer.from(b, 'base64'));
  let plain: Buffer;
  try {
    const d = crypto.createDecipheriv('aes-256-gcm', key, iv!, { authTagLength: 16 });
    d.setAAD(Buffer.from(additionalData, 'utf8'));
    d.setAuthTag(tag!);
    plain = Buffer.concat([d.update(data!), d.final()]);
  } catch {
    throw new SopsIntegrityError('does not verify (it was changed, moved to another key, or encrypted with another data key)');
  }
  const text = plain.toString('utf8');
  switch (m[4]) {
    case 'str':
    case 'bytes':
    case 'time':
      return { value: text, mac: plain };
    case 'int':
      if (!/^[+-]?\d+$/.test(text)) break;
      return { value: Number(text), mac: Buffer.from(BigInt(text).toString()) };
    case 'float': {
      const n = Number(text);
      if (text.trim() === '' || Number.isNaN(n) && !/^[+-]?nan$/i.test(text)) break;
      return { value: n, mac: Buffer.from(goFloat(n)) };
    }
    case 'bool': {
      const b = goParseBool(text);
      if (b === undefined) break;
      return { value: b, mac: toBytes(b) };
    }
    default:
      throw new SopsIntegrityError(`has an unknown sops value type ${JSON.stringify(m[4])}`);
  }
  throw new SopsIntegrityError(`does not hold a valid ${m[4]} value`);
}

/** A comment block's lines, as sops' YAML store keeps them (without `#`). */
const commentLines = (c: string | null | undefined): string[] => (c ? c.split('\n').filter((l) => l !== '') : []);

interface Walk {
  meta: SopsMetadata;
  key: Uint8Array;
  hash: crypto.Hash;
}

function leaf(w: Walk, node: Node | null, path: string[], comments: string[][]): unknown {
  if (node === null || (isScalar(node) && node.value === null)) return null;
  if (!isScalar(node)) throw new SopsIntegrityError('holds a node sops cannot have written (an alias or a tag)', path.join('.'));
  const raw = node.value;
  if (typeof raw !== 'string' && typeof raw !== 'number' && typeof raw !== 'boolean') throw new SopsIntegrityError('holds a value of an unexpected type', path.join('.'));
  const encrypted = shouldBeEncrypted(w.meta.rules, path, comments);
  let value: string | number | boolean = raw;
  let bytes: Buffer;
  if (encrypted) {
    if (typeof raw !== 'string') throw new SopsIntegrityError('should be encrypted by the file’s rules but is a plain value (the file was edited without sops)', path.join('.'));
    try {
      ({ value, mac: bytes } = decryptValue(raw, w.key, path.join(':') + ':'));
    } catch (e) {
      if (e instanceof SopsIntegrityError) throw new SopsIntegrityError(e.message, path.join('.'));
      throw e;
    }
  } else bytes = toBytes(raw);
  if (!w.meta.rules.macOnlyEncrypted || encrypted) w.hash.update(bytes);
  return value;
}

function walk(w: Walk, node: Node | null, path: string[], comments: string[][], lead?: string[]): unknown {
  if (isAlias(node)) throw new SopsIntegrityError('holds a YAML alias, which sops does not write', path.join('.'));
  const top = lead !== undefined;
  if (isMap(node)) {
    const level: string[] = [...(lead ?? []), ...commentLines(node.commentBefore)];
    const stack = [...comments, level];
    const out: Record<string, unknown> = {};
    for (const item of node.items) {
      if (!isPair(item)) continue;
      const k = isScalar(item.key) ? item.key.value : item.key;
      if (typeof k !== 'string' && typeof k !== 'number') throw new SopsIntegrityError('has a key that is not a string, which sops does not support', path.join('.'));
      const name = String(k);
      if (top && name === 'sops') continue;
      const v = item.value as Node | null;
      level.push(...commentLines((item.key as Node | null)?.commentBefore), ...commentLines((item.key as Node | null)?.comment));
      if (isScalar(v) || v === null) level.push(...commentLines(v?.commentBefore), ...commentLines(v?.comment));
      out[name] = walk(w, v, [...path, name], stack);
      level.length = 0;
    }
    return out;
  }
  if (isSeq(node)) {
    const level: string[] = commentLines(node.commentBefore);
    const stack = [...comments, level];
    return node.items.map((item) => {
      const n = item as Node | null;
      level.push(...commentLines(n?.commentBefore), ...commentLines(n?.comment));
      const v = walk(w, n, path, stack);
      level.length = 0;
      return v;
    });
  }
  return leaf(w, node, path, comments);
}

/**
 * Decrypt every value of the document and verify the MAC: the plain values tree (without the
 * `sops` block), or a {@link SopsIntegrityError}. Nothing decrypted is in any error.
 */
export function decryptDocument(doc: Document, meta: SopsMetadata, dataKey: Uint8Array): Record<string, unknown> {
  if (dataKey.length !== 32) throw new SopsIntegrityError('its data key is not 32 bytes long (the key entry decrypted to something else)');
  const hash = crypto.createHash('sha512');
  if (meta.rules.macOnlyEncrypted) hash.update(MAC_ONLY_ENCRYPTED_INIT);
  const w: Walk = { meta, key: dataKey, hash };
  const top = doc.contents as Node | null;
  const tree = walk(w, top, [], [], commentLines(doc.commentBefore)) as Record<string, unknown>;
  const computed = hash.digest('hex').toUpperCase();
  let stored: unknown;
  try {
    stored = decryptValue(meta.mac, dataKey, meta.lastModified).value;
  } catch {
    throw new SopsIntegrityError('its MAC does not verify: the sops metadata (mac or lastmodified) was changed');
  }
  if (stored !== computed) throw new SopsIntegrityError('its MAC does not match its values: the file was changed after it was encrypted');
  return tree;
}
