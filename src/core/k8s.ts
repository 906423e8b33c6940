/**
 * Kubernetes object builders shared by every component: labels, ConfigMaps, Secrets, services,
 * ingress, routes, proxies (workloads: workload.ts; storage: storage.ts; databases: database.ts;
 * pods and mounts: pod.ts). Components describe *what* they deploy; these functions know *how*
 * such objects look. Everything returns fresh plain objects (no shared references).
 */
import { PandaError } from './errors.js';
import type { V1ConfigMap, V1Ingress, V1Secret, V1Service, V1ServicePort } from '@kubernetes/client-node';
import { base64Files, type FileSet } from './files.js';
import type { SubNames } from './names.js';

/** Any Kubernetes object we render. */
export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [field: string]: unknown;
}

export const LABEL = {
  name: 'app.kubernetes.io/name',
  instance: 'app.kubernetes.io/instance',
  partOf: 'app.kubernetes.io/part-of',
  managedBy: 'app.kubernetes.io/managed-by',
  component: 'panda-k8s.io/component',
  sub: 'panda-k8s.io/sub-component',
  lifecycle: 'panda-k8s.io/lifecycle',
  /** On cluster-wide objects that belong to the stack of one namespace. */
  namespace: 'panda-k8s.io/namespace',
  /** Release records: the stack (`<affix>panda-k8s`) and the revision they describe. */
  stack: 'panda-k8s.io/stack',
  revision: 'panda-k8s.io/revision',
} as const;
export const MANAGED_BY = 'panda-k8s';

/** Identity of one sub-component instance: drives labels and selectors. */
export interface Owner {
  /** Component name, or `secrets` for the secrets lifecycle. */
  component: string;
  /** Sub-component (`server`, `mariadb`, ...); the component itself for umbrella-level objects. */
  sub: string;
  release: string;
  /** `name` label; upstream's name(sub) (nameOverride or sub). */
  name: string;
}

export function owner(component: string, release: string, sub: string, nameOverride = ''): Owner {
  return { component, release, sub, name: nameOverride || sub };
}

/** Selector labels: the same pair upstream uses, so PV selectors and pods match. */
export function selectorLabels(o: Owner): Record<string, string> {
  return { [LABEL.name]: o.name, [LABEL.instance]: o.release };
}

export function labels(o: Owner): Record<string, string> {
  return {
    ...selectorLabels(o),
    [LABEL.partOf]: 'panda',
    [LABEL.managedBy]: MANAGED_BY,
    [LABEL.component]: o.component,
    [LABEL.sub]: o.sub,
  };
}

/** One sub-component instance as the builders need it: its labels and its object names. */
export interface Part {
  owner: Owner;
  names: SubNames;
}

export function meta(o: Owner, name: string, annotations?: Record<string, string>): K8sObject['metadata'] {
  const m: K8sObject['metadata'] = { name, labels: labels(o) };
  if (annotations && Object.keys(annotations).length) m.annotations = { ...annotations };
  return m;
}

export function configMap(o: Owner, name: string, data: Record<string, string> | null): K8sObject & V1ConfigMap {
  const cm: K8sObject & V1ConfigMap = { apiVersion: 'v1', kind: 'ConfigMap', metadata: meta(o, name) };
  if (data && Object.keys(data).length) cm.data = { ...data };
  return cm;
}

/** A file set, as ConfigMap `binaryData` (base64 of each file, keyed by base name). */
export function binaryConfigMap(o: Owner, name: string, files: FileSet): K8sObject & V1ConfigMap {
  const binaryData = base64Files(files);
  // an empty map is not stored: read back, the field is gone (a difference to GitOps tools)
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: meta(o, name), ...(Object.keys(binaryData).length ? { binaryData } : {}) };
}

export function secret(o: Owner, name: string, body: { stringData?: Record<string, string>; data?: Record<string, string> }): K8sObject & V1Secret {
  const s: K8sObject & V1Secret = { apiVersion: 'v1', kind: 'Secret', metadata: meta(o, name), type: 'Opaque' };
  if (body.stringData) s.stringData = { ...body.stringData };
  if (body.data) s.data = { ...body.data };
  return s;
}

export interface PortSpec {
  name: string;
  port: number;
  /** Container port (name, or number) the Service targets. */
  targetPort: string | number;
}

