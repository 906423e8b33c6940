import { binaryConfigMap, service, type K8sObject } from '../../core/k8s.js';
import { envFrom, mount, port, vol } from '../../core/pod.js';
import { storage } from '../../core/storage.js';
import { workload } from '../../core/workload.js';
import { secretRefs } from '../../secrets/refs.js';
import type { RenderContext } from '../define.js';
import type { MsgsvcValues } from './values.js';

export function renderMsgsvc(values: MsgsvcValues, ctx: RenderContext): K8sObject[] {
  const v = values.activemq;
  if (!v.enabled) return [];
  const part = ctx.part('activemq', v);
  const { owner: o, names: n } = part;
  const sandbox = n.configMap('sandbox');
  const data = storage(part, v.persistentvolume);
  const start = v.noRoot
    ? 'python3 /opt/activemq/sandbox/install_conf.py; /opt/activemq/bin/run-activemq-services; sleep infinity & wait'
    : 'python3 /opt/activemq/sandbox/install_conf.py; chmod -R 777 ${ACTIVEMQ_DATA}; runuser -u activemq -g activemq /opt/activemq/bin/run-activemq-services; sleep infinity & wait';
  return [
    binaryConfigMap(o, sandbox, ctx.sandbox('activemq')),
    ...data.objects,
    service(o, n.service, [{ name: 'activemq-port', port: v.service.port, targetPort: 'activemq-port' }], v.service.type),
    ...workload(part, {
      values: v,
      container: {
        name: 'activemq',
        command: ['/bin/sh', '-c'],
        args: [start],
        ports: [port('activemq-port', 61613)],
        envFrom: [envFrom.secret(part.secret(secretRefs.msgsvcEnvs))],
        mounts: [data.mount('/appdata/activemq', 'data'), mount('/opt/activemq/sandbox', vol.configMap('sandbox', sandbox))],
      },
    }),
  ];
}
