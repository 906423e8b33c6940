/**
 * sops-encrypted values, against the real tools: sops, age and age-keygen built from their Go
 * modules by scripts/tools/build.sh (cached; scripts/test.sh builds them first), and gpg with a
 * throw-away home. Every fixture is encrypted here, at test time, in a temporary directory.
 */
import { execFileSync, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { parseDocument } from 'yaml';
import { PandaError } from '../../src/core/errors.js';
import { parseYaml } from '../../src/core/yaml.js';
import { decryptInputs, renderFromOptions, renderSecretsFromOptions } from '../../src/render/inputs.js';
import { decryptedTree, decryptSops, sopsMetadata, systemKeys, type PendingSops } from '../../src/values/sops/index.js';
import { bech32Decode, bech32Encode, decryptAgeNative, x25519Recipient } from '../../src/values/sops/age.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const SHARED = path.resolve(ROOT, '..', 'shared', 'upstream');
/** Upstream's secrets values: the 2022 seed and HEAD's. */
const UPSTREAM_SECRETS = { seed: path.join(SHARED, 'seed', 'values', 'secrets', 'values.yaml'), head: path.join(SHARED, 'head', 'tree', 'secrets', 'values.yaml') };
const CLI = path.join(ROOT, 'bin', 'panda-k8s.js');
// each case runs the real tools and the CLI; the machine may be shared
vi.setConfig({ testTimeout: 120_000, hookTimeout: 300_000 });

/** The tools directory: $PANDA_K8S_TOOLS (scripts/test.sh sets it), else build (a no-op when cached). */
function toolsDir(): string {
  if (process.env.PANDA_K8S_TOOLS) return process.env.PANDA_K8S_TOOLS;
  const out = execFileSync('bash', [path.join(ROOT, 'scripts', 'tools', 'build.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  return out.trim().split('\n').pop()!;
}

let TOOLS = '';
let tmp = '';
let GNUPGHOME = '';
let EMPTY_GNUPGHOME = '';
const age: { key: string; recipient: string }[] = [];
let fingerprint = '';

/** A clean environment: no key is found unless a test gives one. */
function env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const e: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: path.join(tmp, 'home'), XDG_CONFIG_HOME: path.join(tmp, 'home', '.config'), GNUPGHOME: EMPTY_GNUPGHOME, ...extra };
  return e;
}

function sops(args: string[], extra: Record<string, string> = {}): string {
  return execFileSync(path.join(TOOLS, 'sops'), args, { cwd: tmp, encoding: 'utf8', env: env({ GNUPGHOME, ...extra }), stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Encrypt `plain` with sops into a file in the temp dir. */
function encrypt(name: string, plain: string, opts: { type?: "yaml" | "json"; age?: readonly number[]; pgp?: boolean; extra?: readonly string[] } = {}): string {
  const type = opts.type ?? 'yaml';
  const args = ['--encrypt', '--input-type', type, '--output-type', type];
  const recipients = (opts.age ?? [0, 1]).map((i) => age[i]!.recipient);
  if (recipients.length) args.push('--age', recipients.join(','));
  if (opts.pgp) args.push('--pgp', fingerprint);
  const source = path.join(tmp, `plain-${name}`);
  fs.writeFileSync(source, plain);
  args.push(...(opts.extra ?? []), source);
  const file = path.join(tmp, name);
  fs.writeFileSync(file, sops(args));
  fs.rmSync(source);
  return file;
}

/** Encrypt an existing file with sops and the given recipient flags. */
function encryptWith(recipients: readonly string[], source: string, name: string): string {
  const file = path.join(tmp, name);
  fs.writeFileSync(file, sops(['--encrypt', ...recipients, source]));
  return file;
}

function keyFile(i: number): string {
  return path.join(tmp, `age${i}.txt`);
}

function run(args: string[], extra: Record<string, string> = {}): SpawnSyncReturns<string> {
  return spawnSync('node', [CLI, ...args], { cwd: tmp, encoding: 'utf8', env: env(extra) });
}

/** Decrypt one file in-process with the given environment's keys; returns the values tree. */
async function decryptFile(file: string, extra: Record<string, string>): Promise<unknown> {
  const text = fs.readFileSync(file, 'utf8');
  const parsed = parseYaml(text, file);
  const meta = sopsMetadata(parsed.value)!;
  const pending: PendingSops = { file, what: 'test', text, doc: parsed.doc, meta };
  await decryptSops([pending], systemKeys({ env: env(extra) }));
  return decryptedTree(file, text);
}

beforeAll(() => {
  TOOLS = toolsDir();
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'panda-k8s-sops-'));
  fs.mkdirSync(path.join(tmp, 'home', '.config'), { recursive: true });
  for (let i = 0; i < 3; i++) {
    execFileSync(path.join(TOOLS, 'age-keygen'), ['-o', keyFile(i)], { stdio: 'ignore' });
    const key = fs.readFileSync(keyFile(i), 'utf8');
    age.push({ key: /AGE-SECRET-KEY-1\S+/.exec(key)![0], recipient: /public key: (age1\S+)/.exec(key)![1]! });
  }
  GNUPGHOME = fs.mkdtempSync(path.join(os.tmpdir(), 'panda-k8s-gpg-'));
  EMPTY_GNUPGHOME = fs.mkdtempSync(path.join(os.tmpdir(), 'panda-k8s-gpg-empty-'));
  const gpgEnv = { ...process.env, GNUPGHOME };
  execFileSync('gpg', ['--batch', '--pinentry-mode', 'loopback', '--passphrase', '', '--quick-gen-key', 'panda-k8s test <test@example.invalid>', 'future-default', 'default', 'never'], { env: gpgEnv, stdio: 'ignore' });
  const colons = execFileSync('gpg', ['--batch', '--with-colons', '--list-secret-keys'], { env: gpgEnv, encoding: 'utf8' });
  fingerprint = /^fpr:+([0-9A-F]{40}):/m.exec(colons)![1]!;
}, 120_000);

afterAll(() => {
  for (const home of [GNUPGHOME, EMPTY_GNUPGHOME]) if (home) spawnSync('gpgconf', ['--kill', 'gpg-agent'], { env: { ...process.env, GNUPGHOME: home } });
  for (const d of [tmp, GNUPGHOME, EMPTY_GNUPGHOME]) if (d) fs.rmSync(d, { recursive: true, force: true });
});

/** Values of many shapes and types: the MAC covers them in file order. */
const VARIETY = `# leading comment
name: panda
count: 42
ratio: 0.25
big: 1e21
small: 0.000001
enabled: true
off: false
empty: ""
nothing: null
"10": ten
"2": two
unicode: "päßwörd ✓"
multi: |
  line one
  line two
list:
  - a
  - 7
  - nested: value
    other: [1, 2.5, false]
deep:
  password: s3cret
  host_unencrypted: db.example
  token: abc
`;

describe('sops-encrypted values read natively', () => {
  it.each([
    ['YAML, two age recipients', {}],
    ['YAML, age and PGP recipients', { pgp: true }],
    ['YAML, encrypted_regex', { extra: ['--encrypted-regex', '^(password|token)$'] }],
    ['YAML, unencrypted_regex', { extra: ['--unencrypted-regex', '^(name|list)$'] }],
    ['YAML, encrypted_suffix', { extra: ['--encrypted-suffix', 'word'] }],
    ['YAML, unencrypted_suffix (custom)', { extra: ['--unencrypted-suffix', '_unencrypted'] }],
    ['YAML, mac_only_encrypted with encrypted_regex', { extra: ['--encrypted-regex', '^(password|token)$', '--mac-only-encrypted'] }],
  ] as const)('%s decrypts to the plaintext, MAC verified', async (_name, opts) => {
    const file = encrypt(`variety-${_name.replace(/\W+/g, '-')}.yaml`, VARIETY, opts);
    expect(fs.readFileSync(file, 'utf8')).toContain('ENC[AES256_GCM,');
    expect(await decryptFile(file, { SOPS_AGE_KEY_FILE: keyFile(1) })).toEqual(parseDocument(VARIETY).toJS());
  });

  it('JSON sops files decrypt too', async () => {
    const plain = JSON.stringify(parseDocument(VARIETY).toJS(), null, 2);
    const file = encrypt('variety.json', plain, { type: 'json' });
    expect(await decryptFile(file, { SOPS_AGE_KEY: age[0]!.key })).toEqual(JSON.parse(plain));
  });

  it('encrypted_comment_regex: only the values after a matching comment are encrypted', async () => {
    const plain = 'a: 1\n# sops:enc\nb: secret\nc: plain\n';
    const file = encrypt('comments.yaml', plain, { extra: ['--encrypted-comment-regex', 'sops:enc'] });
    const text = fs.readFileSync(file, 'utf8');
    expect(text).toMatch(/^c: plain$/m);
    expect(text).not.toMatch(/^b: secret$/m);
    expect(await decryptFile(file, { SOPS_AGE_KEY_FILE: keyFile(0) })).toEqual({ a: 1, b: 'secret', c: 'plain' });
  });

  it('a PGP-only file decrypts through gpg with the operator GNUPGHOME', async () => {
    const file = encrypt('pgp.yaml', VARIETY, { age: [], pgp: true });
    expect(await decryptFile(file, { GNUPGHOME })).toEqual(parseDocument(VARIETY).toJS());
  });

  it('keys are found where sops finds them: the default keys file under XDG_CONFIG_HOME', async () => {
    const file = encrypt('xdg.yaml', VARIETY, { age: [2] });
    const xdg = path.join(tmp, 'xdg');
    fs.mkdirSync(path.join(xdg, 'sops', 'age'), { recursive: true });
    fs.copyFileSync(keyFile(2), path.join(xdg, 'sops', 'age', 'keys.txt'));
    expect(await decryptFile(file, { XDG_CONFIG_HOME: xdg })).toEqual(parseDocument(VARIETY).toJS());
  });
});

describe.each(['seed', 'head'] as const)("a sops-encrypted copy of upstream's %s secrets values", (which) => {
  let plainSecrets = '';
  let encYaml = '';
  let encJson = '';
  let text = '';
  beforeAll(() => {
    plainSecrets = path.join(tmp, `secrets-${which}.yaml`);
    fs.copyFileSync(UPSTREAM_SECRETS[which], plainSecrets);
    text = fs.readFileSync(plainSecrets, 'utf8');
    encYaml = encrypt(`secrets-${which}.enc.yaml`, text, { pgp: true });
    encJson = encrypt(`secrets-${which}.enc.json`, JSON.stringify(parseDocument(text).toJS()), { type: 'json' });
  });

  it('decrypts to exactly the plaintext tree (YAML and JSON, age and PGP)', async () => {
    const want = parseDocument(text).toJS();
    expect(await decryptFile(encYaml, { SOPS_AGE_KEY_FILE: keyFile(0) })).toEqual(want);
    expect(await decryptFile(encYaml, { GNUPGHOME })).toEqual(want);
    expect(await decryptFile(encJson, { SOPS_AGE_KEY_FILE: keyFile(1) })).toEqual(want);
  });

  it('renders the same Secrets and components as the plaintext (in-process)', async () => {
    await decryptInputs({ secretsValues: encYaml }, systemKeys({ env: env({ SOPS_AGE_KEY_FILE: keyFile(0) }) }));
    const render = (f: string) => {
      try {
        return { secrets: renderSecretsFromOptions({ secretsValues: f, keystore: 'K' }).objects, stack: renderFromOptions({ secretsValues: f }).objects };
      } catch (e) {
        return { error: (e as Error).message };
      }
    };
    expect(render(encYaml)).toEqual(render(plainSecrets));
  });

  it.each([
    ['install', '-t'],
    ['secrets', 'install', '-t'],
  ])('`%s %s` prints byte-identical output and exits alike (YAML, JSON via secrets://, -f secrets=, --from with gpg)', (...cmd) => {
    const want = run([...cmd, '--secrets-values', plainSecrets]);
    const from = path.join(tmp, `checkout-${which}`);
    fs.mkdirSync(path.join(from, 'secrets'), { recursive: true });
    fs.copyFileSync(encYaml, path.join(from, 'secrets', 'values.yaml'));
    for (const [args, keys] of [
      [['--secrets-values', encYaml], { SOPS_AGE_KEY_FILE: keyFile(1) }],
      [['--secrets-values', `secrets://${encJson}`], { SOPS_AGE_KEY: age[0]!.key }],
      [['-f', `secrets=${encYaml}`], { SOPS_AGE_KEY_FILE: keyFile(0) }],
      [['--from', from], { GNUPGHOME }],
    ] as const) {
      const got = run([...cmd, ...args], keys);
      expect(got.status, got.stderr).toBe(want.status);
      expect(got.stdout).toBe(want.stdout);
    }
  });
});

describe('age: X25519 natively, other identities through age-encryption', () => {
  /** The armored age entries of a sops file, one per recipient. */
  const stanzas = (file: string) => (sopsMetadata(parseYaml(fs.readFileSync(file, 'utf8'), file).value)!.age ?? []).map((a) => a.enc);
  // @ts-ignore -- the library's types are not needed here
  const library = async () => (await import('age-encryption')) as { Decrypter: new () => { addIdentity(s: string): void; decrypt(b: Uint8Array): Promise<Uint8Array> }; armor: { decode(s: string): Uint8Array } };

  it('the native path recovers the same data key as the library, for every recipient', async () => {
    const file = encrypt('native-vs-library.yaml', VARIETY, { age: [0, 1, 2] });
    const entries = stanzas(file);
    expect(entries).toHaveLength(3);
    const age_ = await library();
    for (const [i, enc] of entries.entries()) {
      const native = decryptAgeNative(enc, [age[i]!.key]);
      expect('plaintext' in native, `entry ${i}`).toBe(true);
      const d = new age_.Decrypter();
      d.addIdentity(age[i]!.key);
      const byLibrary = Buffer.from(await d.decrypt(age_.armor.decode(enc)));
      expect((native as { plaintext: Buffer }).plaintext.equals(byLibrary)).toBe(true);
      expect(byLibrary.length).toBe(32);
    }
  });

  it('recipients derived natively are the ones age-keygen prints; bech32 round-trips', () => {
    for (const a of age) expect(x25519Recipient(a.key)).toBe(a.recipient);
    const d = bech32Decode(age[0]!.recipient)!;
    expect(bech32Encode(d.prefix, d.bytes)).toBe(age[0]!.recipient);
    // one changed character fails the checksum
    const bad = age[0]!.recipient.slice(0, -1) + (age[0]!.recipient.endsWith('q') ? 'p' : 'q');
    expect(bech32Decode(bad)).toBeUndefined();
  });

  it('no-match for someone else\'s key, damaged for a changed byte or a truncated entry', () => {
    const [enc] = stanzas(encrypt('native-bad.yaml', VARIETY, { age: [0] }));
    expect(decryptAgeNative(enc!, [age[1]!.key])).toEqual({ outcome: 'no-match' });
    // a character of the last base64 line: the encrypted payload
    const lines = enc!.split('\n');
    const i = lines.findIndex((l) => l.startsWith('-----END')) - 1;
    const c = lines[i]![2]!;
    lines[i] = lines[i]!.slice(0, 2) + (c === 'A' ? 'B' : 'A') + lines[i]!.slice(3);
    expect(decryptAgeNative(lines.join('\n'), [age[0]!.key])).toEqual({ outcome: 'damaged' });
    expect(decryptAgeNative(enc!.slice(0, enc!.length / 2), [age[0]!.key])).toEqual({ outcome: 'damaged' });
  });

  it('a post-quantum (hybrid) identity: the native path steps aside and the library decrypts', async () => {
    const pqFile = path.join(tmp, 'age-pq.txt');
    execFileSync(path.join(TOOLS, 'age-keygen'), ['-pq', '-o', pqFile], { stdio: 'ignore' });
    const text = fs.readFileSync(pqFile, 'utf8');
    const recipient = /public key: (age1pq1\S+)/.exec(text)![1]!;
    const source = path.join(tmp, 'plain-pq.yaml');
    fs.writeFileSync(source, VARIETY);
    const file = path.join(tmp, 'pq.yaml');
    fs.writeFileSync(file, sops(['--encrypt', '--age', recipient, source]));
    expect(decryptAgeNative(stanzas(file)[0]!, [/AGE-SECRET-KEY-PQ-1\S+/.exec(text)![0]])).toEqual({ outcome: 'unsupported' });
    expect(await decryptFile(file, { SOPS_AGE_KEY_FILE: pqFile })).toEqual(parseDocument(VARIETY).toJS());
    // and the CLI, which loads the library only for such a file
    const secrets = encryptWith(['--age', recipient], UPSTREAM_SECRETS.seed, 'pq-secrets.yaml');
    const plain = run(['secrets', 'install', '-t', '-a', 'pq-', '--secrets-values', UPSTREAM_SECRETS.seed]);
    const viaPq = run(['secrets', 'install', '-t', '-a', 'pq-', '--secrets-values', secrets], { SOPS_AGE_KEY_FILE: pqFile });
    expect(viaPq.stderr).toBe(plain.stderr);
    expect(viaPq.status).toBe(0);
    expect(viaPq.stdout).toBe(plain.stdout);
  });
});

describe('bad sops input: a clear error naming the file and the fix, exit 2, nothing on stdout', () => {
  // values that are in the plaintext and must never appear in an error
  const SECRET_VALUES = ['s3cret-db-password', 'hunter2-token'];
  const PLAIN = `affix: "-sops"\npanda:\n  database:\n    password: ${SECRET_VALUES[0]}\n    dbhost: panda-db\nauth:\n  authIdToken: ${SECRET_VALUES[1]}\n`;
  let good = '';
  beforeAll(() => {
    good = encrypt('good.yaml', PLAIN, { age: [0] });
  });

  function expectRefused(file: string, extra: Record<string, string>, pattern: RegExp): void {
    // a kubeconfig that points nowhere: the error must come before any connection
    const r = run(['secrets', 'install', '--secrets-values', file, '--kubeconfig', path.join(tmp, 'no-kubeconfig')], extra);
    expect(r.status, r.stderr).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(file);
    expect(r.stderr).toMatch(pattern);
    expect(r.stderr).toContain('fix:');
    for (const v of SECRET_VALUES) expect(r.stderr).not.toContain(v);
  }

  it('decrypts with the right key (the control case)', () => {
    const r = run(['secrets', 'install', '-t', '--show-secrets', '--secrets-values', good], { SOPS_AGE_KEY_FILE: keyFile(0) });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain(SECRET_VALUES[0]);
  });

  it('a tampered value', () => {
    const text = fs.readFileSync(good, 'utf8');
    const file = path.join(tmp, 'tampered-value.yaml');
    // flip one character of the first encrypted value's data
    fs.writeFileSync(file, text.replace(/data:(.)/, (_m, c: string) => `data:${c === 'A' ? 'B' : 'A'}`));
    expectRefused(file, { SOPS_AGE_KEY_FILE: keyFile(0) }, /integrity check.*the value at affix/s);
  });

  it('a tampered MAC (an unencrypted value changed)', () => {
    const file = encrypt('tampered-mac.yaml', PLAIN, { age: [0], extra: ['--encrypted-regex', '^password$'] });
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace("dbhost: panda-db", "dbhost: evil-db"));
    expectRefused(file, { SOPS_AGE_KEY_FILE: keyFile(0) }, /MAC does not match/);
  });

  it('two encrypted values swapped (the path is authenticated)', () => {
    const text = fs.readFileSync(good, 'utf8');
    const encs = [...text.matchAll(/ENC\[AES256_GCM,[^\]]+\]/g)].map((m) => m[0]);
    const file = path.join(tmp, 'swapped.yaml');
    fs.writeFileSync(file, text.replace(encs[0]!, 'SWAP').replace(encs[1]!, encs[0]!).replace('SWAP', encs[1]!));
    expectRefused(file, { SOPS_AGE_KEY_FILE: keyFile(0) }, /integrity check/);
  });

  it('no key at all', () => {
    expectRefused(good, {}, /no age key was found.*SOPS_AGE_KEY_FILE/s);
  });

  it('a wrong key: encrypted for someone else', () => {
    expectRefused(good, { SOPS_AGE_KEY_FILE: keyFile(2) }, new RegExp(`none of the 1 age key\\(s\\).*yours: ${age[2]!.recipient.slice(0, 16)}`, 's'));
  });

  it('a PGP file and no secret key in the keyring', () => {
    const file = encrypt('pgp-only.yaml', PLAIN, { age: [], pgp: true });
    expectRefused(file, {}, new RegExp(`gpg could not decrypt.*${fingerprint}`, 's'));
  });

  it('a truncated file', () => {
    const text = fs.readFileSync(good, 'utf8');
    const file = path.join(tmp, 'truncated.yaml');
    fs.writeFileSync(file, text.slice(0, text.indexOf('sops:')));
    expectRefused(file, { SOPS_AGE_KEY_FILE: keyFile(0) }, /no `sops:` metadata block/);
    fs.writeFileSync(file, text.slice(0, text.indexOf('lastmodified')));
    expectRefused(file, { SOPS_AGE_KEY_FILE: keyFile(0) }, /truncated/);
  });

  it('a plain file with sops-like keys', () => {
    const file = path.join(tmp, 'sops-like.yaml');
    fs.writeFileSync(file, 'affix: "-x"\nsops:\n  enabled: true\n');
    expectRefused(file, {}, /top-level `sops` key that is not sops metadata/);
  });

  it('the in-process API refuses an encrypted file that was not decrypted first', () => {
    expect(() => renderSecretsFromOptions({ secretsValues: encrypt('undecrypted.yaml', PLAIN, { age: [1] }), keystore: 'K' })).toThrow(PandaError);
  });
});
