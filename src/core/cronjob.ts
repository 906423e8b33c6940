/**
 * Scheduled work: a CronJob whose runs never overlap, with the pod defaults every workload shares
 * (src/core/workload.ts) and its ServiceAccount when created.
 */
import type { V1CronJob, V1ServiceAccount } from '@kubernetes/client-node';
import { meta, selectorLabels, type K8sObject, type Part } from './k8s.js';
import type { ContainerSpec } from './pod.js';
import { podTemplate, serviceAccountOf, type PodOptions } from './workload.js';

export interface CronJobSpec {
  values: Omit<PodOptions, 'kind' | 'replicaCount' | 'autoscaling'>;
  container: ContainerSpec;
  /** Cron schedule (`17 3 * * *`), in the controller's time zone. */
  schedule: string;
  /** Keep the CronJob but start no runs. */
  suspend?: boolean;
  /** Seconds after its time a missed run may still start. */
  startingDeadlineSeconds?: number;
  /** Retries of a failed run. @default 2 */
  backoffLimit?: number;
  /** Finished Jobs kept, successful and failed. @default 3 each */
  history?: { successful: number; failed: number };
}

/** The ServiceAccount (when created) and the CronJob of one sub-component (restartPolicy OnFailure). */
export function cronJob(part: Part, c: CronJobSpec): K8sObject[] {
  const { owner: o, names } = part;
  const name = names.workload;
  const saName = serviceAccountOf(c.values, name);
  const { template, claimTemplates } = podTemplate(part, { values: { ...c.values, kind: 'Deployment', replicaCount: 1, autoscaling: NO_AUTOSCALING }, container: c.container }, saName);
  if (claimTemplates.length) throw new Error(`CronJob ${name}: claim templates need a StatefulSet`);
  const cj: K8sObject & V1CronJob = {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: meta(o, name),
    spec: {
      schedule: c.schedule,
      concurrencyPolicy: 'Forbid',
      ...(c.suspend ? { suspend: true } : {}),
      ...(c.startingDeadlineSeconds !== undefined ? { startingDeadlineSeconds: c.startingDeadlineSeconds } : {}),
      successfulJobsHistoryLimit: c.history?.successful ?? 3,
      failedJobsHistoryLimit: c.history?.failed ?? 3,
      jobTemplate: {
        metadata: { labels: selectorLabels(o) },
        spec: {
          backoffLimit: c.backoffLimit ?? 2,
          template: { ...template, spec: { ...template.spec, restartPolicy: 'OnFailure' } },
        },
      },
    },
  };
  const out: K8sObject[] = [];
  if (c.values.serviceAccount.create) {
    const sa: K8sObject & V1ServiceAccount = { apiVersion: 'v1', kind: 'ServiceAccount', metadata: meta(o, saName, c.values.serviceAccount.annotations) };
    out.push(sa);
  }
  out.push(cj);
  return out;
}

const NO_AUTOSCALING = { enabled: false, minReplicas: 1, maxReplicas: 1, targetCPUUtilizationPercentage: 80 };
