import type { V1Volume, V1VolumeMount } from '@kubernetes/client-node';
import {
  asStatefulSet,
  binaryConfigMap,
  configMap,
  cvmfsObjects,
  envFrom,
  ingress,
  owner,
  proxyEnv,
  service,
  storage,
  tcpProbe,
  vol,
  workload,
  type K8sObject,
} from '../../core/k8s.js';
import { secretName } from '../../secrets/refs.js';
import type { RenderContext } from '../types.js';
import { defineComponent } from '../types.js';
import { iddsConfig, parseIddsConfig } from './config.js';
import { iddsSchema, type IddsRestValues, type IddsValues } from './values.js';

/** Object names of the idds component, all from the names module. */
export function iddsNames(v: IddsValues, ctx: Pick<RenderContext, 'names' | 'stack'>) {
  const rest = ctx.names.sub('rest', v.rest.fullnameOverride);
  const postgres = ctx.names.sub('postgres', v.postgres.fullnameOverride);
  return {
    rest,
    postgres,
    restConfig: `${rest}-configmap`,
    restEnvs: `${rest}-envs`,
    restSandbox: `${rest}-sandbox`,
    requests: `${rest}-requests`,
    tnsnames: ctx.names.derived('tnsnames'),
    postgresConfig: `${postgres}-configmap`,
    /** Pod volumes of the rest StatefulSet. */
    logsVolume: `${rest}-logs`,
    configVolume: `${rest}-configmap`,
    certsVolume: `${rest}-certs`,
  };
}

/** Where PostgreSQL keeps its data with `noRoot`: a directory inside the mounted volume it can create itself. */
const NO_ROOT_PG_MOUNT = '/tmp/pg_volume';
/** Container ports of the REST server. */
const HTTPS = 8443;
const HTTP = 8080;

/**
 * Shell command of the rest container: wait for PostgreSQL (not with the Oracle backend), then run
 * every iDDS service (REST and agents) through the image's launcher.
 */
export function startCommand(noRoot: boolean): string {
  const wait =
    'if [ "${IDDS_DB_BACKEND}" != "oracle" ]; then until /usr/bin/pg_isready -h ${IDDS_DATABASE_HOST} -p ${IDDS_DATABASE_PORT}; do echo waiting for database; sleep 2; done; fi;';
  const launch = '/opt/idds/bin/start-daemon.sh all';
  return noRoot ? `${wait} ${launch}` : `${wait} chmod 777 /var/log/idds; runuser -u atlpan -g zp -- ${launch}`;
}

/** The rest env ConfigMap: proxies and the server's worker tuning. */
export function restEnv(rest: IddsRestValues, defaultNoProxy: string): Record<string, string> {
  const c = rest.serverConf;
  const tuning: Array<[string, string]> = [
    ['IDDS_SERVER_CONF_MIN_WORKERS', c.minWorkers],
    ['IDDS_SERVER_CONF_MAX_WORKERS', c.maxWorkers],
    ['IDDS_SERVER_CONF_NUM_WSGI', c.numWsgi],
    ['IDDS_SERVER_CONF_NUM_WSGI_THREAD', c.numWsgiThread],
    ['IDDS_SERVER_CONF_MAX_BACKLOG', c.maxBacklog],
  ];
  return { ...proxyEnv(rest, defaultNoProxy), ...Object.fromEntries(tuning.filter(([, v]) => v !== '')) };
}

const withReclaim = (objs: K8sObject[], policy: 'Delete' | 'Retain') =>
  objs.map((o) => (o.kind === 'PersistentVolume' ? { ...o, spec: { ...(o.spec as object), persistentVolumeReclaimPolicy: policy } } : o));

