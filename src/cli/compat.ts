/**
 * `bin/install`: upstream's launcher, parsed as Python's argparse parses it (long options by
 * any unique prefix, `--opt=value`, `-oVALUE`, `-o=VALUE`, a later occurrence wins, no
 * positional arguments, usage and exit 2 on errors), mapped onto `panda-k8s install`. As
 * upstream's script does, it takes its checkout from its own location: `<checkout>/helm/` (when
 * there) is read as `--from`, and the affix comes from `<checkout>/secrets/values.yaml`.
 * `--from DIR` names another checkout. The remaining differences are in docs/cli.md.
 */
import fs from 'node:fs';
import path from 'node:path';
import { main } from './main.js';
import { err, out } from './output.js';

interface Spec {
  long: string;
  short?: string;
  takesValue: boolean;
  help: string;
}

const SPECS: readonly Spec[] = [
  { long: '--affix', short: '-a', takesValue: true, help: 'Prefix (blah-) or suffix (-blah) of instance names (default: affix in <checkout>/secrets/values.yaml, else "test-")' },
  { long: '--experiment', short: '-e', takesValue: true, help: 'Experiment name' },
  { long: '--enable', short: '-c', takesValue: true, help: 'Comma-separated list of components to be installed' },
  { long: '--disable', short: '-d', takesValue: true, help: 'Comma-separated list of disabled components and/or sub-components' },
  { long: '--template', short: '-t', takesValue: false, help: 'Dry-run: print the manifests' },
  { long: '--from', takesValue: true, help: 'an upstream panda-k8s checkout (default: the one this script is in, when it has helm/)' },
  { long: '--help', short: '-h', takesValue: false, help: 'show this help message and exit' },
];

const USAGE = 'usage: install [-h] [--affix AFFIX] [--experiment EXPERIMENT] [--enable ENABLE] [--disable DISABLE] [--template] [--from FROM]';

export class ArgparseError extends Error {}

/** argparse's reading of the arguments: option (long name) → value (true for a switch). */
export function parseUpstreamArgs(argv: readonly string[]): Map<string, string | true> {
  const got = new Map<string, string | true>();
  const byLong = (name: string): Spec => {
    const exact = SPECS.find((s) => s.long === name);
    if (exact) return exact;
    const matches = SPECS.filter((s) => s.long.startsWith(name));
    if (matches.length === 1) return matches[0]!;
    if (matches.length > 1) throw new ArgparseError(`ambiguous option: ${name} could match ${matches.map((s) => s.long).join(', ')}`);
    throw new ArgparseError(`unrecognized arguments: ${name}`);
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') {
      if (i + 1 < argv.length) throw new ArgparseError(`unrecognized arguments: ${argv.slice(i + 1).join(' ')}`);
      break;
    }
    if (!a.startsWith('-') || a === '-') throw new ArgparseError(`unrecognized arguments: ${a}`);
    let spec: Spec;
    let explicit: string | undefined;
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      spec = byLong(eq > 0 ? a.slice(0, eq) : a);
      if (eq > 0) explicit = a.slice(eq + 1);
    } else {
      const s = SPECS.find((x) => x.short === a.slice(0, 2));
      if (!s) throw new ArgparseError(`unrecognized arguments: ${a}`);
      spec = s;
      const rest = a.slice(2);
      if (rest) {
        if (spec.takesValue) explicit = rest.startsWith('=') ? rest.slice(1) : rest;
        // -tc panda: a switch followed by more short options
        else if (rest.length) {
          got.set(spec.long, true);
          argv = [...argv.slice(0, i + 1), `-${rest}`, ...argv.slice(i + 1)];
          continue;
        }
      }
    }
    const name = `${spec.long.slice(2)}${spec.short ? `/${spec.short}` : ''}`;
    if (!spec.takesValue) {
      if (explicit !== undefined) throw new ArgparseError(`argument --${name}: ignored explicit argument '${explicit}'`);
      got.set(spec.long, true);
      continue;
    }
    if (explicit === undefined) {
      if (i + 1 >= argv.length) throw new ArgparseError(`argument --${name}: expected one argument`);
      explicit = argv[++i]!;
    }
    got.set(spec.long, explicit);
  }
  return got;
}

function help(): string {
  return `${USAGE}\n\nInstall the PanDA components in order (upstream bin/install); runs \`panda-k8s install\`.\n\noptions:\n${SPECS.map((s) => `  ${[s.short, s.long].filter(Boolean).join(', ')}${s.takesValue ? ` ${s.long.slice(2).toUpperCase()}` : ''}\n        ${s.help}`).join('\n')}\n`;
}

/** `checkout`: the directory the launcher is in, one level up (upstream: `bin/..`). */
export async function compatMain(argv: readonly string[], o: { checkout?: string } = {}): Promise<number> {
  let opts: Map<string, string | true>;
  try {
    opts = parseUpstreamArgs(argv);
  } catch (e) {
    if (!(e instanceof ArgparseError)) throw e;
    err(`${USAGE}\ninstall: error: ${e.message}\n`);
    return 2;
  }
  if (opts.has('--help')) {
    out(help());
    return 0;
  }
  const forwarded: string[] = ['install'];
  const value = (k: string) => opts.get(k) as string | undefined;
  const from = value('--from') ?? (o.checkout && fs.existsSync(path.join(o.checkout, 'helm')) ? o.checkout : undefined);
  if (from !== undefined) forwarded.push('--from', from);
  // upstream reads the affix from its checkout's secrets/values.yaml (--from reads it there itself)
  const secretsFile = o.checkout ? path.join(o.checkout, 'secrets', 'values.yaml') : undefined;
  if (from === undefined && secretsFile && fs.existsSync(secretsFile)) forwarded.push('--secrets-values', secretsFile);
  const affix = value('--affix');
  if (affix) forwarded.push(`--affix=${affix}`);
  if (value('--experiment') !== undefined) forwarded.push('--experiment', value('--experiment')!);
  if (value('--enable') !== undefined) forwarded.push('--enable', value('--enable')!);
  if (value('--disable')) forwarded.push('--disable', value('--disable')!);
  if (opts.has('--template')) forwarded.push('--template');
  return main(forwarded);
}
