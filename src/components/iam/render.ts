import { envFrom, ingress, owner, service, storage, vol, workload, type K8sObject } from '../../core/k8s.js';
import { defineComponent } from '../types.js';
import { mariadbObjects } from '../iam-db/mariadb.js';
import { iamSchema } from './values.js';
import { secretName, type SecretId } from '../../secrets/refs.js';

export const iam = defineComponent({
  name: 'iam',
  dependsOn: ['iam-db'],
  description: 'INDIGO IAM: OIDC identity provider for PanDA and iDDS clients',
  subs: [
    { name: 'main', description: 'IAM login service (StatefulSet, port 8443)', after: ['mariadb'], secrets: ['iam-envs', 'iam-conf', 'iam-certs'] },
    { name: 'mariadb', description: 'Older in-chart MariaDB of IAM (off by default; the database is the iam-db component)', secrets: ['iam-db-envs', 'iam-initdb'] },
  ],
  schema: iamSchema,
  render(values, ctx): K8sObject[] {
    const release = ctx.names.release;
    const secret = (id: SecretId) => secretName(ctx.secretPrefix, id);
    const out: K8sObject[] = [];

    const main = values.main;
    if (main.enabled) {
      const o = owner('iam', release, 'main', main.nameOverride);
      const name = ctx.names.sub('main', main.fullnameOverride);
      const conf = `${name}-configmap`;
      const certs = `${name}-certs`;
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
          kind: 'StatefulSet',
          // HEAD leaves serviceName out; the IAM Service governs the pods, as for the server and jedi
          ...(main.service.enabled ? { serviceName: name } : {}),
          values: main,
          hostname: release,
          container: {
            name: 'main',
            ports: [{ name: 'http', containerPort: main.container.port, protocol: 'TCP' }],
            envFrom: [envFrom.secret(secret('iam-envs'))],
            volumeMounts: [
              { name: conf, mountPath: '/indigo-iam/config/' },
              { name: certs, mountPath: '/indigo-iam/certs/' },
            ],
          },
          volumes: [vol.secret(conf, secret('iam-conf')), vol.secret(certs, secret('iam-certs'))],
        }),
      );
      if (main.ingress.enabled) {
        // TLS always uses the secrets lifecycle's certificate, whatever `secretName` says (as HEAD)
        const tls = main.ingress.tls.map((t) => ({ ...t, secretName: secret('iam-tls-certs') }));
        out.push(ingress(o, name, { ...main.ingress, tls }, main.service.httpsPort));
      }
    }

    const db = values.mariadb;
    if (db.enabled) {
      const o = owner('iam', release, 'mariadb', db.nameOverride);
      out.push(...mariadbObjects(o, db, { name: ctx.names.sub('mariadb', db.fullnameOverride), release, secretPrefix: ctx.secretPrefix, kind: 'Deployment' }));
    }
    return out;
  },
});
