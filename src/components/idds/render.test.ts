import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { container, find, objectSet, podSpec, renderComponent, renderTemplate, sortedKindNames, validationErrors } from '../../render/testing.js';
import { readLayers } from '../../render/values.js';
import { ignoredKeys } from '../../values/ignored.js';
import { valuesSchema } from '../registry.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
/** What HEAD's chart renders by default. */
const HEAD_OBJECTS = objectSet('test-idds-', {
  ConfigMap: ['postgres-configmap', 'rest-configmap', 'rest-envs', 'rest-sandbox', 'tnsnames'],
  PersistentVolume: ['postgres', 'rest', 'rest-requests'],
  PersistentVolumeClaim: ['postgres', 'rest', 'rest-requests'],
  Service: ['postgres', 'rest'],
  Deployment: ['postgres'],
  StatefulSet: ['rest'],
  Ingress: ['rest'],
});

describe('idds render (HEAD defaults)', () => {
  const objs = renderComponent('idds');

  it('renders HEAD’s 16 objects: no daemon, a requests volume and the tnsnames ConfigMap', () => {
    expect(sortedKindNames(objs)).toEqual(HEAD_OBJECTS);
  });

  it('every object is valid Kubernetes', () => expect(validationErrors(objs)).toEqual([]));

  it('rest: a StatefulSet on its Service running every iDDS service, TCP 8443 probes, both DB Secrets', () => {
    const s = find(objs, 'StatefulSet', 'test-idds-rest');
    expect(s.spec.serviceName).toBe('test-idds-rest');
    const c = container(s);
    expect(c.image).toBe('ghcr.io/hsf/idds:2.2.49');
    expect(c.resources).toEqual({ limits: { cpu: '4000m', memory: '16Gi' }, requests: { cpu: '4000m', memory: '16Gi' } });
    expect(c.readinessProbe).toEqual({ tcpSocket: { port: 8443 }, initialDelaySeconds: 30, periodSeconds: 10, failureThreshold: 3 });
    expect(c.livenessProbe).toEqual({ tcpSocket: { port: 8443 }, initialDelaySeconds: 120, periodSeconds: 30, failureThreshold: 3 });
    expect(c.envFrom).toEqual([
      { configMapRef: { name: 'test-idds-rest-envs' } },
      { secretRef: { name: 'panda-secrets-idds-envs' } },
      { secretRef: { name: 'panda-secrets-idds-db-envs' } },
    ]);
    expect(c.args[0]).toMatch(/^if \[ "\$\{IDDS_DB_BACKEND\}" != "oracle" \]; then until \/usr\/bin\/pg_isready -h \$\{IDDS_DATABASE_HOST\} -p \$\{IDDS_DATABASE_PORT\}/);
    expect(c.args[0]).toMatch(/runuser -u atlpan -g zp -- \/opt\/idds\/bin\/start-daemon\.sh all$/);
    expect(podSpec(s).hostname).toBe('test-idds');
  });

  it('rest env: its own Service and the stack’s BigMon by default (upstream: idds-rest, bigmon)', () => {
    expect(container(find(objs, 'StatefulSet', 'test-idds-rest')).env).toEqual([
      { name: 'IDDS_REST_HOST', value: 'https://test-idds-rest:8443' },
      { name: 'PANDAMON_URL', value: 'https://test-bigmon-main' },
    ]);
    const dev = renderComponent('idds', {}, '-dev');
    expect(container(find(dev, 'StatefulSet', 'idds-dev-rest')).env[1].value).toBe('https://bigmon-dev-main');
  });

  it('rest mounts: logs, config projected with idds-auth and tnsnames, certs, requests volume', () => {
    const s = find(objs, 'StatefulSet', 'test-idds-rest');
    expect(container(s).volumeMounts.map((m: any) => `${m.name}:${m.mountPath}`)).toEqual([
      'test-idds-rest-logs:/var/log/idds/',
      'test-idds-rest-configmap:/opt/idds/configmap',
      'test-idds-rest-certs:/opt/idds/certs',
      'test-idds-rest-requests:/mnt/idds-rest-requests',
    ]);
    const v = Object.fromEntries(podSpec(s).volumes.map((x: any) => [x.name, x]));
    expect(v['test-idds-rest-configmap'].projected.sources).toEqual([
      { configMap: { name: 'test-idds-rest-configmap' } },
      { secret: { name: 'panda-secrets-idds-auth' } },
      { configMap: { name: 'test-idds-tnsnames' } },
    ]);
    expect(v['test-idds-rest-logs'].persistentVolumeClaim.claimName).toBe('test-idds-rest');
    expect(v['test-idds-rest-requests'].persistentVolumeClaim.claimName).toBe('test-idds-rest-requests');
    expect(s.spec.volumeClaimTemplates).toBeUndefined();
  });

  it('volumes: hostPath PVs with reclaim policy Delete for rest; claims select them', () => {
    const logs = find(objs, 'PersistentVolume', 'test-idds-rest').spec;
    expect(logs.persistentVolumeReclaimPolicy).toBe('Delete');
    expect(logs.hostPath.path).toBe('/mnt/idds-rest-logs');
    const req = find(objs, 'PersistentVolume', 'test-idds-rest-requests').spec;
    expect([req.persistentVolumeReclaimPolicy, req.hostPath.path, req.capacity.storage]).toEqual(['Delete', '/mnt/idds-rest-requests', '10Gi']);
    expect(find(objs, 'PersistentVolumeClaim', 'test-idds-rest-requests').spec.selector.matchLabels).toEqual({
      'app.kubernetes.io/name': 'rest-requests',
      'app.kubernetes.io/instance': 'test-idds',
    });
    expect(find(objs, 'PersistentVolume', 'test-idds-postgres').spec.persistentVolumeReclaimPolicy).toBeUndefined();
  });

  it('postgres: a Deployment with strategy Recreate', () => {
    const d = find(objs, 'Deployment', 'test-idds-postgres');
    expect(d.spec.strategy).toEqual({ type: 'Recreate' });
    expect(container(d).image).toBe('postgres:13.6');
    expect(container(d).volumeMounts).toEqual([{ name: 'test-idds-postgres-data', mountPath: '/var/lib/postgresql/data' }]);
  });

  it('B27: the Ingress TLS is the secrets lifecycle’s idds-tls-certs, no site client-CA Secret', () => {
    const ing = find(objs, 'Ingress', 'test-idds-rest');
    expect(ing.spec.rules[0].host).toBe('test-idds-rest.cern.ch');
    expect(ing.spec.tls).toEqual([{ hosts: ['test-idds-rest.cern.ch'], secretName: 'panda-secrets-idds-tls-certs' }]);
    expect(ing.metadata.annotations!['nginx.ingress.kubernetes.io/auth-tls-secret']).toBeUndefined();
    expect(ing.metadata.annotations!['nginx.ingress.kubernetes.io/auth-tls-verify-client']).toBe('optional_no_ca');
    const own = renderComponent('idds', { rest: { ingress: { tls: [{ secretName: 'default', hosts: [{ hostOverride: 'x.example.org' }] }] } } });
    expect(find(own, 'Ingress', 'test-idds-rest').spec.tls).toEqual([{ hosts: ['x.example.org'], secretName: 'panda-secrets-idds-tls-certs' }]);
  });

  it('idds_configmap.json: iDDS 2.x settings (database URL, rest, carrier, conductor, alembic)', () => {
    const cfg = JSON.parse(find(objs, 'ConfigMap', 'test-idds-rest-configmap').data['idds_configmap.json']);
    expect(Object.keys(cfg)).toEqual(['/opt/idds/config/idds/idds.cfg', '/opt/idds/config/panda.cfg', '/opt/idds/config/rucio.cfg', '/opt/idds/config/idds/alembic.ini', 'rest/config/idds.cfg']);
    const idds = cfg['/opt/idds/config/idds/idds.cfg'];
    expect(idds.database.default).toBe('${IDDS_DATABASE_URL}');
    expect(idds.database.pool_size).toBe(50);
    expect(idds.rest.additional_storage).toBe('/data/idds-requests/panda_jobs/panda/idds-requests');
    expect(Object.keys(idds.conductor['plugin.notifier.channels'])).toEqual(['default', 'ContentExt', 'ContentExt1']);
    expect(idds.carrier['plugin.receiver.channels'].default.broker_timeout).toBe(600);
  });

  it('the tnsnames ConfigMap is empty without a tnsnames.ora payload', () => {
    expect(find(objs, 'ConfigMap', 'test-idds-tnsnames').data).toEqual({ 'tnsnames.ora': '' });
  });
});

