/** `install`: install or upgrade the stack; `-t` / `--dry-run=client` print it instead, `--dry-run=server` asks the API server. */
import { Command, Option } from 'commander';
import { act, onlyWhen } from '../act.js';
import { clusterOptions, CONNECTION_OPTIONS, outputOption, stackOptions, toRenderOptions, type Flags } from '../flags.js';

/** Options that only a real install reads (not -t, not --dry-run=client). */
const CLUSTER_RUN = [...CONNECTION_OPTIONS, 'timeout', 'wait', 'pruneData', 'allowPlaceholders', 'waitForLock', 'rollbackOnFailure', 'historyMax'];

export function installCommand(): Command {
  const cmd = stackOptions(new Command('install'))
    .description('install or upgrade components, waiting for readiness (with -t: print their manifests and touch no cluster)')
    .option('-t, --template', 'print the objects (as `panda-k8s template` does) and touch no cluster')
    .addOption(new Option('--dry-run [mode]', 'client: print the objects, touch no cluster (as -t); server: send every object as a server-side dry run and print what the API server would store').choices(['none', 'client', 'server']).preset('client'))
    .option('--show-secrets', 'with -t or --dry-run: print Secret values (redacted otherwise)');
  clusterOptions(cmd, { namespaceHelp: 'namespace (default: the context\'s namespace, else "default"); it must exist. With -t: written into the objects' })
    .option('--timeout <duration>', 'how long to wait for each component to become ready (e.g. 300s, 10m)', '10m')
    .option('--no-wait', 'apply in tier order without waiting for readiness')
    .option('--prune-data', 'when pruning objects no longer rendered, also delete PVCs and PVs')
    .option('--allow-placeholders', 'install even though values still hold FIXME placeholders')
    .option('--wait-for-lock <duration>', 'when another install or uninstall of the stack runs, wait this long for it (default: fail at once)')
    .option('--rollback-on-failure', 'when a component does not become ready, re-apply the newest revision that succeeded before')
    .option('--history-max <n>', 'release records kept for the stack, the newest (default: 10)');
  outputOption(cmd);
  return cmd.action(
    act(async (f: Flags, c: Command) => {
      const template = !!f.template || f.dryRun === 'client';
      if (template) {
        onlyWhen(c, CLUSTER_RUN, 'a real install or --dry-run=server', f.template ? '-t' : '--dry-run=client');
        const { printTemplate } = await import('../template.js');
        return printTemplate(f, { secrets: false });
      }
      if (f.dryRun !== 'server') onlyWhen(c, ['showSecrets'], '-t or --dry-run', 'install');
      const { installAction, dryRunAction } = await import('../actions.js');
      return f.dryRun === 'server' ? dryRunAction(toRenderOptions(f), f) : installAction(toRenderOptions(f), f);
    }),
  );
}
