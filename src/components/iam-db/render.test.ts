import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildPlan } from '../../plan/plan.js';
import { container, find, headChart, objectSet, podSpec, renderComponent, renderTemplate, sortedKindNames, validationErrors } from '../../render/testing.js';
import { componentSandboxDir } from '../../core/paths.js';
import { renderFromOptions } from '../../render/inputs.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
const HEAD = headChart('iam-db');

describe('iam-db render (defaults)', () => {
  const objs = renderComponent('iam-db');

  it('the MariaDB StatefulSet with its volume, claim and Service; the backup CronJob with its sandbox and claim', () => {
    expect(sortedKindNames(objs)).toEqual(
      objectSet('test-iam-db-', {
        PersistentVolume: ['mariadb'],
        PersistentVolumeClaim: ['mariadb', 'backup-special-data'],
        Service: ['mariadb'],
        StatefulSet: ['mariadb'],
        ConfigMap: ['backup-sandbox'],
        CronJob: ['backup'],
      }),
    );
    expect(validationErrors(objs)).toEqual([]);
  });

  it('MariaDB: the official pinned image (B12), data at /var/lib/mysql, initdb and credentials from the secrets lifecycle', () => {
    const s = find(objs, 'StatefulSet', 'test-iam-db-mariadb');
    expect(s.spec.serviceName).toBe('test-iam-db-mariadb');
    const pod = podSpec(s);
    const c = pod.containers[0];
    expect(c.image).toBe('mariadb:10.11');
    expect(c.envFrom).toEqual([{ secretRef: { name: 'panda-secrets-iam-db-envs' } }]);
    expect(c.volumeMounts).toEqual([
      { name: 'test-iam-db-mariadb-data', mountPath: '/var/lib/mysql' },
      { name: 'test-iam-db-mariadb-initdb', mountPath: '/docker-entrypoint-initdb.d/' },
    ]);
    expect(pod.volumes).toEqual([
      { name: 'test-iam-db-mariadb-data', persistentVolumeClaim: { claimName: 'test-iam-db-mariadb' } },
      { name: 'test-iam-db-mariadb-initdb', secret: { secretName: 'panda-secrets-iam-initdb' } },
    ]);
    expect(c.readinessProbe.tcpSocket).toEqual({ port: 'mariadb-port' });
    expect(find(objs, 'PersistentVolume', 'test-iam-db-mariadb').spec.hostPath.path).toBe('/mnt/iam-data');
    expect(find(objs, 'Service', 'test-iam-db-mariadb').spec.ports).toEqual([{ name: 'mariadb-port', port: 3306, targetPort: 'mariadb-port', protocol: 'TCP' }]);
  });

  it('backup: a daily CronJob (not a sleeping pod) with a MariaDB client image, never two runs at once', () => {
    const cj = find(objs, 'CronJob', 'test-iam-db-backup');
    expect(cj.spec.schedule).toBe('17 3 * * *');
    expect(cj.spec.concurrencyPolicy).toBe('Forbid');
    expect(cj.spec.suspend).toBeUndefined();
    const pod = podSpec(cj);
    expect(pod.restartPolicy).toBe('OnFailure');
    const c = pod.containers[0];
    expect(c.image).toBe('mariadb:10.11');
    expect(c.image).not.toContain('harvester');
    expect(c.command).toEqual(['/bin/bash', '/opt/sandbox/backup_database.sh']);
    expect(c.envFrom).toEqual([{ secretRef: { name: 'panda-secrets-iam-envs' } }]);
    expect(c.env).toEqual([
      { name: 'BACKUP_DIR', value: '/mnt/special-data/panda_jobs/backup' },
      { name: 'BACKUP_KEEP', value: '0' },
    ]);
    expect(c.volumeMounts).toEqual([
      { name: 'test-iam-db-backup-sandbox', mountPath: '/opt/sandbox' },
      { name: 'test-iam-db-backup-special-data', mountPath: '/mnt/special-data' },
    ]);
  });

  it('the dumps always land on a claim (upstream without `mount` writes them inside the container)', () => {
    const pvc = find(objs, 'PersistentVolumeClaim', 'test-iam-db-backup-special-data').spec;
    expect(pvc.storageClassName).toBeUndefined();
    expect(pvc).toMatchObject({ accessModes: ['ReadWriteMany'], resources: { requests: { storage: '100Gi' } } });
    expect(pvc.selector).toBeUndefined();
  });

  it('tier: the backup runs after the database is ready; iam-db before iam', () => {
    const plan = buildPlan(renderFromOptions({ affix: 'test-', enable: ['iam-db', 'iam'] }), 'ns');
    const node = (id: string) => plan.nodes.find((n) => n.id === id)!;
    expect(node('iam-db/backup').deps).toContain('iam-db/mariadb');
    expect(node('iam').deps).toEqual(expect.arrayContaining(['iam-db/mariadb', 'iam-db/backup']));
  });
});

