import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { K8sObject } from '../../core/k8s.js';
import { componentSandboxDir } from '../../core/paths.js';
import { container, find, kindNames, podSpec, renderComponent, renderTemplate, validationErrors } from '../../render/testing.js';
import { readLayers } from '../../render/values.js';
import { ignoredKeys } from '../../values/ignored.js';
import { valuesSchema } from '../registry.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
const sts = (objs: K8sObject[]) => find(objs, 'StatefulSet', 'test-bigmon-main');
const main = (objs: K8sObject[]) => container(sts(objs));
const volumes = (objs: K8sObject[]) => podSpec(sts(objs)).volumes;
const python = spawnSync('python3', ['--version']).status === 0;

describe('bigmon (HEAD defaults)', () => {
  const objs = renderComponent('bigmon');

  it('renders HEAD’s four objects: sandbox, Service, StatefulSet, Ingress', () => {
    expect(kindNames(objs)).toEqual(['ConfigMap/test-bigmon-main-sandbox', 'Service/test-bigmon-main', 'StatefulSet/test-bigmon-main', 'Ingress/test-bigmon-main']);
    expect(validationErrors(objs)).toEqual([]);
  });

  it('StatefulSet: v1.1.7 on 8443 with TCP probes, settings from bigmon-envs, certificates from bigmon-certs', () => {
    const c = main(objs);
    expect(c.image).toBe('ghcr.io/pandawms/panda-bigmon-core:v1.1.7');
    expect(c.ports).toEqual([{ name: 'https', containerPort: 8443, protocol: 'TCP' }]);
    expect(c.readinessProbe).toEqual({ tcpSocket: { port: 8443 }, initialDelaySeconds: 30, periodSeconds: 10, failureThreshold: 3 });
    expect(c.livenessProbe).toEqual({ tcpSocket: { port: 8443 }, initialDelaySeconds: 120, periodSeconds: 30, failureThreshold: 3 });
    expect(c.envFrom).toEqual([{ secretRef: { name: 'panda-secrets-bigmon-envs' } }]);
    expect(c.env).toBeUndefined();
    expect(volumes(objs)).toContainEqual({ name: 'test-bigmon-main-certs', secret: { secretName: 'panda-secrets-bigmon-certs' } });
    expect(sts(objs).spec.serviceName).toBe('test-bigmon-main');
  });

  it('B4: no credentials in any ConfigMap (settings live in the bigmon-envs Secret)', () => {
    expect(objs.filter((o) => o.kind === 'ConfigMap').map((o) => Object.keys((o as any).data ?? {}))).toEqual([[]]);
  });

  it('the start sequence renders the templates, places the iDDS and Rucio configs, waits for PostgreSQL only', () => {
    const args = main(objs).args[0] as string;
    expect(args).toMatch(/^cp \/data\/bigmon\/configmap\/\* \/data\/bigmon\/config\/; python \/data\/bigmon\/config\/process_template\.py; mv \/data\/bigmon\/config\/idds\.cfg \/opt\/bigmon\/etc\/idds\/; mv \/data\/bigmon\/config\/rucio\.cfg \/opt\/bigmon\/etc\/;/);
    expect(args).toMatch(/if \[ "\$\{PANDA_DB_BACKEND\}" != "oracle" \]; then until .*pg_isready -h \$\{PANDA_DB_HOST\} -p \$\{PANDA_DB_PORT\}.*start-daemon\.sh all$/);
    expect(main(renderComponent('bigmon', { main: { autoStart: false } })).args[0]).toMatch(/sleep infinity & wait$/);
  });

  it('logs: a ReadWriteOnce claim template on the cluster default class (no class given)', () => {
    expect(sts(objs).spec.volumeClaimTemplates).toEqual([
      { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'test-bigmon-main-logs' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '5Gi' } }, volumeMode: 'Filesystem' }, status: { phase: 'Pending' } },
    ]);
  });

  it('B27: Service 443 → https; the Ingress TLS is the secrets lifecycle’s bigmon-tls-certs', () => {
    expect(find(objs, 'Service', 'test-bigmon-main').spec.ports).toEqual([{ name: 'https', port: 443, targetPort: 'https', protocol: 'TCP' }]);
    const ing = find(objs, 'Ingress', 'test-bigmon-main');
    expect(ing.spec.rules).toEqual([{ host: 'test-bigmon-main.cern.ch', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'test-bigmon-main', port: { number: 443 } } } }] } }]);
    expect(ing.spec.tls).toEqual([{ hosts: ['test-bigmon-main.cern.ch'], secretName: 'panda-secrets-bigmon-tls-certs' }]);
  });

  it('the sandbox holds the HEAD templates', () => {
    expect(Object.keys(find(objs, 'ConfigMap', 'test-bigmon-main-sandbox').binaryData).sort()).toEqual(
      ['00-httpd.conf.template', 'idds.cfg.template', 'idds_token.json.template', 'local.py.template', 'process_template.py', 'rucio.cfg.template'],
    );
  });
});

