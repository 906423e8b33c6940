/**
 * Every readiness rule, on objects recorded from the local control plane (Kubernetes v1.36.3 with
 * kwok; testdata/kwok-v1.36.json, status as the controllers wrote it), and on variations of
 * them for the states a fresh install passes through (rollouts, partitions, deletion).
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { conditionsFor, GENERIC, READINESS, readiness, readinessTable, type Live } from './readiness.js';

const recorded = JSON.parse(fs.readFileSync(path.join(path.dirname(fileURLToPath(import.meta.url)), 'testdata', 'kwok-v1.36.json'), 'utf8')) as { objects: Record<string, Live> };
const rec = (key: string): Live => {
  const o = recorded.objects[key];
  if (!o) throw new Error(`no recorded ${key}`);
  return structuredClone(o);
};
/** A recorded object with changes (deep merge of plain objects). */
function edit(o: Live, patch: Record<string, any>): Live {
  const merge = (a: any, b: any): any => (b && typeof b === 'object' && !Array.isArray(b) && a && typeof a === 'object' ? Object.fromEntries([...new Set([...Object.keys(a), ...Object.keys(b)])].map((k) => [k, k in b ? merge(a[k], b[k]) : a[k]])) : b);
  return merge(o, patch);
}
const waitingFor = (o: Live) => {
  const v = readiness(o);
  return v.state === 'waiting' ? v.for : v.state;
};

describe('generic rules (every kind)', () => {
  it('an object being deleted is not ready', () => {
    expect(waitingFor(edit(rec('Deployment/ok'), { metadata: { deletionTimestamp: '2026-12-02T01:20:00Z' } }))).toBe('not being deleted (Terminating)');
    expect(waitingFor(edit(rec('PersistentVolumeClaim/bound'), { metadata: { deletionTimestamp: '2026-12-02T01:20:00Z' } }))).toBe('not being deleted (Terminating)');
  });
  it('a newer generation than the controller has observed is not ready', () => {
    expect(waitingFor(edit(rec('Deployment/ok'), { metadata: { generation: 2 } }))).toMatch(/^the controller has seen the latest spec/);
    expect(waitingFor(edit(rec('StatefulSet/db'), { metadata: { generation: 3 }, status: { observedGeneration: 2 } }))).toMatch(/^the controller has seen the latest spec/);
  });
  it('Stalled=True fails, Reconciling=True waits, for any kind', () => {
    const cr: Live = { kind: 'Widget', metadata: { name: 'w', generation: 1 }, status: { observedGeneration: 1, conditions: [{ type: 'Stalled', status: 'True', reason: 'Bad', message: 'spec.size is invalid' }] } };
    expect(readiness(cr)).toEqual({ state: 'failed', reason: 'stalled: spec.size is invalid' });
    expect(waitingFor({ ...cr, status: { conditions: [{ type: 'Reconciling', status: 'True' }] } })).toBe('no Reconciling condition');
  });
  it('a kind without rules: ready, or as its Ready condition says', () => {
    expect(readiness({ kind: 'ConfigMap', metadata: { name: 'x' } })).toEqual({ state: 'ready' });
    expect(waitingFor({ kind: 'Certificate', metadata: { name: 'c' }, status: { conditions: [{ type: 'Ready', status: 'False' }] } })).toBe('its Ready condition, if it has one, is True');
    expect(readiness({ kind: 'Certificate', metadata: { name: 'c' }, status: { conditions: [{ type: 'Ready', status: 'True' }] } })).toEqual({ state: 'ready' });
  });
  it('every kind starts with the generic rules', () => {
    for (const kind of [...Object.keys(READINESS), 'Service']) expect(conditionsFor(kind).slice(0, GENERIC.length)).toEqual(GENERIC);
  });
});

