import type { V1Container } from '@kubernetes/client-node';
import { PandaError } from '../../core/errors.js';
import {
  binaryConfigMap,
  configMap,
  envFrom,
  ingress,
  owner,
  proxyEnv,
  route,
  service,
  storage,
  vol,
  workload,
  type K8sObject,
} from '../../core/k8s.js';
import { defineComponent, type RenderContext } from '../types.js';
import { configText, jediConfig, mergeConfig, serverConfig } from './config.js';
import { pandaSchema, type PandaValues, type ServerValues } from './values.js';

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

/** Names shared between the server and the JEDI pod, which mounts the server's ConfigMaps. */
function serverNames(ctx: RenderContext, v: ServerValues) {
  const server = ctx.names.sub('server', v.fullnameOverride);
  return {
    server,
    env: `${server}-env`,
    configjson: `${server}-configjson`,
    sandbox: `${server}-sandbox`,
    external: ctx.names.derived('external-sandbox'),
  };
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

function renderPanda(values: PandaValues, ctx: RenderContext): K8sObject[] {
  const { server: sv, jedi: jv, postgres: pv } = values;
  const envs = `${ctx.secretPrefix}-panda-envs`;
  const n = serverNames(ctx, sv);
  const noProxyEnv = { name: 'no_proxy', value: '$(no_proxy),$(PANDA_IDDS_HOST)' };
  const out: K8sObject[] = [];

  if (sv.enabled || jv.enabled) {
    out.push(binaryConfigMap(owner('panda', ctx.names.release, 'panda'), n.external, ctx.sandbox('external')));
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
    const o = owner('panda', ctx.names.release, 'server', sv.nameOverride);
    const name = n.server;
    const container: V1Container = {
      name: 'server',
      ...(sv.autoStart
        ? { command: ['/bin/sh', '-c'], args: startCommand('init-panda', 'run-panda-crons', '/etc/rc.d/init.d/run-panda-services') }
        : {}),
      ports: [
        { name: 'http', containerPort: 25080, protocol: 'TCP' },
        { name: 'https', containerPort: 25443, protocol: 'TCP' },
      ],
      volumeMounts: [
        { name: `${name}-logs`, mountPath: LOG_DIR },
        { name: `${name}-configjson`, mountPath: CONFIG_JSON_DIR },
        { name: `${name}-auth`, mountPath: '/opt/panda/etc/panda/auth' },
        { name: `${name}-sandbox`, mountPath: SANDBOX_MOUNT },
        { name: `${name}-certs`, mountPath: '/opt/panda/etc/cert' },
      ],
      envFrom: [envFrom.configMap(n.env), envFrom.secret(envs)],
      env: [{ name: 'PANDA_SERVER_CONF_SERVERNAME', value: name }, noProxyEnv],
    };
    out.push(
      configMap(o, n.configjson, { 'panda_server_config.json': configText(mergeConfig(serverConfig(name), sv.config)) }),
      configMap(o, n.env, serverEnv(sv, name)),
      binaryConfigMap(o, n.sandbox, ctx.sandbox('server')),
      ...storage(o, name, sv.persistentvolume, sv.persistentvolume.selector),
      service(
        o,
        name,
        [
          { name: 'http', port: sv.service.httpPort, targetPort: 'http' },
          { name: 'https', port: sv.service.httpsPort, targetPort: 'https' },
        ],
        sv.service.type,
      ),
      ...workload(o, {
        name,
        values: sv,
        hostname: ctx.names.release,
        container,
        volumes: [
          vol.pvc(`${name}-logs`, name),
          vol.configMap(`${name}-configjson`, n.configjson),
          vol.secret(`${name}-auth`, `${ctx.secretPrefix}-panda-auth`),
          vol.projected(`${name}-sandbox`, [{ configMap: n.sandbox }, { configMap: n.external }]),
          vol.secret(`${name}-certs`, `${ctx.secretPrefix}-panda-certs`),
        ],
      }),
    );
    if (sv.ingress.enabled) out.push(ingress(o, name, sv.ingress, sv.service.httpsPort));
    if (sv.route.enabled) {
      out.push(
        route(o, `${name}-route`, sv.hostName, name, 'https', sv.route.tls),
        route(o, `http-${name}-route`, `http-${sv.hostName}`, name, 'http'),
      );
    }
  }

  if (jv.enabled) {
    const o = owner('panda', ctx.names.release, 'jedi', jv.nameOverride);
    const name = ctx.names.sub('jedi', jv.fullnameOverride);
    const configjson = `${name}-configjson`;
    const sandbox = `${name}-sandbox`;
    const container: V1Container = {
      name: 'jedi',
      ...(jv.autoStart
        ? { command: ['/bin/sh', '-c'], args: startCommand('init-jedi', 'run-jedi-crons', '/etc/rc.d/init.d/run-jedi-services') }
        : {}),
      volumeMounts: [
        { name: `${name}-logs`, mountPath: LOG_DIR },
        { name: `${name}-configjson`, mountPath: CONFIG_JSON_DIR },
        { name: `${name}-sandbox`, mountPath: SANDBOX_MOUNT },
      ],
      envFrom: [envFrom.configMap(n.env), envFrom.secret(envs)],
      env: [noProxyEnv],
    };
    out.push(
      configMap(o, configjson, { 'panda_jedi_config.json': configText(mergeConfig(jediConfig(), jv.config)) }),
      binaryConfigMap(o, sandbox, ctx.sandbox('jedi')),
      ...storage(o, name, jv.persistentvolume, jv.persistentvolume.selector),
      ...workload(o, {
        name,
        values: jv,
        hostname: ctx.names.release,
        container,
        volumes: [
          vol.pvc(`${name}-logs`, name),
          vol.projected(`${name}-sandbox`, [{ configMap: sandbox }, { configMap: n.external }, { configMap: n.sandbox }]),
          vol.projected(`${name}-configjson`, [{ configMap: configjson }, { configMap: n.configjson }]),
        ],
      }),
    );
  }

  if (pv.enabled) {
    const o = owner('panda', ctx.names.release, 'postgres', pv.nameOverride);
    const name = ctx.names.sub('postgres', pv.fullnameOverride);
    out.push(
      ...storage(o, name, pv.persistentvolume, pv.persistentvolume.selector),
      service(o, name, [{ name: 'postgres-port', port: pv.service.port, targetPort: 'postgres-port' }], pv.service.type),
      ...workload(o, {
        name,
        values: pv,
        container: {
          name: 'postgres',
          ports: [{ name: 'postgres-port', containerPort: 5432, protocol: 'TCP' }],
          envFrom: [envFrom.secret(envs)],
          // the panda-database image keeps its data in /temp/data (PGDATA)
          volumeMounts: [{ name: `${name}-data`, mountPath: '/temp' }],
        },
        volumes: [vol.pvc(`${name}-data`, name)],
      }),
    );
  }
  return out;
}

export const panda = defineComponent({
  name: 'panda',
  dependsOn: ['msgsvc', 'iam'],
  description: 'PanDA server, JEDI and the PanDA database',
  subs: [
    {
      name: 'server',
      description: 'PanDA server (REST API, message-broker proxy, daemons)',
      after: ['postgres'],
      secrets: ['panda-envs', 'panda-auth', 'panda-certs'],
    },
    {
      name: 'jedi',
      description: 'JEDI task engine; mounts the server env, config and sandbox',
      requires: ['server'],
      after: ['postgres'],
      secrets: ['panda-envs'],
    },
    { name: 'postgres', description: 'PanDA database (PostgreSQL); disable to use an external database', secrets: ['panda-envs'] },
  ],
  schema: pandaSchema,
  render: renderPanda,
});
