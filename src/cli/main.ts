/**
 * The command line. The only module that reads argv and sets the exit code; everything it runs
 * throws PandaError on failure, which the one handler at the bottom turns into a message and code.
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import { ExitCode, formatError, PandaError } from '../core/errors.js';
import { toYamlStream } from '../core/yaml.js';
import type { RenderOptions, SecretsOptions } from '../render/inputs.js';
import { err, out, warnIgnored, warnMissing, warnPlaceholders } from './output.js';
import { redactSecrets } from './redact.js';

import { VERSION } from '../core/version.js';
let commandExit: number = ExitCode.ok;
/** Wrap an action so its exit code reaches the top-level handler. */
function act<A extends unknown[]>(fn: (...a: A) => Promise<number | void>): (...a: A) => Promise<void> {
  return async (...a: A) => {
    const code = await fn(...a);
    if (typeof code === 'number') commandExit = code;
  };
}
/** A comma-separated list; an empty item (`-c ""`, `-c ,`, `-c a,`) is an error, never "everything". */
const list = (v: string, prev: string[] = []) => {
  const items = v.split(',').map((s) => s.trim());
  if (items.some((s) => !s)) throw new InvalidArgumentError(`${JSON.stringify(v)} has an empty item, which selects nothing; name components (e.g. panda,harvester) or leave the option out to process all`);
  return [...prev, ...items];
};
const many = (v: string, prev: string[] = []) => [...prev, v];

interface ValuesFlags {
  affix?: string;
  experiment?: string;
  enable?: string[];
  disable?: string[];
  values?: string[];
  set?: string[];
  from?: string;
  secretsValues?: string;
  experimentDir?: string[];
  sandboxDir?: string[];
}

function valuesOptions(cmd: Command, withSelection = true): Command {
  cmd
    .option('-a, --affix <affix>', 'instance affix: "name-" is a prefix, "-name" a suffix (default: affix in the secrets values, else "test-")')
    .option('-e, --experiment <name>', 'experiment overlay (built in: lsst, sphenix; more with --experiment-dir or --from)')
    .option('-f, --values <file>', 'values file, repeatable; "<chart>=FILE" takes an upstream per-chart file (chart: a component or "secrets")', many)
    .option('--set <key=value>', 'set one value, repeatable (e.g. --set panda.server.replicaCount=2)', many)
    .option('--from <dir>', 'an upstream panda-k8s checkout: reads secrets/values.yaml and helm/<component>/values[/values-<exp>].yaml')
    .option('--secrets-values <file>', 'secrets values file in upstream format (default: ./secrets/values.yaml when present)')
    .option('--experiment-dir <dir>', 'directory of your own experiments, <experiment>/<component>.yaml; repeatable', many)
    .option('--sandbox-dir <dir>', 'your own sandbox files, <component>/<set>/<file>, overlaid on the built-in ones; repeatable', many);
  if (withSelection)
    cmd
      .option('-c, --enable <list>', 'components to process, comma-separated, in order (default: all)', list)
      .option('-d, --disable <list>', 'components or component.sub-components to leave out, comma-separated (e.g. panda.jedi,harvester)', list);
  return cmd;
}

function clusterOptions(cmd: Command): Command {
  return cmd
    .option('--kubeconfig <file>', 'kubeconfig file (default: $KUBECONFIG or ~/.kube/config)')
    .option('--context <name>', 'kubeconfig context')
    .option('-n, --namespace <ns>', 'namespace (default: the context\'s namespace, else "default"); it must exist')
    .option('--request-timeout <duration>', 'give up on one API request after this long (like kubectl; e.g. 30s, 2m)', '30s')
    .option('--connect-timeout <duration>', 'give up connecting (TCP and TLS) to the API server after this long', '10s');
}

function toRenderOptions(f: ValuesFlags): RenderOptions {
  return {
    ...(f.affix !== undefined ? { affix: f.affix } : {}),
    ...(f.experiment ? { experiment: f.experiment } : {}),
    enable: f.enable ?? [],
    disable: f.disable ?? [],
    files: f.values ?? [],
    sets: f.set ?? [],
    ...(f.from ? { from: f.from } : {}),
    ...(f.secretsValues ? { secretsValues: f.secretsValues } : {}),
    experimentDirs: f.experimentDir ?? [],
    sandboxDirs: f.sandboxDir ?? [],
  };
}

