/**
 * Discovery and requests go through the client's own configuration: a server address with a path
 * prefix (Rancher-style `https://host/k8s/clusters/c-x`) keeps it. Server on 127.0.0.1.
 */
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { connect } from './kube.js';
import { serverVersion } from './version.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'panda-k8s-discovery-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function kubeconfig(server: string): string {
  const file = path.join(dir, `${Math.random().toString(36).slice(2)}.yaml`);
  fs.writeFileSync(
    file,
    `apiVersion: v1
kind: Config
clusters: [{name: c, cluster: {server: "${server}", insecure-skip-tls-verify: true}}]
users: [{name: u, user: {token: t}}]
contexts: [{name: x, context: {cluster: c, user: u, namespace: ns}}]
current-context: x
`,
  );
  return file;
}

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
