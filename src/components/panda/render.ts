import { PandaError } from '../../core/errors.js';
import { database } from '../../core/database.js';
import { binaryConfigMap, configMap, ingress, owner, proxyEnv, route, service, type K8sObject } from '../../core/k8s.js';
import { envFrom, mount, port, vol } from '../../core/pod.js';
import { storage } from '../../core/storage.js';
import { workload } from '../../core/workload.js';
import { secretRefs } from '../../secrets/refs.js';
import type { RenderContext } from '../define.js';
import { configText, jediConfig, mergeConfig, serverConfig } from './config.js';
import type { PandaValues, ServerValues } from './values.js';

/** Where the images expect things (see the image launchers `run-panda-services` / `run-jedi-services`). */
const SANDBOX_MOUNT = '/opt/panda/sandbox';
const WORK_DIR = '/data/panda';
const LOG_DIR = '/var/log/panda';
const CONFIG_JSON_DIR = '/opt/panda/etc/config_json';

/**
 * The start command of the server and JEDI containers: wait for the database, install the sandbox
 * (scripts, message-broker configs, rendered templates) into the work directory, then hand over to
 * the image launcher, which runs `init-<x>`, `run-<x>-crons` and the service.
 */
function startCommand(init: string, crons: string, launcher: string): string[] {
  return [
    [
      'until /usr/pgsql-*/bin/pg_isready -h ${PANDA_DB_HOST} -p ${PANDA_DB_PORT:-5432}; do echo waiting for database; sleep 2; done',
      `cp ${SANDBOX_MOUNT}/* ${WORK_DIR}/`,
      `chmod +x ${WORK_DIR}/${init} ${WORK_DIR}/${crons}`,
      `$(command -v python3 || command -v python) ${WORK_DIR}/process_template.py`,
      launcher,
      'sleep infinity & wait',
    ].join('; '),
  ];
}

/**
 * The server env, also read by JEDI. `no_proxy` is always set, so the containers' own
 * `no_proxy=$(no_proxy),$(PANDA_IDDS_HOST)` expands instead of keeping the literal `$(no_proxy)`.
 */
export function serverEnv(v: ServerValues, serverName: string): Record<string, string> {
  const defaultNoProxy = `localhost,${serverName}`;
  return {
    ...proxyEnv(v, defaultNoProxy),
    no_proxy: v.noProxy || defaultNoProxy,
    ...(v.noRoot ? { PANDA_NO_ROOT: '1' } : {}),
  };
}

