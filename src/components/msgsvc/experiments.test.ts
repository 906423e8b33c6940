import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { K8sObject } from '../../core/k8s.js';
import { container, find, headChart, renderTemplate } from '../../render/testing.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
const HEAD = headChart('msgsvc');
const broker = (objs: K8sObject[]) => container(find(objs, 'Deployment', 'test-msgsvc-activemq'));

describe('msgsvc experiment overlays (built-in, as HEAD)', () => {
  it('lsst and lsst-prod: a 50Gi weka claim without PV and 32Gi for the broker', () => {
    for (const exp of ['lsst', 'lsst-prod']) {
      const objs = renderTemplate({ experiment: exp, enable: ['msgsvc'] });
      expect(objs.some((o) => o.kind === 'PersistentVolume')).toBe(false);
      expect(find(objs, 'PersistentVolumeClaim', 'test-msgsvc-activemq').spec).toMatchObject({ storageClassName: 'wekafs--sdf-k8s01', resources: { requests: { storage: '50Gi' } } });
      expect(broker(objs).resources.limits.memory).toBe('32Gi');
    }
  });

  it('cern: the smaller broker; sphenix: nas and noRoot; initcontainer: no effect', () => {
    expect(broker(renderTemplate({ experiment: 'cern', enable: ['msgsvc'] })).resources).toEqual({ requests: { cpu: '500m', memory: '512Mi' }, limits: { cpu: '2', memory: '2Gi' } });
    expect(broker(renderTemplate({ experiment: 'sphenix', enable: ['msgsvc'] })).args[0]).not.toContain('runuser');
    expect(renderTemplate({ experiment: 'initcontainer', enable: ['msgsvc'] })).toEqual(renderTemplate({ enable: ['msgsvc'] }));
  });

  it.each(['cern', 'initcontainer', 'lsst', 'lsst-prod', 'sphenix'])('HEAD’s values-%s.yaml loads unchanged and renders like the built-in overlay', (exp) => {
    const theirs = renderTemplate({ files: [`msgsvc=${path.join(HEAD, 'values.yaml')}`, `msgsvc=${path.join(HEAD, 'values', `values-${exp}.yaml`)}`], enable: ['msgsvc'] });
    expect(theirs).toEqual(renderTemplate({ experiment: exp, enable: ['msgsvc'] }));
  });
});
