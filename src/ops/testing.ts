/**
 * Test doubles for the operations: a clock whose time moves only when everything waits on it,
 * and an in-memory cluster whose workloads become ready (or fail, or linger while deleted) on a
 * script, in that clock's time. Deterministic: a test of minutes of waiting takes milliseconds.
 */
import fs from 'node:fs';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import type { K8sObject } from '../core/k8s.js';
import { CLUSTER_SCOPED, refKey, type ObjectRef } from '../core/objects.js';
import type { Clock } from '../cluster/clock.js';
import { ClusterError, type Kube } from '../cluster/kube.js';
import type { Live } from '../cluster/readiness.js';

interface Timer {
  at: number;
  seq: number;
  fire(): void;
}

/** Virtual time. {@link run} drives it: whenever nothing but timers is left to do, time jumps to the next timer. */
export class FakeClock implements Clock {
  private t: number;
  private seq = 0;
  private timers: Timer[] = [];
  constructor(start = 0) {
    this.t = start;
  }
  now(): number {
    return this.t;
  }
  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      if (signal?.aborted) return resolve();
      const timer: Timer = { at: this.t + Math.max(0, ms), seq: this.seq++, fire: () => done() };
      const done = () => {
        this.timers = this.timers.filter((x) => x !== timer);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      this.timers.push(timer);
      signal?.addEventListener('abort', done, { once: true });
    });
  }
  /** Run `fn` at virtual time `at` (e.g. an operator's Ctrl-C). */
  at(at: number, fn: () => void): void {
    const timer: Timer = { at, seq: this.seq++, fire: () => ((this.timers = this.timers.filter((x) => x !== timer)), fn()) };
    this.timers.push(timer);
  }
  /** Await `p`, advancing virtual time whenever all other work is waiting on this clock. */
  async run<T>(p: Promise<T>): Promise<T> {
    let settled = false;
    const watched = p.finally(() => (settled = true));
    watched.catch(() => undefined);
    for (;;) {
      // every promise callback queued so far runs before the next macrotask
      await new Promise<void>((r) => setImmediate(r));
      if (settled) return watched;
      const next = [...this.timers].sort((a, b) => a.at - b.at || a.seq - b.seq)[0];
      if (!next) throw new Error(`deadlock at t=${this.t}: the operation waits on something other than the clock`);
      this.t = Math.max(this.t, next.at);
      next.fire();
    }
  }
}

export interface Script {
  /** Milliseconds from an object's latest change until it is ready; undefined: never ready. Default 0. */
  readyAfter?(o: K8sObject): number | undefined;
  /** A reason the rollout failed (the Deployment gets Progressing=False, ProgressDeadlineExceeded). */
  fails?(o: K8sObject): string | undefined;
  /** Milliseconds a deleted object lingers (finalizers); default 0. */
  deleteAfter?(ref: ObjectRef): number;
  /** An error the API server answers an apply with. */
  refuse?(o: K8sObject): Error | undefined;
  /** Virtual milliseconds every request takes; default 1. */
  latencyMs?: number;
}

export interface Call {
  at: number;
  op: 'apply' | 'dry-run' | 'create' | 'replace' | 'get' | 'list' | 'delete';
  object: string;
}

interface Stored {
  obj: K8sObject;
  resourceVersion: number;
  generation: number;
  changedAt: number;
  createdAt: number;
  deletedAt?: number;
  goneAt?: number;
}

