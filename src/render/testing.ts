/**
 * Helpers for tests, written once: render contexts, one-component and whole-stack renders, finding
 * objects, reading pod specs, and validating objects against the Kubernetes OpenAPI schema.
 */
/* eslint-disable @typescript-eslint/no-explicit-any */
import { ConfigMap, PersistentVolume, PersistentVolumeClaim, Secret, Service, ServiceAccount } from 'kubernetes-models/v1';
import { Deployment, StatefulSet } from 'kubernetes-models/apps/v1';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import { Ingress } from 'kubernetes-models/networking.k8s.io/v1';
import { renderContext, type RenderContext } from '../components/define.js';
import { registry, type ComponentName } from '../components/registry.js';
import type { K8sObject } from '../core/k8s.js';
import { Names, resolveAffix } from '../core/names.js';
import { renderFromOptions, type RenderOptions } from './inputs.js';
import { loadSandbox } from './sandbox.js';
import { renderStack, type RenderedStack } from './stack.js';
import { readLayers, resolveValues } from './values.js';

/** A context for rendering one component directly (affix `test-` unless given). */
export function testContext(component: ComponentName, affix = 'test-', secretPrefix = 'panda-secrets'): RenderContext {
  const sets = loadSandbox(component);
  return renderContext(registry.must(component), new Names(component, resolveAffix(affix, undefined)), secretPrefix, (s) => sets.get(s) ?? new Map());
}

/** Render one component from partial values (defaults applied by its schema). */
export function renderComponent(component: ComponentName, values: unknown = {}, affix = 'test-'): K8sObject[] {
  const c = registry.must(component) as unknown as { schema: { parse(v: unknown): unknown }; render(v: unknown, ctx: RenderContext): K8sObject[] };
  return c.render(c.schema.parse(values), testContext(component, affix));
}

/**
 * One component as `install -t --from <checkout> [-e exp] -c <component>` renders it, reading only
 * that component's layers of the checkout (and `--set`), so a component can be checked against
 * upstream's HEAD renders while other charts' value files are another component's concern.
 */
export function renderFromCheckout(
  component: ComponentName,
  from: string,
  opts: { experiment?: string; sets?: string[]; namespace?: string; affix?: string } = {},
): RenderedStack {
  const layers = readLayers({ from, ...(opts.experiment ? { experiment: opts.experiment } : {}), ...(opts.sets ? { sets: opts.sets } : {}) }).filter(
    (l) => l.scope[0] === component || l.source === '--set',
  );
  const payloads = registry.must(component).payloads;
  return renderStack({
    values: resolveValues(layers),
    affix: resolveAffix(opts.affix ?? 'test-', undefined),
    selection: { enable: [component] },
    ...(opts.namespace ? { namespace: opts.namespace } : {}),
    sandbox: (c) => loadSandbox(c, [], payloads ? { from, payloads } : undefined),
  });
}

/** `--set`s that turn on the PanDA server's Envoy Gateway (with a client CA) and the node-recovery job. */
export const PANDA_GATEWAY_SETS = [
  'panda.server.hostName=panda.example.org',
  'panda.server.gateway.enabled=true',
  'panda.server.gateway.className=eg',
  'panda.server.gateway.clientCAs=-----BEGIN CERTIFICATE-----',
  'panda.nodeRecovery.enabled=true',
];

/** Render like `install -t` does. */
export function renderTemplate(opts: RenderOptions = {}): K8sObject[] {
  return renderFromOptions({ affix: 'test-', ...opts }).objects;
}

/** The object of that kind and name; throws listing what there is. Typed loosely, for assertions. */
export function find(objects: readonly K8sObject[], kind: string, name: string): any {
  const o = objects.find((x) => x.kind === kind && x.metadata.name === name);
  if (!o) throw new Error(`no ${kind}/${name} among ${kindNames(objects).join(', ')}`);
  return o;
}

/** `Kind/name` of each object, in render order. */
export function kindNames(objects: readonly K8sObject[]): string[] {
  return objects.map((o) => `${o.kind}/${o.metadata.name}`);
}

/** The pod spec of a workload. */
export const podSpec = (workload: K8sObject): any => (workload as any).spec.template.spec;

/** A container of a workload (the first by default). */
export const container = (workload: K8sObject, index = 0): any => podSpec(workload).containers[index];

/** Mount path → pod volume, of a workload's first container, with each volume's source resolved. */
export function mountsOf(workload: K8sObject, index = 0): Record<string, any> {
  const volumes = new Map<string, any>((podSpec(workload).volumes ?? []).map((v: any) => [v.name, v]));
  const out: Record<string, any> = {};
  for (const m of container(workload, index).volumeMounts ?? []) out[m.mountPath] = volumes.get(m.name) ?? { name: m.name, template: true };
  return out;
}

type ModelClass = new (data: any) => { validate(): void };
const MODELS: Record<string, ModelClass> = {
  'v1/ConfigMap': ConfigMap,
  'v1/Secret': Secret,
  'v1/Service': Service,
  'v1/ServiceAccount': ServiceAccount,
  'v1/PersistentVolume': PersistentVolume,
  'v1/PersistentVolumeClaim': PersistentVolumeClaim,
  'apps/v1/Deployment': Deployment,
  'apps/v1/StatefulSet': StatefulSet,
  'autoscaling/v2/HorizontalPodAutoscaler': HorizontalPodAutoscaler,
  'networking.k8s.io/v1/Ingress': Ingress,
};
/** Kinds of APIs that are not part of Kubernetes itself (no schema here; test/unit/openapi.test.ts covers them). */
const NO_MODEL = new Set(['route.openshift.io/v1/Route']);

/** Problems of objects the OpenAPI schema rejects (`Kind/name: error`); empty when all are valid. */
export function validationErrors(objects: readonly K8sObject[]): string[] {
  const errors: string[] = [];
  for (const o of objects) {
    const key = `${o.apiVersion}/${o.kind}`;
    if (NO_MODEL.has(key)) continue;
    const Model = MODELS[key];
    if (!Model) {
      errors.push(`${o.kind}/${o.metadata.name}: no schema for ${key}`);
      continue;
    }
    try {
      new Model(structuredClone(o)).validate();
    } catch (e) {
      errors.push(`${o.kind}/${o.metadata.name}: ${(e as Error).message}`);
    }
  }
  return errors;
}
