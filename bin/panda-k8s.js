#!/usr/bin/env node
/**
 * Runs the CLI bundle (dist/bundle/cli.cjs, see scripts/bundle.mjs) with the V8 code cache recorded
 * when it was built, so that Node skips most of parsing and compiling it. V8 rejects a cache made
 * by another Node version, and the bundle is then compiled as usual.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';

// A command validates its values once: zod's compiled fast path (a `new Function` per object
// schema) would cost more than it saves. zod reads this shared config object when it loads.
globalThis.__zod_globalConfig = { jitless: true };

const file = fileURLToPath(new URL('../dist/bundle/cli.cjs', import.meta.url));
const cacheFile = `${file}.cache`;
let cachedData;
try {
  cachedData = fs.readFileSync(cacheFile);
} catch {
  // no cache: compile as usual
}
// the same wrapper Node's CommonJS loader puts around a module
const source = `(function (exports, require, module, __filename, __dirname) {${fs.readFileSync(file, 'utf8')}\n})`;
const script = new vm.Script(source, { filename: file, cachedData });
const cli = { exports: {} };
script.runInThisContext()(cli.exports, createRequire(file), cli, file, path.dirname(file));

process.exitCode = await cli.exports.main(process.argv.slice(2));
// scripts/bundle.mjs: keep what this run compiled
if (process.env.PANDA_K8S_WRITE_CODE_CACHE === '1') fs.writeFileSync(cacheFile, script.createCachedData());
