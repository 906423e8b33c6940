/**
 * The option groups commands are made of. A command declares exactly the groups it reads, so a
 * flag it does not use is an unknown option (exit 2), never accepted and ignored. Options that
 * only matter in one mode of a command (e.g. the cluster options of `install` under `-t`) declare
 * what they conflict with.
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import type { RenderOptions, SecretsOptions } from '../render/inputs.js';

export type Flags = Record<string, unknown>;

/** A comma-separated list; an empty item (`-c ""`, `-c ,`, `-c a,`) is an error, never "everything". */
export const list = (v: string, prev: string[] = []) => {
  const items = v.split(',').map((s) => s.trim());
  if (items.some((s) => !s)) throw new InvalidArgumentError(`${JSON.stringify(v)} has an empty item, which selects nothing; name components (e.g. panda,harvester) or leave the option out to process all`);
  return [...prev, ...items];
};
/** A repeatable option: every occurrence, in order. */
export const many = (v: string, prev: string[] = []) => [...prev, v];

/** `-a/--affix`. */
export function affixOption(cmd: Command, help = 'instance affix: "name-" is a prefix, "-name" a suffix (default: affix in the secrets values, else "test-")'): Command {
  return cmd.option('-a, --affix <affix>', help);
}

/** `-c/--enable`, `-d/--disable`. */
export function selectionOptions(cmd: Command): Command {
  return cmd
    .option('-c, --enable <list>', 'components to process, comma-separated, in order (default: all)', list)
    .option('-d, --disable <list>', 'components or component.sub-components to leave out, comma-separated (e.g. panda.jedi,harvester)', list);
}

/** `-e/--experiment`, `--experiment-dir`. */
export function experimentOptions(cmd: Command): Command {
  return cmd
    .option('-e, --experiment <name>', 'experiment overlay (built in: see `panda-k8s experiments`; more with --experiment-dir or --from)')
    .option('--experiment-dir <dir>', 'directory of your own experiments, <experiment>/<component>.yaml; repeatable', many);
}

/** Helm's `--set` family, in the order Helm applies them. */
function setOptions(cmd: Command, example: string): Command {
  return cmd
    .option('--set <key=value>', `set values as Helm does, repeatable: comma-separated pairs, a.b[0]=x, {a,b} lists, \\ escapes; typed (e.g. --set ${example})`, many)
    .option('--set-string <key=value>', 'as --set, every value a string; repeatable', many)
    .option('--set-json <key=json>', 'set a value from JSON (key=JSON, or a whole JSON object); repeatable', many)
    .option('--set-file <key=path>', 'set a value to the content of a file (- is standard input); repeatable', many)
    .option('--set-literal <key=value>', 'set one value verbatim (commas and backslashes kept); repeatable', many);
}

/** Where values come from: `-f`, the `--set` family, `--from`, `--secrets-values`. */
export function valuesOptions(cmd: Command): Command {
  return setOptions(cmd.option('-f, --values <file>', 'values file (- is standard input), repeatable, later wins; "<chart>=FILE" takes an upstream per-chart file (chart: a component or "secrets")', many), 'panda.server.replicaCount=2')
    .option('--from <dir>', 'an upstream panda-k8s checkout: reads secrets/values.yaml and helm/<component>/values[/values-<exp>].yaml')
    .option('--secrets-values <file>', 'secrets values file in upstream format, repeatable, later wins (default: ./secrets/values.yaml when present)', many);
}

/**
 * The values of the secrets lifecycle, as `helm install panda-secrets secrets/` takes them: `-f`
 * files are secrets values files (merged in order, after `--secrets-values`); no experiment, no
 * component files.
 */
export function secretsValuesOptions(cmd: Command): Command {
  return setOptions(
    cmd
      .option('-f, --values <file>', 'secrets values file in upstream format (as helm install panda-secrets secrets/ -f takes it; - is standard input); repeatable, later wins', many)
      .option('--secrets-values <file>', 'secrets values file in upstream format, repeatable, later wins (default: ./secrets/values.yaml when present)', many),
    'secrets.iam.database.password=...',
  )
    .option('--from <dir>', 'an upstream panda-k8s checkout: reads secrets/values.yaml')
    .option('--secrets-dir <dir>', 'secrets files directory: panda_certs/, harvester_certs/, idds_certs/, iam_conf/ (default: files/ beside the secrets values, else built-in)');
}

