/**
 * sops files: recognising one and reading its metadata block (pure). The facts follow sops'
 * stores/stores.go: the metadata sits under the top-level `sops` key; a file carries at most one
 * of the key-selection rules and defaults to `unencrypted_suffix: _unencrypted`.
 */
import { isPlainObject } from '../merge.js';

/** A value sops encrypted: `ENC[AES256_GCM,data:…,iv:…,tag:…,type:…]` (sops' aes/cipher.go). */
export const ENC_RE = /^ENC\[AES256_GCM,data:(.+),iv:(.+),tag:(.+),type:(.+)\]/;

export interface AgeStanza {
  recipient: string;
  /** The data key, as an armored age file. */
  enc: string;
}

export interface PgpStanza {
  fp: string;
  /** The data key, as an armored OpenPGP message. */
  enc: string;
}

/** Which values are encrypted: exactly one rule applies (sops' Tree.shouldBeEncrypted). */
export interface Rules {
  unencryptedSuffix?: string;
  encryptedSuffix?: string;
  unencryptedRegex?: RegExp;
  encryptedRegex?: RegExp;
  unencryptedCommentRegex?: RegExp;
  encryptedCommentRegex?: RegExp;
  /** The MAC covers only the encrypted values (and starts from a fixed prefix). */
  macOnlyEncrypted: boolean;
}

export interface SopsMetadata {
  age: AgeStanza[];
  pgp: PgpStanza[];
  /** Master keys of kinds read only by sops itself (kms, gcp_kms, azure_kv, hc_vault, hckms). */
  otherKeys: string[];
  /** Key groups beyond the first (Shamir secret sharing). */
  keyGroups: number;
  /** `lastmodified` as sops formats it (time.RFC3339): the additional data of the MAC. */
  lastModified: string;
  mac: string;
  rules: Rules;
  version?: string;
}

export const DEFAULT_UNENCRYPTED_SUFFIX = '_unencrypted';
const RULE_KEYS = ['unencrypted_suffix', 'encrypted_suffix', 'unencrypted_regex', 'encrypted_regex', 'unencrypted_comment_regex', 'encrypted_comment_regex'] as const;
const OTHER_KEY_KINDS = ['kms', 'gcp_kms', 'azure_kv', 'hc_vault', 'hckms'] as const;
/** Keys that only sops metadata has: a `sops:` mapping with none of them is someone's own key. */
const METADATA_KEYS = new Set<string>(['mac', 'lastmodified', 'version', 'age', 'pgp', 'key_groups', 'shamir_threshold', 'mac_only_encrypted', ...RULE_KEYS, ...OTHER_KEY_KINDS]);

/** A problem with a file's sops structure, phrased for an operator. */
export class SopsFormatError extends Error {
  constructor(
    message: string,
    readonly fix: string,
  ) {
    super(message);
  }
}

const RE_FIX = 'edit encrypted files with `sops FILE`, or restore the file from version control';

/**
 * Go's regexp syntax, as far as JavaScript's differs for the patterns sops rules use: a leading
 * `(?flags)` group becomes JavaScript flags.
 */
function goRegex(pattern: string, key: string): RegExp {
  const m = /^\(\?([imsU]+)\)/.exec(pattern);
  const flags = m ? [...new Set(m[1]!.replace('U', ''))].join('') : '';
  try {
    return new RegExp(m ? pattern.slice(m[0].length) : pattern, flags);
  } catch (e) {
    throw new SopsFormatError(`sops.${key} ${JSON.stringify(pattern)} is not a regular expression this tool can read (${(e as Error).message})`, 'use a plain regular expression (no look-behind or Go-only syntax)');
  }
}

/** sops formats `lastmodified` with time.RFC3339 before using it: no fraction, `Z` for UTC. */
export function rfc3339(s: string): string | undefined {
  const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.\d+)?(Z|[+-]\d\d:\d\d)$/.exec(s);
  if (!m) return undefined;
  const zone = m[2] === '+00:00' || m[2] === '-00:00' ? 'Z' : m[2]!;
  return `${m[1]}${zone}`;
}

/** Does any scalar in the tree look like a sops-encrypted value? */
export function hasEncryptedValues(tree: unknown): boolean {
  if (typeof tree === 'string') return ENC_RE.test(tree);
  if (Array.isArray(tree)) return tree.some(hasEncryptedValues);
  if (isPlainObject(tree)) return Object.values(tree).some(hasEncryptedValues);
  return false;
}

/**
 * Whether the document is sops-encrypted: `undefined` for a plain file, the metadata for a sops
 * file; a file that looks like one but is not (a `sops:` mapping without the metadata, encrypted
 * values without a `sops:` block) throws a {@link SopsFormatError}.
 */