/** A cluster in memory that answers like an API server for the kinds we deploy. */
export class FakeCluster implements Kube {
  readonly server = 'https://fake.invalid:6443';
  readonly calls: Call[] = [];
  private store = new Map<string, Stored>();
  private rv = 0;
  constructor(
    private readonly clock: FakeClock,
    private readonly script: Script = {},
    readonly namespace = 'ns',
  ) {
    this.put({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } });
  }

  /** Store an object as if it existed before the test. */
  put(o: K8sObject): void {
    const at = this.clock.now();
    this.store.set(this.key(o), { obj: structuredClone(o), resourceVersion: ++this.rv, generation: 1, changedAt: at, createdAt: at });
  }

  private key(o: K8sObject | ObjectRef): string {
    const kind = o.kind;
    const name = 'metadata' in o ? o.metadata.name : o.name;
    const ns = CLUSTER_SCOPED.has(kind) ? undefined : ('metadata' in o ? o.metadata.namespace : o.namespace) ?? this.namespace;
    return refKey({ apiVersion: o.apiVersion, kind, name, ...(ns ? { namespace: ns } : {}) });
  }

  private async request(op: Call['op'], object: string): Promise<void> {
    this.calls.push({ at: this.clock.now(), op, object });
    await this.clock.sleep(this.script.latencyMs ?? 1);
  }

  private live(s: Stored): Live {
    const o = structuredClone(s.obj) as K8sObject & { spec?: Record<string, any> };
    const now = this.clock.now();
    const meta = {
      ...o.metadata,
      resourceVersion: String(s.resourceVersion),
      generation: s.generation,
      creationTimestamp: new Date(s.createdAt).toISOString(),
      ...(s.deletedAt !== undefined ? { deletionTimestamp: new Date(s.deletedAt).toISOString(), finalizers: ['test/finalizer'] } : {}),
    };
    const live = { ...o, metadata: meta } as Live;
    const delay = this.script.readyAfter ? this.script.readyAfter(s.obj) : 0;
    const ready = delay !== undefined && now >= s.changedAt + delay;
    if (o.kind === 'Deployment' || o.kind === 'StatefulSet') {
      const want = (o.spec?.replicas ?? 1) as number;
      const failed = this.script.fails?.(s.obj);
      const revision = `${o.metadata.name}-${s.generation}`;
      live.status = {
        observedGeneration: s.generation,
        replicas: want,
        updatedReplicas: want,
        readyReplicas: ready ? want : 0,
        availableReplicas: ready ? want : 0,
        ...(o.kind === 'StatefulSet' ? { currentReplicas: want, currentRevision: revision, updateRevision: revision } : {}),
        conditions: failed
          ? [{ type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded', message: failed }]
          : [
              { type: 'Progressing', status: 'True', reason: ready ? 'NewReplicaSetAvailable' : 'ReplicaSetUpdated' },
              { type: 'Available', status: ready ? 'True' : 'False' },
            ],
      };
    } else if (o.kind === 'PersistentVolumeClaim') live.status = { phase: ready ? 'Bound' : 'Pending' };
    else if (o.kind === 'PersistentVolume') live.status = { phase: ready ? 'Available' : 'Pending' };
    return live;
  }

  private current(key: string): Stored | undefined {
    const s = this.store.get(key);
    if (s?.goneAt !== undefined && this.clock.now() >= s.goneAt) {
      this.store.delete(key);
      return undefined;
    }
    return s;
  }

  async apply(o: K8sObject, opts: { dryRun?: boolean } = {}): Promise<Live> {
    await this.request(opts.dryRun ? 'dry-run' : 'apply', `${o.kind}/${o.metadata.name}`);
    const refused = this.script.refuse?.(o);
    if (refused) throw refused;
    const key = this.key(o);
    const before = this.current(key);
    const obj = structuredClone(o);
    if (!CLUSTER_SCOPED.has(o.kind)) obj.metadata.namespace = o.metadata.namespace ?? this.namespace;
    const now = this.clock.now();
    const same = before && isDeepStrictEqual(before.obj, obj);
    const next: Stored = same
      ? before
      : { obj, resourceVersion: ++this.rv, generation: (before?.generation ?? 0) + 1, changedAt: now, createdAt: before?.createdAt ?? now };
    if (!opts.dryRun) this.store.set(key, next);
    return this.live(next);
  }

  async create(o: K8sObject): Promise<Live> {
    await this.request('create', `${o.kind}/${o.metadata.name}`);
    if (this.current(this.key(o))) throw new ClusterError(`the API server ${this.server} refused ${o.kind}/${o.metadata.name}`, [{ where: `${o.kind}/${o.metadata.name}`, message: '409: already exists' }], 409);
    return this.write(o, undefined);
  }

  async replace(o: K8sObject): Promise<Live> {
    await this.request('replace', `${o.kind}/${o.metadata.name}`);
    const before = this.current(this.key(o));
    const rv = (o.metadata as { resourceVersion?: string }).resourceVersion;
    if (!before || (rv !== undefined && rv !== String(before.resourceVersion)))
      throw new ClusterError(`the API server ${this.server} refused ${o.kind}/${o.metadata.name}`, [{ where: `${o.kind}/${o.metadata.name}`, message: before ? '409: the object has been modified' : '404: not found' }], before ? 409 : 404);
    return this.write(o, before);
  }

  private write(o: K8sObject, before: Stored | undefined): Live {
    const obj = structuredClone(o);
    delete (obj.metadata as { resourceVersion?: string }).resourceVersion;
    if (!CLUSTER_SCOPED.has(o.kind)) obj.metadata.namespace = o.metadata.namespace ?? this.namespace;
    const now = this.clock.now();
    const next: Stored = { obj, resourceVersion: ++this.rv, generation: (before?.generation ?? 0) + 1, changedAt: now, createdAt: before?.createdAt ?? now };
    this.store.set(this.key(o), next);
    return this.live(next);
  }

  async mergePatch(ref: ObjectRef, patch: Record<string, unknown>): Promise<Live> {
    await this.request('apply', `${ref.kind}/${ref.name}`);
    const before = this.current(this.key(ref));
    if (!before) throw new ClusterError(`the API server ${this.server} refused ${ref.kind}/${ref.name}`, [{ where: `${ref.kind}/${ref.name}`, message: '404: not found' }], 404);
    return this.write({ ...before.obj, ...patch } as K8sObject, before);
  }

  async get(ref: ObjectRef): Promise<Live | undefined> {
    await this.request('get', `${ref.kind}/${ref.name}`);
    const s = this.current(this.key(ref));
    return s && this.live(s);
  }

  async list(apiVersion: string, kind: string, opts: { namespace?: string; labelSelector?: string; fieldSelector?: string } = {}): Promise<Live[]> {
    await this.request('list', kind);
    const want = (opts.labelSelector ?? '')
      .split(',')
      .filter(Boolean)
      .map((kv) => kv.split('=') as [string, string]);
    // field selectors: only `involvedObject.name=x` (events of an object)
    const involved = /^involvedObject\.name=(.+)$/.exec(opts.fieldSelector ?? '')?.[1];
    const ns = CLUSTER_SCOPED.has(kind) ? undefined : (opts.namespace ?? this.namespace);
    return [...this.store.keys()]
      .map((k) => this.current(k))
      .filter((s): s is Stored => !!s && s.obj.kind === kind && s.obj.apiVersion === apiVersion && (!ns || (s.obj.metadata.namespace ?? this.namespace) === ns))
      .filter((s) => want.every(([k, v]) => s.obj.metadata.labels?.[k] === v))
      .filter((s) => involved === undefined || (s.obj.involvedObject as { name?: string } | undefined)?.name === involved)
      .map((s) => this.live(s));
  }

  async delete(ref: ObjectRef, opts: { resourceVersion?: string } = {}): Promise<boolean> {
    await this.request('delete', `${ref.kind}/${ref.name}`);
    const key = this.key(ref);
    const s = this.current(key);
    if (!s) return false;
    if (opts.resourceVersion !== undefined && opts.resourceVersion !== String(s.resourceVersion))
      throw new ClusterError(`the API server ${this.server} refused delete ${ref.kind}/${ref.name}`, [{ where: `${ref.kind}/${ref.name}`, message: '409: precondition failed' }], 409);
    if (s.deletedAt === undefined) {
      s.deletedAt = this.clock.now();
      s.goneAt = s.deletedAt + (this.script.deleteAfter?.(ref) ?? 0);
    }
    this.current(key);
    return true;
  }

  async serves(): Promise<boolean> {
    return true;
  }

  /** Calls of one kind, e.g. every apply. */
  ops(op: Call['op']): Call[] {
    return this.calls.filter((c) => c.op === op);
  }
}

/** A kubeconfig file in `dir` for a test server (any certificate accepted), namespace `namespace`. */
export function testKubeconfig(dir: string, server: string, namespace = 'ns'): string {
  const file = path.join(dir, `${Math.random().toString(36).slice(2)}.yaml`);
  fs.writeFileSync(
    file,
    `apiVersion: v1
kind: Config
clusters: [{name: c, cluster: {server: "${server}", insecure-skip-tls-verify: true}}]
users: [{name: u, user: {token: t}}]
contexts: [{name: x, context: {cluster: c, user: u, namespace: ${namespace}}}]
current-context: x
`,
  );
  return file;
}
