/** `secrets install|diff|uninstall`: the Secrets every component reads, on their own lifecycle. */
import { Command } from 'commander';
import { act, onlyWhen } from '../act.js';
import { affixOption, clusterOptions, CONNECTION_OPTIONS, outputOption, secretsValuesOptions, toRenderOptions, type Flags } from '../flags.js';

const CLUSTER_RUN = [...CONNECTION_OPTIONS, 'allowPlaceholders', 'rollout', 'timeout'];

export function secretsCommand(): Command {
  const secrets = new Command('secrets').description('the Secrets every component reads: installed once, on their own lifecycle');

  const install = clusterOptions(secretsValuesOptions(affixOption(new Command('install'))), { namespaceHelp: 'namespace (default: the context\'s namespace, else "default"); it must exist. With -t: written into the Secrets' })
    .description('install or update the Secrets (with -t: print them, values redacted unless --show-secrets)')
    .option('-t, --template', 'print the Secrets and touch no cluster')
    .option('--show-secrets', 'with -t: print secret values')
    .option('--allow-placeholders', 'install even though secrets values still hold FIXME placeholders')
    .option('--no-rollout', 'do not restart the workloads that read a changed Secret (they read it when they next restart)')
    .option('--timeout <duration>', 'how long to wait for each tier of restarted workloads to become ready', '10m');
  outputOption(install);
  secrets.addCommand(
    install.action(
      act(async (f: Flags, c: Command) => {
        if (f.template) {
          onlyWhen(c, CLUSTER_RUN, 'a real secrets install', '-t');
          const { printTemplate } = await import('../template.js');
          return printTemplate(f, { secrets: true, stack: false });
        }
        onlyWhen(c, ['showSecrets'], '-t', 'secrets install');
        const { secretsInstallAction } = await import('../actions.js');
        return secretsInstallAction(toRenderOptions(f, { valuesAreSecrets: true }), f);
      }),
    ),
  );

  const diff = clusterOptions(secretsValuesOptions(affixOption(new Command('diff')))).description(
    'show what secrets install would change (values never printed); exit 1 when something would',
  );
  outputOption(diff);
  secrets.addCommand(
    diff.action(
      act(async (f: Flags) => {
        const { secretsDiffAction } = await import('../actions.js');
        return secretsDiffAction(toRenderOptions(f, { valuesAreSecrets: true }), f);
      }),
    ),
  );

  const uninstall = clusterOptions(new Command('uninstall'))
    .description('delete the Secrets (components that read them stop working on their next restart)')
    .option('--secrets-values <file>', 'secrets values file (for global.secret)');
  outputOption(uninstall);
  secrets.addCommand(
    uninstall.action(
      act(async (f: Flags) => {
        const { secretsUninstallAction } = await import('../actions.js');
        return secretsUninstallAction(f);
      }),
    ),
  );
  return secrets;
}
