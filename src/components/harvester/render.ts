import type { V1Container, V1PodSpec, V1Volume, V1VolumeMount } from '@kubernetes/client-node';
import { PandaError, type Issue } from '../../core/errors.js';
import {
  binaryConfigMap,
  checkConfigMapSize,
  configMap,
  cvmfsVolumes,
  envFrom,
  ingress,
  owner,
  persistentVolume,
  persistentVolumeClaim,
  proxyEnv,
  route,
  service,
  vol,
  workload,
  type K8sObject,
  type Owner,
} from '../../core/k8s.js';
import { secretName, type SecretId } from '../../secrets/refs.js';
import { defineComponent, type FileSet, type RenderContext } from '../types.js';
import { harvesterConfig } from './config.js';
import { harvesterSchema, type HarvesterValues } from './values.js';

type HarvesterSub = HarvesterValues['harvester'];
type MariadbSub = HarvesterValues['mariadb'];

/** Sandbox file sets (folders under `sandbox/`, overlaid by `--sandbox-dir DIR/harvester/<set>/`). */
export const SANDBOX_SET = 'harvester';
export const QUEUECONFIG_SET = 'queueconfig';
/** Harvester's own configuration: `panda_harvester_configmap.json` and `<experiment>.panda_harvester_configmap.json`. */
export const CONFIGMAP_SET = 'configmap';
/** Component folder name as seen by `--sandbox-dir` (`DIR/harvester/<set>/`). */
const SANDBOX_FOLDER = 'harvester';
const CONFIG_FILE = 'panda_harvester_configmap.json';

/** Where the sets are in an upstream checkout (`--from`): they replace the built-in sets. */
const CHART = 'helm/harvester/charts/harvester';
export const CHECKOUT_SETS = {
  [SANDBOX_SET]: `${CHART}/sandbox`,
  [QUEUECONFIG_SET]: `${CHART}/queueconfig`,
  // the generic file at the chart root, the experiment ones under configmap/
  [CONFIGMAP_SET]: [`${CHART}`, `${CHART}/configmap`],
} as const;

/** Group the container runs with when `noRoot`, so the personal HTCondor can start. */
export const NO_ROOT_GROUP = 15678;
/** The file the health monitor writes while uWSGI, HTCondor and condor_q answer; the liveness probe reads it. */
export const HEALTHY_FILE = '/var/log/panda/harvester_healthy';

/**
 * no_proxy of the Harvester container, or undefined when no proxy is set. Starts from `noProxy`
 * (default `localhost,<fullname>`), then adds `panda.host` and the stack's PanDA server Service,
 * which is what PANDA_URL points at (upstream dereferenced an undefined `panda.host` here, B1,
 * and relied on overlays listing `-dev` names, B20). With only an https proxy, `http-<panda.host>`
 * is added as upstream does for route host names.
 */
export function harvesterNoProxy(h: HarvesterSub, fullname: string, pandaServer: string): string | undefined {
  if (!h.httpProxy && !h.httpsProxy) return undefined;
  const entries = h.noProxy ? h.noProxy.split(',') : ['localhost', fullname];
  if (h.panda.host) entries.push(h.panda.host);
  entries.push(pandaServer);
  if (!h.httpProxy && h.panda.host) entries.push(`http-${h.panda.host}`);
  return [...new Set(entries.map((e) => e.trim()).filter((e) => e !== ''))].join(',');
}

