import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PandaError } from '../../core/errors.js';
import type { K8sObject } from '../../core/k8s.js';
import { componentSandboxDir } from '../../core/paths.js';
import { find as findObject, renderComponent, testContext } from '../../render/testing.js';
import { bigmon } from './component.js';
import { bigmonSchema } from './values.js';

const find = (objs: readonly K8sObject[], kind: string, name: string): any => findObject(objs, kind, name);

type Pod = {
  spec: { template: { spec: { containers: Array<Record<string, any>>; volumes: Array<Record<string, any>> } } };
};
const container = (objs: K8sObject[]) => (find(objs, 'Deployment', 'test-bigmon-main') as unknown as Pod).spec.template.spec.containers[0]!;
const volumes = (objs: K8sObject[]) => (find(objs, 'Deployment', 'test-bigmon-main') as unknown as Pod).spec.template.spec.volumes;
const cmData = (objs: K8sObject[]) => (find(objs, 'ConfigMap', 'test-bigmon-main-env') as { data?: Record<string, string> }).data ?? {};
const secretData = (objs: K8sObject[]) => (find(objs, 'Secret', 'test-bigmon-main-secret-env') as { stringData?: Record<string, string> }).stringData ?? {};
const kinds = (objs: K8sObject[]) => objs.map((o) => `${o.kind}/${o.metadata.name}`);

/** Every variable upstream's env ConfigMap carries by default. */
const UPSTREAM_ENV_KEYS = [
  'AWS_ACCESS_KEY_ATLAS', 'AWS_SECRET_KEY_ATLAS', 'BIGMON_DEBUG', 'BIGMON_DEPLOYMENT', 'BIGMON_HOST', 'BIGMON_NUM_WSGI_PROC',
  'BIGMON_SECRET_KEY', 'BIGMON_VO', 'CRIC_API_URL', 'IDDS_DB_HOST', 'IDDS_DB_NAME', 'IDDS_DB_PASSWORD', 'IDDS_DB_PORT',
  'IDDS_DB_USER', 'IDDS_HOST', 'PANDA_DB_HOST', 'PANDA_DB_NAME', 'PANDA_DB_PASSWORD', 'PANDA_DB_PORT', 'PANDA_DB_USER',
  'RUCIO_ACCOUNT', 'RUCIO_AUTH_HOST', 'RUCIO_SERVER_HOST', 'SOCIAL_AUTH_CERNOIDC_KEY', 'SOCIAL_AUTH_CERNOIDC_SECRET',
  'SOCIAL_AUTH_GITHUB_KEY', 'SOCIAL_AUTH_GITHUB_SECRET', 'SOCIAL_AUTH_GOOGLE_OAUTH2_KEY', 'SOCIAL_AUTH_GOOGLE_OAUTH2_SECRET',
  'SOCIAL_AUTH_INDIGOIAMOIDC_BASEPATH', 'SOCIAL_AUTH_INDIGOIAMOIDC_KEY', 'SOCIAL_AUTH_INDIGOIAMOIDC_SECRET',
];
const CREDENTIALS = [
  'AWS_ACCESS_KEY_ATLAS', 'AWS_SECRET_KEY_ATLAS', 'BIGMON_SECRET_KEY', 'IDDS_DB_PASSWORD', 'PANDA_DB_PASSWORD',
  'SOCIAL_AUTH_CERNOIDC_SECRET', 'SOCIAL_AUTH_GITHUB_SECRET', 'SOCIAL_AUTH_GOOGLE_OAUTH2_SECRET', 'SOCIAL_AUTH_INDIGOIAMOIDC_SECRET',
];

