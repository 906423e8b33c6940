/**
 * Config digests: each pod template carries the digest of the ConfigMaps and Secrets its pods
 * read, so that a changed value rolls exactly the workloads that read it. A generic pass over the
 * rendered objects (pure): it scans every pod template's references — env valueFrom, envFrom,
 * volumes and projected volumes, in containers and init containers — and writes
 *
 * - `panda-k8s.io/config-digest`: the objects rendered in the same stack (ConfigMaps, Secrets);
 * - `panda-k8s.io/secrets-digest`: the objects rendered elsewhere (the secrets lifecycle's Secrets,
 *   an operator's own ConfigMaps), when their digests are known — read from the cluster at install
 *   time. Without them (template mode) this annotation is left out.
 *
 * A digest covers keys and values (never printable back into either).
 */
import crypto from 'node:crypto';
import type { K8sObject } from '../core/k8s.js';

export const CONFIG_DIGEST = 'panda-k8s.io/config-digest';
export const SECRETS_DIGEST = 'panda-k8s.io/secrets-digest';

export const WORKLOAD_KINDS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'Job', 'ReplicaSet']);

export type RefKind = 'ConfigMap' | 'Secret';
/** `ConfigMap/name` or `Secret/name`. */
export type RefName = `${RefKind}/${string}`;

interface PodSpecLike {
  containers?: ContainerLike[];
  initContainers?: ContainerLike[];
  volumes?: {
    configMap?: { name?: string };
    secret?: { secretName?: string };
    projected?: { sources?: { configMap?: { name?: string }; secret?: { name?: string } }[] };
  }[];
}
interface ContainerLike {
  env?: { valueFrom?: { configMapKeyRef?: { name?: string }; secretKeyRef?: { name?: string } } }[];
  envFrom?: { configMapRef?: { name?: string }; secretRef?: { name?: string } }[];
}

/** The pod spec of a workload, or undefined for other kinds. */
function podTemplate(o: K8sObject): { metadata?: { annotations?: Record<string, string> }; spec?: PodSpecLike } | undefined {
  if (!WORKLOAD_KINDS.has(o.kind)) return undefined;
  return (o.spec as { template?: { metadata?: { annotations?: Record<string, string> }; spec?: PodSpecLike } } | undefined)?.template;
}

/** Every ConfigMap and Secret a pod spec reads, sorted, without duplicates. */
export function podReferences(spec: PodSpecLike | undefined): RefName[] {
  const refs = new Set<RefName>();
  const add = (kind: RefKind, name: string | undefined) => name && refs.add(`${kind}/${name}`);
  for (const c of [...(spec?.initContainers ?? []), ...(spec?.containers ?? [])]) {
    for (const e of c.env ?? []) {
      add('ConfigMap', e.valueFrom?.configMapKeyRef?.name);
      add('Secret', e.valueFrom?.secretKeyRef?.name);
    }
    for (const e of c.envFrom ?? []) {
      add('ConfigMap', e.configMapRef?.name);
      add('Secret', e.secretRef?.name);
    }
  }
  for (const v of spec?.volumes ?? []) {
    add('ConfigMap', v.configMap?.name);
    add('Secret', v.secret?.secretName);
    for (const s of v.projected?.sources ?? []) {
      add('ConfigMap', s.configMap?.name);
      add('Secret', s.secret?.name);
    }
  }
  return [...refs].sort();
}

/** What a workload's pods read. */
export function workloadReferences(o: K8sObject): RefName[] {
  return podReferences(podTemplate(o)?.spec);
}

const sha = (s: string | Buffer) => crypto.createHash('sha256').update(s).digest('hex');

/**
 * Per-key digests of a ConfigMap's or Secret's content (a Secret's `stringData` counts as the
 * `data` it becomes), so that rendered and live objects with the same content digest the same.
 */
export function keyDigests(o: { kind: string; data?: unknown; stringData?: unknown; binaryData?: unknown }): Record<string, string> {
  const out: Record<string, string> = {};
  const put = (k: string, bytes: Buffer) => (out[k] = sha(bytes));
  const map = (v: unknown) => (v && typeof v === 'object' ? (v as Record<string, unknown>) : {});
  if (o.kind === 'Secret') {
    for (const [k, v] of Object.entries(map(o.data))) put(k, Buffer.from(String(v), 'base64'));
    for (const [k, v] of Object.entries(map(o.stringData))) put(k, Buffer.from(String(v), 'utf8'));
  } else {
    for (const [k, v] of Object.entries(map(o.data))) put(k, Buffer.from(String(v), 'utf8'));
    for (const [k, v] of Object.entries(map(o.binaryData))) put(k, Buffer.from(String(v), 'base64'));
  }
  return out;
}

