/**
 * The executor against an in-memory cluster in virtual time: scheduling, timeouts, blocked
 * dependents, Ctrl-C, failing fast, and the uninstall plan. Each test covers seconds to minutes
 * of waiting and takes milliseconds.
 */
import { describe, expect, it } from 'vitest';
import { PandaError } from '../core/errors.js';
import type { K8sObject } from '../core/k8s.js';
import { refOf } from '../core/objects.js';
import { buildPlan, buildUninstallPlan, criticalPath, type Plan, type PlanNode } from '../plan/plan.js';
import { renderFromOptions } from '../render/inputs.js';
import { executePlan, type ExecuteOptions, type ProgressEvent } from './execute.js';
import { FakeClock, FakeCluster, type Script } from './testing.js';

const NS = 'ns';
const deployment = (name: string, extra: Record<string, string> = {}): K8sObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name, namespace: NS, annotations: extra },
  spec: { replicas: 1, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image: 'x' }] } } },
});
const configMap = (name: string): K8sObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: NS }, data: { a: 'b' } });

/** A node that applies one Deployment and waits for it. */
function node(id: string, deps: string[] = []): PlanNode {
  const d = deployment(id.replace('/', '-'));
  return { id, component: id.split('/')[0] as PlanNode['component'], sub: id.split('/')[1] ?? 'main', deps, apply: [d], await: [refOf(d, NS)] };
}
const plan = (nodes: PlanNode[]): Plan => ({ namespace: NS, components: [], nodes, waves: [] });

/** Ready delays per Deployment name, in virtual ms. */
const delays = (m: Record<string, number | undefined>): Script['readyAfter'] => (o) => (o.metadata.name in m ? m[o.metadata.name] : 0);

function setup(script: Script = {}) {
  const clock = new FakeClock(0);
  const kube = new FakeCluster(clock, script, NS);
  const events: ProgressEvent[] = [];
  const run = (p: Plan, o: Partial<ExecuteOptions> = {}) => clock.run(executePlan(kube, p, { wait: true, timeoutMs: 60_000, pollMs: 100, clock, onEvent: (e) => events.push(e), ...o }));
  const at = (nodeId: string, state: string) => events.find((e) => e.type === 'node' && e.node === nodeId && e.state === state)?.at;
  return { clock, kube, events, run, at };
}