export function renderPanda(values: PandaValues, ctx: RenderContext): K8sObject[] {
  const { server: sv, jedi: jv, postgres: pv } = values;
  // JEDI mounts the server's env, config and sandbox ConfigMaps: both take the names from here
  const server = ctx.part('server', sv);
  const sn = server.names;
  const external = ctx.names.derived('external-sandbox');
  const noProxyEnv = { name: 'no_proxy', value: '$(no_proxy),$(PANDA_IDDS_HOST)' };
  const out: K8sObject[] = [];

  if (sv.enabled || jv.enabled) {
    out.push(binaryConfigMap(owner('panda', ctx.names.release, 'panda'), external, ctx.sandbox('external')));
  }

  if (sv.enabled) {
    if (sv.route.enabled && !sv.hostName) {
      throw new PandaError('the PanDA server Routes need a host name', [
        {
          where: 'panda.server.hostName',
          message: 'route.enabled is true but hostName is empty',
          fix: 'set panda.server.hostName to the external host name of the server (e.g. pandaserver.apps.example.org)',
        },
      ]);
    }
    const o = server.owner;
    const logs = storage(server, sv.persistentvolume);
    out.push(
      configMap(o, sn.configMap('configjson'), { 'panda_server_config.json': configText(mergeConfig(serverConfig(sn.fullname), sv.config)) }),
      configMap(o, sn.configMap('env'), serverEnv(sv, sn.fullname)),
      binaryConfigMap(o, sn.configMap('sandbox'), ctx.sandbox('server')),
      ...logs.objects,
      service(
        o,
        sn.service,
        [
          { name: 'http', port: sv.service.httpPort, targetPort: 'http' },
          { name: 'https', port: sv.service.httpsPort, targetPort: 'https' },
        ],
        sv.service.type,
      ),
      ...workload(server, {
        values: sv,
        hostname: ctx.names.release,
        container: {
          name: 'server',
          ...(sv.autoStart
            ? { command: ['/bin/sh', '-c'], args: startCommand('init-panda', 'run-panda-crons', '/etc/rc.d/init.d/run-panda-services') }
            : {}),
          ports: [port('http', 25080), port('https', 25443)],
          mounts: [
            logs.mount(LOG_DIR, 'logs'),
            mount(CONFIG_JSON_DIR, vol.configMap('configjson', sn.configMap('configjson'))),
            mount('/opt/panda/etc/panda/auth', vol.secret('auth', server.secret(secretRefs.pandaAuth))),
            mount(SANDBOX_MOUNT, vol.projected('sandbox', [{ configMap: sn.configMap('sandbox') }, { configMap: external }])),
            mount('/opt/panda/etc/cert', vol.secret('certs', server.secret(secretRefs.pandaCerts))),
          ],
          envFrom: [envFrom.configMap(sn.configMap('env')), envFrom.secret(server.secret(secretRefs.pandaEnvs))],
          env: [{ name: 'PANDA_SERVER_CONF_SERVERNAME', value: sn.fullname }, noProxyEnv],
        },
      }),
    );
    if (sv.ingress.enabled) out.push(ingress(o, sn.service, sv.ingress, sv.service.httpsPort));
    if (sv.route.enabled) {
      out.push(
        route(o, sn.route(), sv.hostName, sn.service, 'https', sv.route.tls),
        route(o, sn.route('http'), `http-${sv.hostName}`, sn.service, 'http'),
      );
    }
  }

  if (jv.enabled) {
    const jedi = ctx.part('jedi', jv);
    const jn = jedi.names;
    const logs = storage(jedi, jv.persistentvolume);
    out.push(
      configMap(jedi.owner, jn.configMap('configjson'), { 'panda_jedi_config.json': configText(mergeConfig(jediConfig(), jv.config)) }),
      binaryConfigMap(jedi.owner, jn.configMap('sandbox'), ctx.sandbox('jedi')),
      ...logs.objects,
      ...workload(jedi, {
        values: jv,
        hostname: ctx.names.release,
        container: {
          name: 'jedi',
          ...(jv.autoStart
            ? { command: ['/bin/sh', '-c'], args: startCommand('init-jedi', 'run-jedi-crons', '/etc/rc.d/init.d/run-jedi-services') }
            : {}),
          mounts: [
            logs.mount(LOG_DIR, 'logs'),
            mount(CONFIG_JSON_DIR, vol.projected('configjson', [{ configMap: jn.configMap('configjson') }, { configMap: sn.configMap('configjson') }])),
            mount(
              SANDBOX_MOUNT,
              vol.projected('sandbox', [{ configMap: jn.configMap('sandbox') }, { configMap: external }, { configMap: sn.configMap('sandbox') }]),
            ),
          ],
          envFrom: [envFrom.configMap(sn.configMap('env')), envFrom.secret(jedi.secret(secretRefs.pandaEnvs))],
          env: [noProxyEnv],
        },
      }),
    );
  }

  if (pv.enabled) {
    const db = ctx.part('postgres', pv);
    out.push(
      ...database(db, {
        engine: 'postgres',
        values: pv,
        // the panda-database image keeps its data in /temp/data (PGDATA)
        dataPath: '/temp',
        envFrom: [envFrom.secret(db.secret(secretRefs.pandaEnvs))],
      }),
    );
  }
  return out;
}
