/**
 * The one place that talks to the Kubernetes API: kubeconfig loading, and generic apply, create,
 * replace, read, list and delete of any kind. Server-side apply with a fixed field manager. Every
 * request has connect and request deadlines (network.ts); idempotent ones are retried with backoff
 * on connection errors, 429 and 5xx once the server has answered (retry.ts). Failures name the
 * server, the object and what happened. Never mutates the caller's objects.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ApiException, createConfiguration, KubeConfig, KubernetesObjectApi, PatchStrategy, ServerConfiguration, type KubernetesObject } from '@kubernetes/client-node';
import { ExitCode, PandaError, type Issue } from '../core/errors.js';
import type { K8sObject } from '../core/k8s.js';
import { CLUSTER_SCOPED, type ObjectRef } from '../core/objects.js';
import { realClock, type Clock } from './clock.js';
import { classify, deadlines, DEFAULT_TIMEOUTS, transient, type Failure, type Timeouts } from './network.js';
import type { Live } from './readiness.js';
import { DEFAULT_RETRY, withRetry, type RetryPolicy } from './retry.js';

export const FIELD_MANAGER = 'panda-k8s';

export interface KubeTarget {
  kubeconfig?: string;
  context?: string;
  namespace?: string;
}

export interface KubeOptions {
  timeouts?: Timeouts;
  retry?: RetryPolicy;
  /** For retry backoff; the real clock unless a test drives time. */
  clock?: Clock;
  /** Hears about each retried request (progress: "retrying in 2s"). */
  onRetry?: (what: string, reason: string, delayMs: number) => void;
}

/** Another field manager owns fields of an object we apply (server-side apply without force). */
export interface FieldConflict {
  object: string;
  manager: string;
  fields: string[];
}

/** Our own field managers (the rollout's annotation patch is ours too): never reported as someone else's. */
export const ownManager = (manager: string) => manager === FIELD_MANAGER || manager.startsWith(`${FIELD_MANAGER}-`);

/** The conflicts with other tools and people, for the report. */
export const foreignConflicts = (conflicts: readonly FieldConflict[]) => conflicts.filter((c) => !ownManager(c.manager));

/** A request the API server answered with an error, or that never got an answer. */
export class ClusterError extends PandaError {
  constructor(
    message: string,
    issues: readonly Issue[],
    /** HTTP status when the server answered. */
    readonly status?: number,
    readonly conflicts: readonly FieldConflict[] = [],
  ) {
    super(message, issues, ExitCode.cluster);
  }
}

/** The API operations the operations use; one implementation talks to a real API server. */
export interface Kube {
  namespace: string;
  server: string;
  /**
   * Server-side apply; with `dryRun` nothing is persisted. Returns the resulting object. Fields
   * other managers own are taken over (`force`, the default); with `force: false` such a conflict
   * is a {@link ClusterError} with status 409 and its `conflicts`.
   */
  apply(o: K8sObject, opts?: { dryRun?: boolean; force?: boolean }): Promise<Live>;
  /** Create; a ClusterError with status 409 when it exists. */
  create(o: K8sObject): Promise<Live>;
  /** Replace the object at `metadata.resourceVersion`; a ClusterError with status 409 when it changed since. */
  replace(o: K8sObject): Promise<Live>;
  /** The live object, or undefined when it does not exist. */
  get(ref: ObjectRef): Promise<Live | undefined>;
  list(apiVersion: string, kind: string, opts?: { namespace?: string; labelSelector?: string; fieldSelector?: string }): Promise<Live[]>;
  /** A JSON merge patch under its own field manager (a rollout's annotation); returns the result. */
  mergePatch(ref: ObjectRef, patch: Record<string, unknown>): Promise<Live>;
  /** Delete (only at `resourceVersion`, when given); resolves false when it was already gone. */
  delete(ref: ObjectRef, opts?: { resourceVersion?: string }): Promise<boolean>;
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

const safeJson = (s: string): unknown => {
  try {
    return JSON.parse(s);
  } catch {
    return { message: s };
  }
};

interface Status {
  message?: string;
  reason?: string;
  /** A cause's type is serialized as `reason` (metav1.StatusCause). */
  details?: { causes?: { reason?: string; message?: string; field?: string }[] };
}
const statusOf = (e: ApiException<unknown>): Status | undefined => (typeof e.body === 'string' ? safeJson(e.body) : e.body) as Status | undefined;

/** `conflict with "kubectl-edit" using apps/v1: .spec.replicas` → manager and field. */
export function fieldConflicts(object: string, status: Status | undefined): FieldConflict[] {
  const byManager = new Map<string, string[]>();
  for (const c of status?.details?.causes ?? []) {
    if (c.reason !== 'FieldManagerConflict') continue;
    const m = /conflict with "([^"]+)"/.exec(c.message ?? '');
    const manager = m?.[1] ?? '(unknown manager)';
    byManager.set(manager, [...(byManager.get(manager) ?? []), c.field ?? c.message ?? '?']);
  }
  return [...byManager].map(([manager, fields]) => ({ object, manager, fields }));
}

