import { database } from '../../core/database.js';
import { binaryConfigMap, configMap, ingress, proxyEnv, service, type K8sObject } from '../../core/k8s.js';
import { envFrom, mount, port, vol } from '../../core/pod.js';
import { storage } from '../../core/storage.js';
import { workload } from '../../core/workload.js';
import { secretRefs } from '../../secrets/refs.js';
import type { ComponentPart, RenderContext } from '../define.js';
import { iddsConfig } from './config.js';
import type { IddsValues } from './values.js';

/** Where PostgreSQL keeps its data with `noRoot`: a directory inside the mounted volume it can create itself. */
const NO_ROOT_PG_MOUNT = '/tmp/pg_volume';

/** Shell command of the rest and daemon containers: wait for the database, then run the image's launcher. */
function startCommand(service: Service, noRoot: boolean): string {
  const launch = `/opt/idds/bin/start-daemon.sh ${service}`;
  return noRoot ? `sleep 30; ${launch}` : `sleep 30; chmod 777 /var/log/idds; runuser -u atlpan -g zp -- ${launch}`;
}

type Service = 'rest' | 'daemon';

export function renderIdds(values: IddsValues, ctx: RenderContext): K8sObject[] {
  const release = ctx.names.release;
  // the daemon mounts the REST server's ConfigMaps, so both take the names from here (upstream built them twice, differently: B14)
  const rest = ctx.part('rest', values.rest);
  const daemon = ctx.part('daemon', values.daemon);
  const postgres = ctx.part('postgres', values.postgres);
  const restConfig = rest.names.configMap('configmap');
  const restEnvs = rest.names.configMap('envs');
  const out: K8sObject[] = [];

  // rest and daemon share the env ConfigMap, the config ConfigMap and the Secrets.
  const iddsPod = (service: Service, part: ComponentPart, v: { autoStart: boolean; noRoot: boolean; persistentvolume: IddsValues['rest']['persistentvolume'] }) => {
    const logs = storage(part, v.persistentvolume);
    return {
      storage: logs.objects,
      container: {
        name: service,
        ...(v.autoStart ? { command: ['/bin/sh', '-c'], args: [startCommand(service, v.noRoot)] } : {}),
        ...(service === 'rest' ? { ports: [port('https', 8443), port('http', 8080)] } : {}),
        envFrom: [envFrom.configMap(restEnvs), envFrom.secret(part.secret(secretRefs.iddsEnvs))],
        mounts: [
          logs.mount('/var/log/idds/', 'logs'),
          mount('/opt/idds/configmap', vol.projected('configmap', [{ configMap: restConfig }, { secret: part.secret(secretRefs.iddsAuth) }])),
          mount('/opt/idds/certs', vol.secret('certs', part.secret(secretRefs.iddsCerts))),
        ],
      },
    };
  };

  const rv = values.rest;
  if (rv.enabled) {
    const o = rest.owner;
    const defaultNoProxy = ['localhost', rest.names.service, daemon.names.fullname, postgres.names.service].join(',');
    const pod = iddsPod('rest', rest, rv);
    out.push(
      configMap(o, restConfig, { 'idds_configmap.json': JSON.stringify(iddsConfig(rv.configOverrides), null, 4) }),
      configMap(o, restEnvs, proxyEnv(rv, defaultNoProxy)),
      // Upstream renders this (empty) sandbox ConfigMap but mounts it nowhere; kept so both object lists match.
      binaryConfigMap(o, rest.names.configMap('sandbox'), ctx.sandbox('rest')),
      ...pod.storage,
      service(
        o,
        rest.names.service,
        [
          { name: 'https', port: rv.service.httpsPort, targetPort: 'https' },
          { name: 'http', port: rv.service.httpPort, targetPort: 'http' },
        ],
        rv.service.type,
      ),
      ...workload(rest, { values: rv, hostname: release, container: pod.container }),
    );
    if (rv.ingress.enabled) out.push(ingress(o, rest.names.service, rv.ingress, rv.service.httpsPort));
  }

  const dv = values.daemon;
  if (dv.enabled) {
    const pod = iddsPod('daemon', daemon, dv);
    out.push(...pod.storage, ...workload(daemon, { values: dv, hostname: release, container: pod.container }));
  }

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
      }),
    );
  }
  return out;
}
