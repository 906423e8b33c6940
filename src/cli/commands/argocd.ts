/** `argocd generate` (Argo CD's config-management plugin) and `argocd apps` (the Applications). */
import { Command, Option } from 'commander';
import { act } from '../act.js';
import { stackOptions, toRenderOptions, type Flags } from '../flags.js';

export function argocdCommand(): Command {
  const argocd = new Command('argocd').description('deploy through Argo CD: panda-k8s as its config-management plugin, and the Applications that use it');
  argocd.addCommand(
    stackOptions(new Command('generate'))
      .description("plugin mode: render the stack from the Application's plugin env (ARGOCD_ENV_*), parameters (ARGOCD_APP_PARAMETERS) and the repository checkout (the working directory); manifests only on stdout, each with its sync wave")
      .option('-n, --namespace <ns>', 'destination namespace (default: $ARGOCD_APP_NAMESPACE, else "default")')
      .option('--allow-placeholders', 'print even though values still hold FIXME placeholders (also ARGOCD_ENV_ALLOW_PLACEHOLDERS=true)')
      .action(
        act(async (f: Flags) => {
          const { argocdGenerateAction } = await import('../argocd.js');
          return argocdGenerateAction(toRenderOptions({ ...f, namespace: undefined }), f);
        }),
      ),
  );
  argocd.addCommand(
    stackOptions(new Command('apps'))
      .description('write the Argo CD Applications for a stack: one per component, ordered by tier with sync waves, or one for the whole stack')
      .requiredOption('--repo <url>', 'Git repository the Applications read (holding your value files)')
      .option('--revision <rev>', 'branch, tag or commit of the repository', 'HEAD')
      .option('--path <dir>', 'directory in the repository the plugin runs in; -f, --from and --experiment-dir paths are relative to it', '.')
      .addOption(new Option('--mode <mode>', 'one Application per component, or one for the stack').choices(['per-component', 'single']).default('per-component'))
      .option('--prefix <prefix>', 'Application name prefix', 'panda-')
      .option('--project <name>', 'Argo CD project', 'default')
      .option('--argocd-namespace <ns>', 'namespace Argo CD runs in', 'argocd')
      .option('--dest-server <url>', 'destination cluster', 'https://kubernetes.default.svc')
      .option('-n, --namespace <ns>', 'destination namespace', 'default')
      .option('--no-automated', 'manual sync instead of automated sync with prune and self-heal')
      .option('--output-dir <dir>', 'write one file per Application there instead of printing them')
      .action(
        act(async (f: Flags) => {
          const { argocdAppsAction } = await import('../argocd.js');
          return argocdAppsAction(toRenderOptions(f), f);
        }),
      ),
  );
  return argocd;
}