export const idds = defineComponent({
  name: 'idds',
  description: 'iDDS (intelligent Data Delivery Service): REST server with its agents, and their PostgreSQL database',
  subs: [
    {
      name: 'rest',
      description: 'iDDS REST server and agents (HTTPS 8443, HTTP 8080)',
      after: ['postgres'],
      secrets: ['idds-envs', 'idds-db-envs', 'idds-auth', 'idds-certs'],
    },
    { name: 'postgres', description: 'PostgreSQL database of iDDS', secrets: ['idds-db-envs'] },
  ],
  schema: iddsSchema,
  checkout: { rest: 'charts/rest/sandbox/', config: 'charts/rest/idds_configmap.json', tnsnames: 'tnsnames.ora' },
  render(values, ctx): K8sObject[] {
    const n = iddsNames(values, ctx);
    const release = ctx.names.release;
    const secret = (id: 'idds-envs' | 'idds-db-envs' | 'idds-auth' | 'idds-certs' | 'idds-tls-certs') => secretName(ctx.secretPrefix, id);
    const out: K8sObject[] = [];

    const pg = values.postgres;
    if (pg.enabled) {
      const o = owner('idds', release, 'postgres', pg.nameOverride);
      const data = `${n.postgres}-data`;
      out.push(configMap(o, n.postgresConfig, pg.noRoot ? { PGDATA: `${NO_ROOT_PG_MOUNT}/data` } : null));
      out.push(...storage(o, n.postgres, pg.persistentvolume, pg.persistentvolume.create));
      out.push(service(o, n.postgres, [{ name: 'postgres-port', port: pg.service.port, targetPort: 'postgres-port' }], pg.service.type));
      const objs = workload(o, {
        name: n.postgres,
        values: pg,
        container: {
          name: 'postgres',
          ports: [{ name: 'postgres-port', containerPort: 5432, protocol: 'TCP' }],
          envFrom: [envFrom.configMap(n.postgresConfig), envFrom.secret(secret('idds-db-envs'))],
          volumeMounts: [{ name: data, mountPath: pg.noRoot ? NO_ROOT_PG_MOUNT : '/var/lib/postgresql/data' }],
        },
        volumes: [vol.pvc(data, n.postgres)],
      });
      // one database pod at a time on its volume
      out.push(...objs.map((x) => (x.kind === 'Deployment' ? { ...x, spec: { ...(x.spec as object), strategy: { type: 'Recreate' } } } : x)));
    }

    const rest = values.rest;
    if (!rest.enabled) return out;
    const o = owner('idds', release, 'rest', rest.nameOverride);
    const defaultNoProxy = ['localhost', n.rest, n.postgres].join(',');
    const configFile = ctx.sandbox('config').get('idds_configmap.json');
    const base = configFile ? parseIddsConfig(Buffer.from(configFile).toString('utf8'), 'idds_configmap.json (idds `config` payload)') : undefined;
    const tnsnames = ctx.sandbox('tnsnames').get('tnsnames.ora');
    out.push(
      configMap(o, n.restConfig, { 'idds_configmap.json': JSON.stringify(iddsConfig(rest.configOverrides as never, base), null, 4) }),
      configMap(o, n.restEnvs, restEnv(rest, defaultNoProxy)),
      // Upstream renders this sandbox ConfigMap (empty unless the chart has a sandbox/) but mounts it nowhere; kept so both object lists match.
      binaryConfigMap(o, n.restSandbox, ctx.sandbox('rest')),
      // Oracle connection aliases, projected next to the config; empty without a tnsnames.ora payload (only the Oracle backend reads it).
      configMap(o, n.tnsnames, { 'tnsnames.ora': tnsnames ? Buffer.from(tnsnames).toString('utf8') : '' }),
    );

    // logs: own hostPath PV/PVC, the shared claim, or a per-pod claim template
    const pv = rest.persistentvolume;
    if (pv.create) out.push(...withReclaim(storage(o, n.rest, pv, true), 'Delete'));
    const logsClaim = pv.create ? n.rest : pv.sharedPvcName || undefined;
    // request files: on the logs volume, or an own claim
    const req = rest.persistentvolumerequests;
    const ro = owner('idds', release, 'rest', `${o.name}-requests`);
    if (!req.reuseLogsVolume) {
      const objs = storage(ro, n.requests, req, req.selector);
      out.push(...withReclaim(objs, 'Delete'));
    }
    const cvmfs = cvmfsObjects(o, n.rest, rest.cvmfs.enabled ? rest.cvmfs.repositories : []);
    out.push(...cvmfs.objects);
    out.push(
      service(
        o,
        n.rest,
        [
          { name: 'https', port: rest.service.httpsPort, targetPort: 'https' },
          { name: 'http', port: rest.service.httpPort, targetPort: 'http' },
        ],
        rest.service.type,
      ),
    );

    const mounts: V1VolumeMount[] = [
      { name: n.logsVolume, mountPath: '/var/log/idds/', ...(pv.subPath ? { subPath: pv.subPath } : {}) },
      { name: n.configVolume, mountPath: '/opt/idds/configmap' },
      { name: n.certsVolume, mountPath: '/opt/idds/certs' },
      req.reuseLogsVolume
        ? { name: n.logsVolume, mountPath: req.path, ...(req.subPath ? { subPath: req.subPath } : {}) }
        : { name: n.requests, mountPath: req.path },
      ...cvmfs.mounts,
    ];
    const volumes: V1Volume[] = [
      {
        name: n.configVolume,
        projected: { sources: [{ configMap: { name: n.restConfig } }, { secret: { name: secret('idds-auth') } }, { configMap: { name: n.tnsnames } }] },
      },
      vol.secret(n.certsVolume, secret('idds-certs')),
      ...(req.reuseLogsVolume ? [] : [vol.pvc(n.requests, n.requests)]),
      ...cvmfs.volumes,
      ...(logsClaim ? [vol.pvc(n.logsVolume, logsClaim)] : []),
    ];
    const restHost = rest.restHost || `https://${n.rest}:${rest.service.httpsPort}`;
    const bigmonUrl = rest.bigmonURL || `https://${ctx.stack.bigmon.sub('main')}`;
    out.push(
      ...asStatefulSet(
        workload(o, {
          name: n.rest,
          values: rest,
          hostname: release,
          container: {
            name: 'rest',
            ...(rest.autoStart ? { command: ['/bin/sh', '-c'], args: [startCommand(rest.noRoot)] } : {}),
            ports: [
              { name: 'https', containerPort: HTTPS, protocol: 'TCP' },
              { name: 'http', containerPort: HTTP, protocol: 'TCP' },
            ],
            readinessProbe: tcpProbe(HTTPS, 30, 10),
            livenessProbe: tcpProbe(HTTPS, 120, 30),
            envFrom: [envFrom.configMap(n.restEnvs), envFrom.secret(secret('idds-envs')), envFrom.secret(secret('idds-db-envs'))],
            env: [
              { name: 'IDDS_REST_HOST', value: restHost },
              { name: 'PANDAMON_URL', value: bigmonUrl },
            ],
            volumeMounts: mounts,
          },
          volumes,
        }),
        { serviceName: n.rest, volumeClaimTemplates: logsClaim ? [] : [{ name: n.logsVolume, storageClassName: pv.class, size: pv.size }] },
      ),
    );
    if (rest.ingress.enabled) {
      const ing = ingress(o, n.rest, rest.ingress, rest.service.httpsPort);
      // TLS always with the secrets lifecycle's iDDS certificate (B27)
      const tls = (ing.spec!.tls ?? []).map((t) => ({ ...t, secretName: secret('idds-tls-certs') }));
      out.push({ ...ing, spec: { ...ing.spec!, ...(tls.length ? { tls } : {}) } });
    }
    return out;
  },
});