/** Shell command of the Harvester container (when `autoStart`). */
export function startCommand(noRoot: boolean): string {
  const steps = [
    // MariaDB answers ping once it accepts connections; MYSQL_PWD keeps the password out of `ps`
    'if [ "${HARVESTER_DB_HOST}" != "localhost" ]; then until MYSQL_PWD="${MARIADB_PASSWORD}" mysqladmin ping -h "${HARVESTER_DB_HOST}" -u "${MARIADB_USER}" --silent; do sleep 1; done; fi',
    'mkdir -p /data/harvester /opt/harvester/etc/queue_config /opt/harvester/etc/auth_tokens /data/tokens',
    'cp /opt/harvester/sandbox/* /data/harvester/',
    'chmod +x /data/harvester/init-harvester /data/harvester/run-harvester-crons',
    'chmod 777 /opt/harvester/etc/queue_config /opt/harvester/etc/auth_tokens',
    ...(noRoot
      ? ['/opt/harvester/etc/rc.d/init.d/run-harvester-services']
      : [
          'chown atlpan:zp /data/tokens',
          'chmod -R 777 /var/log/panda /var/log/harvester_wdirs /var/log/condor_logs',
          // the condor logs (and a site's job logs) are served by the pod's httpd at /condor_logs
          'ln -sfn /var/log/condor_logs /var/www/html/condor_logs',
          'if [ -n "${SPECIAL_LOG_MOUNT_POINT:-}" ] && [ -d "${SPECIAL_LOG_MOUNT_POINT}" ]; then ln -sfn "${SPECIAL_LOG_MOUNT_POINT}" /var/www/html/condor_logs/; fi',
          'runuser -u atlpan -g zp -- /opt/harvester/etc/rc.d/init.d/run-harvester-services',
        ]),
    'sleep infinity & wait',
  ];
  return steps.join('; ');
}

function checkText(files: FileSet, set: string, json: (file: string) => boolean): Record<string, string> {
  const data: Record<string, string> = {};
  const issues: Issue[] = [];
  const utf8 = new TextDecoder('utf-8', { fatal: true });
  for (const [file, bytes] of [...files].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const where = `sandbox ${SANDBOX_FOLDER}/${set}/${file}`;
    let text: string;
    try {
      text = utf8.decode(bytes);
    } catch {
      issues.push({ where, message: 'configuration is not UTF-8 text', fix: 'save the file as UTF-8 JSON' });
      continue;
    }
    if (json(file)) {
      try {
        JSON.parse(text);
      } catch (e) {
        issues.push({ where, message: `configuration is not valid JSON: ${(e as Error).message}`, fix: 'fix the JSON syntax' });
        continue;
      }
    }
    data[file] = text;
  }
  if (issues.length) throw new PandaError('invalid Harvester configuration', issues);
  return data;
}

/** The queue configuration files as ConfigMap data; JSON files must parse. */
export function queueConfigData(files: FileSet): Record<string, string> {
  return checkText(files, QUEUECONFIG_SET, (f) => f.endsWith('.json'));
}

/**
 * `panda_harvester_configmap.json`: the experiment's own file when the configmap set has one
 * (`<experiment>.panda_harvester_configmap.json`, e.g. atlas and doma in upstream's checkout),
 * else the set's generic file, else the built-in configuration.
 */
export function harvesterConfigText(files: FileSet, experiment: string, pandaServerUrl: string): string {
  const pick = (experiment && files.get(`${experiment}.${CONFIG_FILE}`) ? `${experiment}.${CONFIG_FILE}` : CONFIG_FILE) as string;
  const bytes = files.get(pick);
  if (!bytes) return `${JSON.stringify(harvesterConfig(pandaServerUrl), null, 2)}\n`;
  return checkText(new Map([[pick, bytes]]), CONFIGMAP_SET, () => true)[pick]!;
}

/** The claim a sub-directory mount of Harvester uses, and the objects it needs. */
interface Claim {
  objects: K8sObject[];
  /** `claimName` of the pod volume, or undefined for a volumeClaimTemplate. */
  claimName?: string;
}

