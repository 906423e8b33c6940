/** The stack lock in virtual time: held, waited for, renewed, expired after its holder died. */
import { describe, expect, it } from 'vitest';
import { PandaError } from '../core/errors.js';
import { resolveAffix } from '../core/names.js';
import { acquireLock, lockName } from './lock.js';
import { FakeClock, FakeCluster } from './testing.js';

const affix = resolveAffix('dev-', undefined);
const T0 = Date.UTC(2026, 11, 1, 22, 0, 0);

/** The stack's Lease, as `FakeCluster.get` addresses it. */
const LEASE = { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', name: 'dev-panda-k8s', namespace: 'ns' };

/** A Lease left by a holder that is gone: 30 s duration, acquired and last renewed at the given times. */
function leftLease(kube: FakeCluster, holderIdentity: string, acquired: number, renewed: number): void {
  kube.put({
    apiVersion: LEASE.apiVersion,
    kind: LEASE.kind,
    metadata: { name: LEASE.name, namespace: LEASE.namespace },
    spec: { holderIdentity, leaseDurationSeconds: 30, acquireTime: new Date(acquired).toISOString(), renewTime: new Date(renewed).toISOString() },
  });
}

function setup() {
  const clock = new FakeClock(T0);
  const kube = new FakeCluster(clock, {}, 'ns');
  return { clock, kube };
}

describe('stack lock', () => {
  it('is a Lease named after the stack; a second holder fails at once naming the first and since when', async () => {
    const { clock, kube } = setup();
    expect(lockName(affix)).toBe('dev-panda-k8s');
    const e = await clock.run(
      (async () => {
        const first = await acquireLock(kube, affix, { holder: 'alice@h pid 1: install', clock });
        await clock.sleep(5000);
        return acquireLock(kube, affix, { holder: 'bob@h pid 2: install', clock }).then(
          () => undefined,
          async (x: unknown) => (await first.release(), x),
        );
      })(),
    );
    expect(e).toBeInstanceOf(PandaError);
    expect((e as PandaError).exitCode).toBe(5);
    expect((e as PandaError).message).toBe('the stack is locked by another operation: alice@h pid 1: install');
    expect((e as PandaError).issues[0]!.message).toBe('held by alice@h pid 1: install since 2026-12-01T22:00:00.001000Z (last renewed 5s ago, expires 30s after its last renewal)');
    expect(await clock.run(kube.get(LEASE))).toBeUndefined();
  });

  it('with a wait, the second gets it as soon as the first releases it; renewals keep it held meanwhile', async () => {
    const { clock, kube } = setup();
    const waits: string[] = [];
    const got = await clock.run(
      (async () => {
        const first = await acquireLock(kube, affix, { holder: 'alice', clock });
        clock.at(T0 + 95_000, () => void first.release());
        const second = await acquireLock(kube, affix, { holder: 'bob', clock, waitMs: 600_000, pollMs: 1000, onWait: (h) => waits.push(h) });
        const at = clock.now();
        await second.release();
        return at;
      })(),
    );
    // held for 95 s, three times its lease duration: only the renewals kept bob waiting
    expect(got).toBeGreaterThanOrEqual(T0 + 95_000);
    expect(got).toBeLessThan(T0 + 97_000);
    expect(waits).toEqual(['alice']);
    expect(kube.ops('replace').length).toBeGreaterThanOrEqual(9); // alice renewed every 10 s
  });

  it('a lock whose holder was killed expires: its renewal is older than the lease', async () => {
    const { clock, kube } = setup();
    leftLease(kube, 'carol pid 9: install', T0 - 120_000, T0 - 40_000);
    const lock = await clock.run(acquireLock(kube, affix, { holder: 'dave', clock }));
    const live = await clock.run(kube.get(LEASE));
    expect(live?.spec).toMatchObject({ holderIdentity: 'dave', leaseTransitions: 1 });
    await clock.run(lock.release());
  });

  it('a dead holder whose clock runs ahead is taken over once its lease has not changed for a whole duration', async () => {
    const { clock, kube } = setup();
    leftLease(kube, 'eve', T0 + 3_600_000, T0 + 3_600_000);
    const at = await clock.run(acquireLock(kube, affix, { holder: 'frank', clock, waitMs: 120_000, pollMs: 1000 }).then(async (l) => (await l.release(), clock.now())));
    expect(at).toBeGreaterThan(T0 + 30_000);
    expect(at).toBeLessThan(T0 + 33_000);
  });
});
