import { binaryConfigMap, ingress, route, service, type K8sObject } from '../../core/k8s.js';
import { envFrom, mount, port, vol, type Volume } from '../../core/pod.js';
import { probe } from '../../core/probes.js';
import { cvmfs, storage } from '../../core/storage.js';
import { workload } from '../../core/workload.js';
import { secretRefs } from '../../secrets/refs.js';
import type { RenderContext } from '../define.js';
import type { BigmonIngressValues, BigmonValues } from './values.js';

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
  ctx: Pick<RenderContext, 'names'>,
): { name: string; port: number } {
  if (p.component === 'harvester') return { name: ctx.names.of('harvester').sub('harvester'), port: p.servicePort ?? HARVESTER_HTTPS_PORT };
  if (p.serviceName) return { name: p.serviceName, port: p.servicePort ?? own.port };
  return { name: own.name, port: p.servicePort ?? own.port };
}

export function renderBigmon(values: BigmonValues, ctx: RenderContext): K8sObject[] {
  const v = values.main;
  if (!v.enabled) return [];
  const main = ctx.part('main', v);
  const o = main.owner;
  const name = main.names.service;
  const sandboxName = main.names.configMap('sandbox');
  // the bigmon chart's own global.existingTlsSecret (helm/bigmon/values.yaml), else the stack's
  const existingTls = values.global.existingTlsSecret || ctx.existingTlsSecret;

  // logs: own hostPath PV/PVC (reclaim Delete), the shared claim, or a per-pod claim template
  const logs = storage(main, { ...v.persistentvolume, selector: true, reclaimPolicy: v.persistentvolume.reclaimPolicy ?? 'Delete' }, { claimTemplate: true });
  const repos = cvmfs(main, v.cvmfs);
  const certs: Volume = existingTls
    ? {
        role: 'certs',
        source: {
          secret: {
            secretName: existingTls,
            items: [
              { key: 'tls.crt', path: 'hostcert.pem' },
              { key: 'tls.key', path: 'hostkey.pem' },
            ],
          },
        },
      }
    : vol.secret('certs', main.secret(secretRefs.bigmonCerts));
  const out: K8sObject[] = [
    binaryConfigMap(o, sandboxName, ctx.sandbox('main')),
    ...logs.objects,
    ...repos.objects,
    service(o, name, [{ name: 'https', port: v.service.httpsPort, targetPort: 'https' }], v.service.type),
    ...workload(main, {
      values: v,
      container: {
        name: 'main',
        command: ['/bin/sh', '-c'],
        args: [bigmonStart(v.autoStart)],
        ports: [port('https', HTTPS)],
        readinessProbe: probe.tcp(HTTPS, { initialDelaySeconds: 30, periodSeconds: 10, failureThreshold: 3 }),
        livenessProbe: probe.tcp(HTTPS, { initialDelaySeconds: 120, periodSeconds: 30, failureThreshold: 3 }),
        mounts: [
          logs.mount('/data/bigmon/logs', 'logs'),
          mount('/data/bigmon/configmap', vol.configMap('sandbox', sandboxName)),
          mount('/opt/bigmon/etc/cert', certs),
          ...repos.mounts,
        ],
        envFrom: [envFrom.secret(main.secret(secretRefs.bigmonEnvs))],
        ...(v.installedAppsList ? { env: [{ name: 'BIGMON_INSTALLED_APPS_LIST', value: v.installedAppsList }] } : {}),
      },
    }),
  ];
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
    const tls = (ing.spec!.tls ?? []).map((t) => ({ ...t, secretName: main.secret(secretRefs.bigmonTlsCerts) }));
    out.push({ ...ing, spec: { ...ing.spec!, rules, ...(tls.length ? { tls } : {}) } });
  }
  if (v.route.enabled) out.push(route(o, main.names.route(), v.hostName, name, 'https', v.route.tls));
  return out;
}
