/**
 * Reading values: the one place that turns files, experiment names and `--set` flags into layers,
 * and layers into typed, validated values. Later layers win:
 *   built-in defaults ← upstream checkout's chart values (`--from`) ← experiment overlay
 *   ← secrets values ← `-f` files ← `--set`.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { z } from 'zod';
import { didYouMean, IssueList, PandaError, type Issue } from '../core/errors.js';
import { lineOf, parseYaml, hasPath, tooLarge, YAML_LIMITS, type ParsedYaml } from '../core/yaml.js';
import { BUILTIN_EXPERIMENTS } from '../core/paths.js';
import { isPlainObject, mergeValues } from './merge.js';
import { applySet, SetSyntaxError, type SetKind } from './strvals.js';

const SET_FIX: Record<SetKind, string> = {
  set: 'write comma-separated key=value pairs, e.g. --set panda.server.replicaCount=2,a.list[0]=x (escape , . = [ with \\)',
  string: 'write comma-separated key=value pairs, e.g. --set-string panda.server.image.tag=1.10',
  json: 'write key=JSON, e.g. --set-json \'panda.server.nodeSelector={"disk":"ssd"}\', or a whole JSON object',
  file: 'write key=PATH, e.g. --set-file panda.server.config=server.cfg (PATH - is standard input)',
  literal: 'write key=VALUE; VALUE is taken verbatim',
};
import { knownKeysAt, topLevelKeys } from './schema.js';
import { decryptedFile, helmSecretsPath, sopsMetadata, SopsFormatError, type PendingSops } from './sops/index.js';

/**
 * What the loader needs to know about the values tree: its schema and the per-chart scopes
 * (component name → upstream chart directory). The registry provides it (src/render/values.ts).
 */
export interface ValuesModel<T = unknown> {
  schema: z.ZodType<T>;
  charts: readonly { component: string; chart: string }[];
}

/** Where a layer's content sits in the values tree: the root, `secrets`, or a component. */
type Scope = [] | [string];

export interface Layer {
  /** File path, or a description (`--set panda.server.replicaCount=2`). */
  source: string;
  /** An upstream chart's own values.yaml (`--from`): chart defaults, which Helm's `--set` does not see. */
  chartDefaults?: boolean;
  scope: Scope;
  /** The layer's content, already placed at its scope (a whole values tree). */
  tree: unknown;
  parsed?: ParsedYaml;
}

export interface ValuesSources {
  /** Experiment overlay name (`-e`). */
  experiment?: string;
  /** An upstream panda-k8s checkout: `secrets/values.yaml`, `helm/<c>/values.yaml`, `helm/<c>/values/values-<exp>.yaml`. */
  from?: string;
  /** Extra experiment directories, each holding `<experiment>/<component>.yaml`. */
  experimentDirs?: readonly string[];
  /** A secrets values file in upstream's `secrets/values.yaml` format. */
  secretsValues?: string;
  /** `-f` files: `path` (whole values tree) or `<component>=path` / `secrets=path` (upstream per-chart format). */
  files?: readonly string[];
  /** `--set key=value` expressions (Helm's syntax, values typed). */
  sets?: readonly string[];
  /** `--set-string`: as `--set`, every value a string. */
  setStrings?: readonly string[];
  /** `--set-json key=JSON` (or a whole JSON object). */
  setJsons?: readonly string[];
  /** `--set-file key=PATH`: the value is the file's content. */
  setFiles?: readonly string[];
  /** `--set-literal key=VALUE`: VALUE verbatim. */
  setLiterals?: readonly string[];
}

export interface FileSystem {
  readFile(p: string): string;
  /** Bytes, to refuse a file too large before reading it (when the file system can tell). */
  size?(p: string): number;
  exists(p: string): boolean;
  isDir(p: string): boolean;
  list(p: string): string[];
}

/** `-` names standard input, as in Helm (`-f -`, `--set-file k=-`): read once, then kept. */
export const STDIN = '-';
let stdinText: string | undefined;
function readStdin(): string {
  stdinText ??= fs.readFileSync(0, 'utf8');
  return stdinText;
}

