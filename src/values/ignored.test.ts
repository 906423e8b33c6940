import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { unused } from './common.js';
import { ignoredKeys } from './ignored.js';
import { readLayers, resolveValues } from '../render/values.js';
import { valuesSchema } from '../components/registry.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'panda-k8s-ignored-'));
function file(name: string, text: string): string {
  const p = path.join(tmp, name);
  fs.mkdirSync(path.dirname(p), { recursive: true });
  fs.writeFileSync(p, text);
  return p;
}

describe('keys that have no effect', () => {
  it('are reported with the file and line that set them, nested in objects and lists', () => {
    const schema = z.strictObject({
      a: z.strictObject({ kept: z.string().optional(), old: unused('old is gone; use kept') }).optional(),
      list: z.array(z.strictObject({ x: z.number(), legacy: unused('legacy does nothing') })).optional(),
    });
    const f = file('one.yaml', 'a:\n  kept: yes\n  old: 1\nlist:\n  - x: 1\n  - x: 2\n    legacy: true\n');
    const layers = readLayers({ files: [f] });
    const got = ignoredKeys(layers, schema);
    expect(got).toEqual([
      { where: 'a.old', file: f, line: 3, message: 'has no effect: old is gone; use kept' },
      { where: 'list[1].legacy', file: f, line: 7, message: 'has no effect: legacy does nothing' },
    ]);
  });

  it('an unset ignored key (absent or null) is not reported', () => {
    const schema = z.strictObject({ old: unused('x') });
    expect(ignoredKeys(readLayers({ files: [file('two.yaml', 'old: null\n')] }), schema)).toEqual([]);
    expect(ignoredKeys(readLayers({ files: [file('three.yaml', '{}\n')] }), schema)).toEqual([]);
  });

  it('per-chart files: the line is found inside the chart file, --set layers name --set', () => {
    const f = file('helm/idds/values/values-x.yaml', 'rest:\n  iddsServer: host.example.org\n');
    const layers = readLayers({ files: [`idds=${f}`], sets: ['idds.rest.iddsServer=y'] });
    const got = ignoredKeys(layers, valuesSchema).filter((i) => i.where === 'idds.rest.iddsServer');
    expect(got.map((i) => [i.file, i.line])).toEqual([
      [f, 2],
      ['--set', undefined],
    ]);
  });
});

describe('per-chart globals', () => {
  it("global.secret of a chart file is the stack's; other global keys stay with that chart", () => {
    const f = file('helm/msgsvc/values.yaml', 'global:\n  secret: my-prefix\n  onlyMine: 1\n');
    const layers = readLayers({ files: [`msgsvc=${f}`] });
    expect(layers[0]!.tree).toEqual({ global: { secret: 'my-prefix' }, msgsvc: { global: { onlyMine: 1 } } });
    let issues: { where: string; line?: number }[] = [];
    try {
      resolveValues(layers);
    } catch (e) {
      issues = (e as { issues: typeof issues }).issues;
    }
    expect(issues).toEqual([expect.objectContaining({ where: 'msgsvc.global', file: f })]);
  });
});
