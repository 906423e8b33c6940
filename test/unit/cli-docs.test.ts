/** docs/cli.md, README and --help agree: every command and flag --help shows is documented, and every documented command exists. */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { buildProgram, EXIT_CODES_HELP } from '../../src/cli/main.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const CLI_MD = fs.readFileSync(path.join(ROOT, 'docs', 'cli.md'), 'utf8');
const README = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');

function commands(c: Command, prefix = ''): { path: string; cmd: Command }[] {
  return c.commands.flatMap((s) => {
    const p = prefix ? `${prefix} ${s.name()}` : s.name();
    return [{ path: p, cmd: s }, ...commands(s, p)];
  });
}
const all = commands(buildProgram());
const leaves = all.filter((c) => !c.cmd.commands.length);

/** The text of a command's entry in docs/cli.md: from `- \`panda-k8s PATH` to the next entry. */
function entry(p: string): string | undefined {
  const start = CLI_MD.indexOf(`- \`panda-k8s ${p} `) >= 0 ? CLI_MD.indexOf(`- \`panda-k8s ${p} `) : CLI_MD.indexOf(`- \`panda-k8s ${p}\``);
  if (start < 0) return undefined;
  const next = CLI_MD.indexOf('\n- `', start + 1);
  return CLI_MD.slice(start, next < 0 ? undefined : next);
}

/** Option tables a command's entry refers to (values options, cluster options). */
const tables = (e: string) => [e.includes('[values options]') ? CLI_MD.slice(CLI_MD.indexOf('## Values options'), CLI_MD.indexOf('## Cluster options')) : '', e.includes('[cluster options]') ? CLI_MD.slice(CLI_MD.indexOf('## Cluster options'), CLI_MD.indexOf('## Commands')) : ''].join('\n');

describe('docs/cli.md, README and --help', () => {
  it('every command has an entry in docs/cli.md', () => {
    expect(leaves.filter((c) => !entry(c.path)).map((c) => c.path)).toEqual([]);
  });

  it("every flag of a command is in its entry or in the option tables its entry names; and no other flag is", () => {
    const missing: string[] = [];
    const extra: string[] = [];
    for (const { path: p, cmd } of leaves) {
      const e = entry(p)!;
      const docs = `${e}\n${tables(e)}`;
      const longs = cmd.options.map((o) => o.long!).filter(Boolean);
      const named = (flag: string) => new RegExp(`${flag.replace(/-/g, '\\-')}(?![a-zA-Z-])`).test(docs);
      for (const o of cmd.options) if (!named(o.long!) && !(o.short && named(o.short))) missing.push(`${p} ${o.long}`);
      // the synopsis line names only flags the command takes
      const synopsis = e.split('\n')[0]!;
      for (const m of synopsis.matchAll(/--[a-z][a-z-]*/g)) if (!longs.includes(m[0]) && m[0] !== '--help' && !cmd.options.some((o) => o.flags.includes(m[0]))) extra.push(`${p} ${m[0]}`);
    }
    expect(missing).toEqual([]);
    expect(extra).toEqual([]);
  });

  it('every command docs/cli.md and the README name exists', () => {
    const paths = new Set(all.map((c) => c.path));
    const named = (text: string) => [...text.matchAll(/`panda-k8s ((?:[a-z]+)(?: [a-z]+)?)/g)].map((m) => m[1]!);
    const unknown = [...named(CLI_MD), ...named(README)].filter((n) => !paths.has(n) && !paths.has(n.split(' ')[0]!) && n.split(' ')[0] !== 'help');
    expect(unknown).toEqual([]);
  });

  it('the exit codes of --help are the table of docs/cli.md', () => {
    const inHelp = [...EXIT_CODES_HELP.matchAll(/(?:^|[:;,]\s*|\n)(\d+) /g)].map((m) => Number(m[1])).sort((a, b) => a - b);
    const table = [...CLI_MD.matchAll(/^\| (\d+) \|/gm)].map((m) => Number(m[1])).sort((a, b) => a - b);
    expect(inHelp).toEqual([0, 1, 2, 3, 4, 5, 130]);
    expect(table).toEqual(inHelp);
  });
});
