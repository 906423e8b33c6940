/**
 * The one place that talks to the Kubernetes API: kubeconfig loading, and generic apply, read,
 * list and delete of any kind. Server-side apply with a fixed field manager. Never mutates the
 * caller's objects.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ApiException, KubeConfig, KubernetesObjectApi, PatchStrategy, type KubernetesObject } from '@kubernetes/client-node';
import { ExitCode, PandaError } from '../core/errors.js';
import type { K8sObject } from '../core/k8s.js';
import { CLUSTER_SCOPED, type ObjectRef } from '../core/refs.js';
import type { Live } from './readiness.js';

export const FIELD_MANAGER = 'panda-k8s';

export interface KubeTarget {
  kubeconfig?: string;
  context?: string;
  namespace?: string;
}

/** The API operations the commands use; one implementation talks to a real API server. */
export interface Kube {
  namespace: string;
  server: string;
  /** Server-side apply; with `dryRun` nothing is persisted. Returns the resulting object. */
  apply(o: K8sObject, opts?: { dryRun?: boolean }): Promise<Live>;
  /** The live object, or undefined when it does not exist. */
  get(ref: ObjectRef): Promise<Live | undefined>;
  list(apiVersion: string, kind: string, opts?: { namespace?: string; labelSelector?: string; fieldSelector?: string }): Promise<Live[]>;
  /** Delete; resolves false when it was already gone. */
  delete(ref: ObjectRef): Promise<boolean>;
  /** Whether the API server serves this apiVersion/kind (e.g. OpenShift Routes). */
  serves(apiVersion: string, kind: string): Promise<boolean>;
}

export function loadKubeConfig(t: KubeTarget): KubeConfig {
  const kc = new KubeConfig();
  const inCluster = !!process.env.KUBERNETES_SERVICE_HOST;
  const home = path.join(os.homedir(), '.kube', 'config');
  if (!t.kubeconfig && !process.env.KUBECONFIG && !inCluster && !fs.existsSync(home))
    throw new PandaError('no kubeconfig', [{ where: '$KUBECONFIG', message: `KUBECONFIG is not set and ${home} does not exist`, fix: 'pass --kubeconfig FILE or set KUBECONFIG' }], ExitCode.cluster);
  try {
    if (t.kubeconfig) kc.loadFromFile(t.kubeconfig);
    else kc.loadFromDefault();
  } catch (e) {
    throw new PandaError('cannot load kubeconfig', [
      { where: t.kubeconfig ?? '$KUBECONFIG', message: (e as Error).message, fix: 'pass --kubeconfig FILE or set KUBECONFIG' },
    ], ExitCode.cluster);
  }
  if (t.context) {
    if (!kc.getContexts().some((c) => c.name === t.context))
      throw new PandaError('unknown kubeconfig context', [
        { where: '--context', message: `no context ${JSON.stringify(t.context)}`, fix: `use one of: ${kc.getContexts().map((c) => c.name).join(', ')}` },
      ], ExitCode.cluster);
    kc.setCurrentContext(t.context);
  }
  if (!kc.getCurrentCluster())
    throw new PandaError('no cluster configured', [{ where: t.kubeconfig ?? '$KUBECONFIG', message: 'the kubeconfig has no current cluster', fix: 'pass --kubeconfig or --context' }], ExitCode.cluster);
  return kc;
}

/** The API server's message for a failed request, and the object it was about. */
export function apiError(e: unknown, what: string): PandaError {
  if (e instanceof PandaError) return e;
  let message = (e as Error).message ?? String(e);
  let code: number | undefined;
  if (e instanceof ApiException) {
    code = e.code;
    const body = typeof e.body === 'string' ? safeJson(e.body) : e.body;
    message = (body as { message?: string } | undefined)?.message ?? message;
  }
  const unreachable = /ECONNREFUSED|ENOTFOUND|ETIMEDOUT|EHOSTUNREACH|socket hang up/.test(message);
  return new PandaError(
    unreachable ? 'cannot reach the Kubernetes API server' : `the API server refused ${what}`,
    [
      {
        where: what,
        message: code ? `${code}: ${message}` : message,
        ...(unreachable ? { fix: 'check --kubeconfig/--context and that the cluster is running' } : code === 403 ? { fix: 'your account lacks permission for this' } : {}),
      },
    ],
    ExitCode.cluster,
  );
}

