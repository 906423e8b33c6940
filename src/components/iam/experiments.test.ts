import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { K8sObject } from '../../core/k8s.js';
import { container, find, headChart, renderTemplate } from '../../render/testing.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
const image = (objs: K8sObject[]) => container(find(objs, 'StatefulSet', 'test-iam-main')).image;
const host = (objs: K8sObject[]) => find(objs, 'Ingress', 'test-iam-main').spec.rules[0].host;
const HEAD = headChart('iam');

describe('iam experiment overlays (built-in, as HEAD)', () => {
  it('lsst: image v1.10.2, a 50Gi weka claim without PV, the Rubin dev host', () => {
    const objs = renderTemplate({ experiment: 'lsst', enable: ['iam'] });
    expect(objs.filter((o) => o.kind === 'PersistentVolume')).toEqual([]);
    const pvc = find(objs, 'PersistentVolumeClaim', 'test-iam-main').spec;
    expect(pvc).toMatchObject({ storageClassName: 'wekafs--sdf-k8s01', resources: { requests: { storage: '50Gi' } } });
    expect(pvc.selector).toBeUndefined();
    expect(image(objs)).toBe('indigoiam/iam-login-service:v1.10.2');
    expect(host(objs)).toBe('rubin-panda-iam-dev.slac.stanford.edu');
  });

  it('lsst-prod: the patched image and the USDF host', () => {
    const objs = renderTemplate({ experiment: 'lsst-prod', enable: ['iam'] });
    expect(image(objs)).toBe('ghcr.io/wguanicedew/iam-login-service:v1.8.1.3');
    expect(host(objs)).toBe('usdf-panda-iam.slac.stanford.edu');
  });

  it('dev, doma, sphenix', () => {
    expect(host(renderTemplate({ experiment: 'dev', enable: ['iam'] }))).toBe('panda-iam-dev.cern.ch');
    const doma = renderTemplate({ experiment: 'doma', enable: ['iam'] });
    expect(host(doma)).toBe('panda-iam-doma.cern.ch');
    expect(find(doma, 'PersistentVolume', 'test-iam-main').spec.hostPath.path).toBe('/mnt/iam-logs');
    expect(doma.some((o) => o.metadata.name === 'test-iam-mariadb')).toBe(false);
    const sphenix = renderTemplate({ experiment: 'sphenix', enable: ['iam'] });
    expect(find(sphenix, 'PersistentVolumeClaim', 'test-iam-main').spec.storageClassName).toBe('nas');
  });

  it.each(['dev', 'doma', 'lsst', 'lsst-prod', 'sphenix'])('HEAD’s values-%s.yaml loads unchanged and renders like the built-in overlay', (exp) => {
    const theirs = renderTemplate({ files: [`iam=${path.join(HEAD, 'values.yaml')}`, `iam=${path.join(HEAD, 'values', `values-${exp}.yaml`)}`], enable: ['iam'] });
    const ours = renderTemplate({ experiment: exp, enable: ['iam'] });
    expect(theirs).toEqual(ours);
  });
});
