/**
 * Terminal failures while waiting, against the in-memory cluster in virtual time: each is
 * reported within seconds (at once, or after the documented grace), long before the timeout,
 * naming the object, the pod, the reason, the message and the fix; dependents are not applied
 * and independent nodes finish.
 */
import { describe, expect, it } from 'vitest';
import type { K8sObject } from '../core/k8s.js';
import { refOf } from '../core/objects.js';
import { GRACE } from '../cluster/failures.js';
import type { Plan, PlanNode } from '../plan/plan.js';
import { executePlan } from './execute.js';
import { FakeClock, FakeCluster, type Script } from './testing.js';

const NS = 'ns';
const TIMEOUT = 600_000;
const deployment = (name: string): K8sObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name, namespace: NS },
  spec: { replicas: 1, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image: 'x' }] } } },
});
const node = (id: string, deps: string[] = [], objs: K8sObject[] = [deployment(id.replace('/', '-'))]): PlanNode => ({
  id,
  component: id.split('/')[0] as PlanNode['component'],
  sub: id.split('/')[1] ?? 'main',
  deps,
  apply: objs,
  await: objs.map((o) => refOf(o, NS)),
});
const plan = (nodes: PlanNode[]): Plan => ({ namespace: NS, components: [], nodes, waves: [] });

/** A pod of Deployment `app`, as the kubelet reports it. */
function pod(app: string, status: Record<string, unknown>, spec: Record<string, unknown> = {}): K8sObject {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name: `${app}-7d9f-x1`, namespace: NS, labels: { app } }, spec: { containers: [{ name: 'c', image: 'x' }], ...spec }, status: { phase: 'Pending', ...status } };
}
const waiting = (reason: string, message: string, restartCount = 0) => ({ containerStatuses: [{ name: 'c', ready: false, restartCount, state: { waiting: { reason, message } } }] });
function event(involved: { kind: string; name: string }, reason: string, message: string, count = 1): K8sObject {
  return { apiVersion: 'v1', kind: 'Event', metadata: { name: `${involved.name}.${reason}`, namespace: NS }, involvedObject: involved, type: 'Warning', reason, message, count, lastTimestamp: '2026-12-02T01:00:00Z' };
}

function setup(script: Script = {}) {
  const clock = new FakeClock(0);
  const kube = new FakeCluster(clock, { readyAfter: () => undefined, ...script }, NS);
  const run = (p: Plan) => clock.run(executePlan(kube, p, { wait: true, timeoutMs: TIMEOUT, pollMs: 250, clock }));
  return { clock, kube, run };
}
const states = (r: { nodes: { id: string; state: string }[] }) => Object.fromEntries(r.nodes.map((n) => [n.id, n.state]));

