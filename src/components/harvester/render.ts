import type { V1PersistentVolumeClaim } from '@kubernetes/client-node';
import { PandaError, type Issue } from '../../core/errors.js';
import { database } from '../../core/database.js';
import { sortedFiles, type FileSet } from '../../core/files.js';
import { binaryConfigMap, checkConfigMapSize, configMap, ingress, meta, proxyEnv, route, service, type K8sObject, type Owner, type Part } from '../../core/k8s.js';
import { SubNames } from '../../core/names.js';
import { envFrom, mount, port, vol, type Mount } from '../../core/pod.js';
import { probe } from '../../core/probes.js';
import { cvmfs, sharedClaim, storage, type StorageOptions } from '../../core/storage.js';
import { workload } from '../../core/workload.js';
import { secretRefs } from '../../secrets/refs.js';
import type { PayloadSource } from '../../core/files.js';
import type { RenderContext } from '../define.js';
import { harvesterConfig } from './config.js';
import type { HarvesterValues } from './values.js';

type HarvesterSub = HarvesterValues['harvester'];
type MariadbSub = HarvesterValues['mariadb'];

/** Sandbox file sets (folders under `sandbox/`, overlaid by `--sandbox-dir DIR/harvester/<set>/`). */
export const SANDBOX_SET = 'harvester';
export const QUEUECONFIG_SET = 'queueconfig';
/** Harvester's own configuration: `<experiment>.panda_harvester_configmap.json` files, and the generic `panda_harvester_configmap.json`. */
export const CONFIGMAP_SET = 'configmap';
export const CONFIGJSON_SET = 'configjson';
/** Component folder name as seen by `--sandbox-dir` (`DIR/harvester/<set>/`). */
const SANDBOX_FOLDER = 'harvester';
const CONFIG_FILE = 'panda_harvester_configmap.json';