const FIX: Partial<Record<Failure['kind'], string>> = {
  refused: 'check that the cluster is running and that --kubeconfig/--context name it',
  reset: 'the API server may be restarting or behind a proxy that drops connections; try again',
  dns: 'check the server address in the kubeconfig',
  unreachable: 'check the network path to the API server (VPN, firewall)',
  'connect-timeout': 'check the network path to the API server, or raise --connect-timeout',
  'tls-timeout': 'check that the kubeconfig names the API server itself (not a plain TCP port), or raise --connect-timeout',
  timeout: 'the API server is overloaded or stuck; raise --request-timeout or try again',
  tls: 'check certificate-authority(-data) and the server name in the kubeconfig',
};

/** A failed request as an error naming the server, the object and what went wrong. */
export function apiError(e: unknown, what: string, server: string, timeouts: Timeouts): PandaError {
  if (e instanceof PandaError) return e;
  const f = classify(e, timeouts);
  if (f.kind === 'other') return new ClusterError(`request to the API server ${server} failed`, [{ where: what, message: f.detail }]);
  if (f.kind !== 'http')
    return new ClusterError(`cannot reach the Kubernetes API server ${server}`, [{ where: what, message: f.detail, ...(FIX[f.kind] ? { fix: FIX[f.kind]! } : {}) }]);
  const status = statusOf(e as ApiException<unknown>);
  const message = status?.message ?? (e as Error).message;
  const conflicts = f.status === 409 ? fieldConflicts(what, status) : [];
  return new ClusterError(
    `the API server ${server} refused ${what}`,
    [{ where: what, message: `${f.status}: ${message}`, ...(f.status === 403 ? { fix: 'your account lacks permission for this' } : f.status === 413 ? { fix: 'the object is too large for the API server' } : {}) }],
    f.status,
    conflicts,
  );
}

const is404 = (e: unknown) => e instanceof ApiException && e.code === 404;

/** The client's generic API, with its own discovery (cached per group version) opened up. */
class ObjectApi extends KubernetesObjectApi {
  discover(apiVersion: string, kind: string) {
    return this.resource(apiVersion, kind);
  }
}

