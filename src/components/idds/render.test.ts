import { describe, expect, it } from 'vitest';
import { ConfigMap, PersistentVolume, PersistentVolumeClaim, Service } from 'kubernetes-models/v1';
import { Deployment } from 'kubernetes-models/apps/v1';
import { Ingress } from 'kubernetes-models/networking.k8s.io/v1';
import type { K8sObject } from '../../core/k8s.js';
import { find, renderComponent } from '../../render/testing.js';
import { select } from '../../render/stack.js';
import { IssueList } from '../../core/errors.js';
import { valuesSchema } from '../registry.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
const spec = (o: K8sObject): any => (o as any).spec;
const pod = (o: K8sObject): any => spec(o).template.spec;
const container = (o: K8sObject): any => pod(o).containers[0];
const names = (objs: K8sObject[]) => objs.map((o) => `${o.kind}/${o.metadata.name}`).sort();

const MODELS: Record<string, new (o: any) => { validate(): void }> = {
  ConfigMap,
  PersistentVolume,
  PersistentVolumeClaim,
  Service,
  Deployment,
  Ingress,
};
function validate(objs: K8sObject[]) {
  for (const o of objs) {
    const M = MODELS[o.kind];
    expect(M, `no model for ${o.kind}`).toBeDefined();
    expect(() => new M!(o).validate(), `${o.kind}/${o.metadata.name}`).not.toThrow();
  }
}

describe('idds render (defaults)', () => {
  const objs = renderComponent('idds');

  it('renders upstream’s 16 objects', () => {
    expect(names(objs)).toEqual(
      [
        'ConfigMap/test-idds-postgres-configmap',
        'ConfigMap/test-idds-rest-configmap',
        'ConfigMap/test-idds-rest-envs',
        'ConfigMap/test-idds-rest-sandbox',
        'PersistentVolume/test-idds-daemon',
        'PersistentVolume/test-idds-postgres',
        'PersistentVolume/test-idds-rest',
        'PersistentVolumeClaim/test-idds-daemon',
        'PersistentVolumeClaim/test-idds-postgres',
        'PersistentVolumeClaim/test-idds-rest',
        'Service/test-idds-postgres',
        'Service/test-idds-rest',
        'Deployment/test-idds-daemon',
        'Deployment/test-idds-postgres',
        'Deployment/test-idds-rest',
        'Ingress/test-idds-rest',
      ].sort(),
    );
  });

  it('every object is valid Kubernetes', () => validate(objs));

  it('rest: image, ports, env, mounts, hostname, start command', () => {
    const d = find(objs, 'Deployment', 'test-idds-rest');
    const c = container(d);
    expect(c.image).toBe('ghcr.io/hsf/idds:0.11.12');
    expect(c.imagePullPolicy).toBe('IfNotPresent');
    expect(c.ports.map((p: any) => `${p.name}:${p.containerPort}`)).toEqual(['https:8443', 'http:8080']);
    expect(c.envFrom).toEqual([{ configMapRef: { name: 'test-idds-rest-envs' } }, { secretRef: { name: 'panda-secrets-idds-envs' } }]);
    expect(c.volumeMounts.map((m: any) => m.mountPath)).toEqual(['/var/log/idds/', '/opt/idds/configmap', '/opt/idds/certs']);
    expect(pod(d).hostname).toBe('test-idds');
    expect(c.args[0]).toBe('sleep 30; chmod 777 /var/log/idds; runuser -u atlpan -g zp -- /opt/idds/bin/start-daemon.sh rest');
    const projected = pod(d).volumes.find((v: any) => v.projected).projected.sources;
    expect(projected).toEqual([{ configMap: { name: 'test-idds-rest-configmap' } }, { secret: { name: 'panda-secrets-idds-auth' } }]);
  });

  it('daemon uses the REST env and config ConfigMaps and has no ports', () => {
    const d = find(objs, 'Deployment', 'test-idds-daemon');
    const c = container(d);
    expect(c.ports).toBeUndefined();
    expect(c.envFrom[0]).toEqual({ configMapRef: { name: 'test-idds-rest-envs' } });
    expect(JSON.stringify(pod(d).volumes)).toContain('"test-idds-rest-configmap"');
    expect(c.args[0]).toMatch(/start-daemon\.sh daemon$/);
    expect(pod(d).hostname).toBe('test-idds');
  });

  it('rest Service exposes 8443 https and 8080 http', () => {
    expect(spec(find(objs, 'Service', 'test-idds-rest')).ports).toEqual([
      { name: 'https', port: 8443, targetPort: 'https', protocol: 'TCP' },
      { name: 'http', port: 8080, targetPort: 'http', protocol: 'TCP' },
    ]);
  });

  it('rest Ingress is on by default: <fullname>.cern.ch, site TLS secret, backend 8443', () => {
    const ing = find(objs, 'Ingress', 'test-idds-rest');
    expect(spec(ing).rules[0].host).toBe('test-idds-rest.cern.ch');
    expect(spec(ing).rules[0].http.paths[0].backend.service).toEqual({ name: 'test-idds-rest', port: { number: 8443 } });
    expect(spec(ing).tls).toEqual([{ hosts: ['test-idds-rest.cern.ch'], secretName: 'idds-dev-main-tls-cert' }]);
    expect(ing.metadata.annotations!['nginx.ingress.kubernetes.io/backend-protocol']).toBe('HTTPS');
  });

  it('idds_configmap.json holds the same settings as upstream’s file', () => {
    const cfg = JSON.parse((find(objs, 'ConfigMap', 'test-idds-rest-configmap') as any).data['idds_configmap.json']);
    expect(Object.keys(cfg)).toEqual(['/opt/idds/config/idds/idds.cfg', '/opt/idds/config/panda.cfg', '/opt/idds/config/rucio.cfg', 'rest/config/idds.cfg']);
    expect(cfg['/opt/idds/config/idds/idds.cfg'].database.default).toBe(
      'postgresql://${IDDS_DATABASE_USER}:${IDDS_DATABASE_PASSWORD}@${IDDS_DATABASE_HOST}/${IDDS_DATABASE_NAME}',
    );
    expect(cfg['/opt/idds/config/idds/idds.cfg'].database.pool_size).toBe(20);
    expect(cfg['/opt/idds/config/idds/idds.cfg'].conductor['plugin.notifier.broker_timeout']).toBe(10);
    expect(cfg['/opt/idds/config/rucio.cfg'].client.auth_type).toBe('x509_proxy');
  });

  it('postgres: official image, PVC at /var/lib/postgresql/data, no PGDATA', () => {
    const d = find(objs, 'Deployment', 'test-idds-postgres');
    expect(container(d).image).toBe('postgres:13.6');
    expect(container(d).volumeMounts).toEqual([{ name: 'test-idds-postgres-data', mountPath: '/var/lib/postgresql/data' }]);
    expect(container(d).envFrom).toEqual([
      { configMapRef: { name: 'test-idds-postgres-configmap' } },
      { secretRef: { name: 'panda-secrets-idds-db-envs' } },
    ]);
    expect((find(objs, 'ConfigMap', 'test-idds-postgres-configmap') as any).data).toBeUndefined();
  });

  it('claims select the created volumes', () => {
    for (const s of ['rest', 'daemon', 'postgres']) {
      expect(spec(find(objs, 'PersistentVolumeClaim', `test-idds-${s}`)).selector.matchLabels).toEqual({
        'app.kubernetes.io/name': s,
        'app.kubernetes.io/instance': 'test-idds',
      });
    }
    expect(spec(find(objs, 'PersistentVolume', 'test-idds-rest')).hostPath.path).toBe('/mnt/idds-rest-logs');
    expect(spec(find(objs, 'PersistentVolume', 'test-idds-daemon')).hostPath.path).toBe('/mnt/idds-daemon-logs');
    expect(spec(find(objs, 'PersistentVolume', 'test-idds-postgres')).hostPath.path).toBe('/mnt/idds-database');
  });
});