describe('executor', () => {
  it('starts independent nodes at once and a dependent when both are ready', async () => {
    const { run, at, kube } = setup({ readyAfter: delays({ 'msgsvc-main': 3000, 'iam-main': 5000 }) });
    const r = await run(plan([node('msgsvc/main'), node('iam/main'), node('panda/server', ['msgsvc/main', 'iam/main'])]));
    expect(r.failures).toEqual([]);
    expect(at('msgsvc/main', 'applying')).toBe(0);
    expect(at('iam/main', 'applying')).toBe(0);
    // msgsvc ready after 3 s does not start panda; iam after 5 s does (within one poll)
    expect(at('msgsvc/main', 'ready')).toBeGreaterThanOrEqual(3000);
    expect(at('msgsvc/main', 'ready')).toBeLessThan(3200);
    const pandaStart = at('panda/server', 'applying')!;
    expect(pandaStart).toBeGreaterThanOrEqual(5000);
    expect(pandaStart).toBeLessThan(5200);
    expect(pandaStart).toBe(at('iam/main', 'ready'));
    // one write per object
    expect(kube.ops('apply').map((c) => c.object)).toEqual(['Deployment/msgsvc-main', 'Deployment/iam-main', 'Deployment/panda-server']);
    expect(r.writes).toBe(3);
  });

  it('runs the whole stack within one poll interval per tier of the critical path', async () => {
    const stack = buildPlan(renderFromOptions({}), NS);
    const readyAfter = (o: K8sObject) => (o.kind === 'Deployment' ? 1000 * (1 + (o.metadata.name.length % 5)) : 0);
    const { run, kube } = setup({ readyAfter, latencyMs: 0 });
    const r = await run(stack);
    expect(r.failures).toEqual([]);
    expect(r.nodes.every((n) => n.state === 'ready')).toBe(true);
    // the best any schedule can do: the longest path of ready delays through the graph
    const delay = (id: string) => Math.max(0, ...stack.nodes.find((n) => n.id === id)!.apply.map((o) => (o.kind === 'Deployment' ? readyAfter(o) : 0)));
    const bound = criticalPath(stack.nodes, delay);
    expect(r.finishedAt - r.startedAt).toBeGreaterThanOrEqual(bound);
    expect(r.finishedAt - r.startedAt).toBeLessThanOrEqual(bound + 100 * stack.waves.length);
    expect(kube.ops('apply')).toHaveLength(stack.nodes.reduce((a, n) => a + n.apply.length, 0));
  }, 30_000); // rendering the stack takes most of it

  it('a node that is never ready fails at its timeout, naming the object; dependents are never applied; others finish', async () => {
    const { run, at, kube } = setup({ readyAfter: delays({ 'panda-postgres': undefined, 'idds-main': 2000 }) });
    const r = await run(plan([node('panda/postgres'), node('panda/server', ['panda/postgres']), node('harvester/main', ['panda/server']), node('idds/main')]), { timeoutMs: 30_000, pollMs: 1000 });
    // at the first reading at or after the deadline (a reading takes 1 ms here)
    expect(at('panda/postgres', 'failed')).toBeGreaterThanOrEqual(30_000);
    expect(at('panda/postgres', 'failed')).toBeLessThanOrEqual(30_002);
    expect(r.finishedAt).toBe(at('panda/postgres', 'failed'));
    expect(r.failures).toHaveLength(1);
    expect(r.failures[0]!.message).toBe('panda/postgres did not become ready');
    expect(r.failures[0]!.issues[0]).toMatchObject({ where: 'Deployment/panda-postgres' });
    expect(r.failures[0]!.issues[0]!.message).toMatch(/^not ready after 30s \(waiting for all updated replicas available\)/);
    const state = Object.fromEntries(r.nodes.map((n) => [n.id, n.state]));
    expect(state).toEqual({ 'panda/postgres': 'failed', 'panda/server': 'blocked', 'harvester/main': 'blocked', 'idds/main': 'ready' });
    expect(r.nodes.find((n) => n.id === 'harvester/main')!.problem).toBe('not started: panda/server is not ready');
    expect(kube.ops('apply').map((c) => c.object)).toEqual(['Deployment/panda-postgres', 'Deployment/idds-main']);
  });

  it('the timeout counts from the start of the component, not of each sub-component', async () => {
    const { run, at } = setup({ readyAfter: delays({ 'panda-postgres': 8000, 'panda-server': 8000 }) });
    const r = await run(plan([node('panda/postgres'), node('panda/server', ['panda/postgres'])]), { timeoutMs: 12_000 });
    expect(at('panda/postgres', 'ready')).toBeLessThan(8200);
    expect(at('panda/server', 'failed')).toBeGreaterThanOrEqual(12_000);
    expect(at('panda/server', 'failed')).toBeLessThanOrEqual(12_002);
    expect(r.failures).toHaveLength(1);
  });

  it('Ctrl-C ends the waits at once, starts nothing new and leaves what was applied', async () => {
    const { run, clock, kube } = setup({ readyAfter: delays({ 'msgsvc-main': 1000, 'panda-server': 60_000 }) });
    const ac = new AbortController();
    clock.at(2550, () => ac.abort());
    const r = await run(plan([node('msgsvc/main'), node('panda/server', ['msgsvc/main']), node('bigmon/main', ['panda/server'])]), { signal: ac.signal });
    expect(r.interrupted).toBe(true);
    expect(r.finishedAt).toBe(2550); // not at the next poll, nor the timeout
    expect(Object.fromEntries(r.nodes.map((n) => [n.id, n.state]))).toEqual({ 'msgsvc/main': 'ready', 'panda/server': 'interrupted', 'bigmon/main': 'interrupted' });
    expect(r.failures).toEqual([]);
    expect(kube.ops('apply').map((c) => c.object)).toEqual(['Deployment/msgsvc-main', 'Deployment/panda-server']);
    expect(kube.calls.filter((c) => c.at > 2550)).toEqual([]);
  });

  it('Ctrl-C between two objects of a node applies no further object', async () => {
    const { run, clock, kube } = setup({ latencyMs: 10 });
    const ac = new AbortController();
    clock.at(25, () => ac.abort());
    const n: PlanNode = { id: 'panda', component: 'panda', deps: [], apply: ['a', 'b', 'c', 'd'].map(configMap), await: [] };
    const r = await run(plan([n]), { signal: ac.signal });
    expect(r.nodes[0]!.state).toBe('interrupted');
    // each apply is a read and a write of 10 ms: the second object is in flight at 25 ms and finishes; no third
    expect(kube.ops('apply').map((c) => c.object)).toEqual(['ConfigMap/a', 'ConfigMap/b']);
  });

  it('a rollout that has failed fails at the first reading, long before the timeout', async () => {
    const { run, at } = setup({ readyAfter: delays({ 'panda-server': undefined }), fails: (o) => (o.metadata.name === 'panda-server' ? 'ReplicaSet "x" has timed out progressing.' : undefined) });
    const r = await run(plan([node('panda/server'), node('bigmon/main', ['panda/server'])]), { timeoutMs: 600_000 });
    expect(at('panda/server', 'failed')).toBeLessThan(10);
    expect(r.failures[0]!.issues[0]!.message).toMatch(/^rollout stalled: ReplicaSet "x" has timed out progressing\./);
    expect(r.nodes.find((n) => n.id === 'bigmon/main')!.state).toBe('blocked');
  });

  it('a refused apply fails its node at once with the API error; independent nodes carry on', async () => {
    const refusal = new PandaError('the API server refused Deployment/panda-server', [{ where: 'Deployment/panda-server', message: '422: spec.replicas: Invalid value' }], 3);
    const { run, at } = setup({ refuse: (o) => (o.metadata.name === 'panda-server' ? refusal : undefined), readyAfter: delays({ 'iam-main': 4000 }) });
    const r = await run(plan([node('panda/server'), node('harvester/main', ['panda/server']), node('iam/main')]));
    expect(at('panda/server', 'failed')).toBeLessThan(5);
    expect(r.failures).toEqual([refusal]);
    expect(Object.fromEntries(r.nodes.map((n) => [n.id, n.state]))).toEqual({ 'panda/server': 'failed', 'harvester/main': 'blocked', 'iam/main': 'ready' });
    expect(r.finishedAt).toBeGreaterThanOrEqual(4000);
  });

  it('without waiting, nodes still go in dependency order but do not wait for readiness', async () => {
    const { run, at } = setup({ readyAfter: () => undefined });
    const r = await run(plan([node('msgsvc/main'), node('panda/server', ['msgsvc/main'])]), { wait: false });
    expect(r.failures).toEqual([]);
    expect(at('panda/server', 'applying')!).toBeGreaterThanOrEqual(at('msgsvc/main', 'ready')!);
    expect(r.finishedAt).toBeLessThan(10);
  });
});

