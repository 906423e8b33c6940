/** lint, shell completion, and bin/install parsed as upstream's argparse parses it. */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ArgparseError, parseUpstreamArgs } from '../../src/cli/compat.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const HEAD_TREE = path.join(ROOT, '..', 'shared', 'upstream', 'head', 'tree');
const run = (bin: string, args: string[], cwd = ROOT) => spawnSync('node', [bin.startsWith('/') ? bin : path.join(ROOT, 'bin', bin), ...args], { cwd, encoding: 'utf8' });

describe('cli tools', { timeout: 60_000 }, () => {
  it('lint: clean values pass; FIXME placeholders and bad values are findings, exit 1', () => {
    const ok = run('panda-k8s.js', ['lint', '-e', 'lsst']);
    expect(ok.status, ok.stdout + ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/^0 problem\(s\) in \d+ object\(s\)$/m);
    const fixme = run('panda-k8s.js', ['lint', '-c', 'bigmon', '--set', 'bigmon.main.route.enabled=true', '-o', 'json']);
    expect(fixme.status).toBe(1);
    const report = JSON.parse(fixme.stdout);
    expect(report).toMatchObject({ apiVersion: 'panda-k8s/v1', kind: 'LintReport' });
    expect(report.problems.some((p: { message: string }) => /FIXME/.test(p.message))).toBe(true);
    const bad = run('panda-k8s.js', ['lint', '--set', 'panda.server.replicaCount=two']);
    expect(bad.status).toBe(1);
    expect(bad.stdout).toContain('panda.server.replicaCount');
  });

  it('completion: bash completes commands, flags, components and output formats', () => {
    const script = run('panda-k8s.js', ['completion', 'bash']).stdout;
    const complete = (words: string[]) =>
      spawnSync('bash', ['-c', `${script}\nCOMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}; _panda_k8s; printf '%s\\n' "\${COMPREPLY[@]}"`], { encoding: 'utf8' }).stdout.trim().split('\n');
    expect(complete(['panda-k8s', ''])).toEqual(expect.arrayContaining(['install', 'template', 'lint', 'secrets', 'version', 'completion']));
    expect(complete(['panda-k8s', 'secrets', ''])).toEqual(expect.arrayContaining(['install', 'diff', 'uninstall']));
    expect(complete(['panda-k8s', 'install', '--pr'])).toEqual(['--prune-data']);
    expect(complete(['panda-k8s', 'install', '-c', 'panda,h'])).toEqual(['panda,harvester']);
    expect(complete(['panda-k8s', 'install', '-d', 'panda.j'])).toEqual(['panda.jedi']);
    expect(complete(['panda-k8s', 'template', '-o', ''])).toEqual(['yaml', 'json', 'name']);
    // experiments are asked of the command being completed
    expect(complete([path.join(ROOT, 'bin', 'panda-k8s.js'), 'install', '-e', 'ls'])).toEqual(expect.arrayContaining(['lsst', 'lsst-prod']));
    // secrets install does not take -e: not offered
    expect(complete(['panda-k8s', 'secrets', 'install', '--exp'])).toEqual(['']);
    for (const shell of ['zsh', 'fish']) {
      const r = run('panda-k8s.js', ['completion', shell]);
      expect(r.status).toBe(0);
      expect(r.stdout).toContain('prune-data');
    }
    expect(run('panda-k8s.js', ['completion', 'tcsh']).status).toBe(2);
  });

  it('bin/install parses as argparse: unique prefixes, attached values, last wins, errors with usage', () => {
    expect(Object.fromEntries(parseUpstreamArgs(['--exp', 'lsst', '--aff=-dev', '-cpanda', '-d=panda.jedi', '-t', '-e', 'sphenix']))).toEqual({
      '--experiment': 'sphenix',
      '--affix': '-dev',
      '--enable': 'panda',
      '--disable': 'panda.jedi',
      '--template': true,
    });
    expect(Object.fromEntries(parseUpstreamArgs(['-tc', 'panda']))).toEqual({ '--template': true, '--enable': 'panda' });
    for (const bad of [['--e', 'x'], ['--set', 'a=b'], ['panda'], ['-a'], ['--template=yes']]) expect(() => parseUpstreamArgs(bad), bad.join(' ')).toThrow(ArgparseError);
    const r = run('install', ['--e', 'lsst']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^usage: install .*\ninstall: error: ambiguous option: --e could match --experiment, --enable/);
    const ok = run('install', ['--exp', 'sphenix', '--en', 'panda', '--dis', 'panda.jedi', '--temp', '--aff=-dev']);
    expect(ok.status, ok.stderr).toBe(0);
    expect(ok.stdout).toBe(run('panda-k8s.js', ['install', '-t', '-e', 'sphenix', '-c', 'panda', '-d', 'panda.jedi', '-a', '-dev']).stdout);
  });

  it('bin/install --from reads a checkout; without it, the checkout it sits in gives the affix', () => {
    const viaFrom = run('install', ['--from', HEAD_TREE, '-e', 'lsst', '-c', 'msgsvc', '-t', '-a', 'x-']);
    expect(viaFrom.status, viaFrom.stderr).toBe(0);
    expect(viaFrom.stdout).toBe(run('panda-k8s.js', ['install', '-t', '--from', HEAD_TREE, '-e', 'lsst', '-c', 'msgsvc', '-a', 'x-']).stdout);
    const checkout = fs.mkdtempSync(path.join(os.tmpdir(), 'panda-k8s-checkout-'));
    fs.mkdirSync(path.join(checkout, 'bin'));
    fs.mkdirSync(path.join(checkout, 'secrets'));
    fs.copyFileSync(path.join(ROOT, 'bin', 'install'), path.join(checkout, 'bin', 'install'));
    fs.symlinkSync(path.join(ROOT, 'dist'), path.join(checkout, 'dist'));
    fs.writeFileSync(path.join(checkout, 'secrets', 'values.yaml'), 'affix: "-ck"\n');
    // run from elsewhere: the affix is the checkout's, not the current directory's
    const r = run(path.join(checkout, 'bin', 'install'), ['-t', '-c', 'msgsvc'], os.tmpdir());
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('name: msgsvc-ck-activemq');
  });
});