describe('idds options', () => {
  it('shared logs claim with subPath, request files on the logs volume (atlas_testbed, doma-k8s)', () => {
    const objs = renderComponent('idds', {
      rest: {
        persistentvolume: { create: false, sharedPvcName: 'panda-shared-logs', subPath: 'idds' },
        persistentvolumerequests: { reuseLogsVolume: true, subPath: 'idds-requests' },
      },
    });
    expect(objs.filter((o) => /PersistentVolume/.test(o.kind) && o.metadata.name.startsWith('test-idds-rest'))).toEqual([]);
    const s = find(objs, 'StatefulSet', 'test-idds-rest');
    const mounts = container(s).volumeMounts.filter((m: any) => m.name === 'test-idds-rest-logs');
    expect(mounts).toEqual([
      { name: 'test-idds-rest-logs', mountPath: '/var/log/idds/', subPath: 'idds' },
      { name: 'test-idds-rest-logs', mountPath: '/mnt/idds-rest-requests', subPath: 'idds-requests' },
    ]);
    expect(podSpec(s).volumes.find((v: any) => v.name === 'test-idds-rest-logs').persistentVolumeClaim.claimName).toBe('panda-shared-logs');
    expect(validationErrors([s])).toEqual([]);
  });

  it('no create and no shared claim: a ReadWriteOnce claim template per pod (lsst)', () => {
    const objs = renderComponent('idds', {
      rest: {
        persistentvolume: { create: false, class: 'wekafs--sdf-k8s01', size: '50Gi', selector: false },
        persistentvolumerequests: { create: false, class: 'sdf-data-rubin', size: '1000Gi', selector: false, path: '/data/idds-requests' },
      },
    });
    const s = find(objs, 'StatefulSet', 'test-idds-rest');
    expect(s.spec.volumeClaimTemplates).toEqual([
      { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'test-idds-rest-logs' }, spec: { storageClassName: 'wekafs--sdf-k8s01', accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '50Gi' } }, volumeMode: 'Filesystem' }, status: { phase: 'Pending' } },
    ]);
    const req = find(objs, 'PersistentVolumeClaim', 'test-idds-rest-requests').spec;
    expect([req.storageClassName, req.resources.requests.storage, req.selector]).toEqual(['sdf-data-rubin', '1000Gi', undefined]);
    expect(container(s).volumeMounts.find((m: any) => m.name === 'test-idds-rest-requests').mountPath).toBe('/data/idds-requests');
    expect(validationErrors(objs)).toEqual([]);
  });

  it('CVMFS: a CSI PV/PVC per repository, mounted read-only at /cvmfs/<repository>', () => {
    const objs = renderComponent('idds', { rest: { cvmfs: { enabled: true, repositories: [{ name: 'atlas', repository: 'atlas.cern.ch' }] } } });
    const pv = find(objs, 'PersistentVolume', 'test-idds-rest-cvmfs-atlas').spec;
    expect(pv.csi).toEqual({ driver: 'cvmfs.csi.cern.ch', volumeHandle: 'test-idds-rest-cvmfs-atlas', volumeAttributes: { repository: 'atlas.cern.ch' } });
    expect(find(objs, 'PersistentVolumeClaim', 'test-idds-rest-cvmfs-atlas').spec.volumeName).toBe('test-idds-rest-cvmfs-atlas');
    const s = find(objs, 'StatefulSet', 'test-idds-rest');
    expect(container(s).volumeMounts).toContainEqual({ name: 'cvmfs-atlas', mountPath: '/cvmfs/atlas.cern.ch' });
    expect(podSpec(s).volumes).toContainEqual({ name: 'cvmfs-atlas', persistentVolumeClaim: { claimName: 'test-idds-rest-cvmfs-atlas', readOnly: true } });
  });

  it('server worker tuning goes to the env ConfigMap (numbers or strings), unset ones are left out', () => {
    const objs = renderComponent('idds', { rest: { serverConf: { minWorkers: 4, maxWorkers: '8', maxBacklog: '50' } } });
    expect(find(objs, 'ConfigMap', 'test-idds-rest-envs').data).toEqual({
      IDDS_SERVER_CONF_MIN_WORKERS: '4',
      IDDS_SERVER_CONF_MAX_WORKERS: '8',
      IDDS_SERVER_CONF_MAX_BACKLOG: '50',
    });
    expect(find(renderComponent('idds'), 'ConfigMap', 'test-idds-rest-envs').data).toBeUndefined();
  });

  it('B5: https_proxy takes httpsProxy; default no_proxy lists the component’s services', () => {
    const objs = renderComponent('idds', { rest: { httpProxy: 'http://a:1', httpsProxy: 'http://b:2' } });
    expect(find(objs, 'ConfigMap', 'test-idds-rest-envs').data).toEqual({ http_proxy: 'http://a:1', https_proxy: 'http://b:2', no_proxy: 'localhost,test-idds-rest,test-idds-postgres' });
  });

  it('B2: postgres.noRoot mounts the volume by name at /tmp/pg_volume and sets PGDATA inside it', () => {
    const objs = renderComponent('idds', { postgres: { noRoot: true } });
    const d = find(objs, 'Deployment', 'test-idds-postgres');
    expect(container(d).volumeMounts).toEqual([{ name: 'test-idds-postgres-data', mountPath: '/tmp/pg_volume' }]);
    expect(find(objs, 'ConfigMap', 'test-idds-postgres-configmap').data).toEqual({ PGDATA: '/tmp/pg_volume/data' });
    expect(validationErrors([d])).toEqual([]);
  });

  it('rest.noRoot runs start-daemon.sh directly; autoStart false leaves the image command', () => {
    expect(container(find(renderComponent('idds', { rest: { noRoot: true } }), 'StatefulSet', 'test-idds-rest')).args[0]).toMatch(/done; fi; \/opt\/idds\/bin\/start-daemon\.sh all$/);
    const c = container(find(renderComponent('idds', { rest: { autoStart: false } }), 'StatefulSet', 'test-idds-rest'));
    expect([c.command, c.args]).toEqual([undefined, undefined]);
  });

  it('B24: autoscaling renders an autoscaling/v2 HPA on the StatefulSet and drops replicas', () => {
    const objs = renderComponent('idds', { rest: { autoscaling: { enabled: true } } });
    expect(find(objs, 'StatefulSet', 'test-idds-rest').spec.replicas).toBeUndefined();
    const h = find(objs, 'HorizontalPodAutoscaler', 'test-idds-rest');
    expect([h.apiVersion, h.spec.scaleTargetRef]).toEqual(['autoscaling/v2', { apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'test-idds-rest' }]);
  });

  it('external database: postgres.enabled false renders no postgres objects', () => {
    const objs = renderComponent('idds', { postgres: { enabled: false } });
    expect(objs.filter((o) => o.metadata.name.startsWith('test-idds-postgres'))).toEqual([]);
    expect(sortedKindNames(objs)).toContain('StatefulSet/test-idds-rest');
  });

  it('configOverrides are merged into idds_configmap.json', () => {
    const objs = renderComponent('idds', { rest: { configOverrides: { '/opt/idds/config/rucio.cfg': { client: { rucio_host: 'https://rucio.example.org:443' } } } } });
    const cfg = JSON.parse(find(objs, 'ConfigMap', 'test-idds-rest-configmap').data['idds_configmap.json']);
    expect(cfg['/opt/idds/config/rucio.cfg'].client).toMatchObject({ rucio_host: 'https://rucio.example.org:443', auth_type: 'x509_proxy' });
  });
});

