import { PandaError, type Issue } from '../../core/errors.js';
import { binaryConfigMap, configMap, envFrom, owner, proxyEnv, service, storage, vol, workload, type K8sObject } from '../../core/k8s.js';
import { defineComponent, type FileSet, type RenderContext } from '../types.js';
import { harvesterConfig } from './config.js';
import { harvesterSchema, type HarvesterValues } from './values.js';

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
  for (const [file, bytes] of [...files].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
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
  const o = owner('harvester', ctx.names.release, 'harvester', h.nameOverride);
  const name = ctx.names.sub('harvester', h.fullnameOverride);
  const cm = { configjson: `${name}-configjson`, queueconfig: `${name}-queueconfig`, env: `${name}-env`, sandbox: `${name}-sandbox` };
  const certs = `${ctx.secretPrefix}-harvester-certs`;

  const noProxy = harvesterNoProxy(h, name, ctx.stack.panda.sub('server'));
  const env: Record<string, string> = noProxy === undefined ? {} : proxyEnv({ ...h, noProxy }, noProxy);
  // B6: upstream never used this value; the Secret (envFrom'd after this ConfigMap) still wins
  if (h.experiment) env.EXPERIMENT = h.experiment;

  const securityContext = h.noRoot ? { runAsGroup: NO_ROOT_GROUP, ...structuredClone(h.securityContext) } : structuredClone(h.securityContext);

  return [
    configMap(o, cm.configjson, { 'panda_harvester_configmap.json': `${JSON.stringify(harvesterConfig(), null, 2)}\n` }),
    configMap(o, cm.queueconfig, queueConfigData(ctx.sandbox(QUEUECONFIG_SET))),
    configMap(o, cm.env, env),
    binaryConfigMap(o, cm.sandbox, ctx.sandbox(SANDBOX_SET)),
    ...storage(o, name, h.persistentvolume, h.persistentvolume.selector),
    ...workload(o, {
      name,
      values: h,
      hostname: ctx.names.release,
      container: {
        name: 'harvester',
        securityContext,
        ...(h.autoStart ? { command: ['/bin/sh', '-c'], args: [startCommand(h.noRoot)] } : {}),
        envFrom: [envFrom.configMap(cm.env), envFrom.secret(`${ctx.secretPrefix}-harvester-envs`)],
        volumeMounts: [
          { name: `${name}-logs`, mountPath: '/var/log/panda/' },
          { name: cm.configjson, mountPath: '/opt/harvester/etc/configmap' },
          { name: cm.queueconfig, mountPath: '/opt/harvester/etc/queue_config_mount' },
          { name: cm.sandbox, mountPath: '/opt/harvester/sandbox' },
          { name: `${name}-certs`, mountPath: '/opt/harvester/etc/cert' },
        ],
      },
      volumes: [
        vol.pvc(`${name}-logs`, name),
        vol.configMap(cm.configjson, cm.configjson),
        vol.configMap(cm.queueconfig, cm.queueconfig),
        vol.configMap(cm.sandbox, cm.sandbox),
        vol.secret(`${name}-certs`, certs),
      ],
    }),
  ];
}

function renderMariadb(m: MariadbSub, ctx: RenderContext): K8sObject[] {
  const o = owner('harvester', ctx.names.release, 'mariadb', m.nameOverride);
  const name = ctx.names.sub('mariadb', m.fullnameOverride);
  // no HPA for a database: `autoscaling` is accepted but ignored
  const values = { ...m, autoscaling: { enabled: false, minReplicas: 1, maxReplicas: 1, targetCPUUtilizationPercentage: 80 } };
  return [
    ...storage(o, name, m.persistentvolume, m.persistentvolume.selector),
    service(o, name, [{ name: 'mariadb-port', port: m.service.port, targetPort: 'mariadb-port' }], m.service.type),
    ...workload(o, {
      name,
      values,
      container: {
        name: 'mariadb',
        ports: [{ name: 'mariadb-port', containerPort: 3306, protocol: 'TCP' }],
        // MARIADB_DATABASE/USER/PASSWORD/ROOT_PASSWORD create the database on first start
        envFrom: [envFrom.secret(`${ctx.secretPrefix}-harvester-envs`)],
        readinessProbe: { tcpSocket: { port: 'mariadb-port' }, initialDelaySeconds: 5, periodSeconds: 10 },
        volumeMounts: [{ name: `${name}-data`, mountPath: m.dataPath }],
      },
      volumes: [vol.pvc(`${name}-data`, name)],
    }),
  ];
}

export const harvester = defineComponent({
  name: 'harvester',
  dependsOn: ['panda'],
  description: 'Harvester: pilot submission to grid and batch resources for PanDA, with its MariaDB',
  subs: [
    {
      name: 'harvester',
      description: 'Harvester service with a personal HTCondor pool',
      after: ['mariadb'],
      secrets: ['harvester-envs', 'harvester-certs'],
    },
    { name: 'mariadb', description: 'MariaDB database of Harvester', secrets: ['harvester-envs'] },
  ],
  schema: harvesterSchema,
  render(values, ctx): K8sObject[] {
    return [
      ...(values.harvester.enabled ? renderHarvester(values.harvester, ctx) : []),
      ...(values.mariadb.enabled ? renderMariadb(values.mariadb, ctx) : []),
    ];
  },
});