/** `--sandbox-dir`. */
export function sandboxOptions(cmd: Command): Command {
  return cmd.option('--sandbox-dir <dir>', 'your own sandbox files, <component>/<set>/<file>, overlaid on the built-in ones; repeatable', many);
}

/** Every option that renders the stack: affix, experiment, selection, values, sandbox. */
export function stackOptions(cmd: Command): Command {
  return sandboxOptions(valuesOptions(selectionOptions(experimentOptions(affixOption(cmd)))));
}

/** The options (attribute names) that say how to reach the cluster; the namespace aside. */
export const CONNECTION_OPTIONS: readonly string[] = ['kubeconfig', 'kubeContext', 'requestTimeout', 'connectTimeout'];

export function clusterOptions(cmd: Command, o: { namespaceHelp?: string } = {}): Command {
  return cmd
    .option('--kubeconfig <file>', 'kubeconfig file (default: $KUBECONFIG or ~/.kube/config)')
    .option('--context, --kube-context <name>', 'kubeconfig context (default: the current context)')
    .option('-n, --namespace <ns>', o.namespaceHelp ?? 'namespace (default: the context\'s namespace, else "default"); it must exist')
    .option('--request-timeout <duration>', 'give up on one API request after this long (like kubectl; e.g. 30s, 2m)', '30s')
    .option('--connect-timeout <duration>', 'give up connecting (TCP and TLS) to the API server after this long', '10s');
}

export type OutputFormat = 'text' | 'json' | 'yaml' | 'name';

/** `-o/--output`: text tables by default; json and yaml print the versioned report; name the objects. */
export function outputOption(cmd: Command, formats: readonly OutputFormat[] = ['text', 'json', 'yaml', 'name'], dflt: OutputFormat = formats[0]!): Command {
  return cmd.addOption(new Option('-o, --output <format>', 'output format').choices(formats).default(dflt));
}

/** A `--set` option's expressions as they were given. */
function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.map(String) : [];
}

/**
 * The secrets values files: the first `--secrets-values` is the secrets file (its affix, its
 * files/ directory); the others, then (under `secrets`) the `-f` files, layer over it in order.
 */
function secretsFiles(f: Flags, valuesAreSecrets: boolean): { first?: string; more: string[] } {
  const all = [...strings(f.secretsValues), ...(valuesAreSecrets ? strings(f.values) : [])];
  const [first, ...rest] = all;
  return { ...(first !== undefined ? { first } : {}), more: rest.map((x) => (x.startsWith('secrets=') ? x : `secrets=${x}`)) };
}

export function toRenderOptions(f: Flags, o: { valuesAreSecrets?: boolean } = {}): RenderOptions {
  const secrets = secretsFiles(f, !!o.valuesAreSecrets);
  return {
    ...(f.affix !== undefined ? { affix: String(f.affix) } : {}),
    ...(f.experiment ? { experiment: String(f.experiment) } : {}),
    enable: strings(f.enable),
    disable: strings(f.disable),
    files: [...secrets.more, ...(o.valuesAreSecrets ? [] : strings(f.values))],
    sets: strings(f.set),
    setStrings: strings(f.setString),
    setJsons: strings(f.setJson),
    setFiles: strings(f.setFile),
    setLiterals: strings(f.setLiteral),
    ...(f.from ? { from: String(f.from) } : {}),
    ...(secrets.first !== undefined ? { secretsValues: secrets.first } : {}),
    experimentDirs: strings(f.experimentDir),
    sandboxDirs: strings(f.sandboxDir),
    ...(f.namespace ? { namespace: String(f.namespace) } : {}),
  };
}

/** Options of a secrets command (`-f` files are secrets values files). */
export function toSecretsOptions(f: Flags): SecretsOptions {
  return { ...toRenderOptions(f, { valuesAreSecrets: true }), ...(f.secretsDir ? { secretsDir: String(f.secretsDir) } : {}) };
}
