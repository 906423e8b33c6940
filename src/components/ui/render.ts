import type { V1Ingress } from '@kubernetes/client-node';
import { binaryConfigMap, configMap, meta, service, type K8sObject } from '../../core/k8s.js';
import { envFrom, mount, port, vol } from '../../core/pod.js';
import { storage } from '../../core/storage.js';
import { workload } from '../../core/workload.js';
import { secretRefs } from '../../secrets/refs.js';
import type { RenderContext } from '../define.js';
import type { UiValues } from './values.js';

/** Stands in for a missing UI host: a template renders, a real install is refused naming the option (B22). */
export const HOST_PLACEHOLDER = 'FIXME(ui.global.hostOverwrite)';

/** The UI host: `global.hostOverwrite`, else `<name>.<domain>` of the first Ingress host with a domain, else the placeholder. */
export function uiHost(v: UiValues, ingressName: string): string {
  if (v.global.hostOverwrite) return v.global.hostOverwrite;
  const domain = v.ingress.hosts.find((h) => h.domain)?.domain;
  return domain ? `${ingressName}.${domain}` : HOST_PLACEHOLDER;
}

export function renderUi(values: UiValues, ctx: RenderContext): K8sObject[] {
  const out: K8sObject[] = [];
  const services: Partial<Record<'frontend' | 'backend', string>> = {};
  const ui = ctx.part('ui');
  const host = uiHost(values, ui.names.fullname);

  /** A sub-component's part, its Service recorded for the Ingress. */
  const open = (sub: 'frontend' | 'backend', v: { nameOverride?: string; fullnameOverride?: string }) => {
    const part = ctx.part(sub, v);
    services[sub] = part.names.service;
    return { part, o: part.owner, n: part.names };
  };

  const b = values.backend;
  if (b.enabled) {
    const { part, o, n } = open('backend', b);
    const sandbox = n.configMap('sandbox');
    const pv = b.persistentvolume;
    // a created hostPath volume has no class ("" on both sides): the claim binds to it by selector
    const logs = storage(
      part,
      { ...pv, class: pv.create ? (pv.class ?? '') : pv.class || null, selector: true, accessModes: ['ReadWriteMany'], existingClaim: '', reclaimPolicy: null },
      { claimTemplate: true },
    );
    const waitDb = b.db.deployment === 'kubernetes' && b.db.vendor === 'postgresql';
    const start = [
      `cp ${b.paths.sandbox}/* ${b.paths.config}/`,
      ...(b.autoStart
        ? [...(waitDb ? ['until /usr/pgsql-*/bin/pg_isready -h ${PANDA_DB_HOST} -p ${PANDA_DB_PORT}; do echo waiting for database; sleep 2; done'] : []), 'start.sh all']
        : ['sleep infinity & wait']),
    ].join('; ');
    out.push(
      binaryConfigMap(o, sandbox, ctx.sandbox('backend')),
      ...logs.objects,
      service(o, n.service, [{ name: 'https', port: b.service.port, targetPort: b.service.containerPort }], b.service.type),
      ...workload(part, {
        values: b,
        container: {
          name: 'backend',
          command: ['/bin/sh', '-c'],
          args: [start],
          ports: [port('https', b.service.containerPort)],
          mounts: [
            logs.mount(b.paths.logs, 'logs'),
            mount(b.paths.sandbox, vol.configMap('sandbox', sandbox)),
            mount(b.paths.certs, vol.secret('certs', part.secret(secretRefs.uiCerts))),
          ],
          envFrom: [envFrom.secret(part.secret(secretRefs.uiEnvs))],
          env: [
            { name: 'PANDAUI_FRONTEND_BASE_URL', value: `https://${host}` },
            { name: 'PANDAUI_ALLOWED_HOSTS', value: `${host},` },
            { name: 'CORS_ALLOWED_ORIGINS', value: `https://${host}` },
            { name: 'PANDAUI_VO', value: values.global.vo },
            { name: 'PANDAUI_LOG_PATH', value: b.paths.logs },
            { name: 'PANDAUI_LOG_LEVEL', value: values.global.logLevel },
          ],
        },
      }),
    );
  }

  const f = values.frontend;
  if (f.enabled) {
    const { part, o, n } = open('frontend', f);
    const config = n.configMap('config');
    const appConfig = {
      production: true,
      apiUrl: host !== HOST_PLACEHOLDER ? `https://${host}/api/v1` : '/api/v1',
      logLevel: values.global.logLevel || 'WARN',
      vo: values.global.vo || 'TEST',
    };
    out.push(
      configMap(o, config, { 'app-config.json': `${JSON.stringify(appConfig, null, 2)}\n` }),
      service(o, n.service, [{ name: 'https', port: f.service.port, targetPort: 'https' }], f.service.type),
      ...workload(part, {
        values: f,
        container: {
          name: 'frontend',
          ports: [port('https', f.service.containerPort)],
          mounts: [
            mount('/usr/share/nginx/html/assets/app-config.json', { ...vol.configMap('config', config), name: 'app-config' }, { subPath: 'app-config.json', readOnly: true }),
            mount(f.paths.certs, vol.secret('certs', part.secret(secretRefs.uiCerts))),
          ],
        },
      }),
    );
  }

  const ing = values.ingress;
  const paths = ing.hosts.flatMap((h) => h.paths).filter((p) => services[p.service.name]);
  if (ing.enabled && paths.length) {
    const tls = ing.tls.map(() => ({ hosts: [host], secretName: ui.secret(secretRefs.uiTlsCerts) }));
    const obj: K8sObject & V1Ingress = {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      metadata: meta(ui.owner, ui.names.fullname, ing.annotations),
      spec: {
        ...(ing.className ? { ingressClassName: ing.className } : {}),
        ...(tls.length ? { tls } : {}),
        // one host: every path of every configured entry, to the sub-component that serves it
        rules: [
          {
            host,
            http: {
              paths: paths.map((p) => ({ path: p.path, pathType: p.pathType, backend: { service: { name: services[p.service.name]!, port: { number: p.service.port } } } })),
            },
          },
        ],
      },
    };
    out.push(obj);
  }
  return out;
}
