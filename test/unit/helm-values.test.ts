/**
 * Helm's value semantics through the whole loader: the --set family onto the value files, `-f -`,
 * null deletes (in the JSON Schema too), and secrets values files under `secrets install`.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import { PandaError } from '../../src/core/errors.js';
import { jsonSchema, readLayers, resolveValues } from '../../src/render/values.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const UPSTREAM_SECRETS = path.join(ROOT, '..', 'shared', 'upstream', 'head', 'tree', 'secrets', 'values.yaml');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'panda-k8s-helm-values-'));
function file(name: string, text: string): string {
  const p = path.join(tmp, name);
  fs.writeFileSync(p, text);
  return p;
}
const cli = (args: string[], input?: string) => spawnSync('node', [path.join(ROOT, 'bin', 'panda-k8s.js'), ...args], { cwd: ROOT, encoding: 'utf8', ...(input !== undefined ? { input } : {}) });

describe('Helm value semantics', { timeout: 60_000 }, () => {
  it('--set takes comma-separated pairs, typed; an integer image tag is its text', () => {
    const v = resolveValues(readLayers({ sets: ['panda.server.replicaCount=2,panda.server.image.tag=20240101', 'panda.jedi.replicaCount=3'] }));
    expect(v.panda.server.replicaCount).toBe(2);
    expect(v.panda.server.image.tag).toBe('20240101');
    expect(v.panda.jedi.replicaCount).toBe(3);
    // Helm keeps 1.10 a string under --set; --set-string keeps anything a string
    expect(resolveValues(readLayers({ sets: ['panda.server.image.tag=1.10'] })).panda.server.image.tag).toBe('1.10');
    expect(resolveValues(readLayers({ setStrings: ['panda.server.image.tag=007'] })).panda.server.image.tag).toBe('007');
  });

  it('null deletes: from --set and from a file, the default applies again', () => {
    const f = file('tag.yaml', 'panda:\n  server:\n    replicaCount: 5\n    image:\n      tag: from-file\n');
    const dflt = resolveValues(readLayers({})).panda.server;
    const v = resolveValues(readLayers({ files: [f], sets: ['panda.server.image.tag=null'] })).panda.server;
    expect(v.image.tag).toBe(dflt.image.tag);
    expect(v.replicaCount).toBe(5);
    const g = file('null.yaml', 'panda:\n  server:\n    replicaCount: null\n');
    expect(resolveValues(readLayers({ files: [f, g] })).panda.server.replicaCount).toBe(dflt.replicaCount);
  });

  it('a list index edits the list of the earlier files; --set-json and --set-file', () => {
    const f = file('env.yaml', 'panda:\n  server:\n    nodeSelector: {a: b}\n    imagePullSecrets: [{name: one}, {name: two}, {name: three}]\n');
    const v = resolveValues(readLayers({ files: [f], sets: ['panda.server.imagePullSecrets[1].name=second'] })).panda.server;
    expect(v.imagePullSecrets).toEqual([{ name: 'one' }, { name: 'second' }, { name: 'three' }]);
    const j = resolveValues(readLayers({ files: [f], setJsons: ['panda.server.nodeSelector={"disk":"ssd"}', '{"panda":{"jedi":{"replicaCount":4}}}'] })).panda;
    expect(j.server.nodeSelector).toEqual({ a: 'b', disk: 'ssd' });
    expect(j.jedi.replicaCount).toBe(4);
    const tag = file('tag.txt', 'from-a-file');
    expect(resolveValues(readLayers({ setFiles: [`panda.server.image.tag=${tag}`] })).panda.server.image.tag).toBe('from-a-file');
    expect(resolveValues(readLayers({ setLiterals: ['panda.server.image.tag=a,b'] })).panda.server.image.tag).toBe('a,b');
  });

  it('bad --set expressions name the flag, the expression and the fix', () => {
    let e: unknown;
    try {
      readLayers({ sets: ['panda.server.replicaCount'], setJsons: ['panda.server.nodeSelector={"a":'], setFiles: ['panda.server.image.tag=/nonexistent'] });
    } catch (x) {
      e = x;
    }
    if (!(e instanceof PandaError)) throw new Error('expected a PandaError');
    expect(e.issues.map((i) => i.where)).toEqual(['--set-json panda.server.nodeSelector={"a":', '--set panda.server.replicaCount', '--set-file panda.server.image.tag=/nonexistent']);
    expect(e.issues[1]!.message).toMatch(/has no value/);
    expect(e.issues[2]!.message).toMatch(/file not found/);
  });

  it('-f - reads standard input', () => {
    const r = cli(['template', '-c', 'panda', '-f', '-', '-o', 'json'], 'panda:\n  server:\n    replicaCount: 3\n');
    expect(r.status, r.stderr).toBe(0);
    const sts = JSON.parse(r.stdout).items.find((o: { kind: string; metadata: { name: string } }) => o.kind === 'StatefulSet' && o.metadata.name === 'test-panda-server');
    expect(sts.spec.replicas).toBe(3);
  });

  it('the JSON Schema takes null for every key, and integer tags', () => {
    const ajv = new Ajv2020({ strict: false });
    const validate = ajv.compile(jsonSchema() as object);
    expect(validate({ panda: { server: { replicaCount: null, image: { tag: 42 }, nodeSelector: { a: null } } }, msgsvc: null }), JSON.stringify(validate.errors)).toBe(true);
    expect(validate({ panda: { server: { replicaCount: 'two' } } })).toBe(false);
    expect(validate({ panda: { server: { nosuchkey: 1 } } })).toBe(false);
  });

  it('secrets install -f takes a secrets values file; repeated files merge in order; install -f names the flag that takes it', () => {
    const second = file('second.yaml', 'iam:\n  database:\n    password: second-Pa55\n');
    const r = cli(['secrets', 'install', '-t', '-a', 'dev-', '--show-secrets', '-o', 'json', '-f', UPSTREAM_SECRETS, '--values', second]);
    expect(r.status, r.stderr).toBe(0);
    const items = JSON.parse(r.stdout).items as { metadata: { name: string }; data?: Record<string, string> }[];
    expect(items.length).toBe(31);
    expect(r.stdout).toContain(Buffer.from('second-Pa55').toString('base64'));
    // --secrets-values repeated: the later file wins, the first one's values stay
    const again = cli(['secrets', 'install', '-t', '-a', 'dev-', '--show-secrets', '--secrets-values', UPSTREAM_SECRETS, '--secrets-values', second]);
    expect(again.status, again.stderr).toBe(0);
    expect(parseAllDocuments(again.stdout).length).toBe(31);
    expect(again.stdout).toContain(Buffer.from('second-Pa55').toString('base64'));
    const wrong = cli(['install', '-t', '-f', UPSTREAM_SECRETS]);
    expect(wrong.status).toBe(2);
    expect(wrong.stderr.trim().split('\n').length).toBeLessThan(6);
    expect(wrong.stderr).toContain(`--secrets-values ${UPSTREAM_SECRETS}`);
  });
});