function harvesterStorage(h: HarvesterSub, o: Owner, name: string): { objects: K8sObject[]; logs: Claim; wdirs: Claim; condor: Claim } {
  const pv = h.persistentvolume;
  const wd = h.persistentvolumewdir;
  const cd = h.persistentvolumecondor;
  const sub = (suffix: string): Owner => ({ ...o, name: `${o.name}-${suffix}` });
  const objects: K8sObject[] = [];

  const logs: Claim = { objects: [] };
  if (pv.existingClaim) logs.claimName = pv.existingClaim;
  else if (pv.create) {
    logs.objects.push(persistentVolume(o, name, { class: pv.class, size: pv.size, path: pv.path, reclaim: 'Retain' }));
    logs.objects.push(persistentVolumeClaim(o, name, { class: pv.class, size: pv.size, selector: pv.selector }));
    logs.claimName = name;
  }

  // unset wdirs options follow the logs volume, as upstream's template does
  const wdCreate = wd.create ?? pv.create;
  const wdClass = wd.class === undefined ? pv.class : wd.class;
  const wdirs: Claim = { objects: [] };
  if (wd.existingClaim) wdirs.claimName = wd.existingClaim;
  else {
    if (wdCreate) wdirs.objects.push(persistentVolume(sub('wdirs'), `${name}-wdirs`, { class: wdClass, size: wd.size, path: wd.path ?? pv.path, reclaim: 'Retain' }));
    wdirs.objects.push(persistentVolumeClaim(sub('wdirs'), `${name}-wdirs`, { class: wdClass, size: wd.size, selector: wd.selector ?? pv.selector }));
    wdirs.claimName = `${name}-wdirs`;
  }

  const condor: Claim = { objects: [] };
  if (cd.existingClaim) condor.claimName = cd.existingClaim;
  else {
    if (cd.create) condor.objects.push(persistentVolume(sub('condor-logs'), `${name}-condor-logs`, { class: cd.class, size: cd.size, path: cd.path, reclaim: 'Retain' }));
    condor.objects.push(persistentVolumeClaim(sub('condor-logs'), `${name}-condor-logs`, { class: cd.class, size: cd.size, selector: cd.selector }));
    condor.claimName = `${name}-condor-logs`;
  }
  objects.push(...logs.objects, ...wdirs.objects, ...condor.objects);
  return { objects, logs, wdirs, condor };
}

/**
 * The shared RWX logs claim other components mount by name. Rendered by Harvester only, when
 * `sharedLogs.create`; with a Manila `shareID` a static CephFS PV is created for it (its claimRef
 * namespace is filled in when the plan places the objects).
 */
function sharedLogs(h: HarvesterSub, o: Owner): K8sObject[] {
  const s = h.sharedLogs;
  if (!s.create) return [];
  if (!s.name)
    throw new PandaError('invalid Harvester values: sharedLogs.create needs sharedLogs.name', [
      { where: 'harvester.harvester.sharedLogs.name', message: 'sharedLogs.create is true but no name is given', fix: 'set sharedLogs.name, e.g. panda-shared-logs' },
    ]);
  if (!s.shareID) return [persistentVolumeClaim(o, s.name, { class: s.storageClass || null, size: s.size, selector: false })];
  const trustee = { name: 'os-trustee', namespace: 'kube-system' };
  const shared: K8sObject = {
    ...persistentVolume(o, s.name, { class: 'manila-meyrin-cephfs', size: s.size, reclaim: 'Retain' }),
  };
  const spec = shared.spec as Record<string, unknown>;
  spec.claimRef = { name: s.name };
  spec.csi = {
    driver: 'cephfs.manila.csi.openstack.org',
    volumeHandle: s.shareID,
    nodeStageSecretRef: trustee,
    nodePublishSecretRef: trustee,
    controllerExpandSecretRef: trustee,
    volumeAttributes: { shareID: s.shareID, shareAccessID: s.shareAccessID, 'cephfs-mounter': 'fuse' },
  };
  return [shared, persistentVolumeClaim(o, s.name, { class: 'manila-meyrin-cephfs', size: s.size, selector: false, volumeName: s.name })];
}