function safeJson(s: string): unknown {
  try {
    return JSON.parse(s);
  } catch {
    return { message: s };
  }
}

const is404 = (e: unknown) => e instanceof ApiException && e.code === 404;

export function connect(t: KubeTarget): Kube {
  const kc = loadKubeConfig(t);
  const api = KubernetesObjectApi.makeApiClient(kc);
  const namespace = t.namespace ?? kc.getContextObject(kc.getCurrentContext())?.namespace ?? 'default';
  const ns = (kind: string, n?: string) => (CLUSTER_SCOPED.has(kind) ? undefined : (n ?? namespace));
  const header = (r: ObjectRef): KubernetesObject => ({
    apiVersion: r.apiVersion,
    kind: r.kind,
    metadata: { name: r.name, ...(ns(r.kind, r.namespace) ? { namespace: ns(r.kind, r.namespace)! } : {}) },
  });
  const servedCache = new Map<string, Promise<boolean>>();
  return {
    namespace,
    server: kc.getCurrentCluster()!.server,
    async apply(o, opts = {}) {
      const body = structuredClone(o) as KubernetesObject;
      const n = ns(o.kind, o.metadata.namespace);
      if (n) body.metadata!.namespace = n;
      try {
        return (await api.patch(body, undefined, opts.dryRun ? 'All' : undefined, FIELD_MANAGER, true, PatchStrategy.ServerSideApply)) as Live;
      } catch (e) {
        throw apiError(e, `${o.kind}/${o.metadata.name}`);
      }
    },
    async get(ref) {
      try {
        return (await api.read(header(ref) as never)) as Live;
      } catch (e) {
        if (is404(e)) return undefined;
        throw apiError(e, `${ref.kind}/${ref.name}`);
      }
    },
    async list(apiVersion, kind, opts = {}) {
      try {
        const r = await api.list(apiVersion, kind, CLUSTER_SCOPED.has(kind) ? undefined : (opts.namespace ?? namespace), undefined, undefined, undefined, opts.fieldSelector, opts.labelSelector);
        return (r.items ?? []) as Live[];
      } catch (e) {
        if (is404(e)) return [];
        throw apiError(e, `list ${kind}`);
      }
    },
    async delete(ref) {
      try {
        await api.delete(header(ref), undefined, undefined, undefined, undefined, 'Background');
        return true;
      } catch (e) {
        if (is404(e)) return false;
        throw apiError(e, `delete ${ref.kind}/${ref.name}`);
      }
    },
    serves(apiVersion, kind) {
      const key = `${apiVersion}/${kind}`;
      let p = servedCache.get(key);
      if (!p) {
        p = (async () => {
          try {
            const path = apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
            const res = await fetchResources(kc, path);
            return res === undefined || res.some((r) => r.kind === kind);
          } catch {
            // discovery failed: assume it is served and let the request itself say otherwise
            return true;
          }
        })();
        servedCache.set(key, p);
      }
      return p;
    },
  };
}

/** The resources of an API group version; [] when the server does not serve it, undefined when unknown. */
async function fetchResources(kc: KubeConfig, path: string): Promise<{ kind: string }[] | undefined> {
  const cluster = kc.getCurrentCluster()!;
  const opts: Record<string, unknown> = {};
  const https = await import('node:https');
  await kc.applyToHTTPSOptions(opts as never);
  const url = new URL(path, cluster.server);
  return new Promise((resolve, reject) => {
    const req = https.request(url, { ...opts, method: 'GET' }, (res) => {
      let data = '';
      res.on('data', (c) => (data += c));
      res.on('end', () => {
        if (res.statusCode === 404) return resolve([]);
        if (res.statusCode !== 200) return resolve(undefined);
        try {
          resolve((JSON.parse(data) as { resources?: { kind: string }[] }).resources ?? []);
        } catch (e) {
          reject(e);
        }
      });
    });
    req.on('error', reject);
    req.end();
  });
}