describe('Deployment', () => {
  it('recorded: available is ready; a pod that never starts is waiting for availability', () => {
    expect(readiness(rec('Deployment/ok'))).toEqual({ state: 'ready' });
    for (const d of ['unpullable', 'crashloop', 'configerror', 'selector', 'toobig']) expect(waitingFor(rec(`Deployment/${d}`)), d).toBe('all updated replicas available');
  });
  it('before the controller wrote a status, during a rollout, with surplus replicas', () => {
    const d = rec('Deployment/ok');
    expect(waitingFor({ ...d, status: {} })).toBe('the controller has written a status for the latest spec');
    expect(waitingFor(edit(d, { status: { replicas: 1 } }))).toBe('all replicas created (status.replicas ≥ spec.replicas)');
    expect(waitingFor(edit(d, { status: { replicas: 3, updatedReplicas: 1 } }))).toBe('all replicas updated to the latest template');
    expect(waitingFor(edit(d, { status: { replicas: 3 } }))).toBe('old replicas terminated');
    expect(waitingFor(edit(d, { status: { readyReplicas: 1 } }))).toBe('all replicas ready');
  });
  it('Progressing must say NewReplicaSetAvailable and Available must be True', () => {
    const d = rec('Deployment/ok');
    const conds = d.status!.conditions as { type: string; status: string; reason: string }[];
    expect(waitingFor({ ...d, status: { ...d.status, conditions: conds.map((c) => (c.type === 'Progressing' ? { ...c, reason: 'ReplicaSetUpdated' } : c)) } })).toBe('the new ReplicaSet is available (Progressing: NewReplicaSetAvailable)');
    expect(waitingFor({ ...d, status: { ...d.status, conditions: conds.map((c) => (c.type === 'Available' ? { ...c, status: 'False' } : c)) } })).toBe('the Deployment is Available');
  });
  it('ProgressDeadlineExceeded fails at once', () => {
    const d = rec('Deployment/unpullable');
    const conds = (d.status!.conditions as { type: string }[]).map((c) => (c.type === 'Progressing' ? { ...c, status: 'False', reason: 'ProgressDeadlineExceeded', message: 'ReplicaSet "u" has timed out progressing.' } : c));
    expect(readiness({ ...d, status: { ...d.status, conditions: conds } })).toEqual({ state: 'failed', reason: 'rollout stalled: ReplicaSet "u" has timed out progressing.' });
  });
});

describe('StatefulSet', () => {
  it('recorded: ready when all replicas are ready at the update revision', () => {
    expect(readiness(rec('StatefulSet/db'))).toEqual({ state: 'ready' });
    expect(waitingFor(edit(rec('StatefulSet/db'), { status: { readyReplicas: 1 } }))).toBe('all replicas ready');
  });
  it('a rolling update is done when currentRevision equals updateRevision', () => {
    const s = edit(rec('StatefulSet/db'), { status: { updateRevision: 'db-new', updatedReplicas: 1, currentReplicas: 1 } });
    expect(waitingFor(s)).toBe('all replicas at the current revision');
    expect(waitingFor(edit(s, { status: { currentReplicas: 2 } }))).toBe('the update is complete (status.currentRevision = status.updateRevision)');
    expect(readiness(edit(s, { status: { currentReplicas: 2, currentRevision: 'db-new', updatedReplicas: 2 } }))).toEqual({ state: 'ready' });
  });
  it('partitioned: ready once the replicas above the partition are updated', () => {
    const s = edit(rec('StatefulSet/db'), { spec: { updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 1 } } }, status: { updateRevision: 'db-new', updatedReplicas: 0, currentReplicas: 2 } });
    expect(waitingFor(s)).toBe('the replicas above the partition are updated (partitioned rollout)');
    expect(readiness(edit(s, { status: { updatedReplicas: 1, currentReplicas: 1 } }))).toEqual({ state: 'ready' });
  });
  it('OnDelete: replicas ready is enough; the revision is not awaited (pods update when deleted)', () => {
    const s = rec('StatefulSet/ondelete');
    expect(s.spec!.updateStrategy.type).toBe('OnDelete');
    expect(readiness(edit(s, { status: { updateRevision: 'ondelete-new', updatedReplicas: 0 } }))).toEqual({ state: 'ready' });
    expect(waitingFor(edit(s, { status: { readyReplicas: 0 } }))).toBe('all replicas ready');
  });
});

describe('Pod', () => {
  it('recorded: Running and Ready is ready; a Job pod that succeeded is done; one that failed has failed', () => {
    expect(readiness(rec('Pod/ok'))).toEqual({ state: 'ready' });
    expect(readiness(rec('Pod/done'))).toEqual({ state: 'ready' });
    expect(readiness(rec('Pod/fails')).state).toBe('failed');
  });
  it('recorded: waiting containers and unscheduled pods are waiting (failure detection decides when they are terminal)', () => {
    for (const p of ['unpullable', 'crashloop', 'configerror', 'selector', 'toobig']) expect(waitingFor(rec(`Pod/${p}`)), p).toBe('the pod is ready (or has succeeded)');
  });
});

describe('Job', () => {
  it('recorded: Complete is ready, Failed has failed, suspended is reported at once', () => {
    expect(readiness(rec('Job/done'))).toEqual({ state: 'ready' });
    expect(readiness(rec('Job/fails'))).toMatchObject({ state: 'failed', reason: expect.stringMatching(/^job failed: Job has reached the specified backoff limit/) });
    expect(readiness(rec('Job/suspended'))).toMatchObject({ state: 'failed', reason: expect.stringMatching(/suspended/) });
  });
  it('a started Job is not ready until it completes', () => {
    const j = rec('Job/done');
    expect(waitingFor({ ...j, status: { active: 1, startTime: j.status!.startTime } })).toBe('the job has completed');
  });
});

