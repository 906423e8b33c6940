/**
 * The client against misbehaving servers on 127.0.0.1: nothing listening, a socket that accepts
 * and never answers, an answer that never ends, resets, 503 with Retry-After. Every failure
 * names the server and says what happened, within the configured timeouts.
 */
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FakeClock, testKubeconfig } from '../ops/testing.js';
import { ClusterError, connect, fieldConflicts, foreignConflicts, type Kube } from './kube.js';
import { serverVersion } from './version.js';
import { classify } from './network.js';
import { withRetry } from './retry.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'panda-k8s-kube-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const kubeconfig = (server: string) => testKubeconfig(dir, server);

const NS = { apiVersion: 'v1', kind: 'Namespace', name: 'ns' } as const;
/** The client asks which resources v1 serves before it builds an object's path. */
const DISCOVERY = JSON.stringify({ kind: 'APIResourceList', groupVersion: 'v1', resources: [{ name: 'namespaces', namespaced: false, kind: 'Namespace', verbs: ['get'] }] });
const timeouts = { connectMs: 400, requestMs: 800 };
const fast = { budgetMs: 3000, initialDelayMs: 20, maxDelayMs: 200 };

async function listen(server: net.Server): Promise<number> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return (server.address() as net.AddressInfo).port;
}

async function failure(kube: Kube): Promise<{ e: ClusterError; ms: number }> {
  const t0 = performance.now();
  const e = await kube.get(NS).then(
    () => undefined,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(ClusterError);
  return { e: e as ClusterError, ms: performance.now() - t0 };
}

describe('API server failures', () => {
  it('nothing listening: refused at once, naming the server', async () => {
    const s = net.createServer();
    const port = await listen(s);
    await new Promise((r) => s.close(r));
    const server = `https://127.0.0.1:${port}`;
    const { e, ms } = await failure(connect({ kubeconfig: kubeconfig(server) }, { timeouts, retry: fast }));
    expect(e.message).toBe(`cannot reach the Kubernetes API server ${server}`);
    expect(e.issues[0]!.message).toBe('connection refused: nothing listens there');
    expect(e.exitCode).toBe(3);
    expect(ms).toBeLessThan(1000); // a server that never answered is not retried
  });

  it('a socket that accepts and never answers: the TLS handshake times out', async () => {
    const sockets: net.Socket[] = [];
    const s = net.createServer((c) => sockets.push(c));
    const port = await listen(s);
    try {
      const { e, ms } = await failure(connect({ kubeconfig: kubeconfig(`https://127.0.0.1:${port}`) }, { timeouts, retry: fast }));
      expect(e.issues[0]!.message).toBe('connected, but the TLS handshake did not finish within 0.4s (is this an API server?)');
      expect(ms).toBeGreaterThanOrEqual(390);
      expect(ms).toBeLessThan(1500);
    } finally {
      sockets.forEach((c) => c.destroy());
      s.close();
    }
  });

  it('an answer that never ends: the request times out', async () => {
    const s = http.createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"kind":');
    });
    const port = await listen(s);
    try {
      const { e, ms } = await failure(connect({ kubeconfig: kubeconfig(`http://127.0.0.1:${port}`) }, { timeouts, retry: { ...fast, budgetMs: 0 } }));
      expect(e.issues[0]!.message).toBe('no complete answer within 0.8s (--request-timeout)');
      expect(ms).toBeGreaterThanOrEqual(790);
      expect(ms).toBeLessThan(2500);
    } finally {
      s.closeAllConnections();
      s.close();
    }
  });

  it('503 with Retry-After, then a reset, then an answer: retried, the server asked delay honoured', async () => {
    const seen: number[] = [];
    let n = 0;
    const s = http.createServer((req, res) => {
      if (req.url === '/api/v1') return void res.writeHead(200, { 'content-type': 'application/json' }).end(DISCOVERY);
      seen.push(performance.now());
      n++;
      if (n === 1) return void res.writeHead(503, { 'retry-after': '1', 'content-type': 'application/json' }).end('{"kind":"Status","message":"etcd leader changed"}');
      if (n === 2) return void req.socket.destroy();
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'ns' } }));
    });
    const port = await listen(s);
    try {
      const retries: string[] = [];
      const kube = connect({ kubeconfig: kubeconfig(`http://127.0.0.1:${port}`) }, { timeouts, retry: fast, onRetry: (what, reason, ms) => retries.push(`${what}: ${reason} (${ms} ms)`) });
      const ns = await kube.get(NS);
      expect(ns?.metadata.name).toBe('ns');
      expect(retries).toEqual(['Namespace/ns: HTTP 503 (1000 ms)', 'Namespace/ns: the connection was reset (the server closed it mid-request) (40 ms)']);
      expect(seen[1]! - seen[0]!).toBeGreaterThanOrEqual(990);
    } finally {
      s.closeAllConnections();
      s.close();
    }
  });

  it('a client error is final and carries the server message and status', async () => {
    let n = 0;
    const s = http.createServer((req, res) => {
      if (req.url === '/api/v1') return void res.writeHead(200, { 'content-type': 'application/json' }).end(DISCOVERY);
      n++;
      res.writeHead(403, { 'content-type': 'application/json' }).end('{"kind":"Status","message":"namespaces \\"ns\\" is forbidden"}');
    });
    const port = await listen(s);
    try {
      const server = `http://127.0.0.1:${port}`;
      const { e } = await failure(connect({ kubeconfig: kubeconfig(server) }, { timeouts, retry: fast }));
      expect(n).toBe(1);
      expect(e.status).toBe(403);
      expect(e.message).toBe(`the API server ${server} refused Namespace/ns`);
      expect(e.issues[0]).toMatchObject({ message: '403: namespaces "ns" is forbidden', fix: 'your account lacks permission for this' });
    } finally {
      s.close();
    }
  });
});