describe('bigmon defaults', () => {
  const objs = renderComponent('bigmon');

  it('renders upstream objects plus the credentials Secret', () => {
    expect(kinds(objs).sort()).toEqual(
      [
        'ConfigMap/test-bigmon-main-configmap',
        'ConfigMap/test-bigmon-main-env',
        'Secret/test-bigmon-main-secret-env',
        'PersistentVolumeClaim/test-bigmon-main',
        'Service/test-bigmon-main',
        'Deployment/test-bigmon-main',
        'Ingress/test-bigmon-main',
      ].sort(),
    );
  });

  it('ships the sandbox files as binaryData', () => {
    const cm = find(objs, 'ConfigMap', 'test-bigmon-main-configmap') as { binaryData: Record<string, string> };
    expect(Object.keys(cm.binaryData).sort()).toEqual(['00-httpd.conf.template', 'local.py.template', 'process_template.py']);
  });

  it('runs the image on 443 with the upstream start sequence', () => {
    const c = container(objs);
    expect(c.image).toBe('ghcr.io/pandawms/panda-bigmon-core:v0.3.0');
    expect(c.imagePullPolicy).toBe('IfNotPresent');
    expect(c.ports).toEqual([{ name: 'https', containerPort: 443, protocol: 'TCP' }]);
    expect(c.args[0]).toMatch(/^cp \/data\/bigmon\/configmap\/\* \/data\/bigmon\/config\/; python \/data\/bigmon\/config\/process_template\.py; until .*pg_isready -h \$\{PANDA_DB_HOST\} -p \$\{PANDA_DB_PORT\}.*; start-daemon\.sh all$/);
    expect(c.volumeMounts.map((m: { mountPath: string }) => m.mountPath)).toEqual(['/data/bigmon/logs', '/data/bigmon/configmap']);
    expect(volumes(objs)).toEqual([
      { name: 'test-bigmon-main-logs', persistentVolumeClaim: { claimName: 'test-bigmon-main' } },
      { name: 'test-bigmon-main-configmap', configMap: { name: 'test-bigmon-main-configmap' } },
    ]);
  });

  it('claims from the cluster default class without a selector and creates no PV', () => {
    const pvc = find(objs, 'PersistentVolumeClaim', 'test-bigmon-main') as { spec: Record<string, unknown> };
    expect(pvc.spec).not.toHaveProperty('storageClassName');
    expect(pvc.spec).not.toHaveProperty('selector');
    expect(pvc.spec.resources).toEqual({ requests: { storage: '5Gi' } });
    expect(objs.some((o) => o.kind === 'PersistentVolume')).toBe(false);
  });

  it('exposes https 443 through Service and Ingress', () => {
    const svc = find(objs, 'Service', 'test-bigmon-main') as { spec: { ports: unknown[] } };
    expect(svc.spec.ports).toEqual([{ name: 'https', port: 443, targetPort: 'https', protocol: 'TCP' }]);
    const ing = find(objs, 'Ingress', 'test-bigmon-main') as { metadata: { annotations: Record<string, string> }; spec: any };
    expect(ing.spec.rules[0].host).toBe('test-bigmon-main.cern.ch');
    expect(ing.spec.rules[0].http.paths[0].backend.service).toEqual({ name: 'test-bigmon-main', port: { number: 443 } });
    expect(ing.spec.tls).toEqual([{ hosts: ['test-bigmon-main.cern.ch'] }]);
    expect(ing.metadata.annotations['nginx.ingress.kubernetes.io/ssl-passthrough']).toBe('true');
    expect(Object.keys(ing.metadata.annotations)).toHaveLength(7);
  });
});

