import { database } from '../../core/database.js';
import { binaryConfigMap, configMap, ingress, proxyEnv, service, type K8sObject } from '../../core/k8s.js';
import { envFrom, mount, port, vol } from '../../core/pod.js';
import { probe } from '../../core/probes.js';
import { cvmfs, storage } from '../../core/storage.js';
import { workload } from '../../core/workload.js';
import { secretRefs } from '../../secrets/refs.js';
import type { RenderContext } from '../define.js';
import { iddsConfig, parseIddsConfig } from './config.js';
import type { IddsRestValues, IddsValues } from './values.js';

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

/** The rest env ConfigMap: proxies and the server's worker tuning (each only when set). */
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

export function renderIdds(values: IddsValues, ctx: RenderContext): K8sObject[] {
  const release = ctx.names.release;
  const rest = ctx.part('rest', values.rest);
  const postgres = ctx.part('postgres', values.postgres);
  const out: K8sObject[] = [];

  const pg = values.postgres;
  if (pg.enabled) {
    const config = postgres.names.configMap('configmap');
    out.push(
      configMap(postgres.owner, config, pg.noRoot ? { PGDATA: `${NO_ROOT_PG_MOUNT}/data` } : null),
      ...database(postgres, {
        engine: 'postgres',
        values: pg,
        dataPath: pg.noRoot ? NO_ROOT_PG_MOUNT : '/var/lib/postgresql/data',
        envFrom: [envFrom.configMap(config), envFrom.secret(postgres.secret(secretRefs.iddsDbEnvs))],
        // one database pod at a time on its volume
        strategy: 'Recreate',
      }),
    );
  }

  const rv = values.rest;
  if (!rv.enabled) return out;
  const o = rest.owner;
  const restConfig = rest.names.configMap('configmap');
  const restEnvs = rest.names.configMap('envs');
  const tnsnamesName = ctx.names.derived('tnsnames');
  const configFile = ctx.sandbox('config').get('idds_configmap.json');
  const base = configFile ? parseIddsConfig(Buffer.from(configFile).toString('utf8'), 'idds_configmap.json (idds `config` payload)') : undefined;
  const tnsnames = ctx.sandbox('tnsnames').get('tnsnames.ora');
  out.push(
    configMap(o, restConfig, { 'idds_configmap.json': JSON.stringify(iddsConfig(rv.configOverrides as never, base), null, 4) }),
    configMap(o, restEnvs, restEnv(rv, ['localhost', rest.names.service, postgres.names.service].join(','))),
    // Upstream renders this sandbox ConfigMap (empty unless the chart has a sandbox/) but mounts it nowhere; kept so both object lists match.
    binaryConfigMap(o, rest.names.configMap('sandbox'), ctx.sandbox('rest')),
    // Oracle connection aliases, projected next to the config; empty without a tnsnames.ora payload (only the Oracle backend reads it).
    configMap(o, tnsnamesName, { 'tnsnames.ora': tnsnames ? Buffer.from(tnsnames).toString('utf8') : '' }),
  );

  // logs: own hostPath PV/PVC (reclaim Delete), the shared claim, or a per-pod claim template
  const logs = storage(rest, { ...rv.persistentvolume, selector: true, reclaimPolicy: rv.persistentvolume.reclaimPolicy ?? 'Delete' }, { claimTemplate: true });
  // request files: a directory of the logs volume, or an own claim `<rest>-requests`
  const rq = rv.persistentvolumerequests;
  const requests = rq.reuseLogsVolume
    ? undefined
    : storage(
        { owner: { ...o, name: `${o.name}-requests` }, names: ctx.names.part('rest', rest.names.configMap('requests')) },
        { ...rq, reclaimPolicy: rq.reclaimPolicy ?? 'Delete' },
      );
  const repos = cvmfs(rest, rv.cvmfs);
  out.push(...logs.objects, ...(requests?.objects ?? []), ...repos.objects);
  out.push(
    service(
      o,
      rest.names.service,
      [
        { name: 'https', port: rv.service.httpsPort, targetPort: 'https' },
        { name: 'http', port: rv.service.httpPort, targetPort: 'http' },
      ],
      rv.service.type,
    ),
  );
  out.push(
    ...workload(rest, {
      values: rv,
      hostname: release,
      container: {
        name: 'rest',
        ...(rv.autoStart ? { command: ['/bin/sh', '-c'], args: [startCommand(rv.noRoot)] } : {}),
        ports: [port('https', HTTPS), port('http', HTTP)],
        readinessProbe: probe.tcp(HTTPS, { initialDelaySeconds: 30, periodSeconds: 10, failureThreshold: 3 }),
        livenessProbe: probe.tcp(HTTPS, { initialDelaySeconds: 120, periodSeconds: 30, failureThreshold: 3 }),
        envFrom: [envFrom.configMap(restEnvs), envFrom.secret(rest.secret(secretRefs.iddsEnvs)), envFrom.secret(rest.secret(secretRefs.iddsDbEnvs))],
        env: [
          { name: 'IDDS_REST_HOST', value: rv.restHost || `https://${rest.names.service}:${rv.service.httpsPort}` },
          { name: 'PANDAMON_URL', value: rv.bigmonURL || `https://${ctx.names.of('bigmon').sub('main')}` },
        ],
        mounts: [
          logs.mount('/var/log/idds/', 'logs'),
          mount(
            '/opt/idds/configmap',
            vol.projected('configmap', [{ configMap: restConfig }, { secret: rest.secret(secretRefs.iddsAuth) }, { configMap: tnsnamesName }]),
          ),
          mount('/opt/idds/certs', vol.secret('certs', rest.secret(secretRefs.iddsCerts))),
          requests ? mount(rq.path, requests.volume('requests')) : mount(rq.path, logs.volume('logs'), { subPath: rq.subPath }),
          ...repos.mounts,
        ],
      },
    }),
  );
  if (rv.ingress.enabled) {
    const ing = ingress(o, rest.names.service, rv.ingress, rv.service.httpsPort);
    // TLS always with the secrets lifecycle's iDDS certificate (B27)
    const tls = (ing.spec!.tls ?? []).map((t) => ({ ...t, secretName: rest.secret(secretRefs.iddsTlsCerts) }));
    out.push({ ...ing, spec: { ...ing.spec!, ...(tls.length ? { tls } : {}) } });
  }
  return out;
}
