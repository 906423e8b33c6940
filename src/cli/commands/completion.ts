/** `completion bash|zsh|fish`: the shell completion script, generated from the command tree. */
import { Argument, Command } from 'commander';
import { act } from '../act.js';
import { out } from '../output.js';

export function completionCommand(): Command {
  return new Command('completion')
    .description('print the shell completion script: bash (source <(panda-k8s completion bash)), zsh, or fish (panda-k8s completion fish | source)')
    .addArgument(new Argument('<shell>', 'the shell').choices(['bash', 'zsh', 'fish']))
    .action(
      act(async (shell: string, _f: unknown, c: Command) => {
        const { registry } = await import('../../components/registry.js');
        const { bashCompletion, completionData, fishCompletion, zshCompletion } = await import('../completion.js');
        let root = c;
        while (root.parent) root = root.parent;
        const d = completionData(root, registry.names, registry.list.flatMap((x) => x.subs.map((s) => `${x.name}.${s.name}`)));
        out(shell === 'bash' ? bashCompletion(d) : shell === 'zsh' ? zshCompletion(d) : fishCompletion(d));
      }),
    );
}
