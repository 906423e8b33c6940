import { describe, expect, it } from 'vitest';
import { container, find, podSpec, renderTemplate } from '../../render/testing.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
const render = (experiment: string) => renderTemplate({ experiment, enable: ['idds'], secretsValues: '/dev/null' });

describe('idds built-in experiments (HEAD overlays)', () => {
  it('lsst: per-pod weka log claims, request files on sdf-data-rubin, SLAC hosts, external database', () => {
    const objs = render('lsst');
    expect(objs.filter((o) => o.kind === 'PersistentVolume')).toEqual([]);
    expect(objs.some((o) => o.metadata.name.includes('postgres'))).toBe(false);
    const s = find(objs, 'StatefulSet', 'test-idds-rest');
    expect(s.spec.volumeClaimTemplates[0].spec).toMatchObject({ storageClassName: 'wekafs--sdf-k8s01', resources: { requests: { storage: '50Gi' } } });
    expect(find(objs, 'PersistentVolumeClaim', 'test-idds-rest-requests').spec.storageClassName).toBe('sdf-data-rubin');
    expect(container(s).env).toEqual([
      { name: 'IDDS_REST_HOST', value: 'https://rubin-panda-idds-dev.slac.stanford.edu:8443' },
      { name: 'PANDAMON_URL', value: 'https://rubin-panda-bigmon-dev.slac.stanford.edu:8443/' },
    ]);
    expect(find(objs, 'Ingress', 'test-idds-rest').spec.tls).toEqual([{ hosts: ['rubin-panda-idds-dev.slac.stanford.edu'], secretName: 'panda-secrets-idds-tls-certs' }]);
  });

  it('lsst-prod: three replicas with 48Gi limits on usdf hosts', () => {
    const s = find(render('lsst-prod'), 'StatefulSet', 'test-idds-rest');
    expect(s.spec.replicas).toBe(3);
    expect(container(s).resources.limits.memory).toBe('48Gi');
    expect(s.spec.volumeClaimTemplates[0].spec.resources.requests.storage).toBe('100Gi');
  });

  it('atlas_testbed and doma-k8s: iDDS 2.6.14 on the shared claim, worker tuning; testbed with CVMFS', () => {
    for (const exp of ['atlas_testbed', 'doma-k8s']) {
      const objs = render(exp);
      const s = find(objs, 'StatefulSet', 'test-idds-rest');
      expect(container(s).image).toBe('ghcr.io/hsf/idds:2.6.14');
      expect(podSpec(s).volumes.find((v: any) => v.name === 'test-idds-rest-logs').persistentVolumeClaim.claimName).toBe('panda-shared-logs');
      expect((find(objs, 'ConfigMap', 'test-idds-rest-envs') as any).data.IDDS_SERVER_CONF_NUM_WSGI_THREAD).toBe('4');
      expect(objs.some((o) => o.kind === 'PersistentVolumeClaim' && o.metadata.name.includes('cvmfs'))).toBe(exp === 'atlas_testbed');
    }
  });

  it('cern and dev: two replicas behind their CERN hosts', () => {
    for (const [exp, host] of [['cern', 'panda-idds-doma.cern.ch'], ['dev', 'panda-idds-dev.cern.ch']] as const) {
      const objs = render(exp);
      expect(find(objs, 'StatefulSet', 'test-idds-rest').spec.replicas).toBe(2);
      expect(find(objs, 'Ingress', 'test-idds-rest').spec.rules[0].host).toBe(host);
    }
  });

  it('sphenix: nas claims, noRoot, no Ingress', () => {
    const objs = render('sphenix');
    expect(objs.some((o) => o.kind === 'Ingress')).toBe(false);
    expect(container(find(objs, 'StatefulSet', 'test-idds-rest')).args[0]).not.toMatch(/runuser/);
    expect(find(objs, 'PersistentVolumeClaim', 'test-idds-postgres').spec.storageClassName).toBe('nas');
  });
});