describe('uninstall plan', () => {
  const installed = (names: [string, string[]][]) =>
    names.map(([c, objs]) => ({
      name: c as PlanNode['component'],
      release: `t-${c}`,
      objects: objs.map((o) => {
        const [kind, name] = o.split('/') as [string, string];
        return { ref: { apiVersion: kind === 'Deployment' ? 'apps/v1' : 'v1', kind, name, ...(kind === 'PersistentVolume' ? {} : { namespace: NS }) }, data: kind.startsWith('Persistent') };
      }),
    }));

  it('removes dependents first, waits until they are gone, keeps data unless purged', async () => {
    const { run, kube, at, clock } = setup({ deleteAfter: (r) => (r.name === 'harvester' ? 5000 : 100) });
    for (const o of [deployment('harvester'), deployment('bigmon'), deployment('server'), configMap('server-cfg'), deployment('activemq')]) kube.put(o);
    kube.put({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'server', namespace: NS } });
    const p = buildUninstallPlan(
      installed([
        ['msgsvc', ['Deployment/activemq']],
        ['panda', ['Deployment/server', 'ConfigMap/server-cfg', 'PersistentVolumeClaim/server']],
        ['harvester', ['Deployment/harvester']],
        ['bigmon', ['Deployment/bigmon']],
      ]),
      NS,
      false,
    );
    expect(p.kept.map((r) => `${r.kind}/${r.name}`)).toEqual(['PersistentVolumeClaim/server']);
    const r = await run(p);
    expect(r.failures).toEqual([]);
    // harvester and bigmon go together; panda waits for the slower one; msgsvc for panda
    expect(at('harvester', 'applying')).toBe(0);
    expect(at('bigmon', 'applying')).toBe(0);
    expect(at('panda', 'applying')).toBeGreaterThanOrEqual(5000);
    expect(at('msgsvc', 'applying')).toBeGreaterThanOrEqual(at('panda', 'ready')!);
    expect(at('panda', 'ready')).toBeGreaterThanOrEqual(at('panda', 'applying')! + 100);
    expect(kube.ops('delete').map((c) => c.object)).toEqual(['Deployment/harvester', 'Deployment/bigmon', 'Deployment/server', 'ConfigMap/server-cfg', 'Deployment/activemq']);
    expect(await clock.run(kube.get({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', name: 'server', namespace: NS }))).toBeDefined();
  });

  it('an object that is never gone fails at the timeout naming it; the components it blocks stay', async () => {
    const { run, kube, clock } = setup({ deleteAfter: (r) => (r.name === 'server' ? Infinity : 0) });
    kube.put(deployment('server'));
    kube.put(deployment('activemq'));
    const r = await run(buildUninstallPlan(installed([['msgsvc', ['Deployment/activemq']], ['panda', ['Deployment/server']]]), NS, true), { timeoutMs: 20_000 });
    expect(r.failures[0]!.message).toBe('panda did not become gone');
    expect(r.failures[0]!.issues[0]).toMatchObject({ where: 'Deployment/server', message: 'still present after 20s (waiting for deletion (finalizers: test/finalizer))' });
    expect(r.nodes.find((n) => n.id === 'msgsvc')!.state).toBe('blocked');
    expect(await clock.run(kube.get({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'activemq', namespace: NS }))).toBeDefined();
  });

  it('Ctrl-C during the wait for deletion stops before the next component', async () => {
    const { run, kube, clock } = setup({ deleteAfter: () => 10_000 });
    kube.put(deployment('server'));
    kube.put(deployment('activemq'));
    const ac = new AbortController();
    clock.at(3000, () => ac.abort());
    const r = await run(buildUninstallPlan(installed([['msgsvc', ['Deployment/activemq']], ['panda', ['Deployment/server']]]), NS, true), { signal: ac.signal });
    expect(r.interrupted).toBe(true);
    expect(r.finishedAt).toBe(3000);
    expect(kube.ops('delete').map((c) => c.object)).toEqual(['Deployment/server']);
  });
});
