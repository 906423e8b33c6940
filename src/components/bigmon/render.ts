import type { V1Volume, V1VolumeMount } from '@kubernetes/client-node';
import {
  asStatefulSet,
  binaryConfigMap,
  cvmfsObjects,
  envFrom,
  ingress,
  owner,
  route,
  service,
  storage,
  tcpProbe,
  vol,
  workload,
  type K8sObject,
} from '../../core/k8s.js';
import { secretName } from '../../secrets/refs.js';
import { defineComponent, type RenderContext } from '../types.js';
import { bigmonSchema, type BigmonIngressValues } from './values.js';

/** HTTPS container port of BigMon's httpd. */
const HTTPS = 8443;
/** HTTPS port of the harvester Service (80/443 → 8080/8443), the backend of `/condor_logs`. */
const HARVESTER_HTTPS_PORT = 443;

/**
 * Start command: copy the sandbox into the config directory, render its templates, put the iDDS
 * and Rucio client configs in place, then (autoStart) wait for a PostgreSQL PanDA database and
 * start httpd/Django.
 */
export function bigmonStart(autoStart: boolean): string {
  const prepare = [
    'cp /data/bigmon/configmap/* /data/bigmon/config/',
    'python /data/bigmon/config/process_template.py',
    'mv /data/bigmon/config/idds.cfg /opt/bigmon/etc/idds/',
    'mv /data/bigmon/config/rucio.cfg /opt/bigmon/etc/',
  ];
  const run = autoStart
    ? [
        'if [ "${PANDA_DB_BACKEND}" != "oracle" ]; then until /usr/pgsql-*/bin/pg_isready -h ${PANDA_DB_HOST} -p ${PANDA_DB_PORT}; do echo waiting for database; sleep 2; done; fi',
        'chmod -R 777 /data/bigmon/logs',
        'start-daemon.sh all',
      ]
    : ['sleep infinity & wait'];
  return [...prepare, ...run].join('; ');
}

/**
 * Backend of one Ingress path: BigMon itself, a component of this stack (its Service name from
 * the names module, so it follows the affix), or a Service named verbatim.
 */
export function pathBackend(
  p: BigmonIngressValues['hosts'][number]['paths'][number],
  own: { name: string; port: number },
  ctx: Pick<RenderContext, 'stack'>,
): { name: string; port: number } {
  if (p.component === 'harvester') return { name: ctx.stack.harvester.sub('harvester'), port: p.servicePort ?? HARVESTER_HTTPS_PORT };
  if (p.serviceName) return { name: p.serviceName, port: p.servicePort ?? own.port };
  return { name: own.name, port: p.servicePort ?? own.port };
}

export const bigmon = defineComponent({
  name: 'bigmon',
  description: 'PanDA monitor (BigMon): web UI on the PanDA and iDDS databases',
  subs: [{ name: 'main', description: 'BigMon web server (httpd + Django, HTTPS 8443)', secrets: ['bigmon-envs', 'bigmon-certs'] }],
  schema: bigmonSchema,
  checkout: { main: 'charts/main/sandbox/' },
  render(values, ctx): K8sObject[] {
    const v = values.main;
    if (!v.enabled) return [];
    const o = owner('bigmon', ctx.names.release, 'main', v.nameOverride);
    const name = ctx.names.sub('main', v.fullnameOverride);
    const sandboxName = `${name}-sandbox`;
    const logsVolume = `${name}-logs`;
    const certsVolume = `${name}-certs`;
    const existingTls = values.global.existingTlsSecret;

    const out: K8sObject[] = [binaryConfigMap(o, sandboxName, ctx.sandbox('main'))];
    const pv = v.persistentvolume;
    if (pv.create) {
      out.push(
        ...storage(o, name, pv, true).map((x) =>
          x.kind === 'PersistentVolume' ? { ...x, spec: { ...(x.spec as object), persistentVolumeReclaimPolicy: 'Delete' } } : x,
        ),
      );
    }
    const logsClaim = pv.create ? name : pv.sharedPvcName || undefined;
    const cvmfs = cvmfsObjects(o, name, v.cvmfs.enabled ? v.cvmfs.repositories : []);
    out.push(...cvmfs.objects);
    out.push(service(o, name, [{ name: 'https', port: v.service.httpsPort, targetPort: 'https' }], v.service.type));

    const mounts: V1VolumeMount[] = [
      { name: logsVolume, mountPath: '/data/bigmon/logs', ...(pv.subPath ? { subPath: pv.subPath } : {}) },
      { name: sandboxName, mountPath: '/data/bigmon/configmap' },
      { name: certsVolume, mountPath: '/opt/bigmon/etc/cert' },
      ...cvmfs.mounts,
    ];
    const volumes: V1Volume[] = [
      vol.configMap(sandboxName, sandboxName),
      existingTls
        ? {
            name: certsVolume,
            secret: {
              secretName: existingTls,
              items: [
                { key: 'tls.crt', path: 'hostcert.pem' },
                { key: 'tls.key', path: 'hostkey.pem' },
              ],
            },
          }
        : vol.secret(certsVolume, secretName(ctx.secretPrefix, 'bigmon-certs')),
      ...cvmfs.volumes,
      ...(logsClaim ? [vol.pvc(logsVolume, logsClaim)] : []),
    ];
    out.push(
      ...asStatefulSet(
        workload(o, {
          name,
          values: v,
          container: {
            name: 'main',
            command: ['/bin/sh', '-c'],
            args: [bigmonStart(v.autoStart)],
            ports: [{ name: 'https', containerPort: HTTPS, protocol: 'TCP' }],
            readinessProbe: tcpProbe(HTTPS, 30, 10),
            livenessProbe: tcpProbe(HTTPS, 120, 30),
            volumeMounts: mounts,
            envFrom: [envFrom.secret(secretName(ctx.secretPrefix, 'bigmon-envs'))],
            ...(v.installedAppsList ? { env: [{ name: 'BIGMON_INSTALLED_APPS_LIST', value: v.installedAppsList }] } : {}),
          },
          volumes,
        }),
        { serviceName: name, volumeClaimTemplates: logsClaim ? [] : [{ name: logsVolume, storageClassName: pv.class, size: pv.size }] },
      ),
    );
    if (v.ingress.enabled) {
      const own = { name, port: v.service.httpsPort };
      const ing = ingress(o, name, { ...v.ingress, hosts: v.ingress.hosts.map((h) => ({ ...h, paths: h.paths.map((p) => ({ path: p.path, pathType: p.pathType })) })) }, own.port);
      const rules = (ing.spec!.rules ?? []).map((r, i) => ({
        ...r,
        http: {
          paths: v.ingress.hosts[i]!.paths.map((p) => {
            const b = pathBackend(p, own, ctx);
            return { path: p.path, pathType: p.pathType, backend: { service: { name: b.name, port: { number: b.port } } } };
          }),
        },
      }));
      // TLS always with the secrets lifecycle's BigMon certificate (B27)
      const tls = (ing.spec!.tls ?? []).map((t) => ({ ...t, secretName: secretName(ctx.secretPrefix, 'bigmon-tls-certs') }));
      out.push({ ...ing, spec: { ...ing.spec!, rules, ...(tls.length ? { tls } : {}) } });
    }
    if (v.route.enabled) out.push(route(o, `${name}-route`, v.hostName, name, 'https', v.route.tls));
    return out;
  },
});
