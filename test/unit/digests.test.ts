/**
 * Config digests on pod templates: what a pod reads is found in every place a pod spec can name a
 * ConfigMap or Secret, and a changed value changes the digest of exactly its readers.
 */
import { describe, expect, it } from 'vitest';
import type { K8sObject } from '../../src/core/k8s.js';
import { CONFIG_DIGEST, contentDigest, externalReferences, podReferences, SECRETS_DIGEST, withConfigDigests, WORKLOAD_KINDS, type RefName } from '../../src/render/digests.js';
import { renderFromOptions } from '../../src/render/inputs.js';

type Tpl = { spec: { template: { metadata?: { annotations?: Record<string, string> } } } };
const annotations = (o: K8sObject) => (o as unknown as Tpl).spec.template.metadata?.annotations ?? {};
const workloads = (objs: readonly K8sObject[]) => new Map(objs.filter((o) => WORKLOAD_KINDS.has(o.kind)).map((o) => [`${o.kind}/${o.metadata.name}`, annotations(o)]));

function changedWorkloads(a: readonly K8sObject[], b: readonly K8sObject[]): string[] {
  const x = workloads(a);
  const y = workloads(b);
  return [...y.keys()].filter((k) => JSON.stringify(x.get(k)) !== JSON.stringify(y.get(k))).sort();
}

describe('config digests', () => {
  it('finds references in env, envFrom, volumes and projected volumes, init containers included', () => {
    expect(
      podReferences({
        initContainers: [{ envFrom: [{ secretRef: { name: 's-init' } }] }],
        containers: [
          { env: [{ valueFrom: { configMapKeyRef: { name: 'cm-env' } } }, { valueFrom: { secretKeyRef: { name: 's-env' } } }], envFrom: [{ configMapRef: { name: 'cm-from' } }] },
        ],
        volumes: [{ configMap: { name: 'cm-vol' } }, { secret: { secretName: 's-vol' } }, { projected: { sources: [{ configMap: { name: 'cm-proj' } }, { secret: { name: 's-proj' } }] } }],
      }),
    ).toEqual(['ConfigMap/cm-env', 'ConfigMap/cm-from', 'ConfigMap/cm-proj', 'ConfigMap/cm-vol', 'Secret/s-env', 'Secret/s-init', 'Secret/s-proj', 'Secret/s-vol']);
  });

  it('a Secret digests the same from stringData (rendered) and data (live)', () => {
    expect(contentDigest({ kind: 'Secret', stringData: { a: 'x', b: 'y' } })).toBe(contentDigest({ kind: 'Secret', data: { b: Buffer.from('y').toString('base64'), a: Buffer.from('x').toString('base64') } }));
    expect(contentDigest({ kind: 'Secret', stringData: { a: 'x' } })).not.toBe(contentDigest({ kind: 'Secret', stringData: { a: 'z' } }));
  });

  it('every workload of the stack that reads a rendered ConfigMap carries a config digest', () => {
    const objs = renderFromOptions({ affix: 'test-' }).objects;
    const rendered = new Set(objs.filter((o) => o.kind === 'ConfigMap' || o.kind === 'Secret').map((o) => `${o.kind}/${o.metadata.name}`));
    let n = 0;
    for (const o of objs.filter((x) => WORKLOAD_KINDS.has(x.kind))) {
      const reads = podReferences((o as unknown as { spec: { template: { spec: never } } }).spec.template.spec).filter((r) => rendered.has(r));
      expect(!!annotations(o)[CONFIG_DIGEST], `${o.kind}/${o.metadata.name}`).toBe(reads.length > 0);
      if (reads.length) n++;
    }
    expect(n).toBeGreaterThan(5);
  });

  it('the harvester proxy changes the digest of harvester workloads only', () => {
    const a = renderFromOptions({ affix: 'test-' }).objects;
    const b = renderFromOptions({ affix: 'test-', sets: ['harvester.harvester.httpProxy=http://squid.example:3128'] }).objects;
    const changed = changedWorkloads(a, b);
    expect(changed.length).toBeGreaterThan(0);
    for (const w of changed) expect(w).toMatch(/\/test-harvester/);
  });

  it('the secrets digest covers the outside Secrets whose digests are given; objects of a component are left to the config digest', () => {
    const objs = renderFromOptions({ affix: 'test-' }).objects;
    const ext = externalReferences(objs);
    expect(ext).toContain('Secret/panda-secrets-panda-envs');
    const digests = (pw: string) => new Map<RefName, string | null>(ext.map((r) => [r, r === 'Secret/panda-secrets-panda-envs' ? pw : 'same']));
    const a = withConfigDigests(objs, { external: digests('one') });
    const b = withConfigDigests(objs, { external: digests('two') });
    const changed = changedWorkloads(a, b);
    expect(changed).toEqual(expect.arrayContaining([expect.stringMatching(/^(Deployment|StatefulSet)\/test-panda-server$/), expect.stringMatching(/^(Deployment|StatefulSet)\/test-panda-jedi$/)]));
    for (const w of changed) expect(w).toMatch(/\/test-panda-/);
    // without cluster digests (template mode) there is no secrets digest
    for (const o of objs.filter((x) => WORKLOAD_KINDS.has(x.kind))) expect(annotations(o)[SECRETS_DIGEST]).toBeUndefined();
    // idempotent
    expect(withConfigDigests(a, { external: digests('one') })).toEqual(a);
  });
});
