/**
 * Layers point down: every import of every module in src/ (tests aside) against the layer map in
 * README.md's layout section, found by the TypeScript pre-processor (static, type-only, re-exports
 * and dynamic imports alike). Only src/cluster/ may load the Kubernetes client or Node's network modules.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const SRC = path.join(ROOT, 'src');

/** The `| \`layer\` | may import | ... |` rows of README.md's layout section. */
export function layerMap(readme: string): Map<string, Set<string>> {
  const section = readme.slice(readme.indexOf('## Layout'));
  const map = new Map<string, Set<string>>();
  for (const m of section.matchAll(/^\| `([a-z]+)` \| ([^|]*) \|/gm)) {
    const allowed = m[2]!.trim() === '—' ? [] : m[2]!.split(',').map((s) => s.trim());
    map.set(m[1]!, new Set([m[1]!, ...allowed]));
  }
  return map;
}

interface Import {
  file: string;
  line: number;
  specifier: string;
  typeOnly: boolean;
}

/** Every module specifier a file names: import/export declarations, `import x = require()`, `import()`. */
export function importsOf(file: string, text: string): Import[] {
  const { importedFiles } = ts.preProcessFile(text, true, true);
  return importedFiles.map((f) => {
    // the statement the specifier ends: type-only when it starts `import type` / `export type`
    const start = Math.max(text.lastIndexOf('import', f.pos), text.lastIndexOf('export', f.pos));
    return { file, line: text.slice(0, f.pos).split('\n').length, specifier: f.fileName, typeOnly: /^(import|export)\s+type\b/.test(text.slice(start)) };
  });
}

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return sources(p);
    return e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') ? [p] : [];
  });
}

const layerOf = (file: string) => path.relative(SRC, file).split(path.sep)[0]!;

/** Packages that talk to the network: only the cluster layer may load them (types are fine elsewhere). */
const NETWORK = ['@kubernetes/client-node', 'node:http', 'node:https', 'node:net', 'node:tls', 'http', 'https', 'net', 'tls'];

export function violations(files: readonly string[], map: Map<string, Set<string>>, read = (f: string) => fs.readFileSync(f, 'utf8')): string[] {
  const out: string[] = [];
  for (const file of files) {
    const from = layerOf(file);
    const allowed = map.get(from);
    const where = (i: Import) => `${path.relative(ROOT, i.file)}:${i.line}`;
    if (!allowed) {
      out.push(`${path.relative(ROOT, file)}: layer ${JSON.stringify(from)} is not in README's layer map`);
      continue;
    }
    for (const i of importsOf(file, read(file))) {
      if (i.specifier.startsWith('.')) {
        const target = path.resolve(path.dirname(file), i.specifier);
        const to = path.relative(SRC, target).startsWith('..') ? '(outside src)' : layerOf(target);
        if (!allowed.has(to)) out.push(`${where(i)}: ${from} imports ${JSON.stringify(i.specifier)} (${to}); ${from} may import ${[...allowed].join(', ')}`);
      } else if (NETWORK.includes(i.specifier) && !i.typeOnly && from !== 'cluster') {
        out.push(`${where(i)}: ${from} loads ${i.specifier}; only cluster talks to the API server`);
      }
    }
  }
  return out;
}

describe('layers', () => {
  const map = layerMap(fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8'));

  it('README states a map for every layer in src/', () => {
    const dirs = fs.readdirSync(SRC, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name);
    expect([...map.keys()].sort()).toEqual(dirs.sort());
    expect([...map.get('core')!]).toEqual(['core']);
    expect(map.get('cluster')!.has('plan')).toBe(false);
  });

  it('every import in src/ points down the map', () => {
    expect(violations(sources(SRC), map)).toEqual([]);
  });

  it('names the file, line and import of a violation, whatever the import form', () => {
    const files = ['core/a.ts', 'plan/b.ts', 'ops/c.ts', 'render/d.ts', 'nowhere/e.ts'].map((f) => path.join(SRC, f));
    const text: Record<string, string> = {
      'core/a.ts': "import type { Plan } from '../plan/plan.js';\n",
      'plan/b.ts': "export { x } from '../ops/x.js';\nconst m = await import('../cli/main.js');\n",
      'ops/c.ts': "import { KubeConfig } from '@kubernetes/client-node';\nimport { a } from '../plan/plan.js';\n",
      'render/d.ts': "import type { V1Pod } from '@kubernetes/client-node';\nimport x = require('../cluster/kube.js');\n",
      'nowhere/e.ts': '',
    };
    const v = violations(files, map, (f) => text[path.relative(SRC, f).split(path.sep).join('/')]!);
    expect(v.map((x) => x.replace(/; \w+ may import .*$/, ''))).toEqual([
      'src/core/a.ts:1: core imports "../plan/plan.js" (plan)',
      'src/plan/b.ts:1: plan imports "../ops/x.js" (ops)',
      'src/plan/b.ts:2: plan imports "../cli/main.js" (cli)',
      'src/ops/c.ts:1: ops loads @kubernetes/client-node; only cluster talks to the API server',
      'src/render/d.ts:2: render imports "../cluster/kube.js" (cluster)',
      'src/nowhere/e.ts: layer "nowhere" is not in README\'s layer map',
    ]);
  });
});
