/**
 * The fast path for the age files sops writes: an X25519 recipient stanza unwrapped with
 * `node:crypto` (X25519, HKDF-SHA-256, ChaCha20-Poly1305, HMAC-SHA-256 — all native), following
 * the age v1 format (age-encryption.org/v1). It covers what `age-keygen` keys and sops produce;
 * anything else (post-quantum hybrid identities, passphrase or plugin stanzas) answers
 * `unsupported`, and the caller hands the file to the `age-encryption` library.
 *
 * Loading that library costs hundreds of milliseconds per process (it initialises post-quantum and
 * NIST curve tables when it loads, and reads its output through a fetch `Response`): this path is
 * why decrypting a sops file adds only milliseconds to a command.
 */
import crypto from 'node:crypto';

export type NativeAge = { plaintext: Buffer } | { outcome: 'no-match' | 'unsupported' | 'damaged' };

const CHARSET = 'qpzry9x8gf2tvdw0s3jn54khce6mua7l';
const GEN = [0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3];

function polymod(values: readonly number[]): number {
  let chk = 1;
  for (const v of values) {
    const top = chk >>> 25;
    chk = ((chk & 0x1ffffff) << 5) ^ v;
    for (let i = 0; i < 5; i++) if ((top >>> i) & 1) chk ^= GEN[i]!;
  }
  return chk >>> 0;
}
const expand = (hrp: string) => [...[...hrp].map((c) => c.charCodeAt(0) >> 5), 0, ...[...hrp].map((c) => c.charCodeAt(0) & 31)];

function convert(data: readonly number[], from: number, to: number, pad: boolean): number[] | undefined {
  let acc = 0;
  let bits = 0;
  const out: number[] = [];
  const max = (1 << to) - 1;
  for (const v of data) {
    acc = (acc << from) | v;
    bits += from;
    while (bits >= to) {
      bits -= to;
      out.push((acc >> bits) & max);
    }
  }
  if (pad) {
    if (bits) out.push((acc << (to - bits)) & max);
  } else if (bits >= from || ((acc << (to - bits)) & max)) return undefined;
  return out;
}

/** Bech32 (BIP 173, without its 90-character limit, as age uses it): prefix and bytes, or undefined. */
export function bech32Decode(s: string): { prefix: string; bytes: Uint8Array } | undefined {
  if (s !== s.toLowerCase() && s !== s.toUpperCase()) return undefined;
  const lower = s.toLowerCase();
  const sep = lower.lastIndexOf('1');
  if (sep < 1 || sep + 7 > lower.length) return undefined;
  const prefix = lower.slice(0, sep);
  const data: number[] = [];
  for (const c of lower.slice(sep + 1)) {
    const v = CHARSET.indexOf(c);
    if (v < 0) return undefined;
    data.push(v);
  }
  if (polymod([...expand(prefix), ...data]) !== 1) return undefined;
  const bytes = convert(data.slice(0, -6), 5, 8, false);
  return bytes ? { prefix, bytes: Uint8Array.from(bytes) } : undefined;
}

export function bech32Encode(prefix: string, bytes: Uint8Array): string {
  const data = convert([...bytes], 8, 5, true)!;
  const mod = polymod([...expand(prefix), ...data, 0, 0, 0, 0, 0, 0]) ^ 1;
  const check = Array.from({ length: 6 }, (_, i) => (mod >>> (5 * (5 - i))) & 31);
  return `${prefix}1${[...data, ...check].map((v) => CHARSET[v]).join('')}`;
}

// DER wrappings of raw X25519 keys (RFC 8410), so that node:crypto takes them
const PKCS8 = Buffer.from('302e020100300506032b656e04220420', 'hex');
const SPKI = Buffer.from('302a300506032b656e032100', 'hex');

interface X25519Key {
  key: crypto.KeyObject;
  /** The raw public key: part of the wrap key's salt. */
  recipient: Buffer;
}

/** An `AGE-SECRET-KEY-1…` identity as a native key; undefined when it is not one. */
export function x25519Identity(identity: string): X25519Key | undefined {
  if (!identity.startsWith('AGE-SECRET-KEY-1')) return undefined;
  const d = bech32Decode(identity);
  if (!d || d.prefix !== 'age-secret-key-' || d.bytes.length !== 32) return undefined;
  const key = crypto.createPrivateKey({ key: Buffer.concat([PKCS8, d.bytes]), format: 'der', type: 'pkcs8' });
  const recipient = crypto.createPublicKey(key).export({ format: 'der', type: 'spki' }).subarray(SPKI.length);
  return { key, recipient };
}

/** The `age1…` recipient of an X25519 identity (for messages), or undefined. */
export function x25519Recipient(identity: string): string | undefined {
  const k = x25519Identity(identity);
  return k ? bech32Encode('age', k.recipient) : undefined;
}

const hkdf = (ikm: Uint8Array, salt: Uint8Array, info: string) => Buffer.from(crypto.hkdfSync('sha256', ikm, salt, info, 32));

