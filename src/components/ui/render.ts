import type { V1Ingress, V1Volume, V1VolumeMount } from '@kubernetes/client-node';
import { binaryConfigMap, claimTemplate, configMap, envFrom, owner, service, storage, vol, workload, type K8sObject } from '../../core/k8s.js';
import { defineComponent } from '../types.js';
import { uiSchema, type UiValues } from './values.js';
import { secretName, type SecretId } from '../../secrets/refs.js';

/** Stands in for a missing UI host: a template renders, a real install is refused naming the option (B22). */
export const HOST_PLACEHOLDER = 'FIXME(ui.global.hostOverwrite)';

/** The UI host: `global.hostOverwrite`, else `<name>.<domain>` of the first Ingress host with a domain, else the placeholder. */
export function uiHost(v: UiValues, ingressName: string): string {
  if (v.global.hostOverwrite) return v.global.hostOverwrite;
  const domain = v.ingress.hosts.find((h) => h.domain)?.domain;
  return domain ? `${ingressName}.${domain}` : HOST_PLACEHOLDER;
}

export const ui = defineComponent({
  name: 'ui',
  dependsOn: ['panda'],
  description: 'PanDA UI: Django REST backend and nginx frontend behind one Ingress',
  subs: [
    { name: 'backend', description: 'Django REST API (`/api`, `/ws`)', secrets: ['ui-envs', 'ui-certs'] },
    { name: 'frontend', description: 'nginx serving the web application (`/`)', secrets: ['ui-certs'] },
  ],
  schema: uiSchema,
  render(values, ctx): K8sObject[] {
    const release = ctx.names.release;
    const secret = (id: SecretId) => secretName(ctx.secretPrefix, id);
    const ingressName = ctx.names.sub('ui');
    const host = uiHost(values, ingressName);
    const out: K8sObject[] = [];
    const serviceNames: Partial<Record<'frontend' | 'backend', string>> = {};

    const b = values.backend;
    if (b.enabled) {
      const o = owner('ui', release, 'backend', b.nameOverride);
      const name = ctx.names.sub('backend', b.fullnameOverride);
      serviceNames.backend = name;
      const sandbox = `${name}-sandbox`;
      const logs = `${name}-logs`;
      const pv = b.persistentvolume;
      const volumes: V1Volume[] = [vol.configMap(sandbox, sandbox), vol.secret(`${name}-certs`, secret('ui-certs'))];
      let templates;
      if (pv.create) {
        // a created hostPath volume has no class; the claim binds to it by selector
        out.push(...storage(o, name, { ...pv, class: pv.class ?? '', accessModes: ['ReadWriteMany'] }, true));
        volumes.push(vol.pvc(logs, name));
      } else if (pv.sharedPvcName) {
        volumes.push(vol.pvc(logs, pv.sharedPvcName));
      } else {
        templates = [claimTemplate(logs, pv.size, pv.class || null)];
      }
      const waitDb = b.db.deployment === 'kubernetes' && b.db.vendor === 'postgresql';
      const start = [
        `cp ${b.paths.sandbox}/* ${b.paths.config}/`,
        ...(b.autoStart
          ? [...(waitDb ? ['until /usr/pgsql-*/bin/pg_isready -h ${PANDA_DB_HOST} -p ${PANDA_DB_PORT}; do echo waiting for database; sleep 2; done'] : []), 'start.sh all']
          : ['sleep infinity & wait']),
      ].join('; ');
      const mounts: V1VolumeMount[] = [
        { name: logs, mountPath: b.paths.logs, ...(pv.subPath ? { subPath: pv.subPath } : {}) },
        { name: sandbox, mountPath: b.paths.sandbox },
        { name: `${name}-certs`, mountPath: b.paths.certs },
      ];
      out.push(
        binaryConfigMap(o, sandbox, ctx.sandbox('backend')),
        service(o, name, [{ name: 'https', port: b.service.port, targetPort: b.service.containerPort }], b.service.type),
        ...workload(o, {
          name,
          kind: 'StatefulSet',
          serviceName: name,
          values: b,
          container: {
            name: 'backend',
            command: ['/bin/sh', '-c'],
            args: [start],
            ports: [{ name: 'https', containerPort: b.service.containerPort, protocol: 'TCP' }],
            volumeMounts: mounts,
            envFrom: [envFrom.secret(secret('ui-envs'))],
            env: [
              { name: 'PANDAUI_FRONTEND_BASE_URL', value: `https://${host}` },
              { name: 'PANDAUI_ALLOWED_HOSTS', value: `${host},` },
              { name: 'CORS_ALLOWED_ORIGINS', value: `https://${host}` },
              { name: 'PANDAUI_VO', value: values.global.vo },
              { name: 'PANDAUI_LOG_PATH', value: b.paths.logs },
              { name: 'PANDAUI_LOG_LEVEL', value: values.global.logLevel },
            ],
          },
          volumes,
          ...(templates ? { volumeClaimTemplates: templates } : {}),
        }),
      );
    }

    const f = values.frontend;
    if (f.enabled) {
      const o = owner('ui', release, 'frontend', f.nameOverride);
      const name = ctx.names.sub('frontend', f.fullnameOverride);
      serviceNames.frontend = name;
      const config = `${name}-config`;
      const appConfig = {
        production: true,
        apiUrl: values.global.hostOverwrite || host !== HOST_PLACEHOLDER ? `https://${host}/api/v1` : '/api/v1',
        logLevel: values.global.logLevel || 'WARN',
        vo: values.global.vo || 'TEST',
      };
      out.push(
        configMap(o, config, { 'app-config.json': `${JSON.stringify(appConfig, null, 2)}\n` }),
        service(o, name, [{ name: 'https', port: f.service.port, targetPort: 'https' }], f.service.type),
        ...workload(o, {
          name,
          kind: 'StatefulSet',
          serviceName: name,
          values: f,
          container: {
            name: 'frontend',
            ports: [{ name: 'https', containerPort: f.service.containerPort, protocol: 'TCP' }],
            volumeMounts: [
              { name: 'app-config', mountPath: '/usr/share/nginx/html/assets/app-config.json', subPath: 'app-config.json', readOnly: true },
              { name: `${name}-certs`, mountPath: f.paths.certs },
            ],
          },
          volumes: [vol.configMap('app-config', config), vol.secret(`${name}-certs`, secret('ui-certs'))],
        }),
      );
    }

    const ing = values.ingress;
    const paths = ing.hosts.flatMap((h) => h.paths).filter((p) => serviceNames[p.service.name]);
    if (ing.enabled && paths.length) {
      const o = owner('ui', release, 'ui');
      const tls = ing.tls.map(() => ({ hosts: [host], secretName: secret('ui-tls-certs') }));
      const obj: K8sObject & V1Ingress = {
        apiVersion: 'networking.k8s.io/v1',
        kind: 'Ingress',
        metadata: { name: ingressName, labels: ingressLabels(o), ...(Object.keys(ing.annotations).length ? { annotations: { ...ing.annotations } } : {}) },
        spec: {
          ...(ing.className ? { ingressClassName: ing.className } : {}),
          ...(tls.length ? { tls } : {}),
          // one host: every path of every configured entry, to the sub-component that serves it
          rules: [
            {
              host,
              http: {
                paths: paths.map((p) => ({ path: p.path, pathType: p.pathType, backend: { service: { name: serviceNames[p.service.name]!, port: { number: p.service.port } } } })),
              },
            },
          ],
        },
      };
      out.push(obj);
    }
    return out;
  },
});

function ingressLabels(o: ReturnType<typeof owner>): Record<string, string> {
  // the labels every object of ours carries, via a throw-away ConfigMap of the same owner
  return configMap(o, 'x', null).metadata.labels!;
}
