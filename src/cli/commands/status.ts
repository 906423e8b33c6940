/** `status`: one table for the stack. */
import { Command } from 'commander';
import { act } from '../act.js';
import { affixOption, clusterOptions, outputOption, type Flags } from '../flags.js';

export function statusCommand(): Command {
  const cmd = affixOption(clusterOptions(new Command('status')), 'instance affix (default: all panda-k8s instances in the namespace)').description(
    'one table for the stack: component, sub-component, ready, images, age, last problem',
  );
  outputOption(cmd);
  return cmd.action(
    act(async (f: Flags) => {
      const { statusAction } = await import('../actions.js');
      return statusAction(f);
    }),
  );
}
