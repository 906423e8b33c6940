/** Helpers for tests: a render context and a whole-stack render without the CLI. */
import { components } from '../components/index.js';
import type { RenderContext } from '../components/types.js';
import type { K8sObject } from '../core/k8s.js';
import { Names, resolveAffix, stackNames, type ComponentName } from '../core/names.js';
import { renderFromOptions, type RenderOptions } from './inputs.js';
import { loadSandbox } from './sandbox.js';

/** A context for rendering one component directly (affix `test-` unless given). */
export function testContext(component: ComponentName, affix = 'test-', secretPrefix = 'panda-secrets'): RenderContext {
  const a = resolveAffix(affix, undefined);
  const stack = stackNames(a);
  const sets = loadSandbox(component);
  return { affix: a, names: new Names(component, stack[component].release), stack, secretPrefix, sandbox: (s) => sets.get(s) ?? new Map(), missing: () => {}, deploymentName: '' };
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
