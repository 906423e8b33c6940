import { database } from '../../core/database.js';
import { ingress, service, type K8sObject } from '../../core/k8s.js';
import { envFrom, mount, port, vol } from '../../core/pod.js';
import { storage } from '../../core/storage.js';
import { workload } from '../../core/workload.js';
import { secretRefs } from '../../secrets/refs.js';
import type { RenderContext } from '../define.js';
import type { IamValues } from './values.js';

export function renderIam(values: IamValues, ctx: RenderContext): K8sObject[] {
  const release = ctx.names.release;
  const out: K8sObject[] = [];

  const main = values.main;
  if (main.enabled) {
    const part = ctx.part('main', main);
    const { owner: o, names: n } = part;
    // Upstream's claim for IAM logs; the pod does not mount it (IAM logs to stdout).
    out.push(...storage(part, main.persistentvolume).objects);
    if (main.service.enabled) {
      out.push(service(o, n.service, [{ name: 'http', port: main.service.httpsPort, targetPort: 'http' }], main.service.type));
    }
    out.push(
      ...workload(part, {
        values: main,
        hostname: release,
        container: {
          name: 'main',
          ports: [port('http', 8080)],
          envFrom: [envFrom.secret(part.secret(secretRefs.iamEnvs))],
          mounts: [mount('/indigo-iam/config/', vol.secret('configmap', part.secret(secretRefs.iamConf)))],
        },
      }),
    );
    if (main.ingress.enabled) out.push(ingress(o, n.service, main.ingress, main.service.httpsPort));
  }

  const db = values.mariadb;
  if (db.enabled) {
    const part = ctx.part('mariadb', db);
    out.push(
      ...database(part, {
        engine: 'mariadb',
        values: db,
        hostname: release,
        dataPath: '/var/lib/mysql',
        envFrom: [envFrom.secret(part.secret(secretRefs.iamDbEnvs))],
        mounts: [mount('/docker-entrypoint-initdb.d/', vol.secret('initdb', part.secret(secretRefs.iamInitdb)))],
      }),
    );
  }
  return out;
}