describe('bigmon options', () => {
  it('/condor_logs → the stack’s harvester Service from the names module, whatever the affix', () => {
    const paths = [{ path: '/condor_logs', pathType: 'Prefix', component: 'harvester' }, { path: '/' }];
    for (const [affix, svc, own] of [['test-', 'test-harvester', 'test-bigmon-main'], ['-dev', 'harvester-dev', 'bigmon-dev-main']] as const) {
      const objs = renderComponent('bigmon', { main: { ingress: { hosts: [{ hostOverride: 'mon.example.org', paths }] } } }, affix);
      expect(find(objs, 'Ingress', own).spec.rules[0].http.paths.map((p: any) => `${p.path}->${p.backend.service.name}:${p.backend.service.port.number}`)).toEqual([
        `/condor_logs->${svc}:443`,
        `/->${own}:443`,
      ]);
    }
  });

  it('an upstream serviceName/servicePort path is kept verbatim; component and serviceName together are refused', () => {
    const objs = renderComponent('bigmon', { main: { ingress: { hosts: [{ hostOverride: 'm.example.org', paths: [{ path: '/x', serviceName: 'other', servicePort: 8080 }] }] } } });
    expect(find(objs, 'Ingress', 'test-bigmon-main').spec.rules[0].http.paths[0].backend.service).toEqual({ name: 'other', port: { number: 8080 } });
    expect(() => renderComponent('bigmon', { main: { ingress: { hosts: [{ paths: [{ path: '/x', serviceName: 'a', component: 'harvester' }] }] } } })).toThrow(/either component or serviceName/);
  });

  it('shared logs claim with subPath and CVMFS (atlas_testbed)', () => {
    const objs = renderComponent('bigmon', {
      main: {
        persistentvolume: { create: false, sharedPvcName: 'panda-shared-logs', subPath: 'bigmon-logs' },
        cvmfs: { enabled: true, repositories: [{ name: 'atlas', repository: 'atlas.cern.ch' }] },
      },
    });
    expect(main(objs).volumeMounts[0]).toEqual({ name: 'test-bigmon-main-logs', mountPath: '/data/bigmon/logs', subPath: 'bigmon-logs' });
    expect(volumes(objs)).toContainEqual({ name: 'test-bigmon-main-logs', persistentVolumeClaim: { claimName: 'panda-shared-logs' } });
    expect(sts(objs).spec.volumeClaimTemplates).toBeUndefined();
    expect(main(objs).volumeMounts).toContainEqual({ name: 'cvmfs-atlas', mountPath: '/cvmfs/atlas.cern.ch' });
    expect(kindNames(objs)).toContain('PersistentVolume/test-bigmon-main-cvmfs-atlas');
  });

  it('persistentvolume.create: a hostPath PV (reclaim Delete) and a claim bound by selector', () => {
    const objs = renderComponent('bigmon', { main: { persistentvolume: { create: true, class: 'manual' } } });
    expect(find(objs, 'PersistentVolume', 'test-bigmon-main').spec).toMatchObject({ persistentVolumeReclaimPolicy: 'Delete', hostPath: { path: '/mnt/bigmon-main-logs' } });
    expect(find(objs, 'PersistentVolumeClaim', 'test-bigmon-main').spec.selector.matchLabels).toEqual({ 'app.kubernetes.io/name': 'main', 'app.kubernetes.io/instance': 'test-bigmon' });
    expect(volumes(objs)).toContainEqual({ name: 'test-bigmon-main-logs', persistentVolumeClaim: { claimName: 'test-bigmon-main' } });
  });

  it('installedAppsList sets BIGMON_INSTALLED_APPS_LIST', () => {
    expect(main(renderComponent('bigmon', { main: { installedAppsList: 'core.iDDS,core.reports' } })).env).toEqual([{ name: 'BIGMON_INSTALLED_APPS_LIST', value: 'core.iDDS,core.reports' }]);
  });

  it('global.existingTlsSecret mounts that TLS Secret as hostcert.pem/hostkey.pem', () => {
    const objs = renderComponent('bigmon', { global: { existingTlsSecret: 'bigmon-cert-manager' } });
    expect(volumes(objs)).toContainEqual({
      name: 'test-bigmon-main-certs',
      secret: { secretName: 'bigmon-cert-manager', items: [{ key: 'tls.crt', path: 'hostcert.pem' }, { key: 'tls.key', path: 'hostkey.pem' }] },
    });
  });

  it('Route on hostName with Ingress off (sphenix)', () => {
    const objs = renderComponent('bigmon', { main: { hostName: 'sphenix-panda.apps.rcf.bnl.gov', ingress: { enabled: false }, route: { enabled: true } } });
    expect(kindNames(objs)).not.toContain('Ingress/test-bigmon-main');
    expect(find(objs, 'Route', 'test-bigmon-main-route').spec).toMatchObject({ host: 'sphenix-panda.apps.rcf.bnl.gov', to: { kind: 'Service', name: 'test-bigmon-main' }, port: { targetPort: 'https' } });
  });

  it('renders nothing when main.enabled is false', () => {
    expect(renderComponent('bigmon', { main: { enabled: false } })).toEqual([]);
  });
});