/** Where the sets are in an upstream checkout (`--from`): they replace the built-in sets. */
const CHART = 'helm/harvester/charts/harvester';
export const CHECKOUT_SETS = {
  [SANDBOX_SET]: { checkout: `${CHART}/sandbox` },
  [QUEUECONFIG_SET]: { checkout: `${CHART}/queueconfig` },
  [CONFIGMAP_SET]: { checkout: `${CHART}/configmap` },
  // the generic file at the chart root
  [CONFIGJSON_SET]: { checkout: CHART, pattern: /^panda_harvester_configmap\.json$/ },
} as const satisfies Record<string, PayloadSource>;

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
  for (const [file, bytes] of sortedFiles(files)) {
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
export function harvesterConfigText(perExperiment: FileSet, generic: FileSet, experiment: string, pandaServerUrl: string): string {
  const own = experiment ? perExperiment.get(`${experiment}.${CONFIG_FILE}`) : undefined;
  if (own) return checkText(new Map([[`${experiment}.${CONFIG_FILE}`, own]]), CONFIGMAP_SET, () => true)[`${experiment}.${CONFIG_FILE}`]!;
  const bytes = generic.get(CONFIG_FILE);
  if (!bytes) return `${JSON.stringify(harvesterConfig(pandaServerUrl), null, 2)}\n`;
  return checkText(new Map([[CONFIG_FILE, bytes]]), CONFIGJSON_SET, () => true)[CONFIG_FILE]!;
}

/**
 * A further claim of Harvester (`<fullname>-wdirs`, `<fullname>-condor-logs`): the storage recipe
 * with the claim's own name and selector labels (`<name>-wdirs`), as upstream labels them.
 */
function extraStorage(part: Part, role: string, v: StorageOptions) {
  const o: Owner = { ...part.owner, name: `${part.owner.name}-${role}` };
  return storage({ owner: o, names: new SubNames(part.names.release, part.names.sub, part.names.claimFor(role)) }, v);
}

/**
 * The shared RWX logs claim other components mount by name. Rendered by Harvester only, when
 * `sharedLogs.create`; with a Manila `shareID` a static CephFS PV is created for it, reserved for
 * the claim in the namespace the stack is installed in.
 */
function sharedLogs(h: HarvesterSub, o: Owner, namespace: string): K8sObject[] {
  const s = h.sharedLogs;
  if (!s.create) return [];
  if (!s.name)
    throw new PandaError('invalid Harvester values: sharedLogs.create needs sharedLogs.name', [
      { where: 'harvester.harvester.sharedLogs.name', message: 'sharedLogs.create is true but no name is given', fix: 'set sharedLogs.name, e.g. panda-shared-logs' },
    ]);
  if (!s.shareID) return [sharedClaim(o, s.name, { class: s.storageClass || null, size: s.size })];
  const trustee = { name: 'os-trustee', namespace: 'kube-system' };
  const pv: K8sObject = {
    apiVersion: 'v1',
    kind: 'PersistentVolume',
    metadata: meta(o, s.name),
    spec: {
      storageClassName: MANILA_CLASS,
      capacity: { storage: s.size },
      accessModes: ['ReadWriteMany'],
      persistentVolumeReclaimPolicy: 'Retain',
      claimRef: { namespace, name: s.name },
      csi: {
        driver: 'cephfs.manila.csi.openstack.org',
        volumeHandle: s.shareID,
        nodeStageSecretRef: trustee,
        nodePublishSecretRef: trustee,
        controllerExpandSecretRef: trustee,
        volumeAttributes: { shareID: s.shareID, shareAccessID: s.shareAccessID, 'cephfs-mounter': 'fuse' },
      },
    },
  };
  const pvc = sharedClaim(o, s.name, { class: MANILA_CLASS, size: s.size }) as K8sObject & V1PersistentVolumeClaim;
  pvc.spec!.volumeName = s.name;
  return [pv, pvc];
}
/** StorageClass of CERN's Manila CephFS shares (upstream's static shared-logs volume). */
const MANILA_CLASS = 'manila-meyrin-cephfs';

function renderHarvester(h: HarvesterSub, ctx: RenderContext, withDb: boolean): K8sObject[] {
  const part = ctx.part('harvester', h);
  const { owner: o, names: n } = part;
  const cm = { configjson: n.configMap('configjson'), queueconfig: n.configMap('queueconfig'), env: n.configMap('env'), sandbox: n.configMap('sandbox') };
  const harvesterId = ctx.deploymentName || ctx.names.release;
  const pandaServer = ctx.names.of('panda').sub('server');

  const noProxy = harvesterNoProxy(h, n.fullname, pandaServer);
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
    ctx.missingPayload({
      where: `harvester.harvester.experiment: ${h.experiment}`,
      message: `no queue configuration ${h.experiment}.panda_queueconfig.json: Harvester would start without queues`,
      fix: `supply it with --from <upstream checkout> (${CHECKOUT_SETS[QUEUECONFIG_SET].checkout}/${h.experiment}.panda_queueconfig.json) or --sandbox-dir DIR with DIR/harvester/${QUEUECONFIG_SET}/${h.experiment}.panda_queueconfig.json`,
    });
  }

  const securityContext = h.noRoot ? { runAsGroup: NO_ROOT_GROUP, ...structuredClone(h.securityContext) } : structuredClone(h.securityContext);
  const pv = h.persistentvolume;
  const logs = storage(part, pv, { claimTemplate: true });
  // unset wdirs options follow the logs volume, as upstream's template does
  const wd = h.persistentvolumewdir;
  const wdirs = extraStorage(part, 'wdirs', {
    ...pv,
    create: wd.create ?? pv.create,
    class: wd.class === undefined ? pv.class : wd.class,
    path: wd.path ?? pv.path,
    selector: wd.selector ?? pv.selector,
    size: wd.size,
    existingClaim: wd.existingClaim,
    subPath: wd.subPath,
  });
  const cd = h.persistentvolumecondor;
  // the condor logs on the logs claim itself: one volume, two sub-directories (cern)
  const condorOnLogs = !!cd.existingClaim && cd.existingClaim === pv.existingClaim;
  const condor = condorOnLogs ? undefined : extraStorage(part, 'condor-logs', cd);
  const repos = cvmfs(part, h.cvmfs);

  const mounts: Mount[] = [
    logs.mount('/var/log/panda/', 'logs'),
    wdirs.mount('/var/log/harvester_wdirs/', 'wdirs'),
    condor ? condor.mount('/var/log/condor_logs/', 'condor-logs') : mount('/var/log/condor_logs/', logs.volume('logs'), { subPath: cd.subPath }),
    mount('/opt/harvester/etc/configmap', vol.configMap('configjson', cm.configjson)),
    mount('/opt/harvester/etc/queue_config_mount', vol.configMap('queueconfig', cm.queueconfig)),
    mount('/opt/harvester/sandbox', vol.configMap('sandbox', cm.sandbox)),
    mount('/opt/harvester/etc/auth', vol.secret('auth', part.secret(secretRefs.harvesterAuth))),
    // CRIC JSONs exist only when the secrets use a local CRIC (cric.real=false): an optional
    // volume, so not among the Secrets the preflight requires
    mount('/var/cric', vol.secret('cric-jsons-volume', secretRefs.cricJsons.name(ctx.secretPrefix), { optional: true })),
    mount('/opt/harvester/etc/certs', vol.secret('certs', part.secret(secretRefs.harvesterCerts))),
    mount('/tmp', vol.emptyDir('temp')),
    ...(special.mount ? [mount(special.path, vol.claim('special-data', n.claimFor('special-data')))] : []),
    ...repos.mounts,
  ];

  const objects: K8sObject[] = [
    configMap(o, cm.configjson, { [CONFIG_FILE]: harvesterConfigText(ctx.sandbox(CONFIGMAP_SET), ctx.sandbox(CONFIGJSON_SET), h.experiment, `https://${pandaServer}:443`) }),
    configMap(o, cm.queueconfig, queueConfigData(queues)),
    configMap(o, cm.env, env),
    binaryConfigMap(o, cm.sandbox, ctx.sandbox(SANDBOX_SET)),
    ...repos.objects,
    ...logs.objects,
    ...wdirs.objects,
    ...(condor?.objects ?? []),
    ...sharedLogs(h, o, ctx.namespace),
    ...(special.mount ? [sharedClaim(o, n.claimFor('special-data'), { class: special.class, size: special.size })] : []),
    service(o, n.service, [
      { name: 'http', port: h.service.httpPort, targetPort: 'http' },
      { name: 'https', port: h.service.httpsPort, targetPort: 'https' },
    ], h.service.type),
    ...workload(part, {
      values: h,
      hostname: ctx.names.release,
      container: {
        name: 'harvester',
        securityContext,
        livenessProbe: probe.exec(['cat', HEALTHY_FILE], { initialDelaySeconds: 1800, periodSeconds: 600 }),
        ...(h.autoStart ? { command: ['/bin/sh', '-c'], args: [startCommand(h.noRoot)] } : {}),
        ports: [port('http', 8080), port('https', 8443)],
        mounts,
        envFrom: [envFrom.configMap(cm.env), envFrom.secret(part.secret(secretRefs.harvesterEnvs))],
        env: [
          { name: 'HARVESTER_ID', value: harvesterId },
          // an external database's host comes from the Secret (harvester.database.dbhost)
          ...(withDb ? [{ name: 'HARVESTER_DB_HOST', value: ctx.names.sub('mariadb') }] : []),
        ],
      },
    }).map((w) =>
      w.kind === 'StatefulSet'
        ? { ...w, spec: { persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Retain' }, updateStrategy: { type: 'RollingUpdate' }, ...(w.spec as object) } }
        : w,
    ),
  ];
  if (h.ingress.enabled) {
    const ing = ingress(o, n.service, h.ingress, h.service.httpPort);
    // upstream serves the logs under the BigMon host, with its certificate
    for (const t of ing.spec?.tls ?? []) t.secretName = secretRefs.bigmonTlsCerts.name(ctx.secretPrefix);
    objects.push(ing);
  }
  if (h.route.enabled) {
    if (!h.route.hostName)
      throw new PandaError('invalid Harvester values: route.enabled needs route.hostName', [
        { where: 'harvester.harvester.route.hostName', message: 'route.enabled is true but no hostName is given', fix: 'set route.hostName to the host the condor logs are served on' },
      ]);
    const r = route(o, n.route(), h.route.hostName, n.service, 'http');
    // the logs of several Harvesters can share one host: /<harvester id>/ is rewritten to /
    (r.spec as Record<string, unknown>).path = `/${harvesterId}`;
    r.metadata.annotations = { 'haproxy.router.openshift.io/rewrite-target': '/' };
    objects.push(r);
  }
  for (const c of objects) if (c.kind === 'ConfigMap') checkConfigMapSize(c);
  return objects;
}

function renderMariadb(m: MariadbSub, ctx: RenderContext): K8sObject[] {
  const part = ctx.part('mariadb', m);
  const { owner: o, names: n } = part;
  const p = m.persistentvolume;
  const custom = n.configMap('custom');
  return [
    configMap(o, custom, { 'my_custom.cnf': m.customConfig }),
    ...database(part, {
      engine: 'mariadb',
      values: m,
      hostname: ctx.names.release,
      // the official image keeps its data in /var/lib/mysql, the Bitnami image in /bitnami/mariadb (B12)
      dataPath: '/var/lib/mysql',
      // MARIADB_DATABASE/USER/PASSWORD/ROOT_PASSWORD create the database on first start
      envFrom: [envFrom.secret(part.secret(secretRefs.harvesterEnvs))],
      env: [{ name: 'MARIADB_EXTRA_FLAGS', value: '--innodb_snapshot_isolation=0' }],
      mounts: [
        mount('/bitnami/mariadb', vol.claim('data', p.existingClaim || n.claim), { subPath: p.subPath }),
        mount('/docker-entrypoint-initdb.d', vol.secret('initdb', part.secret(secretRefs.harvesterInitdb))),
        // a file, not a directory of that name: upstream mounts the whole ConfigMap there, which the image ignores
        mount('/opt/bitnami/mariadb/conf/my_custom.cnf', vol.configMap('custom', custom), { subPath: 'my_custom.cnf' }),
      ],
    }),
  ];
}

export function renderHarvesterComponent(values: HarvesterValues, ctx: RenderContext): K8sObject[] {
  return [
    ...(values.harvester.enabled ? renderHarvester(values.harvester, ctx, values.mariadb.enabled) : []),
    ...(values.mariadb.enabled ? renderMariadb(values.mariadb, ctx) : []),
  ];
}
