/**
 * sops-encrypted values files, read natively: the data key is recovered with the operator's age
 * key (in-process: X25519 with node:crypto, other identities with `age-encryption`) or through
 * gpg (PGP), the values are decrypted and the MAC
 * verified as sops does. Decrypted trees live only in this process's memory, keyed by file and
 * content digest, so that the synchronous values loading ({@link readLayers}) finds them after
 * the asynchronous {@link decryptSops} ran at the command line's edge.
 */
import crypto from 'node:crypto';
import type { Document } from 'yaml';
import type { ParsedYaml } from '../../core/yaml.js';
import { PandaError, type Issue } from '../../core/errors.js';
import type { SopsMetadata } from './format.js';
import { systemKeys, type SopsKeys } from './keys.js';
import { decryptDocument, SopsIntegrityError } from './tree.js';
import { decryptAgeNative, x25519Recipient } from './age.js';

export { sopsMetadata, SopsFormatError } from './format.js';
export { systemKeys, type SopsKeys } from './keys.js';

/** A sops file found while reading values, waiting to be decrypted. */
export interface PendingSops {
  file: string;
  /** The flag that named it (`--secrets-values`, `-f x.yaml`, `--from`). */
  what: string;
  text: string;
  doc: Document;
  meta: SopsMetadata;
  /** The file as parsed, kept with its decrypted tree so that the second read does not parse it again. */
  parsed?: ParsedYaml;
}

/**
 * helm-secrets' `secrets://FILE` names FILE; its other schemes (`secrets+gpg-import://`, …) carry
 * keys in the URL, which this tool does not take.
 */
export function helmSecretsPath(spec: string): { path: string } | { unsupported: string } {
  if (spec.startsWith('secrets://')) return { path: spec.slice('secrets://'.length) };
  const m = /^(secrets\+[a-z-]+):\/\//.exec(spec);
  if (m) return { unsupported: m[1]! };
  return { path: spec };
}

const decrypted = new Map<string, { tree: Record<string, unknown>; parsed?: ParsedYaml }>();
const keyOf = (file: string, text: string) => `${file}\0${crypto.createHash('sha256').update(text).digest('hex')}`;

/** The decrypted tree of a sops file whose content is `text`, when {@link decryptSops} has read it. */
export function decryptedTree(file: string, text: string): Record<string, unknown> | undefined {
  return decrypted.get(keyOf(file, text))?.tree;
}

/** The decrypted tree and the parsed file, when {@link decryptSops} has read it. */
export function decryptedFile(file: string, text: string): { tree: Record<string, unknown>; parsed?: ParsedYaml } | undefined {
  return decrypted.get(keyOf(file, text));
}

/** The part of `age-encryption` used here. */
interface AgeLibrary {
  Decrypter: new () => { addIdentity(s: string): void; decrypt(file: Uint8Array): Promise<Uint8Array> };
  armor: { decode(file: string): Uint8Array };
  identityToRecipient(identity: string): Promise<string>;
}

/**
 * Loaded only for age files the native path ({@link decryptAgeNative}) does not read: post-quantum
 * hybrid identities. {@link AgeLibrary} is its contract, so that type-checking does not need the
 * package installed.
 */
// @ts-ignore -- typed by AgeLibrary
const loadAge = async (): Promise<AgeLibrary> => (await import('age-encryption')) as AgeLibrary;

const short = (s: string) => (s.length > 24 ? `${s.slice(0, 16)}…${s.slice(-6)}` : s);

async function ageDataKey(p: PendingSops, keys: SopsKeys, why: string[]): Promise<Uint8Array | undefined> {
  if (!p.meta.age.length) return undefined;
  const ids = keys.ageIdentities();
  const recipients = p.meta.age.map((a) => a.recipient).filter(Boolean);
  if (!ids.identities.length) {
    why.push(
      `it is encrypted for age recipient(s) ${recipients.map(short).join(', ')}, and no age key was found (looked in ${ids.looked.join(', ')}${ids.problems.length ? `; ${ids.problems.join('; ')}` : ''})`,
    );
    return undefined;
  }
  let damaged = false;
  let library: AgeLibrary | undefined;
  const viaLibrary = async (enc: string) => {
    library ??= await loadAge();
    const d = new library.Decrypter();
    for (const id of ids.identities) {
      try {
        d.addIdentity(id);
      } catch {
        // not a key the library reads either: the others may still match
      }
    }
    let bytes: Uint8Array;
    try {
      bytes = library.armor.decode(enc);
    } catch {
      damaged = true;
      return undefined;
    }
    try {
      return await d.decrypt(bytes);
    } catch (e) {
      if (!/no identity matched/.test((e as Error).message)) damaged = true;
      return undefined;
    }
  };
  for (const stanza of p.meta.age) {
    // X25519 (age-keygen keys, what sops writes) natively; other kinds, and anything the native
    // path cannot read, through the library, which then has the last word
    const r = decryptAgeNative(stanza.enc, ids.identities);
    if ('plaintext' in r) return r.plaintext;
    if (r.outcome === 'no-match') continue;
    const key = await viaLibrary(stanza.enc);
    if (key) return key;
  }
  const mine = await Promise.all(ids.identities.map(async (i) => x25519Recipient(i) ?? (library ??= await loadAge()).identityToRecipient(i).catch(() => '?')));
  why.push(
    damaged
      ? `its age key entries cannot be read (the sops block is damaged or truncated)`
      : `it is encrypted for age recipient(s) ${recipients.map(short).join(', ')}, and none of the ${ids.identities.length} age key(s) found (in ${ids.found.join(', ')}) is one of them (yours: ${mine.map(short).join(', ')})`,
  );
  return undefined;
}

