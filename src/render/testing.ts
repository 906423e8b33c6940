/**
 * Helpers for tests, written once: render contexts, one-component and whole-stack renders, finding
 * objects, reading pod specs, and validating objects against the Kubernetes OpenAPI schema.
 */
/* eslint-disable @typescript-eslint/no-explicit-any */
import path from 'node:path';
import { ConfigMap, PersistentVolume, PersistentVolumeClaim, Secret, Service, ServiceAccount } from 'kubernetes-models/v1';
import { Deployment, StatefulSet } from 'kubernetes-models/apps/v1';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import { CronJob, Job } from 'kubernetes-models/batch/v1';
import { ClusterRole, ClusterRoleBinding, Role, RoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1';
import { Ingress } from 'kubernetes-models/networking.k8s.io/v1';
import { renderContext, type RenderContext } from '../components/define.js';
import { registry, type ComponentName } from '../components/registry.js';
import type { K8sObject } from '../core/k8s.js';
import { Names, resolveAffix } from '../core/names.js';
import { PACKAGE_ROOT } from '../core/paths.js';
import { renderFromOptions, type RenderOptions } from './inputs.js';
import { loadSandbox } from './sandbox.js';
import { renderStack, type RenderedStack } from './stack.js';
import { readLayers, resolveValues } from './values.js';

/** The facts beside the repository (`../shared`), read in place: upstream's value files, renders and tools. */
export const SHARED = path.resolve(PACKAGE_ROOT, '..', 'shared');
/** An operator's HEAD checkout of upstream (values, payloads, secrets files; no chart templates): what `--from` reads. */
export const HEAD_TREE = path.join(SHARED, 'upstream', 'head', 'tree');
/** A chart's folder in the HEAD checkout. */
export const headChart = (chart: string): string => path.join(HEAD_TREE, 'helm', chart);

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

/** `Kind/name` of each object, sorted (for comparing object sets regardless of render order). */
export const sortedKindNames = (objects: readonly K8sObject[]): string[] => kindNames(objects).sort();

/**
 * An object set written compactly, as `sortedKindNames` lists it: `Kind/<base><suffix>` for each
 * kind's suffixes (`''` is the base name itself).
 */
export function objectSet(base: string, suffixesByKind: Readonly<Record<string, readonly string[]>>): string[] {
  return Object.entries(suffixesByKind)
    .flatMap(([kind, suffixes]) => suffixes.map((suffix) => `${kind}/${base}${suffix}`))
    .sort();
}

/** The pod spec of a workload: a Pod's own, a CronJob's job template's, else the pod template's. */
export function podSpec(workload: K8sObject): any {
  const spec = (workload as any).spec;
  if (workload.kind === 'Pod') return spec;
  if (workload.kind === 'CronJob') return spec.jobTemplate.spec.template.spec;
  return spec.template.spec;
}

/** A container of a workload (the first by default). */
export const container = (workload: K8sObject, index = 0): any => podSpec(workload).containers[index];

/**
 * Mount path → what a container of a workload (the first by default) mounts there: the pod volume,
 * `{ name, template }` for a claim template (its spec), `{ name, missing: true }` when the mount names
 * neither; with the mount's `subPath` added when it has one.
 */
export function mountsOf(workload: K8sObject, index = 0): Record<string, any> {
  const volumes = new Map<string, any>((podSpec(workload).volumes ?? []).map((v: any) => [v.name, v]));
  for (const t of (workload as any).spec.volumeClaimTemplates ?? []) volumes.set(t.metadata.name, { name: t.metadata.name, template: t.spec });
  const out: Record<string, any> = {};
  for (const m of container(workload, index).volumeMounts ?? []) {
    const volume = volumes.get(m.name) ?? { name: m.name, missing: true };
    out[m.mountPath] = m.subPath ? { ...volume, subPath: m.subPath } : volume;
  }
  return out;
}

/** A volume's source in one word: `pvc:<claim>`, `cm:<name>`, `secret:<name>`, `emptyDir`, `template:<name>`, `missing:<name>`. */
function sourceOf(v: any): string {
  if (v.persistentVolumeClaim) return `pvc:${v.persistentVolumeClaim.claimName}`;
  if (v.configMap) return `cm:${v.configMap.name}`;
  if (v.secret) return `secret:${v.secret.secretName}`;
  if (v.emptyDir) return 'emptyDir';
  if (v.template) return `template:${v.name}`;
  if (v.missing) return `missing:${v.name}`;
  return '?';
}

/** Mount path → `source[#subPath]` (see `sourceOf`), of a container of a workload (the first by default). */
export function mountSources(workload: K8sObject, index = 0): Record<string, string> {
  return Object.fromEntries(Object.entries(mountsOf(workload, index)).map(([p, v]) => [p, `${sourceOf(v)}${v.subPath ? `#${v.subPath}` : ''}`]));
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
  'batch/v1/Job': Job,
  'batch/v1/CronJob': CronJob,
  'autoscaling/v2/HorizontalPodAutoscaler': HorizontalPodAutoscaler,
  'networking.k8s.io/v1/Ingress': Ingress,
  'rbac.authorization.k8s.io/v1/Role': Role,
  'rbac.authorization.k8s.io/v1/RoleBinding': RoleBinding,
  'rbac.authorization.k8s.io/v1/ClusterRole': ClusterRole,
  'rbac.authorization.k8s.io/v1/ClusterRoleBinding': ClusterRoleBinding,
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
