/** `experiments`: the experiment overlays available. */
import { Command } from 'commander';
import { act } from '../act.js';
import { many, outputOption, type Flags } from '../flags.js';
import { out } from '../output.js';
import { emitReport } from '../print.js';

export function experimentsCommand(): Command {
  const cmd = new Command('experiments')
    .description('list the experiments available')
    .option('--from <dir>', 'an upstream panda-k8s checkout')
    .option('--experiment-dir <dir>', 'directory of your own experiments; repeatable', many);
  outputOption(cmd, ['text', 'json', 'yaml', 'name']);
  return cmd.action(
    act(async (f: Flags) => {
      const { listExperiments } = await import('../../render/values.js');
      const names = listExperiments({ ...(f.from ? { from: String(f.from) } : {}), experimentDirs: (f.experimentDir as string[] | undefined) ?? [] });
      const text = () => out(names.map((n) => `${n}\n`).join(''));
      emitReport('ExperimentList', { experiments: names }, f.output as 'text', text, () => names);
    }),
  );
}
