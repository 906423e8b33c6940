import { z } from 'zod';
import { bool, int, str, unused, workloadFields } from '../../values/common.js';
import { MARIADB_IMAGE, iamMariadbSchema } from './mariadb.js';

/** Where the dumps go, as upstream: below the backup volume's mount point. */
export const BACKUP_MOUNT = '/mnt/special-data';
export const BACKUP_DIR = `${BACKUP_MOUNT}/panda_jobs/backup`;

export const backupSchema = z
  .strictObject({
    ...workloadFields(MARIADB_IMAGE),
    image: z
      .strictObject({
        repository: str('Image with the MariaDB client (`mariadb-dump`/`mysqldump`); upstream used a Harvester image only for its client.', MARIADB_IMAGE.repository),
        tag: str('Image tag.', MARIADB_IMAGE.tag),
        pullPolicy: z.enum(['Always', 'IfNotPresent', 'Never']).default('IfNotPresent').describe('Image pull policy.\n@default IfNotPresent'),
      })
      .prefault({}),
    schedule: str('When the backup runs (cron syntax, the cluster\'s time zone). Upstream dumps once a day, counted from pod start.', '17 3 * * *'),
    keep: int('Dumps to keep in the backup directory, newest first; 0 keeps every dump (as upstream).', 0),
    autoStart: bool('Run the backup on its schedule; `false` suspends the CronJob.', true),
    persistentvolumespecial: z
      .strictObject({
        mount: bool(
          'Upstream: mount the backup claim at /mnt/special-data. Without it upstream writes the dumps inside the container, where they are lost; here the claim is always mounted, and this only records the choice.',
          false,
        ),
        class: z.string().nullable().default(null).describe('StorageClass of the backup claim (null: the cluster default).\n@default null'),
        size: str('Requested size of the backup claim.', '100Gi'),
      })
      .prefault({}),
    replicaCount: unused('Accepted for compatibility; the backup is a CronJob and each run is one pod.'),
    kind: unused('Accepted for compatibility; the backup is a CronJob.'),
    autoscaling: unused('Accepted for compatibility; the backup is a CronJob and is never autoscaled.'),
    noRoot: unused('Upstream carries `noRoot`; no template reads it.'),
    service: unused('Upstream carries `service.*` for the backup; no template reads it (the backup serves nothing).'),
    ingress: unused('Upstream carries `ingress.enabled` for the backup; no template reads it.'),
  })
  .prefault({});

/** Values of the iam-db component: the IAM database and its daily backup. */
export const iamDbSchema = z
  .strictObject({ mariadb: iamMariadbSchema({ enabled: true, kind: 'StatefulSet' }), backup: backupSchema })
  .prefault({})
  .describe('The IAM database (MariaDB) and its scheduled backup (mysqldump to the backup volume).');
export type IamDbValues = z.output<typeof iamDbSchema>;
