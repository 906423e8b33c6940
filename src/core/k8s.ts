/**
 * Kubernetes object builders shared by every component: labels, storage, services, workloads,
 * ingress, routes, proxies. Components describe *what* they deploy; these functions know *how*
 * such objects look. Everything returns fresh plain objects (no shared references).
 */
import type {
  V1ConfigMap,
  V1Container,
  V1Deployment,
  V1Ingress,
  V1PersistentVolume,
  V1PersistentVolumeClaim,
  V1PodSpec,
  V1Secret,
  V1Service,
  V1ServiceAccount,
  V1ServicePort,
  V2HorizontalPodAutoscaler,
} from '@kubernetes/client-node';
import { PandaError } from './errors.js';
import type { ComponentName } from './names.js';
import type { IngressValues, ProxyValues, RouteValues, StorageValues, WorkloadValues } from '../values/common.js';

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
} as const;
export const MANAGED_BY = 'panda-k8s';

/** Identity of one sub-component instance: drives labels and selectors. */
export interface Owner {
  component: ComponentName | 'secrets';
  /** Sub-component (`server`, `mariadb`, ...); the component itself for umbrella-level objects. */
  sub: string;
  release: string;
  /** `name` label; upstream's name(sub) (nameOverride or sub). */
  name: string;
}

export function owner(component: ComponentName | 'secrets', release: string, sub: string, nameOverride = ''): Owner {
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

function meta(o: Owner, name: string, annotations?: Record<string, string>): K8sObject['metadata'] {
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
export function binaryConfigMap(o: Owner, name: string, files: ReadonlyMap<string, Uint8Array>): K8sObject & V1ConfigMap {
  const binaryData: Record<string, string> = {};
  for (const [k, v] of [...files].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) binaryData[k] = Buffer.from(v).toString('base64');
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: meta(o, name), binaryData };
}

export function secret(o: Owner, name: string, body: { stringData?: Record<string, string>; data?: Record<string, string> }): K8sObject & V1Secret {
  const s: K8sObject & V1Secret = { apiVersion: 'v1', kind: 'Secret', metadata: meta(o, name), type: 'Opaque' };
  if (body.stringData) s.stringData = { ...body.stringData };
  if (body.data) s.data = { ...body.data };
  return s;
}

/**
 * Storage of one sub-component: a hostPath PersistentVolume when `create`, and always a claim,
 * bound to that volume by selector when `selectorOn`.
 */
export function storage(o: Owner, name: string, v: StorageValues, selectorOn: boolean): K8sObject[] {
  return [
    ...(v.create ? [persistentVolume(o, name, { class: v.class, size: v.size, path: v.path, accessModes: v.accessModes })] : []),
    persistentVolumeClaim(o, name, { class: v.class, size: v.size, selector: selectorOn, accessModes: v.accessModes }),
  ];
}

export interface VolumeOptions {
  class: string | null;
  size: string;
  path?: string;
  reclaim?: 'Retain' | 'Delete';
  accessModes?: string[];
}

/** A PersistentVolume: hostPath when `path` is given (other sources are added by the caller). */
export function persistentVolume(o: Owner, name: string, v: VolumeOptions): K8sObject & V1PersistentVolume {
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolume',
    metadata: meta(o, name),
    spec: {
      ...(v.class !== null ? { storageClassName: v.class } : {}),
      capacity: { storage: v.size },
      accessModes: [...(v.accessModes ?? ['ReadWriteMany'])],
      ...(v.reclaim ? { persistentVolumeReclaimPolicy: v.reclaim } : {}),
      ...(v.path !== undefined ? { hostPath: { path: v.path } } : {}),
    },
  };
}

/** A claim; with `selector` it binds to the volume of the same owner by its labels. */
export function persistentVolumeClaim(
  o: Owner,
  name: string,
  v: { class: string | null; size: string; selector: boolean; accessModes?: string[]; volumeName?: string },
): K8sObject & V1PersistentVolumeClaim {
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: meta(o, name),
    spec: {
      ...(v.class !== null ? { storageClassName: v.class } : {}),
      accessModes: [...(v.accessModes ?? ['ReadWriteMany'])],
      resources: { requests: { storage: v.size } },
      ...(v.selector ? { selector: { matchLabels: selectorLabels(o) } } : {}),
      ...(v.volumeName ? { volumeName: v.volumeName } : {}),
    },
  };
}

