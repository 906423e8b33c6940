/**
 * The npm package holds what a user runs and nothing else, and works from the tarball: packed
 * (`npm pack`, after the build), installed into an empty directory with the dependencies the
 * project's lock pins (from npm's cache, offline), then run.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { builtinModules } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));

interface PackEntry {
  filename: string;
  files: { path: string }[];
}
function pack(dest: string): PackEntry {
  // the build ran before the tests (scripts/test.sh, npm run test:unit): no prepack here
  const out = execFileSync('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', dest], { cwd: ROOT, encoding: 'utf8' });
  return (JSON.parse(out) as PackEntry[])[0]!;
}

describe('npm package', { timeout: 300_000 }, () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'panda-k8s-pack-'));
  const packed = pack(tmp);
  const files = packed.files.map((f) => f.path);

  it('holds the bundled CLI, its data, LICENSE and docs; no tests, goldens or sources', () => {
    for (const f of ['LICENSE', 'README.md', 'package.json', 'bin/panda-k8s.js', 'bin/install', 'dist/bundle/cli.cjs', 'schema/values.schema.json', 'docs/cli.md']) expect(files, f).toContain(f);
    expect(files.some((f) => f.startsWith('experiments/lsst/'))).toBe(true);
    expect(files.some((f) => f.startsWith('src/secrets/files/iam_conf/'))).toBe(true);
    expect(files.some((f) => /^src\/components\/[^/]+\/sandbox\//.test(f))).toBe(true);
    const unwanted = files.filter((f) => /(^|\/)test\/|\.test\.|golden|\.ts$|\.mts$|^scripts\/|^bench\/|^dist\/(?!bundle\/)|tsconfig|vitest/.test(f));
    expect(unwanted).toEqual([]);
    // every file from src/ is data the CLI reads: sandbox and secrets files
    expect(files.filter((f) => f.startsWith('src/') && !/^src\/(components\/[^/]+\/sandbox|secrets\/files)\//.test(f))).toEqual([]);
  });

  it('package.json: license, repository, only the unbundled dependency, prepack', () => {
    expect(pkg.license).toBe('Apache-2.0');
    expect(fs.readFileSync(path.join(ROOT, 'LICENSE'), 'utf8')).toMatch(/Apache License\s+Version 2\.0/);
    expect(pkg.repository?.url).toMatch(/^git\+https:\/\//);
    expect(Object.keys(pkg.dependencies)).toEqual(['@kubernetes/client-node']);
    expect(pkg.scripts.prepare).toBeUndefined();
    expect(pkg.scripts.prepack).toBe('npm run build');
    // what the bundle leaves outside is exactly what the package depends on
    const bundle = fs.readFileSync(path.join(ROOT, 'dist', 'bundle', 'cli.cjs'), 'utf8');
    const required = new Set([...bundle.matchAll(/require\("([^"./][^"]*)"\)/g)].map((m) => m[1]!).filter((m) => !m.startsWith('node:') && !builtinModules.includes(m)));
    expect([...required].filter((m) => !(m in pkg.dependencies))).toEqual([]);
    expect([...required]).toContain('@kubernetes/client-node');
  });

  it('links in the shipped Markdown point at shipped files', () => {
    const broken: string[] = [];
    for (const f of files.filter((x) => x.endsWith('.md'))) {
      const text = fs.readFileSync(path.join(ROOT, f), 'utf8');
      for (const m of text.matchAll(/\]\(([^)#\s]+)(#[^)]*)?\)/g)) {
        const target = m[1]!;
        if (/^[a-z]+:/.test(target)) continue;
        const resolved = path.posix.normalize(path.posix.join(path.posix.dirname(f), target));
        if (!files.includes(resolved) && !files.some((x) => x.startsWith(`${resolved}/`))) broken.push(`${f}: ${target}`);
      }
    }
    expect(broken).toEqual([]);
  });

  it('installs from the tarball into an empty directory and runs install -t', () => {
    const app = path.join(tmp, 'app');
    fs.mkdirSync(app);
    const tarball = `file:${path.join(tmp, packed.filename)}`;
    // the lock pins the runtime dependencies as the project's lock does, so npm ci finds them in its cache
    const lock = JSON.parse(fs.readFileSync(path.join(ROOT, 'package-lock.json'), 'utf8'));
    const root = lock.packages[''];
    const packages: Record<string, unknown> = {
      '': { name: 'app', dependencies: { 'panda-k8s': tarball } },
      'node_modules/panda-k8s': { version: pkg.version, resolved: tarball, license: pkg.license, dependencies: root.dependencies, bin: root.bin, engines: root.engines },
    };
    for (const [k, v] of Object.entries(lock.packages as Record<string, { dev?: boolean; link?: boolean }>)) if (k && !v.dev && !v.link) packages[k] = v;
    fs.writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'app', private: true, dependencies: { 'panda-k8s': tarball } }));
    fs.writeFileSync(path.join(app, 'package-lock.json'), JSON.stringify({ name: 'app', lockfileVersion: 3, requires: true, packages }));
    const ci = spawnSync('npm', ['ci', '--offline', '--no-audit', '--no-fund'], { cwd: app, encoding: 'utf8' });
    expect(ci.status, ci.stderr).toBe(0);
    const installed = fs.readdirSync(path.join(app, 'node_modules'));
    for (const bundled of ['commander', 'zod', 'yaml', 'age-encryption']) expect(installed).not.toContain(bundled);
    const bin = path.join(app, 'node_modules', '.bin', 'panda-k8s');
    const r = spawnSync(bin, ['install', '-t', '-e', 'lsst'], { cwd: app, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const here = spawnSync('node', [path.join(ROOT, 'bin', 'panda-k8s.js'), 'install', '-t', '-e', 'lsst'], { cwd: ROOT, encoding: 'utf8' });
    expect(r.stdout).toBe(here.stdout);
    expect(spawnSync(bin, ['version', '--client'], { cwd: app, encoding: 'utf8' }).stdout).toContain(pkg.version);
  });
});
