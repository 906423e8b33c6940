import { binaryConfigMap, service, type K8sObject } from '../../core/k8s.js';
import { envFrom, mount, port, vol } from '../../core/pod.js';
import { probe } from '../../core/probes.js';
import { storage } from '../../core/storage.js';
import { workload } from '../../core/workload.js';
import { secretRefs } from '../../secrets/refs.js';
import type { RenderContext } from '../define.js';
import type { MsgsvcValues } from './values.js';

const UNIT: Record<string, number> = { '': 1 / 2 ** 20, K: 1e3 / 2 ** 20, M: 1e6 / 2 ** 20, G: 1e9 / 2 ** 20, T: 1e12 / 2 ** 20, Ki: 1 / 1024, Mi: 1, Gi: 1024, Ti: 1024 ** 2 };

/** A memory quantity (`16Gi`, `512M`, `2e9`) in MiB, or undefined when it is not one. */
export function mebibytes(q: unknown): number | undefined {
  const m = /^([0-9.]+(?:e[0-9]+)?)(Ki|Mi|Gi|Ti|K|M|G|T)?$/.exec(String(q ?? ''));
  if (!m) return undefined;
  return Number(m[1]) * UNIT[m[2] ?? '']!;
}

/** `ACTIVEMQ_OPTS_MEMORY`: the configured options, or a heap that fits the container's memory limit. */
export function javaMemory(configured: string, resources: Record<string, unknown>): string {
  if (configured) return configured;
  const limit = mebibytes((resources.limits as Record<string, unknown> | undefined)?.memory);
  return limit ? `-Xms64M -Xmx${Math.max(64, Math.floor((limit * 3) / 4))}M` : '-Xms64M -Xmx32G';
}

export function renderMsgsvc(values: MsgsvcValues, ctx: RenderContext): K8sObject[] {
  const v = values.activemq;
  if (!v.enabled) return [];
  const part = ctx.part('activemq', v);
  const { owner: o, names: n } = part;
  const sandbox = n.configMap('sandbox');
  const data = storage(part, v.persistentvolume);
  const run = v.noRoot
    ? '/opt/activemq/bin/run-activemq-services'
    : 'chmod -R 777 ${ACTIVEMQ_DATA}; runuser -u activemq -g activemq /opt/activemq/bin/run-activemq-services';
  const start = `python3 /opt/activemq/sandbox/install_conf.py; export ACTIVEMQ_OPTS_MEMORY="${javaMemory(v.javaMemory, v.resources)}"; ${run}; sleep infinity & wait`;
  return [
    binaryConfigMap(o, sandbox, ctx.sandbox('activemq')),
    ...data.objects,
    service(o, n.service, [{ name: 'activemq-port', port: v.service.port, targetPort: 'activemq-port' }], v.service.type),
    ...workload(part, {
      values: v,
      // one broker owns the KahaDB store: the old pod stops before the new one starts
      strategy: 'Recreate',
      container: {
        name: 'activemq',
        command: ['/bin/sh', '-c'],
        args: [start],
        ports: [port('activemq-port', 61613)],
        livenessProbe: probe.tcp(61613, { initialDelaySeconds: 60, periodSeconds: 30, failureThreshold: 3 }),
        readinessProbe: probe.tcp(61613, { initialDelaySeconds: 30, periodSeconds: 10, failureThreshold: 3 }),
        envFrom: [envFrom.secret(part.secret(secretRefs.msgsvcEnvs))],
        mounts: [data.mount('/appdata/activemq', 'data'), mount('/opt/activemq/sandbox', vol.configMap('sandbox', sandbox))],
      },
    }),
  ];
}