export function buildProgram(): Command {
  const program = new Command('panda-k8s')
    .description('Render and deploy the PanDA workload-management system on Kubernetes.')
    .version(VERSION)
    .showHelpAfterError('(run with --help for usage)')
    .addHelpText(
      'after',
      `
Exit codes: 0 success; 1 diff found changes, or a component did not become ready;
2 invalid input (nothing applied); 3 cluster unreachable or request refused;
4 not installed (status, uninstall); 5 the stack is locked by another install or uninstall;
130 interrupted.`,
    );

  // sops-encrypted values files are decrypted once, before any command reads its values
  program.hook('preAction', async (_program, command) => {
    if (!command.options.some((o) => o.attributeName() === 'secretsValues')) return;
    const { decryptInputs } = await import('../render/inputs.js');
    await decryptInputs(toRenderOptions(command.opts()));
  });

  const install = valuesOptions(new Command('install'))
    .description('install or upgrade components (with -t: print their manifests and touch no cluster)')
    .option('-t, --template', 'print the objects as multi-document YAML and touch no cluster');
  clusterOptions(install)
    .option('--timeout <duration>', 'how long to wait for each component to become ready (e.g. 300s, 10m)', '10m')
    .option('--no-wait', 'apply in tier order without waiting for readiness')
    .option('--prune-data', 'when pruning objects no longer rendered, also delete PVCs and PVs')
    .option('--allow-placeholders', 'install even though values still hold FIXME placeholders')
    .option('--show-secrets', 'with -t: print Secret values (redacted otherwise)')
    .option('--wait-for-lock <duration>', 'when another install or uninstall of the stack runs, wait this long for it (default: fail at once)')
    .option('--rollback-on-failure', 'when a component does not become ready, re-apply the newest revision that succeeded')
    .option('--history-max <n>', 'release records kept for the stack, the newest', '10')
    .addOption(new Option('-o, --output <format>', 'result format').choices(['text', 'json']).default('text'))
    .action(act(async (flags: ValuesFlags & Record<string, unknown>) => {
      const opts = toRenderOptions(flags);
      if (flags.template) {
        const { renderStackFor } = await import('../ops/inputs.js');
        const r = renderStackFor({ ...opts, namespace: String(flags.namespace ?? 'default') });
        const text = toYamlStream(flags.showSecrets ? r.objects : redactSecrets(r.objects));
        warnIgnored(r.ignored);
        warnMissing(r.missing);
        warnPlaceholders(r.placeholders);
        out(text);
        return;
      }
      const { installCommand } = await import('./commands.js');
      return installCommand(opts, flags);
    }));
  program.addCommand(install);

  const diff = clusterOptions(valuesOptions(new Command('diff')))
    .description('show what install would change (server-side dry run); exit 1 when something would')
    .addOption(new Option('-o, --output <format>', 'result format').choices(['text', 'json']).default('text'))
    .action(act(async (flags: ValuesFlags & Record<string, unknown>) => {
      const { diffCommand } = await import('./commands.js');
      return diffCommand(toRenderOptions(flags), flags);
    }));
  program.addCommand(diff);

  const status = clusterOptions(new Command('status'))
    .description('one table for the stack: component, sub-component, ready, images, age, last problem')
    .option('-a, --affix <affix>', 'instance affix (default: all panda-k8s instances in the namespace)')
    .addOption(new Option('-o, --output <format>', 'result format').choices(['text', 'json']).default('text'))
    .action(act(async (flags: Record<string, unknown>) => {
      const { statusCommand } = await import('./commands.js');
      return statusCommand(flags);
    }));
  program.addCommand(status);

  const uninstall = clusterOptions(new Command('uninstall'))
    .description('remove components in reverse tier order; keeps PVCs, PVs and the secrets unless --purge')
    .option('-a, --affix <affix>', 'instance affix (default: affix in the secrets values, else "test-")')
    .option('--secrets-values <file>', 'secrets values file, to read the affix from')
    .option('-c, --enable <list>', 'components to remove (default: all)', list)
    .option('--purge', 'also delete PVCs and PVs (data is lost)')
    .option('--timeout <duration>', 'how long to wait for each component to be gone', '5m')
    .option('--wait-for-lock <duration>', 'when another install or uninstall of the stack runs, wait this long for it (default: fail at once)')
    .option('--history-max <n>', 'release records kept for the stack, the newest', '10')
    .addOption(new Option('-o, --output <format>', 'result format').choices(['text', 'json']).default('text'))
    .action(act(async (flags: Record<string, unknown>) => {
      const { uninstallCommand } = await import('./commands.js');
      return uninstallCommand(flags);
    }));
  program.addCommand(uninstall);

  const stackOptions = (c: Command) =>
    clusterOptions(c)
      .option('-a, --affix <affix>', 'instance affix (default: affix in the secrets values, else "test-")')
      .option('--secrets-values <file>', 'secrets values file, to read the affix from');
  program.addCommand(
    stackOptions(new Command('history'))
      .description('the release records of the stack: revision, operation, outcome, who, when, inputs digest')
      .addOption(new Option('-o, --output <format>', 'result format').choices(['text', 'json']).default('text'))
      .action(act(async (flags: Record<string, unknown>) => {
        const { historyCommand } = await import('./commands.js');
        return historyCommand(flags);
      })),
  );
  const get = new Command('get').description('what a release record holds');
  for (const [what, description] of [
    ['values', 'the non-secret values of a revision (default: the newest installed one)'],
    ['manifest', 'the objects a revision applied, as rendered (default: the newest installed revision)'],
  ] as const)
    get.addCommand(
      stackOptions(new Command(what))
        .description(description)
        .option('--revision <n>', 'revision number (panda-k8s history lists them)')
        .addOption(new Option('-o, --output <format>', 'result format').choices(['yaml', 'json']).default('yaml'))
        .action(act(async (flags: Record<string, unknown>) => {
          const { getCommand } = await import('./commands.js');
          return getCommand(what, flags);
        })),
    );
  program.addCommand(get);
  program.addCommand(
    stackOptions(new Command('rollback'))
      .description('re-apply the inputs of an earlier revision (default: the newest that succeeded before the current one), waiting like install')
      .argument('[revision]', 'revision number (panda-k8s history lists them)')
      .option('--timeout <duration>', 'how long to wait for each component to become ready (e.g. 300s, 10m)', '10m')
      .option('--no-wait', 'apply in tier order without waiting for readiness')
      .option('--prune-data', 'when pruning objects the revision did not render, also delete PVCs and PVs')
      .option('--wait-for-lock <duration>', 'when another install or uninstall of the stack runs, wait this long for it (default: fail at once)')
      .option('--history-max <n>', 'release records kept for the stack, the newest', '10')
      .addOption(new Option('-o, --output <format>', 'result format').choices(['text', 'json']).default('text'))
      .action(act(async (revision: string | undefined, flags: Record<string, unknown>) => {
        const { rollbackCommand } = await import('./commands.js');
        return rollbackCommand(revision, flags);
      })),
  );

  const secrets = new Command('secrets').description('the Secrets every component reads: installed once, on their own lifecycle');
  const secretsFlags = (c: Command) =>
    valuesOptions(c, false).option('--secrets-dir <dir>', 'secrets files directory: panda_certs/, harvester_certs/, idds_certs/, iam_conf/ (default: files/ beside the secrets values, else built-in)');
  secrets.addCommand(
    clusterOptions(secretsFlags(new Command('install')))
      .description('install or update the Secrets (with -t: print them, values redacted unless --show-secrets)')
      .option('-t, --template', 'print the Secrets as YAML and touch no cluster')
      .option('--show-secrets', 'print secret values in template mode')
      .option('--allow-placeholders', 'install even though secrets values still hold FIXME placeholders')
      .option('--no-rollout', 'do not restart the workloads that read a changed Secret (they read it when they next restart)')
      .option('--timeout <duration>', 'how long to wait for each tier of restarted workloads to become ready', '10m')
      .addOption(new Option('-o, --output <format>', 'result format').choices(['text', 'json']).default('text'))
      .action(act(async (flags: ValuesFlags & Record<string, unknown>) => {
        const opts: SecretsOptions = { ...toRenderOptions(flags), ...(flags.secretsDir ? { secretsDir: String(flags.secretsDir) } : {}) };
        if (flags.template) {
          const { renderSecretsFromOptions } = await import('../render/inputs.js');
          const r = renderSecretsFromOptions(flags.showSecrets ? opts : { ...opts, keystore: '(generated when installed)' });
          out(toYamlStream(flags.showSecrets ? r.objects : redactSecrets(r.objects)));
          return;
        }
        const { secretsInstallCommand } = await import('./commands.js');
        return secretsInstallCommand(toRenderOptions(flags), flags);
      })),
  );
  secrets.addCommand(
    clusterOptions(secretsFlags(new Command('diff')))
      .description('show what secrets install would change (values never printed); exit 1 when something would')
      .action(act(async (flags: ValuesFlags & Record<string, unknown>) => {
        const { secretsDiffCommand } = await import('./commands.js');
        return secretsDiffCommand(toRenderOptions(flags), flags);
      })),
  );
  secrets.addCommand(
    clusterOptions(new Command('uninstall'))
      .description('delete the Secrets (components that read them stop working on their next restart)')
      .option('--secrets-values <file>', 'secrets values file (for global.secret)')
      .action(act(async (flags: Record<string, unknown>) => {
        const { secretsUninstallCommand } = await import('./commands.js');
        return secretsUninstallCommand(flags);
      })),
  );
  program.addCommand(secrets);

  program.addCommand(
    new Command('schema').description('print the JSON Schema of the values files (for editor completion)').action(act(async () => {
      const { jsonSchema } = await import('../render/values.js');
      out(JSON.stringify(jsonSchema(), null, 2) + '\n');
    })),
  );
  program.addCommand(
    new Command('experiments')
      .description('list the experiments available')
      .option('--from <dir>', 'an upstream panda-k8s checkout')
      .option('--experiment-dir <dir>', 'directory of your own experiments; repeatable', many)
      .action(act(async (flags: { from?: string; experimentDir?: string[] }) => {
        const { listExperiments } = await import('../render/values.js');
        out(listExperiments({ ...(flags.from ? { from: flags.from } : {}), experimentDirs: flags.experimentDir ?? [] }).join('\n') + '\n');
      })),
  );
  return program;
}

