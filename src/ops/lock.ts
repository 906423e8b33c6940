/**
 * One operation at a time per stack: a coordination.k8s.io Lease named after the stack's releases
 * (`<affix>panda-k8s`), held while an install or uninstall runs and renewed every few seconds. A
 * second operation waits for it (up to `waitMs`) or fails at once naming the holder and since when.
 * A holder that was killed stops renewing, and its Lease expires after `leaseSeconds`.
 */
import { ExitCode, PandaError } from '../core/errors.js';
import { LABEL, MANAGED_BY, type K8sObject } from '../core/k8s.js';
import { releaseName, type Affix } from '../core/names.js';
import type { ObjectRef } from '../core/objects.js';
import type { Clock } from '../cluster/clock.js';
import { ClusterError, type Kube } from '../cluster/kube.js';
import type { Live } from '../cluster/readiness.js';

export interface LockOptions {
  /** Who we are, for the other side's message: `alice@host pid 123: install`. */
  holder: string;
  clock: Clock;
  /** How long to wait for another holder; 0 fails at once. */
  waitMs?: number;
  leaseSeconds?: number;
  /** Between two renewals; a third of the lease by default. */
  renewMs?: number;
  /** Between two looks at a held lock while waiting. */
  pollMs?: number;
  signal?: AbortSignal;
  /** Waiting for another holder (once, when the wait starts). */
  onWait?: (holder: string, since: string) => void;
  /** The lock was taken over (we stopped renewing in time): the operation should stop. */
  onLost?: () => void;
}

export interface StackLock {
  name: string;
  release(): Promise<void>;
}

interface LeaseSpec {
  holderIdentity?: string;
  leaseDurationSeconds?: number;
  acquireTime?: string;
  renewTime?: string;
  leaseTransitions?: number;
}

export const lockName = (affix: Affix) => releaseName(affix, 'panda-k8s');

/** MicroTime as the API server writes it. */
const micro = (ms: number) => new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');

function lease(name: string, namespace: string, spec: LeaseSpec, resourceVersion?: string): K8sObject {
  return {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: { name, namespace, labels: { [LABEL.managedBy]: MANAGED_BY }, ...(resourceVersion ? { resourceVersion } : {}) },
    spec,
  };
}

const is409 = (e: unknown) => e instanceof ClusterError && e.status === 409;

export async function acquireLock(kube: Kube, affix: Affix, o: LockOptions): Promise<StackLock> {
  const name = lockName(affix);
  const ref: ObjectRef = { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', name, namespace: kube.namespace };
  const seconds = o.leaseSeconds ?? 30;
  const deadline = o.clock.now() + (o.waitMs ?? 0);
  const mine = (live: Live | undefined, transitions: number): LeaseSpec => {
    const now = micro(o.clock.now());
    return { holderIdentity: o.holder, leaseDurationSeconds: seconds, acquireTime: now, renewTime: now, leaseTransitions: transitions + (live ? 1 : 0) };
  };
  // a lease is expired when its renewal is older than its duration, by its own clock or by ours:
  // one that has not changed for a whole duration while we watched is expired whatever the clocks say
  let watched: { rv: string; since: number } | undefined;
  let announced = false;
  for (;;) {
    if (o.signal?.aborted) throw new PandaError('interrupted while waiting for the stack lock', [], ExitCode.interrupted);
    const live = await kube.get(ref);
    const spec = (live?.spec ?? {}) as LeaseSpec;
    let held: Live | undefined;
    try {
      if (!live) held = await kube.create(lease(name, kube.namespace, mine(undefined, 0)));
      else {
        const rv = live.metadata.resourceVersion ?? '';
        if (watched?.rv !== rv) watched = { rv, since: o.clock.now() };
        const duration = (spec.leaseDurationSeconds ?? seconds) * 1000;
        const renewed = spec.renewTime ? Date.parse(spec.renewTime) : 0;
        const expired = !spec.holderIdentity || o.clock.now() > renewed + duration || o.clock.now() - watched.since > duration;
        if (expired) held = await kube.replace(lease(name, kube.namespace, mine(live, spec.leaseTransitions ?? 0), rv));
      }
    } catch (e) {
      if (!is409(e)) throw e;
      continue; // someone else was quicker: look again
    }
    if (held) return holding(kube, ref, held, o);
    const since = spec.acquireTime ?? '?';
    if (o.clock.now() >= deadline) {
      const ago = spec.renewTime ? `${Math.max(0, Math.round((o.clock.now() - Date.parse(spec.renewTime)) / 1000))}s ago` : 'never';
      throw new PandaError(
        `the stack is locked by another operation: ${spec.holderIdentity}`,
        [
          {
            where: `Lease/${name}`,
            message: `held by ${spec.holderIdentity} since ${since} (last renewed ${ago}, expires ${spec.leaseDurationSeconds ?? seconds}s after its last renewal)`,
            fix: o.waitMs ? 'it is still running: wait longer with a larger --wait-for-lock' : 'wait for it with --wait-for-lock 10m; a lock of a killed process expires by itself',
          },
        ],
        ExitCode.locked,
      );
    }
    if (!announced) {
      announced = true;
      o.onWait?.(spec.holderIdentity ?? '?', since);
    }
    await o.clock.sleep(Math.min(o.pollMs ?? 2000, Math.max(0, deadline - o.clock.now())), o.signal);
  }
}

function holding(kube: Kube, ref: ObjectRef, held: Live, o: LockOptions): StackLock {
  let current = held;
  const stop = new AbortController();
  const seconds = o.leaseSeconds ?? 30;
  const renewing = (async () => {
    for (;;) {
      await o.clock.sleep(o.renewMs ?? (seconds * 1000) / 3, stop.signal);
      if (stop.signal.aborted) return;
      const spec = { ...(current.spec as LeaseSpec), renewTime: micro(o.clock.now()) };
      try {
        current = await kube.replace(lease(ref.name, kube.namespace, spec, current.metadata.resourceVersion));
      } catch (e) {
        if (is409(e)) return void o.onLost?.();
        // unreachable for a while: keep trying; the operation itself will report the outage
      }
    }
  })();
  return {
    name: ref.name,
    async release() {
      stop.abort();
      await renewing;
      try {
        await kube.delete(ref, { ...(current.metadata.resourceVersion ? { resourceVersion: current.metadata.resourceVersion } : {}) });
      } catch (e) {
        if (!is409(e)) throw e; // taken over meanwhile: it is not ours to delete
      }
    },
  };
}

/** Hold the stack's lock while `fn` runs. */
export async function withStackLock<T>(kube: Kube, affix: Affix, o: LockOptions | undefined, fn: () => Promise<T>): Promise<T> {
  if (!o) return fn();
  const lock = await acquireLock(kube, affix, o);
  try {
    return await fn();
  } finally {
    await lock.release();
  }
}
