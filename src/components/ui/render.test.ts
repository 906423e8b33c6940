import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ConfigMap, PersistentVolume, PersistentVolumeClaim, Service } from 'kubernetes-models/v1';
import { StatefulSet } from 'kubernetes-models/apps/v1';
import { Ingress } from 'kubernetes-models/networking.k8s.io/v1';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import type { K8sObject } from '../../core/k8s.js';
import { find, renderComponent, renderTemplate } from '../../render/testing.js';
import { renderFromOptions } from '../../render/inputs.js';
import { buildPlan } from '../../plan/plan.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
const spec = (o: K8sObject): any => (o as any).spec;
const pod = (o: K8sObject): any => spec(o).template.spec;
const names = (objs: K8sObject[]) => objs.map((o) => `${o.kind}/${o.metadata.name}`).sort();
const env = (o: K8sObject) => Object.fromEntries(pod(o).containers[0].env.map((e: any) => [e.name, e.value]));
const MODELS: Record<string, new (o: any) => { validate(): void }> = { ConfigMap, PersistentVolume, PersistentVolumeClaim, Service, StatefulSet, Ingress, HorizontalPodAutoscaler };
const validate = (objs: K8sObject[]) => {
  for (const o of objs) expect(() => new MODELS[o.kind]!(o).validate(), `${o.kind}/${o.metadata.name}`).not.toThrow();
};
const HEAD = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..', 'shared', 'upstream', 'head', 'tree', 'helm', 'ui');
const HOST = 'panda-ui.example.org';
const withHost = (v: Record<string, unknown> = {}) => ({ ...v, global: { hostOverwrite: HOST, vo: 'ATLAS', ...(v.global as object) } });

describe('ui render', () => {
  const objs = renderComponent('ui', withHost());

  it('backend and frontend StatefulSets with their Services, config, one Ingress', () => {
    expect(names(objs)).toEqual(
      ['ConfigMap/test-ui-backend-sandbox', 'Service/test-ui-backend', 'StatefulSet/test-ui-backend', 'ConfigMap/test-ui-frontend-config', 'Service/test-ui-frontend', 'StatefulSet/test-ui-frontend', 'Ingress/test-ui'].sort(),
    );
    validate(objs);
  });

  it('one Ingress: / to the frontend, /api and /ws to the backend, TLS from the ui-tls-certs Secret', () => {
    const ing = find(objs, 'Ingress', 'test-ui');
    expect(spec(ing).ingressClassName).toBe('nginx');
    expect(spec(ing).tls).toEqual([{ hosts: [HOST], secretName: 'panda-secrets-ui-tls-certs' }]);
    expect(spec(ing).rules).toHaveLength(1);
    expect(spec(ing).rules[0].host).toBe(HOST);
    expect(spec(ing).rules[0].http.paths.map((p: any) => `${p.path}->${p.backend.service.name}:${p.backend.service.port.number}`)).toEqual([
      '/->test-ui-frontend:443',
      '/api->test-ui-backend:443',
      '/ws->test-ui-backend:443',
    ]);
    expect(ing.metadata.annotations!['nginx.ingress.kubernetes.io/backend-protocol']).toBe('HTTPS');
  });

  it('backend: Django REST image, the ui Secrets, host-derived settings, per-pod log claim by default', () => {
    const s = find(objs, 'StatefulSet', 'test-ui-backend');
    expect(spec(s).serviceName).toBe('test-ui-backend');
    const c = pod(s).containers[0];
    expect(c.image).toBe('ghcr.io/pandawms/panda-ui-backend:latest');
    expect(c.args).toEqual(['cp /opt/pandaui/configmap/* /data/pandaui/config/; start.sh all']);
    expect(c.envFrom).toEqual([{ secretRef: { name: 'panda-secrets-ui-envs' } }]);
    expect(env(s)).toEqual({
      PANDAUI_FRONTEND_BASE_URL: `https://${HOST}`,
      PANDAUI_ALLOWED_HOSTS: `${HOST},`,
      CORS_ALLOWED_ORIGINS: `https://${HOST}`,
      PANDAUI_VO: 'ATLAS',
      PANDAUI_LOG_PATH: '/data/pandaui/logs',
      PANDAUI_LOG_LEVEL: 'ERROR',
    });
    expect(c.volumeMounts).toEqual([
      { name: 'test-ui-backend-logs', mountPath: '/data/pandaui/logs' },
      { name: 'test-ui-backend-sandbox', mountPath: '/opt/pandaui/configmap' },
      { name: 'test-ui-backend-certs', mountPath: '/opt/pandaui/etc/cert' },
    ]);
    expect(pod(s).volumes).toContainEqual({ name: 'test-ui-backend-certs', secret: { secretName: 'panda-secrets-ui-certs' } });
    expect(spec(s).volumeClaimTemplates).toEqual([{ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'test-ui-backend-logs' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '50Gi' } }, volumeMode: 'Filesystem' }, status: { phase: 'Pending' } }]);
    expect(spec(find(objs, 'Service', 'test-ui-backend')).ports).toEqual([{ name: 'https', port: 443, targetPort: 443, protocol: 'TCP' }]);
  });

  it('frontend: nginx image, app-config.json from the host, VO and log level', () => {
    const s = find(objs, 'StatefulSet', 'test-ui-frontend');
    const c = pod(s).containers[0];
    expect(c.image).toBe('ghcr.io/pandawms/panda-ui-frontend:latest');
    expect(c.volumeMounts).toEqual([
      { name: 'app-config', mountPath: '/usr/share/nginx/html/assets/app-config.json', subPath: 'app-config.json', readOnly: true },
      { name: 'test-ui-frontend-certs', mountPath: '/opt/pandaui/etc/cert' },
    ]);
    expect(spec(s).replicas).toBe(1);
    const cfg = JSON.parse((find(objs, 'ConfigMap', 'test-ui-frontend-config') as any).data['app-config.json']);
    expect(cfg).toEqual({ production: true, apiUrl: `https://${HOST}/api/v1`, logLevel: 'ERROR', vo: 'ATLAS' });
  });
});

