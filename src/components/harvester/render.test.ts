import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { PandaError } from '../../core/errors.js';
import { checkConfigMapSize, configMapBytes, MAX_CONFIGMAP_BYTES, type K8sObject } from '../../core/k8s.js';
import { BUILTIN_EXPERIMENTS, componentSandboxDir } from '../../core/paths.js';
import { loadSandbox } from '../../render/sandbox.js';
import { renderFromOptions } from '../../render/inputs.js';
import { container, find, headChart, HEAD_TREE, kindNames, mountSources, objectSet, podSpec, renderComponent, renderTemplate, sortedKindNames, testContext, validationErrors } from '../../render/testing.js';
import { harvester } from './component.js';
import { harvesterNoProxy, queueConfigData, startCommand } from './render.js';
import { harvesterSchema } from './values.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
/** The harvester StatefulSet (or the MariaDB one). */
const sts = (objs: readonly K8sObject[], name = 'test-harvester') => find(objs, 'StatefulSet', name);
const envData = (objs: readonly K8sObject[]): Record<string, string> | undefined => find(objs, 'ConfigMap', 'test-harvester-env').data;

const SANDBOX_FILES = [
  'condor_config.local',
  'health_monitor.sh',
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

const haveCheckout = fs.existsSync(headChart('harvester'));
describe('harvester defaults', () => {
  const objs = renderComponent('harvester');

  it('renders HEAD\'s object set, all valid Kubernetes', () => {
    expect(sortedKindNames(objs)).toEqual(
      objectSet('test-harvester', {
        ConfigMap: ['-configjson', '-queueconfig', '-env', '-sandbox', '-mariadb-custom'],
        PersistentVolume: ['', '-wdirs', '-condor-logs', '-mariadb'],
        PersistentVolumeClaim: ['', '-wdirs', '-condor-logs', '-mariadb'],
        Service: ['', '-mariadb'],
        StatefulSet: ['', '-mariadb'],
      }),
    );
    expect(validationErrors(objs)).toEqual([]);
  });

  it('writes HEAD\'s Harvester configuration with ${VAR} references and the stack\'s PanDA server as token audience', () => {
    const cm = find(objs, 'ConfigMap', 'test-harvester-configjson');
    const cfg = JSON.parse(cm.data['panda_harvester_configmap.json']);
    expect(Object.keys(cfg)).toEqual([
      'db', 'master', 'communicator', 'payload_interaction', 'pandacon', 'apfmon', 'frontend', 'jobfetcher', 'propagator', 'preparator',
      'submitter', 'monitor', 'stager', 'watcher', 'service_monitor', 'qconf', 'cacher', 'credmanager',
    ]);
    expect(cfg.db).toMatchObject({ engine: 'mariadb', schema: '${MARIADB_DATABASE}', host: '${HARVESTER_DB_HOST}', password: '${MARIADB_PASSWORD}' });
    expect(cfg.master).toEqual({ gname: 'zp', harvester_id: '${HARVESTER_ID}', uname: 'atlpan' });
    expect(cfg.pandacon).toMatchObject({ pandaURL: '${PANDA_URL_SSL}', server_api_url_ssl: '${PANDA_API_URL_SSL}' });
    expect(cfg.cacher.data).toContain('panda_queues.json||$HARVESTER_CRIC_SCHEDCONFIG');
    expect(cfg.credmanager.pluginConfigs[0].configs['panda-internal'].target_list).toEqual(['https://test-panda-server:443']);
    expect(JSON.stringify(cfg)).not.toContain('cern.ch');
  });

  it('holds the built-in queue configurations', () => {
    const data = find(objs, 'ConfigMap', 'test-harvester-queueconfig').data;
    expect(Object.keys(data).sort()).toEqual(['lsst.panda_queueconfig.json', 'sphenix.panda_queueconfig.json']);
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

  it('ships the built-in sandbox files as binaryData, byte for byte, with the health monitor', () => {
    const cm = find(objs, 'ConfigMap', 'test-harvester-sandbox');
    expect(Object.keys(cm.binaryData)).toEqual(SANDBOX_FILES);
    const dir = path.join(componentSandboxDir('harvester'), 'harvester');
    for (const f of SANDBOX_FILES) expect(Buffer.from(cm.binaryData[f], 'base64').equals(fs.readFileSync(path.join(dir, f))), f).toBe(true);
    const crons = fs.readFileSync(path.join(dir, 'run-harvester-crons'), 'utf8');
    expect(crons).toContain('health_monitor.sh');
    expect(fs.readFileSync(path.join(dir, 'health_monitor.sh'), 'utf8')).toContain('/var/log/panda/harvester_healthy');
  });

  it('leaves the env ConfigMap empty without proxy, experiment or special mount', () => {
    expect(envData(objs)).toBeUndefined();
  });

  it('runs Harvester as a StatefulSet as at HEAD: image, ports, probe, env, envFrom order, mounts', () => {
    const s = find(objs, 'StatefulSet', 'test-harvester');
    expect(s.spec).toMatchObject({
      replicas: 1,
      serviceName: 'test-harvester',
      persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Retain' },
      updateStrategy: { type: 'RollingUpdate' },
    });
    expect(s.spec.volumeClaimTemplates).toBeUndefined();
    expect(podSpec(s).hostname).toBe('test-harvester');
    const c = container(sts(objs));
    expect(c.image).toBe('ghcr.io/hsf/harvester:v0.6.5');
    expect(c.imagePullPolicy).toBe('Always');
    expect(c.ports).toEqual([
      { name: 'http', containerPort: 8080, protocol: 'TCP' },
      { name: 'https', containerPort: 8443, protocol: 'TCP' },
    ]);
    expect(c.livenessProbe).toEqual({ exec: { command: ['cat', '/var/log/panda/harvester_healthy'] }, initialDelaySeconds: 1800, periodSeconds: 600 });
    expect(c.resources).toEqual({
      limits: { cpu: '4000m', memory: '16Gi', 'ephemeral-storage': '50Gi' },
      requests: { cpu: '4000m', memory: '16Gi', 'ephemeral-storage': '30Gi' },
    });
    expect(c.envFrom).toEqual([{ configMapRef: { name: 'test-harvester-env' } }, { secretRef: { name: 'panda-secrets-harvester-envs' } }]);
    expect(c.env).toEqual([
      { name: 'HARVESTER_ID', value: 'test-harvester' },
      { name: 'HARVESTER_DB_HOST', value: 'test-harvester-mariadb' },
    ]);
    expect(mountSources(sts(objs))).toEqual({
      '/var/log/panda/': 'pvc:test-harvester',
      '/var/log/harvester_wdirs/': 'pvc:test-harvester-wdirs',
      '/var/log/condor_logs/': 'pvc:test-harvester-condor-logs',
      '/opt/harvester/etc/configmap': 'cm:test-harvester-configjson',
      '/opt/harvester/etc/queue_config_mount': 'cm:test-harvester-queueconfig',
      '/opt/harvester/sandbox': 'cm:test-harvester-sandbox',
      '/opt/harvester/etc/auth': 'secret:panda-secrets-harvester-auth',
      '/var/cric': 'secret:panda-secrets-cric-jsons',
      '/opt/harvester/etc/certs': 'secret:panda-secrets-harvester-certs',
      '/tmp': 'emptyDir',
    });
    const cric = podSpec(s).volumes.find((v: any) => v.name === 'test-harvester-cric-jsons-volume');
    expect(cric.secret.optional).toBe(true);
  });

  it('start sequence: waits for MariaDB without the password on the command line, links the condor logs into httpd, runs the launcher as atlpan', () => {
    const script: string = container(sts(objs)).args[0];
    expect(script).toMatch(/^if \[ "\$\{HARVESTER_DB_HOST\}" != "localhost" \]; then until MYSQL_PWD="\$\{MARIADB_PASSWORD\}" mysqladmin ping/);
    expect(script).not.toContain('-p${MARIADB_PASSWORD}');
    expect(script).toContain('cp /opt/harvester/sandbox/* /data/harvester/');
    expect(script).toContain('chmod -R 777 /var/log/panda /var/log/harvester_wdirs /var/log/condor_logs');
    expect(script).toContain('ln -sfn /var/log/condor_logs /var/www/html/condor_logs');
    // an unset SPECIAL_LOG_MOUNT_POINT must not pass the directory test (upstream's `[ -d ${X} ]` does)
    expect(script).toContain('[ -n "${SPECIAL_LOG_MOUNT_POINT:-}" ] && [ -d "${SPECIAL_LOG_MOUNT_POINT}" ]');
    expect(script).toContain('runuser -u atlpan -g zp -- /opt/harvester/etc/rc.d/init.d/run-harvester-services');
    expect(script).toMatch(/sleep infinity & wait$/);
    const r = spawnSync('sh', ['-n', '-c', script]);
    expect(r.status).toBe(0);
  });

  it('the Service maps 80/443 to the container\'s http/https ports', () => {
    const svc = find(objs, 'Service', 'test-harvester');
    expect(svc.spec.ports).toEqual([
      { name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' },
      { name: 'https', port: 443, targetPort: 'https', protocol: 'TCP' },
    ]);
    expect(svc.spec.selector).toEqual({ 'app.kubernetes.io/name': 'harvester', 'app.kubernetes.io/instance': 'test-harvester' });
  });

  it('hostPath PVs: Retain for Harvester\'s, Delete for the database; wdirs and condor logs bound by their own labels', () => {
    expect(find(objs, 'PersistentVolume', 'test-harvester').spec).toMatchObject({ persistentVolumeReclaimPolicy: 'Retain', hostPath: { path: '/mnt/harvester-logs' } });
    expect(find(objs, 'PersistentVolume', 'test-harvester-wdirs').spec).toMatchObject({ persistentVolumeReclaimPolicy: 'Retain', hostPath: { path: '/mnt/harvester-logs' } });
    expect(find(objs, 'PersistentVolume', 'test-harvester-condor-logs').spec).toMatchObject({ persistentVolumeReclaimPolicy: 'Retain', hostPath: { path: '/mnt/harvester-condor-logs' } });
    expect(find(objs, 'PersistentVolume', 'test-harvester-mariadb').spec).toMatchObject({ persistentVolumeReclaimPolicy: 'Delete', hostPath: { path: '/mnt/harvester-data' } });
    for (const [claim, label] of [['test-harvester-wdirs', 'harvester-wdirs'], ['test-harvester-condor-logs', 'harvester-condor-logs'], ['test-harvester-mariadb', 'mariadb']] as const) {
      expect(find(objs, 'PersistentVolumeClaim', claim).spec.selector.matchLabels).toEqual({ 'app.kubernetes.io/name': label, 'app.kubernetes.io/instance': 'test-harvester' });
      expect(find(objs, 'PersistentVolume', claim).metadata.labels['app.kubernetes.io/name']).toBe(label);
    }
  });

  it('MariaDB as at HEAD: StatefulSet, data at both image paths, initdb Secret, custom config mounted as a file', () => {
    const s = find(objs, 'StatefulSet', 'test-harvester-mariadb');
    expect(s.spec.serviceName).toBe('test-harvester-mariadb');
    const c = container(sts(objs, 'test-harvester-mariadb'));
    expect(c.image).toBe('bitnami/mariadb:latest');
    expect(c.envFrom).toEqual([{ secretRef: { name: 'panda-secrets-harvester-envs' } }]);
    expect(c.env).toEqual([{ name: 'MARIADB_EXTRA_FLAGS', value: '--innodb_snapshot_isolation=0' }]);
    expect(mountSources(sts(objs, 'test-harvester-mariadb'))).toEqual({
      '/var/lib/mysql': 'pvc:test-harvester-mariadb',
      '/bitnami/mariadb': 'pvc:test-harvester-mariadb',
      '/docker-entrypoint-initdb.d': 'secret:panda-secrets-harvester-initdb',
      '/opt/bitnami/mariadb/conf/my_custom.cnf': 'cm:test-harvester-mariadb-custom#my_custom.cnf',
    });
    expect(find(objs, 'ConfigMap', 'test-harvester-mariadb-custom').data).toEqual({ 'my_custom.cnf': '[mysqld]\nmax_allowed_packet=128M\ninnodb_buffer_pool_size=512M' });
  });

  it('declares the Secrets each sub-component reads and starts Harvester after MariaDB', () => {
    expect(harvester.subs.map((s) => [s.name, s.secrets.map((r) => r.id), s.after ?? []])).toEqual([
      ['harvester', ['harvester-envs', 'harvester-certs', 'harvester-auth'], ['mariadb']],
      ['mariadb', ['harvester-envs', 'harvester-initdb'], []],
    ]);
  });
});

describe('harvester storage', () => {
  it('without create or existingClaim, the logs are a volumeClaimTemplate (RWO) and wdirs/condor claims use their classes', () => {
    const objs = renderComponent('harvester', {
      harvester: {
        persistentvolume: { create: false, selector: false, class: 'weka', size: '300Gi' },
        persistentvolumewdir: { size: '3000Gi' },
        persistentvolumecondor: { create: false, selector: false, class: 'weka2' },
      },
    });
    expect(objs.filter((o) => o.kind === 'PersistentVolume' && !o.metadata.name.includes('mariadb'))).toEqual([]);
    expect(kindNames(objs)).not.toContain('PersistentVolumeClaim/test-harvester');
    const s = find(objs, 'StatefulSet', 'test-harvester');
    expect(s.spec.volumeClaimTemplates).toEqual([
      { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'test-harvester-logs' }, spec: { storageClassName: 'weka', accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '300Gi' } }, volumeMode: 'Filesystem' }, status: { phase: 'Pending' } },
    ]);
    expect(mountSources(sts(objs))['/var/log/panda/']).toBe('template:test-harvester-logs');
    // unset wdirs options follow the logs volume, as upstream
    expect(find(objs, 'PersistentVolumeClaim', 'test-harvester-wdirs').spec).toEqual({ storageClassName: 'weka', accessModes: ['ReadWriteMany'], resources: { requests: { storage: '3000Gi' } } });
    expect(find(objs, 'PersistentVolumeClaim', 'test-harvester-condor-logs').spec.storageClassName).toBe('weka2');
    expect(validationErrors(objs)).toEqual([]);
  });

  it('existing claims with subPaths; condor logs on the logs claim share its volume (cern)', () => {
    const objs = renderComponent('harvester', {
      harvester: {
        persistentvolume: { create: false, existingClaim: 'panda-shared-logs', subPath: 'harvester-logs' },
        persistentvolumecondor: { existingClaim: 'panda-shared-logs', subPath: 'condor_logs' },
        persistentvolumewdir: { existingClaim: 'site-wdirs', subPath: 'w' },
      },
      mariadb: { persistentvolume: { create: false, existingClaim: 'panda-shared-logs', subPath: 'mariadb-data' }, podSecurityContext: { fsGroup: 1001 } },
    });
    expect(objs.filter((o) => o.kind === 'PersistentVolume' || o.kind === 'PersistentVolumeClaim')).toEqual([]);
    expect(mountSources(sts(objs))).toMatchObject({
      '/var/log/panda/': 'pvc:panda-shared-logs#harvester-logs',
      '/var/log/condor_logs/': 'pvc:panda-shared-logs#condor_logs',
      '/var/log/harvester_wdirs/': 'pvc:site-wdirs#w',
    });
    const vols = podSpec(sts(objs)).volumes.map((v: any) => v.name);
    expect(vols).not.toContain('test-harvester-condor-logs');
    expect(mountSources(sts(objs, 'test-harvester-mariadb'))['/var/lib/mysql']).toBe('pvc:panda-shared-logs#mariadb-data');
    expect(podSpec(sts(objs, 'test-harvester-mariadb')).securityContext).toEqual({ fsGroup: 1001 });
    expect(validationErrors(objs)).toEqual([]);
  });

  it('creates the shared logs claim: dynamic from a StorageClass, or a static Manila CephFS share', () => {
    const dyn = renderComponent('harvester', { harvester: { sharedLogs: { create: true, name: 'panda-shared-logs', size: '200Gi', storageClass: 'manila-meyrin-cephfs' } } });
    expect(find(dyn, 'PersistentVolumeClaim', 'panda-shared-logs').spec).toEqual({ storageClassName: 'manila-meyrin-cephfs', accessModes: ['ReadWriteMany'], resources: { requests: { storage: '200Gi' } } });
    expect(kindNames(dyn)).not.toContain('PersistentVolume/panda-shared-logs');
    const stat = renderComponent('harvester', { harvester: { sharedLogs: { create: true, name: 'panda-shared-logs', size: '200Gi', shareID: 'sid', shareAccessID: 'aid' } } });
    const pv = find(stat, 'PersistentVolume', 'panda-shared-logs');
    expect(pv.spec).toMatchObject({
      storageClassName: 'manila-meyrin-cephfs',
      persistentVolumeReclaimPolicy: 'Retain',
      claimRef: { namespace: 'default', name: 'panda-shared-logs' },
      csi: { driver: 'cephfs.manila.csi.openstack.org', volumeHandle: 'sid', volumeAttributes: { shareID: 'sid', shareAccessID: 'aid', 'cephfs-mounter': 'fuse' } },
    });
    expect(find(stat, 'PersistentVolumeClaim', 'panda-shared-logs').spec.volumeName).toBe('panda-shared-logs');
    expect(validationErrors(stat)).toEqual([]);
    expect(() => renderComponent('harvester', { harvester: { sharedLogs: { create: true } } })).toThrow(/sharedLogs/);
  });

  it('the shared PV is reserved for the claim in the namespace the stack is installed in', () => {
    const r = renderFromOptions({ affix: 'test-', enable: ['harvester'], namespace: 'rubin', sets: ['harvester.harvester.sharedLogs.create=true', 'harvester.harvester.sharedLogs.name=panda-shared-logs', 'harvester.harvester.sharedLogs.shareID=sid'] });
    const pv = find(r.objects, 'PersistentVolume', 'panda-shared-logs');
    expect(pv.spec.claimRef).toEqual({ namespace: 'rubin', name: 'panda-shared-logs' });
    expect(pv.metadata.namespace).toBeUndefined();
  });

  it('special mount (lsst sdf-data-rubin): claim, mount and SPECIAL_* env', () => {
    const objs = renderComponent('harvester', { harvester: { persistentvolumespecial: { mount: true, class: 'sdf-data-rubin', logpath: '/mnt/harvester-data/jobs' } } });
    expect(find(objs, 'PersistentVolumeClaim', 'test-harvester-special-data').spec).toEqual({ storageClassName: 'sdf-data-rubin', accessModes: ['ReadWriteMany'], resources: { requests: { storage: '5Gi' } } });
    expect(mountSources(sts(objs))['/mnt/harvester-data']).toBe('pvc:test-harvester-special-data');
    expect(envData(objs)).toEqual({ SPECIAL_MOUNT_POINT: '/mnt/harvester-data', SPECIAL_LOG_MOUNT_POINT: '/mnt/harvester-data/jobs' });
  });

  it('CVMFS: one read-only CSI PV/PVC per repository, mounted at /cvmfs/<repository>', () => {
    const objs = renderComponent('harvester', { harvester: { cvmfs: { enabled: true, repositories: [{ name: 'atlas', repository: 'atlas.cern.ch' }] } } });
    expect(find(objs, 'PersistentVolume', 'test-harvester-cvmfs-atlas').spec).toMatchObject({
      storageClassName: 'cvmfs',
      accessModes: ['ReadOnlyMany'],
      csi: { driver: 'cvmfs.csi.cern.ch', volumeHandle: 'test-harvester-cvmfs-atlas', volumeAttributes: { repository: 'atlas.cern.ch' } },
    });
    expect(find(objs, 'PersistentVolumeClaim', 'test-harvester-cvmfs-atlas').spec.volumeName).toBe('test-harvester-cvmfs-atlas');
    expect(mountSources(sts(objs))['/cvmfs/atlas.cern.ch']).toBe('pvc:test-harvester-cvmfs-atlas');
    expect(validationErrors(objs)).toEqual([]);
    expect(kindNames(renderComponent('harvester', { harvester: { cvmfs: { enabled: false, repositories: [{ name: 'a', repository: 'a.cern.ch' }] } } }))).not.toContain('PersistentVolume/test-harvester-cvmfs-a');
  });
});

describe('harvester exposure', () => {
  it('Ingress for the condor logs on the HTTP port, TLS with the BigMon certificate as upstream', () => {
    const objs = renderComponent('harvester', {
      harvester: {
        ingress: {
          enabled: true,
          annotations: { 'kubernetes.io/ingress.class': 'nginx' },
          hosts: [{ hostOverride: 'bigpanda-tb.cern.ch', paths: [{ path: '/condor_logs', pathType: 'Prefix' }] }],
          tls: [{ hosts: [{ hostOverride: 'bigpanda-tb.cern.ch' }] }],
        },
      },
    });
    const ing = find(objs, 'Ingress', 'test-harvester');
    expect(ing.spec.rules).toEqual([
      { host: 'bigpanda-tb.cern.ch', http: { paths: [{ path: '/condor_logs', pathType: 'Prefix', backend: { service: { name: 'test-harvester', port: { number: 80 } } } }] } },
    ]);
    expect(ing.spec.tls).toEqual([{ hosts: ['bigpanda-tb.cern.ch'], secretName: 'panda-secrets-bigmon-tls-certs' }]);
    expect(ing.metadata.annotations).toEqual({ 'kubernetes.io/ingress.class': 'nginx' });
  });

  it('Route: /<harvester id> rewritten to /, to the stack\'s Harvester Service; a host is required', () => {
    const r = find(renderComponent('harvester', { harvester: { route: { enabled: true, hostName: 'sphenix-panda.apps.example.org' } } }), 'Route', 'test-harvester-route');
    expect(r.spec).toMatchObject({ host: 'sphenix-panda.apps.example.org', path: '/test-harvester', to: { kind: 'Service', name: 'test-harvester' }, port: { targetPort: 'http' } });
    expect(r.metadata.annotations).toEqual({ 'haproxy.router.openshift.io/rewrite-target': '/' });
    expect(() => renderComponent('harvester', { harvester: { route: { enabled: true } } })).toThrow(/route.hostName/);
  });

  it('global.deploymentName: HARVESTER_ID and the Route path follow it; the database host and Service stay the stack\'s', () => {
    const ctx = { ...testContext('harvester'), deploymentName: 'SLAC_Harvester' };
    const objs = harvester.render(harvesterSchema.parse({ harvester: { route: { enabled: true, hostName: 'h.example.org' } } }), ctx);
    expect(container(sts(objs)).env).toEqual([
      { name: 'HARVESTER_ID', value: 'SLAC_Harvester' },
      { name: 'HARVESTER_DB_HOST', value: 'test-harvester-mariadb' },
    ]);
    expect(find(objs, 'Route', 'test-harvester-route').spec).toMatchObject({ path: '/SLAC_Harvester', to: { name: 'test-harvester' } });
    const stack = renderTemplate({ enable: ['harvester'], sets: ['global.deploymentName=test-harvester'] });
    expect(container(sts(stack)).env[0]).toEqual({ name: 'HARVESTER_ID', value: 'test-harvester' });
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
    expect(container(sts(objs)).envFrom.map((e: any) => Object.keys(e)[0])).toEqual(['configMapRef', 'secretRef']);
  });

  it('noRoot: group 15678 merged with securityContext values, launcher run without runuser', () => {
    const objs = renderComponent('harvester', { harvester: { noRoot: true, securityContext: { runAsNonRoot: true } } });
    const c = container(sts(objs));
    expect(c.securityContext).toEqual({ runAsGroup: 15678, runAsNonRoot: true });
    expect(c.args[0]).not.toContain('runuser');
    expect(c.args[0]).not.toContain('chmod -R 777 /var/log/panda');
    expect(c.args[0]).toContain('; /opt/harvester/etc/rc.d/init.d/run-harvester-services; sleep infinity & wait');
    expect(startCommand(false)).toContain('runuser -u atlpan -g zp --');
    expect(validationErrors(objs)).toEqual([]);
  });

  it('autoStart false leaves the image command alone', () => {
    const c = container(sts(renderComponent('harvester', { harvester: { autoStart: false } })));
    expect(c.command).toBeUndefined();
    expect(c.args).toBeUndefined();
  });

  it('create false and selector false claim from a StorageClass', () => {
    const pv = { create: false, selector: false, class: 'nas' };
    const objs = renderComponent('harvester', { harvester: { persistentvolume: pv, persistentvolumecondor: pv }, mariadb: { persistentvolume: pv } });
    expect(objs.filter((o) => o.kind === 'PersistentVolume')).toEqual([]);
    for (const n of ['test-harvester-wdirs', 'test-harvester-condor-logs', 'test-harvester-mariadb']) {
      const spec = find(objs, 'PersistentVolumeClaim', n).spec;
      expect(spec.storageClassName).toBe('nas');
      expect(spec.selector).toBeUndefined();
    }
  });

  it('external database: mariadb.enabled false renders Harvester alone, its DB host left to the Secret', () => {
    const objs = renderComponent('harvester', { mariadb: { enabled: false } });
    expect(kindNames(objs).filter((n) => n.includes('mariadb'))).toEqual([]);
    expect(kindNames(objs)).toContain('StatefulSet/test-harvester');
    // upstream overrides HARVESTER_DB_HOST with <deploymentName>-mariadb even then
    expect(container(sts(objs)).env).toEqual([{ name: 'HARVESTER_ID', value: 'test-harvester' }]);
    expect(container(sts(objs)).args[0]).toContain('mysqladmin ping');
    expect(sortedKindNames(renderComponent('harvester', { harvester: { enabled: false } }))).toEqual([
      'ConfigMap/test-harvester-mariadb-custom',
      'PersistentVolume/test-harvester-mariadb',
      'PersistentVolumeClaim/test-harvester-mariadb',
      'Service/test-harvester-mariadb',
      'StatefulSet/test-harvester-mariadb',
    ]);
  });

  it('autoscales Harvester with autoscaling/v2 (B24) but never the database', () => {
    const objs = renderComponent('harvester', {
      harvester: { autoscaling: { enabled: true, maxReplicas: 3 } },
      mariadb: { autoscaling: { enabled: true } },
    });
    const hpas = objs.filter((o) => o.kind === 'HorizontalPodAutoscaler');
    expect(hpas.map((h) => [h.apiVersion, h.metadata.name])).toEqual([['autoscaling/v2', 'test-harvester']]);
    expect((hpas[0] as any).spec.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'test-harvester' });
    expect(find(objs, 'StatefulSet', 'test-harvester').spec.replicas).toBeUndefined();
    expect(find(objs, 'StatefulSet', 'test-harvester-mariadb').spec.replicas).toBe(1);
    expect(validationErrors(objs)).toEqual([]);
  });

  it('mariadb image, custom configuration and Service port are options', () => {
    const objs = renderComponent('harvester', {
      mariadb: { image: { repository: 'registry.example.org/mariadb', tag: '10.11' }, customConfig: '[mysqld]\nmax_connections=500', service: { port: 13306 } },
    });
    const c = container(sts(objs, 'test-harvester-mariadb'));
    expect(c.image).toBe('registry.example.org/mariadb:10.11');
    expect(find(objs, 'ConfigMap', 'test-harvester-mariadb-custom').data['my_custom.cnf']).toBe('[mysqld]\nmax_connections=500');
    expect(find(objs, 'Service', 'test-harvester-mariadb').spec.ports[0].port).toBe(13306);
  });

  it('fullnameOverride, serviceAccount and pod placement pass through', () => {
    const objs = renderComponent('harvester', {
      harvester: { fullnameOverride: 'hv', serviceAccount: { create: true }, nodeSelector: { role: 'grid' }, podAnnotations: { a: 'b' } },
    });
    expect(kindNames(objs)).toEqual(expect.arrayContaining(['ConfigMap/hv-env', 'ServiceAccount/hv', 'StatefulSet/hv', 'PersistentVolumeClaim/hv', 'PersistentVolumeClaim/hv-wdirs', 'Service/hv']));
    const d = find(objs, 'StatefulSet', 'hv');
    expect(podSpec(d)).toMatchObject({ serviceAccountName: 'hv', nodeSelector: { role: 'grid' }, hostname: 'test-harvester' });
    expect(d.spec.template.metadata.annotations).toEqual({ a: 'b' });
    expect(validationErrors(objs)).toEqual([]);
  });

  it('refuses unknown keys but accepts the keys upstream files carry', () => {
    expect(() => harvesterSchema.parse({ harvester: { noRot: true } })).toThrow();
    // the keys Helm's chart scaffold puts in both sub-charts' values, as upstream's files carry them
    const scaffold = {
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
    };
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
        ...scaffold,
        panda: { host: 'panda-dev-server:443' },
        pilotcerts: { enabled: true },
      },
      mariadb: {
        enabled: true,
        replicaCount: 1,
        image: { repository: 'bitnami/mariadb', pullPolicy: 'IfNotPresent', tag: 'latest' },
        persistentvolume: { create: true, class: 'manual', path: '/mnt/harvester-data', size: '5Gi', selector: true },
        ...scaffold,
        service: { type: 'ClusterIP', port: 3306 },
      },
    };
    expect(() => harvesterSchema.parse(upstream)).not.toThrow();
  });
});

