/**
 * The exit codes of docs/cli.md, command by command, for what needs no real cluster: 0 for the
 * commands that touch none, 2 for a flag error on every command, 3 for an API server that refuses
 * connections or accepts them and never answers (within the configured timeouts, naming the
 * server), 130 for Ctrl-C. Codes 0, 1, 4 and 5 against a real API server are in
 * test/cluster/exit-codes.test.ts. Times are printed.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testKubeconfig } from '../../src/ops/testing.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const CLI = path.join(ROOT, 'bin', 'panda-k8s.js');
const SECRETS = path.join(ROOT, 'test', 'cluster', 'fixtures', 'secrets-values.yaml');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'panda-k8s-exit-'));

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Run the CLI without blocking this process (the fake servers answer from its event loop). */
function cli(args: readonly string[], o: { signalAfterMs?: number[] } = {}): Promise<Run> {
  return new Promise((resolve) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, [CLI, ...args], { cwd: tmp, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    for (const ms of o.signalAfterMs ?? []) setTimeout(() => child.kill('SIGINT'), ms);
    child.on('close', (status) => resolve({ status, stdout, stderr, ms: performance.now() - t0 }));
  });
}

const kubeconfig = (_name: string, server: string) => testKubeconfig(tmp, server, 'default');

async function listen(s: net.Server): Promise<number> {
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  return (s.address() as net.AddressInfo).port;
}

/** Every command that talks to a cluster, with the inputs it needs to get as far as connecting. */
const CLUSTER_COMMANDS: Record<string, string[]> = {
  install: ['install', '--secrets-values', SECRETS, '--allow-placeholders', '-c', 'msgsvc'],
  diff: ['diff', '--secrets-values', SECRETS, '-c', 'msgsvc'],
  status: ['status'],
  uninstall: ['uninstall', '-a', 'x-'],
  'secrets install': ['secrets', 'install', '--secrets-values', SECRETS, '--allow-placeholders'],
  'secrets diff': ['secrets', 'diff', '--secrets-values', SECRETS],
  'secrets uninstall': ['secrets', 'uninstall', '--secrets-values', SECRETS],
  version: ['version'],
};

/** The commands that need no cluster, as they succeed. */
const LOCAL_COMMANDS: Record<string, string[]> = {
  template: ['template', '-c', 'msgsvc'],
  'install -t': ['install', '-t', '-c', 'msgsvc'],
  'secrets install -t': ['secrets', 'install', '-t'],
  schema: ['schema'],
  experiments: ['experiments'],
  'version --client': ['version', '--client'],
};

const refused = { server: '', file: '' };
const tcpSilent = { server: '', file: '', sockets: [] as net.Socket[], s: undefined as net.Server | undefined };
const httpSilent = { server: '', file: '', s: undefined as http.Server | undefined };

beforeAll(async () => {
  const s = net.createServer();
  const port = await listen(s);
  await new Promise((r) => s.close(r));
  refused.server = `https://127.0.0.1:${port}`;
  refused.file = kubeconfig('refused', refused.server);
  // accepts TCP and never speaks: the TLS handshake never finishes
  tcpSilent.s = net.createServer((c) => tcpSilent.sockets.push(c));
  tcpSilent.server = `https://127.0.0.1:${await listen(tcpSilent.s)}`;
  tcpSilent.file = kubeconfig('tcp-silent', tcpSilent.server);
  // accepts HTTP requests and never answers them
  httpSilent.s = http.createServer(() => {});
  httpSilent.server = `http://127.0.0.1:${await listen(httpSilent.s)}`;
  httpSilent.file = kubeconfig('http-silent', httpSilent.server);
});

afterAll(() => {
  tcpSilent.sockets.forEach((c) => c.destroy());
  tcpSilent.s?.close();
  httpSilent.s?.closeAllConnections();
  httpSilent.s?.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe('exit codes', { timeout: 120_000 }, () => {
  it.each(Object.entries(LOCAL_COMMANDS))('0: %s, touching no cluster', async (_name, args) => {
    const r = await cli(args);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.length).toBeGreaterThan(0);
  });

  it.each([...Object.entries(CLUSTER_COMMANDS), ...Object.entries(LOCAL_COMMANDS)])('2: %s with an unknown flag, nothing on stdout', async (_name, args) => {
    const r = await cli([...args, '--no-such-flag']);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/unknown option '--no-such-flag'/);
  });

  it.each(Object.entries(CLUSTER_COMMANDS))('3: %s, nothing listening: at once, naming the server', async (name, args) => {
    const r = await cli([...args, '--kubeconfig', refused.file]);
    console.log(`refused, ${name}: exit ${r.status} after ${r.ms.toFixed(0)} ms`);
    expect(r.status, r.stderr).toBe(3);
    expect(r.stderr).toContain(refused.server);
    expect(r.stderr).toMatch(/connection refused/);
  });

  it.each(Object.entries(CLUSTER_COMMANDS))('3: %s, a socket that accepts and never answers: within --connect-timeout', async (name, args) => {
    const r = await cli([...args, '--kubeconfig', tcpSilent.file, '--connect-timeout', '1s', '--request-timeout', '2s']);
    console.log(`silent socket, ${name}: exit ${r.status} after ${r.ms.toFixed(0)} ms (--connect-timeout 1s)`);
    expect(r.status, r.stderr).toBe(3);
    expect(r.stderr).toContain(tcpSilent.server);
    expect(r.stderr).toMatch(/TLS handshake did not finish within 1s/);
    // one timeout and the process's own start: far below the 10 minutes this once took
    expect(r.ms).toBeLessThan(15_000);
  });

  it.each(Object.entries(CLUSTER_COMMANDS))('3: %s, an API server that takes requests and never answers: within --request-timeout', async (name, args) => {
    const r = await cli([...args, '--kubeconfig', httpSilent.file, '--connect-timeout', '1s', '--request-timeout', '2s']);
    console.log(`silent server, ${name}: exit ${r.status} after ${r.ms.toFixed(0)} ms (--request-timeout 2s)`);
    expect(r.status, r.stderr).toBe(3);
    expect(r.stderr).toContain(httpSilent.server);
    expect(r.stderr).toMatch(/no complete answer within 2s \(--request-timeout\)/);
    expect(r.ms).toBeLessThan(20_000);
  });

  it.each([
    ['status', CLUSTER_COMMANDS.status!, [1500]],
    ['install (a second Ctrl-C quits at once)', CLUSTER_COMMANDS.install!, [1500, 2500]],
  ] as const)('130: %s, interrupted while a request hangs', async (_name, args, signals) => {
    const r = await cli([...args, '--kubeconfig', httpSilent.file, '--request-timeout', '60s'], { signalAfterMs: [...signals] });
    expect(r.status, r.stderr).toBe(130);
    expect(r.stderr).toMatch(/interrupted/);
    expect(r.ms).toBeLessThan(30_000);
  });
});
