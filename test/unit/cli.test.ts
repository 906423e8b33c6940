/** The CLI contract: exit codes, stdout/stderr discipline, redaction, upstream launcher flags. */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import { renderTemplate } from '../../src/render/testing.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const run = (bin: string, args: string[]) => spawnSync('node', [path.join(ROOT, 'bin', bin), ...args], { cwd: ROOT, encoding: 'utf8' });

// every test spawns node (and some render the whole stack): slow on a loaded machine
describe('cli', { timeout: 60_000 }, () => {
  it('install -t prints YAML on stdout and warnings on stderr', () => {
    const r = run('panda-k8s.js', ['install', '-t', '-e', 'lsst']);
    expect(r.status).toBe(0);
    const docs = parseAllDocuments(r.stdout).map((d) => d.toJS());
    expect(docs.length).toBe(renderTemplate({ experiment: 'lsst' }).length);
  });
  it('a reader that stops early is not an error', () => {
    const r = spawnSync('bash', ['-c', `node ${path.join(ROOT, 'bin', 'panda-k8s.js')} install -t 2>/dev/null | head -n 1; exit \${PIPESTATUS[0]}`], { encoding: 'utf8' });
    expect(r.stdout).toBe('apiVersion: v1\n');
    expect(r.status).toBe(0);
  });
  it('bad input: exit 2, nothing on stdout, every problem on stderr', () => {
    const r = run('panda-k8s.js', ['install', '-t', '-c', 'panda,nope', '-e', 'nosuch', '--set', 'panda.server.x=1']);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('unknown component "nope"');
    expect(r.stderr).toContain('unknown experiment "nosuch"');
  });
  it('secrets are redacted unless --show-secrets', () => {
    const hidden = run('panda-k8s.js', ['secrets', 'install', '-t', '--set', 'secrets.iam.database.password=Sesame0508']);
    expect(hidden.status).toBe(0);
    expect(hidden.stdout).not.toContain('Sesame0508');
    expect(hidden.stdout).toContain('<redacted>');
    const shown = run('panda-k8s.js', ['secrets', 'install', '-t', '--show-secrets', '--set', 'secrets.iam.database.password=Sesame0508']);
    expect(shown.stdout).toContain('Sesame0508');
    // the same inputs print the same document: no key is generated for a template
    expect(run('panda-k8s.js', ['secrets', 'install', '-t', '--show-secrets', '--set', 'secrets.iam.database.password=Sesame0508']).stdout).toBe(shown.stdout);
  }, 60_000);
  it('bin/install takes upstream flags and nothing else', () => {
    const r = run('install', ['-a', '-dev', '-e', 'sphenix', '-c', 'panda', '-d', 'panda.jedi', '-t']);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('name: panda-dev-server');
    expect(r.stdout).not.toContain('panda-dev-jedi');
    expect(run('install', ['--set', 'a=b']).status).toBe(2);
  });
  it('iam-db and ui: -c ui,iam-db and -d ui.frontend, with bin/install too; a missing UI host is named', () => {
    for (const [bin, args] of [
      ['panda-k8s.js', ['install', '-t', '-c', 'ui,iam-db', '-d', 'ui.frontend']],
      ['install', ['-t', '-c', 'ui,iam-db', '-d', 'ui.frontend']],
    ] as const) {
      const r = run(bin, [...args]);
      expect(r.status, r.stderr).toBe(0);
      const kinds = parseAllDocuments(r.stdout).map((d) => `${d.get('kind')}/${(d.toJS() as { metadata: { name: string } }).metadata.name}`);
      expect(kinds).toContain('StatefulSet/test-iam-db-mariadb');
      expect(kinds).toContain('CronJob/test-iam-db-backup');
      expect(kinds).toContain('StatefulSet/test-ui-backend');
      expect(kinds.some((k) => k.includes('frontend'))).toBe(false);
      expect(r.stderr).toContain('ui.global.hostOverwrite');
    }
    const bad = run('panda-k8s.js', ['install', '-t', '-d', 'ui.fronted']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('did you mean "ui.frontend"');
    for (const c of ['status', 'uninstall']) expect(run('panda-k8s.js', [c, '--kubeconfig', '/nonexistent', '-c', 'iam-db,ui']).stderr).not.toContain('unknown component');
  });
  it('--help and the schema', () => {
    for (const c of [['--help'], ['install', '--help'], ['secrets', 'install', '--help'], ['diff', '--help'], ['status', '--help'], ['uninstall', '--help']]) {
      const r = run('panda-k8s.js', c);
      expect(r.status, c.join(' ')).toBe(0);
      expect(r.stdout).toMatch(/Usage:/);
    }
    const s = JSON.parse(run('panda-k8s.js', ['schema']).stdout);
    expect(s.properties.panda.properties.server.properties.replicaCount.default).toBe(1);
  });
  it('a real install refuses FIXME placeholders before touching a cluster', () => {
    const r = run('panda-k8s.js', ['install', '--kubeconfig', '/nonexistent', '-c', 'bigmon', '--set', 'bigmon.main.route.enabled=true']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/FIXME placeholders; nothing was applied/);
    expect(r.stderr).toMatch(/Route\/test-bigmon-main-route spec\.host/);
  });
  it('a cluster command without a cluster exits 3 with the reason', () => {
    const r = spawnSync('node', [path.join(ROOT, 'bin', 'panda-k8s.js'), 'status', '--kubeconfig', '/nonexistent'], { encoding: 'utf8' });
    expect(r.status).toBe(3);
    expect(r.stderr).toMatch(/kubeconfig/);
  });
});