describe('ui host (B22: upstream renders `test-ui.%!s(<nil>)`)', () => {
  it('without a host a template renders a placeholder naming the option, and a real install is refused', () => {
    const r = renderFromOptions({ affix: 'test-', enable: ['ui'] });
    expect(spec(find(r.objects, 'Ingress', 'test-ui')).rules[0].host).toBe('FIXME(ui.global.hostOverwrite)');
    const hostIssues = r.placeholders.filter((p) => p.where.startsWith('Ingress/test-ui'));
    expect(hostIssues.length).toBeGreaterThan(0);
    expect(hostIssues[0]!.fix).toContain('ui.global.hostOverwrite');
    // the frontend falls back to a relative API URL and TEST, as upstream
    const cfg = JSON.parse((find(r.objects, 'ConfigMap', 'test-ui-frontend-config') as any).data['app-config.json']);
    expect(cfg).toEqual({ production: true, apiUrl: '/api/v1', logLevel: 'ERROR', vo: 'TEST' });
  });

  it('an Ingress host domain gives <name>.<domain>', () => {
    const objs = renderComponent('ui', { ingress: { hosts: [{ domain: 'example.org' }] } });
    expect(spec(find(objs, 'Ingress', 'test-ui')).rules[0].host).toBe('test-ui.example.org');
  });

  it('a path to something other than frontend or backend is an error', () => {
    expect(() => renderComponent('ui', { ingress: { hosts: [{ paths: [{ path: '/', service: { name: 'bigmon', port: 443 } }] }] } })).toThrow();
  });
});