describe('terminal failures are reported while waiting', () => {
  it('InvalidImageName: at the first inspection (1 s); the dependent is never applied, an independent node finishes', async () => {
    const { kube, run } = setup({ readyAfter: (o) => (o.metadata.name === 'iam-main' ? 3000 : undefined) });
    kube.put(pod('panda-server', waiting('InvalidImageName', 'Failed to apply default image tag "Bad::tag": couldn\'t parse image name')));
    const r = await run(plan([node('panda/server'), node('harvester/main', ['panda/server']), node('iam/main')]));
    expect(states(r)).toEqual({ 'panda/server': 'failed', 'harvester/main': 'blocked', 'iam/main': 'ready' });
    const f = r.nodes.find((n) => n.id === 'panda/server')!.failure!;
    expect(f).toMatchObject({ object: 'Deployment/panda-server', pod: 'panda-server-7d9f-x1', container: 'c', reason: 'InvalidImageName', message: expect.stringContaining("couldn't parse image name") });
    expect(f.fix).toMatch(/image/);
    expect(f.seconds).toBeLessThanOrEqual(1.1);
    expect(r.failures[0]!.message).toBe('panda/server cannot become ready');
    expect(r.failures[0]!.issues[0]).toMatchObject({ where: 'Deployment/panda-server', message: expect.stringMatching(/^InvalidImageName \(pod panda-server-7d9f-x1 container c\): /) });
    expect(kube.ops('apply').map((c) => c.object)).not.toContain('Deployment/harvester-main');
  });

  it('CreateContainerConfigError names the missing Secret key in the fix, at once', async () => {
    const { kube, run } = setup();
    kube.put(pod('panda-server', waiting('CreateContainerConfigError', "couldn't find key PANDA_DB_PASSWORD in Secret ns/panda-secrets-panda-envs")));
    const r = await run(plan([node('panda/server')]));
    const f = r.nodes[0]!.failure!;
    expect(f.reason).toBe('CreateContainerConfigError');
    expect(f.fix).toBe('Secret/panda-secrets-panda-envs has no key PANDA_DB_PASSWORD: run `panda-k8s secrets install` (same -n and affix) or create it with the key PANDA_DB_PASSWORD');
    expect(r.finishedAt).toBeLessThanOrEqual(1100);
  });

  it('ImagePullBackOff: after the grace, not at once and not at the timeout', async () => {
    const { kube, run } = setup();
    kube.put(pod('panda-postgres', waiting('ImagePullBackOff', 'Back-off pulling image "registry.invalid/postgres:1"')));
    const r = await run(plan([node('panda/postgres')]));
    const f = r.nodes[0]!.failure!;
    expect(f.reason).toBe('ImagePullBackOff');
    expect(f.seconds).toBeGreaterThanOrEqual(GRACE.ms / 1000);
    expect(f.seconds).toBeLessThanOrEqual(GRACE.ms / 1000 + 1.1);
    expect(r.finishedAt).toBeLessThan(30_000);
  });

  it('ImagePullBackOff after three failed pulls (the kubelet\'s event count) is terminal without the full grace', async () => {
    const { kube, run } = setup();
    const p = pod('panda-postgres', waiting('ImagePullBackOff', 'Back-off pulling image "registry.invalid/postgres:1"'));
    kube.put(p);
    kube.put(event({ kind: 'Pod', name: p.metadata.name }, 'Failed', 'Failed to pull image "registry.invalid/postgres:1": dial tcp: lookup registry.invalid: no such host', 3));
    const r = await run(plan([node('panda/postgres')]));
    expect(r.nodes[0]!.failure).toMatchObject({ reason: 'ImagePullBackOff', seconds: expect.any(Number) });
    expect(r.nodes[0]!.failure!.seconds).toBeLessThanOrEqual(1.1);
  });

  it('CrashLoopBackOff after 3 restarts: at once; with fewer restarts: after the grace', async () => {
    const three = setup();
    three.kube.put(pod('bigmon-main', { phase: 'Running', ...waiting('CrashLoopBackOff', 'back-off 40s restarting failed container=c', 3) }));
    const r3 = await three.run(plan([node('bigmon/main')]));
    expect(r3.nodes[0]!.failure).toMatchObject({ reason: 'CrashLoopBackOff', pod: 'bigmon-main-7d9f-x1' });
    expect(r3.nodes[0]!.failure!.fix).toContain('kubectl logs bigmon-main-7d9f-x1 -c c --previous');
    expect(r3.finishedAt).toBeLessThanOrEqual(1100);
    const one = setup();
    one.kube.put(pod('bigmon-main', { phase: 'Running', ...waiting('CrashLoopBackOff', 'back-off 10s restarting failed container=c', 1) }));
    const r1 = await one.run(plan([node('bigmon/main')]));
    expect(r1.nodes[0]!.failure!.seconds).toBeGreaterThanOrEqual(GRACE.ms / 1000);
  });

  it('a claim whose StorageClass does not exist fails at once, naming the class', async () => {
    const { kube, run } = setup();
    const claim: K8sObject = { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'panda-server', namespace: NS }, spec: { storageClassName: 'wekafs--sdf-k8s01', accessModes: ['ReadWriteMany'], resources: { requests: { storage: '5Gi' } } } };
    kube.put(event({ kind: 'PersistentVolumeClaim', name: 'panda-server' }, 'ProvisioningFailed', 'storageclass.storage.k8s.io "wekafs--sdf-k8s01" not found', 25));
    const r = await run(plan([node('panda/server', [], [claim, deployment('panda-server')]), node('bigmon/main', ['panda/server'])]));
    expect(states(r)).toEqual({ 'panda/server': 'failed', 'bigmon/main': 'blocked' });
    expect(r.nodes[0]!.failure).toMatchObject({ object: 'PersistentVolumeClaim/panda-server', reason: 'StorageClassNotFound', fix: expect.stringContaining('no StorageClass wekafs--sdf-k8s01') });
    expect(r.finishedAt).toBeLessThanOrEqual(1100);
  });

  it('a StatefulSet pod waiting for a claim template whose class is missing: the claim is found through the pod', async () => {
    const { kube, run } = setup();
    const sts: K8sObject = { ...deployment('panda-jedi'), kind: 'StatefulSet' };
    kube.put(pod('panda-jedi', { conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: '0/1 nodes are available: pod has unbound immediate PersistentVolumeClaims. preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.' }] }, { volumes: [{ name: 'logs', persistentVolumeClaim: { claimName: 'logs-panda-jedi-0' } }] }));
    kube.put({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'logs-panda-jedi-0', namespace: NS }, spec: { storageClassName: 'site' }, status: { phase: 'Pending' } } as K8sObject);
    kube.put(event({ kind: 'PersistentVolumeClaim', name: 'logs-panda-jedi-0' }, 'ProvisioningFailed', 'storageclass.storage.k8s.io "site" not found'));
    const r = await run(plan([node('panda/jedi', [], [sts])]));
    expect(r.nodes[0]!.failure).toMatchObject({ object: 'StatefulSet/panda-jedi', source: 'PersistentVolumeClaim/logs-panda-jedi-0', reason: 'StorageClassNotFound' });
  });

  it('Unschedulable: no node matches the selector, or the request exceeds every node, at once; a full node is waited for', async () => {
    const selector = setup();
    selector.kube.put(pod('idds-rest', { conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: "0/1 nodes are available: 1 node(s) didn't match Pod's node affinity/selector. no new claims to deallocate, preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling." }] }));
    const rs = await selector.run(plan([node('idds/rest')]));
    expect(rs.nodes[0]!.failure).toMatchObject({ reason: 'Unschedulable', fix: expect.stringMatching(/nodeSelector/) });
    expect(rs.finishedAt).toBeLessThanOrEqual(1100);

    const insufficient = "0/1 nodes are available: 1 Insufficient cpu. no new claims to deallocate, preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.";
    const sched = { conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: insufficient }] };
    const big = setup();
    big.kube.put({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'n0' }, status: { allocatable: { cpu: '512', memory: '2Ti' } } } as K8sObject);
    big.kube.put(pod('idds-rest', sched, { containers: [{ name: 'c', image: 'x', resources: { requests: { cpu: '1000' } } }] }));
    expect((await big.run(plan([node('idds/rest')]))).nodes[0]!.failure).toMatchObject({ reason: 'Unschedulable' });

    const full = setup();
    full.kube.put({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'n0' }, status: { allocatable: { cpu: '512', memory: '2Ti' } } } as K8sObject);
    full.kube.put(pod('idds-rest', sched, { containers: [{ name: 'c', image: 'x', resources: { requests: { cpu: '2' } } }] }));
    const rf = await full.clock.run(executePlan(full.kube, plan([node('idds/rest')]), { wait: true, timeoutMs: 30_000, pollMs: 250, clock: full.clock }));
    expect(rf.nodes[0]!.failure).toBeUndefined();
    expect(rf.finishedAt).toBeGreaterThanOrEqual(30_000);
    expect(rf.failures[0]!.issues[0]!.message).toMatch(/Unschedulable/);
  });

  it('FailedMount of a missing Secret: at once, naming it', async () => {
    const { kube, run } = setup();
    const p = pod('harvester-main', {});
    kube.put(p);
    kube.put(event({ kind: 'Pod', name: p.metadata.name }, 'FailedMount', 'MountVolume.SetUp failed for volume "certs" : secret "panda-secrets-harvester-certs" not found'));
    const r = await run(plan([node('harvester/main')]));
    expect(r.nodes[0]!.failure).toMatchObject({ reason: 'FailedMount', fix: expect.stringMatching(/^Secret\/panda-secrets-harvester-certs does not exist: run `panda-k8s secrets install`/) });
  });

  it('a back-off that clears before the grace is not a failure', async () => {
    const { clock, kube } = setup({ readyAfter: () => 12_000 });
    const p = pod('msgsvc-main', waiting('ErrImagePull', 'rpc error: context deadline exceeded'));
    kube.put(p);
    clock.at(8000, () => void kube.delete({ apiVersion: 'v1', kind: 'Pod', name: p.metadata.name, namespace: NS }));
    const r = await clock.run(executePlan(kube, plan([node('msgsvc/main')]), { wait: true, timeoutMs: TIMEOUT, pollMs: 250, clock }));
    expect(r.failures).toEqual([]);
    expect(r.nodes[0]!.state).toBe('ready');
  });
});
