/** kubectl's and Helm's habits: output formats on every command, flags a command does not read refused, template and version. */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const cli = (...args: string[]) => spawnSync('node', [path.join(ROOT, 'bin', 'panda-k8s.js'), ...args], { cwd: ROOT, encoding: 'utf8' });

describe('cli conventions', { timeout: 60_000 }, () => {
  it('flags a command does not read are refused, not ignored', () => {
    for (const args of [
      ['secrets', 'install', '-t', '-e', 'lsst'],
      ['secrets', 'diff', '--experiment-dir', '/nonexistent'],
      ['secrets', 'install', '-t', '--sandbox-dir', '/nonexistent'],
      ['install', '-t', '--timeout', '5m'],
      ['install', '-t', '--kubeconfig', '/nonexistent'],
      ['secrets', 'install', '-t', '--no-rollout'],
      ['install', '--show-secrets', '--kubeconfig', '/nonexistent'],
      ['status', '-e', 'lsst'],
      ['version', '--client', '--context', 'x'],
      ['version', '--client', '--kube-context', 'x'],
    ]) {
      const r = cli(...args);
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.stdout, args.join(' ')).toBe('');
    }
    expect(cli('install', '-t', '--timeout', '5m').stderr).toContain('--timeout: is read only by a real install');
  });

  it('template, install -t and --dry-run=client print the same; -o json is a List, -o name kubectl names', () => {
    const yaml = cli('template', '-c', 'msgsvc');
    expect(yaml.status, yaml.stderr).toBe(0);
    expect(cli('install', '-t', '-c', 'msgsvc').stdout).toBe(yaml.stdout);
    expect(cli('install', '--dry-run=client', '-c', 'msgsvc').stdout).toBe(yaml.stdout);
    const docs = parseAllDocuments(yaml.stdout).map((d) => d.toJS() as { apiVersion: string; kind: string; metadata: { name: string } });
    const list = JSON.parse(cli('install', '-t', '-o', 'json', '-c', 'msgsvc').stdout);
    expect(list).toMatchObject({ apiVersion: 'v1', kind: 'List' });
    expect(list.items).toEqual(docs);
    const names = cli('template', '-o', 'name', '-c', 'msgsvc').stdout.trim().split('\n');
    expect(names).toEqual(docs.map((d) => `${d.kind.toLowerCase()}${d.apiVersion.includes('/') ? `.${d.apiVersion.split('/')[0]}` : ''}/${d.metadata.name}`));
    expect(names).toContain('deployment.apps/test-msgsvc-activemq');
  });

  it('-n under -t writes the namespace into the namespaced objects', () => {
    const docs = parseAllDocuments(cli('install', '-t', '-n', 'prod', '-c', 'msgsvc').stdout).map((d) => d.toJS() as { kind: string; metadata: { namespace?: string } });
    expect(docs.length).toBeGreaterThan(1);
    for (const d of docs) expect(d.metadata.namespace).toBe(d.kind === 'PersistentVolume' ? undefined : 'prod');
  });

  it('template --secrets renders the Secrets and the stack in one run, values redacted', () => {
    const r = cli('template', '--secrets', '-c', 'msgsvc', '-o', 'name');
    expect(r.status, r.stderr).toBe(0);
    const names = r.stdout.trim().split('\n');
    expect(names.filter((n) => n.startsWith('secret/panda-secrets-')).length).toBeGreaterThan(20);
    expect(names).toContain('deployment.apps/test-msgsvc-activemq');
    expect(cli('template', '--secrets', '-c', 'msgsvc').stdout).toContain('<redacted>');
  });

  it('version --client; -o json is a versioned document', () => {
    const r = cli('version', '--client', '-o', 'json');
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ apiVersion: 'panda-k8s/v1', kind: 'VersionReport', client: { version: expect.any(String) } });
    expect(cli('experiments', '-o', 'name').stdout.split('\n')).toContain('lsst');
    expect(cli('schema', '-o', 'yaml').stdout).toMatch(/^\$schema:|properties:/m);
  });
});