describe('bigmon env (B4, B19)', () => {
  const objs = renderComponent('bigmon');

  it('keeps every upstream variable name, credentials only in the Secret (B4)', () => {
    const cm = cmData(objs);
    const sec = secretData(objs);
    expect([...Object.keys(cm), ...Object.keys(sec)].sort()).toEqual([...UPSTREAM_ENV_KEYS].sort());
    expect(Object.keys(sec).sort()).toEqual([...CREDENTIALS].sort());
    for (const k of CREDENTIALS) expect(cm).not.toHaveProperty(k);
    expect(find(objs, 'Secret', 'test-bigmon-main-secret-env').type).toBe('Opaque');
    expect(container(objs).envFrom).toEqual([
      { configMapRef: { name: 'test-bigmon-main-env' } },
      { secretRef: { name: 'test-bigmon-main-secret-env' } },
    ]);
  });

  it('points at the stack database Services and fills the iDDS DB settings (B19)', () => {
    const cm = cmData(objs);
    expect(cm.PANDA_DB_HOST).toBe('test-panda-postgres');
    expect(cm.IDDS_DB_HOST).toBe('test-idds-postgres');
    expect([cm.IDDS_DB_NAME, cm.IDDS_DB_PORT, cm.IDDS_DB_USER]).toEqual(['idds_db', '5432', 'idds']);
    expect([cm.PANDA_DB_NAME, cm.PANDA_DB_PORT, cm.PANDA_DB_USER]).toEqual(['panda_db', '5432', 'panda']);
    expect(cm.IDDS_HOST).toBe('https://test-idds-rest:8443/idds');
  });

  it('follows the affix for the stack hosts', () => {
    const c = bigmon.render(bigmonSchema.parse({}), testContext('bigmon', '-dev'));
    const cm = find(c, 'ConfigMap', 'bigmon-dev-main-env').data as Record<string, string>;
    expect(cm.PANDA_DB_HOST).toBe('panda-dev-postgres');
    expect(cm.IDDS_DB_HOST).toBe('idds-dev-postgres');
  });

  it('uses explicit DB hosts and settings', () => {
    const cm = cmData(
      renderComponent('bigmon', {
        main: { panda: { hostName: 'db.example', port: 6543, password: 12345 }, idds: { hostName: 'idds-db.example', host: 'https://idds.example/idds' } },
      }),
    );
    expect(cm.PANDA_DB_HOST).toBe('db.example');
    expect(cm.PANDA_DB_PORT).toBe('6543');
    expect(cm.IDDS_DB_HOST).toBe('idds-db.example');
    expect(cm.IDDS_HOST).toBe('https://idds.example/idds');
  });

  it('keeps numeric passwords as strings in the Secret', () => {
    expect(secretData(renderComponent('bigmon', { main: { panda: { password: 12345 } } })).PANDA_DB_PASSWORD).toBe('12345');
  });

  it('maps debug mode, WSGI processes and auth providers', () => {
    const cm = cmData(renderComponent('bigmon', { main: { debugMode: true, httpd: { numWSGI: 4 }, auth: { providers: ['cern', 'indigoiam'] } } }));
    expect(cm.BIGMON_DEBUG).toBe('True');
    expect(cm.BIGMON_NUM_WSGI_PROC).toBe('4');
    expect(cm.BIGMON_AUTH_PROVIDER_LIST).toBe('cern,indigoiam');
    expect(cmData(objs)).not.toHaveProperty('BIGMON_AUTH_PROVIDER_LIST');
  });

  it('sets proxies with the https value for https_proxy (B5) and localhost as default no_proxy', () => {
    const cm = cmData(renderComponent('bigmon', { main: { httpProxy: 'http://p:3128', httpsProxy: 'http://s:3129' } }));
    expect(cm.http_proxy).toBe('http://p:3128');
    expect(cm.https_proxy).toBe('http://s:3129');
    expect(cm.no_proxy).toBe('localhost');
    expect(cmData(objs)).not.toHaveProperty('http_proxy');
  });
});

