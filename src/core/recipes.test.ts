/** The shared recipes: pods and mounts, workloads, storage, CVMFS, databases and probes. */
/* eslint-disable @typescript-eslint/no-explicit-any */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { validationErrors } from '../render/testing.js';
import { cvmfsSchema, databaseFields, sharedStorageFields, storageSchema, workloadFields } from '../values/common.js';
import { database } from './database.js';
import { owner, type K8sObject, type Part } from './k8s.js';
import { Names, resolveAffix } from './names.js';
import { envFrom, mount, podVolumes, vol } from './pod.js';
import { probe, probeFrom } from './probes.js';
import { cvmfs, sharedClaim, storage } from './storage.js';
import { workload } from './workload.js';

const names = new Names('demo', resolveAffix('test-', undefined));
const part = (sub = 'web'): Part => ({ owner: owner('demo', names.release, sub), names: names.part(sub) });
const pod = z.strictObject(workloadFields({ repository: 'img', tag: '1', pullPolicy: 'IfNotPresent' }));
const wl = (v: unknown = {}) => pod.parse(v);
const stor = (v: unknown = {}) => storageSchema({ path: '/mnt/x' }, sharedStorageFields).parse(v);
const byKind = (objs: K8sObject[], kind: string): any => objs.find((o) => o.kind === kind);

describe('pods: mount(path, volume)', () => {
  it('collects the volumes from the mounts, named once by the names module, in first-mount order', () => {
    const logs = vol.claim('logs', 'c1');
    const p = podVolumes(names.part('web'), [
      { name: 'a', mounts: [mount('/logs', logs, { subPath: 'a' }), mount('/cfg', vol.configMap('cfg', 'cm'))] },
      { name: 'b', mounts: [mount('/logs', logs, { subPath: 'b', readOnly: true })] },
    ]);
    expect(p.volumes).toEqual([
      { name: 'test-demo-web-logs', persistentVolumeClaim: { claimName: 'c1' } },
      { name: 'test-demo-web-cfg', configMap: { name: 'cm' } },
    ]);
    expect(p.containers[1]!.volumeMounts).toEqual([{ name: 'test-demo-web-logs', mountPath: '/logs', subPath: 'b', readOnly: true }]);
  });
  it('refuses one volume name with two sources', () => {
    expect(() => podVolumes(names.part('web'), [{ name: 'a', mounts: [mount('/x', vol.claim('data', 'c1')), mount('/y', vol.claim('data', 'c2'))] }])).toThrow(
      /test-demo-web-data .* declared twice/,
    );
  });
  it('keeps the place of `mounts` among the container fields', () => {
    const p = podVolumes(names.part('web'), [{ name: 'a', ports: [], mounts: [mount('/x', vol.emptyDir('tmp'))], env: [] }]);
    expect(Object.keys(p.containers[0]!)).toEqual(['name', 'ports', 'volumeMounts', 'env']);
  });
});

