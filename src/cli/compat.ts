/**
 * `bin/install`: upstream's launcher flags, exactly (-a/--affix, -e/--experiment, -c/--enable,
 * -d/--disable, -t/--template), mapped onto `panda-k8s install`. Existing operator scripts keep
 * working; the tool behind them waits for readiness and stops at the first failure.
 */
import { Command } from 'commander';
import { main } from './main.js';

export async function compatMain(argv: readonly string[]): Promise<number> {
  const forwarded: string[] = ['install'];
  const p = new Command('install')
    .description('Install the PanDA components in order (upstream bin/install flags). Runs `panda-k8s install`.')
    .option('-a, --affix <affix>', 'prefix (blah-) or suffix (-blah) of the instance names')
    .option('-e, --experiment <name>', 'experiment overlay')
    .option('-c, --enable <list>', 'comma-separated components to process')
    .option('-d, --disable <list>', 'comma-separated components or component.sub-components to leave out')
    .option('-t, --template', 'print the manifests instead of installing')
    .helpOption('-h, --help')
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s), writeOut: (s) => process.stdout.write(s) });
  try {
    p.parse(argv as string[], { from: 'user' });
  } catch (e) {
    const code = (e as { code?: string }).code;
    return code === 'commander.helpDisplayed' || code === 'commander.help' ? 0 : 2;
  }
  const o = p.opts<{ affix?: string; experiment?: string; enable?: string; disable?: string; template?: boolean }>();
  if (o.affix !== undefined) forwarded.push(`--affix=${o.affix}`);
  if (o.experiment) forwarded.push('--experiment', o.experiment);
  if (o.enable) forwarded.push('--enable', o.enable);
  if (o.disable) forwarded.push('--disable', o.disable);
  if (o.template) forwarded.push('--template');
  return main(forwarded);
}
