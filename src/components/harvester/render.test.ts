import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigMap, PersistentVolume, PersistentVolumeClaim, Service, ServiceAccount } from 'kubernetes-models/v1';
import { Deployment } from 'kubernetes-models/apps/v1';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { PandaError } from '../../core/errors.js';
import type { K8sObject } from '../../core/k8s.js';
import { BUILTIN_EXPERIMENTS, componentSandboxDir } from '../../core/paths.js';
import { loadSandbox } from '../../render/sandbox.js';
import { find as findObject, renderComponent, renderTemplate, testContext } from '../../render/testing.js';
import { harvester } from './component.js';
import { harvesterNoProxy, queueConfigData, startCommand } from './render.js';
import { harvesterSchema } from './values.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
const find = (objs: readonly K8sObject[], kind: string, name: string): any => findObject(objs, kind, name);
const names = (objs: readonly K8sObject[]) => objs.map((o) => `${o.kind}/${o.metadata.name}`);
const container = (objs: readonly K8sObject[], name = 'test-harvester'): any => find(objs, 'Deployment', name).spec.template.spec.containers[0];
const envData = (objs: readonly K8sObject[]): Record<string, string> | undefined => find(objs, 'ConfigMap', 'test-harvester-env').data;

const MODELS: Record<string, new (o: any) => { validate(): void }> = {
  ConfigMap,
  PersistentVolume,
  PersistentVolumeClaim,
  Service,
  ServiceAccount,
  Deployment,
  HorizontalPodAutoscaler,
};
function expectValid(objs: readonly K8sObject[]): void {
  for (const o of objs) {
    const Model = MODELS[o.kind];
    expect(Model, `no model for ${o.kind}`).toBeDefined();
    expect(() => new Model!(structuredClone(o)).validate(), `${o.kind}/${o.metadata.name}`).not.toThrow();
  }
}

const SANDBOX_FILES = [
  'condor_config.local',
  'init-harvester',
  'lsst.init-harvester',
  'lsst.run-harvester-crons',
  'lsst.runpilot2-wrapper.sh',
  'lsst.submit_pilot.sdf',
  'lsst.submit_pilot_slac.sdf',
  'lsst.vomsproxy-renew',
  'run-harvester-crons',
  'sphenix.init-harvester',
  'sphenix.run-harvester-crons',
  'sphenix.runpilot2-wrapper.sh',
  'sphenix.submit_pilot.sdf',
];

