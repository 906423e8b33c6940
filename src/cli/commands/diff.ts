/** `diff`: what install would change, by server-side dry run; exit 1 when something would. */
import { Command } from 'commander';
import { act } from '../act.js';
import { clusterOptions, outputOption, stackOptions, toRenderOptions, type Flags } from '../flags.js';

export function diffCommand(): Command {
  const cmd = clusterOptions(stackOptions(new Command('diff'))).description('show what install would change (server-side dry run); exit 1 when something would');
  outputOption(cmd);
  return cmd.action(
    act(async (f: Flags) => {
      const { diffAction } = await import('../actions.js');
      return diffAction(toRenderOptions(f), f);
    }),
  );
}