async function pgpDataKey(p: PendingSops, keys: SopsKeys, why: string[]): Promise<Uint8Array | undefined> {
  const failures: string[] = [];
  for (const stanza of p.meta.pgp) {
    try {
      return await keys.gpgDecrypt(stanza.enc);
    } catch (e) {
      failures.push(`${stanza.fp ? `key ${stanza.fp}` : 'a PGP key'}: ${(e as Error).message}`);
    }
  }
  if (failures.length) why.push(`gpg could not decrypt its data key (${failures.join('; ')})`);
  return undefined;
}

function fixFor(p: PendingSops): string {
  const fixes: string[] = [];
  if (p.meta.age.length) fixes.push('point SOPS_AGE_KEY_FILE at the age keys file holding the secret key of one of its recipients (or put it in ~/.config/sops/age/keys.txt, or the key itself in SOPS_AGE_KEY)');
  if (p.meta.pgp.length) fixes.push('import the secret key of one of its PGP fingerprints into your GnuPG keyring (GNUPGHOME), with gpg-agent running to ask for its passphrase');
  fixes.push('if it was encrypted for someone else, ask a holder of one of its keys to add yours: sops -r -i --add-age <your age recipient> FILE');
  return fixes.join('; or ');
}

async function decryptOne(p: PendingSops, keys: SopsKeys): Promise<Issue | undefined> {
  const base = { where: p.what, file: p.file };
  if (p.meta.keyGroups > 1)
    return { ...base, message: `sops-encrypted with ${p.meta.keyGroups} key groups (Shamir secret sharing), which panda-k8s does not read`, fix: 'encrypt it for one key group of age or PGP recipients, or pass the decrypted values through a pipe: --secrets-values <(sops -d FILE)' };
  if (!p.meta.age.length && !p.meta.pgp.length)
    return {
      ...base,
      message: p.meta.otherKeys.length ? `sops-encrypted only for ${p.meta.otherKeys.join(', ')} keys, which panda-k8s does not read (it reads age and PGP)` : 'sops metadata lists no keys: the file is truncated or was edited by hand',
      fix: p.meta.otherKeys.length ? 'add an age or PGP recipient (sops -r -i --add-age <recipient> FILE), or pass the decrypted values through a pipe: <(sops -d FILE)' : 'restore the file from version control',
    };
  const why: string[] = [];
  const key = (await ageDataKey(p, keys, why)) ?? (await pgpDataKey(p, keys, why));
  if (!key) return { ...base, message: `cannot decrypt this sops file: ${why.join('; and ')}`, fix: fixFor(p) };
  try {
    decrypted.set(keyOf(p.file, p.text), { tree: decryptDocument(p.doc, p.meta, key), ...(p.parsed ? { parsed: p.parsed } : {}) });
  } catch (e) {
    if (!(e instanceof SopsIntegrityError)) throw e;
    return {
      ...base,
      message: `sops file fails its integrity check: ${e.path ? `the value at ${e.path} ${e.message}` : e.message}`,
      fix: 'restore the file from version control, or re-create it with sops; edit encrypted files only with `sops FILE`',
    };
  }
  return undefined;
}

/**
 * Decrypt the given sops files (all problems reported together, each naming the file and the
 * fix). Afterwards {@link decryptedTree} returns their values.
 */
export async function decryptSops(pending: readonly PendingSops[], keys: SopsKeys = systemKeys()): Promise<void> {
  const issues = (await Promise.all(pending.map((p) => decryptOne(p, keys)))).filter((i): i is Issue => !!i);
  if (issues.length) throw new PandaError('cannot read sops-encrypted values; nothing was applied', issues);
}