/** One digest for a ConfigMap's or Secret's whole content. */
export function contentDigest(o: { kind: string; data?: unknown; stringData?: unknown; binaryData?: unknown }): string {
  const keys = keyDigests(o);
  return sha(Object.keys(keys).sort().map((k) => `${k}=${keys[k]}\n`).join(''));
}

/** The digest of a set of references, each with its content digest (`absent` when it does not exist). */
function combined(refs: readonly RefName[], digestOf: (r: RefName) => string): string {
  return sha(refs.map((r) => `${r}:${digestOf(r)}\n`).join('')).slice(0, 32);
}

export interface DigestInputs {
  /**
   * Content digests of objects not in the rendered set, read from the cluster: `absent` for a
   * missing one, `null` for one a component renders (covered by that pod's config digest).
   */
  external?: ReadonlyMap<RefName, string | null>;
}

/**
 * The secrets digest of a pod that reads `refs`: over those whose digest is a string (the
 * lifecycle's Secrets, an operator's own objects); undefined when it reads none, or when one of
 * their digests is not known.
 */
export function secretsDigest(refs: readonly RefName[], digests: ReadonlyMap<RefName, string | null>): string | undefined {
  if (!refs.every((r) => digests.has(r))) return undefined;
  const counted = refs.filter((r) => digests.get(r) !== null);
  return counted.length ? combined(counted, (r) => digests.get(r)!) : undefined;
}

/** References of the rendered workloads that point outside the rendered set (what install must read). */
export function externalReferences(objects: readonly K8sObject[]): RefName[] {
  const rendered = new Set(objects.filter((o) => o.kind === 'ConfigMap' || o.kind === 'Secret').map((o) => `${o.kind}/${o.metadata.name}`));
  const out = new Set<RefName>();
  for (const o of objects) for (const r of workloadReferences(o)) if (!rendered.has(r)) out.add(r);
  return [...out].sort();
}

/**
 * The pass: returns the objects with each workload's pod template annotated (new objects for the
 * workloads, the others unchanged). Idempotent: annotations are recomputed from the content.
 */
export function withConfigDigests(objects: readonly K8sObject[], inputs: DigestInputs = {}): K8sObject[] {
  const rendered = new Map<string, string>();
  for (const o of objects) if (o.kind === 'ConfigMap' || o.kind === 'Secret') rendered.set(`${o.kind}/${o.metadata.name}`, contentDigest(o as never));
  return objects.map((o) => {
    const tpl = podTemplate(o);
    if (!tpl) return o;
    const refs = podReferences(tpl.spec);
    const inside = refs.filter((r) => rendered.has(r));
    const outside = refs.filter((r) => !rendered.has(r));
    const annotations: Record<string, string> = { ...(tpl.metadata?.annotations ?? {}) };
    delete annotations[CONFIG_DIGEST];
    delete annotations[SECRETS_DIGEST];
    if (inside.length) annotations[CONFIG_DIGEST] = combined(inside, (r) => rendered.get(r)!);
    const secrets = inputs.external && secretsDigest(outside, inputs.external);
    if (secrets) annotations[SECRETS_DIGEST] = secrets;
    const copy = structuredClone(o) as K8sObject & { spec: { template: { metadata?: { annotations?: Record<string, string> } } } };
    const meta = (copy.spec.template.metadata ??= {});
    if (Object.keys(annotations).length) meta.annotations = annotations;
    else delete meta.annotations;
    return copy;
  });
}

/** The pass over a rendered stack: the components' objects and the flat list, annotated alike. */
export function annotateStack<T extends { components: { objects: K8sObject[] }[]; objects: K8sObject[] }>(stack: T, inputs: DigestInputs = {}): T {
  const annotated = withConfigDigests(
    stack.components.flatMap((c) => c.objects),
    inputs,
  );
  let i = 0;
  const components = stack.components.map((c) => ({ ...c, objects: annotated.slice(i, (i += c.objects.length)) }));
  return { ...stack, components, objects: annotated };
}
