import { binaryConfigMap, type K8sObject } from '../../core/k8s.js';
import { envFrom, mount, vol } from '../../core/pod.js';
import { sharedClaim } from '../../core/storage.js';
import { cronJob } from '../../core/cronjob.js';
import { secretRefs } from '../../secrets/refs.js';
import type { RenderContext } from '../define.js';
import { iamMariadb } from './mariadb.js';
import { BACKUP_DIR, BACKUP_MOUNT, type IamDbValues } from './values.js';

export function renderIamDb(values: IamDbValues, ctx: RenderContext): K8sObject[] {
  const release = ctx.names.release;
  const out: K8sObject[] = [];
  const db = values.mariadb;
  if (db.enabled) out.push(...iamMariadb(ctx.part('mariadb', db), db, release));

  const b = values.backup;
  if (b.enabled) {
    const part = ctx.part('backup', b);
    const { owner: o, names: n } = part;
    const sandbox = n.configMap('sandbox');
    const pv = b.persistentvolumespecial;
    // the dumps always land on a claim of their own (upstream: only with `persistentvolumespecial.mount`)
    const special = n.claimFor('special-data');
    out.push(
      binaryConfigMap(o, sandbox, ctx.sandbox('backup')),
      sharedClaim(o, special, { class: pv.class, size: pv.size }),
      ...cronJob(part, {
        values: b,
        schedule: b.schedule,
        suspend: !b.autoStart,
        // a missed run (controller down, cluster upgrade) still starts within 6 hours
        startingDeadlineSeconds: 6 * 3600,
        container: {
          name: 'backup',
          command: ['/bin/bash', '/opt/sandbox/backup_database.sh'],
          envFrom: [envFrom.secret(part.secret(secretRefs.iamEnvs))],
          env: [
            { name: 'BACKUP_DIR', value: BACKUP_DIR },
            { name: 'BACKUP_KEEP', value: String(b.keep) },
          ],
          mounts: [mount('/opt/sandbox', vol.configMap('sandbox', sandbox)), mount(BACKUP_MOUNT, vol.claim('special-data', special))],
        },
      }),
    );
  }
  return out;
}
