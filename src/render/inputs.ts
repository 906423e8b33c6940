/**
 * From command-line sources to rendered objects: reads the files (the only I/O here), then calls
 * the pure resolve and render steps. Used by every command that renders.
 */
import fs from 'node:fs';
import path from 'node:path';
import { PandaError, type Issue } from '../core/errors.js';
import type { K8sObject } from '../core/k8s.js';
import { resolveAffix, type Affix } from '../core/names.js';
import { secretsStack } from '../secrets/context.js';
import { ignoredKeys } from '../values/ignored.js';
import { nodeFs, type ValuesSources } from '../values/load.js';
import { decryptSops, helmSecretsPath, type PendingSops, type SopsKeys } from '../values/sops/index.js';
import { experimentComponents, readLayers, resolveSecretsValues, resolveValues } from './values.js';
import { renderSecrets, secretsNotices } from '../secrets/render.js';
import { generateJwks, isPublishedKeystore, keystoreFromKeyFile, TEMPLATE_KEYSTORE } from '../secrets/keystore.js';
import type { SecretsValues } from '../secrets/values.js';
import { checkSandboxDirs, loadFolder, loadSandbox } from './sandbox.js';
import { BUILTIN_SECRETS_FILES } from '../core/paths.js';
import { checkSelection, renderStack, type RenderedStack, type Selection } from './stack.js';
import type { FileSet } from '../core/files.js';
import { registry, valuesSchema, type ComponentName, type Values } from '../components/registry.js';

export interface RenderOptions extends ValuesSources, Selection {
  affix?: string;
  /** Operator sandbox overlays: `<dir>/<component>/<set>/<file>`. */
  sandboxDirs?: readonly string[];
  /** Namespace of the stack (names of cluster-wide objects, ServiceAccount subjects); default `default`. */
  namespace?: string;
}

export interface Resolved {
  values: Values;
  affix: Affix;
  /** Keys the value files set that have no effect (upstream carries them unread), with file:line. */
  ignored: Issue[];
  /** The secrets values file in use, if any. */
  secretsFile?: string;
}

/** The secrets values file: explicit, from an upstream checkout, or `./secrets/values.yaml` when present. */
export function secretsValuesFile(o: ValuesSources): string | undefined {
  if (o.secretsValues) {
    const p = helmSecretsPath(o.secretsValues);
    return 'path' in p ? p.path : o.secretsValues;
  }
  if (o.from) return path.join(o.from, 'secrets', 'values.yaml');
  const local = path.join('secrets', 'values.yaml');
  return fs.existsSync(local) ? local : undefined;
}

/**
 * Decrypt the sops-encrypted files among the values sources (the command line calls this before
 * any command reads values): later reads of the same sources find the decrypted values in memory.
 * Bad input other than sops problems is left to the read that follows, which reports it.
 */
export async function decryptInputs(o: ValuesSources, keys?: SopsKeys): Promise<void> {
  const secretsFile = secretsValuesFile(o);
  const pending: PendingSops[] = [];
  try {
    readLayers({ ...o, ...(secretsFile ? { secretsValues: secretsFile } : {}), sets: [], setStrings: [], setJsons: [], setFiles: [], setLiterals: [] }, nodeFs, { pendingSops: pending });
  } catch (e) {
    if (!(e instanceof PandaError)) throw e;
  }
  if (pending.length) await decryptSops(pending, keys);
}

export function resolve(o: RenderOptions): Resolved {
  const secretsFile = secretsValuesFile(o);
  const layers = readLayers({ ...o, ...(secretsFile ? { secretsValues: secretsFile } : {}) });
  const values = resolveValues(layers);
  const affix = resolveAffix(o.affix, values.secrets.affix, secretsFile);
  return { values, affix, ignored: ignoredKeys(layers, valuesSchema), ...(secretsFile ? { secretsFile } : {}) };
}

export function renderFromOptions(o: RenderOptions): RenderedStack & Resolved {
  if (o.sandboxDirs?.length) checkSandboxDirs(o.sandboxDirs);
  const selectionIssues = checkSelection(o);
  let r: Resolved;
  try {
    r = resolve(o);
  } catch (e) {
    if (e instanceof PandaError && selectionIssues.length) throw new PandaError(e.message, [...selectionIssues, ...e.issues], e.exitCode);
    throw e;
  }
  if (selectionIssues.length) throw new PandaError('invalid component selection', selectionIssues);
  const cache = new Map<ComponentName, ReadonlyMap<string, FileSet>>();
  // `-e EXP` without `-c`: the components the experiment has overlays for
  const enable = o.enable?.length ? o.enable : experimentComponents(o);
  const stack = renderStack({
    values: r.values,
    affix: r.affix,
    selection: { ...o, ...(enable ? { enable } : {}) },
    ...(o.namespace ? { namespace: o.namespace } : {}),
    sandbox: (c) => {
      let s = cache.get(c);
      const payloads = registry.must(c).payloads;
      if (!s) cache.set(c, (s = loadSandbox(c, o.sandboxDirs ?? [], o.from && payloads ? { from: o.from, payloads } : undefined)));
      return s;
    },
  });
  return { ...r, ...stack };
}