describe('bigmon options', () => {
  it('autoStart false leaves the pod idle after rendering the settings', () => {
    const args = container(renderComponent('bigmon', { main: { autoStart: false } })).args[0] as string;
    expect(args).toContain('process_template.py');
    expect(args).not.toContain('start-daemon.sh');
    expect(args).toMatch(/sleep infinity & wait$/);
  });

  it('creates a hostPath PV bound by selector when persistentvolume.create', () => {
    const objs = renderComponent('bigmon', { main: { persistentvolume: { create: true, class: 'manual' } } });
    const pv = find(objs, 'PersistentVolume', 'test-bigmon-main') as { spec: any };
    expect(pv.spec.hostPath).toEqual({ path: '/mnt/bigmon-main-logs' });
    expect(pv.spec.storageClassName).toBe('manual');
    const pvc = find(objs, 'PersistentVolumeClaim', 'test-bigmon-main') as { spec: any };
    expect(pvc.spec.selector).toEqual({ matchLabels: { 'app.kubernetes.io/name': 'main', 'app.kubernetes.io/instance': 'test-bigmon' } });
  });

  it('uses a StorageClass without a PV (lsst overlay settings)', () => {
    const objs = renderComponent('bigmon', { main: { persistentvolume: { class: 'wekafs--sdf-k8s01', create: false } } });
    expect(objs.some((o) => o.kind === 'PersistentVolume')).toBe(false);
    const pvc = find(objs, 'PersistentVolumeClaim', 'test-bigmon-main') as { spec: any };
    expect(pvc.spec.storageClassName).toBe('wekafs--sdf-k8s01');
    expect(pvc.spec.selector).toBeUndefined();
  });

  it('renders a passthrough Route on hostName when route.enabled, and no Ingress when disabled', () => {
    const objs = renderComponent('bigmon', { main: { route: { enabled: true }, ingress: { enabled: false }, hostName: 'bigmon.apps.example.org' } });
    const r = find(objs, 'Route', 'test-bigmon-main-route') as { spec: any };
    expect(r.spec.host).toBe('bigmon.apps.example.org');
    expect(r.spec.to).toMatchObject({ kind: 'Service', name: 'test-bigmon-main' });
    expect(r.spec.port).toEqual({ targetPort: 'https' });
    expect(r.spec.tls).toEqual({ termination: 'passthrough', insecureEdgeTerminationPolicy: 'None' });
    expect(objs.some((o) => o.kind === 'Ingress')).toBe(false);
  });

  it('renders nothing when main.enabled is false', () => {
    expect(renderComponent('bigmon', { main: { enabled: false } })).toEqual([]);
  });

  it('mounts host certificates from the certs sandbox set as a Secret', () => {
    const base = testContext('bigmon');
    const certs = new Map(['hostcert.pem', 'hostkey.pem', 'chain.pem'].map((f) => [f, Buffer.from(`-- ${f} --`)]));
    const ctx = { ...base, sandbox: (set: string) => (set === 'certs' ? certs : base.sandbox(set)) };
    const objs = bigmon.render(bigmonSchema.parse({ main: { hostcerts: { enabled: true } } }), ctx);
    const s = find(objs, 'Secret', 'test-bigmon-main-certs') as { data: Record<string, string> };
    expect(Object.keys(s.data).sort()).toEqual(['chain.pem', 'hostcert.pem', 'hostkey.pem']);
    expect(Buffer.from(s.data['hostkey.pem']!, 'base64').toString()).toBe('-- hostkey.pem --');
    expect(container(objs).volumeMounts).toContainEqual({ name: 'test-bigmon-main-certs', mountPath: '/opt/bigmon/etc/cert' });
    expect(volumes(objs)).toContainEqual({ name: 'test-bigmon-main-certs', secret: { secretName: 'test-bigmon-main-certs' } });
  });

  it('refuses hostcerts.enabled without the certificate files', () => {
    expect(() => renderComponent('bigmon', { main: { hostcerts: { enabled: true } } })).toThrow(PandaError);
  });
});

