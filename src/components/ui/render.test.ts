import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { K8sObject } from '../../core/k8s.js';
import { container, find, headChart, podSpec, renderComponent, renderTemplate, sortedKindNames, validationErrors } from '../../render/testing.js';
import { renderFromOptions } from '../../render/inputs.js';
import { buildPlan } from '../../plan/plan.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
const env = (o: K8sObject) => Object.fromEntries(container(o).env.map((e: any) => [e.name, e.value]));
const HEAD = headChart('ui');
const HOST = 'panda-ui.example.org';
const withHost = (v: Record<string, unknown> = {}) => ({ ...v, global: { hostOverwrite: HOST, vo: 'ATLAS', ...(v.global as object) } });

describe('ui render', () => {
  const objs = renderComponent('ui', withHost());

  it('backend and frontend StatefulSets with their Services, config, one Ingress', () => {
    expect(sortedKindNames(objs)).toEqual(
      ['ConfigMap/test-ui-backend-sandbox', 'Service/test-ui-backend', 'StatefulSet/test-ui-backend', 'ConfigMap/test-ui-frontend-config', 'Service/test-ui-frontend', 'StatefulSet/test-ui-frontend', 'Ingress/test-ui'].sort(),
    );
    expect(validationErrors(objs)).toEqual([]);
  });

  it('one Ingress: / to the frontend, /api and /ws to the backend, TLS from the ui-tls-certs Secret', () => {
    const ing = find(objs, 'Ingress', 'test-ui');
    expect(ing.spec.ingressClassName).toBe('nginx');
    expect(ing.spec.tls).toEqual([{ hosts: [HOST], secretName: 'panda-secrets-ui-tls-certs' }]);
    expect(ing.spec.rules).toHaveLength(1);
    expect(ing.spec.rules[0].host).toBe(HOST);
    expect(ing.spec.rules[0].http.paths.map((p: any) => `${p.path}->${p.backend.service.name}:${p.backend.service.port.number}`)).toEqual([
      '/->test-ui-frontend:443',
      '/api->test-ui-backend:443',
      '/ws->test-ui-backend:443',
    ]);
    expect(ing.metadata.annotations!['nginx.ingress.kubernetes.io/backend-protocol']).toBe('HTTPS');
  });

  it('backend: Django REST image, the ui Secrets, host-derived settings, per-pod log claim by default', () => {
    const s = find(objs, 'StatefulSet', 'test-ui-backend');
    expect(s.spec.serviceName).toBe('test-ui-backend');
    const c = container(s);
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
    expect(podSpec(s).volumes).toContainEqual({ name: 'test-ui-backend-certs', secret: { secretName: 'panda-secrets-ui-certs' } });
    expect(s.spec.volumeClaimTemplates).toEqual([{ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'test-ui-backend-logs' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '50Gi' } }, volumeMode: 'Filesystem' }, status: { phase: 'Pending' } }]);
    expect(find(objs, 'Service', 'test-ui-backend').spec.ports).toEqual([{ name: 'https', port: 443, targetPort: 443, protocol: 'TCP' }]);
  });

  it('frontend: nginx image, app-config.json from the host, VO and log level', () => {
    const s = find(objs, 'StatefulSet', 'test-ui-frontend');
    const c = container(s);
    expect(c.image).toBe('ghcr.io/pandawms/panda-ui-frontend:latest');
    expect(c.volumeMounts).toEqual([
      { name: 'app-config', mountPath: '/usr/share/nginx/html/assets/app-config.json', subPath: 'app-config.json', readOnly: true },
      { name: 'test-ui-frontend-certs', mountPath: '/opt/pandaui/etc/cert' },
    ]);
    expect(s.spec.replicas).toBe(1);
    const cfg = JSON.parse((find(objs, 'ConfigMap', 'test-ui-frontend-config') as any).data['app-config.json']);
    expect(cfg).toEqual({ production: true, apiUrl: `https://${HOST}/api/v1`, logLevel: 'ERROR', vo: 'ATLAS' });
  });
});

