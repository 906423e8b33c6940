import { envFrom, ingress, owner, service, storage, vol, workload, type K8sObject } from '../../core/k8s.js';
import { defineComponent } from '../types.js';
import { iamSchema } from './values.js';

export const iam = defineComponent({
  name: 'iam',
  description: 'INDIGO IAM: OIDC identity provider for PanDA and iDDS clients, with its MariaDB database',
  subs: [
    { name: 'main', description: 'IAM login service (HTTP 8080)', after: ['mariadb'], secrets: ['iam-envs', 'iam-conf'] },
    { name: 'mariadb', description: 'MariaDB database of IAM', secrets: ['iam-db-envs', 'iam-initdb'] },
  ],
  schema: iamSchema,
  render(values, ctx): K8sObject[] {
    const release = ctx.names.release;
    const secret = (s: string) => `${ctx.secretPrefix}-${s}`;
    const out: K8sObject[] = [];

    const main = values.main;
    if (main.enabled) {
      const o = owner('iam', release, 'main', main.nameOverride);
      const name = ctx.names.sub('main', main.fullnameOverride);
      const conf = `${name}-configmap`;
      out.push(
        // Upstream's claim for IAM logs; the pod does not mount it (IAM logs to stdout).
        ...storage(o, name, main.persistentvolume, main.persistentvolume.create && main.persistentvolume.selector),
      );
      if (main.service.enabled) {
        out.push(service(o, name, [{ name: 'http', port: main.service.httpsPort, targetPort: 'http' }], main.service.type));
      }
      out.push(
        ...workload(o, {
          name,
          values: main,
          hostname: release,
          container: {
            name: 'main',
            ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }],
            envFrom: [envFrom.secret(secret('iam-envs'))],
            volumeMounts: [{ name: conf, mountPath: '/indigo-iam/config/' }],
          },
          volumes: [vol.secret(conf, secret('iam-conf'))],
        }),
      );
      if (main.ingress.enabled) out.push(ingress(o, name, main.ingress, main.service.httpsPort));
    }

    const db = values.mariadb;
    if (db.enabled) {
      const o = owner('iam', release, 'mariadb', db.nameOverride);
      const name = ctx.names.sub('mariadb', db.fullnameOverride);
      const data = `${name}-data`;
      const initdb = `${name}-initdb`;
      out.push(
        ...storage(o, name, db.persistentvolume, db.persistentvolume.create && db.persistentvolume.selector),
        service(o, name, [{ name: 'mariadb-port', port: db.service.port, targetPort: 'mariadb-port' }], db.service.type),
        ...workload(o, {
          name,
          // one database pod: never autoscaled
          values: { ...db, autoscaling: { enabled: false, minReplicas: 1, maxReplicas: 1, targetCPUUtilizationPercentage: 80 } },
          hostname: release,
          container: {
            name: 'mariadb',
            ports: [{ name: 'mariadb-port', containerPort: 3306, protocol: 'TCP' }],
            envFrom: [envFrom.secret(secret('iam-db-envs'))],
            volumeMounts: [
              { name: data, mountPath: '/var/lib/mysql' },
              { name: initdb, mountPath: '/docker-entrypoint-initdb.d/' },
            ],
          },
          volumes: [vol.pvc(data, name), vol.secret(initdb, secret('iam-initdb'))],
        }),
      );
    }
    return out;
  },
});
