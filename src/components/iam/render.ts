import { ingress, service, type K8sObject } from '../../core/k8s.js';
import { envFrom, mount, port, vol } from '../../core/pod.js';
import { storage } from '../../core/storage.js';
import { workload } from '../../core/workload.js';
import { secretRefs } from '../../secrets/refs.js';
import type { RenderContext } from '../define.js';
import { iamMariadb } from '../iam-db/mariadb.js';
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
        // HEAD's StatefulSet has no serviceName; the IAM Service governs the pods, as for the server and jedi
        container: {
          name: 'main',
          ports: [port('http', main.container.port)],
          envFrom: [envFrom.secret(part.secret(secretRefs.iamEnvs))],
          mounts: [
            mount('/indigo-iam/config/', vol.secret('configmap', part.secret(secretRefs.iamConf))),
            mount('/indigo-iam/certs/', vol.secret('certs', part.secret(secretRefs.iamCerts))),
          ],
        },
      }),
    );
    if (main.ingress.enabled) {
      // TLS always uses the secrets lifecycle's certificate, whatever `secretName` says (as HEAD)
      const tls = main.ingress.tls.map((t) => ({ ...t, secretName: part.secret(secretRefs.iamTlsCerts) }));
      out.push(ingress(o, n.service, { ...main.ingress, tls }, main.service.httpsPort));
    }
  }

  const db = values.mariadb;
  if (db.enabled) out.push(...iamMariadb(ctx.part('mariadb', db), db, release));
  return out;
}
