/** `template`: the stack's objects (and with --secrets its Secrets) rendered in one process, no cluster. */
import { Command } from 'commander';
import { act } from '../act.js';
import { outputOption, stackOptions, type Flags } from '../flags.js';

export function templateCommand(): Command {
  const cmd = stackOptions(new Command('template'))
    .description('print the objects of the stack (with --secrets: and the Secrets) and touch no cluster')
    .option('-n, --namespace <ns>', 'namespace written into the namespaced objects (and the names of cluster-wide ones)')
    .option('--secrets', 'also render the Secrets of the secrets lifecycle (as `secrets install -t`), first')
    .option('--secrets-dir <dir>', 'with --secrets: secrets files directory (default: files/ beside the secrets values, else built-in)')
    .option('--show-secrets', 'print Secret values (redacted otherwise)');
  outputOption(cmd, ['yaml', 'json', 'name']);
  return cmd.action(
    act(async (f: Flags, c: Command) => {
      const { printTemplate } = await import('../template.js');
      if (f.secretsDir !== undefined && !f.secrets) (await import('../act.js')).onlyWhen(c, ['secretsDir'], '--secrets', 'template');
      return printTemplate(f, { secrets: !!f.secrets });
    }),
  );
}