export const nodeFs: FileSystem = {
  readFile: (p) => (p === STDIN ? readStdin() : fs.readFileSync(p, 'utf8')),
  // standard input has no size before it is read: parseYaml checks its length
  size: (p) => (p === STDIN ? 0 : fs.statSync(p).size),
  exists: (p) => p === STDIN || fs.existsSync(p),
  isDir: (p) => {
    if (p === STDIN) return false;
    try {
      return fs.statSync(p).isDirectory();
    } catch {
      return false;
    }
  },
  list: (p) => fs.readdirSync(p),
};

/** Experiments available: built-in ones and those in the given directories / upstream checkout. */
export function listExperiments(model: ValuesModel, src: ValuesSources, io: FileSystem = nodeFs): string[] {
  const names = new Set<string>();
  for (const dir of [BUILTIN_EXPERIMENTS, ...(src.experimentDirs ?? [])]) {
    if (!io.isDir(dir)) continue;
    for (const n of io.list(dir)) if (io.isDir(path.join(dir, n))) names.add(n);
  }
  if (src.from) {
    for (const { chart } of model.charts) {
      const dir = path.join(src.from, 'helm', chart, 'values');
      if (!io.isDir(dir)) continue;
      for (const f of io.list(dir)) {
        const m = /^values-(.+)\.ya?ml$/.exec(f);
        if (m) names.add(m[1]!);
      }
    }
  }
  return [...names].sort();
}

/**
 * The components an experiment deploys: those it has an overlay for (built-in, `--experiment-dir`
 * or the `--from` checkout's `helm/<chart>/values/values-<exp>.yaml`), in registry order, as
 * upstream's experiments are defined (spec §4.2). Without an experiment: undefined (every component).
 */
export function experimentComponents(model: ValuesModel, src: ValuesSources, io: FileSystem = nodeFs): string[] | undefined {
  if (!src.experiment) return undefined;
  const dirs = [BUILTIN_EXPERIMENTS, ...(src.experimentDirs ?? [])].map((d) => path.join(d, src.experiment!));
  return model.charts
    .filter(
      ({ component: c, chart }) =>
        dirs.some((d) => io.exists(path.join(d, `${c}.yaml`)) || io.exists(path.join(d, `${c}.yml`))) ||
        (src.from !== undefined && io.exists(path.join(src.from, 'helm', chart, 'values', `values-${src.experiment}.yaml`))),
    )
    .map(({ component }) => component);
}

export interface ReadOptions {
  /**
   * Collects the sops-encrypted files that are not decrypted yet, instead of reporting them
   * (the first of the two reads the command line does: see `decryptInputs`).
   */
  pendingSops?: PendingSops[];
}