describe('idds options', () => {
  it('B2: postgres.noRoot mounts the volume by name at /tmp/pg_volume and sets PGDATA inside it', () => {
    const objs = renderComponent('idds', { postgres: { noRoot: true } });
    const d = find(objs, 'Deployment', 'test-idds-postgres');
    expect(container(d).volumeMounts).toEqual([{ name: 'test-idds-postgres-data', mountPath: '/tmp/pg_volume' }]);
    expect(pod(d).volumes.map((v: any) => v.name)).toContain('test-idds-postgres-data');
    expect((find(objs, 'ConfigMap', 'test-idds-postgres-configmap') as any).data).toEqual({ PGDATA: '/tmp/pg_volume/data' });
    validate([d]);
  });

  it('rest.noRoot and daemon.noRoot run start-daemon.sh directly', () => {
    const objs = renderComponent('idds', { rest: { noRoot: true }, daemon: { noRoot: true } });
    expect(container(find(objs, 'Deployment', 'test-idds-rest')).args).toEqual(['sleep 30; /opt/idds/bin/start-daemon.sh rest']);
    expect(container(find(objs, 'Deployment', 'test-idds-daemon')).args).toEqual(['sleep 30; /opt/idds/bin/start-daemon.sh daemon']);
  });

  it('autoStart false leaves the image entrypoint and command', () => {
    const objs = renderComponent('idds', { rest: { autoStart: false }, daemon: { autoStart: false } });
    for (const s of ['rest', 'daemon']) {
      const c = container(find(objs, 'Deployment', `test-idds-${s}`));
      expect(c.command).toBeUndefined();
      expect(c.args).toBeUndefined();
    }
  });

  it('no proxy: the env ConfigMap is empty', () => {
    expect((find(renderComponent('idds'), 'ConfigMap', 'test-idds-rest-envs') as any).data).toBeUndefined();
  });

  it('B5: https_proxy takes httpsProxy; default no_proxy lists the component’s services', () => {
    const objs = renderComponent('idds', { rest: { httpProxy: 'http://a:1', httpsProxy: 'http://b:2' } });
    expect((find(objs, 'ConfigMap', 'test-idds-rest-envs') as any).data).toEqual({
      http_proxy: 'http://a:1',
      https_proxy: 'http://b:2',
      no_proxy: 'localhost,test-idds-rest,test-idds-daemon,test-idds-postgres',
    });
  });

  it('noProxy replaces the default list', () => {
    const objs = renderComponent('idds', { rest: { httpsProxy: 'http://b:2', noProxy: 'localhost,x' } });
    expect((find(objs, 'ConfigMap', 'test-idds-rest-envs') as any).data).toEqual({ https_proxy: 'http://b:2', no_proxy: 'localhost,x' });
  });

  it('create: false renders no PVs and claims without selector, on the given class', () => {
    const pv = { create: false, class: 'nas' };
    const objs = renderComponent('idds', { rest: { persistentvolume: pv }, daemon: { persistentvolume: pv }, postgres: { persistentvolume: pv } });
    expect(objs.filter((o) => o.kind === 'PersistentVolume')).toEqual([]);
    for (const s of ['rest', 'daemon', 'postgres']) {
      const pvc = spec(find(objs, 'PersistentVolumeClaim', `test-idds-${s}`));
      expect(pvc.selector).toBeUndefined();
      expect(pvc.storageClassName).toBe('nas');
    }
  });

  it('ingress can be switched off and given hosts', () => {
    expect(renderComponent('idds', { rest: { ingress: { enabled: false } } }).some((o) => o.kind === 'Ingress')).toBe(false);
    const objs = renderComponent('idds', {
      rest: { ingress: { hosts: [{ hostOverride: 'idds.example.org' }], tls: [{ secretName: 'idds-tls', hosts: [{ hostOverride: 'idds.example.org' }] }] } },
    });
    const ing = find(objs, 'Ingress', 'test-idds-rest');
    expect(spec(ing).rules[0].host).toBe('idds.example.org');
    expect(spec(ing).tls).toEqual([{ hosts: ['idds.example.org'], secretName: 'idds-tls' }]);
  });

  it('external database: postgres.enabled false renders no postgres objects', () => {
    const objs = renderComponent('idds', { postgres: { enabled: false } });
    expect(objs.filter((o) => o.metadata.name.startsWith('test-idds-postgres'))).toEqual([]);
    expect(names(objs)).toContain('Deployment/test-idds-rest');
  });

  it('configOverrides are merged into idds_configmap.json', () => {
    const objs = renderComponent('idds', {
      rest: { configOverrides: { '/opt/idds/config/rucio.cfg': { client: { rucio_host: 'https://rucio.example.org:443' } } } },
    });
    const cfg = JSON.parse((find(objs, 'ConfigMap', 'test-idds-rest-configmap') as any).data['idds_configmap.json']);
    expect(cfg['/opt/idds/config/rucio.cfg'].client.rucio_host).toBe('https://rucio.example.org:443');
    expect(cfg['/opt/idds/config/rucio.cfg'].client.auth_type).toBe('x509_proxy');
  });

  it('B14: with an affix that collapses the rest name, the daemon still finds the REST ConfigMaps', () => {
    const objs = renderComponent('idds', {}, '-rest');
    const cms = objs.filter((o) => o.kind === 'ConfigMap').map((o) => o.metadata.name);
    const d = find(objs, 'Deployment', 'idds-rest-daemon');
    const refs = [container(d).envFrom[0].configMapRef.name, ...pod(d).volumes.flatMap((v: any) => v.projected?.sources.map((s: any) => s.configMap?.name) ?? [])];
    for (const r of refs.filter(Boolean)) expect(cms).toContain(r);
  });

  it('B16: disabling rest alone is refused because the daemon uses its ConfigMaps', () => {
    const issues = new IssueList();
    select(valuesSchema.parse({}), { enable: ['idds'], disable: ['idds.rest'] }, issues);
    expect(() => issues.throwIfAny('x')).toThrow();
    const ok = new IssueList();
    select(valuesSchema.parse({}), { enable: ['idds'], disable: ['idds.rest', 'idds.daemon'] }, ok);
    expect(() => ok.throwIfAny('x')).not.toThrow();
  });

  it('unknown keys are rejected, upstream’s unread keys are accepted', () => {
    expect(() => renderComponent('idds', { rest: { bogus: 1 } })).toThrow();
    expect(() =>
      renderComponent('idds', {
        rest: { oidc: { atlas: { client_id: 'abc' } }, conductor: { port: 61613 }, hostcerts: { enabled: false }, iddsServer: 'x', secret: { name: 's' } },
        daemon: { httpProxy: 'http://x:1', iddsServer: 'localhost', service: { type: 'ClusterIP', httpsPort: 443 }, ingress: { enabled: false } },
        postgres: { database: { name: 'x' }, ingress: { enabled: false } },
      }),
    ).not.toThrow();
  });

  it('autoscaling renders an autoscaling/v2 HPA and drops replicas', () => {
    const objs = renderComponent('idds', { rest: { autoscaling: { enabled: true } } });
    expect(spec(find(objs, 'Deployment', 'test-idds-rest')).replicas).toBeUndefined();
    expect(find(objs, 'HorizontalPodAutoscaler', 'test-idds-rest').apiVersion).toBe('autoscaling/v2');
  });
});