describe('harvester defaults', () => {
  const objs = renderComponent('harvester');

  it('renders the upstream object set, all valid Kubernetes', () => {
    expect(names(objs).sort()).toEqual(
      [
        'ConfigMap/test-harvester-configjson',
        'ConfigMap/test-harvester-queueconfig',
        'ConfigMap/test-harvester-env',
        'ConfigMap/test-harvester-sandbox',
        'PersistentVolume/test-harvester',
        'PersistentVolumeClaim/test-harvester',
        'Deployment/test-harvester',
        'PersistentVolume/test-harvester-mariadb',
        'PersistentVolumeClaim/test-harvester-mariadb',
        'Service/test-harvester-mariadb',
        'Deployment/test-harvester-mariadb',
      ].sort(),
    );
    expectValid(objs);
  });

  it('writes the Harvester configuration with ${VAR} references to the Secret', () => {
    const cm = find(objs, 'ConfigMap', 'test-harvester-configjson');
    const cfg = JSON.parse(cm.data['panda_harvester_configmap.json']);
    expect(Object.keys(cfg)).toEqual(['db', 'master', 'credmanager', 'payload_interaction', 'pandacon', 'frontend', 'qconf', 'cacher']);
    expect(cfg.db).toEqual({ engine: 'mariadb', useMySQLdb: true, schema: 'harvester', host: '${HARVESTER_DB_HOST}', password: '${MARIADB_PASSWORD}', verbose: true });
    expect(cfg.master).toEqual({ gname: 'zp', harvester_id: '${HARVESTER_ID}', uname: 'atlpan' });
    expect(cfg.pandacon).toMatchObject({ auth_type: 'oidc', ca_cert: false, pandaURL: '${PANDA_URL_SSL}', pandaURLSSL: '${PANDA_URL_SSL}' });
    expect(cfg.qconf).toEqual({ configFile: '/opt/harvester/etc/panda/panda_queueconfig.json', queueList: ['ALL'] });
    expect(cfg.cacher.data.map((d: string) => d.split('||')[0])).toEqual(['ddmendpoints_objectstores.json', 'panda_queues.json', 'agis_ddmendpoints.json']);
    expect(cfg.cacher.data.every((d: string) => d.split('||')[1]!.startsWith('https://datalake-cric.cern.ch/api/atlas/'))).toBe(true);
  });

  it('holds both experiments\' queue configurations', () => {
    const data = find(objs, 'ConfigMap', 'test-harvester-queueconfig').data;
    expect(Object.keys(data).sort()).toEqual(['lsst.panda_queueconfig.json', 'sphenix.panda_queueconfig.json']);
    const lsst = JSON.parse(data['lsst.panda_queueconfig.json']);
    expect(Object.keys(lsst)).toEqual(['production.pull', 'production.push', 'production_k8s.pull', 'production_k8s.push', 'SLAC_TEST', 'CC-IN2P3_TEST', 'LANCS_TEST', 'QMUL_TEST']);
    expect(lsst.SLAC_TEST).toMatchObject({ templateQueueName: 'production.push', maxWorkers: 900, submitter: { templateFile: '/opt/harvester/sandbox/lsst.submit_pilot_slac.sdf' } });
    const sphenix = JSON.parse(data['sphenix.panda_queueconfig.json']);
    expect(sphenix.BNL_OSG_SPHENIX).toMatchObject({ maxWorkers: 10000, submitter: { x509UserProxy: '/data/harvester/sphenix.proxy' } });
  });

  it('B18: every sandbox file a HTCondor queue names is shipped (the sphenix template no longer points at CERN paths)', () => {
    const data = find(objs, 'ConfigMap', 'test-harvester-queueconfig').data;
    const shipped = new Set(Object.keys(find(objs, 'ConfigMap', 'test-harvester-sandbox').binaryData));
    for (const file of ['lsst.panda_queueconfig.json', 'sphenix.panda_queueconfig.json']) {
      for (const [queue, q] of Object.entries<any>(JSON.parse(data[file]))) {
        const s = q.submitter ?? {};
        if (s.name && s.name !== 'HTCondorSubmitter') continue; // K8s templates: files are site-provided
        for (const key of ['templateFile', 'executableFile']) {
          if (s[key] === undefined) continue;
          expect(s[key], `${file} ${queue}.${key}`).toMatch(/^\/opt\/harvester\/sandbox\//);
          expect(shipped.has(path.basename(s[key])), `${file} ${queue}.${key}`).toBe(true);
        }
      }
    }
  });

  it('ships the 13 sandbox files as binaryData, byte for byte', () => {
    const cm = find(objs, 'ConfigMap', 'test-harvester-sandbox');
    expect(Object.keys(cm.binaryData)).toEqual(SANDBOX_FILES);
    const dir = path.join(componentSandboxDir('harvester'), 'harvester');
    for (const f of SANDBOX_FILES) expect(Buffer.from(cm.binaryData[f], 'base64').equals(fs.readFileSync(path.join(dir, f))), f).toBe(true);
  });

  it('leaves the env ConfigMap empty without proxy or experiment', () => {
    expect(envData(objs)).toBeUndefined();
  });

  it('runs Harvester as upstream: image, hostname, envFrom order, mounts and the root start sequence', () => {
    const d = find(objs, 'Deployment', 'test-harvester');
    expect(d.spec.replicas).toBe(1);
    expect(d.spec.template.spec.hostname).toBe('test-harvester');
    const c = container(objs);
    expect(c.name).toBe('harvester');
    expect(c.image).toBe('ghcr.io/hsf/harvester:v0.2.14');
    expect(c.imagePullPolicy).toBe('Always');
    expect(c.securityContext).toEqual({});
    expect(c.envFrom).toEqual([{ configMapRef: { name: 'test-harvester-env' } }, { secretRef: { name: 'panda-secrets-harvester-envs' } }]);
    const vols = Object.fromEntries(d.spec.template.spec.volumes.map((v: any) => [v.name, v]));
    const mounts = Object.fromEntries(c.volumeMounts.map((m: any) => [m.mountPath, vols[m.name]]));
    expect(mounts).toEqual({
      '/var/log/panda/': { name: 'test-harvester-logs', persistentVolumeClaim: { claimName: 'test-harvester' } },
      '/opt/harvester/etc/configmap': { name: 'test-harvester-configjson', configMap: { name: 'test-harvester-configjson' } },
      '/opt/harvester/etc/queue_config_mount': { name: 'test-harvester-queueconfig', configMap: { name: 'test-harvester-queueconfig' } },
      '/opt/harvester/sandbox': { name: 'test-harvester-sandbox', configMap: { name: 'test-harvester-sandbox' } },
      '/opt/harvester/etc/cert': { name: 'test-harvester-certs', secret: { secretName: 'panda-secrets-harvester-certs' } },
    });
    expect(c.command).toEqual(['/bin/sh', '-c']);
    const script: string = c.args[0];
    expect(script).toMatch(/^until mysqladmin ping -h "\$\{HARVESTER_DB_HOST\}"/);
    expect(script).toContain('cp /opt/harvester/sandbox/* /data/harvester/');
    expect(script).toContain('chmod 777 /opt/harvester/etc/queue_config');
    expect(script).toContain('chmod -R 777 /var/log/panda; runuser -u atlpan -g zp -- /opt/harvester/etc/rc.d/init.d/run-harvester-services');
    expect(script).toMatch(/sleep infinity & wait$/);
  });

  it('stores logs and database on hostPath PVs bound by selector', () => {
    expect(find(objs, 'PersistentVolume', 'test-harvester').spec).toMatchObject({ storageClassName: 'manual', hostPath: { path: '/mnt/harvester-logs' } });
    expect(find(objs, 'PersistentVolume', 'test-harvester-mariadb').spec).toMatchObject({ storageClassName: 'manual', hostPath: { path: '/mnt/harvester-data' } });
    expect(find(objs, 'PersistentVolumeClaim', 'test-harvester').spec.selector.matchLabels).toEqual({ 'app.kubernetes.io/name': 'harvester', 'app.kubernetes.io/instance': 'test-harvester' });
    expect(find(objs, 'PersistentVolumeClaim', 'test-harvester-mariadb').spec.selector.matchLabels).toEqual({ 'app.kubernetes.io/name': 'mariadb', 'app.kubernetes.io/instance': 'test-harvester' });
  });

  it('B12: MariaDB runs a maintained image with the same env contract and keeps data where that image writes it', () => {
    const c = container(objs, 'test-harvester-mariadb');
    expect(c.image).toBe('mariadb:10.11');
    expect(c.imagePullPolicy).toBe('IfNotPresent');
    expect(c.envFrom).toEqual([{ secretRef: { name: 'panda-secrets-harvester-envs' } }]);
    expect(c.ports).toEqual([{ name: 'mariadb-port', containerPort: 3306, protocol: 'TCP' }]);
    expect(c.volumeMounts).toEqual([{ name: 'test-harvester-mariadb-data', mountPath: '/var/lib/mysql' }]);
    expect(c.readinessProbe).toMatchObject({ tcpSocket: { port: 'mariadb-port' } });
    const svc = find(objs, 'Service', 'test-harvester-mariadb');
    expect(svc.spec).toMatchObject({ type: 'ClusterIP', ports: [{ name: 'mariadb-port', port: 3306, targetPort: 'mariadb-port', protocol: 'TCP' }] });
    expect(svc.spec.selector).toEqual({ 'app.kubernetes.io/name': 'mariadb', 'app.kubernetes.io/instance': 'test-harvester' });
  });

  it('declares the Secrets each sub-component reads and starts Harvester after MariaDB', () => {
    expect(harvester.subs.map((s) => [s.name, s.secrets.map((r) => r.id), s.after ?? []])).toEqual([
      ['harvester', ['harvester-envs', 'harvester-certs'], ['mariadb']],
      ['mariadb', ['harvester-envs'], []],
    ]);
  });
});

describe('harvester proxies', () => {
  it('B1: a proxy without panda.host renders, and no_proxy names the stack\'s PanDA server', () => {
    const objs = renderComponent('harvester', { harvester: { httpProxy: 'http://squid:3128' } });
    expect(envData(objs)).toEqual({ http_proxy: 'http://squid:3128', no_proxy: 'localhost,test-harvester,test-panda-server' });
  });

  it('B5: https_proxy takes httpsProxy, not httpProxy', () => {
    const objs = renderComponent('harvester', { harvester: { httpProxy: 'http://a:3128', httpsProxy: 'http://b:3128' } });
    expect(envData(objs)).toMatchObject({ http_proxy: 'http://a:3128', https_proxy: 'http://b:3128' });
  });

  it('appends panda.host to a configured noProxy, and the PanDA server Service whatever the affix (B20)', () => {
    const objs = renderComponent('harvester', {
      harvester: { httpProxy: 'http://p:3128', noProxy: 'localhost,panda-dev-server', panda: { host: 'panda-dev-server:443' } },
    });
    expect(envData(objs)!.no_proxy).toBe('localhost,panda-dev-server,panda-dev-server:443,test-panda-server');
  });

  it('adds http-<panda.host> with an https-only proxy, as upstream', () => {
    const h = harvesterSchema.parse({ harvester: { httpsProxy: 'http://p:3128', panda: { host: 'srv.example.org' } } }).harvester;
    expect(harvesterNoProxy(h, 'test-harvester', 'test-panda-server')).toBe('localhost,test-harvester,srv.example.org,test-panda-server,http-srv.example.org');
    const none = harvesterSchema.parse({}).harvester;
    expect(harvesterNoProxy(none, 'test-harvester', 'test-panda-server')).toBeUndefined();
  });

  it('follows the affix for the names it adds', () => {
    const objs = renderComponent('harvester', { harvester: { httpProxy: 'http://p:3128' } }, '-dev');
    expect(find(objs, 'ConfigMap', 'harvester-dev-env').data.no_proxy).toBe('localhost,harvester-dev,panda-dev-server');
  });
});

describe('harvester options', () => {
  it('B6: experiment sets EXPERIMENT in the env ConfigMap, which is envFrom\'d before the Secret', () => {
    const objs = renderComponent('harvester', { harvester: { experiment: 'lsst' } });
    expect(envData(objs)).toEqual({ EXPERIMENT: 'lsst' });
    expect(container(objs).envFrom.map((e: any) => Object.keys(e)[0])).toEqual(['configMapRef', 'secretRef']);
  });

  it('noRoot: group 15678 merged with securityContext values, launcher run without runuser', () => {
    const objs = renderComponent('harvester', { harvester: { noRoot: true, securityContext: { runAsNonRoot: true } } });
    const c = container(objs);
    expect(c.securityContext).toEqual({ runAsGroup: 15678, runAsNonRoot: true });
    expect(c.args[0]).not.toContain('runuser');
    expect(c.args[0]).not.toContain('chmod -R 777 /var/log/panda');
    expect(c.args[0]).toContain('; /opt/harvester/etc/rc.d/init.d/run-harvester-services; sleep infinity & wait');
    expect(startCommand(false)).toContain('runuser -u atlpan -g zp --');
    expectValid(objs);
  });

  it('autoStart false leaves the image command alone', () => {
    const c = container(renderComponent('harvester', { harvester: { autoStart: false } }));
    expect(c.command).toBeUndefined();
    expect(c.args).toBeUndefined();
  });

  it('create false and selector false claim from a StorageClass', () => {
    const pv = { create: false, selector: false, class: 'nas' };
    const objs = renderComponent('harvester', { harvester: { persistentvolume: pv }, mariadb: { persistentvolume: pv } });
    expect(objs.filter((o) => o.kind === 'PersistentVolume')).toEqual([]);
    for (const n of ['test-harvester', 'test-harvester-mariadb']) {
      const spec = find(objs, 'PersistentVolumeClaim', n).spec;
      expect(spec.storageClassName).toBe('nas');
      expect(spec.selector).toBeUndefined();
    }
  });

  it('external database: mariadb.enabled false renders Harvester alone', () => {
    const objs = renderComponent('harvester', { mariadb: { enabled: false } });
    expect(names(objs).filter((n) => n.includes('mariadb'))).toEqual([]);
    expect(names(objs)).toContain('Deployment/test-harvester');
    expect(names(renderComponent('harvester', { harvester: { enabled: false } })).sort()).toEqual([
      'Deployment/test-harvester-mariadb',
      'PersistentVolume/test-harvester-mariadb',
      'PersistentVolumeClaim/test-harvester-mariadb',
      'Service/test-harvester-mariadb',
    ]);
  });

  it('autoscales Harvester with autoscaling/v2 (B24) but never the database', () => {
    const objs = renderComponent('harvester', {
      harvester: { autoscaling: { enabled: true, maxReplicas: 3 } },
      mariadb: { autoscaling: { enabled: true } },
    });
    const hpas = objs.filter((o) => o.kind === 'HorizontalPodAutoscaler');
    expect(hpas.map((h) => [h.apiVersion, h.metadata.name])).toEqual([['autoscaling/v2', 'test-harvester']]);
    expect(find(objs, 'Deployment', 'test-harvester').spec.replicas).toBeUndefined();
    expect(find(objs, 'Deployment', 'test-harvester-mariadb').spec.replicas).toBe(1);
    expectValid(objs);
  });

  it('mariadb image, data path and Service port are options', () => {
    const objs = renderComponent('harvester', {
      mariadb: { image: { repository: 'registry.example.org/mariadb', tag: '10.11' }, dataPath: '/bitnami/mariadb', service: { port: 13306 } },
    });
    const c = container(objs, 'test-harvester-mariadb');
    expect(c.image).toBe('registry.example.org/mariadb:10.11');
    expect(c.volumeMounts[0].mountPath).toBe('/bitnami/mariadb');
    expect(find(objs, 'Service', 'test-harvester-mariadb').spec.ports[0].port).toBe(13306);
  });

  it('fullnameOverride, serviceAccount and pod placement pass through', () => {
    const objs = renderComponent('harvester', {
      harvester: { fullnameOverride: 'hv', serviceAccount: { create: true }, nodeSelector: { role: 'grid' }, podAnnotations: { a: 'b' } },
    });
    expect(names(objs)).toEqual(expect.arrayContaining(['ConfigMap/hv-env', 'ServiceAccount/hv', 'Deployment/hv', 'PersistentVolumeClaim/hv']));
    const d = find(objs, 'Deployment', 'hv');
    expect(d.spec.template.spec).toMatchObject({ serviceAccountName: 'hv', nodeSelector: { role: 'grid' }, hostname: 'test-harvester' });
    expect(d.spec.template.metadata.annotations).toEqual({ a: 'b' });
    expectValid(objs);
  });

  it('refuses unknown keys but accepts the keys upstream files carry', () => {
    expect(() => harvesterSchema.parse({ harvester: { noRot: true } })).toThrow();
    const upstream = {
      harvester: {
        enabled: true,
        replicaCount: 1,
        image: { repository: 'ghcr.io/hsf/harvester', pullPolicy: 'Always', tag: 'v0.2.14' },
        autoStart: true,
        experiment: '',
        httpProxy: '',
        httpsProxy: '',
        noRoot: false,
        persistentvolume: { create: true, class: 'manual', path: '/mnt/harvester-logs', size: '5Gi', selector: true },
        imagePullSecrets: [],
        nameOverride: '',
        fullnameOverride: '',
        serviceAccount: { create: false, annotations: {}, name: '' },
        podAnnotations: {},
        podSecurityContext: {},
        securityContext: {},
        resources: {},
        autoscaling: { enabled: false, minReplicas: 1, maxReplicas: 100, targetCPUUtilizationPercentage: 80 },
        nodeSelector: {},
        tolerations: [],
        affinity: {},
        panda: { host: 'panda-dev-server:443' },
        pilotcerts: { enabled: true },
      },
      mariadb: {
        enabled: true,
        replicaCount: 1,
        image: { repository: 'bitnami/mariadb', pullPolicy: 'IfNotPresent', tag: 'latest' },
        persistentvolume: { create: true, class: 'manual', path: '/mnt/harvester-data', size: '5Gi', selector: true },
        imagePullSecrets: [],
        nameOverride: '',
        fullnameOverride: '',
        serviceAccount: { create: false, annotations: {}, name: '' },
        podAnnotations: {},
        podSecurityContext: {},
        securityContext: {},
        service: { type: 'ClusterIP', port: 3306 },
        resources: {},
        autoscaling: { enabled: false, minReplicas: 1, maxReplicas: 100, targetCPUUtilizationPercentage: 80 },
        nodeSelector: {},
        tolerations: [],
        affinity: {},
      },
    };
    expect(() => harvesterSchema.parse(upstream)).not.toThrow();
  });
});

describe('harvester experiments', () => {
  const overlay = (exp: string) => parseYaml(fs.readFileSync(path.join(BUILTIN_EXPERIMENTS, exp, 'harvester.yaml'), 'utf8'));

  it('lsst: StorageClass claims, SLAC squid, experiment lsst', () => {
    const objs = renderComponent('harvester', overlay('lsst'));
    expect(objs.filter((o) => o.kind === 'PersistentVolume')).toEqual([]);
    expect(find(objs, 'PersistentVolumeClaim', 'test-harvester').spec.storageClassName).toBe('wekafs--sdf-k8s01');
    expect(envData(objs)).toEqual({
      http_proxy: 'http://atlsquid.slac.stanford.edu:3128',
      https_proxy: 'http://atlsquid.slac.stanford.edu:3128',
      no_proxy: 'localhost,idds-dev-rest,panda-dev-server,panda-dev-server:443,test-panda-server',
      EXPERIMENT: 'lsst',
    });
    expectValid(objs);
  });

  it('sphenix renders (B1) with noRoot and the nas StorageClass', () => {
    const objs = renderComponent('harvester', overlay('sphenix'));
    expect(objs).toHaveLength(9);
    expect(container(objs).securityContext).toEqual({ runAsGroup: 15678 });
    expect(envData(objs)).toEqual({
      http_proxy: 'http://proxy.sdcc.bnl.local:3128',
      https_proxy: 'http://proxy.sdcc.bnl.local:3128',
      no_proxy: 'localhost,test-harvester,test-panda-server',
      EXPERIMENT: 'sphenix',
    });
    expect(find(objs, 'PersistentVolumeClaim', 'test-harvester-mariadb').spec.storageClassName).toBe('nas');
    expectValid(objs);
  });

  it('-e sphenix through the stack render', () => {
    const objs = renderTemplate({ experiment: 'sphenix', enable: ['harvester'] });
    expect(names(objs)).toContain('Deployment/test-harvester');
  });

  it('loads an upstream per-chart values file unchanged (global block included)', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'harvester-values-'));
    const file = path.join(dir, 'values.yaml');
    fs.writeFileSync(
      file,
      [
        'global:',
        '  secret: "panda-secrets"',
        'harvester:',
        '  enabled: true',
        '  image:',
        '    tag: "v0.2.14"',
        '  experiment: ""',
        'mariadb:',
        '  enabled: true',
        '',
      ].join('\n'),
    );
    expect(names(renderTemplate({ files: [`harvester=${file}`], enable: ['harvester'] }))).toContain('Deployment/test-harvester-mariadb');
  });
});