export function service(o: Owner, name: string, ports: PortSpec[], type = 'ClusterIP'): K8sObject & V1Service {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: meta(o, name),
    spec: {
      type,
      ports: ports.map((p): V1ServicePort => ({ name: p.name, port: p.port, targetPort: p.targetPort, protocol: 'TCP' })),
      selector: selectorLabels(o),
    },
  };
}

/** Ingress options (`ingressSchema` in values). */
export interface IngressOptions {
  className: string;
  annotations: Record<string, string>;
  hosts: { domain: string; hostOverride: string; paths: { path: string; pathType: string }[] }[];
  tls: { secretName?: unknown; hosts: { domain: string; hostOverride: string }[] }[];
}

/** TLS of a Route (`routeSchema`). */
export interface RouteTls {
  termination: string;
  insecureEdgeTerminationPolicy: string;
}

/** Proxy options (`proxyFields`). */
export interface ProxyOptions {
  httpProxy: string;
  httpsProxy: string;
  noProxy: string;
}

/** The common Ingress: host `<hostOverride>` or `<name>.<domain>`, backend the Service on `port`. */
export function ingress(o: Owner, name: string, v: IngressOptions, port: number): K8sObject & V1Ingress {
  const host = (h: { domain: string; hostOverride: string }) => h.hostOverride || `${name}.${h.domain}`;
  const ing: K8sObject & V1Ingress = {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: meta(o, name, v.annotations),
    spec: {
      ...(v.className ? { ingressClassName: v.className } : {}),
      rules: v.hosts.map((h) => ({
        host: host(h),
        http: {
          paths: h.paths.map((p) => ({ path: p.path, pathType: p.pathType, backend: { service: { name, port: { number: port } } } })),
        },
      })),
    },
  };
  if (v.tls.length) {
    ing.spec!.tls = v.tls.map((t) => ({ hosts: t.hosts.map(host), ...(typeof t.secretName === 'string' && t.secretName ? { secretName: t.secretName } : {}) }));
  }
  return ing;
}

/** An OpenShift Route to Service `service`, port `targetPort`. */
export function route(o: Owner, name: string, host: string, service: string, targetPort: string, tls?: RouteTls): K8sObject {
  return {
    apiVersion: 'route.openshift.io/v1',
    kind: 'Route',
    metadata: meta(o, name),
    spec: {
      host,
      to: { kind: 'Service', name: service, weight: 100 },
      port: { targetPort },
      ...(tls ? { tls: { ...tls } } : {}),
      wildcardPolicy: 'None',
    },
  };
}

/**
 * Proxy variables for an env ConfigMap. `https_proxy` takes `httpsProxy` (upstream took
 * `httpProxy`); `no_proxy` is the configured list or the component's default.
 */
export function proxyEnv(p: ProxyOptions, defaultNoProxy: string): Record<string, string> {
  if (!p.httpProxy && !p.httpsProxy) return {};
  const env: Record<string, string> = {};
  if (p.httpProxy) env.http_proxy = p.httpProxy;
  if (p.httpsProxy) env.https_proxy = p.httpsProxy;
  env.no_proxy = p.noProxy || defaultNoProxy;
  return env;
}

/**
 * The API server refuses ConfigMaps above 1 MiB of data (and objects above etcd's ~1.5 MiB
 * request limit). Checked at render so a big sandbox or queue configuration fails naming the
 * ConfigMap, not halfway through an install.
 */
export const MAX_CONFIGMAP_BYTES = 1024 * 1024;
export function configMapBytes(cm: K8sObject): number {
  let n = 0;
  for (const section of ['data', 'binaryData'] as const) {
    for (const [k, v] of Object.entries((cm as { data?: Record<string, string>; binaryData?: Record<string, string> })[section] ?? {})) n += k.length + Buffer.byteLength(v);
  }
  return n;
}
export function checkConfigMapSize(cm: K8sObject, max = MAX_CONFIGMAP_BYTES): void {
  const n = configMapBytes(cm);
  if (n > max)
    throw new PandaError('a ConfigMap is too large for the API server', [
      {
        where: `ConfigMap/${cm.metadata.name}`,
        message: `holds ${(n / 1048576).toFixed(2)} MiB; Kubernetes accepts at most ${(max / 1048576).toFixed(2)} MiB of ConfigMap data`,
        fix: 'leave large or unused files out of the sandbox set (--sandbox-dir), or ship them in the image or on a volume',
      },
    ]);
}