export function connect(t: KubeTarget, o: KubeOptions = {}): Kube {
  const kc = loadKubeConfig(t);
  const timeouts = o.timeouts ?? DEFAULT_TIMEOUTS;
  const cluster = kc.getCurrentCluster()!;
  const server = cluster.server;
  const api = new ObjectApi(
    createConfiguration({ baseServer: new ServerConfiguration(server, {}), authMethods: { default: kc }, promiseMiddleware: [deadlines(timeouts)] }),
  );
  const namespace = t.namespace ?? kc.getContextObject(kc.getCurrentContext())?.namespace ?? 'default';
  const ns = (kind: string, n?: string) => (CLUSTER_SCOPED.has(kind) ? undefined : (n ?? namespace));
  const header = (r: ObjectRef): KubernetesObject => ({
    apiVersion: r.apiVersion,
    kind: r.kind,
    metadata: { name: r.name, ...(ns(r.kind, r.namespace) ? { namespace: ns(r.kind, r.namespace)! } : {}) },
  });
  const placed = (obj: K8sObject): KubernetesObject => {
    const body = structuredClone(obj) as KubernetesObject;
    const n = ns(obj.kind, obj.metadata.namespace);
    if (n) body.metadata!.namespace = n;
    return body;
  };
  // Connection failures are retried only once the server has answered: a server that was never
  // there fails at once, one that restarts is waited for.
  let answered = false;
  const clock = o.clock ?? realClock;
  const policy = o.retry ?? DEFAULT_RETRY;
  async function call<T>(what: string, fn: () => Promise<T>, opts: { idempotent: boolean } = { idempotent: true }): Promise<T> {
    const once = async () => {
      try {
        const r = await fn();
        answered = true;
        return r;
      } catch (e) {
        if (e instanceof ApiException) answered = true;
        throw e;
      }
    };
    try {
      return await withRetry(once, {
        clock,
        policy,
        decide: (e) => {
          const f = classify(e, timeouts);
          if (!opts.idempotent || !transient(f) || (f.kind !== 'http' && !answered)) return { retry: false };
          return { retry: true, ...(f.kind === 'http' && f.retryAfterMs !== undefined ? { afterMs: f.retryAfterMs } : {}) };
        },
        onRetry: (e, delay) => o.onRetry?.(what, classify(e, timeouts).detail, delay),
      });
    } catch (e) {
      throw apiError(e, what, server, timeouts);
    }
  }
  const servedCache = new Map<string, Promise<boolean>>();
  return {
    namespace,
    server,
    apply: (obj, opts = {}) =>
      call(`${obj.kind}/${obj.metadata.name}`, async () => (await api.patch(placed(obj), undefined, opts.dryRun ? 'All' : undefined, FIELD_MANAGER, opts.force ?? true, PatchStrategy.ServerSideApply)) as Live),
    create: (obj) => call(`${obj.kind}/${obj.metadata.name}`, async () => (await api.create(placed(obj), undefined, undefined, FIELD_MANAGER)) as Live, { idempotent: false }),
    replace: (obj) => call(`${obj.kind}/${obj.metadata.name}`, async () => (await api.replace(placed(obj), undefined, undefined, FIELD_MANAGER)) as Live, { idempotent: false }),
    mergePatch: (ref, patch) =>
      call(`${ref.kind}/${ref.name}`, async () => (await api.patch({ ...header(ref), ...patch } as KubernetesObject, undefined, undefined, `${FIELD_MANAGER}-rollout`, undefined, PatchStrategy.MergePatch)) as Live),
    get: (ref) =>
      call(`${ref.kind}/${ref.name}`, async () => {
        try {
          return (await api.read(header(ref) as never)) as Live;
        } catch (e) {
          if (is404(e)) return undefined;
          throw e;
        }
      }),
    list: (apiVersion, kind, opts = {}) =>
      call(`list ${kind}`, async () => {
        try {
          const r = await api.list(apiVersion, kind, CLUSTER_SCOPED.has(kind) ? undefined : (opts.namespace ?? namespace), undefined, undefined, undefined, opts.fieldSelector, opts.labelSelector);
          // list items come without kind and apiVersion
          return ((r.items ?? []) as Live[]).map((i) => ({ ...i, apiVersion, kind }));
        } catch (e) {
          if (is404(e)) return [];
          throw e;
        }
      }),
    delete: (ref, opts = {}) =>
      call(`delete ${ref.kind}/${ref.name}`, async () => {
        try {
          await api.delete(header(ref), undefined, undefined, undefined, undefined, 'Background', opts.resourceVersion ? { preconditions: { resourceVersion: opts.resourceVersion } } : undefined);
          return true;
        } catch (e) {
          if (is404(e)) return false;
          throw e;
        }
      }),
    serves(apiVersion, kind) {
      const key = `${apiVersion}/${kind}`;
      let p = servedCache.get(key);
      if (!p) {
        // discovery by the client itself: [] for a group the server does not serve
        p = call(`discover ${apiVersion}`, async () => {
          try {
            return (await api.discover(apiVersion, kind)) !== undefined;
          } catch (e) {
            if (is404(e)) return false;
            throw e;
          }
        }).catch(() => true); // unknown: let the request itself say
        servedCache.set(key, p);
      }
      return p;
    },
  };
}