/** Only a file that mentions sops or holds an encrypted value can be a sops file. */
const MAYBE_SOPS = /\bsops\b|ENC\[AES256_GCM,/;

function readLayer(spec: string, scope: Scope, io: FileSystem, issues: IssueList, what: string, ro: ReadOptions = {}): Layer | undefined {
  const hs = helmSecretsPath(spec);
  if ('unsupported' in hs) {
    issues.add({ where: what, message: `helm-secrets' ${hs.unsupported}:// form is not supported`, fix: 'write secrets://FILE and provide the key as sops finds it (SOPS_AGE_KEY_FILE, SOPS_AGE_KEY, gpg)' });
    return undefined;
  }
  const file = hs.path;
  if (!io.exists(file)) {
    issues.add({ where: what, message: `file not found: ${file}`, fix: 'check the path (relative paths are taken from the current directory)' });
    return undefined;
  }
  if (io.isDir(file)) {
    issues.add({ where: what, message: `${file} is a directory, not a values file`, fix: 'name a YAML file' });
    return undefined;
  }
  const bytes = io.size?.(file) ?? 0;
  if (bytes > YAML_LIMITS.maxBytes) {
    for (const i of tooLarge(file, bytes).issues) issues.add({ ...i, where: what });
    return undefined;
  }
  const text = io.readFile(file);
  // the first read only looks for sops files
  if (ro.pendingSops && !MAYBE_SOPS.test(text)) return { source: file, scope, tree: {} };
  // a sops file decrypted by the first read: its tree, and the file as it parsed then
  const done = MAYBE_SOPS.test(text) ? decryptedFile(file, text) : undefined;
  if (done?.parsed) return { source: file, scope, tree: placeAt(scope, done.tree), parsed: done.parsed };
  let parsed: ParsedYaml;
  try {
    parsed = parseYaml(text, file);
  } catch (e) {
    if (e instanceof PandaError) {
      for (const i of e.issues) issues.add(i);
      return undefined;
    }
    throw e;
  }
  let value = parsed.value;
  if (value === null || value === undefined) value = {};
  if (!isPlainObject(value)) {
    issues.add({ where: what, file, line: 1, message: 'a values file must hold a mapping at its top level', fix: 'write `key: value` pairs' });
    return undefined;
  }
  let meta;
  try {
    meta = sopsMetadata(value);
  } catch (e) {
    if (!(e instanceof SopsFormatError)) throw e;
    issues.add({ where: what, file, message: e.message, fix: e.fix });
    return undefined;
  }
  if (meta) {
    const plain = done?.tree;
    if (plain) value = plain;
    else if (ro.pendingSops) {
      ro.pendingSops.push({ file, what, text, doc: parsed.doc, meta, parsed });
      value = {};
    } else {
      issues.add({ where: what, file, message: 'is sops-encrypted and was not decrypted', fix: 'read it through the panda-k8s command line, which decrypts sops files, or decrypt it first (decryptInputs)' });
      return undefined;
    }
  }
  return { source: file, scope, tree: placeAt(scope, value as Record<string, unknown>), parsed };
}

/**
 * Put a per-chart file's content at its place. Its `global.secret` is the stack's one Secret
 * prefix and goes to the top; any other `global` key belongs to that chart alone (upstream's
 * globals are per chart: bigmon's `global.existingTlsSecret` is not panda's) and goes to
 * `<chart>.global`.
 */
function placeAt(scope: Scope, value: Record<string, unknown>): unknown {
  if (scope.length === 0) return value;
  const { global, ...rest } = value;
  const tree: Record<string, unknown> = { [scope[0]]: rest };
  if (scope[0] === 'secrets' || global === undefined) return tree;
  if (!isPlainObject(global)) {
    tree.global = global;
    return tree;
  }
  const { secret, ...own } = global;
  if (secret !== undefined) tree.global = { secret };
  if (Object.keys(own).length) rest.global = own;
  return tree;
}

/** Read every layer the sources name. All problems are reported together. */
export function readLayers(model: ValuesModel, src: ValuesSources, io: FileSystem = nodeFs, ro: ReadOptions = {}): Layer[] {
  const issues = new IssueList();
  // `-f <chart>=FILE`: a component's name or its upstream chart directory, or `secrets`
  const scopes = new Map<string, string>([['secrets', 'secrets']]);
  for (const { component, chart } of model.charts) scopes.set(component, component).set(chart, component);
  const layers: Layer[] = [];
  const push = (l: Layer | undefined) => l && layers.push(l);

  if (src.from) {
    if (!io.isDir(src.from)) issues.add({ where: '--from', message: `not a directory: ${src.from}`, fix: 'point --from at an upstream panda-k8s checkout' });
    else
      for (const { component, chart } of model.charts) {
        const f = path.join(src.from, 'helm', chart, 'values.yaml');
        if (io.exists(f)) {
          const l = readLayer(f, [component], io, issues, '--from', ro);
          if (l) push({ ...l, chartDefaults: true });
        }
      }
  }

  if (src.experiment) {
    const dirs = [BUILTIN_EXPERIMENTS, ...(src.experimentDirs ?? [])].map((d) => path.join(d, src.experiment!));
    let found = dirs.some((d) => io.isDir(d));
    for (const { component: c, chart } of model.charts) {
      for (const d of dirs) {
        for (const ext of ['yaml', 'yml']) {
          const f = path.join(d, `${c}.${ext}`);
          if (io.exists(f)) push(readLayer(f, [c], io, issues, `--experiment ${src.experiment}`, ro));
        }
      }
      if (src.from) {
        const f = path.join(src.from, 'helm', chart, 'values', `values-${src.experiment}.yaml`);
        if (io.exists(f)) {
          found = true;
          push(readLayer(f, [c], io, issues, `--experiment ${src.experiment}`, ro));
        }
      }
    }
    if (!found) {
      const known = listExperiments(model, src, io);
      const guess = didYouMean(src.experiment, known);
      issues.add({
        where: '--experiment',
        message: `unknown experiment ${JSON.stringify(src.experiment)}${guess ? ` (did you mean ${JSON.stringify(guess)}?)` : ''}`,
        fix: `use one of: ${known.join(', ') || '(none)'}; or add your own with --experiment-dir DIR holding ${src.experiment}/<component>.yaml`,
      });
    }
  }

  const secretsFile = src.secretsValues ?? (src.from ? path.join(src.from, 'secrets', 'values.yaml') : undefined);
  if (secretsFile) push(readLayer(secretsFile, ['secrets'], io, issues, '--secrets-values', ro));

  for (const spec of src.files ?? []) {
    const eq = spec.indexOf('=');
    const scopeName = eq > 0 ? spec.slice(0, eq) : undefined;
    const scope = scopeName !== undefined ? scopes.get(scopeName) : undefined;
    if (scope !== undefined) {
      push(readLayer(spec.slice(eq + 1), [scope], io, issues, `-f ${spec}`, ro));
    } else if (scopeName !== undefined && !io.exists(spec) && /^[a-z][-a-z]*$/.test(scopeName)) {
      const guess = didYouMean(scopeName, [...scopes.keys()]);
      issues.add({
        where: `-f ${spec}`,
        message: `unknown chart ${JSON.stringify(scopeName)}${guess ? ` (did you mean ${JSON.stringify(guess)}?)` : ''}`,
        fix: `write -f <chart>=FILE with chart one of ${[...new Set(scopes.keys())].join(', ')}, or -f FILE for a whole values tree`,
      });
    } else push(readLayer(spec, [], io, issues, `-f ${spec}`, ro));
  }

  // Helm's order: --set-json, --set, --set-string, --set-file, --set-literal, each onto what came before
  const sets: [SetKind, string, readonly string[] | undefined][] = [
    ['json', '--set-json', src.setJsons],
    ['set', '--set', src.sets],
    ['string', '--set-string', src.setStrings],
    ['file', '--set-file', src.setFiles],
    ['literal', '--set-literal', src.setLiterals],
  ];
  if (sets.some(([, , l]) => l?.length)) {
    let base: unknown = {};
    for (const l of layers) if (!l.chartDefaults) base = mergeValues(base, l.tree);
    const setTree: Record<string, unknown> = {};
    const readFile = (flag: string) => (p: string) => {
      if (!io.exists(p) || io.isDir(p)) throw new SetSyntaxError(`file not found: ${p}`);
      return io.readFile(p);
    };
    for (const [kind, flag, exprs] of sets)
      for (const expr of exprs ?? []) {
        try {
          applySet(expr, kind, setTree, { base, readFile: readFile(flag) });
        } catch (e) {
          if (!(e instanceof SetSyntaxError)) throw e;
          issues.add({ where: `${flag} ${expr}`, message: e.message, fix: SET_FIX[kind] });
        }
      }
    layers.push({ source: '--set', scope: [], tree: setTree });
  }

  issues.throwIfAny('cannot read values');
  return layers;
}

/** Find the file and line that set `path` (last layer wins), for messages. */
function locate(layers: readonly Layer[], p: readonly PropertyKey[]): { file?: string; line?: number } {
  const keys = p.map((k) => (typeof k === 'symbol' ? String(k) : k)) as (string | number)[];
  for (let i = layers.length - 1; i >= 0; i--) {
    const l = layers[i]!;
    if (!l.parsed) {
      if (l.source === '--set') return { file: '--set' };
      continue;
    }
    let inner: (string | number)[] | undefined;
    if (l.scope.length === 0) inner = keys;
    else if (keys[0] === l.scope[0]) inner = keys.slice(1);
    else if (keys[0] === 'global' && l.scope[0] !== 'secrets') inner = keys;
    if (!inner) continue;
    for (let n = inner.length; n >= 0; n--) {
      const sub = inner.slice(0, n);
      if (n === 0 || hasPath(l.parsed, sub)) {
        if (n === 0 && inner.length > 0) break;
        const line = lineOf(l.parsed, sub);
        return { file: l.source, ...(line ? { line } : {}) };
      }
    }
  }
  return {};
}

function pathString(p: readonly PropertyKey[]): string {
  return p.map((k, i) => (typeof k === 'number' ? `[${k}]` : `${i ? '.' : ''}${String(k)}`)).join('') || '(top level)';
}

/** Turn zod's issues into ours: key path, file:line, message, fix (with did-you-mean). */
export function explain(model: ValuesModel, zerr: z.ZodError, layers: readonly Layer[]): Issue[] {
  const out: Issue[] = [];
  for (const zi of zerr.issues) {
    if (zi.code === 'unrecognized_keys') {
      const known = zi.path.length === 0 ? topLevelKeys(model.schema) : knownKeysAt(model.schema, zi.path);
      for (const k of zi.keys) {
        const full = [...zi.path, k];
        const guess = didYouMean(k, known);
        out.push({
          where: pathString(full),
          ...locate(layers, full),
          message: `unknown key ${JSON.stringify(k)}${guess ? ` (did you mean ${JSON.stringify(guess)}?)` : ''}`,
          fix: guess ? `rename it to ${JSON.stringify(guess)}` : `remove it; known keys here: ${known.join(', ')}`,
        });
      }
      continue;
    }
    let message = zi.message;
    let fix: string | undefined;
    if (zi.code === 'invalid_type') {
      const got = zi.message.match(/received (\w+)/)?.[1];
      message = `expected ${zi.expected}${got ? `, got ${got}` : ''}`;
      fix = zi.expected === 'string' ? 'quote the value' : `give a ${zi.expected}`;
    } else if (zi.code === 'invalid_value') {
      fix = `use one of: ${(zi.values as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
    } else if (zi.code === 'invalid_union') {
      // the types the alternatives expected (e.g. an image tag: a string or an integer)
      const expected = [...new Set(zi.errors.flat().flatMap((e) => (e.code === 'invalid_type' ? [e.expected as string] : [])))];
      const got = zi.errors.flat().map((e) => e.message.match(/received (\w+)/)?.[1]).find(Boolean);
      message = expected.length ? `expected ${expected.join(' or ')}${got ? `, got ${got}` : ''}` : 'value has the wrong type';
      fix = !expected.length || expected.includes('string') ? 'quote the value' : `give a ${expected.join(' or ')}`;
    }
    out.push({ where: pathString(zi.path), ...locate(layers, zi.path), message, ...(fix ? { fix } : {}) });
  }
  return secretsFileHint(model, zerr, layers, out);
}

/**
 * A secrets values file given as a values tree (`-f secrets/values.yaml`, as `helm install
 * panda-secrets secrets/ -f` takes it): when every unknown key of a file is a key of `secrets`
 * at the same place, one issue naming the flag that takes it replaces the file's issues.
 */
function secretsFileHint(model: ValuesModel, zerr: z.ZodError, layers: readonly Layer[], issues: Issue[]): Issue[] {
  const verdict = new Map<string, boolean>();
  for (const zi of zerr.issues) {
    if (zi.code !== 'unrecognized_keys') continue;
    for (const k of zi.keys) {
      const file = locate(layers, [...zi.path, k]).file;
      if (!file || !layers.some((l) => l.source === file && l.scope.length === 0)) continue;
      const secretsKnows = knownKeysAt(model.schema, ['secrets', ...zi.path]).includes(k);
      verdict.set(file, (verdict.get(file) ?? true) && secretsKnows);
    }
  }
  const secretsFiles = [...verdict].filter(([, v]) => v).map(([f]) => f);
  if (!secretsFiles.length) return issues;
  return [
    ...secretsFiles.map((file) => ({
      where: `-f ${file}`,
      file,
      message: 'is a secrets values file (its keys are those of secrets:), not a values tree',
      fix: `pass it as --secrets-values ${file} or -f secrets=${file}; under \`panda-k8s secrets install\`, -f ${file} takes it as is`,
    })),
    ...issues.filter((i) => !i.file || !secretsFiles.includes(i.file)),
  ];
}

/** Merge the layers and validate them against the schema: typed values, or every problem at once. */
export function resolveValues<T>(model: ValuesModel<T>, layers: readonly Layer[]): T {
  let tree: unknown = {};
  for (const l of layers) tree = mergeValues(tree, l.tree);
  const r = model.schema.safeParse(tree);
  if (!r.success) throw new PandaError('invalid values', explain(model, r.error, layers));
  return r.data;
}

