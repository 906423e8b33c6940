/**
 * idds and bigmon from upstream HEAD's own value files (`--from`, every experiment that has an
 * overlay for them): they load unchanged, every object validates, and where upstream's HEAD render
 * exists the parity is 100% of facets with every object matched. The checkout is reduced to these
 * two charts so the check does not depend on the other components' values.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { toYamlStream } from '../../src/core/yaml.js';
import { renderFromOptions } from '../../src/render/inputs.js';
import { validationErrors } from '../../src/render/testing.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const SHARED = path.resolve(ROOT, '..', 'shared');
const HEAD = path.join(SHARED, 'upstream', 'head');
const TOOL = path.join(SHARED, 'tools', 'parity.py');
const available = fs.existsSync(path.join(HEAD, 'tree', 'helm', 'idds')) && spawnSync('python3', ['-c', 'import yaml']).status === 0;

const OVERLAYS: Record<string, readonly string[]> = {
  idds: ['none', 'atlas_testbed', 'cern', 'dev', 'doma-k8s', 'lsst', 'lsst-prod', 'sphenix'],
  bigmon: ['none', 'atlas_testbed', 'cern', 'dev', 'lsst', 'lsst-prod', 'sphenix'],
};

function reducedTree(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'head-idds-bigmon-'));
  fs.mkdirSync(path.join(dir, 'helm'));
  fs.mkdirSync(path.join(dir, 'secrets'));
  for (const c of Object.keys(OVERLAYS)) fs.symlinkSync(path.join(HEAD, 'tree', 'helm', c), path.join(dir, 'helm', c));
  fs.writeFileSync(path.join(dir, 'secrets', 'values.yaml'), '{}\n');
  return dir;
}

describe.skipIf(!available)('idds and bigmon from HEAD value files', () => {
  const tree = available ? reducedTree() : '';
  const cases = Object.entries(OVERLAYS).flatMap(([c, exps]) => exps.map((e) => [c, e] as const));

  it.each(cases)('%s, %s: loads unchanged, every object valid, HEAD render matched in full', (c, exp) => {
    const r = renderFromOptions({ from: tree, affix: 'test-', enable: [c], ...(exp !== 'none' ? { experiment: exp } : {}) });
    expect(validationErrors(r.objects)).toEqual([]);
    const ref = path.join(HEAD, 'render', exp, `${c}.yaml`);
    if (!fs.existsSync(ref)) return;
    const ours = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'head-parity-')), 'ours.yaml');
    fs.writeFileSync(ours, toYamlStream(r.objects));
    const p = spawnSync('python3', [TOOL, ref, ours, '--json'], { encoding: 'utf8' });
    const lines = p.stdout.trimEnd().split('\n');
    const last = lines.pop()!;
    expect(JSON.parse(lines.join('\n')).missing).toEqual([]);
    expect(last).toMatch(/^parity: 100\.0% of \d+ facets \(objects (\d+)\/\1 matched, 0 extra\)$/);
  });

  it('the values upstream carries unread are reported, not refused (e.g. rest.iddsServer)', () => {
    const r = renderFromOptions({ from: tree, affix: 'test-', enable: ['idds'], experiment: 'lsst' });
    expect(r.ignored.map((i) => i.where)).toEqual(
      expect.arrayContaining(['idds.rest.iddsServer', 'idds.rest.persistentvolumerequests.requestpath', 'idds.rest.persistentvolumerequests_test', 'idds.postgres.database']),
    );
    expect(r.ignored.every((i) => i.file && i.line)).toBe(true);
  });
});
