/** Helpers for tests: a render context and a whole-stack render without the CLI. */
import { components } from '../components/index.js';
import type { RenderContext } from '../components/types.js';
import type { K8sObject } from '../core/k8s.js';
import { Names, resolveAffix, stackNames, type ComponentName } from '../core/names.js';
import { renderFromOptions, type RenderOptions } from './inputs.js';
import { loadSandbox } from './sandbox.js';
import { renderStack, type RenderedStack } from './stack.js';
import { readLayers, resolveValues } from '../values/load.js';

/** A context for rendering one component directly (affix `test-` unless given). */
export function testContext(component: ComponentName, affix = 'test-', secretPrefix = 'panda-secrets'): RenderContext {
  const a = resolveAffix(affix, undefined);
  const stack = stackNames(a);
  const sets = loadSandbox(component);
  return { affix: a, names: new Names(component, stack[component].release), stack, secretPrefix, sandbox: (s) => sets.get(s) ?? new Map() };
}

/** Render one component from partial values (defaults applied by its schema). */
export function renderComponent(component: ComponentName, values: unknown = {}, affix = 'test-'): K8sObject[] {
  const c = components[component] as { schema: { parse(v: unknown): unknown }; render(v: unknown, ctx: RenderContext): K8sObject[] };
  return c.render(c.schema.parse(values), testContext(component, affix));
}

/** Render like `install -t` does. */
export function renderTemplate(opts: RenderOptions = {}): K8sObject[] {
  return renderFromOptions({ affix: 'test-', ...opts }).objects;
}

export function find(objects: readonly K8sObject[], kind: string, name: string): K8sObject {
  const o = objects.find((x) => x.kind === kind && x.metadata.name === name);
  if (!o) throw new Error(`no ${kind}/${name} among ${objects.map((x) => `${x.kind}/${x.metadata.name}`).join(', ')}`);
  return o;
}

/**
 * One component as `install -t --from <checkout> [-e exp] -c <component>` renders it, reading only
 * that component's layers of the checkout (and `--set`), so a component can be checked against
 * upstream's HEAD renders while other charts' value files are still another component's concern.
 */
export function renderFromCheckout(
  component: ComponentName,
  from: string,
  opts: { experiment?: string; sets?: string[]; namespace?: string; affix?: string } = {},
): RenderedStack {
  const layers = readLayers({ from, ...(opts.experiment ? { experiment: opts.experiment } : {}), ...(opts.sets ? { sets: opts.sets } : {}) }).filter(
    (l) => l.scope[0] === component || l.source === '--set',
  );
  const payloads = components[component].payloads;
  return renderStack({
    values: resolveValues(layers),
    affix: resolveAffix(opts.affix ?? 'test-', undefined),
    selection: { enable: [component] },
    ...(opts.namespace ? { namespace: opts.namespace } : {}),
    sandbox: (c) => loadSandbox(c, [], payloads ? { from, payloads } : undefined),
  });
}
