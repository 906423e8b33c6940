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
import { readLayers, resolveValues } from './values.js';
import { renderSecrets } from '../secrets/render.js';
import { generateJwks } from '../secrets/keystore.js';
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
    readLayers({ ...o, ...(secretsFile ? { secretsValues: secretsFile } : {}), sets: [] }, nodeFs, { pendingSops: pending });
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
  const stack = renderStack({
    values: r.values,
    affix: r.affix,
    selection: o,
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
  /** Keystore to use when none is supplied (e.g. the one already installed). */
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

export interface SecretsRenderer extends Resolved {
  prefix: string;
  filesDir: string;
  /** Pure once the inputs are read: the Secrets with this IAM keystore (a new one when none is given). */
  render(keystore?: string): K8sObject[];
}

/** Reads the secrets inputs once; renders as often as asked (e.g. before and after reading the installed keystore). */
export function secretsRenderer(o: SecretsOptions): SecretsRenderer {
  const r = resolve(o);
  const filesDir = secretsFilesDir(o, r.secretsFile);
  const recursive = new Set(['panda_certs', 'harvester_certs', 'idds_certs']);
  const folders = new Map<string, FileSet>();
  const files = (folder: string): FileSet => {
    let f = folders.get(folder);
    if (!f) {
      const own = loadFolder(filesDir, folder, recursive.has(folder) ? { recursive: true, ext: '.pem' } : {});
      // configuration folders: the operator's files overlay the built-in ones, file by file
      f = filesDir === BUILTIN_SECRETS_FILES || recursive.has(folder) ? own : new Map([...loadFolder(BUILTIN_SECRETS_FILES, folder), ...own]);
      folders.set(folder, f);
    }
    return f;
  };
  const prefix = r.values.global.secret;
  return {
    ...r,
    prefix,
    filesDir,
    render: (keystore) => renderSecrets(r.values.secrets, { affix: r.affix, prefix, stack: secretsStack(r.affix), files, iamKeystore: keystore ?? generateJwks() }),
  };
}

export function renderSecretsFromOptions(o: SecretsOptions): { objects: K8sObject[]; prefix: string; filesDir: string } & Resolved {
  const s = secretsRenderer(o);
  return { ...s, objects: s.render(o.keystore) };
}
