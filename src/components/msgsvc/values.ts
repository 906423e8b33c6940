import { z } from 'zod';
import { bool, storageSchema, unused, workloadFields } from '../../values/common.js';

export const activemqSchema = z
  .strictObject({
    ...workloadFields({ repository: 'ghcr.io/pandawms/panda-activemq', tag: '0.0.4', pullPolicy: 'IfNotPresent' }),
    persistentvolume: storageSchema({ path: '/mnt/activemq-data' }),
    noRoot: bool('Run ActiveMQ as the image user, without chmod/runuser (OpenShift/OKD).', false),
    service: z
      .strictObject({
        type: z.string().default('ClusterIP').describe('Service type.\n@default "ClusterIP"'),
        port: z.number().int().default(61613).describe('STOMP port of the Service.\n@default 61613'),
      })
      .prefault({}),
    initContainers: unused('Upstream `values-initcontainer.yaml` sets this; no template reads it.'),
  })
  .prefault({});

/** Values of the msgsvc component (ActiveMQ). */
export const msgsvcSchema = z.strictObject({ activemq: activemqSchema }).prefault({}).describe('Messaging service (ActiveMQ).');
export type MsgsvcValues = z.output<typeof msgsvcSchema>;
