/**
 * Hostile values files — an alias bomb, alias amplification, a huge file, deep nesting, a cyclic
 * alias — are refused with the file and line, exit 2 and nothing on stdout, in bounded time and
 * memory: the CLI runs as a child process with bench/usage.cjs preloaded, which reports its CPU
 * time and peak RSS (getrusage). The figures are printed (BENCHMARKS.md, "Hostile values files").
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { PandaError } from '../../src/core/errors.js';
import { parseYaml, YAML_LIMITS } from '../../src/core/yaml.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const CLI = path.join(ROOT, 'bin', 'panda-k8s.js');
const USAGE = path.join(ROOT, 'bench', 'usage.cjs');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'panda-k8s-hostile-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** Bounds far above what a refusal costs (≈0.3 s CPU, ≈80 MiB), far below what expanding would. */
const MAX_CPU_MS = 10_000;
const MAX_RSS_MIB = 300;

const write = (name: string, text: string) => {
  const f = path.join(tmp, name);
  fs.writeFileSync(f, text);
  return f;
};

/** The classic: nine levels of nine aliases, 9^9 (387 million) strings when expanded. */
const laughs = () => ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]', ...Array.from({ length: 9 }, (_, i) => `a${i + 1}: &a${i + 1} [${Array(9).fill(`*a${i}`).join(',')}]`)].join('\n') + '\n';

/** One mapping of 5000 keys, aliased 900 times: a 100 KB file that expands to 4.5 million nodes. */
const amplification = () => `big: &big\n${Array.from({ length: 5000 }, (_, i) => `  k${i}: value-${i}\n`).join('')}${Array.from({ length: 900 }, (_, i) => `c${i}: *big\n`).join('')}`;

/** Just under the size limit, almost all of it aliases. */
const manyAliases = () => {
  const head = 'x: &x [1, 2, 3]\nl:\n';
  const line = '  - *x\n';
  return head + line.repeat(Math.floor((YAML_LIMITS.maxBytes - 1024 - head.length) / line.length));
};

/** 50 MiB of plain keys. */
function huge(): string {
  const f = path.join(tmp, 'huge.yaml');
  const chunk = Array.from({ length: 10_000 }, (_, i) => `key${i}: a value that takes some room ${i}\n`).join('');
  const fd = fs.openSync(f, 'w');
  for (let n = 0; n < 50 * 1048576; n += chunk.length) fs.writeSync(fd, chunk);
  fs.closeSync(fd);
  return f;
}

interface Usage {
  cpuMs: number;
  maxRssKiB: number;
  wallMs: number;
}

function run(file: string): { status: number | null; stdout: string; stderr: string; usage: Usage } {
  const usageFile = path.join(tmp, `usage-${path.basename(file)}.json`);
  const r = spawnSync(process.execPath, ['--require', USAGE, CLI, 'install', '-t', '-f', file], {
    cwd: tmp,
    encoding: 'utf8',
    env: { ...process.env, PANDA_K8S_USAGE_FILE: usageFile },
    timeout: 120_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, usage: JSON.parse(fs.readFileSync(usageFile, 'utf8')) as Usage };
}

describe('hostile values files: refused with file and line, in bounded time and memory', () => {
  it.each([
    ['billion laughs (9^9 expansion)', () => write('laughs.yaml', laughs()), /expands to more than 200000 nodes/, true],
    ['alias amplification (100 KB → 4.5 M nodes)', () => write('amplification.yaml', amplification()), /expands to more than 200000 nodes/, true],
    ['2 MiB of aliases', () => write('aliases.yaml', manyAliases()), /more than 1000 aliases/, true],
    ['210 000 scalars in 1.3 MB', () => write('nodes.yaml', `l:\n${'  - 1\n'.repeat(210_000)}`), /holds more than 200000 nodes/, true],
    ['a 50 MiB file', huge, /50\.\d MiB, more than the 2 MiB a values file may hold/, false],
    ['nesting 5000 levels deep', () => write('deep.yaml', `a: ${'['.repeat(5000)}${']'.repeat(5000)}\n`), /nests deeper than 100 levels/, true],
    ['an alias inside the node it names', () => write('cycle.yaml', 'a: &a\n  b: [1, *a]\n'), /refers to a node that contains it/, true],
  ] as const)('%s', (name, make, message, withLine) => {
    const file = make();
    const r = run(file);
    const mib = r.usage.maxRssKiB / 1024;
    console.log(`${name}: exit ${r.status}, ${r.usage.wallMs.toFixed(0)} ms wall, ${r.usage.cpuMs.toFixed(0)} ms CPU, max RSS ${mib.toFixed(0)} MiB (${(fs.statSync(file).size / 1024).toFixed(0)} KiB file)`);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(message);
    expect(r.stderr).toContain(withLine ? `${file}:` : file);
    expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
    expect(r.usage.cpuMs).toBeLessThan(MAX_CPU_MS);
    expect(mib).toBeLessThan(MAX_RSS_MIB);
  });
});

describe('the limits in process', () => {
  const refusal = (text: string) => {
    try {
      parseYaml(text, 'f.yaml');
    } catch (e) {
      return (e as PandaError).issues[0];
    }
    return undefined;
  };

  it('names the line where the expansion crosses the limit', () => {
    const i = refusal(laughs());
    expect(i?.file).toBe('f.yaml');
    // a0…a5 expand to 9^6 = 531441 strings: a5's line (6) is the first past 200000
    expect(i?.line).toBe(6);
  });

  it('accepts aliases within the limits, expanded as YAML defines', () => {
    const p = parseYaml('base: &b {image: x, tag: "1"}\none: *b\ntwo: {<<: *b, tag: "2"}\nlist: [*b, *b]\n', 'ok.yaml');
    expect(p.value).toEqual({ base: { image: 'x', tag: '1' }, one: { image: 'x', tag: '1' }, two: { '<<': { image: 'x', tag: '1' }, tag: '2' }, list: [{ image: 'x', tag: '1' }, { image: 'x', tag: '1' }] });
    // exactly at the alias limit
    expect(refusal(`x: &x 1\nl: [${Array(YAML_LIMITS.maxAliases).fill('*x').join(',')}]\n`)).toBeUndefined();
    expect(refusal(`x: &x 1\nl: [${Array(YAML_LIMITS.maxAliases + 1).fill('*x').join(',')}]\n`)?.message).toMatch(/more than 1000 aliases/);
  });

  it('bounds size in bytes, not characters', () => {
    const text = `a: "${'é'.repeat(YAML_LIMITS.maxBytes / 2)}"\n`;
    expect(text.length).toBeLessThan(YAML_LIMITS.maxBytes);
    expect(refusal(text)?.message).toMatch(/more than the 2 MiB/);
  });
});