/** Every command and subcommand: parse errors reach the handler below (exit 2), output goes through our writers. */
function strict(cmd: Command): void {
  cmd.exitOverride();
  cmd.configureOutput({ writeErr: (s) => err(s), writeOut: (s) => out(s) });
  for (const c of cmd.commands) strict(c);
}

/** The one top-level handler: runs the command, maps failures to messages and exit codes. */
export async function main(argv: readonly string[]): Promise<number> {
  // a reader that stops early (`| head`) is not an error
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(ExitCode.ok);
    throw e;
  });
  const program = buildProgram();
  strict(program);
  // Ctrl-C in a command without its own handling (install and uninstall stop cleanly): quit now
  const onSignal = (sig: NodeJS.Signals) => {
    if (process.listenerCount(sig) > 1) return;
    err('\ninterrupted\n');
    process.exit(ExitCode.interrupted);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    commandExit = ExitCode.ok;
    await program.parseAsync(argv as string[], { from: 'user' });
    return commandExit;
  } catch (e) {
    if (e instanceof PandaError) {
      err(formatError(e) + '\n');
      return e.exitCode;
    }
    const ce = e as { code?: string; exitCode?: number };
    if (typeof ce.code === 'string' && ce.code.startsWith('commander.')) {
      if (ce.code === 'commander.helpDisplayed' || ce.code === 'commander.version' || ce.code === 'commander.help') return ExitCode.ok;
      return ExitCode.invalidInput;
    }
    err(`internal error: ${(e as Error).stack ?? String(e)}\n`);
    return 70;
  }
}
