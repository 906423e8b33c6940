/**
 * Workloads: a Deployment or a StatefulSet with the pod defaults every component shares, plus its
 * ServiceAccount and HorizontalPodAutoscaler when enabled. The kind comes from the values
 * (`<sub>.kind`); everything else a component varies is an option here.
 */
import type { V1Deployment, V1EnvVar, V1PodSpec, V1ServiceAccount, V1StatefulSet, V2HorizontalPodAutoscaler } from '@kubernetes/client-node';
import { meta, selectorLabels, type K8sObject, type Owner, type Part } from './k8s.js';
import { claimSpec, podVolumes, type ContainerSpec } from './pod.js';

export type WorkloadKind = 'Deployment' | 'StatefulSet';
export const WORKLOAD_KINDS = ['Deployment', 'StatefulSet'] as const satisfies readonly WorkloadKind[];

export interface AutoscalingOptions {
  enabled: boolean;
  minReplicas: number;
  maxReplicas: number;
  targetCPUUtilizationPercentage: number;
  targetMemoryUtilizationPercentage?: number | undefined;
}

/** What the values give every workload (`workloadFields` in src/values/common.ts). */
export interface PodOptions {
  kind: WorkloadKind;
  replicaCount: number;
  image: { repository: string; tag: string; pullPolicy: string };
  imagePullSecrets: readonly unknown[];
  serviceAccount: { create: boolean; annotations: Record<string, string>; name: string };
  podAnnotations: Record<string, string>;
  podSecurityContext: Record<string, unknown>;
  securityContext: Record<string, unknown>;
  resources: Record<string, unknown>;
  autoscaling: AutoscalingOptions;
  nodeSelector: Record<string, string>;
  tolerations: readonly unknown[];
  affinity: Record<string, unknown>;
  /** Env vars (EnvVar objects) appended to the main container's own. */
  extraEnv: readonly Record<string, unknown>[];
}

export interface WorkloadSpec {
  values: PodOptions;
  /** The main container: image, pull policy, resources and securityContext come from `values`. */
  container: ContainerSpec;
  /** More containers of the pod, as given. */
  sidecars?: readonly ContainerSpec[];
  initContainers?: readonly ContainerSpec[];
  /** Pod hostname (upstream sets `<R>` on several pods). */
  hostname?: string;
  /** StatefulSet: the governing Service (default: the sub-component's Service name). */
  serviceName?: string;
  /** Deployment: `Recreate` stops the old pod before the new one starts (one writer of a volume). */
  strategy?: 'Recreate' | 'RollingUpdate';
  /** False for workloads that must never be autoscaled (databases): `autoscaling` is ignored. */
  autoscale?: boolean;
}

const clone = <T>(v: unknown): T => structuredClone(v) as T;
const nonEmpty = (o: Record<string, unknown>) => Object.keys(o).length > 0;

/** The pod template every workload shares (Deployment, StatefulSet, CronJob), and its claim templates. */
export function podTemplate(part: Part, w: Pick<WorkloadSpec, 'values' | 'container' | 'sidecars' | 'initContainers' | 'hostname'>, serviceAccountName: string) {
  const v = w.values;
  const mainContainer: ContainerSpec = {
    securityContext: clone(v.securityContext),
    image: `${v.image.repository}:${v.image.tag}`,
    imagePullPolicy: v.image.pullPolicy,
    resources: clone(v.resources),
    ...w.container,
  };
  if (v.extraEnv.length) mainContainer.env = [...(w.container.env ?? []), ...clone<V1EnvVar[]>(v.extraEnv)];
  const pv = podVolumes(part.names, [mainContainer, ...(w.sidecars ?? [])], w.initContainers ?? []);
  const pod: V1PodSpec = {
    ...(v.imagePullSecrets.length ? { imagePullSecrets: clone(v.imagePullSecrets) } : {}),
    serviceAccountName,
    securityContext: clone(v.podSecurityContext),
    ...(w.hostname ? { hostname: w.hostname } : {}),
    ...(pv.initContainers.length ? { initContainers: pv.initContainers } : {}),
    containers: pv.containers,
    ...(pv.volumes.length ? { volumes: pv.volumes } : {}),
    ...(nonEmpty(v.nodeSelector) ? { nodeSelector: { ...v.nodeSelector } } : {}),
    ...(nonEmpty(v.affinity) ? { affinity: clone(v.affinity) } : {}),
    ...(v.tolerations.length ? { tolerations: clone(v.tolerations) } : {}),
  };
  const template = {
    metadata: {
      labels: selectorLabels(part.owner),
      ...(nonEmpty(v.podAnnotations) ? { annotations: { ...v.podAnnotations } } : {}),
    },
    spec: pod,
  };
  return { template, claimTemplates: pv.templates };
}

/** The ServiceAccount a workload's pods run under: its own when created, else the given or `default`. */
export function serviceAccountOf(v: Pick<PodOptions, 'serviceAccount'>, workloadName: string): string {
  return v.serviceAccount.create ? v.serviceAccount.name || workloadName : v.serviceAccount.name || 'default';
}

/** The ServiceAccount, the Deployment or StatefulSet, and the HPA of one sub-component. */
export function workload(part: Part, w: WorkloadSpec): K8sObject[] {
  const { owner: o, names } = part;
  const v = w.values;
  const name = names.workload;
  const kind = v.kind;
  const autoscaled = v.autoscaling.enabled && w.autoscale !== false;
  const saName = serviceAccountOf(v, name);
  const { template, claimTemplates } = podTemplate(part, w, saName);
  const pv = { templates: claimTemplates };
  if (pv.templates.length && kind !== 'StatefulSet') {
    throw new Error(`${kind} ${name}: claim templates (${pv.templates.map((t) => t.name).join(', ')}) need kind StatefulSet`);
  }
  const replicas = autoscaled ? {} : { replicas: v.replicaCount };
  const selector = { matchLabels: selectorLabels(o) };
  const wl: K8sObject & (V1Deployment | V1StatefulSet) =
    kind === 'StatefulSet'
      ? {
          apiVersion: 'apps/v1',
          kind,
          metadata: meta(o, name),
          spec: {
            ...replicas,
            serviceName: w.serviceName ?? names.service,
            selector,
            template,
            ...(pv.templates.length
              ? { volumeClaimTemplates: pv.templates.map((t) => claimTemplate(t.name, claimSpec(t.template))) }
              : {}),
          },
        }
      : {
          apiVersion: 'apps/v1',
          kind,
          metadata: meta(o, name),
          spec: { ...replicas, ...(w.strategy ? { strategy: { type: w.strategy } } : {}), selector, template },
        };
  const out: K8sObject[] = [];
  if (v.serviceAccount.create) {
    const sa: K8sObject & V1ServiceAccount = { apiVersion: 'v1', kind: 'ServiceAccount', metadata: meta(o, saName, v.serviceAccount.annotations) };
    out.push(sa);
  }
  out.push(wl);
  if (autoscaled) out.push(hpa(o, name, kind, v.autoscaling));
  return out;
}

function hpa(o: Owner, name: string, kind: WorkloadKind, a: AutoscalingOptions): K8sObject {
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

/**
 * A StatefulSet claim template with every field the API server defaults in it written out
 * (apiVersion, kind, volumeMode, status): read back it equals what was applied, so GitOps tools
 * that compare claim templates as a whole (Argo CD) see no difference after a sync.
 */
export function claimTemplate(name: string, spec: ReturnType<typeof claimSpec>): Record<string, unknown> {
  return { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name }, spec: { ...spec, volumeMode: 'Filesystem' }, status: { phase: 'Pending' } };
}
