/**
 * What Argo CD hands a config-management plugin, read into render options: the Application's
 * plugin env (`ARGOCD_ENV_<NAME>`), its plugin parameters (`ARGOCD_APP_PARAMETERS`, JSON), the
 * destination namespace (`ARGOCD_APP_NAMESPACE`) and the repository checkout (the working
 * directory: relative paths are read from it), and the two `argocd` actions.
 */
import fs from 'node:fs';
import path from 'node:path';
import { ExitCode, PandaError, type Issue } from '../core/errors.js';
import { toYamlStream } from '../core/emit.js';
import { renderStackFor } from '../ops/inputs.js';
import { applications, withSyncWaves } from '../plan/argocd.js';
import type { RenderOptions } from '../render/inputs.js';
import type { Flags } from './flags.js';
import { err, out, warnIgnored } from './output.js';

export interface PluginInputs extends RenderOptions {
  namespace: string;
  allowPlaceholders: boolean;
}

/** The inputs the plugin reads, by parameter name (env: upper case, `-` as `_`). */
const LISTS = ['enable', 'disable', 'values', 'set', 'experiment-dir', 'sandbox-dir'] as const;
const SCALARS = ['experiment', 'affix', 'from', 'secrets-values', 'allow-placeholders'] as const;
type Name = (typeof LISTS)[number] | (typeof SCALARS)[number];
const envName = (n: Name) => `ARGOCD_ENV_${n.toUpperCase().replace(/-/g, '_')}`;

interface Parameter {
  name?: string;
  string?: string;
  array?: string[];
  map?: Record<string, string>;
}

/** An env list: `set` one item per line (values may hold commas), the others comma- or newline-separated. */
function splitEnv(name: Name, v: string): string[] {
  return v
    .split(name === 'set' ? /\n/ : /[,\n]/)
    .map((s) => s.trim())
    .filter(Boolean);
}

export function pluginInputs(env: Readonly<Record<string, string | undefined>>, cwd: string): PluginInputs {
  const issues: Issue[] = [];
  const got = new Map<Name, string | string[]>();
  for (const n of [...LISTS, ...SCALARS]) {
    const v = env[envName(n)];
    if (v === undefined || v === '') continue;
    got.set(n, (LISTS as readonly string[]).includes(n) ? splitEnv(n, v) : v.trim());
  }
  const raw = env.ARGOCD_APP_PARAMETERS;
  if (raw) {
    let params: Parameter[] = [];
    try {
      params = JSON.parse(raw) as Parameter[];
      if (!Array.isArray(params)) throw new Error('not a list');
    } catch (e) {
      issues.push({ where: 'ARGOCD_APP_PARAMETERS', message: `cannot read it as JSON: ${(e as Error).message}`, fix: 'Argo CD sets it from spec.source.plugin.parameters; check their syntax' });
    }
    for (const p of params) {
      const n = p.name as Name;
      if (![...LISTS, ...SCALARS].includes(n)) {
        issues.push({ where: `parameter ${JSON.stringify(p.name)}`, message: 'unknown parameter', fix: `use one of: ${[...SCALARS, ...LISTS].join(', ')}` });
        continue;
      }
      const list = (LISTS as readonly string[]).includes(n);
      if (list) {
        const items = p.array ?? (p.map ? Object.entries(p.map).map(([k, v]) => (n === 'set' ? `${k}=${v}` : v)) : p.string !== undefined ? splitEnv(n, p.string) : []);
        got.set(n, items);
      } else if (p.string !== undefined) got.set(n, p.string.trim());
      else issues.push({ where: `parameter ${n}`, message: 'takes a string', fix: `write it as { name: ${n}, string: ... }` });
    }
  }
  const scalar = (n: Name) => got.get(n) as string | undefined;
  const list = (n: Name) => (got.get(n) as string[] | undefined) ?? [];
  const inRepo = (p: string) => (path.isAbsolute(p) ? p : path.resolve(cwd, p));
  for (const n of ['enable', 'disable'] as const) if (got.has(n) && !list(n).length) issues.push({ where: envName(n), message: 'is empty, which selects nothing', fix: 'name components (e.g. panda,harvester) or leave it out to deploy all' });
  const allow = scalar('allow-placeholders');
  if (allow !== undefined && !['true', 'false'].includes(allow)) issues.push({ where: envName('allow-placeholders'), message: `${JSON.stringify(allow)} is not true or false`, fix: 'write true or false' });
  if (issues.length) throw new PandaError('the Argo CD plugin inputs are invalid; nothing was printed', issues);
  const from = scalar('from');
  const secretsValues = scalar('secrets-values');
  return {
    ...(scalar('experiment') ? { experiment: scalar('experiment')! } : {}),
    ...(scalar('affix') !== undefined ? { affix: scalar('affix')! } : {}),
    enable: list('enable'),
    disable: list('disable'),
    // chart=FILE keeps its chart, the file is in the checkout
    files: list('values').map((f) => {
      const i = f.indexOf('=');
      return i > 0 && !f.slice(0, i).includes('/') ? `${f.slice(0, i)}=${inRepo(f.slice(i + 1))}` : inRepo(f);
    }),
    sets: list('set'),
    ...(from ? { from: inRepo(from) } : {}),
    ...(secretsValues ? { secretsValues: inRepo(secretsValues) } : {}),
    experimentDirs: list('experiment-dir').map(inRepo),
    sandboxDirs: list('sandbox-dir').map(inRepo),
    namespace: env.ARGOCD_APP_NAMESPACE || 'default',
    allowPlaceholders: allow === 'true',
  };
}