describe('PersistentVolumeClaim', () => {
  it('recorded: Bound is ready; Pending is waiting; Lost has failed', () => {
    expect(readiness(rec('PersistentVolumeClaim/bound'))).toEqual({ state: 'ready' });
    expect(readiness(rec('PersistentVolumeClaim/rwx'))).toEqual({ state: 'ready' });
    expect(waitingFor(rec('PersistentVolumeClaim/noclass'))).toBe('the claim is bound (or waits for its first consumer)');
    expect(waitingFor(rec('PersistentVolumeClaim/nopv'))).toBe('the claim is bound (or waits for its first consumer)');
    expect(readiness(edit(rec('PersistentVolumeClaim/bound'), { status: { phase: 'Lost' } })).state).toBe('failed');
  });
  it('a claim of a WaitForFirstConsumer class is not awaited (it binds when its pod starts)', () => {
    const pending = rec('PersistentVolumeClaim/noclass');
    const modes: Record<string, string> = { 'wekafs--sdf-k8s01': 'WaitForFirstConsumer', standard: 'Immediate' };
    expect(readiness(pending, { bindingMode: (c) => modes[c ?? 'standard'] })).toEqual({ state: 'ready' });
    expect(waitingFor({ ...pending, spec: { ...pending.spec, storageClassName: 'standard' } })).toBe('the claim is bound (or waits for its first consumer)');
    // without a class: the default class decides; `""` means no class, never provisioned
    const noClass = { ...pending, spec: { ...pending.spec, storageClassName: undefined } };
    expect(readiness(noClass, { bindingMode: (c) => (c === undefined ? 'WaitForFirstConsumer' : undefined) })).toEqual({ state: 'ready' });
    expect(readiness(rec('PersistentVolumeClaim/nopv'), { bindingMode: () => 'WaitForFirstConsumer' }).state).toBe('waiting');
  });
});

describe('CronJob, HPA, Ingress, Gateway', () => {
  it('recorded CronJob and Ingress are ready once they exist', () => {
    expect(readiness(rec('CronJob/cron'))).toEqual({ state: 'ready' });
    expect(readiness(rec('Ingress/ing'))).toEqual({ state: 'ready' });
  });
  it('recorded HPA without a metrics API is ready (ScalingActive=False is not awaited); AbleToScale=False waits', () => {
    const h = rec('HorizontalPodAutoscaler/hpa');
    expect((h.status!.conditions as { type: string; status: string }[]).find((c) => c.type === 'ScalingActive')!.status).toBe('False');
    expect(readiness(h)).toEqual({ state: 'ready' });
    const conds = (h.status!.conditions as { type: string }[]).map((c) => (c.type === 'AbleToScale' ? { ...c, status: 'False' } : c));
    expect(waitingFor({ ...h, status: { ...h.status, conditions: conds } })).toBe('the autoscaler can scale (AbleToScale is not False)');
  });
  it('Gateway: Accepted then Programmed, for the latest generation; Invalid fails', () => {
    const gw = (conds: object[], generation = 2): Live => ({ kind: 'Gateway', metadata: { name: 'g', generation }, status: { conditions: conds } });
    const pending = { status: 'Unknown', reason: 'Pending', observedGeneration: 2 };
    expect(waitingFor(gw([{ type: 'Accepted', ...pending }, { type: 'Programmed', ...pending }]))).toBe('the Gateway is Accepted');
    expect(waitingFor(gw([{ type: 'Accepted', status: 'True', observedGeneration: 2 }, { type: 'Programmed', ...pending }]))).toBe('the Gateway is Programmed');
    expect(waitingFor(gw([{ type: 'Accepted', status: 'True', observedGeneration: 1 }, { type: 'Programmed', status: 'True', observedGeneration: 1 }]))).toBe('the Gateway is Accepted');
    expect(readiness(gw([{ type: 'Accepted', status: 'True', observedGeneration: 2 }, { type: 'Programmed', status: 'True', observedGeneration: 2 }]))).toEqual({ state: 'ready' });
    expect(readiness(gw([{ type: 'Accepted', status: 'False', reason: 'InvalidParameters', message: 'no such GatewayClass parameters', observedGeneration: 2 }]))).toEqual({ state: 'failed', reason: 'Accepted=False: no such GatewayClass parameters' });
  });
});

describe('the table', () => {
  it('documents every rule and each deliberate difference from kstatus', () => {
    const t = readinessTable();
    for (const kind of Object.keys(READINESS)) expect(t).toContain(`| ${kind} |`);
    for (const d of ['an install waits for its Jobs to complete', 'a Failed pod as current', 'OnDelete StatefulSet', 'WaitForFirstConsumer', 'suspended Job', 'status.loadBalancer.ingress', 'ScalingActive']) expect(t).toContain(d);
  });
});
