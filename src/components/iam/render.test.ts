import { describe, expect, it } from 'vitest';
import { container, find, podSpec, renderComponent, sortedKindNames, validationErrors } from '../../render/testing.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
describe('iam render (HEAD defaults)', () => {
  const objs = renderComponent('iam');

  it('renders HEAD’s 5 objects: the database moved to iam-db', () => {
    expect(sortedKindNames(objs)).toEqual(
      ['PersistentVolume/test-iam-main', 'PersistentVolumeClaim/test-iam-main', 'Service/test-iam-main', 'StatefulSet/test-iam-main', 'Ingress/test-iam-main'].sort(),
    );
  });

  it('every object is valid Kubernetes', () => expect(validationErrors(objs)).toEqual([]));

  it('main: a StatefulSet on image v1.8.4, port 8443, env, config and certs Secrets, hostname', () => {
    const s = find(objs, 'StatefulSet', 'test-iam-main');
    const c = container(s);
    expect(c.image).toBe('indigoiam/iam-login-service:v1.8.4');
    expect(c.imagePullPolicy).toBe('Always');
    expect(c.ports).toEqual([{ name: 'http', containerPort: 8443, protocol: 'TCP' }]);
    expect(c.envFrom).toEqual([{ secretRef: { name: 'panda-secrets-iam-envs' } }]);
    expect(c.command).toBeUndefined();
    expect(c.volumeMounts).toEqual([
      { name: 'test-iam-main-configmap', mountPath: '/indigo-iam/config/' },
      { name: 'test-iam-main-certs', mountPath: '/indigo-iam/certs/' },
    ]);
    expect(podSpec(s).volumes).toEqual([
      { name: 'test-iam-main-configmap', secret: { secretName: 'panda-secrets-iam-conf' } },
      { name: 'test-iam-main-certs', secret: { secretName: 'panda-secrets-iam-certs' } },
    ]);
    expect(podSpec(s).hostname).toBe('test-iam');
  });

  it('the StatefulSet is governed by the IAM Service (HEAD leaves serviceName out)', () => {
    expect(find(objs, 'StatefulSet', 'test-iam-main').spec.serviceName).toBe('test-iam-main');
  });

  it('B11: the main claim is rendered but not mounted', () => {
    expect(find(objs, 'PersistentVolume', 'test-iam-main').spec.hostPath.path).toBe('/mnt/iam-logs');
    expect(JSON.stringify(podSpec(find(objs, 'StatefulSet', 'test-iam-main')))).not.toContain('persistentVolumeClaim');
  });

  it('main Service: port 8443 named http → the container port', () => {
    expect(find(objs, 'Service', 'test-iam-main').spec.ports).toEqual([{ name: 'http', port: 8443, targetPort: 'http', protocol: 'TCP' }]);
  });

  it('Ingress: the umbrella host, TLS always with the iam-tls-certs Secret (as HEAD, whatever secretName says)', () => {
    const ing = find(objs, 'Ingress', 'test-iam-main');
    expect(ing.spec.rules[0].host).toBe('panda-iam-dev.cern.ch');
    expect(ing.spec.rules[0].http.paths[0].backend.service).toEqual({ name: 'test-iam-main', port: { number: 8443 } });
    expect(ing.spec.tls).toEqual([{ hosts: ['panda-iam-dev.cern.ch'], secretName: 'panda-secrets-iam-tls-certs' }]);
  });

  it('B13 is gone at HEAD: no passthrough, no `ssl on`; TLS ends at the controller, IAM is told its HTTPS port', () => {
    const a = find(objs, 'Ingress', 'test-iam-main').metadata.annotations!;
    expect(a['nginx.ingress.kubernetes.io/ssl-passthrough']).toBeUndefined();
    expect(a['nginx.ingress.kubernetes.io/backend-protocol']).toBeUndefined();
    expect(a['nginx.ingress.kubernetes.io/server-snippet']).not.toMatch(/ssl on;/);
    expect(a['nginx.ingress.kubernetes.io/auth-tls-verify-client']).toBe('off');
    expect(a['nginx.ingress.kubernetes.io/configuration-snippet']).toBe('proxy_set_header X-Forwarded-Port-Https 8443;');
  });
});

describe('iam options', () => {
  it('create: false (selector keyed on create) renders no PV and a claim without selector', () => {
    const objs = renderComponent('iam', { main: { persistentvolume: { create: false, class: 'nas' } } });
    expect(objs.filter((o) => o.kind === 'PersistentVolume')).toEqual([]);
    const pvc = find(objs, 'PersistentVolumeClaim', 'test-iam-main').spec;
    expect(pvc.selector).toBeUndefined();
    expect(pvc.storageClassName).toBe('nas');
  });

  it('ingress host override and switch', () => {
    const host = 'iam.example.org';
    const objs = renderComponent('iam', { main: { ingress: { hosts: [{ hostOverride: host }], tls: [{ secretName: 'ignored', hosts: [{ hostOverride: host }] }] } } });
    const ing = find(objs, 'Ingress', 'test-iam-main');
    expect(ing.spec.rules[0].host).toBe(host);
    expect(ing.spec.tls).toEqual([{ hosts: [host], secretName: 'panda-secrets-iam-tls-certs' }]);
    expect(renderComponent('iam', { main: { ingress: { enabled: false } } }).some((o) => o.kind === 'Ingress')).toBe(false);
  });

  it('container.port moves the container port; the Service targets it by name', () => {
    const objs = renderComponent('iam', { main: { container: { port: 8080 }, service: { httpsPort: 443 } } });
    expect(container(find(objs, 'StatefulSet', 'test-iam-main')).ports[0].containerPort).toBe(8080);
    expect(find(objs, 'Service', 'test-iam-main').spec.ports[0]).toMatchObject({ port: 443, targetPort: 'http' });
  });

  it('mariadb.enabled true: upstream’s older in-chart database, a Deployment with strategy Recreate', () => {
    const objs = renderComponent('iam', { mariadb: { enabled: true } });
    const d = find(objs, 'Deployment', 'test-iam-mariadb');
    expect(d.spec.strategy).toEqual({ type: 'Recreate' });
    expect(container(d).image).toBe('mariadb:10.11');
    expect(sortedKindNames(objs)).toEqual(expect.arrayContaining(['PersistentVolume/test-iam-mariadb', 'PersistentVolumeClaim/test-iam-mariadb', 'Service/test-iam-mariadb']));
    expect(validationErrors(objs)).toEqual([]);
  });

  it('B24: the HPA is autoscaling/v2 and targets the StatefulSet; the database is never autoscaled', () => {
    const objs = renderComponent('iam', { main: { autoscaling: { enabled: true } }, mariadb: { enabled: true, autoscaling: { enabled: true } } });
    const hpas = objs.filter((o) => o.kind === 'HorizontalPodAutoscaler');
    expect(hpas.map((o) => o.metadata.name)).toEqual(['test-iam-main']);
    expect(hpas[0]!.apiVersion).toBe('autoscaling/v2');
    expect(find(objs, 'HorizontalPodAutoscaler', 'test-iam-main').spec.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'test-iam-main' });
    expect(find(objs, 'StatefulSet', 'test-iam-main').spec.replicas).toBeUndefined();
    expect(find(objs, 'Deployment', 'test-iam-mariadb').spec.replicas).toBe(1);
    expect(validationErrors(objs)).toEqual([]);
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