export interface SecretsOptions extends RenderOptions {
  /** Secrets files directory (upstream `secrets/files/` layout). */
  secretsDir?: string;
  /** IAM signing key file: a JWK set, or a PEM RSA private key the keystore is derived from (`--iam-key`). */
  iamKey?: string;
  /** Keystore to use when none is supplied in the files or by `iamKey` (e.g. the one already installed). */
  keystore?: string;
}

export function secretsFilesDir(o: SecretsOptions, secretsFile?: string): string {
  if (o.secretsDir) {
    if (!fs.existsSync(o.secretsDir) || !fs.statSync(o.secretsDir).isDirectory())
      throw new PandaError('secrets files directory not found', [
        { where: '--secrets-dir', message: `not a directory: ${o.secretsDir}`, fix: 'name a directory laid out like secrets/files/ (panda_certs/, iam_conf/, ...)' },
      ]);
    return o.secretsDir;
  }
  if (secretsFile) {
    const beside = path.join(path.dirname(secretsFile), 'files');
    if (fs.existsSync(beside)) return beside;
  }
  return BUILTIN_SECRETS_FILES;
}

/** The keystore of `--iam-key`, or a clear error. */
function readIamKey(file: string): string {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    throw new PandaError('IAM key file not found', [{ where: '--iam-key', message: `cannot read ${file}`, fix: 'name a JWK set or a PEM RSA private key (openssl genrsa -out iam.pem 2048)' }]);
  }
  const k = keystoreFromKeyFile(text);
  if ('problem' in k) throw new PandaError('unusable IAM key file', [{ where: `--iam-key ${file}`, message: `the key file ${k.problem}`, fix: 'give a JWK set with an RSA private key, or a PEM RSA private key' }]);
  return k.jwks;
}

export interface SecretsRenderer {
  secrets: SecretsValues;
  affix: Affix;
  /** The secrets values file in use, if any. */
  secretsFile?: string;
  prefix: string;
  filesDir: string;
  /** Whether the operator gave the signing key (in `iam_conf/` or `--iam-key`): then no installed or generated key is used. */
  ownKey: boolean;
  /** What the operator should know about the inputs (upstream's published key, empty TLS pairs). */
  notices: Issue[];
  /** Pure once the inputs are read: the Secrets, with this keystore unless the operator gave one (a new one when none is given). */
  render(keystore?: string): K8sObject[];
}

/** Reads the secrets inputs once; renders as often as asked (e.g. before and after reading the installed keystore). */
export function secretsRenderer(o: SecretsOptions): SecretsRenderer {
  const secretsFile = secretsValuesFile(o);
  const slice = resolveSecretsValues(readLayers({ ...o, ...(secretsFile ? { secretsValues: secretsFile } : {}) }));
  const affix = resolveAffix(o.affix, slice.secrets.affix, secretsFile);
  const filesDir = secretsFilesDir(o, secretsFile);
  const folders = new Map<string, FileSet>();
  const files = (folder: string): FileSet => {
    let f = folders.get(folder);
    if (!f) {
      const own = loadFolder(filesDir, folder, { recursive: true });
      // configuration: the operator's files overlay the built-in ones, file by file
      f = filesDir === BUILTIN_SECRETS_FILES || folder !== 'iam_conf' ? own : new Map([...loadFolder(BUILTIN_SECRETS_FILES, folder), ...own]);
      folders.set(folder, f);
    }
    return f;
  };
  const given = o.iamKey ? readIamKey(o.iamKey) : undefined;
  const prefix = slice.global.secret;
  const ctx = (iamKeystore: string) => ({ affix, prefix, stack: secretsStack(affix), files, iamKeystore });
  const supplied = files('iam_conf').get('iam-keystore.jwks');
  const ownFile = supplied !== undefined && !isPublishedKeystore(Buffer.from(supplied).toString('utf8'));
  if (ownFile && given) {
    throw new PandaError('two IAM signing keys given', [
      { where: '--iam-key', message: `${path.join(filesDir, 'iam_conf', 'iam-keystore.jwks')} holds one too`, fix: 'keep one of them' },
    ]);
  }
  return {
    secrets: slice.secrets,
    affix,
    ...(secretsFile ? { secretsFile } : {}),
    prefix,
    filesDir,
    ownKey: ownFile || given !== undefined,
    notices: secretsNotices(slice.secrets, ctx('')),
    render: (keystore) => renderSecrets(slice.secrets, ctx(given ?? keystore ?? generateJwks())),
  };
}

/** The Secrets as `secrets install -t` prints them: a key the operator did not give is shown as generated at install. */
export function renderSecretsFromOptions(o: SecretsOptions): { objects: K8sObject[]; notices: Issue[]; prefix: string; filesDir: string; affix: Affix } {
  const s = secretsRenderer(o);
  return { objects: s.render(o.keystore ?? TEMPLATE_KEYSTORE), notices: s.notices, prefix: s.prefix, filesDir: s.filesDir, affix: s.affix };
}