describe('iam-db options', () => {
  it('schedule, retention and autoStart false (suspended)', () => {
    const cj = find(renderComponent('iam-db', { backup: { schedule: '0 1 * * 0', keep: 14, autoStart: false } }), 'CronJob', 'test-iam-db-backup');
    expect(cj.spec).toMatchObject({ schedule: '0 1 * * 0', suspend: true });
    expect(container(cj).env).toContainEqual({ name: 'BACKUP_KEEP', value: '14' });
  });

  it('lsst: the backup claim on sdf-data-rubin (100Gi), MariaDB data on weka without PV', () => {
    const objs = renderTemplate({ experiment: 'lsst', enable: ['iam-db'] });
    expect(find(objs, 'PersistentVolumeClaim', 'test-iam-db-backup-special-data').spec).toMatchObject({ storageClassName: 'sdf-data-rubin', resources: { requests: { storage: '100Gi' } } });
    expect(objs.some((o) => o.kind === 'PersistentVolume')).toBe(false);
    const pvc = find(objs, 'PersistentVolumeClaim', 'test-iam-db-mariadb').spec;
    expect(pvc).toMatchObject({ storageClassName: 'wekafs--sdf-k8s01', resources: { requests: { storage: '50Gi' } } });
    expect(pvc.selector).toBeUndefined();
  });

  it('the database or the backup can be left out (-d iam-db.backup)', () => {
    expect(sortedKindNames(renderTemplate({ enable: ['iam-db'], disable: ['iam-db.backup'] }))).toEqual(['PersistentVolume/test-iam-db-mariadb', 'PersistentVolumeClaim/test-iam-db-mariadb', 'Service/test-iam-db-mariadb', 'StatefulSet/test-iam-db-mariadb'].sort());
    expect(renderComponent('iam-db', { mariadb: { enabled: false } }).some((o) => o.metadata.name.includes('mariadb'))).toBe(false);
  });

  it('upstream’s unread backup keys are accepted', () => {
    expect(() => renderComponent('iam-db', { backup: { replicaCount: 1, noRoot: false, service: { httpsPort: 8443 }, ingress: { enabled: false }, autoscaling: { enabled: false } } })).not.toThrow();
    expect(() => renderComponent('iam-db', { backup: { bogus: 1 } })).toThrow();
  });

  it.each(['dev', 'lsst', 'sphenix'])('HEAD’s values-%s.yaml loads unchanged and renders like the built-in overlay', (exp) => {
    const theirs = renderTemplate({ files: [`iam-db=${path.join(HEAD, 'values.yaml')}`, `iam-db=${path.join(HEAD, 'values', `values-${exp}.yaml`)}`], enable: ['iam-db'] });
    expect(theirs).toEqual(renderTemplate({ experiment: exp, enable: ['iam-db'] }));
  });
});

describe('backup_database.sh', () => {
  const script = path.join(componentSandboxDir('iam-db'), 'backup', 'backup_database.sh');

  function run(env: Record<string, string>, dumpExit = 0) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'iam-backup-'));
    const bin = path.join(dir, 'bin');
    fs.mkdirSync(bin);
    // a stand-in mariadb-dump: records its arguments and password source, prints a dump
    fs.writeFileSync(path.join(bin, 'mariadb-dump'), `#!/bin/sh\necho "args: $*" > "${dir}/args"\necho "pwd: $MYSQL_PWD" >> "${dir}/args"\necho "-- dump"\nexit ${dumpExit}\n`, { mode: 0o755 });
    const out = path.join(dir, 'backup');
    const r = spawnSync('bash', [script], {
      env: { PATH: `${bin}:${process.env.PATH}`, IAM_DB_HOST: 'test-iam-db-mariadb', IAM_DB_NAME: 'iam_db', IAM_DB_USERNAME: 'iam', IAM_DB_PASSWORD: 's3cret', BACKUP_DIR: out, ...env },
      encoding: 'utf8',
    });
    return { r, dir, out };
  }

  it('writes one dated dump of the database; the password goes through the environment', () => {
    const { r, dir, out } = run({});
    expect(r.status, r.stderr).toBe(0);
    const files = fs.readdirSync(out);
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(/^iam_db_test-iam-db-mariadb_\d{4}\.\d{2}\.\d{2}-\d{2}\.\d{2}\.\d{2}$/);
    expect(fs.readFileSync(path.join(out, files[0]!), 'utf8')).toBe('-- dump\n');
    const args = fs.readFileSync(path.join(dir, 'args'), 'utf8');
    expect(args).toContain('-h test-iam-db-mariadb -u iam --databases iam_db');
    expect(args.split('\n')[0]).not.toContain('s3cret');
    expect(args).toContain('pwd: s3cret');
  });

  it('a failed dump fails the run and leaves no file', () => {
    const { r, out } = run({}, 2);
    expect(r.status).not.toBe(0);
    expect(fs.readdirSync(out)).toEqual([]);
  });

  it('BACKUP_KEEP keeps only the newest dumps', () => {
    const { out } = run({});
    for (const [i, d] of ['2020.01.01-00.00.00', '2020.01.02-00.00.00'].entries()) {
      const f = path.join(out, `iam_db_test-iam-db-mariadb_${d}`);
      fs.writeFileSync(f, 'old');
      fs.utimesSync(f, new Date(2020, 0, i + 1), new Date(2020, 0, i + 1));
    }
    const r = spawnSync('bash', [script], { env: { ...process.env, PATH: `${path.join(path.dirname(out), 'bin')}:${process.env.PATH}`, IAM_DB_HOST: 'test-iam-db-mariadb', IAM_DB_NAME: 'iam_db', IAM_DB_USERNAME: 'iam', IAM_DB_PASSWORD: 'x', BACKUP_DIR: out, BACKUP_KEEP: '2' }, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const left = fs.readdirSync(out).sort();
    expect(left).toHaveLength(2);
    expect(left).not.toContain('iam_db_test-iam-db-mariadb_2020.01.01-00.00.00');
  });
});