function renderHarvester(h: HarvesterSub, ctx: RenderContext, deploymentName: string, withDb: boolean): K8sObject[] {
  const o = owner('harvester', ctx.names.release, 'harvester', h.nameOverride);
  const name = ctx.names.sub('harvester', h.fullnameOverride);
  const cm = { configjson: `${name}-configjson`, queueconfig: `${name}-queueconfig`, env: `${name}-env`, sandbox: `${name}-sandbox` };
  const secret = (id: SecretId) => secretName(ctx.secretPrefix, id);
  const harvesterId = deploymentName || ctx.names.release;

  const noProxy = harvesterNoProxy(h, name, ctx.stack.panda.sub('server'));
  const env: Record<string, string> = noProxy === undefined ? {} : proxyEnv({ ...h, noProxy }, noProxy);
  // B6: upstream never used this value; the Secret (envFrom'd after this ConfigMap) still wins
  if (h.experiment) env.EXPERIMENT = h.experiment;
  const special = h.persistentvolumespecial;
  if (special.mount) {
    env.SPECIAL_MOUNT_POINT = special.path;
    env.SPECIAL_LOG_MOUNT_POINT = special.logpath;
  }

  const queues = ctx.sandbox(QUEUECONFIG_SET);
  if (h.experiment && !queues.has(`${h.experiment}.panda_queueconfig.json`)) {
    ctx.missing({
      where: `harvester.harvester.experiment: ${h.experiment}`,
      message: `no queue configuration ${h.experiment}.panda_queueconfig.json: Harvester would start without queues`,
      fix: `supply it with --from <upstream checkout> (${CHECKOUT_SETS[QUEUECONFIG_SET]}/) or --sandbox-dir DIR holding harvester/${QUEUECONFIG_SET}/${h.experiment}.panda_queueconfig.json`,
    });
  }

  const securityContext = h.noRoot ? { runAsGroup: NO_ROOT_GROUP, ...structuredClone(h.securityContext) } : structuredClone(h.securityContext);
  const store = harvesterStorage(h, o, name);
  const cvmfs = cvmfsVolumes(name, h.cvmfs.enabled ? h.cvmfs.repositories : []);

  const v = {
    logs: `${name}-logs`,
    wdirs: `${name}-wdirs`,
    condor: `${name}-condor-logs`,
    auth: `${name}-auth`,
    cric: `${name}-cric-jsons-volume`,
    certs: `${name}-certs`,
    temp: `${name}-temp`,
    special: `${name}-special-data`,
  };
  const withSub = (m: V1VolumeMount, subPath: string): V1VolumeMount => (subPath ? { ...m, subPath } : m);
  // the condor logs on the logs claim itself: one volume, two sub-directories
  const condorOnLogs = !!h.persistentvolumecondor.existingClaim && h.persistentvolumecondor.existingClaim === h.persistentvolume.existingClaim;
  const mounts: V1VolumeMount[] = [
    withSub({ name: v.logs, mountPath: '/var/log/panda/' }, h.persistentvolume.subPath),
    withSub({ name: v.wdirs, mountPath: '/var/log/harvester_wdirs/' }, h.persistentvolumewdir.subPath),
    withSub({ name: condorOnLogs ? v.logs : v.condor, mountPath: '/var/log/condor_logs/' }, h.persistentvolumecondor.subPath),
    { name: cm.configjson, mountPath: '/opt/harvester/etc/configmap' },
    { name: cm.queueconfig, mountPath: '/opt/harvester/etc/queue_config_mount' },
    { name: cm.sandbox, mountPath: '/opt/harvester/sandbox' },
    { name: v.auth, mountPath: '/opt/harvester/etc/auth' },
    { name: v.cric, mountPath: '/var/cric' },
    { name: v.certs, mountPath: '/opt/harvester/etc/certs' },
    { name: v.temp, mountPath: '/tmp' },
    ...(special.mount ? [{ name: v.special, mountPath: special.path }] : []),
    ...cvmfs.mounts,
  ];
  const volumes: V1Volume[] = [
    vol.configMap(cm.configjson, cm.configjson),
    vol.configMap(cm.queueconfig, cm.queueconfig),
    vol.configMap(cm.sandbox, cm.sandbox),
    vol.secret(v.auth, secret('harvester-auth')),
    ...(condorOnLogs ? [] : [vol.pvc(v.condor, store.condor.claimName!)]),
    ...(special.mount ? [vol.pvc(v.special, v.special)] : []),
    // CRIC JSONs exist only when the secrets use a local CRIC (cric.real=false)
    { name: v.cric, secret: { secretName: secret('cric-jsons'), optional: true } },
    vol.secret(v.certs, secret('harvester-certs')),
    { name: v.temp, emptyDir: {} },
    vol.pvc(v.wdirs, store.wdirs.claimName!),
    ...cvmfs.volumes,
    ...(store.logs.claimName ? [vol.pvc(v.logs, store.logs.claimName)] : []),
  ];
  const pv = h.persistentvolume;
  const volumeClaimTemplates = store.logs.claimName
    ? undefined
    : [
        {
          metadata: { name: v.logs },
          spec: { ...(pv.class !== null ? { storageClassName: pv.class } : {}), accessModes: ['ReadWriteOnce'], resources: { requests: { storage: pv.size } } },
        },
      ];

  const container: V1Container = {
    name: 'harvester',
    securityContext,
    livenessProbe: { exec: { command: ['cat', HEALTHY_FILE] }, initialDelaySeconds: 1800, periodSeconds: 600 },
    ...(h.autoStart ? { command: ['/bin/sh', '-c'], args: [startCommand(h.noRoot)] } : {}),
    ports: [
      { name: 'http', containerPort: 8080, protocol: 'TCP' },
      { name: 'https', containerPort: 8443, protocol: 'TCP' },
    ],
    volumeMounts: mounts,
    envFrom: [envFrom.configMap(cm.env), envFrom.secret(secret('harvester-envs'))],
    env: [
      { name: 'HARVESTER_ID', value: harvesterId },
      // an external database's host comes from the Secret (harvester.database.dbhost)
      ...(withDb ? [{ name: 'HARVESTER_DB_HOST', value: ctx.names.sub('mariadb') }] : []),
    ],
  };

  const specialClaim = special.mount ? [persistentVolumeClaim(o, v.special, { class: special.class, size: special.size, selector: false })] : [];
  const objects: K8sObject[] = [
    configMap(o, cm.configjson, { [CONFIG_FILE]: harvesterConfigText(ctx.sandbox(CONFIGMAP_SET), h.experiment, `https://${ctx.stack.panda.sub('server')}:443`) }),
    configMap(o, cm.queueconfig, queueConfigData(queues)),
    configMap(o, cm.env, env),
    binaryConfigMap(o, cm.sandbox, ctx.sandbox(SANDBOX_SET)),
    ...cvmfs.objects,
    ...store.objects,
    ...sharedLogs(h, o),
    ...specialClaim,
    service(o, name, [
      { name: 'http', port: h.service.httpPort, targetPort: 'http' },
      { name: 'https', port: h.service.httpsPort, targetPort: 'https' },
    ], h.service.type),
    ...workload(o, {
      kind: 'StatefulSet',
      name,
      values: h,
      hostname: ctx.names.release,
      serviceName: name,
      statefulSpec: { persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Retain' }, updateStrategy: { type: 'RollingUpdate' } },
      ...(volumeClaimTemplates ? { volumeClaimTemplates } : {}),
      container,
      volumes: volumes as V1PodSpec['volumes'],
    }),
  ];
  if (h.ingress.enabled) {
    const ing = ingress(o, name, h.ingress, h.service.httpPort);
    // upstream serves the logs under the BigMon host, with its certificate
    for (const t of ing.spec?.tls ?? []) t.secretName = secret('bigmon-tls-certs');
    objects.push(ing);
  }
  if (h.route.enabled) {
    if (!h.route.hostName)
      throw new PandaError('invalid Harvester values: route.enabled needs route.hostName', [
        { where: 'harvester.harvester.route.hostName', message: 'route.enabled is true but no hostName is given', fix: 'set route.hostName to the host the condor logs are served on' },
      ]);
    const r = route(o, `${name}-route`, h.route.hostName, name, 'http');
    const spec = r.spec as Record<string, unknown>;
    // the logs of several Harvesters can share one host: /<harvester id>/ is rewritten to /
    spec.path = `/${harvesterId}`;
    r.metadata.annotations = { 'haproxy.router.openshift.io/rewrite-target': '/' };
    objects.push(r);
  }
  for (const c of objects) if (c.kind === 'ConfigMap') checkConfigMapSize(c);
  return objects;
}

function renderMariadb(m: MariadbSub, ctx: RenderContext): K8sObject[] {
  const o = owner('harvester', ctx.names.release, 'mariadb', m.nameOverride);
  const name = ctx.names.sub('mariadb', m.fullnameOverride);
  const p = m.persistentvolume;
  // no HPA for a database: `autoscaling` is accepted but ignored
  const values = { ...m, autoscaling: { enabled: false, minReplicas: 1, maxReplicas: 1, targetCPUUtilizationPercentage: 80 } };
  const storage = p.existingClaim
    ? []
    : [
        ...(p.create ? [persistentVolume(o, name, { class: p.class, size: p.size, path: p.path, reclaim: 'Delete' })] : []),
        persistentVolumeClaim(o, name, { class: p.class, size: p.size, selector: p.selector }),
      ];
  const data = `${name}-data`;
  const dataMount = (mountPath: string): V1VolumeMount => ({ name: data, mountPath, ...(p.subPath ? { subPath: p.subPath } : {}) });
  return [
    configMap(o, `${name}-custom`, { 'my_custom.cnf': m.customConfig }),
    ...storage,
    service(o, name, [{ name: 'mariadb-port', port: m.service.port, targetPort: 'mariadb-port' }], m.service.type),
    ...workload(o, {
      kind: 'StatefulSet',
      name,
      values,
      hostname: ctx.names.release,
      serviceName: name,
      container: {
        name: 'mariadb',
        ports: [{ name: 'mariadb-port', containerPort: 3306, protocol: 'TCP' }],
        // MARIADB_DATABASE/USER/PASSWORD/ROOT_PASSWORD create the database on first start
        envFrom: [envFrom.secret(secretName(ctx.secretPrefix, 'harvester-envs'))],
        env: [{ name: 'MARIADB_EXTRA_FLAGS', value: '--innodb_snapshot_isolation=0' }],
        readinessProbe: { tcpSocket: { port: 'mariadb-port' }, initialDelaySeconds: 5, periodSeconds: 10 },
        // the official image keeps its data in /var/lib/mysql, the Bitnami image in /bitnami/mariadb (B12)
        volumeMounts: [
          dataMount('/var/lib/mysql'),
          dataMount('/bitnami/mariadb'),
          { name: `${name}-initdb`, mountPath: '/docker-entrypoint-initdb.d' },
          // a file, not a directory of that name: upstream mounts the whole ConfigMap there, which the image ignores
          { name: `${name}-custom`, mountPath: '/opt/bitnami/mariadb/conf/my_custom.cnf', subPath: 'my_custom.cnf' },
        ],
      },
      volumes: [
        vol.pvc(data, p.existingClaim || name),
        vol.secret(`${name}-initdb`, secretName(ctx.secretPrefix, 'harvester-initdb')),
        vol.configMap(`${name}-custom`, `${name}-custom`),
      ],
    }),
  ];
}

export const harvester = defineComponent({
  name: 'harvester',
  description: 'Harvester: pilot submission to grid and batch resources for PanDA, with its MariaDB',
  subs: [
    {
      name: 'harvester',
      description: 'Harvester service with a personal HTCondor pool',
      after: ['mariadb'],
      secrets: ['harvester-envs', 'harvester-certs', 'harvester-auth'],
    },
    { name: 'mariadb', description: 'MariaDB database of Harvester', secrets: ['harvester-envs', 'harvester-initdb'] },
  ],
  checkout: CHECKOUT_SETS,
  schema: harvesterSchema,
  render(values, ctx): K8sObject[] {
    return [
      ...(values.harvester.enabled ? renderHarvester(values.harvester, ctx, ctx.deploymentName, values.mariadb.enabled) : []),
      ...(values.mariadb.enabled ? renderMariadb(values.mariadb, ctx) : []),
    ];
  },
});
