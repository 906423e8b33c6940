/** `history`, `get values|manifest` and `rollback`: the stack's release records. */
import { Command } from 'commander';
import { act } from '../act.js';
import { affixOption, clusterOptions, outputOption, type Flags } from '../flags.js';

const AFFIX_HELP = 'instance affix (default: affix in the secrets values, else "test-")';
const recordOptions = (cmd: Command) => affixOption(clusterOptions(cmd), AFFIX_HELP).option('--secrets-values <file>', 'secrets values file, to read the affix from');

export function historyCommand(): Command {
  const cmd = recordOptions(new Command('history')).description('the release records of the stack: revision, operation, outcome, who, when, inputs digest');
  outputOption(cmd);
  return cmd.action(
    act(async (f: Flags) => {
      const { historyAction } = await import('../actions.js');
      return historyAction(f);
    }),
  );
}

export function getCommand(): Command {
  const get = new Command('get').description('what a release record holds: the values or the objects of a revision');
  for (const [what, description] of [
    ['values', 'the non-secret values of a revision, as a values file (default: the newest installed revision)'],
    ['manifest', 'the objects a revision applied, as rendered (default: the newest installed revision)'],
  ] as const) {
    const cmd = recordOptions(new Command(what)).description(description).option('--revision <n>', 'revision number (panda-k8s history lists them)');
    outputOption(cmd, ['yaml', 'json']);
    get.addCommand(
      cmd.action(
        act(async (f: Flags) => {
          const { getAction } = await import('../actions.js');
          return getAction(what, f);
        }),
      ),
    );
  }
  return get;
}

export function rollbackCommand(): Command {
  const cmd = recordOptions(new Command('rollback'))
    .description('re-apply the recorded inputs of an earlier revision (default: the newest that succeeded before the current one), waiting like install')
    .argument('[revision]', 'revision number (panda-k8s history lists them)')
    .option('--timeout <duration>', 'how long to wait for each component to become ready (e.g. 300s, 10m)', '10m')
    .option('--no-wait', 'apply in tier order without waiting for readiness')
    .option('--prune-data', 'when pruning objects the revision did not render, also delete PVCs and PVs')
    .option('--wait-for-lock <duration>', 'when another install or uninstall of the stack runs, wait this long for it (default: fail at once)')
    .option('--history-max <n>', 'release records kept for the stack, the newest (default: 10)');
  outputOption(cmd);
  return cmd.action(
    act(async (revision: string | undefined, f: Flags) => {
      const { rollbackAction } = await import('../actions.js');
      return rollbackAction(revision, f);
    }),
  );
}