describe('bigmon values', () => {
  it('2022 keys load and are reported as having no effect, naming their place in the secrets values', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bigmon-2022-'));
    const f = path.join(dir, 'values.yaml');
    fs.writeFileSync(f, 'main:\n  hostcerts:\n    enabled: false\n  secretKey: "FIXME"\n  panda:\n    hostName: "panda-postgres"\n  rucio:\n    rucioHost: "https://rucio"\n');
    const got = ignoredKeys(readLayers({ files: [`bigmon=${f}`] }), valuesSchema);
    expect(got.map((i) => `${i.where}:${i.line}`)).toEqual(['bigmon.main.hostcerts:3', 'bigmon.main.secretKey:4', 'bigmon.main.panda:6', 'bigmon.main.rucio:8']);
    expect(got[1]!.message).toMatch(/bigmon-envs.*`bigmon\.secretKey` in the secrets values/);
    expect(() => renderTemplate({ files: [`bigmon=${f}`], enable: ['bigmon'] })).not.toThrow();
  });

  it('a chart file’s global.existingTlsSecret is bigmon’s own (helm/bigmon/values.yaml)', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bigmon-global-'));
    const f = path.join(dir, 'values.yaml');
    fs.writeFileSync(f, 'global:\n  secret: panda-secrets\n  existingTlsSecret: my-tls\n');
    const objs = renderTemplate({ files: [`bigmon=${f}`], enable: ['bigmon'] });
    expect(volumes(objs).find((v: any) => v.name === 'test-bigmon-main-certs').secret.secretName).toBe('my-tls');
  });

  it('rejects unknown keys', () => {
    expect(() => renderComponent('bigmon', { main: { bogus: 1 } })).toThrow();
  });
});

describe.skipIf(!python)('bigmon sandbox scripts', () => {
  it('process_template.py fills set variables, keeps unset ones, overwrites outputs, and the mail password has no stray 8 (B20)', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bigmon-'));
    const src = path.join(componentSandboxDir('bigmon'), 'main');
    for (const f of fs.readdirSync(src)) fs.copyFileSync(path.join(src, f), path.join(dir, f));
    fs.writeFileSync(path.join(dir, 'local.py'), 'stale');
    const env = {
      PATH: process.env.PATH ?? '',
      BIGMON_HOST: 'mon.example.org',
      PANDA_DB_PASSWORD: 'pw',
      EMAIL_HOST_PASSWORD: 'mail',
      BIGMON_DEBUG: 'True',
      BIGMON_DB_ACCESS: 'dbaccess_postgres',
      IDDS_HOST: 'test-idds-rest',
      IDDS_PORT: '8443',
    };
    execFileSync('python3', [path.join(dir, 'process_template.py')], { env });
    expect(fs.readFileSync(path.join(dir, '00-httpd.conf'), 'utf8')).toMatch(/^ServerName mon\.example\.org$/m);
    expect(fs.readFileSync(path.join(dir, 'idds.cfg'), 'utf8')).toMatch(/^host = https:\/\/test-idds-rest:8443\/idds$/m);
    const probe = [
      'import runpy, json, sys',
      `g = runpy.run_path(${JSON.stringify(path.join(dir, 'local.py'))})`,
      "print(json.dumps([g['dbaccess'], g['dbaccess_postgres']['default']['PASSWORD'], g['dbaccess_postgres']['idds']['HOST'], g['EMAIL_HOST_PASSWORD'], g['DEBUG'], g['LOG_ROOT']]))",
    ].join('\n');
    const out = JSON.parse(execFileSync('python3', ['-c', probe]).toString());
    expect(out).toEqual(['dbaccess_postgres', 'pw', '${IDDS_DB_HOST}', 'mail', true, '/data/bigmon/logs']);
  });
});
