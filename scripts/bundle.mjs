#!/usr/bin/env node
/**
 * Prototype: bundle the compiled CLI (dist/) into a few ESM files, to measure how much of the
 * start-up goes to resolving and loading ~300 small modules (zod, yaml, commander, ours).
 *
 *   npm run build && node scripts/bundle.mjs [--minify] [--snapshot]
 *   node dist/bundle/panda-k8s.mjs install -t ...     # same CLI, bundled
 *   node bench/render.mjs --variants                  # compares them
 *
 * The bundle sits two directories below the package root (dist/bundle/), like dist/render/, so
 * the package-root lookup in render/paths finds experiments/ and the sandbox files unchanged.
 * Dynamic imports stay separate chunks (the cluster commands load only when used) and
 * @kubernetes/client-node stays external. Uses esbuild when installed, else rolldown (already
 * present as a dependency of vitest). Not wired into bin/: a measurement aid.
 *
 * --snapshot also builds V8 start-up snapshots (Node's `--build-snapshot`; needs one CommonJS file
 * and only built-in modules at build time, so the cluster client is stubbed out: template mode
 * only):
 *   dist/bundle/snap.blob       modules loaded and initialised (zod schemas built)
 *   dist/bundle/snap-warm.blob  the same after one render + serialization at build time
 * run as `node --snapshot-blob dist/bundle/snap.blob install -t ...`.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const OUT = path.join(ROOT, 'dist', 'bundle');
const ENTRY = path.join(ROOT, 'dist', 'cli', 'entry.bundle.mjs');
const minify = process.argv.includes('--minify');
const snapshot = process.argv.includes('--snapshot');
const EXTERNAL = ['@kubernetes/client-node'];

if (!fs.existsSync(path.join(ROOT, 'dist', 'cli', 'main.js'))) {
  console.error('dist/ is missing: run `npm run build` first');
  process.exit(2);
}
fs.rmSync(OUT, { recursive: true, force: true });
// the entry: what bin/panda-k8s.js does, importing dist/ relative to itself
fs.writeFileSync(ENTRY, "import { main } from './main.js';\nprocess.exitCode = await main(process.argv.slice(2));\n");

async function withEsbuild() {
  const esbuild = await import('esbuild');
  await esbuild.build({
    entryPoints: { 'panda-k8s': ENTRY },
    outdir: OUT,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    external: EXTERNAL,
    minify,
    logLevel: 'warning',
  });
  return 'esbuild';
}

async function withRolldown() {
  const { build } = await import('rolldown');
  await build({
    input: { 'panda-k8s': ENTRY },
    platform: 'node',
    external: (id) => EXTERNAL.some((e) => id === e || id.startsWith(`${e}/`)),
    logLevel: 'warn',
    output: { dir: OUT, format: 'esm', entryFileNames: '[name].mjs', chunkFileNames: '[name]-[hash].mjs', minify },
  });
  return 'rolldown';
}

let tool;
try {
  tool = await withEsbuild();
} catch (e) {
  if (e?.code !== 'ERR_MODULE_NOT_FOUND') throw e;
  tool = await withRolldown();
}
fs.rmSync(ENTRY);

if (snapshot) await buildSnapshots();

/** One CommonJS file without the cluster client, then the two snapshot blobs. */
async function buildSnapshots() {
  const { spawnSync } = await import('node:child_process');
  const { build } = await import('rolldown');
  const entry = path.join(ROOT, 'dist', 'cli', 'entry.snapshot.mjs');
  fs.writeFileSync(
    entry,
    [
      "import v8 from 'node:v8';",
      "import { main } from './main.js';",
      "import { renderFromOptions } from '../render/inputs.js';",
      "import { toYamlStream } from '../core/yaml.js';",
      "if (process.env.PANDA_K8S_SNAPSHOT_WARM) toYamlStream(renderFromOptions({ affix: 'warm-' }).objects);",
      // a snapshot is started as `node --snapshot-blob B args...`: no script path in argv
      'v8.startupSnapshot.setDeserializeMainFunction(() => main(process.argv.slice(1)).then((c) => { process.exitCode = c; }));',
      '',
    ].join('\n'),
  );
  const stub = 'export const ApiException = undefined, KubeConfig = undefined, KubernetesObjectApi = undefined, PatchStrategy = undefined;';
  const cjs = path.join(OUT, 'snapshot-entry.cjs');
  await build({
    input: entry,
    platform: 'node',
    logLevel: 'warn',
    plugins: [
      {
        name: 'no-cluster-client',
        resolveId: (id) => (EXTERNAL.some((e) => id === e || id.startsWith(`${e}/`)) ? '\0cluster-client' : null),
        load: (id) => (id === '\0cluster-client' ? stub : null),
      },
    ],
    output: { file: cjs, format: 'cjs', codeSplitting: false, minify },
  });
  fs.rmSync(entry);
  for (const [blob, warm] of [['snap.blob', false], ['snap-warm.blob', true]]) {
    const r = spawnSync(process.execPath, ['--snapshot-blob', path.join(OUT, blob), '--build-snapshot', cjs], {
      cwd: OUT,
      encoding: 'utf8',
      env: { ...process.env, ...(warm ? { PANDA_K8S_SNAPSHOT_WARM: '1' } : {}) },
    });
    if (r.status !== 0) throw new Error(`building ${blob} failed:\n${r.stderr}`);
  }
}

const files = fs.readdirSync(OUT).sort();
const size = (f) => fs.statSync(path.join(OUT, f)).size;
console.log(`bundled with ${tool}${minify ? ' (minified)' : ''} into ${path.relative(ROOT, OUT)}/:`);
for (const f of files) console.log(`  ${f.padEnd(40)} ${(size(f) / 1024).toFixed(0).padStart(6)} KiB`);
