import { describe, expect, it } from 'vitest';
import type { K8sObject } from '../../core/k8s.js';
import { find, renderTemplate } from '../../render/testing.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
const spec = (o: K8sObject): any => (o as any).spec;

describe('iam experiment overlays', () => {
  it('lsst: weka claims without PVs, SLAC ingress host', () => {
    const objs = renderTemplate({ experiment: 'lsst', enable: ['iam'] });
    expect(objs.filter((o) => o.kind === 'PersistentVolume')).toEqual([]);
    for (const s of ['main', 'mariadb']) {
      const pvc = spec(find(objs, 'PersistentVolumeClaim', `test-iam-${s}`));
      expect(pvc.storageClassName).toBe('wekafs--sdf-k8s01');
      expect(pvc.selector).toBeUndefined();
    }
    const ing = find(objs, 'Ingress', 'test-iam-main');
    expect(spec(ing).rules[0].host).toBe('panda-iam-dev.slac.stanford.edu');
    expect(spec(ing).tls).toEqual([{ hosts: ['panda-iam-dev.slac.stanford.edu'] }]);
  });

  it('sphenix: nas claims without PVs; the ingress keeps the default host', () => {
    const objs = renderTemplate({ experiment: 'sphenix', enable: ['iam'] });
    expect(objs.filter((o) => o.kind === 'PersistentVolume')).toEqual([]);
    expect(spec(find(objs, 'PersistentVolumeClaim', 'test-iam-main')).storageClassName).toBe('nas');
    expect(spec(find(objs, 'Ingress', 'test-iam-main')).rules[0].host).toBe('panda-iam-dev.cern.ch');
  });
});
