import { describe, expect, it } from 'vitest';
import { PersistentVolume, PersistentVolumeClaim, Service } from 'kubernetes-models/v1';
import { Deployment } from 'kubernetes-models/apps/v1';
import { Ingress } from 'kubernetes-models/networking.k8s.io/v1';
import type { K8sObject } from '../../core/k8s.js';
import { find, renderComponent } from '../../render/testing.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
const spec = (o: K8sObject): any => (o as any).spec;
const pod = (o: K8sObject): any => spec(o).template.spec;
const container = (o: K8sObject): any => pod(o).containers[0];
const names = (objs: K8sObject[]) => objs.map((o) => `${o.kind}/${o.metadata.name}`).sort();

const MODELS: Record<string, new (o: any) => { validate(): void }> = { PersistentVolume, PersistentVolumeClaim, Service, Deployment, Ingress };
function validate(objs: K8sObject[]) {
  for (const o of objs) {
    const M = MODELS[o.kind];
    expect(M, `no model for ${o.kind}`).toBeDefined();
    expect(() => new M!(o).validate(), `${o.kind}/${o.metadata.name}`).not.toThrow();
  }
}

describe('iam render (defaults)', () => {
  const objs = renderComponent('iam');

  it('renders upstream’s 9 objects', () => {
    expect(names(objs)).toEqual(
      [
        'PersistentVolume/test-iam-main',
        'PersistentVolume/test-iam-mariadb',
        'PersistentVolumeClaim/test-iam-main',
        'PersistentVolumeClaim/test-iam-mariadb',
        'Service/test-iam-main',
        'Service/test-iam-mariadb',
        'Deployment/test-iam-main',
        'Deployment/test-iam-mariadb',
        'Ingress/test-iam-main',
      ].sort(),
    );
  });

  it('every object is valid Kubernetes', () => validate(objs));

  it('main: image, port, env, config Secret, hostname', () => {
    const d = find(objs, 'Deployment', 'test-iam-main');
    const c = container(d);
    expect(c.image).toBe('indigoiam/iam-login-service:v1.6.0');
    expect(c.imagePullPolicy).toBe('Always');
    expect(c.ports).toEqual([{ name: 'http', containerPort: 8080, protocol: 'TCP' }]);
    expect(c.envFrom).toEqual([{ secretRef: { name: 'panda-secrets-iam-envs' } }]);
    expect(c.command).toBeUndefined();
    expect(c.volumeMounts).toEqual([{ name: 'test-iam-main-configmap', mountPath: '/indigo-iam/config/' }]);
    expect(pod(d).volumes).toEqual([{ name: 'test-iam-main-configmap', secret: { secretName: 'panda-secrets-iam-conf' } }]);
    expect(pod(d).hostname).toBe('test-iam');
  });

  it('B11: the main claim is rendered but not mounted', () => {
    expect(spec(find(objs, 'PersistentVolume', 'test-iam-main')).hostPath.path).toBe('/mnt/iam-logs');
    expect(JSON.stringify(pod(find(objs, 'Deployment', 'test-iam-main')))).not.toContain('persistentVolumeClaim');
  });

  it('main Service: port 443 named http → container port http (8080)', () => {
    expect(spec(find(objs, 'Service', 'test-iam-main')).ports).toEqual([{ name: 'http', port: 443, targetPort: 'http', protocol: 'TCP' }]);
  });

  it('Ingress is on by default with the umbrella host and the controller’s default certificate', () => {
    const ing = find(objs, 'Ingress', 'test-iam-main');
    expect(spec(ing).rules[0].host).toBe('panda-iam-dev.cern.ch');
    expect(spec(ing).rules[0].http.paths[0].backend.service).toEqual({ name: 'test-iam-main', port: { number: 443 } });
    expect(spec(ing).tls).toEqual([{ hosts: ['panda-iam-dev.cern.ch'] }]);
  });

  it('B13: TLS terminates at the controller (no passthrough to the plain-HTTP backend, no `ssl on`)', () => {
    const a = find(objs, 'Ingress', 'test-iam-main').metadata.annotations!;
    expect(a['nginx.ingress.kubernetes.io/ssl-passthrough']).toBeUndefined();
    expect(a['nginx.ingress.kubernetes.io/server-snippet']).not.toMatch(/^\s*ssl on;/m);
    expect(a['nginx.ingress.kubernetes.io/ssl-redirect']).toBe('true');
    expect(a['nginx.ingress.kubernetes.io/configuration-snippet']).toContain('proxy_set_header X-SSL-Client-Cert $ssl_client_cert;');
  });

  it('B12: mariadb uses the official image, data at /var/lib/mysql, first-start SQL from the initdb Secret', () => {
    const d = find(objs, 'Deployment', 'test-iam-mariadb');
    const c = container(d);
    expect(c.image).toBe('mariadb:10.11');
    expect(c.image).not.toMatch(/^bitnami\//);
    expect(c.ports).toEqual([{ name: 'mariadb-port', containerPort: 3306, protocol: 'TCP' }]);
    expect(c.envFrom).toEqual([{ secretRef: { name: 'panda-secrets-iam-db-envs' } }]);
    expect(c.volumeMounts).toEqual([
      { name: 'test-iam-mariadb-data', mountPath: '/var/lib/mysql' },
      { name: 'test-iam-mariadb-initdb', mountPath: '/docker-entrypoint-initdb.d/' },
    ]);
    expect(pod(d).volumes).toEqual([
      { name: 'test-iam-mariadb-data', persistentVolumeClaim: { claimName: 'test-iam-mariadb' } },
      { name: 'test-iam-mariadb-initdb', secret: { secretName: 'panda-secrets-iam-initdb' } },
    ]);
    expect(pod(d).hostname).toBe('test-iam');
    expect(spec(find(objs, 'Service', 'test-iam-mariadb')).ports).toEqual([{ name: 'mariadb-port', port: 3306, targetPort: 'mariadb-port', protocol: 'TCP' }]);
  });

  it('claims select the created volumes', () => {
    for (const s of ['main', 'mariadb']) {
      expect(spec(find(objs, 'PersistentVolumeClaim', `test-iam-${s}`)).selector.matchLabels).toEqual({
        'app.kubernetes.io/name': s,
        'app.kubernetes.io/instance': 'test-iam',
      });
    }
    expect(spec(find(objs, 'PersistentVolume', 'test-iam-mariadb')).hostPath.path).toBe('/mnt/iam-data');
  });
});

describe('iam options', () => {
  it('create: false (selector keyed on create) renders no PVs and claims without selector', () => {
    const pv = { create: false, class: 'nas' };
    const objs = renderComponent('iam', { main: { persistentvolume: pv }, mariadb: { persistentvolume: pv } });
    expect(objs.filter((o) => o.kind === 'PersistentVolume')).toEqual([]);
    for (const s of ['main', 'mariadb']) {
      const pvc = spec(find(objs, 'PersistentVolumeClaim', `test-iam-${s}`));
      expect(pvc.selector).toBeUndefined();
      expect(pvc.storageClassName).toBe('nas');
    }
  });

  it('ingress host override and switch', () => {
    const host = 'iam.example.org';
    const objs = renderComponent('iam', {
      main: { ingress: { hosts: [{ hostOverride: host }], tls: [{ secretName: 'iam-tls', hosts: [{ hostOverride: host }] }] } },
    });
    const ing = find(objs, 'Ingress', 'test-iam-main');
    expect(spec(ing).rules[0].host).toBe(host);
    expect(spec(ing).tls).toEqual([{ hosts: [host], secretName: 'iam-tls' }]);
    expect(renderComponent('iam', { main: { ingress: { enabled: false } } }).some((o) => o.kind === 'Ingress')).toBe(false);
  });

  it('service.enabled false drops the main Service', () => {
    const objs = renderComponent('iam', { main: { service: { enabled: false } } });
    expect(objs.some((o) => o.kind === 'Service' && o.metadata.name === 'test-iam-main')).toBe(false);
  });

  it('external database: mariadb.enabled false renders no mariadb objects', () => {
    const objs = renderComponent('iam', { mariadb: { enabled: false } });
    expect(objs.filter((o) => o.metadata.name === 'test-iam-mariadb')).toEqual([]);
    expect(names(objs)).toContain('Deployment/test-iam-main');
  });

  it('the database is never autoscaled; the login service can be', () => {
    const objs = renderComponent('iam', { main: { autoscaling: { enabled: true } }, mariadb: { autoscaling: { enabled: true } } });
    expect(objs.filter((o) => o.kind === 'HorizontalPodAutoscaler').map((o) => o.metadata.name)).toEqual(['test-iam-main']);
    expect(spec(find(objs, 'Deployment', 'test-iam-mariadb')).replicas).toBe(1);
  });

  it('a different database image can be chosen', () => {
    const objs = renderComponent('iam', { mariadb: { image: { repository: 'docker.io/library/mariadb', tag: '11.4' } } });
    expect(container(find(objs, 'Deployment', 'test-iam-mariadb')).image).toBe('docker.io/library/mariadb:11.4');
  });

  it('unknown keys are rejected, upstream’s unread keys are accepted', () => {
    expect(() => renderComponent('iam', { main: { bogus: 1 } })).toThrow();
    expect(() =>
      renderComponent('iam', {
        main: { autoStart: true, hostcerts: { enabled: false }, iam: { profiles: 'prod' }, database: { config_ref: '' } },
        mariadb: { iam: { organization: 'Rubin' }, database: { name: 'iamdb' }, ingress: { enabled: false } },
      }),
    ).not.toThrow();
  });
});

describe('iam ingress annotations', () => {
  it('ssl-prefer-server-ciphers is a boolean the controller understands', () => {
    const a = find(renderComponent('iam'), 'Ingress', 'test-iam-main').metadata.annotations!;
    expect(a['nginx.ingress.kubernetes.io/ssl-prefer-server-ciphers']).toBe('true');
  });
});