export function sopsMetadata(doc: unknown): SopsMetadata | undefined {
  if (!isPlainObject(doc)) return undefined;
  const raw = doc.sops;
  if (raw === undefined) {
    if (hasEncryptedValues(doc))
      throw new SopsFormatError(
        'holds sops-encrypted values (ENC[AES256_GCM,…]) but no `sops:` metadata block: the file is truncated or the block was removed',
        'restore the complete file (sops writes the `sops:` block at the end of the file)',
      );
    return undefined;
  }
  if (!isPlainObject(raw) || !Object.keys(raw).some((k) => METADATA_KEYS.has(k))) {
    if (hasEncryptedValues(doc)) throw new SopsFormatError('its `sops:` block is not sops metadata (no mac, lastmodified or keys)', RE_FIX);
    throw new SopsFormatError(
      'has a top-level `sops` key that is not sops metadata (no mac, lastmodified or keys), and `sops` is not a values key',
      'remove or rename the `sops` key; a sops-encrypted file is written by `sops --encrypt`',
    );
  }
  const missing = ['lastmodified', 'mac'].filter((k) => typeof raw[k] !== 'string' || raw[k] === '');
  if (missing.length)
    throw new SopsFormatError(`its sops metadata has no ${missing.join(' and ')}: the file is truncated or was edited by hand`, RE_FIX);
  const lastModified = rfc3339(raw.lastmodified as string);
  if (!lastModified) throw new SopsFormatError(`sops.lastmodified ${JSON.stringify(raw.lastmodified)} is not an RFC 3339 time`, RE_FIX);
  if (!ENC_RE.test(raw.mac as string)) throw new SopsFormatError('sops.mac is not an encrypted MAC (ENC[AES256_GCM,…])', RE_FIX);

  const groups = Array.isArray(raw.key_groups) ? raw.key_groups.filter(isPlainObject) : [];
  const sources: Record<string, unknown>[] = [raw, ...groups.slice(0, 1)];
  const list = (k: string): Record<string, unknown>[] => sources.flatMap((s) => (Array.isArray(s[k]) ? (s[k] as unknown[]).filter(isPlainObject) : []));
  const str = (v: unknown) => (typeof v === 'string' ? v : '');
  const age = list('age').map((a) => ({ recipient: str(a.recipient), enc: str(a.enc) })).filter((a) => a.enc);
  const pgp = list('pgp').map((p) => ({ fp: str(p.fp), enc: str(p.enc) })).filter((p) => p.enc);
  const otherKeys = OTHER_KEY_KINDS.filter((k) => list(k).length > 0);

  const present = RULE_KEYS.filter((k) => typeof raw[k] === 'string' && raw[k] !== '');
  if (present.length > 1) throw new SopsFormatError(`its sops metadata sets ${present.join(' and ')}; sops allows only one key-selection rule per file`, RE_FIX);
  const rule = (k: (typeof RULE_KEYS)[number]) => (present.includes(k) ? (raw[k] as string) : undefined);
  const rules: Rules = { macOnlyEncrypted: raw.mac_only_encrypted === true };
  if (!present.length) rules.unencryptedSuffix = DEFAULT_UNENCRYPTED_SUFFIX;
  if (rule('unencrypted_suffix')) rules.unencryptedSuffix = rule('unencrypted_suffix')!;
  if (rule('encrypted_suffix')) rules.encryptedSuffix = rule('encrypted_suffix')!;
  if (rule('unencrypted_regex')) rules.unencryptedRegex = goRegex(rule('unencrypted_regex')!, 'unencrypted_regex');
  if (rule('encrypted_regex')) rules.encryptedRegex = goRegex(rule('encrypted_regex')!, 'encrypted_regex');
  if (rule('unencrypted_comment_regex')) rules.unencryptedCommentRegex = goRegex(rule('unencrypted_comment_regex')!, 'unencrypted_comment_regex');
  if (rule('encrypted_comment_regex')) rules.encryptedCommentRegex = goRegex(rule('encrypted_comment_regex')!, 'encrypted_comment_regex');

  return {
    age,
    pgp,
    otherKeys,
    keyGroups: groups.length,
    lastModified,
    mac: raw.mac as string,
    rules,
    ...(typeof raw.version === 'string' ? { version: raw.version } : {}),
  };
}

/** sops' Tree.shouldBeEncrypted: is the value at `path`, under `comments`, encrypted? */
export function shouldBeEncrypted(rules: Rules, path: readonly string[], comments: readonly (readonly string[])[], isComment = false): boolean {
  let encrypted = true;
  if (rules.unencryptedSuffix !== undefined && path.some((p) => p.endsWith(rules.unencryptedSuffix!))) encrypted = false;
  if (rules.encryptedSuffix !== undefined) encrypted = path.some((p) => p.endsWith(rules.encryptedSuffix!));
  if (rules.unencryptedRegex && path.some((p) => rules.unencryptedRegex!.test(p))) encrypted = false;
  if (rules.encryptedRegex) encrypted = path.some((p) => rules.encryptedRegex!.test(p));
  if (rules.unencryptedCommentRegex && comments.some((cs) => cs.some((c) => rules.unencryptedCommentRegex!.test(c)))) encrypted = false;
  if (rules.encryptedCommentRegex) {
    const last = comments.length - 1;
    encrypted = comments.some((cs, i) => cs.some((c, j) => !(isComment && i === last && j === cs.length - 1) && rules.encryptedCommentRegex!.test(c)));
  }
  return encrypted;
}
