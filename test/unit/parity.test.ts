/**
 * Parity with upstream's rendered manifests (../shared, beside the clone), facet by facet.
 * Every facet we do not reproduce is a deliberate, documented difference (docs/differences.md);
 * this test fails on any other.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { toYamlStream } from '../../src/core/yaml.js';
import { type ComponentName } from '../../src/components/registry.js';
import { renderSecretsFromOptions } from '../../src/render/inputs.js';
import { SECRET_IDS } from '../../src/secrets/refs.js';
import { renderFromCheckout } from '../../src/render/testing.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const SHARED = path.resolve(ROOT, '..', 'shared');
const TOOL = path.join(SHARED, 'tools', 'parity.py');
const REF = path.join(SHARED, 'upstream', 'seed', 'render');
const HEAD = path.join(SHARED, 'upstream', 'head');
const available = fs.existsSync(TOOL) && spawnSync('python3', ['-c', 'import yaml']).status === 0;


function parity(ref: string, yaml: string): { missing: string[]; extra: string[]; line: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parity-'));
  const ours = path.join(dir, 'ours.yaml');
  fs.writeFileSync(ours, yaml);
  const r = spawnSync('python3', [TOOL, ref, ours, '--json'], { encoding: 'utf8' });
  const lines = r.stdout.trimEnd().split('\n');
  const line = lines.pop()!;
  const j = JSON.parse(lines.join('\n')) as { missing: string[]; extra_objects: string[] };
  return { missing: j.missing, extra: j.extra_objects, line };
}

// parity.py parses large YAML files: slow on a loaded machine
describe.skipIf(!available)('parity with upstream', { timeout: 120_000 }, () => {
  /**
   * Upstream HEAD, `install -t -a test- --from <HEAD checkout> [-e exp] -c panda`. The node-recovery
   * ClusterRole and binding carry the namespace in their names (B28).
   */
  const PANDA_HEAD: Record<string, string[]> = {
    none: [],
    lsst: [],
    'lsst-prod': [],
    atlas_testbed: ['exists:ClusterRole/test-panda-node-recovery', 'exists:ClusterRoleBinding/test-panda-node-recovery'],
  };
  it.each(Object.keys(PANDA_HEAD))('panda at HEAD, %s: every facet but the documented differences', (exp) => {
    const r = renderFromCheckout('panda', path.join(HEAD, 'tree'), { ...(exp !== 'none' ? { experiment: exp } : {}), namespace: 'default' });
    expect(r.missing).toEqual([]);
    const p = parity(path.join(HEAD, 'render', exp, 'panda.yaml'), toYamlStream(r.objects));
    expect(p.missing.sort()).toEqual(PANDA_HEAD[exp]!.sort());
    expect(p.extra.sort()).toEqual(PANDA_HEAD[exp]!.map((m) => `${m.slice('exists:'.length)}-default`).sort());
    const pct = Number(/parity: ([\d.]+)%/.exec(p.line)![1]);
    expect(pct).toBeGreaterThanOrEqual(98);
  }, 60_000);
  /**
   * msgsvc, iam, iam-db and ui at HEAD (`--from <HEAD checkout> [-e exp] -c <chart>`). Missing on
   * purpose (docs/differences.md): the iam-db backup is a CronJob, not a sleeping StatefulSet, on
   * the pinned official MariaDB image (B12) like the database; the ui host is never HEAD's
   * invalid `test-ui.%!s(<nil>)` (B22).
   */
  const BACKUP_STS = ['envFrom=secretRef:panda-secrets-iam-envs', 'image=ghcr.io/hsf/harvester:latest', 'mount:/opt/sandbox<-projected:'].map((f) => `StatefulSet/test-iam-db-backup containers[backup].${f}`);
  const IAM_DB = [...BACKUP_STS, 'exists:StatefulSet/test-iam-db-backup', 'StatefulSet/test-iam-db-mariadb containers[mariadb].image=bitnami/mariadb:latest'];
  const UI_B22 = ['/->test-ui-frontend', '/api->test-ui-backend', '/ws->test-ui-backend'].map((r) => `Ingress/test-ui rule=test-ui.%!s(<nil>)${r}:443`);
  const MINE_HEAD: [string, string, string[], string[]][] = [
    ...['none', 'lsst', 'lsst-prod'].flatMap((e) => [['msgsvc', e, [], []], ['iam', e, [], []]] as [string, string, string[], string[]][]),
    ['iam-db', 'none', IAM_DB, ['CronJob/test-iam-db-backup', 'PersistentVolumeClaim/test-iam-db-backup-special-data']],
    ['iam-db', 'lsst', [...IAM_DB, 'StatefulSet/test-iam-db-backup containers[backup].mount:/mnt/special-data<-persistentVolumeClaim:test-iam-db-backup-special-data'], ['CronJob/test-iam-db-backup']],
    ['ui', 'none', [...UI_B22, "Ingress/test-ui tls=panda-secrets-ui-tls-certs:['test-ui.%!s(<nil>)']"], []],
    ['ui', 'atlas_testbed', [], []],
  ];
  it.each(MINE_HEAD)('%s at HEAD, %s: every facet but the documented differences', (c, exp, missing, extra) => {
    const r = renderFromCheckout(c as ComponentName, path.join(HEAD, 'tree'), { ...(exp !== 'none' ? { experiment: exp } : {}), namespace: 'default' });
    expect(r.missing).toEqual([]);
    const p = parity(path.join(HEAD, 'render', exp, `${c}.yaml`), toYamlStream(r.objects));
    expect(p.missing.sort()).toEqual([...missing].sort());
    expect(p.extra.sort()).toEqual([...extra].sort());
  }, 60_000);
  /**
   * Upstream HEAD, `install -t -a test- --from <HEAD checkout> [-e exp] -c harvester`. The MariaDB
   * custom configuration is mounted as a file (subPath), so upstream's directory mount is missing.
   */
  const HARVESTER_HEAD = ['StatefulSet/test-harvester-mariadb containers[mariadb].mount:/opt/bitnami/mariadb/conf/my_custom.cnf<-configMap:test-harvester-mariadb-custom'];
  it.each(['none', 'lsst', 'lsst-prod', 'atlas_testbed'])('harvester at HEAD, %s: every facet but the documented differences', (exp) => {
    const r = renderFromCheckout('harvester', path.join(HEAD, 'tree'), { ...(exp !== 'none' ? { experiment: exp } : {}), namespace: 'default' });
    expect(r.missing).toEqual([]);
    const p = parity(path.join(HEAD, 'render', exp, 'harvester.yaml'), toYamlStream(r.objects));
    expect(p.missing).toEqual(HARVESTER_HEAD);
    expect(p.extra).toEqual([]);
    const pct = Number(/parity: ([\d.]+)%/.exec(p.line)![1]);
    expect(pct).toBeGreaterThanOrEqual(99.9);
  }, 60_000);
  it('secrets: 100% with the 2022 secrets values; the extra Secrets are those HEAD added', () => {
    const objs = renderSecretsFromOptions({ affix: 'test-', files: [`secrets=${path.join(SHARED, 'upstream/seed/values/secrets/values.yaml')}`] }).objects;
    const p = parity(path.join(REF, 'secrets.yaml'), toYamlStream(objs));
    expect(p.missing).toEqual([]);
    const seed = ['harvester-envs', 'harvester-certs', 'iam-db-envs', 'iam-envs', 'iam-initdb', 'iam-conf', 'idds-db-envs', 'idds-envs', 'idds-auth', 'idds-certs', 'msgsvc-envs', 'panda-envs', 'panda-certs', 'panda-auth'];
    expect(p.extra.sort()).toEqual(SECRET_IDS.filter((id) => id !== 'cric-jsons' && !seed.includes(id)).map((id) => `Secret/panda-secrets-${id}`).sort());
    expect(p.line).toMatch(/parity: 100.0%/);
  });
});