describe('ui options', () => {
  it('shared logs claim with subPath (atlas_testbed: panda-shared-logs / ui-backend-logs)', () => {
    const objs = renderTemplate({ experiment: 'atlas_testbed', enable: ['ui'] });
    const s = find(objs, 'StatefulSet', 'test-ui-backend');
    expect(pod(s).containers[0].volumeMounts[0]).toEqual({ name: 'test-ui-backend-logs', mountPath: '/data/pandaui/logs', subPath: 'ui-backend-logs' });
    expect(pod(s).volumes).toContainEqual({ name: 'test-ui-backend-logs', persistentVolumeClaim: { claimName: 'panda-shared-logs' } });
    expect(spec(s).volumeClaimTemplates).toBeUndefined();
    expect(pod(s).tolerations).toHaveLength(2);
    // upstream's frontend template drops its tolerations; ours keeps them
    expect(pod(find(objs, 'StatefulSet', 'test-ui-frontend')).tolerations).toHaveLength(2);
    expect(spec(find(objs, 'Ingress', 'test-ui')).rules[0].host).toBe('panda-ui-tb.cern.ch');
    expect(env(s).PANDAUI_LOG_LEVEL).toBe('INFO');
  });

  it('atlas-dev: a created hostPath volume bound to its claim', () => {
    const objs = renderTemplate({ experiment: 'atlas-dev', enable: ['ui'] });
    expect(spec(find(objs, 'PersistentVolume', 'test-ui-backend'))).toMatchObject({ storageClassName: '', hostPath: { path: '/mnt/panda-ui-backend-logs' } });
    const pvc = spec(find(objs, 'PersistentVolumeClaim', 'test-ui-backend'));
    expect(pvc.storageClassName).toBe('');
    expect(pvc.selector.matchLabels).toEqual({ 'app.kubernetes.io/name': 'backend', 'app.kubernetes.io/instance': 'test-ui' });
    expect(pod(find(objs, 'StatefulSet', 'test-ui-backend')).volumes).toContainEqual({ name: 'test-ui-backend-logs', persistentVolumeClaim: { claimName: 'test-ui-backend' } });
  });

  it('B24: the backend HPA is autoscaling/v2 on the StatefulSet (upstream: kind Deployment)', () => {
    const objs = renderComponent('ui', withHost({ backend: { autoscaling: { enabled: true } } }));
    const h = find(objs, 'HorizontalPodAutoscaler', 'test-ui-backend');
    expect(h.apiVersion).toBe('autoscaling/v2');
    expect(spec(h).scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'test-ui-backend' });
    expect(spec(h)).toMatchObject({ minReplicas: 1, maxReplicas: 10 });
    expect(spec(h).metrics.map((m: any) => m.resource.name)).toEqual(['cpu', 'memory']);
    expect(spec(find(objs, 'StatefulSet', 'test-ui-backend')).replicas).toBeUndefined();
    validate(objs);
  });

  it('-d ui.frontend: the backend alone, the Ingress keeps /api and /ws', () => {
    const objs = renderTemplate({ experiment: 'atlas_testbed', enable: ['ui'], disable: ['ui.frontend'] });
    expect(objs.some((o) => o.metadata.name.startsWith('test-ui-frontend'))).toBe(false);
    expect(spec(find(objs, 'Ingress', 'test-ui')).rules[0].http.paths.map((p: any) => p.path)).toEqual(['/api', '/ws']);
  });

  it('autoStart false keeps the backend idle; a Kubernetes PostgreSQL is waited for', () => {
    expect(pod(find(renderComponent('ui', withHost({ backend: { autoStart: false } })), 'StatefulSet', 'test-ui-backend')).containers[0].args[0]).toMatch(/; sleep infinity & wait$/);
    const pg = pod(find(renderComponent('ui', withHost({ backend: { db: { deployment: 'kubernetes', vendor: 'postgresql' } } })), 'StatefulSet', 'test-ui-backend')).containers[0].args[0];
    expect(pg).toContain('pg_isready -h ${PANDA_DB_HOST} -p ${PANDA_DB_PORT}');
  });

  it('tier: ui after panda', () => {
    const plan = buildPlan(renderFromOptions({ affix: 'test-', enable: ['panda', 'ui'], sets: ['ui.global.hostOverwrite=x.example.org'] }), 'ns');
    expect(plan.nodes.find((n) => n.id === 'ui')!.deps).toEqual(expect.arrayContaining(plan.nodes.filter((n) => n.component === 'panda' && n.sub).map((n) => n.id)));
  });

  it('upstream’s unread umbrella keys are accepted', () => {
    expect(() =>
      renderComponent('ui', {
        global: { uiVersion: 'v1.0.0' },
        autoscaling: { enabled: false },
        imagePullSecrets: [],
        serviceAccount: { create: false },
        route: { enabled: false },
        backend: { replicas: 1, env: { DEBUG: 'false' } },
        frontend: { replicas: 1 },
      }),
    ).not.toThrow();
  });

  it.each(['atlas_testbed', 'atlas-dev'])('HEAD’s values-%s.yaml loads unchanged (its global block stays with the ui chart) and renders like the built-in overlay', (exp) => {
    const theirs = renderTemplate({ files: [`ui=${path.join(HEAD, 'values.yaml')}`, `ui=${path.join(HEAD, 'values', `values-${exp}.yaml`)}`], enable: ['ui'] });
    expect(theirs).toEqual(renderTemplate({ experiment: exp, enable: ['ui'] }));
  });
});