describe('idds payloads from the checkout (--from)', () => {
  const tree = fs.mkdtempSync(path.join(os.tmpdir(), 'idds-checkout-'));
  const put = (rel: string, text: string) => {
    fs.mkdirSync(path.dirname(path.join(tree, rel)), { recursive: true });
    fs.writeFileSync(path.join(tree, rel), text);
  };
  put('helm/idds/tnsnames.ora', 'PANDA=(DESCRIPTION=(ADDRESS=(HOST=db.example.org)))\n');
  put('helm/idds/charts/rest/idds_configmap.json', '{"/opt/idds/config/idds/idds.cfg": {"common": {"loglevel": "INFO"}}}');
  put('secrets/values.yaml', '{}\n');

  it('tnsnames.ora and idds_configmap.json come from the checkout; configOverrides still apply', () => {
    const objs = renderTemplate({ from: tree, enable: ['idds'], sets: ['idds.rest.configOverrides./opt/idds/config/panda\\.cfg.panda.x=1'] });
    expect(find(objs, 'ConfigMap', 'test-idds-tnsnames').data['tnsnames.ora']).toContain('db.example.org');
    const cfg = JSON.parse(find(objs, 'ConfigMap', 'test-idds-rest-configmap').data['idds_configmap.json']);
    expect(cfg).toEqual({ '/opt/idds/config/idds/idds.cfg': { common: { loglevel: 'INFO' } }, '/opt/idds/config/panda.cfg': { panda: { x: 1 } } });
  });

  it('an invalid idds_configmap.json is refused naming the file', () => {
    const bad = fs.mkdtempSync(path.join(os.tmpdir(), 'idds-bad-'));
    fs.mkdirSync(path.join(bad, 'helm/idds/charts/rest'), { recursive: true });
    fs.writeFileSync(path.join(bad, 'helm/idds/charts/rest/idds_configmap.json'), '{"x": ');
    expect(() => renderTemplate({ from: bad, enable: ['idds'], secretsValues: path.join(tree, 'secrets/values.yaml') })).toThrow(/idds_configmap\.json/);
  });
});

