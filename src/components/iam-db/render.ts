import { binaryConfigMap, cronJob, envFrom, owner, storage, vol, type K8sObject } from '../../core/k8s.js';
import { defineComponent } from '../types.js';
import { mariadbObjects } from './mariadb.js';
import { BACKUP_DIR, BACKUP_MOUNT, iamDbSchema } from './values.js';
import { secretName } from '../../secrets/refs.js';

export const iamDb = defineComponent({
  name: 'iam-db',
  description: 'The IAM database (MariaDB) and its daily backup',
  subs: [
    { name: 'mariadb', description: 'MariaDB database of IAM (StatefulSet)', secrets: ['iam-db-envs', 'iam-initdb'] },
    { name: 'backup', description: 'Scheduled mysqldump of the IAM database to the backup volume (CronJob)', after: ['mariadb'], secrets: ['iam-envs'] },
  ],
  schema: iamDbSchema,
  render(values, ctx): K8sObject[] {
    const release = ctx.names.release;
    const out: K8sObject[] = [];
    const db = values.mariadb;
    if (db.enabled) {
      const o = owner('iam-db', release, 'mariadb', db.nameOverride);
      out.push(...mariadbObjects(o, db, { name: ctx.names.sub('mariadb', db.fullnameOverride), release, secretPrefix: ctx.secretPrefix, kind: 'StatefulSet' }));
    }
    const b = values.backup;
    if (b.enabled) {
      const o = owner('iam-db', release, 'backup', b.nameOverride);
      const name = ctx.names.sub('backup', b.fullnameOverride);
      const sandbox = `${name}-sandbox`;
      const special = `${name}-special-data`;
      const pv = b.persistentvolumespecial;
      out.push(
        binaryConfigMap(o, sandbox, ctx.sandbox('backup')),
        ...storage(o, special, { create: false, class: pv.class, path: '', size: pv.size, selector: false, accessModes: ['ReadWriteMany'] }, false),
        cronJob(o, {
          name,
          schedule: b.schedule,
          suspend: !b.autoStart,
          // a replaced run would dump the same data again; a missed run within 6 hours still starts
          startingDeadlineSeconds: 6 * 3600,
          values: { ...b, replicaCount: 1, autoscaling: { enabled: false, minReplicas: 1, maxReplicas: 1, targetCPUUtilizationPercentage: 80 } },
          container: {
            name: 'backup',
            command: ['/bin/bash', '/opt/sandbox/backup_database.sh'],
            envFrom: [envFrom.secret(secretName(ctx.secretPrefix, 'iam-envs'))],
            env: [
              { name: 'BACKUP_DIR', value: BACKUP_DIR },
              { name: 'BACKUP_KEEP', value: String(b.keep) },
            ],
            volumeMounts: [
              { name: sandbox, mountPath: '/opt/sandbox' },
              { name: special, mountPath: BACKUP_MOUNT },
            ],
          },
          volumes: [vol.configMap(sandbox, sandbox), vol.pvc(special, special)],
        }),
      );
    }
    return out;
  },
});
