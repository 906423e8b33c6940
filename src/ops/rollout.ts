/**
 * Config changes that reach the running pods. Reads the content digests of the ConfigMaps and
 * Secrets the workloads read (digests only: no value leaves this module), finds the live
 * workloads that read a changed object, and rolls them — tier by tier, each tier ready before the
 * next — by writing the new `panda-k8s.io/secrets-digest` into their pod templates.
 */
import { registry } from '../components/registry.js';
import { LABEL } from '../core/k8s.js';
import { contentDigest, keyDigests, podReferences, SECRETS_DIGEST, secretsDigest, type RefName } from '../render/digests.js';
import type { Clock } from '../cluster/clock.js';
import { ownedSelector } from '../cluster/inventory.js';
import type { Kube } from '../cluster/kube.js';
import { readiness, type Live } from '../cluster/readiness.js';

const split = (r: RefName) => {
  const i = r.indexOf('/');
  return { kind: r.slice(0, i) as 'ConfigMap' | 'Secret', name: r.slice(i + 1) };
};

/**
 * Content digests of the referenced objects, from the cluster: `absent` when missing, `null` for
 * objects a component renders (their digest is the pod template's config digest).
 */
export async function liveDigests(kube: Kube, refs: readonly RefName[]): Promise<Map<RefName, string | null>> {
  const lives = await Promise.all(refs.map((r) => kube.get({ apiVersion: 'v1', ...split(r), namespace: kube.namespace })));
  return new Map(refs.map((r, i) => [r, digestOfLive(lives[i])]));
}

function digestOfLive(live: Live | undefined): string | null {
  if (!live) return 'absent';
  const labels = live.metadata.labels ?? {};
  if (labels[LABEL.component] && labels[LABEL.component] !== 'secrets' && labels[LABEL.lifecycle] !== 'secrets') return null;
  return contentDigest(live as never);
}

/** Per-key digests of a live Secret (what `secrets diff` compares), never its values. */
export async function liveKeyDigests(kube: Kube, name: string): Promise<Record<string, string> | undefined> {
  const live = await kube.get({ apiVersion: 'v1', kind: 'Secret', name, namespace: kube.namespace });
  return live ? keyDigests(live as never) : undefined;
}

const WORKLOADS = [
  ['apps/v1', 'Deployment'],
  ['apps/v1', 'StatefulSet'],
] as const;

export interface Consumer {
  kind: string;
  name: string;
  component: string;
  /** The changed objects it reads. */
  reads: RefName[];
  /** What it reads, all of it. */
  refs: RefName[];
}

/** The live panda-k8s workloads that read any of `changed`, in tier order. */
export async function consumersOf(kube: Kube, changed: ReadonlySet<RefName>): Promise<Consumer[]> {
  if (!changed.size) return [];
  const out: Consumer[] = [];
  for (const [apiVersion, kind] of WORKLOADS) {
    for (const w of await kube.list(apiVersion, kind, { labelSelector: ownedSelector() })) {
      const refs = podReferences(w.spec?.template?.spec);
      const reads = refs.filter((r) => changed.has(r));
      if (reads.length) out.push({ kind, name: w.metadata.name, component: w.metadata.labels?.[LABEL.component] ?? '?', reads, refs });
    }
  }
  return out.sort((a, b) => tierOf(a.component) - tierOf(b.component) || a.component.localeCompare(b.component) || a.name.localeCompare(b.name));
}

/** A component's tier in the registry (unknown components last). */
export function tierOf(c: string): number {
  const t = registry.tiers.findIndex((tier) => (tier as readonly string[]).includes(c));
  return t < 0 ? Number.MAX_SAFE_INTEGER : t;
}

export interface RolloutOptions {
  clock: Clock;
  timeoutMs: number;
  /** Wait for each tier to be ready before the next. @default true */
  wait?: boolean;
  signal?: AbortSignal;
  onRolled?: (c: Consumer) => void;
}

export interface RolloutResult {
  rolled: Consumer[];
  /** Workloads not ready within the timeout (the rollout stops at their tier). */
  notReady: { workload: string; waitingFor: string }[];
}

/** Roll the consumers tier by tier, with their new secrets digest; waits for readiness like install. */
export async function rollConsumers(kube: Kube, consumers: readonly Consumer[], o: RolloutOptions): Promise<RolloutResult> {
  const result: RolloutResult = { rolled: [], notReady: [] };
  const tiers = [...new Set(consumers.map((c) => tierOf(c.component)))].sort((a, b) => a - b);
  for (const t of tiers) {
    if (o.signal?.aborted) break;
    const tier = consumers.filter((c) => tierOf(c.component) === t);
    for (const c of tier) {
      const digests = await liveDigests(kube, c.refs);
      const value = secretsDigest(c.refs, digests);
      const patch = { spec: { template: { metadata: { annotations: { [SECRETS_DIGEST]: value ?? null } } } } };
      await kube.mergePatch({ apiVersion: 'apps/v1', kind: c.kind, name: c.name, namespace: kube.namespace }, patch);
      result.rolled.push(c);
      o.onRolled?.(c);
    }
    if (o.wait === false) continue;
    const deadline = o.clock.now() + o.timeoutMs;
    for (;;) {
      const lives = await Promise.all(tier.map((c) => kube.get({ apiVersion: 'apps/v1', kind: c.kind, name: c.name, namespace: kube.namespace })));
      const waiting = tier.flatMap((c, i) => {
        const v = lives[i] ? readiness(lives[i]!) : ({ state: 'waiting', for: 'the object to exist' } as const);
        return v.state === 'ready' ? [] : [{ workload: `${c.kind}/${c.name}`, waitingFor: v.state === 'failed' ? v.reason : v.for }];
      });
      if (!waiting.length) break;
      if (o.clock.now() >= deadline || o.signal?.aborted) {
        result.notReady = waiting;
        return result;
      }
      await o.clock.sleep(250, o.signal);
    }
  }
  return result;
}