describe('bigmon values', () => {
  it('accepts upstream value files unchanged (umbrella and sub-chart keys)', () => {
    const upstream = {
      main: {
        enabled: true,
        image: { tag: 'v0.3.0', repository: 'ghcr.io/pandawms/panda-bigmon-core', pullPolicy: 'IfNotPresent' },
        replicaCount: 1,
        autoStart: true,
        persistentvolume: { create: false, path: '/mnt/bigmon-main-logs', size: '5Gi', selector: true },
        hostcerts: { enabled: false },
        httpsProxy: '',
        httpProxy: '',
        noProxy: '',
        hostName: 'FIXME',
        secretKey: 'FIXME',
        vo: 'FIXME',
        deployment: 'POSTGRES',
        debugMode: false,
        httpd: { numWSGI: 10 },
        panda: { databaseName: 'panda_db', port: 5432, userName: 'panda', hostName: 'panda-postgres', password: 'FIXME' },
        idds: { host: 'https://idds-rest:443/idds', hostName: 'idds-postgres', password: 'FIXME' },
        rucio: { rucioHost: 'https://rucio-lb-prod.cern.ch', authHost: 'https://rucio-auth-prod.cern.ch', account: 'iddsv1' },
        auth: {
          providers: [],
          google: { key: 'FIXME', secret: 'FIXME' },
          cern: { key: 'FIXME', secret: 'FIXME' },
          github: { key: 'FIXME', secret: 'FIXME' },
          indigoiam: { key: 'FIXME', secret: 'FIXME', basePath: 'FIXME' },
        },
        cric: { apiUrl: 'https://datalake-cric.cern.ch/api/atlas/pandaqueue/query/?json' },
        aws: { accessKey: 'FIXME', secretKey: 'FIXME' },
        imagePullSecrets: [],
        nameOverride: '',
        fullnameOverride: '',
        serviceAccount: { create: false, annotations: {}, name: '' },
        podAnnotations: {},
        podSecurityContext: {},
        securityContext: {},
        service: { type: 'ClusterIP', httpsPort: 443 },
        ingress: {
          enabled: true,
          className: '',
          annotations: { 'kubernetes.io/ingress.class': 'nginx' },
          hosts: [{ domain: 'cern.ch', hostOverride: '', paths: [{ path: '/', pathType: 'Prefix' }] }],
          tls: [{ secretName: '', hosts: [{ domain: 'cern.ch', hostOverride: '' }] }],
        },
        route: { enabled: false, tls: { termination: 'passthrough', insecureEdgeTerminationPolicy: 'None' } },
        resources: {},
        autoscaling: { enabled: false, minReplicas: 1, maxReplicas: 100, targetCPUUtilizationPercentage: 80 },
        nodeSelector: {},
        tolerations: [],
        affinity: {},
      },
    };
    const v = bigmonSchema.parse(upstream);
    // an explicit host wins over the stack default
    expect(cmData(bigmon.render(v, testContext('bigmon'))).PANDA_DB_HOST).toBe('panda-postgres');
  });

  it('rejects unknown keys', () => {
    expect(() => bigmonSchema.parse({ main: { hostname: 'x' } })).toThrow();
  });
});

const python = spawnSync('python3', ['--version']).status === 0;

describe.skipIf(!python)('bigmon sandbox scripts', () => {
  it('process_template.py fills set variables, keeps unset ones, overwrites outputs, and the mail password has no stray 8 (B20)', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bigmon-'));
    const src = path.join(componentSandboxDir('bigmon'), 'main');
    for (const f of fs.readdirSync(src)) fs.copyFileSync(path.join(src, f), path.join(dir, f));
    fs.writeFileSync(path.join(dir, 'local.py'), 'stale');
    const env = { PATH: process.env.PATH ?? '', BIGMON_HOST: 'mon.example.org', PANDA_DB_PASSWORD: 'pw', EMAIL_HOST_PASSWORD: 'mail', BIGMON_DEBUG: 'True' };
    execFileSync('python3', [path.join(dir, 'process_template.py')], { env });
    expect(fs.readFileSync(path.join(dir, '00-httpd.conf'), 'utf8')).toMatch(/^ServerName mon\.example\.org$/m);
    const probe = [
      'import runpy, json, sys',
      `g = runpy.run_path(${JSON.stringify(path.join(dir, 'local.py'))})`,
      "print(json.dumps([g['dbaccess']['default']['PASSWORD'], g['dbaccess']['doma_idds_gcp']['HOST'], g['EMAIL_HOST_PASSWORD'], g['DEBUG'], g['LOG_ROOT']]))",
    ].join('\n');
    const out = JSON.parse(execFileSync('python3', ['-c', probe]).toString());
    expect(out).toEqual(['pw', '${IDDS_DB_HOST}', 'mail', true, '/data/bigmon/logs']);
  });
});