describe('workloads', () => {
  it('a Deployment by default, with Recreate when asked; an HPA targets it', () => {
    const objs = workload(part(), { values: wl({ autoscaling: { enabled: true } }), strategy: 'Recreate', container: { name: 'c' } });
    const d = byKind(objs, 'Deployment');
    expect(d.spec.strategy).toEqual({ type: 'Recreate' });
    expect(d.spec.replicas).toBeUndefined();
    expect(byKind(objs, 'HorizontalPodAutoscaler').spec.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'test-demo-web' });
    expect(validationErrors(objs)).toEqual([]);
  });
  it('a StatefulSet from values, with serviceName and claim templates from its mounts', () => {
    const logs = storage(part(), stor({ create: false, size: '7Gi' }), { claimTemplate: true });
    expect(logs.objects).toEqual([]);
    const objs = workload(part(), { values: wl({ kind: 'StatefulSet', extraEnv: [{ name: 'X', value: '1' }] }), container: { name: 'c', env: [{ name: 'A', value: 'a' }], mounts: [logs.mount('/logs', 'logs')] } });
    const s = byKind(objs, 'StatefulSet');
    expect(s.spec.serviceName).toBe('test-demo-web');
    expect(s.spec.volumeClaimTemplates).toEqual([
      { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'test-demo-web-logs' }, spec: { storageClassName: 'manual', accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '7Gi' } }, volumeMode: 'Filesystem' }, status: { phase: 'Pending' } },
    ]);
    expect(s.spec.template.spec.volumes).toBeUndefined();
    expect(s.spec.template.spec.containers[0].env).toEqual([{ name: 'A', value: 'a' }, { name: 'X', value: '1' }]);
    expect(validationErrors(objs)).toEqual([]);
  });
  it('refuses claim templates on a Deployment', () => {
    const t = vol.claimTemplate('logs', { accessModes: ['ReadWriteOnce'], size: '1Gi' });
    expect(() => workload(part(), { values: wl(), container: { name: 'c', mounts: [mount('/l', t)] } })).toThrow(/need kind StatefulSet/);
  });
  it('passes tolerations, affinity and nodeSelector through', () => {
    const v = wl({ nodeSelector: { a: 'b' }, tolerations: [{ key: 'k', operator: 'Exists' }], affinity: { nodeAffinity: {} }, resources: { limits: { cpu: '1' } } });
    const spec = byKind(workload(part(), { values: v, container: { name: 'c' } }), 'Deployment').spec.template.spec;
    expect([spec.nodeSelector, spec.tolerations, spec.affinity, spec.containers[0].resources]).toEqual([
      { a: 'b' },
      [{ key: 'k', operator: 'Exists' }],
      { nodeAffinity: {} },
      { limits: { cpu: '1' } },
    ]);
  });
});

describe('storage', () => {
  it('a hostPath volume with reclaim policy, and a claim bound by selector only when both are created', () => {
    const s = storage(part(), stor({ reclaimPolicy: 'Delete' }));
    expect(s.objects.map((o) => o.kind)).toEqual(['PersistentVolume', 'PersistentVolumeClaim']);
    expect((s.objects[0] as any).spec.persistentVolumeReclaimPolicy).toBe('Delete');
    expect((s.objects[1] as any).spec.selector).toBeDefined();
    const dynamic = storage(part(), stor({ create: false, class: 'nas' }));
    expect(dynamic.objects.map((o) => o.kind)).toEqual(['PersistentVolumeClaim']);
    expect((dynamic.objects[0] as any).spec.selector).toBeUndefined();
    expect(validationErrors([...s.objects, ...dynamic.objects])).toEqual([]);
  });
  it('an existing or shared claim renders nothing and is mounted with subPath', () => {
    for (const v of [{ existingClaim: 'shared-logs', subPath: 'web' }, { create: false, sharedPvcName: 'shared-logs', subPath: 'web' }]) {
      const s = storage(part(), stor(v));
      expect(s.objects).toEqual([]);
      expect(s.claim).toBe('shared-logs');
      expect(podVolumes(names.part('web'), [{ name: 'c', mounts: [s.mount('/logs', 'logs')] }])).toMatchObject({
        volumes: [{ name: 'test-demo-web-logs', persistentVolumeClaim: { claimName: 'shared-logs' } }],
        containers: [{ volumeMounts: [{ mountPath: '/logs', subPath: 'web' }] }],
      });
    }
  });
  it('a shared claim is ReadWriteMany by default', () => {
    const c = sharedClaim(owner('demo', names.release, 'demo'), 'panda-shared-logs', { class: 'nfs', size: '10Gi' }) as any;
    expect(c.spec).toEqual({ storageClassName: 'nfs', accessModes: ['ReadWriteMany'], resources: { requests: { storage: '10Gi' } } });
  });
  it('CVMFS: a CSI volume and a claim per repository, mounted at /cvmfs/<repository>', () => {
    const v = cvmfsSchema.parse({ enabled: true, repositories: [{ name: 'atlas', repository: 'atlas.cern.ch' }] });
    const c = cvmfs(part(), v);
    const [pv, pvc] = c.objects as any[];
    expect(pv.metadata.name).toBe('test-demo-web-cvmfs-atlas');
    expect(pv.spec.csi).toEqual({ driver: 'cvmfs.csi.cern.ch', volumeHandle: 'test-demo-web-cvmfs-atlas', volumeAttributes: { repository: 'atlas.cern.ch' } });
    expect(pvc.spec.volumeName).toBe('test-demo-web-cvmfs-atlas');
    const p = podVolumes(names.part('web'), [{ name: 'c', mounts: c.mounts }]);
    expect(p.volumes).toEqual([{ name: 'cvmfs-atlas', persistentVolumeClaim: { claimName: 'test-demo-web-cvmfs-atlas', readOnly: true } }]);
    expect(p.containers[0]!.volumeMounts).toEqual([{ name: 'cvmfs-atlas', mountPath: '/cvmfs/atlas.cern.ch' }]);
    expect(cvmfs(part(), cvmfsSchema.parse({})).objects).toEqual([]);
    expect(validationErrors(c.objects)).toEqual([]);
  });
});

