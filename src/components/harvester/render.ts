import { PandaError, type Issue } from '../../core/errors.js';
import { database } from '../../core/database.js';
import { sortedFiles, type FileSet } from '../../core/files.js';
import { binaryConfigMap, configMap, proxyEnv, type K8sObject } from '../../core/k8s.js';
import { envFrom, mount, vol } from '../../core/pod.js';
import { storage } from '../../core/storage.js';
import { workload } from '../../core/workload.js';
import { secretRefs } from '../../secrets/refs.js';
import type { RenderContext } from '../define.js';
import { harvesterConfig } from './config.js';
import type { HarvesterValues } from './values.js';

type HarvesterSub = HarvesterValues['harvester'];
type MariadbSub = HarvesterValues['mariadb'];

/** Sandbox file sets (folders under `sandbox/`, overlaid by `--sandbox-dir DIR/harvester/<set>/`). */
export const SANDBOX_SET = 'harvester';
export const QUEUECONFIG_SET = 'queueconfig';
/** Component folder name as seen by `--sandbox-dir` (`DIR/harvester/<set>/`). */
const SANDBOX_FOLDER = 'harvester';

/** Group the container runs with when `noRoot`, so the personal HTCondor can start. */
export const NO_ROOT_GROUP = 15678;

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
    // MariaDB answers ping (even with access denied) once it accepts connections
    'until mysqladmin ping -h "${HARVESTER_DB_HOST}" --password="${MARIADB_PASSWORD}" --silent; do sleep 1; done',
    'mkdir -p /data/harvester /opt/harvester/etc/queue_config',
    'chmod 777 /opt/harvester/etc/queue_config',
    'cp /opt/harvester/sandbox/* /data/harvester/',
    'chmod +x /data/harvester/init-harvester /data/harvester/run-harvester-crons',
    ...(noRoot
      ? ['/opt/harvester/etc/rc.d/init.d/run-harvester-services']
      : ['chmod -R 777 /var/log/panda', 'runuser -u atlpan -g zp -- /opt/harvester/etc/rc.d/init.d/run-harvester-services']),
    'sleep infinity & wait',
  ];
  return steps.join('; ');
}

/** The queue configuration files as ConfigMap data; JSON files must parse. */
export function queueConfigData(files: FileSet): Record<string, string> {
  const data: Record<string, string> = {};
  const issues: Issue[] = [];
  const utf8 = new TextDecoder('utf-8', { fatal: true });
  for (const [file, bytes] of sortedFiles(files)) {
    const where = `sandbox ${SANDBOX_FOLDER}/${QUEUECONFIG_SET}/${file}`;
    let text: string;
    try {
      text = utf8.decode(bytes);
    } catch {
      issues.push({ where, message: 'queue configuration is not UTF-8 text', fix: 'save the file as UTF-8 JSON' });
      continue;
    }
    if (file.endsWith('.json')) {
      try {
        JSON.parse(text);
      } catch (e) {
        issues.push({ where, message: `queue configuration is not valid JSON: ${(e as Error).message}`, fix: 'fix the JSON syntax' });
        continue;
      }
    }
    data[file] = text;
  }
  if (issues.length) throw new PandaError('invalid Harvester queue configuration', issues);
  return data;
}

function renderHarvester(h: HarvesterSub, ctx: RenderContext): K8sObject[] {
  const part = ctx.part('harvester', h);
  const { owner: o, names: n } = part;
  const cm = { configjson: n.configMap('configjson'), queueconfig: n.configMap('queueconfig'), env: n.configMap('env'), sandbox: n.configMap('sandbox') };

  const noProxy = harvesterNoProxy(h, n.fullname, ctx.names.of('panda').sub('server'));
  const env: Record<string, string> = noProxy === undefined ? {} : proxyEnv({ ...h, noProxy }, noProxy);
  // B6: upstream never used this value; the Secret (envFrom'd after this ConfigMap) still wins
  if (h.experiment) env.EXPERIMENT = h.experiment;

  const securityContext = h.noRoot ? { runAsGroup: NO_ROOT_GROUP, ...structuredClone(h.securityContext) } : structuredClone(h.securityContext);
  const logs = storage(part, h.persistentvolume);

  return [
    configMap(o, cm.configjson, { 'panda_harvester_configmap.json': `${JSON.stringify(harvesterConfig(), null, 2)}\n` }),
    configMap(o, cm.queueconfig, queueConfigData(ctx.sandbox(QUEUECONFIG_SET))),
    configMap(o, cm.env, env),
    binaryConfigMap(o, cm.sandbox, ctx.sandbox(SANDBOX_SET)),
    ...logs.objects,
    ...workload(part, {
      values: h,
      hostname: ctx.names.release,
      container: {
        name: 'harvester',
        securityContext,
        ...(h.autoStart ? { command: ['/bin/sh', '-c'], args: [startCommand(h.noRoot)] } : {}),
        envFrom: [envFrom.configMap(cm.env), envFrom.secret(part.secret(secretRefs.harvesterEnvs))],
        mounts: [
          logs.mount('/var/log/panda/', 'logs'),
          mount('/opt/harvester/etc/configmap', vol.configMap('configjson', cm.configjson)),
          mount('/opt/harvester/etc/queue_config_mount', vol.configMap('queueconfig', cm.queueconfig)),
          mount('/opt/harvester/sandbox', vol.configMap('sandbox', cm.sandbox)),
          mount('/opt/harvester/etc/cert', vol.secret('certs', part.secret(secretRefs.harvesterCerts))),
        ],
      },
    }),
  ];
}

function renderMariadb(m: MariadbSub, ctx: RenderContext): K8sObject[] {
  const part = ctx.part('mariadb', m);
  return database(part, {
    engine: 'mariadb',
    values: m,
    dataPath: m.dataPath,
    // MARIADB_DATABASE/USER/PASSWORD/ROOT_PASSWORD create the database on first start
    envFrom: [envFrom.secret(part.secret(secretRefs.harvesterEnvs))],
  });
}

export function renderHarvesterComponent(values: HarvesterValues, ctx: RenderContext): K8sObject[] {
  return [
    ...(values.harvester.enabled ? renderHarvester(values.harvester, ctx) : []),
    ...(values.mariadb.enabled ? renderMariadb(values.mariadb, ctx) : []),
  ];
}