/** `argocd generate`: what the command line gives wins over the plugin env and parameters. */
export async function argocdGenerateAction(opts: RenderOptions, f: Flags): Promise<number> {
  const env = pluginInputs(process.env, process.cwd());
  const pick = <T>(a: readonly T[] | undefined, b: readonly T[] | undefined) => (a?.length ? a : (b ?? []));
  const merged: RenderOptions = {
    ...env,
    ...(opts.affix !== undefined ? { affix: opts.affix } : {}),
    ...(opts.experiment ? { experiment: opts.experiment } : {}),
    ...(opts.from ? { from: opts.from } : {}),
    ...(opts.secretsValues ? { secretsValues: opts.secretsValues } : {}),
    enable: pick(opts.enable, env.enable),
    disable: pick(opts.disable, env.disable),
    files: pick(opts.files, env.files),
    sets: pick(opts.sets, env.sets),
    experimentDirs: pick(opts.experimentDirs, env.experimentDirs),
    sandboxDirs: pick(opts.sandboxDirs, env.sandboxDirs),
  };
  const namespace = f.namespace ? String(f.namespace) : env.namespace;
  // sops-encrypted files named only by the plugin env (the command line's are decrypted already)
  if (merged.secretsValues !== opts.secretsValues || merged.from !== opts.from || merged.files !== opts.files) {
    const { decryptInputs } = await import('../render/inputs.js');
    await decryptInputs(merged);
  }
  const rendered = renderStackFor({ ...merged, namespace }, { refusePlaceholders: true, allowPlaceholders: !!f.allowPlaceholders || env.allowPlaceholders });
  warnIgnored(rendered.ignored);
  out(toYamlStream(withSyncWaves(rendered, namespace)));
  return ExitCode.ok;
}

/** `argocd apps`: the Applications, printed or written one file each. */
export function argocdAppsAction(opts: RenderOptions, f: Flags): number {
  const rendered = renderStackFor({ ...opts, namespace: String(f.namespace ?? 'default') });
  warnIgnored(rendered.ignored);
  const env: Record<string, string> = {
    ...(opts.experiment ? { EXPERIMENT: opts.experiment } : {}),
    AFFIX: rendered.affix.value,
    ...(opts.disable?.length ? { DISABLE: opts.disable.join(',') } : {}),
    ...(opts.files?.length ? { VALUES: opts.files.join(',') } : {}),
    ...(opts.sets?.length ? { SET: opts.sets.join('\n') } : {}),
    ...(opts.from ? { FROM: opts.from } : {}),
    ...(opts.secretsValues ? { SECRETS_VALUES: opts.secretsValues } : {}),
    ...(opts.experimentDirs?.length ? { EXPERIMENT_DIR: opts.experimentDirs.join(',') } : {}),
    ...(opts.sandboxDirs?.length ? { SANDBOX_DIR: opts.sandboxDirs.join(',') } : {}),
  };
  const apps = applications(
    {
      components: rendered.components.map((c) => c.name),
      mode: f.mode === 'single' ? 'single' : 'per-component',
      prefix: String(f.prefix ?? 'panda-'),
      repoURL: String(f.repo),
      targetRevision: String(f.revision ?? 'HEAD'),
      path: String(f.path ?? '.'),
      env,
      project: String(f.project ?? 'default'),
      argocdNamespace: String(f.argocdNamespace ?? 'argocd'),
      destinationServer: String(f.destServer ?? 'https://kubernetes.default.svc'),
      destinationNamespace: String(f.namespace ?? 'default'),
      automated: f.automated !== false,
    },
    rendered.objects,
  );
  if (!f.outputDir) {
    out(toYamlStream(apps));
    return ExitCode.ok;
  }
  fs.mkdirSync(String(f.outputDir), { recursive: true });
  for (const a of apps) {
    const file = path.join(String(f.outputDir), `${a.metadata.name}.yaml`);
    fs.writeFileSync(file, toYamlStream([a]));
    err(`wrote ${file}\n`);
  }
  return ExitCode.ok;
}
