import { z } from 'zod';
import { bool, cvmfsSchema, databaseSchema, ingressSchema, int, proxyFields, storageSchema, str, unused, workloadFields } from '../../values/common.js';

/** HEAD's default resources of both Harvester and its MariaDB (requests = limits). */
const HEAD_RESOURCES = {
  limits: { cpu: '4000m', memory: '16Gi', 'ephemeral-storage': '50Gi' },
  requests: { cpu: '4000m', memory: '16Gi', 'ephemeral-storage': '30Gi' },
};

const statefulSet = z.enum(['Deployment', 'StatefulSet']).default('StatefulSet').describe('Workload kind (HEAD: StatefulSet).\n@default "StatefulSet"');

const nullableStr = (description: string) => z.string().nullable().optional().describe(`${description}\n@default (inherited)`);

/** HEAD's Harvester volumes keep their data when released: reclaim policy Retain by default. */

export const harvesterSubSchema = z
  .strictObject({
    ...workloadFields({ repository: 'ghcr.io/hsf/harvester', tag: 'v0.6.5', pullPolicy: 'Always' }),
    kind: statefulSet,
    resources: z.record(z.string(), z.unknown()).default(HEAD_RESOURCES).describe(`Container resources.\n@default ${JSON.stringify(HEAD_RESOURCES)}`),
    persistentvolume: storageSchema({ path: '/mnt/harvester-logs', reclaimPolicy: 'Retain' }).describe('Logs of Harvester, mounted at /var/log/panda/. With neither `create` nor `existingClaim`, the StatefulSet claims it per pod (volumeClaimTemplates, ReadWriteOnce).'),
    persistentvolumewdir: z
      .strictObject({
        create: z.boolean().optional().describe('Create a hostPath PV for the claim.\n@default (persistentvolume.create)'),
        class: nullableStr('StorageClass of the claim.'),
        path: z.string().optional().describe('hostPath of the created PV.\n@default (persistentvolume.path)'),
        size: str('Requested size.', '5Gi'),
        selector: z.boolean().optional().describe('Bind the claim to the PV created here.\n@default (persistentvolume.selector)'),
        existingClaim: str('Mount this existing claim instead of creating `<release>-wdirs`.', ''),
        subPath: str('Mount only this sub-directory of the claim.', ''),
      })
      .prefault({})
      .describe('Worker directories, claim `<release>-wdirs` mounted at /var/log/harvester_wdirs/. Unset `create`, `class`, `path` and `selector` follow `persistentvolume`, as upstream does.'),
    persistentvolumecondor: storageSchema({ path: '/mnt/harvester-condor-logs', reclaimPolicy: 'Retain' }).describe('HTCondor logs, claim `<release>-condor-logs` mounted at /var/log/condor_logs/ and served over HTTP at /condor_logs. The same `existingClaim` as `persistentvolume` shares the logs volume.'),
    sharedLogs: z
      .strictObject({
        create: bool('Create the shared RWX logs claim that other components mount by `existingClaim`/`sharedPvcName`. Create it in one component only.', false),
        name: str('Name of the shared claim (and of its PV for an existing share), e.g. `panda-shared-logs`.', ''),
        size: str('Size of the shared claim.', '50Gi'),
        shareID: str('Existing CERN Manila (CephFS) share: a static PV on cephfs.manila.csi.openstack.org is created for it. Empty: the claim is provisioned from `storageClass`.', ''),
        shareAccessID: str('Access rule ID of the Manila share.', ''),
        storageClass: str('StorageClass of a dynamically provisioned shared claim (empty: the cluster default).', ''),
      })
      .prefault({})
      .describe('The shared logs claim (`panda-shared-logs`) Harvester creates for the stack.'),
    persistentvolumespecial: z
      .strictObject({
        mount: bool('Mount a site data claim `<release>-special-data` (e.g. SLAC sdf-data-rubin) and link its job logs under /condor_logs.', false),
        class: str('StorageClass of the special claim.', 'manual'),
        path: str('Mount path; also SPECIAL_MOUNT_POINT.', '/mnt/harvester-data'),
        logpath: str('Job log directory inside the mount; SPECIAL_LOG_MOUNT_POINT, linked into /var/www/html/condor_logs/.', '/mnt/harvester-data/panda_jobs'),
        size: str('Requested size.', '5Gi'),
        selector: unused('Upstream values carry it; the special claim never uses a selector.'),
        limit: unused('Set by upstream\'s lsst-prod overlay; no template reads it.'),
      })
      .prefault({})
      .describe('A site data volume mounted into Harvester.'),
    autoStart: bool(
      'Start Harvester when the pod starts: wait for MariaDB, install the sandbox into /data/harvester and run the image launcher. When false the container only runs the image default command.',
      true,
    ),
    experiment: str(
      'Experiment whose configuration (`configmap/<experiment>.panda_harvester_configmap.json` when the checkout has one), queue configuration (`<experiment>.panda_queueconfig.json`) and setup scripts (`<experiment>.init-harvester`, ...) are used; set as EXPERIMENT in the `<release>-env` ConfigMap. An EXPERIMENT in the harvester-envs Secret wins over it. Empty sets nothing.',
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
    service: z
      .strictObject({
        type: str('Service type.', 'ClusterIP'),
        httpPort: int('HTTP port of the Service (container port 8080, the condor logs web server).', 80),
        httpsPort: int('HTTPS port of the Service (container port 8443).', 443),
      })
      .prefault({})
      .describe('The Harvester Service.'),
    ingress: ingressSchema({
      enabled: false,
      annotations: {},
      hosts: [{ domain: 'cern.ch', hostOverride: '', paths: [{ path: '/condor_logs', pathType: 'Prefix' }] }],
      fixedTlsSecret: '<secret prefix>-bigmon-tls-certs',
    }).describe('Ingress to the condor logs (`/condor_logs` on the HTTP port). Its TLS uses the `<secret prefix>-bigmon-tls-certs` Secret, as upstream (the logs are served under the BigMon host).'),
    route: z
      .strictObject({
        enabled: bool('OpenShift/OKD Route to the condor logs: path `/<deploymentName>` rewritten to `/`.', false),
        hostName: str('Host of the Route (required when enabled).', ''),
      })
      .prefault({})
      .describe('OpenShift/OKD Route to the condor logs.'),
    cvmfs: cvmfsSchema.describe('CVMFS repositories (cvmfs.csi.cern.ch, StorageClass `cvmfs`), mounted read-only at /cvmfs/<repository>.'),
    pilotcerts: unused('Upstream overlays set `pilotcerts.enabled`; no template reads it. Pilot certificates come from the harvester-certs Secret.'),
  })
  .prefault({});

export const mariadbSchema = databaseSchema('MariaDB', { repository: 'bitnami/mariadb', tag: 'latest', pullPolicy: 'IfNotPresent' }, { path: '/mnt/harvester-data' }, {
  kind: statefulSet,
  resources: z.record(z.string(), z.unknown()).default(HEAD_RESOURCES).describe(`Container resources.\n@default ${JSON.stringify(HEAD_RESOURCES)}`),
  persistentvolume: storageSchema({ path: '/mnt/harvester-data', reclaimPolicy: 'Delete' }).describe('Database files, mounted at /var/lib/mysql and /bitnami/mariadb (the official and the Bitnami image paths).'),
  dataPath: unused('Replaced by mounting the data at both /var/lib/mysql and /bitnami/mariadb; has no effect.'),
  customConfig: str(
    'MariaDB configuration, mounted as /opt/bitnami/mariadb/conf/my_custom.cnf (ConfigMap `<release>-mariadb-custom`).',
    '[mysqld]\nmax_allowed_packet=128M\ninnodb_buffer_pool_size=512M',
  ),
});

/** Values of the harvester component (Harvester and its MariaDB). */
export const harvesterSchema = z
  .strictObject({
    harvester: harvesterSubSchema.describe('Harvester: submits pilots to the computing resources on behalf of PanDA.'),
    mariadb: mariadbSchema.describe('MariaDB database of Harvester. Set `enabled: false` to use an external database (its host goes in the secrets, harvester.database.dbhost).'),
  })
  .prefault({})
  .describe('Harvester (pilot submission) and its MariaDB.');
export type HarvesterValues = z.output<typeof harvesterSchema>;