describe('idds values', () => {
  it('the 2022 daemon key loads and is reported as having no effect, naming what replaced it', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'idds-2022-'));
    const f = path.join(dir, 'values.yaml');
    fs.writeFileSync(f, 'daemon:\n  enabled: true\n  image:\n    tag: "0.11.12"\nrest:\n  iddsServer: idds.example.org\n');
    const layers = readLayers({ files: [`idds=${f}`] });
    const got = ignoredKeys(layers, valuesSchema).map((i) => `${i.where}:${i.line}`);
    expect(got).toEqual(['idds.daemon:2', 'idds.rest.iddsServer:6']);
    expect(ignoredKeys(layers, valuesSchema)[0]!.message).toMatch(/agents now run in the rest pod.*idds\.rest/);
    const objs = renderTemplate({ files: [`idds=${f}`], enable: ['idds'] });
    expect(objs.some((o) => /daemon/.test(o.metadata.name))).toBe(false);
  });

  it('unknown keys are rejected, upstream’s unread keys are accepted', () => {
    expect(() => renderComponent('idds', { rest: { bogus: 1 } })).toThrow();
    expect(() =>
      renderComponent('idds', {
        rest: { oidc: { atlas: { client_id: 'abc' } }, conductor: { port: 61613 }, hostcerts: { enabled: false }, iddsServer: 'x', secret: { name: 's' }, persistentvolumerequests_test: { create: false } },
        postgres: { database: { name: 'x' }, ingress: { enabled: false } },
      }),
    ).not.toThrow();
  });
});
