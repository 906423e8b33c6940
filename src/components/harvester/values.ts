import { z } from 'zod';
import { bool, proxyFields, storageSchema, str, unused, workloadFields, databaseFields } from '../../values/common.js';

export const harvesterSubSchema = z
  .strictObject({
    ...workloadFields({ repository: 'ghcr.io/hsf/harvester', tag: 'v0.2.14', pullPolicy: 'Always' }),
    persistentvolume: storageSchema({ path: '/mnt/harvester-logs' }),
    autoStart: bool(
      'Start Harvester when the pod starts: wait for MariaDB, install the sandbox into /data/harvester and run the image launcher. When false the container only runs the image default command.',
      true,
    ),
    experiment: str(
      'Experiment whose queue configuration (`<experiment>.panda_queueconfig.json`) and setup scripts (`<experiment>.init-harvester`, `<experiment>.run-harvester-crons`) are used; set as EXPERIMENT in the `<release>-env` ConfigMap. An EXPERIMENT in the harvester-envs Secret wins over it. Empty sets nothing.',
      '',
    ),
    ...proxyFields,
    noProxy: str(
      'no_proxy for the container. `panda.host` (or else the stack\'s PanDA server Service) is always appended, so Harvester reaches PanDA directly. Default list: `localhost,<release>`.',
      '',
    ),
    noRoot: bool(
      'Run the launcher as the image user instead of switching to atlpan:zp from root, with group 15678 so the personal HTCondor runs (OpenShift/OKD).',
      false,
    ),
    panda: z
      .strictObject({
        host: str(
          'PanDA server host (optionally with port) added to no_proxy when a proxy is set; in the https-only case `http-<host>` too. Empty uses the stack\'s PanDA server Service name.',
          '',
        ),
      })
      .prefault({})
      .describe('The PanDA server Harvester talks to.'),
    pilotcerts: unused('Upstream overlays set `pilotcerts.enabled`; no template reads it. Pilot certificates come from the harvester-certs Secret.'),
  })
  .prefault({});

export const mariadbSchema = z
  .strictObject({
    ...databaseFields('MariaDB', { repository: 'mariadb', tag: '10.11', pullPolicy: 'IfNotPresent' }, { path: '/mnt/harvester-data' }),
    dataPath: str(
      'Where the database image keeps its data; the claim is mounted here. The official mariadb image uses /var/lib/mysql (a Bitnami image would need /bitnami/mariadb).',
      '/var/lib/mysql',
    ),
  })
  .prefault({});

/** Values of the harvester component (Harvester and its MariaDB). */
export const harvesterSchema = z
  .strictObject({
    harvester: harvesterSubSchema.describe('Harvester: submits pilots to the computing resources on behalf of PanDA.'),
    mariadb: mariadbSchema.describe('MariaDB database of Harvester. Set `enabled: false` to use an external database (its host goes in the secrets, harvester.database.dbhost).'),
  })
  .prefault({})
  .describe('Harvester (pilot submission) and its MariaDB.');
export type HarvesterValues = z.output<typeof harvesterSchema>;