/**
 * CVMFS repositories mounted read-only through the CVMFS CSI driver: one static PV and claim
 * `<fullname>-cvmfs-<name>` per repository (StorageClass `cvmfs`), volume `cvmfs-<name>`, mounted
 * at `/cvmfs/<repository>`.
 */
export function cvmfsVolumes(fullname: string, repositories: ReadonlyArray<{ name: string; repository: string }>) {
  const objects: K8sObject[] = [];
  const volumes: Array<{ name: string; persistentVolumeClaim: { claimName: string; readOnly: boolean } }> = [];
  const mounts: Array<{ name: string; mountPath: string; readOnly: boolean }> = [];
  for (const r of repositories) {
    const name = `${fullname}-cvmfs-${r.name}`;
    objects.push({
      apiVersion: 'v1',
      kind: 'PersistentVolume',
      metadata: { name },
      spec: {
        capacity: { storage: '1Gi' },
        accessModes: ['ReadOnlyMany'],
        storageClassName: 'cvmfs',
        persistentVolumeReclaimPolicy: 'Retain',
        csi: { driver: 'cvmfs.csi.cern.ch', volumeHandle: name, volumeAttributes: { repository: r.repository } },
      },
    });
    objects.push({
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: { name },
      spec: { accessModes: ['ReadOnlyMany'], storageClassName: 'cvmfs', volumeName: name, resources: { requests: { storage: '1Gi' } } },
    });
    volumes.push({ name: `cvmfs-${r.name}`, persistentVolumeClaim: { claimName: name, readOnly: true } });
    mounts.push({ name: `cvmfs-${r.name}`, mountPath: `/cvmfs/${r.repository}`, readOnly: true });
  }
  return { objects, volumes, mounts };
}

/**
 * The API server refuses objects above about 1.5 MiB (etcd's request limit) and ConfigMaps above
 * 1 MiB of data; a payload that large belongs on a volume. Checked here so a big sandbox or queue
 * configuration fails at render, naming the object, not halfway through an install.
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

export interface PortSpec {
  name: string;
  port: number;
  /** Container port name the Service targets. */
  targetPort: string;
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

export interface WorkloadSpec {
  /** Deployment (default) or StatefulSet. */
  kind?: 'Deployment' | 'StatefulSet';
  name: string;
  values: WorkloadValues;
  container: V1Container;
  volumes?: V1PodSpec['volumes'];
  /** Pod hostname (upstream sets `<R>` on several pods). */
  hostname?: string;
  /** StatefulSet: its governing Service. */
  serviceName?: string;
  /** StatefulSet: per-pod claims, for volumes with no claim of their own. */
  volumeClaimTemplates?: unknown[];
  /** StatefulSet: further spec fields (retention policy, update strategy). */
  statefulSpec?: Record<string, unknown>;
}

