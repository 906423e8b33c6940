import { binaryConfigMap, configMap, envFrom, ingress, owner, proxyEnv, service, storage, vol, workload, type K8sObject } from '../../core/k8s.js';
import type { RenderContext } from '../types.js';
import { defineComponent } from '../types.js';
import { iddsConfig } from './config.js';
import { iddsSchema, type IddsValues } from './values.js';

/**
 * Object names of the idds component. The daemon mounts the REST server's ConfigMaps, so both
 * sides take these names from here (upstream built them twice, differently: B14).
 */
export function iddsNames(v: IddsValues, ctx: Pick<RenderContext, 'names'>) {
  const rest = ctx.names.sub('rest', v.rest.fullnameOverride);
  const postgres = ctx.names.sub('postgres', v.postgres.fullnameOverride);
  return {
    rest,
    daemon: ctx.names.sub('daemon', v.daemon.fullnameOverride),
    postgres,
    restConfig: `${rest}-configmap`,
    restEnvs: `${rest}-envs`,
    restSandbox: `${rest}-sandbox`,
    postgresConfig: `${postgres}-configmap`,
  };
}

/** Where PostgreSQL keeps its data with `noRoot`: a directory inside the mounted volume it can create itself. */
const NO_ROOT_PG_MOUNT = '/tmp/pg_volume';

/** Shell command of the rest and daemon containers: wait for the database, then run the image's launcher. */
function startCommand(service: 'rest' | 'daemon', noRoot: boolean): string {
  const launch = `/opt/idds/bin/start-daemon.sh ${service}`;
  return noRoot ? `sleep 30; ${launch}` : `sleep 30; chmod 777 /var/log/idds; runuser -u atlpan -g zp -- ${launch}`;
}

export const idds = defineComponent({
  name: 'idds',
  dependsOn: ['panda'],
  description: 'iDDS (intelligent Data Delivery Service): REST server, agents and their PostgreSQL database',
  subs: [
    { name: 'rest', description: 'iDDS REST server (HTTPS 8443, HTTP 8080)', after: ['postgres'], secrets: ['idds-envs', 'idds-auth', 'idds-certs'] },
    {
      name: 'daemon',
      description: 'iDDS agents (supervisord); uses the REST server’s env and config ConfigMaps',
      requires: ['rest'],
      after: ['postgres'],
      secrets: ['idds-envs', 'idds-auth', 'idds-certs'],
    },
    { name: 'postgres', description: 'PostgreSQL database of iDDS', secrets: ['idds-db-envs'] },
  ],
  schema: iddsSchema,
  render(values, ctx): K8sObject[] {
    const n = iddsNames(values, ctx);
    const release = ctx.names.release;
    const secret = (s: string) => `${ctx.secretPrefix}-${s}`;
    const out: K8sObject[] = [];

    // rest and daemon share the env ConfigMap, the config ConfigMap and the Secrets.
    const iddsEnvFrom = [envFrom.configMap(n.restEnvs), envFrom.secret(secret('idds-envs'))];
    const iddsMounts = (name: string) => [
      { name: `${name}-logs`, mountPath: '/var/log/idds/' },
      { name: `${name}-configmap`, mountPath: '/opt/idds/configmap' },
      { name: `${name}-certs`, mountPath: '/opt/idds/certs' },
    ];
    const iddsVolumes = (name: string) => [
      vol.pvc(`${name}-logs`, name),
      vol.projected(`${name}-configmap`, [{ configMap: n.restConfig }, { secret: secret('idds-auth') }]),
      vol.secret(`${name}-certs`, secret('idds-certs')),
    ];
    const start = (service: 'rest' | 'daemon', v: { autoStart: boolean; noRoot: boolean }) =>
      v.autoStart ? { command: ['/bin/sh', '-c'], args: [startCommand(service, v.noRoot)] } : {};

    const rest = values.rest;
    if (rest.enabled) {
      const o = owner('idds', release, 'rest', rest.nameOverride);
      const defaultNoProxy = ['localhost', n.rest, n.daemon, n.postgres].join(',');
      out.push(
        configMap(o, n.restConfig, { 'idds_configmap.json': JSON.stringify(iddsConfig(rest.configOverrides), null, 4) }),
        configMap(o, n.restEnvs, proxyEnv(rest, defaultNoProxy)),
        // Upstream renders this (empty) sandbox ConfigMap but mounts it nowhere; kept so both object lists match.
        binaryConfigMap(o, n.restSandbox, ctx.sandbox('rest')),
        ...storage(o, n.rest, rest.persistentvolume, rest.persistentvolume.create && rest.persistentvolume.selector),
        service(
          o,
          n.rest,
          [
            { name: 'https', port: rest.service.httpsPort, targetPort: 'https' },
            { name: 'http', port: rest.service.httpPort, targetPort: 'http' },
          ],
          rest.service.type,
        ),
        ...workload(o, {
          name: n.rest,
          values: rest,
          hostname: release,
          container: {
            name: 'rest',
            ...start('rest', rest),
            ports: [
              { name: 'https', containerPort: 8443, protocol: 'TCP' },
              { name: 'http', containerPort: 8080, protocol: 'TCP' },
            ],
            envFrom: iddsEnvFrom,
            volumeMounts: iddsMounts(n.rest),
          },
          volumes: iddsVolumes(n.rest),
        }),
      );
      if (rest.ingress.enabled) out.push(ingress(o, n.rest, rest.ingress, rest.service.httpsPort));
    }

    const daemon = values.daemon;
    if (daemon.enabled) {
      const o = owner('idds', release, 'daemon', daemon.nameOverride);
      out.push(
        ...storage(o, n.daemon, daemon.persistentvolume, daemon.persistentvolume.create && daemon.persistentvolume.selector),
        ...workload(o, {
          name: n.daemon,
          values: daemon,
          hostname: release,
          container: {
            name: 'daemon',
            ...start('daemon', daemon),
            envFrom: iddsEnvFrom,
            volumeMounts: iddsMounts(n.daemon),
          },
          volumes: iddsVolumes(n.daemon),
        }),
      );
    }

    const pg = values.postgres;
    if (pg.enabled) {
      const o = owner('idds', release, 'postgres', pg.nameOverride);
      const data = `${n.postgres}-data`;
      out.push(
        configMap(o, n.postgresConfig, pg.noRoot ? { PGDATA: `${NO_ROOT_PG_MOUNT}/data` } : null),
        ...storage(o, n.postgres, pg.persistentvolume, pg.persistentvolume.create && pg.persistentvolume.selector),
        service(o, n.postgres, [{ name: 'postgres-port', port: pg.service.port, targetPort: 'postgres-port' }], pg.service.type),
        ...workload(o, {
          name: n.postgres,
          values: pg,
          container: {
            name: 'postgres',
            ports: [{ name: 'postgres-port', containerPort: 5432, protocol: 'TCP' }],
            envFrom: [envFrom.configMap(n.postgresConfig), envFrom.secret(secret('idds-db-envs'))],
            volumeMounts: [{ name: data, mountPath: pg.noRoot ? NO_ROOT_PG_MOUNT : '/var/lib/postgresql/data' }],
          },
          volumes: [vol.pvc(data, n.postgres)],
        }),
      );
    }
    return out;
  },
});
