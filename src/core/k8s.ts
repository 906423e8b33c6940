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
  const out: K8sObject[] = [];
  if (v.create) {
    const pv: K8sObject & V1PersistentVolume = {
      apiVersion: 'v1',
      kind: 'PersistentVolume',
      metadata: meta(o, name),
      spec: {
        ...(v.class !== null ? { storageClassName: v.class } : {}),
        capacity: { storage: v.size },
        accessModes: [...v.accessModes],
        hostPath: { path: v.path },
      },
    };
    out.push(pv);
  }
  const pvc: K8sObject & V1PersistentVolumeClaim = {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: meta(o, name),
    spec: {
      ...(v.class !== null ? { storageClassName: v.class } : {}),
      accessModes: [...v.accessModes],
      resources: { requests: { storage: v.size } },
      ...(selectorOn ? { selector: { matchLabels: selectorLabels(o) } } : {}),
    },
  };
  out.push(pvc);
  return out;
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
  name: string;
  values: WorkloadValues;
  container: V1Container;
  volumes?: V1PodSpec['volumes'];
  /** Pod hostname (upstream sets `<R>` on several pods). */
  hostname?: string;
}

/** A Deployment with the pod defaults every component shares, plus its ServiceAccount and HPA when enabled. */
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
  const deploy: K8sObject & V1Deployment = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: meta(o, w.name),
    spec: {
      ...(v.autoscaling.enabled ? {} : { replicas: v.replicaCount }),
      selector: { matchLabels: selectorLabels(o) },
      template: {
        metadata: {
          labels: selectorLabels(o),
          ...(Object.keys(v.podAnnotations).length ? { annotations: { ...v.podAnnotations } } : {}),
        },
        spec: pod,
      },
    },
  };
  const out: K8sObject[] = [];
  if (v.serviceAccount.create) {
    const sa: K8sObject & V1ServiceAccount = { apiVersion: 'v1', kind: 'ServiceAccount', metadata: meta(o, saName, v.serviceAccount.annotations) };
    out.push(sa);
  }
  out.push(deploy);
  if (v.autoscaling.enabled) out.push(hpa(o, w.name, v.autoscaling));
  return out;
}

function hpa(o: Owner, name: string, a: WorkloadValues['autoscaling']): K8sObject {
  const metric = (resource: string, pct: number) => ({
    type: 'Resource',
    resource: { name: resource, target: { type: 'Utilization', averageUtilization: pct } },
  });
  const h: K8sObject & V2HorizontalPodAutoscaler = {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: meta(o, name),
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name },
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

/** HEAD's StatefulSet form of a workload: the Deployment becomes a StatefulSet, its HPA targets it. */
export function asStatefulSet(
  objects: K8sObject[],
  opts: { serviceName: string; volumeClaimTemplates?: Array<{ name: string; storageClassName: string | null; size: string }> },
): K8sObject[] {
  return objects.map((o) => {
    if (o.kind === 'Deployment') {
      const spec = { ...(o.spec as Record<string, unknown>) };
      const { replicas, selector, template, ...rest } = spec;
      return {
        ...o,
        kind: 'StatefulSet',
        spec: {
          ...(replicas !== undefined ? { replicas } : {}),
          serviceName: opts.serviceName,
          selector,
          template,
          ...rest,
          ...(opts.volumeClaimTemplates?.length
            ? {
                volumeClaimTemplates: opts.volumeClaimTemplates.map((t) => ({
                  metadata: { name: t.name },
                  spec: {
                    ...(t.storageClassName !== null ? { storageClassName: t.storageClassName } : {}),
                    accessModes: ['ReadWriteOnce'],
                    resources: { requests: { storage: t.size } },
                  },
                })),
              }
            : {}),
        },
      };
    }
    if (o.kind === 'HorizontalPodAutoscaler') {
      const spec = o.spec as { scaleTargetRef: Record<string, string> };
      return { ...o, spec: { ...spec, scaleTargetRef: { ...spec.scaleTargetRef, kind: 'StatefulSet' } } };
    }
    return o;
  });
}

/** Read-only CVMFS through the CSI driver: per repository a PV and a PVC `<fullname>-cvmfs-<name>`, a pod volume and its mount. */
export function cvmfsObjects(
  o: Owner,
  fullname: string,
  repositories: ReadonlyArray<{ name: string; repository: string }>,
): { objects: K8sObject[]; volumes: NonNullable<V1PodSpec['volumes']>; mounts: Array<{ name: string; mountPath: string }> } {
  const objects: K8sObject[] = [];
  const volumes: NonNullable<V1PodSpec['volumes']> = [];
  const mounts: Array<{ name: string; mountPath: string }> = [];
  for (const r of repositories) {
    const name = `${fullname}-cvmfs-${r.name}`;
    objects.push(
      {
        apiVersion: 'v1',
        kind: 'PersistentVolume',
        metadata: meta(o, name),
        spec: {
          capacity: { storage: '1Gi' },
          accessModes: ['ReadOnlyMany'],
          storageClassName: 'cvmfs',
          persistentVolumeReclaimPolicy: 'Retain',
          csi: { driver: 'cvmfs.csi.cern.ch', volumeHandle: name, volumeAttributes: { repository: r.repository } },
        },
      },
      {
        apiVersion: 'v1',
        kind: 'PersistentVolumeClaim',
        metadata: meta(o, name),
        spec: { accessModes: ['ReadOnlyMany'], storageClassName: 'cvmfs', volumeName: name, resources: { requests: { storage: '1Gi' } } },
      },
    );
    volumes.push({ name: `cvmfs-${r.name}`, persistentVolumeClaim: { claimName: name, readOnly: true } });
    mounts.push({ name: `cvmfs-${r.name}`, mountPath: `/cvmfs/${r.repository}` });
  }
  return { objects, volumes, mounts };
}

/** A TCP probe on a container port with HEAD's timings. */
export const tcpProbe = (port: number, initialDelaySeconds: number, periodSeconds: number, failureThreshold = 3) => ({
  tcpSocket: { port },
  initialDelaySeconds,
  periodSeconds,
  failureThreshold,
});
