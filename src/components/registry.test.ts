/**
 * Everything outside a component's folder derives from the registry: a registry with one more
 * component (a UI with an upstream chart directory of another name) has it in the values schema,
 * the tiers, the required Secrets, the `--from` charts, the docs and the JSON Schema.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { service, type K8sObject } from '../core/k8s.js';
import { envFrom, port } from '../core/pod.js';
import { workload } from '../core/workload.js';
import { secretRefs } from '../secrets/refs.js';
import { secretsSchema } from '../secrets/values.js';
import { workloadFields } from '../values/common.js';
import { valuesMarkdownOf } from '../values/docs.js';
import { jsonSchemaOf } from '../values/jsonschema.js';
import { readLayers, resolveValues, type FileSystem } from '../values/load.js';
import { createRegistry, defineComponent, renderContext } from './define.js';
import { COMPONENTS, registry } from './registry.js';
import { Names, resolveAffix } from '../core/names.js';

const ui = defineComponent({
  name: 'ui',
  description: 'PanDA web UI',
  chart: 'panda-ui',
  needs: ['panda'],
  subs: [{ name: 'web', description: 'the UI server', secrets: [secretRefs.pandaEnvs] }],
  schema: z
    .strictObject({ web: z.strictObject({ ...workloadFields({ repository: 'ui', tag: '1', pullPolicy: 'IfNotPresent' }) }).prefault({}) })
    .prefault({}),
  render(v, ctx): K8sObject[] {
    if (!v.web.enabled) return [];
    const part = ctx.part('web', v.web);
    return [
      service(part.owner, part.names.service, [{ name: 'http', port: 80, targetPort: 'http' }]),
      ...workload(part, { values: v.web, container: { name: 'web', ports: [port('http', 8080)], envFrom: [envFrom.secret(part.secret(secretRefs.pandaEnvs))] } }),
    ];
  },
});

const withUi = createRegistry(secretsSchema, [...registry.list, ui]);

function memFs(files: Record<string, string>): FileSystem {
  const dirs = new Set<string>();
  for (const f of Object.keys(files)) {
    const parts = f.split('/');
    for (let i = 2; i < parts.length; i++) dirs.add(parts.slice(0, i).join('/'));
  }
  return {
    readFile: (p) => files[p] ?? '',
    exists: (p) => p in files || dirs.has(p),
    isDir: (p) => dirs.has(p),
    list: (p) => [...new Set(Object.keys(files).filter((f) => f.startsWith(`${p}/`)).map((f) => f.slice(p.length + 1).split('/')[0]!))],
  };
}

describe('the registry', () => {
  it('lists the components in upstream order, in tiers by what they need', () => {
    expect(COMPONENTS).toEqual(['msgsvc', 'iam', 'panda', 'harvester', 'idds', 'bigmon']);
    expect(registry.tiers).toEqual([['msgsvc', 'iam'], ['panda'], ['harvester', 'idds', 'bigmon']]);
    expect(registry.reverseTiers).toEqual([['harvester', 'idds', 'bigmon'], ['panda'], ['msgsvc', 'iam']]);
    expect(Object.keys(registry.valuesSchema.shape)).toEqual(['global', 'secrets', ...COMPONENTS]);
  });

  it('derives schema, tiers, charts, Secrets and docs for a component added by one line', () => {
    expect(withUi.names).toEqual([...COMPONENTS, 'ui']);
    expect(withUi.tiers).toEqual([['msgsvc', 'iam'], ['panda'], ['harvester', 'idds', 'bigmon', 'ui']]);
    expect(withUi.reverseTiers[0]).toContain('ui');
    expect(withUi.charts).toContainEqual({ component: 'ui', chart: 'panda-ui' });
    expect(withUi.valuesSchema.parse({}).ui.web.replicaCount).toBe(1);
    expect(withUi.requiredSecrets([{ name: 'ui', subs: ['web'] }], 'pfx').get('pfx-panda-envs')).toEqual(['ui.web']);
    const json = jsonSchemaOf(withUi.valuesSchema) as { properties: Record<string, unknown> };
    expect(Object.keys(json.properties)).toContain('ui');
    const md = valuesMarkdownOf(json, withUi.list);
    expect(md).toContain('| `ui` | `panda` | PanDA web UI |');
    expect(md).toContain('`ui.web.replicaCount`');
  });

  it('reads the new chart from an upstream checkout by its chart directory', () => {
    const io = memFs({
      '/co/secrets/values.yaml': 'affix: test-\n',
      '/co/helm/panda-ui/values.yaml': 'web:\n  replicaCount: 3\n',
      '/co/helm/panda-ui/values/values-lsst.yaml': 'web:\n  image:\n    tag: "2"\n',
    });
    const model = { schema: withUi.valuesSchema, charts: withUi.charts };
    const layers = readLayers(model, { from: '/co', experiment: 'lsst' }, io);
    expect(layers.map((l) => [l.source, l.scope])).toEqual([
      [path.join('/co', 'helm', 'panda-ui', 'values.yaml'), ['ui']],
      [path.join('/co', 'helm', 'panda-ui', 'values', 'values-lsst.yaml'), ['ui']],
      [path.join('/co', 'secrets', 'values.yaml'), ['secrets']],
    ]);
    const v = resolveValues(model, layers);
    expect([v.ui.web.replicaCount, v.ui.web.image.tag]).toEqual([3, '2']);
    // `-f <chart>=FILE` takes the chart directory name as well as the component name
    const f = readLayers(model, { files: ['panda-ui=/x.yaml', 'ui=/x.yaml'] }, memFs({ '/x.yaml': 'web: {}\n' }));
    expect(f.map((l) => l.scope)).toEqual([['ui'], ['ui']]);
  });

  it('renders the new component through its declaration', () => {
    const ctx = renderContext(ui, new Names('ui', resolveAffix('test-', undefined)), 'panda-secrets', () => new Map());
    const objs = ui.render(ui.schema.parse({}), ctx);
    expect(objs.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual(['Service/test-ui-web', 'Deployment/test-ui-web']);
  });

  it('refuses a sub-component or a Secret the declaration does not list', () => {
    const ctx = renderContext(ui, new Names('ui', resolveAffix('test-', undefined)), 'p', () => new Map());
    expect(() => ctx.part('api')).toThrow(/does not list/);
    expect(() => ctx.part('web').secret(secretRefs.iddsCerts)).toThrow(/idds-certs.*does not list/);
    expect(ctx.part('web').secret(secretRefs.pandaEnvs)).toBe('p-panda-envs');
  });

  it('refuses unknown needs, tier cycles, duplicates and unknown sub-component references', () => {
    const bare = (name: string, needs: string[], after: string[] = []) => defineComponent({ ...ui, name, needs, subs: [{ ...ui.subs[0]!, after }] });
    expect(() => createRegistry(secretsSchema, [bare('a', ['b'])])).toThrow(/invalid component registry/);
    expect(() => createRegistry(secretsSchema, [bare('a', ['b']), bare('b', ['a'])])).toThrow();
    expect(() => createRegistry(secretsSchema, [bare('a', []), bare('a', [])])).toThrow();
    expect(() => createRegistry(secretsSchema, [bare('a', [], ['db'])])).toThrow();
    expect(() => createRegistry(secretsSchema, [bare('secrets', [])])).toThrow();
    const issues = (() => {
      try {
        createRegistry(secretsSchema, [bare('a', ['b']), bare('c', ['c'])]);
        return [];
      } catch (e) {
        return (e as { issues: { message: string }[] }).issues.map((i) => i.message);
      }
    })();
    expect(issues).toEqual(['a needs unknown component b', 'tier cycle: c → c']);
  });
});
