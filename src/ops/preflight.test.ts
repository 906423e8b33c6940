/**
 * The checks before the first write, against the in-memory cluster: every problem in one error
 * (exit 2), each naming the object, what is missing and the fix; nothing applied.
 */
import { describe, expect, it } from 'vitest';
import { PandaError } from '../core/errors.js';
import type { K8sObject } from '../core/k8s.js';
import { refOf } from '../core/objects.js';
import type { Plan } from '../plan/plan.js';
import { preflight, secretsReadByPods, checkNamespace } from './preflight.js';
import { FakeClock, FakeCluster, type Script } from './testing.js';

const NS = 'ns';
const workload = (name: string, pod: Record<string, unknown>, extra: Record<string, unknown> = {}): K8sObject => ({
  apiVersion: 'apps/v1',
  kind: 'StatefulSet',
  metadata: { name, namespace: NS },
  spec: { selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image: 'x' }], ...pod } }, ...extra },
});
const claim = (name: string, spec: Record<string, unknown>): K8sObject => ({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name, namespace: NS }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, ...spec } });
const planOf = (objs: K8sObject[]): Plan => ({ namespace: NS, components: [], nodes: [{ id: 'panda/server', component: 'panda', sub: 'server', deps: [], apply: objs, await: objs.map((o) => refOf(o, NS)) }], waves: [] });

const server = workload('server', {
  imagePullSecrets: [{ name: 'regcred' }],
  containers: [
    {
      name: 'c',
      image: 'x',
      env: [
        { name: 'DB_PASS', valueFrom: { secretKeyRef: { name: 'panda-envs', key: 'PANDA_DB_PASSWORD' } } },
        { name: 'OPT', valueFrom: { secretKeyRef: { name: 'panda-envs', key: 'NOT_NEEDED', optional: true } } },
      ],
      envFrom: [{ secretRef: { name: 'panda-auth' } }],
    },
  ],
  volumes: [{ name: 'certs', secret: { secretName: 'panda-certs', items: [{ key: 'hostkey.pem', path: 'k' }] } }],
}, { volumeClaimTemplates: [{ metadata: { name: 'logs' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }] });

function setup(script: Script = {}) {
  const clock = new FakeClock(0);
  const kube = new FakeCluster(clock, script, NS);
  const run = (p: Plan) => clock.run(preflight(kube, p, 'panda-secrets').then(() => undefined, (e: unknown) => e as PandaError));
  return { clock, kube, run };
}
const secret = (name: string, data: Record<string, string>): K8sObject => ({ apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace: NS }, data });

describe('preflight', () => {
  it('finds every Secret and key the pods read, and only required ones', () => {
    const read = secretsReadByPods(planOf([server]));
    expect([...read.keys()].sort()).toEqual(['panda-auth', 'panda-certs', 'panda-envs']);
    expect([...read.get('panda-envs')!.keys.keys()]).toEqual(['PANDA_DB_PASSWORD']);
    expect([...read.get('panda-certs')!.keys.keys()]).toEqual(['hostkey.pem']);
  });

  it('reports all problems at once, each with the object and a fix, and applies nothing', async () => {
    const { kube, run } = setup({ unserved: (_a, k) => k === 'Route', denies: (verb, kind) => kind === 'StatefulSet' && verb !== 'get' });
    kube.put(secret('panda-envs', { OTHER: 'eA==' }));
    kube.put(secret('panda-certs', { 'hostkey.pem': 'eA==' }));
    kube.put({ apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: 'standard' } }); // not default
    kube.put({ apiVersion: 'networking.k8s.io/v1', kind: 'IngressClass', metadata: { name: 'traefik' } });
    kube.put({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'test-panda-recovery' } });
    const objs: K8sObject[] = [
      server,
      claim('data', { storageClassName: 'wekafs--sdf-k8s01' }),
      claim('site', { storageClassName: 'manual' }),
      { apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name: 'site' }, spec: { storageClassName: 'manual', capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce'], hostPath: { path: '/x' } } },
      { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name: 'server', namespace: NS }, spec: { ingressClassName: 'nginx' } },
      { apiVersion: 'route.openshift.io/v1', kind: 'Route', metadata: { name: 'server', namespace: NS }, spec: {} },
      { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'test-panda-recovery' }, rules: [] },
    ];
    const err = await run(planOf(objs));
    expect(err).toBeInstanceOf(PandaError);
    expect(err!.exitCode).toBe(2);
    expect(err!.message).toMatch(/nothing was applied/);
    const by = (where: string) => err!.issues.filter((i) => i.where === where);
    expect(by('Route/server')[0]).toMatchObject({ message: 'the cluster does not serve route.openshift.io/v1 Route', fix: expect.stringContaining('ingress') });
    expect(by('Secret/panda-auth')[0]).toMatchObject({ message: expect.stringMatching(/^missing in namespace ns; read by StatefulSet\/server/) });
    expect(by('Secret/panda-envs')[0]).toMatchObject({ message: 'has no key PANDA_DB_PASSWORD, which StatefulSet/server reads', fix: expect.stringContaining('secrets install') });
    expect(by('Secret/panda-certs')).toEqual([]);
    expect(by('Secret/regcred')[0]!.message).toMatch(/image pull Secret named by StatefulSet\/server does not exist/);
    expect(by('StorageClass/wekafs--sdf-k8s01')[0]).toMatchObject({ message: expect.stringContaining('named by PersistentVolumeClaim/data'), fix: expect.stringContaining('standard') });
    // claims of a class no StorageClass serves but a volume of the stack does: fine
    expect(err!.issues.some((i) => i.where.includes('manual'))).toBe(false);
    expect(by('StatefulSet/server volumeClaimTemplates logs')[0]!.message).toMatch(/no default StorageClass/);
    expect(by('Ingress/server')[0]).toMatchObject({ message: expect.stringContaining('no such IngressClass'), fix: expect.stringContaining('traefik') });
    expect(by('ClusterRole/test-panda-recovery')[0]!.message).toMatch(/not managed by panda-k8s/);
    expect(by('StatefulSet')[0]).toMatchObject({ message: 'you may not create, patch apps/v1 StatefulSet in namespace ns (e.g. StatefulSet/server)', fix: expect.stringContaining('Role') });
    expect(kube.ops('apply')).toEqual([]);
  });

  it('passes on a cluster that has everything', async () => {
    const { kube, run } = setup();
    kube.put(secret('panda-envs', { PANDA_DB_PASSWORD: 'eA==' }));
    kube.put(secret('panda-auth', {}));
    kube.put(secret('panda-certs', { 'hostkey.pem': 'eA==' }));
    kube.put(secret('regcred', {}));
    kube.put({ apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: 'standard', annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } } });
    expect(await run(planOf([server, claim('data', {})]))).toBeUndefined();
  });

  it('a missing namespace is an error naming --create-namespace, or is created with it', async () => {
    const clock = new FakeClock(0);
    const kube = new FakeCluster(clock, {}, NS);
    await clock.run(kube.delete({ apiVersion: 'v1', kind: 'Namespace', name: NS }));
    const err = await clock.run(checkNamespace(kube).then(() => undefined, (e: unknown) => e as PandaError));
    expect(err!.issues[0]!.fix).toMatch(/--create-namespace/);
    await clock.run(checkNamespace(kube, { create: true }));
    expect(kube.ops('apply').map((c) => c.object)).toEqual(['Namespace/ns']);
  });
});