describe('retry', () => {
  it('backs off exponentially within the budget, then gives the last error', async () => {
    const clock = new FakeClock();
    const at: number[] = [];
    const e = await clock
      .run(
        withRetry(
          async () => {
            at.push(clock.now());
            throw new Error('down');
          },
          { clock, policy: { budgetMs: 10_000, initialDelayMs: 500, maxDelayMs: 4000 }, decide: () => ({ retry: true }) },
        ),
      )
      .catch((x: Error) => x);
    expect((e as Error).message).toBe('down');
    expect(at).toEqual([0, 500, 1500, 3500, 7500]);
  });

  it('classifies what the network does', () => {
    const t = { connectMs: 1000, requestMs: 2000 };
    expect(classify(Object.assign(new Error('x'), { code: 'ECONNRESET' }), t).kind).toBe('reset');
    expect(classify(Object.assign(new Error('request to https://h failed, reason: self-signed certificate'), { code: 'DEPTH_ZERO_SELF_SIGNED_CERT' }), t)).toEqual({ kind: 'tls', detail: 'TLS failed: DEPTH_ZERO_SELF_SIGNED_CERT' });
    expect(classify(Object.assign(new Error('x'), { code: 'ENOTFOUND' }), t).kind).toBe('dns');
    expect(classify(Object.assign(new Error('The user aborted a request.'), { name: 'AbortError' }), t).detail).toBe('no complete answer within 2s (--request-timeout)');
  });
});

describe('field manager conflicts', () => {
  it('are read from a 409 Status as the API server serializes it (causes[].reason)', async () => {
    // the body kube-apiserver returns for a server-side apply without force
    const status = {
      kind: 'Status',
      status: 'Failure',
      message: 'Apply failed with 2 conflicts: conflict with "kubectl-patch" using apps/v1: .spec.replicas',
      reason: 'Conflict',
      details: {
        causes: [
          { reason: 'FieldManagerConflict', message: 'conflict with "kubectl-patch" using apps/v1', field: '.spec.replicas' },
          { reason: 'FieldManagerConflict', message: 'conflict with "kubectl-patch" using apps/v1', field: '.spec.template.spec.containers[name="c"].image' },
          { reason: 'FieldManagerConflict', message: 'conflict with "panda-k8s-rollout" using apps/v1', field: '.spec.template.metadata.annotations.x' },
        ],
      },
      code: 409,
    };
    const conflicts = fieldConflicts('Deployment/d', status);
    expect(conflicts).toEqual([
      { object: 'Deployment/d', manager: 'kubectl-patch', fields: ['.spec.replicas', '.spec.template.spec.containers[name="c"].image'] },
      { object: 'Deployment/d', manager: 'panda-k8s-rollout', fields: ['.spec.template.metadata.annotations.x'] },
    ]);
    // our own rollout annotation is not someone else's field
    expect(foreignConflicts(conflicts).map((c) => c.manager)).toEqual(['kubectl-patch']);
  });
});

/** A fake API server recording what it was asked. */
async function fakeServer(): Promise<{ port: number; seen: string[]; close(): Promise<void> }> {
  const seen: string[] = [];
  const server = http.createServer((req, res) => {
    seen.push(req.url!);
    const p = new URL(req.url!, 'http://x').pathname;
    res.setHeader('content-type', 'application/json');
    if (p.endsWith('/version')) return res.end(JSON.stringify({ gitVersion: 'v1.36.0', platform: 'linux/amd64', major: '1', minor: '36' }));
    if (p.endsWith('/api/v1')) return res.end(JSON.stringify({ kind: 'APIResourceList', groupVersion: 'v1', resources: [{ name: 'configmaps', namespaced: true, kind: 'ConfigMap', verbs: ['get'] }] }));
    if (p.endsWith('/namespaces/ns/configmaps/cm')) return res.end(JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm', namespace: 'ns' } }));
    res.statusCode = 404;
    res.end(JSON.stringify({ kind: 'Status', code: 404 }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { port: (server.address() as { port: number }).port, seen, close: () => new Promise((r) => server.close(() => r())) };
}

const CM = { apiVersion: 'v1', kind: 'ConfigMap', name: 'cm', namespace: 'ns' } as const;

/** A server address with a path prefix (Rancher-style https://host/k8s/clusters/c-x) keeps it, in discovery too. */
describe('discovery through the client', () => {
  it('keeps a path prefix of the server address', async () => {
    const s = await fakeServer();
    try {
      const target = { kubeconfig: kubeconfig(`http://127.0.0.1:${s.port}/k8s/clusters/c-x`) };
      const kube = connect(target);
      expect(await kube.serves('v1', 'ConfigMap')).toBe(true);
      expect((await kube.get(CM))?.metadata.name).toBe('cm');
      expect((await serverVersion(target)).gitVersion).toBe('v1.36.0');
      expect(s.seen.length).toBeGreaterThan(2);
      for (const u of s.seen) expect(u.startsWith('/k8s/clusters/c-x/')).toBe(true);
    } finally {
      await s.close();
    }
  });
});