describe('the database recipe', () => {
  const slice = z.strictObject(databaseFields('PostgreSQL', { repository: 'postgres', tag: '16', pullPolicy: 'IfNotPresent' }, { path: '/mnt/db' }));
  it('storage, Service and one never-autoscaled pod with a readiness probe on the database port', () => {
    const v = slice.parse({ autoscaling: { enabled: true }, replicaCount: 1 });
    const objs = database(part('db'), { engine: 'postgres', values: v, dataPath: '/var/lib/postgresql/data', envFrom: [envFrom.secret('s')] });
    expect(objs.map((o) => o.kind)).toEqual(['PersistentVolume', 'PersistentVolumeClaim', 'Service', 'Deployment']);
    const c = byKind(objs, 'Deployment').spec.template.spec.containers[0];
    expect(c.readinessProbe).toEqual({ tcpSocket: { port: 'postgres-port' }, initialDelaySeconds: 5, periodSeconds: 10 });
    expect(c.ports).toEqual([{ name: 'postgres-port', containerPort: 5432, protocol: 'TCP' }]);
    expect(c.volumeMounts).toEqual([{ name: 'test-demo-db-data', mountPath: '/var/lib/postgresql/data' }]);
    expect(byKind(objs, 'Service').spec.ports[0]).toEqual({ name: 'postgres-port', port: 5432, targetPort: 'postgres-port', protocol: 'TCP' });
    expect(validationErrors(objs)).toEqual([]);
  });
  it('as a StatefulSet with per-pod claims when no volume is created', () => {
    const v = slice.parse({ kind: 'StatefulSet', persistentvolume: { create: false } });
    const objs = database(part('db'), { engine: 'mariadb', values: v, dataPath: '/var/lib/mysql', envFrom: [], storage: { claimTemplate: true } });
    expect(objs.map((o) => o.kind)).toEqual(['Service', 'StatefulSet']);
    expect(byKind(objs, 'StatefulSet').spec.volumeClaimTemplates[0].metadata.name).toBe('test-demo-db-data');
    expect(validationErrors(objs)).toEqual([]);
  });
});

describe('probes', () => {
  it('tcp, exec and http with the timing given', () => {
    expect(probe.tcp(8443, { initialDelaySeconds: 30, failureThreshold: 3 })).toEqual({ tcpSocket: { port: 8443 }, initialDelaySeconds: 30, failureThreshold: 3 });
    expect(probe.exec(['cat', '/x'], { periodSeconds: 600 })).toEqual({ exec: { command: ['cat', '/x'] }, periodSeconds: 600 });
    expect(probe.http('/health', 'http', { scheme: 'HTTPS' })).toEqual({ httpGet: { path: '/health', port: 'http', scheme: 'HTTPS' } });
    expect(probeFrom({ enabled: false, periodSeconds: 1 }, (t) => probe.tcp(1, t))).toBeUndefined();
    expect(probeFrom({ enabled: true, periodSeconds: 1 }, (t) => probe.tcp(1, t))).toEqual({ tcpSocket: { port: 1 }, periodSeconds: 1 });
  });
});