/** A Deployment or StatefulSet with the pod defaults every component shares, plus its ServiceAccount and HPA when enabled. */
export function workload(o: Owner, w: WorkloadSpec): K8sObject[] {
  const v = w.values;
  const saName = v.serviceAccount.create ? v.serviceAccount.name || w.name : v.serviceAccount.name || 'default';
  const pod: V1PodSpec = {
    ...(v.imagePullSecrets.length ? { imagePullSecrets: structuredClone(v.imagePullSecrets) as V1PodSpec['imagePullSecrets'] } : {}),
    serviceAccountName: saName,
    securityContext: structuredClone(v.podSecurityContext) as V1PodSpec['securityContext'],
    ...(w.hostname ? { hostname: w.hostname } : {}),
    containers: [
      {
        securityContext: structuredClone(v.securityContext),
        image: `${v.image.repository}:${v.image.tag}`,
        imagePullPolicy: v.image.pullPolicy,
        resources: structuredClone(v.resources),
        ...w.container,
      } as V1Container,
    ],
    ...(w.volumes && w.volumes.length ? { volumes: w.volumes } : {}),
    ...(Object.keys(v.nodeSelector).length ? { nodeSelector: { ...v.nodeSelector } } : {}),
    ...(Object.keys(v.affinity).length ? { affinity: structuredClone(v.affinity) as V1PodSpec['affinity'] } : {}),
    ...(v.tolerations.length ? { tolerations: structuredClone(v.tolerations) as V1PodSpec['tolerations'] } : {}),
  };
  const kind = w.kind ?? 'Deployment';
  const deploy: K8sObject & V1Deployment = {
    apiVersion: 'apps/v1',
    kind,
    metadata: meta(o, w.name),
    spec: {
      ...(v.autoscaling.enabled ? {} : { replicas: v.replicaCount }),
      ...(kind === 'StatefulSet' ? { ...(w.statefulSpec ?? {}), ...(w.serviceName ? { serviceName: w.serviceName } : {}) } : {}),
      selector: { matchLabels: selectorLabels(o) },
      template: {
        metadata: {
          labels: selectorLabels(o),
          ...(Object.keys(v.podAnnotations).length ? { annotations: { ...v.podAnnotations } } : {}),
        },
        spec: pod,
      },
      ...(kind === 'StatefulSet' && w.volumeClaimTemplates?.length ? { volumeClaimTemplates: w.volumeClaimTemplates } : {}),
    } as V1Deployment['spec'],
  };
  const out: K8sObject[] = [];
  if (v.serviceAccount.create) {
    const sa: K8sObject & V1ServiceAccount = { apiVersion: 'v1', kind: 'ServiceAccount', metadata: meta(o, saName, v.serviceAccount.annotations) };
    out.push(sa);
  }
  out.push(deploy);
  if (v.autoscaling.enabled) out.push(hpa(o, w.name, v.autoscaling, kind));
  return out;
}

function hpa(o: Owner, name: string, a: WorkloadValues['autoscaling'], kind: string): K8sObject {
  const metric = (resource: string, pct: number) => ({
    type: 'Resource',
    resource: { name: resource, target: { type: 'Utilization', averageUtilization: pct } },
  });
  const h: K8sObject & V2HorizontalPodAutoscaler = {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: meta(o, name),
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind, name },
      minReplicas: a.minReplicas,
      maxReplicas: a.maxReplicas,
      metrics: [
        metric('cpu', a.targetCPUUtilizationPercentage),
        ...(a.targetMemoryUtilizationPercentage ? [metric('memory', a.targetMemoryUtilizationPercentage)] : []),
      ],
    },
  };
  return h;
}

/** The common Ingress: host `<hostOverride>` or `<name>.<domain>`, backend the Service on `port`. */
export function ingress(o: Owner, name: string, v: IngressValues, port: number): K8sObject & V1Ingress {
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
export function route(o: Owner, name: string, host: string, service: string, targetPort: string, tls?: RouteValues['tls']): K8sObject {
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
export function proxyEnv(p: ProxyValues, defaultNoProxy: string): Record<string, string> {
  if (!p.httpProxy && !p.httpsProxy) return {};
  const env: Record<string, string> = {};
  if (p.httpProxy) env.http_proxy = p.httpProxy;
  if (p.httpsProxy) env.https_proxy = p.httpsProxy;
  env.no_proxy = p.noProxy || defaultNoProxy;
  return env;
}

/** Mount helpers. */
export const vol = {
  pvc: (name: string, claimName: string) => ({ name, persistentVolumeClaim: { claimName } }),
  configMap: (name: string, cm: string, defaultMode?: number) => ({ name, configMap: { name: cm, ...(defaultMode ? { defaultMode } : {}) } }),
  secret: (name: string, secretName: string) => ({ name, secret: { secretName } }),
  projected: (name: string, sources: Array<{ configMap?: string; secret?: string }>) => ({
    name,
    projected: {
      sources: sources.map((s) => (s.configMap ? { configMap: { name: s.configMap } } : { secret: { name: s.secret! } })),
    },
  }),
};

export const envFrom = {
  secret: (name: string) => ({ secretRef: { name } }),
  configMap: (name: string) => ({ configMapRef: { name } }),
};
