#!/usr/bin/env node
/**
 * The second step of `npm run build`, after tsc. Most of a command's time went to loading and
 * compiling ~250 small modules, so:
 *
 * 1. the compiled CLI (dist/cli/main.js and dist/cli/compat.js) and everything it imports, zod,
 *    yaml and commander included, become one CommonJS file, dist/bundle/cli.cjs;
 *    @kubernetes/client-node stays outside it and loads only when a cluster command runs
 *    (age-encryption is inside, initialised only for post-quantum age identities: X25519 is
 *    decrypted natively, src/values/sops/age.ts);
 * 2. a few template commands run once with it (bin/panda-k8s.js with PANDA_K8S_WRITE_CODE_CACHE=1)
 *    and V8's code cache of the functions they compiled is kept in dist/bundle/cli.cjs.cache,
 *    which bin/panda-k8s.js hands to V8 so that later runs skip most parsing and compiling.
 *
 * The bundle sits two directories below the package root, like dist/core/, so the
 * package-root lookup in src/core/paths.ts finds experiments/ and the sandbox files unchanged.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const OUT = path.join(ROOT, 'dist', 'bundle');

// a new bundle never meets an old code cache
fs.rmSync(OUT, { recursive: true, force: true });
await esbuild.build({
  absWorkingDir: ROOT,
  stdin: {
    contents: "export { main } from './dist/cli/main.js';\nexport { compatMain } from './dist/cli/compat.js';\n",
    resolveDir: ROOT,
    sourcefile: 'cli-entry.js',
  },
  outfile: path.join(OUT, 'cli.cjs'),
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  external: ['@kubernetes/client-node'],
  // import() of Node's built-ins becomes require(): code compiled with vm.Script has no module loader
  supported: { 'dynamic-import': false },
  // src/core/paths.ts finds the package root from its own location
  define: { 'import.meta.url': 'importMetaUrl' },
  banner: { js: "const importMetaUrl = require('node:url').pathToFileURL(__filename).href;" },
  // a smaller file reads and loads faster; names stay, so an internal error's stack still reads
  minifyWhitespace: true,
  minifySyntax: true,
  logLevel: 'warning',
});

// Each run starts from the cache the previous one wrote, so the cache covers all of them.
const WARM_UP = [['install', '-t', '-e', 'lsst'], ['install', '-t', '-e', 'sphenix'], ['install', '-t'], ['secrets', 'install', '-t']];
for (const args of WARM_UP) {
  const r = spawnSync(process.execPath, [path.join(ROOT, 'bin', 'panda-k8s.js'), ...args], {
    cwd: OUT,
    env: { ...process.env, PANDA_K8S_WRITE_CODE_CACHE: '1' },
    stdio: ['ignore', 'ignore', 'pipe'],
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`panda-k8s ${args.join(' ')} failed while recording the code cache:\n${r.stderr}`);
}
