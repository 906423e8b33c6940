/**
 * The command line. The only module that reads argv and sets the exit code; everything it runs
 * throws PandaError on failure, which the one handler at the bottom turns into a message and code.
 * The commands themselves are declared in ./commands/, one module each.
 */
import { Command } from 'commander';
import { ExitCode, formatError, PandaError } from '../core/errors.js';
import { takeExitCode } from './act.js';
import { COMMANDS } from './commands/index.js';
import { toRenderOptions } from './flags.js';
import { err, out } from './output.js';
import { VERSION } from './version.js';

export const EXIT_CODES_HELP = `
Exit codes: 0 success; 1 diff found changes, or a component did not become ready;
2 invalid input (nothing applied); 3 cluster unreachable or request refused;
4 not installed (status, uninstall); 5 the stack is locked by another install or uninstall;
130 interrupted.`;

export function buildProgram(): Command {
  const program = new Command('panda-k8s')
    .description('Render and deploy the PanDA workload-management system on Kubernetes.')
    .version(VERSION)
    .showHelpAfterError('(run with --help for usage)')
    .addHelpText('after', EXIT_CODES_HELP);

  // sops-encrypted values files are decrypted once, before any command reads its values
  program.hook('preAction', async (_program, command) => {
    if (!command.options.some((o) => o.attributeName() === 'secretsValues')) return;
    const { decryptInputs } = await import('../render/inputs.js');
    await decryptInputs(toRenderOptions(command.opts(), { valuesAreSecrets: command.parent?.name() === 'secrets' }));
  });
  for (const c of COMMANDS) program.addCommand(c());
  return program;
}

/** Every command and subcommand: parse errors reach the handler below (exit 2), output goes through our writers. */
function strict(cmd: Command): void {
  cmd.exitOverride();
  cmd.configureOutput({ writeErr: (s) => err(s), writeOut: (s) => out(s) });
  for (const c of cmd.commands) strict(c);
}

/** The one top-level handler: runs the command, maps failures to messages and exit codes. */
export async function main(argv: readonly string[]): Promise<number> {
  // a reader that stops early (`| head`) is not an error
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(ExitCode.ok);
    throw e;
  });
  const program = buildProgram();
  strict(program);
  // Ctrl-C in a command without its own handling (install and uninstall stop cleanly): quit now
  const onSignal = (sig: NodeJS.Signals) => {
    if (process.listenerCount(sig) > 1) return;
    err('\ninterrupted\n');
    process.exit(ExitCode.interrupted);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    takeExitCode();
    await program.parseAsync(argv as string[], { from: 'user' });
    return takeExitCode();
  } catch (e) {
    if (e instanceof PandaError) {
      err(formatError(e) + '\n');
      return e.exitCode;
    }
    const ce = e as { code?: string; exitCode?: number };
    if (typeof ce.code === 'string' && ce.code.startsWith('commander.')) {
      if (ce.code === 'commander.helpDisplayed' || ce.code === 'commander.version' || ce.code === 'commander.help') return ExitCode.ok;
      return ExitCode.invalidInput;
    }
    err(`internal error: ${(e as Error).stack ?? String(e)}\n`);
    return 70;
  }
}
