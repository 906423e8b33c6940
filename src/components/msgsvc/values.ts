import { z } from 'zod';
import { bool, storageSchema, str, unused, workloadFields } from '../../values/common.js';

/** HEAD's resources for the broker (umbrella values). */
export const ACTIVEMQ_RESOURCES = { limits: { cpu: '4000m', memory: '16Gi' }, requests: { cpu: '4000m', memory: '16Gi' } };

export const activemqSchema = z
  .strictObject({
    ...workloadFields({ repository: 'ghcr.io/pandawms/panda-activemq', tag: '0.0.4', pullPolicy: 'IfNotPresent' }),
    resources: z.record(z.string(), z.unknown()).default(ACTIVEMQ_RESOURCES).describe(`Container resources.\n@default ${JSON.stringify(ACTIVEMQ_RESOURCES)}`),
    persistentvolume: storageSchema({ path: '/mnt/activemq-data' }),
    noRoot: bool('Run ActiveMQ as the image user, without chmod/runuser (OpenShift/OKD).', false),
    javaMemory: str(
      'JVM memory options of the broker (`ACTIVEMQ_OPTS_MEMORY`). Empty: `-Xms64M` and a maximum heap of three quarters of the memory limit (upstream always sets `-Xmx32G`, more than its own 16Gi limit), or `-Xmx32G` without a limit.',
      '',
    ),
    service: z
      .strictObject({
        type: z.string().default('ClusterIP').describe('Service type.\n@default "ClusterIP"'),
        port: z.number().int().default(61613).describe('STOMP port of the Service.\n@default 61613'),
      })
      .prefault({}),
    initContainers: unused('Upstream `values-initcontainer.yaml` sets `initContainers.enabled: ture` (misspelt); no template reads it (B28).'),
  })
  .prefault({});

/** Values of the msgsvc component (ActiveMQ). */
export const msgsvcSchema = z.strictObject({ activemq: activemqSchema }).prefault({}).describe('Messaging service (ActiveMQ).');
export type MsgsvcValues = z.output<typeof msgsvcSchema>;
