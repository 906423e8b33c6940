/** `uninstall`: remove components in reverse tier order; data and Secrets stay. */
import { Command } from 'commander';
import { act } from '../act.js';
import { affixOption, clusterOptions, list, outputOption, type Flags } from '../flags.js';

export function uninstallCommand(): Command {
  const cmd = affixOption(clusterOptions(new Command('uninstall')), 'instance affix (default: affix in the secrets values, else "test-")')
    .description('remove components in reverse tier order; keeps PVCs, PVs and the secrets unless --purge')
    .option('--secrets-values <file>', 'secrets values file, to read the affix from')
    .option('-c, --enable <list>', 'components to remove (default: all)', list)
    .option('--purge', 'also delete PVCs and PVs (data is lost)')
    .option('--timeout <duration>', 'how long to wait for each component to be gone', '5m')
    .option('--wait-for-lock <duration>', 'when another install or uninstall of the stack runs, wait this long for it (default: fail at once)')
    .option('--history-max <n>', 'release records kept for the stack, the newest (default: 10)');
  outputOption(cmd);
  return cmd.action(
    act(async (f: Flags) => {
      const { uninstallAction } = await import('../actions.js');
      return uninstallAction(f);
    }),
  );
}
