import { binaryConfigMap, envFrom, owner, service, storage, vol, workload, type K8sObject } from '../../core/k8s.js';
import { defineComponent } from '../types.js';
import { msgsvcSchema } from './values.js';

export const msgsvc = defineComponent({
  name: 'msgsvc',
  description: 'ActiveMQ message broker (STOMP) for PanDA, JEDI, iDDS and pilots',
  subs: [{ name: 'activemq', description: 'ActiveMQ broker', secrets: ['msgsvc-envs'] }],
  schema: msgsvcSchema,
  render(values, ctx): K8sObject[] {
    const v = values.activemq;
    if (!v.enabled) return [];
    const o = owner('msgsvc', ctx.names.release, 'activemq', v.nameOverride);
    const name = ctx.names.sub('activemq', v.fullnameOverride);
    const sandbox = `${name}-sandbox`;
    const start = v.noRoot
      ? 'python3 /opt/activemq/sandbox/install_conf.py; /opt/activemq/bin/run-activemq-services; sleep infinity & wait'
      : 'python3 /opt/activemq/sandbox/install_conf.py; chmod -R 777 ${ACTIVEMQ_DATA}; runuser -u activemq -g activemq /opt/activemq/bin/run-activemq-services; sleep infinity & wait';
    return [
      binaryConfigMap(o, sandbox, ctx.sandbox('activemq')),
      ...storage(o, name, v.persistentvolume, v.persistentvolume.selector),
      service(o, name, [{ name: 'activemq-port', port: v.service.port, targetPort: 'activemq-port' }], v.service.type),
      ...workload(o, {
        name,
        values: v,
        container: {
          name: 'activemq',
          command: ['/bin/sh', '-c'],
          args: [start],
          ports: [{ name: 'activemq-port', containerPort: 61613, protocol: 'TCP' }],
          envFrom: [envFrom.secret(`${ctx.secretPrefix}-msgsvc-envs`)],
          volumeMounts: [
            { name: `${name}-data`, mountPath: '/appdata/activemq' },
            { name: `${name}-sandbox`, mountPath: '/opt/activemq/sandbox' },
          ],
        },
        volumes: [vol.pvc(`${name}-data`, name), vol.configMap(`${name}-sandbox`, sandbox)],
      }),
    ];
  },
});