describe('harvester experiments', () => {
  const overlay = (exp: string) => parseYaml(fs.readFileSync(path.join(BUILTIN_EXPERIMENTS, exp, 'harvester.yaml'), 'utf8'));

  it('lsst: three replicas, per-pod log claims, weka claims, the sdf-data-rubin special mount, experiment lsst', () => {
    const objs = renderComponent('harvester', overlay('lsst'));
    expect(objs.filter((o) => o.kind === 'PersistentVolume')).toEqual([]);
    expect(kindNames(objs).filter((n) => n.startsWith('PersistentVolumeClaim')).sort()).toEqual(
      ['condor-logs', 'mariadb', 'special-data', 'wdirs'].map((claim) => `PersistentVolumeClaim/test-harvester-${claim}`),
    );
    const s = find(objs, 'StatefulSet', 'test-harvester');
    expect(s.spec.replicas).toBe(3);
    expect(s.spec.volumeClaimTemplates[0].spec.resources.requests.storage).toBe('300Gi');
    expect(find(objs, 'PersistentVolumeClaim', 'test-harvester-wdirs').spec).toMatchObject({ storageClassName: 'wekafs--sdf-k8s01', resources: { requests: { storage: '3000Gi' } } });
    expect(envData(objs)).toEqual({
      EXPERIMENT: 'lsst',
      SPECIAL_MOUNT_POINT: '/mnt/harvester-data',
      SPECIAL_LOG_MOUNT_POINT: '/mnt/harvester-data/panda_jobs/harvester_workdir_k8s/harvester_wdirs/SLAC_Harvester_S3DF',
    });
    expect(validationErrors(objs)).toEqual([]);
  });

  it('sphenix: noRoot, nas claims, a Route under the BigMon host; no proxies (HEAD moved them to the secrets)', () => {
    const objs = renderComponent('harvester', overlay('sphenix'));
    expect(container(sts(objs)).securityContext).toEqual({ runAsGroup: 15678 });
    expect(envData(objs)).toEqual({ EXPERIMENT: 'sphenix' });
    expect(find(objs, 'PersistentVolumeClaim', 'test-harvester-mariadb').spec.storageClassName).toBe('nas');
    expect(find(objs, 'Route', 'test-harvester-route').spec).toMatchObject({ host: 'sphenix-panda.apps.rcf.bnl.gov', path: '/test-harvester' });
    // upstream's overlay has hostName FIXME: a real install refuses it
    const r = renderFromOptions({ affix: 'test-', experiment: 'sphenix', enable: ['harvester'], sets: ['harvester.harvester.route.hostName=FIXME'] });
    expect(r.placeholders.map((i) => i.where)).toEqual(['Route/test-harvester-route spec.host']);
    expect(validationErrors(objs)).toEqual([]);
  });

  it('atlas_testbed: creates the shared Manila claim, condor logs on it, CVMFS, Ingress; MariaDB on the shared claim', () => {
    const objs = renderComponent('harvester', overlay('atlas_testbed'));
    expect(kindNames(objs)).toEqual(expect.arrayContaining([
      'PersistentVolume/panda-shared-logs',
      'PersistentVolumeClaim/panda-shared-logs',
      'PersistentVolume/test-harvester-cvmfs-atlas',
      'PersistentVolume/test-harvester-cvmfs-atlas-condb',
      'Ingress/test-harvester',
    ]));
    expect(mountSources(sts(objs))['/var/log/condor_logs/']).toBe('pvc:panda-shared-logs#condor_logs');
    expect(mountSources(sts(objs, 'test-harvester-mariadb'))['/var/lib/mysql']).toBe('pvc:panda-shared-logs#mariadb-data');
    expect(envData(objs)).toEqual({ EXPERIMENT: 'atlas' });
    expect(validationErrors(objs)).toEqual([]);
  });

  it('cern: logs, condor logs and MariaDB on sub-directories of the shared claim it creates, fsGroup 1001', () => {
    const objs = renderComponent('harvester', overlay('cern'));
    expect(kindNames(objs).filter((n) => n.startsWith('Persistent')).sort()).toEqual(['PersistentVolumeClaim/panda-shared-logs', 'PersistentVolumeClaim/test-harvester-wdirs']);
    expect(mountSources(sts(objs))).toMatchObject({ '/var/log/panda/': 'pvc:panda-shared-logs#harvester-logs', '/var/log/condor_logs/': 'pvc:panda-shared-logs#condor_logs' });
    expect(podSpec(sts(objs, 'test-harvester-mariadb')).securityContext).toEqual({ fsGroup: 1001 });
    expect(validationErrors(objs)).toEqual([]);
  });

  it('without --from, an experiment whose queue configuration is not built in is a missing payload, naming the file', () => {
    const r = renderFromOptions({ affix: 'test-', experiment: 'lsst-prod', enable: ['harvester'] });
    expect(r.missing).toHaveLength(1);
    expect(r.missing[0]!.message).toContain('lsst_prod.panda_queueconfig.json');
    expect(r.missing[0]!.fix).toMatch(/--from .*--sandbox-dir/);
    // the checkout path and the overlay path of the file, both spelled out
    expect(r.missing[0]!.fix).toContain('(helm/harvester/charts/harvester/queueconfig/lsst_prod.panda_queueconfig.json)');
    expect(r.missing[0]!.fix).toContain('DIR/harvester/queueconfig/lsst_prod.panda_queueconfig.json');
    expect(renderFromOptions({ affix: 'test-', experiment: 'lsst', enable: ['harvester'] }).missing).toEqual([]);
  });

  it.skipIf(!haveCheckout)('with --from, the checkout\'s sandbox, queue configurations and experiment configuration are used as upstream uses them', () => {
    const sets = loadSandbox('harvester', [], { from: HEAD_TREE, payloads: harvester.payloads! });
    const ctx = { ...testContext('harvester'), sandbox: (x: string) => sets.get(x) ?? new Map() };
    const objs = harvester.render(harvesterSchema.parse({ harvester: { experiment: 'atlas' } }), ctx);
    const chart = path.join(headChart('harvester'), 'charts', 'harvester');
    expect(Object.keys(find(objs, 'ConfigMap', 'test-harvester-sandbox').binaryData).sort()).toEqual(fs.readdirSync(path.join(chart, 'sandbox')).sort());
    expect(Object.keys(find(objs, 'ConfigMap', 'test-harvester-queueconfig').data).sort()).toEqual(fs.readdirSync(path.join(chart, 'queueconfig')).sort());
    expect(find(objs, 'ConfigMap', 'test-harvester-configjson').data['panda_harvester_configmap.json']).toBe(fs.readFileSync(path.join(chart, 'configmap', 'atlas.panda_harvester_configmap.json'), 'utf8'));
    const generic = harvester.render(harvesterSchema.parse({ harvester: { experiment: 'lsst' } }), ctx);
    expect(find(generic, 'ConfigMap', 'test-harvester-configjson').data['panda_harvester_configmap.json']).toBe(fs.readFileSync(path.join(chart, 'panda_harvester_configmap.json'), 'utf8'));
    // both large ConfigMaps stay under the API server's limit
    for (const n of ['test-harvester-sandbox', 'test-harvester-queueconfig']) expect(configMapBytes(find(objs, 'ConfigMap', n))).toBeLessThan(MAX_CONFIGMAP_BYTES);
  });

  it('a ConfigMap over the API server\'s limit is refused at render, naming it', () => {
    const big = new Map([['huge.bin', new Uint8Array(800 * 1024)]]);
    const ctx = { ...testContext('harvester'), sandbox: (x: string) => (x === 'harvester' ? big : new Map()) };
    expect(() => harvester.render(harvesterSchema.parse({}), ctx)).toThrow(PandaError);
    try {
      harvester.render(harvesterSchema.parse({}), ctx);
    } catch (e) {
      expect((e as PandaError).issues[0]!.where).toBe('ConfigMap/test-harvester-sandbox');
    }
    expect(() => checkConfigMapSize({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' }, data: { a: 'b' } })).not.toThrow();
  });

  it('-e sphenix through the stack render', () => {
    const objs = renderTemplate({ experiment: 'sphenix', enable: ['harvester'] });
    expect(kindNames(objs)).toContain('StatefulSet/test-harvester');
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
    expect(kindNames(renderTemplate({ files: [`harvester=${file}`], enable: ['harvester'] }))).toContain('StatefulSet/test-harvester-mariadb');
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
    expect(Object.keys(sandbox)).toHaveLength(SANDBOX_FILES.length);
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