describe('harvester sandbox', () => {
  it('an operator\'s --sandbox-dir replaces a built-in file and adds new ones', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'harvester-sandbox-'));
    fs.mkdirSync(path.join(dir, 'harvester', 'harvester'), { recursive: true });
    fs.mkdirSync(path.join(dir, 'harvester', 'queueconfig'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'harvester', 'harvester', 'lsst.runpilot2-wrapper.sh'), '#!/bin/bash\necho site wrapper\n');
    fs.writeFileSync(path.join(dir, 'harvester', 'queueconfig', 'atlas.panda_queueconfig.json'), '{"Q": {"queueStatus": "online"}}');
    const sets = loadSandbox('harvester', [dir]);
    const ctx = { ...testContext('harvester'), sandbox: (s: string) => sets.get(s) ?? new Map() };
    const objs = harvester.render(harvesterSchema.parse({}), ctx);
    const sandbox = find(objs, 'ConfigMap', 'test-harvester-sandbox').binaryData;
    expect(Buffer.from(sandbox['lsst.runpilot2-wrapper.sh'], 'base64').toString()).toContain('site wrapper');
    expect(Object.keys(sandbox)).toHaveLength(13);
    expect(Object.keys(find(objs, 'ConfigMap', 'test-harvester-queueconfig').data)).toEqual([
      'atlas.panda_queueconfig.json',
      'lsst.panda_queueconfig.json',
      'sphenix.panda_queueconfig.json',
    ]);
  });

  it('rejects a queue configuration that is not JSON', () => {
    const files = new Map([['bad.panda_queueconfig.json', Buffer.from('{"Q": ')]]);
    expect(() => queueConfigData(files)).toThrow(PandaError);
    try {
      queueConfigData(files);
    } catch (e) {
      expect((e as PandaError).issues[0]!.where).toBe('sandbox harvester/queueconfig/bad.panda_queueconfig.json');
    }
  });

  const dir = path.join(componentSandboxDir('harvester'), 'harvester');
  const scripts = SANDBOX_FILES.filter((f) => !f.endsWith('.sdf') && f !== 'condor_config.local');

  it.each(scripts)('%s is a bash script with valid syntax', (f) => {
    const text = fs.readFileSync(path.join(dir, f), 'utf8');
    expect(text.startsWith('#!/bin/bash\n')).toBe(true);
    const r = spawnSync('bash', ['-n', path.join(dir, f)], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it('submit templates fill with Harvester\'s placeholders and keep the log/output/error lines it parses', () => {
    const placeholders = new Set([
      'executableFile', 'nCoreTotal', 'requestRam', 'requestRamPerCore', 'accessPoint', 'harvesterID', 'workerID', 'computingSite',
      'pandaQueueName', 'x509UserProxy', 'ceEndpoint', 'ceQueueName', 'logDir', 'logSubdir', 'gtag', 'prodSourceLabel', 'pilotType',
      'pilotResourceTypeOption', 'ceARCGridType',
    ]);
    for (const f of SANDBOX_FILES.filter((x) => x.endsWith('.sdf'))) {
      const body = fs.readFileSync(path.join(dir, f), 'utf8').split('\n').filter((l) => !l.startsWith('#')).join('\n');
      const used = [...body.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);
      for (const p of used) expect(placeholders.has(p), `${f}: {${p}}`).toBe(true);
      expect(body.replace(/\{\w+\}/g, '')).not.toMatch(/[{}]/);
      for (const k of ['log', 'output', 'error']) expect(body, `${f}: ${k}`).toMatch(new RegExp(`^${k} = .+`, 'm'));
      expect(body).toMatch(/^executable = \{executableFile\}$/m);
    }
    const lsst = fs.readFileSync(path.join(dir, 'lsst.submit_pilot.sdf'), 'utf8');
    expect(lsst).toContain('--pilot-user rubin');
    expect(lsst).not.toContain('sphenix');
  });

  const haveTools = ['curl', 'python3', 'tar'].every((t) => spawnSync('sh', ['-c', `command -v ${t}`]).status === 0);
  it.skipIf(!haveTools)('the pilot wrapper fetches the pilot, passes options through unchanged (B18) and returns its exit code', () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pilot-wrapper-'));
    fs.mkdirSync(path.join(tmp, 'src', 'pilot3'), { recursive: true });
    fs.writeFileSync(path.join(tmp, 'src', 'pilot3', 'pilot.py'), 'import sys\nprint("ARGS=" + " ".join(sys.argv[1:]))\nsys.exit(3)\n');
    spawnSync('tar', ['-czf', path.join(tmp, 'pilot.tar.gz'), '-C', path.join(tmp, 'src'), 'pilot3']);
    for (const wrapper of ['lsst.runpilot2-wrapper.sh', 'sphenix.runpilot2-wrapper.sh']) {
      const r = spawnSync(
        'bash',
        [path.join(dir, wrapper), '-q', 'SLAC_TEST', '--piloturl', `file://${tmp}/pilot.tar.gz`, '--pythonversion', '3', '--localpy', '--pilot-user', 'rubin'],
        { encoding: 'utf8', env: { ...process.env, TMPDIR: tmp }, cwd: tmp },
      );
      expect(r.status, r.stdout + r.stderr).toBe(3);
      expect(r.stdout).toContain('ARGS=-q SLAC_TEST --pilot-user rubin\n');
      expect(fs.readdirSync(tmp).filter((n) => n.startsWith('pilot.') && n !== 'pilot.tar.gz')).toEqual([]);
    }
  });
});
