import { describe, expect, it } from 'vitest';
import type { K8sObject } from '../../core/k8s.js';
import { find, renderTemplate } from '../../render/testing.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
const spec = (o: K8sObject): any => (o as any).spec;

describe('idds experiment overlays', () => {
  it('lsst: weka claims without PVs, SLAC proxies, SLAC ingress host and certificate', () => {
    const objs = renderTemplate({ experiment: 'lsst', enable: ['idds'] });
    expect(objs.filter((o) => o.kind === 'PersistentVolume')).toEqual([]);
    for (const s of ['rest', 'daemon', 'postgres']) {
      const pvc = spec(find(objs, 'PersistentVolumeClaim', `test-idds-${s}`));
      expect(pvc.storageClassName).toBe('wekafs--sdf-k8s01');
      expect(pvc.selector).toBeUndefined();
    }
    expect((find(objs, 'ConfigMap', 'test-idds-rest-envs') as any).data).toEqual({
      http_proxy: 'http://squid.slac.stanford.edu:3128',
      https_proxy: 'http://squid.slac.stanford.edu:3128',
      no_proxy: 'localhost,idds-dev-rest,idds-dev-daemon,panda-dev-server,panda-dev-jedi',
    });
    const ing = find(objs, 'Ingress', 'test-idds-rest');
    expect(spec(ing).rules[0].host).toBe('idds-dev.slac.stanford.edu');
    expect(spec(ing).tls).toEqual([{ hosts: ['idds-dev.slac.stanford.edu'], secretName: 'idds-dev-main-tlssan-cert' }]);
  });

  it('sphenix: nas claims without PVs, default ingress', () => {
    const objs = renderTemplate({ experiment: 'sphenix', enable: ['idds'] });
    expect(objs.filter((o) => o.kind === 'PersistentVolume')).toEqual([]);
    expect(spec(find(objs, 'PersistentVolumeClaim', 'test-idds-postgres')).storageClassName).toBe('nas');
    expect(spec(find(objs, 'Ingress', 'test-idds-rest')).rules[0].host).toBe('test-idds-rest.cern.ch');
  });
});
