/**
 * The built CLI (`npm run build`: dist/bundle/cli.cjs and its code cache, run by bin/panda-k8s.js)
 * prints what the sources render, and finds the built-in experiments and sandbox files from any
 * working directory.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { toYamlStream } from '../../src/core/emit.js';
import { redactSecrets } from '../../src/cli/redact.js';
import { renderFromOptions, renderSecretsFromOptions } from '../../src/render/inputs.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

function cli(bin: string, args: string[]): string {
  const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'panda-k8s-cwd-'));
  try {
    const r = spawnSync('node', [path.join(ROOT, 'bin', bin), ...args], { cwd, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    return r.stdout;
  } finally {
    fs.rmSync(cwd, { recursive: true, force: true });
  }
}

describe('bundled CLI', () => {
  it.each(['lsst', 'sphenix'])('install -t -e %s prints what the sources render, Secret values redacted', (experiment) => {
    const objects = renderFromOptions({ experiment }).objects;
    expect(cli('panda-k8s.js', ['install', '-t', '-e', experiment])).toBe(toYamlStream(redactSecrets(objects)));
    expect(cli('panda-k8s.js', ['install', '-t', '--show-secrets', '-e', experiment])).toBe(toYamlStream(objects));
  });

  it('bin/install -t prints the same', () => {
    expect(cli('install', ['-t', '-a', '-dev'])).toBe(toYamlStream(redactSecrets(renderFromOptions({ affix: '-dev' }).objects)));
  });

  it('secrets install -t --show-secrets prints what the sources render, but for the generated key', () => {
    const printed = cli('panda-k8s.js', ['secrets', 'install', '-t', '--show-secrets']);
    const want = toYamlStream(renderSecretsFromOptions({ keystore: 'KEYSTORE' }).objects);
    // the IAM signing key is generated on each run
    const [before, after] = want.split('KEYSTORE');
    expect(printed.startsWith(before!)).toBe(true);
    expect(printed.endsWith(after!)).toBe(true);
  });
});