/** ChaCha20-Poly1305 open; undefined when the tag does not verify. */
function open(key: Uint8Array, nonce: Uint8Array, sealed: Uint8Array): Buffer | undefined {
  if (sealed.length < 16) return undefined;
  const d = crypto.createDecipheriv('chacha20-poly1305', key, nonce, { authTagLength: 16 });
  d.setAuthTag(sealed.subarray(sealed.length - 16));
  try {
    return Buffer.concat([d.update(sealed.subarray(0, sealed.length - 16)), d.final()]);
  } catch {
    return undefined;
  }
}

/** The binary age file inside sops' PEM-style armor. */
function unarmor(armored: string): Buffer | undefined {
  const m = /^\s*-----BEGIN AGE ENCRYPTED FILE-----\r?\n([A-Za-z0-9+/=\r\n]*?)-----END AGE ENCRYPTED FILE-----\s*$/.exec(armored);
  if (!m) return undefined;
  return Buffer.from(m[1]!.replace(/\r?\n/g, ''), 'base64');
}

const b64 = (s: string) => (/^[A-Za-z0-9+/]*$/.test(s) ? Buffer.from(s, 'base64') : undefined);

interface Header {
  stanzas: { args: string[]; body: Buffer }[];
  /** The header up to and including `---`: what the MAC covers. */
  macked: Buffer;
  mac: Buffer;
  payload: Buffer;
}

function parseHeader(file: Buffer): Header | undefined {
  let pos = 0;
  const line = () => {
    const nl = file.indexOf(0x0a, pos);
    if (nl < 0) return undefined;
    const s = file.subarray(pos, nl).toString('latin1');
    pos = nl + 1;
    return s;
  };
  if (line() !== 'age-encryption.org/v1') return undefined;
  const stanzas: Header['stanzas'] = [];
  for (;;) {
    const start = pos;
    const l = line();
    if (l === undefined) return undefined;
    if (l.startsWith('--- ')) {
      const mac = b64(l.slice(4));
      if (!mac || mac.length !== 32) return undefined;
      return { stanzas, macked: file.subarray(0, start + 3), mac, payload: file.subarray(pos) };
    }
    const args = l.split(' ');
    if (args.shift() !== '->' || !args.length || args.some((a) => !a)) return undefined;
    const body: Buffer[] = [];
    for (;;) {
      const b = line();
      const bytes = b === undefined ? undefined : b64(b);
      if (!bytes || bytes.length > 48) return undefined;
      body.push(bytes);
      if (bytes.length < 48) break;
    }
    stanzas.push({ args, body: Buffer.concat(body) });
  }
}

/** The payload: a 16-byte nonce, then STREAM chunks of 64 KiB (the last one flagged). */
function decryptPayload(fileKey: Uint8Array, payload: Buffer): Buffer | undefined {
  if (payload.length < 16 + 16) return undefined;
  const key = hkdf(fileKey, payload.subarray(0, 16), 'payload');
  const body = payload.subarray(16);
  const CHUNK = 64 * 1024 + 16;
  const parts: Buffer[] = [];
  for (let i = 0, off = 0; off < body.length; i++, off += CHUNK) {
    const last = off + CHUNK >= body.length;
    const nonce = Buffer.alloc(12);
    nonce.writeUIntBE(i, 5, 6);
    nonce[11] = last ? 1 : 0;
    const plain = open(key, nonce, body.subarray(off, off + CHUNK));
    if (!plain || (last && i > 0 && !plain.length)) return undefined;
    parts.push(plain);
  }
  return Buffer.concat(parts);
}

/**
 * Decrypt one armored age file (a sops age entry) with the identities given: the plaintext, or
 * `no-match` (none of the X25519 identities is a recipient, and there are no others to try),
 * `unsupported` (this path cannot decide: use the library), `damaged` (the file cannot be read,
 * or its MAC or payload fails).
 */
export function decryptAgeNative(armored: string, identities: readonly string[]): NativeAge {
  const file = unarmor(armored);
  const header = file && parseHeader(file);
  if (!header) return { outcome: 'damaged' };
  const keys = identities.map(x25519Identity);
  for (const s of header.stanzas) {
    if (s.args[0] !== 'X25519') continue;
    const share = s.args.length === 2 ? b64(s.args[1]!) : undefined;
    if (!share || share.length !== 32 || s.body.length !== 32) return { outcome: 'damaged' };
    const peer = crypto.createPublicKey({ key: Buffer.concat([SPKI, share]), format: 'der', type: 'spki' });
    for (const k of keys) {
      if (!k) continue;
      const shared = crypto.diffieHellman({ privateKey: k.key, publicKey: peer });
      if (shared.every((b) => b === 0)) return { outcome: 'damaged' };
      const wrap = hkdf(shared, Buffer.concat([share, k.recipient]), 'age-encryption.org/v1/X25519');
      const fileKey = open(wrap, Buffer.alloc(12), s.body);
      if (!fileKey) continue;
      const mac = crypto.createHmac('sha256', hkdf(fileKey, Buffer.alloc(0), 'header')).update(header.macked).digest();
      if (!crypto.timingSafeEqual(mac, header.mac)) return { outcome: 'damaged' };
      const plain = decryptPayload(fileKey, header.payload);
      return plain ? { plaintext: plain } : { outcome: 'damaged' };
    }
  }
  // identities of other kinds (post-quantum hybrid): the library decides
  return keys.some((k) => !k) ? { outcome: 'unsupported' } : { outcome: 'no-match' };
}