describe('ui host (B22: upstream renders `test-ui.%!s(<nil>)`)', () => {
  it('without a host a template renders a placeholder naming the option, and a real install is refused', () => {
    const r = renderFromOptions({ affix: 'test-', enable: ['ui'] });
    expect(find(r.objects, 'Ingress', 'test-ui').spec.rules[0].host).toBe('FIXME(ui.global.hostOverwrite)');
    const hostIssues = r.placeholders.filter((p) => p.where.startsWith('Ingress/test-ui'));
    expect(hostIssues.length).toBeGreaterThan(0);
    expect(hostIssues[0]!.fix).toContain('ui.global.hostOverwrite');
    // the frontend falls back to a relative API URL and TEST, as upstream
    const cfg = JSON.parse((find(r.objects, 'ConfigMap', 'test-ui-frontend-config') as any).data['app-config.json']);
    expect(cfg).toEqual({ production: true, apiUrl: '/api/v1', logLevel: 'ERROR', vo: 'TEST' });
  });

  it('an Ingress host domain gives <name>.<domain>', () => {
    const objs = renderComponent('ui', { ingress: { hosts: [{ domain: 'example.org' }] } });
    expect(find(objs, 'Ingress', 'test-ui').spec.rules[0].host).toBe('test-ui.example.org');
  });

  it('a path to something other than frontend or backend is an error', () => {
    expect(() => renderComponent('ui', { ingress: { hosts: [{ paths: [{ path: '/', service: { name: 'bigmon', port: 443 } }] }] } })).toThrow();
  });
});

describe('ui options', () => {
  it('shared logs claim with subPath (atlas_testbed: panda-shared-logs / ui-backend-logs)', () => {
    const objs = renderTemplate({ experiment: 'atlas_testbed', enable: ['ui'] });
    const s = find(objs, 'StatefulSet', 'test-ui-backend');
    expect(container(s).volumeMounts[0]).toEqual({ name: 'test-ui-backend-logs', mountPath: '/data/pandaui/logs', subPath: 'ui-backend-logs' });
    expect(podSpec(s).volumes).toContainEqual({ name: 'test-ui-backend-logs', persistentVolumeClaim: { claimName: 'panda-shared-logs' } });
    expect(s.spec.volumeClaimTemplates).toBeUndefined();
    expect(podSpec(s).tolerations).toHaveLength(2);
    // upstream's frontend template drops its tolerations; ours keeps them
    expect(podSpec(find(objs, 'StatefulSet', 'test-ui-frontend')).tolerations).toHaveLength(2);
    expect(find(objs, 'Ingress', 'test-ui').spec.rules[0].host).toBe('panda-ui-tb.cern.ch');
    expect(env(s).PANDAUI_LOG_LEVEL).toBe('INFO');
  });

  it('atlas-dev: a created hostPath volume bound to its claim', () => {
    const objs = renderTemplate({ experiment: 'atlas-dev', enable: ['ui'] });
    expect(find(objs, 'PersistentVolume', 'test-ui-backend').spec).toMatchObject({ storageClassName: '', hostPath: { path: '/mnt/panda-ui-backend-logs' } });
    const pvc = find(objs, 'PersistentVolumeClaim', 'test-ui-backend').spec;
    expect(pvc.storageClassName).toBe('');
    expect(pvc.selector.matchLabels).toEqual({ 'app.kubernetes.io/name': 'backend', 'app.kubernetes.io/instance': 'test-ui' });
    expect(podSpec(find(objs, 'StatefulSet', 'test-ui-backend')).volumes).toContainEqual({ name: 'test-ui-backend-logs', persistentVolumeClaim: { claimName: 'test-ui-backend' } });
  });

  it('B24: the backend HPA is autoscaling/v2 on the StatefulSet (upstream: kind Deployment)', () => {
    const objs = renderComponent('ui', withHost({ backend: { autoscaling: { enabled: true } } }));
    const h = find(objs, 'HorizontalPodAutoscaler', 'test-ui-backend');
    expect(h.apiVersion).toBe('autoscaling/v2');
    expect(h.spec.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'test-ui-backend' });
    expect(h.spec).toMatchObject({ minReplicas: 1, maxReplicas: 10 });
    expect(h.spec.metrics.map((m: any) => m.resource.name)).toEqual(['cpu', 'memory']);
    expect(find(objs, 'StatefulSet', 'test-ui-backend').spec.replicas).toBeUndefined();
    expect(validationErrors(objs)).toEqual([]);
  });

  it('-d ui.frontend: the backend alone, the Ingress keeps /api and /ws', () => {
    const objs = renderTemplate({ experiment: 'atlas_testbed', enable: ['ui'], disable: ['ui.frontend'] });
    expect(objs.some((o) => o.metadata.name.startsWith('test-ui-frontend'))).toBe(false);
    expect(find(objs, 'Ingress', 'test-ui').spec.rules[0].http.paths.map((p: any) => p.path)).toEqual(['/api', '/ws']);
  });

  it('autoStart false keeps the backend idle; a Kubernetes PostgreSQL is waited for', () => {
    expect(container(find(renderComponent('ui', withHost({ backend: { autoStart: false } })), 'StatefulSet', 'test-ui-backend')).args[0]).toMatch(/; sleep infinity & wait$/);
    const pg = container(find(renderComponent('ui', withHost({ backend: { db: { deployment: 'kubernetes', vendor: 'postgresql' } } })), 'StatefulSet', 'test-ui-backend')).args[0];
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
