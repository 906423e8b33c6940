/**
 * Checks before the first write, all at once (one error, exit 2, nothing applied):
 *
 * - the namespace exists (or is created with `--create-namespace`);
 * - the cluster serves every API kind we render (Route, Gateway, HTTPRoute, ClientTrafficPolicy, ...);
 * - the caller may create and patch every kind we write (SelfSubjectAccessReview), so that an RBAC
 *   gap cannot leave a half-applied stack;
 * - every StorageClass a claim names exists (or a PersistentVolume of that class can bind it), and a
 *   default StorageClass exists for claims without a class;
 * - every IngressClass an Ingress names in `spec.ingressClassName` exists;
 * - the Secrets the pods read that the stack does not render are installed and hold the keys the
 *   pods read (from the pod templates: env `secretKeyRef`, `envFrom`, secret volumes and their items);
 * - image pull Secrets the pods name exist;
 * - cluster-scoped objects we would create (PersistentVolumes, ClusterRoles, ClusterRoleBindings)
 *   are free: not held by another claim or owned by another stack.
 */
import { registry } from '../components/registry.js';
import { IssueList, PandaError, type Issue } from '../core/errors.js';
import { LABEL, MANAGED_BY, type K8sObject } from '../core/k8s.js';
import { CLUSTER_SCOPED } from '../core/objects.js';
import type { Plan } from '../plan/plan.js';
import { ClusterError, type Kube } from '../cluster/kube.js';
import type { Live } from '../cluster/readiness.js';

/** A read the caller may not do (403) leaves that check out rather than failing the install: RBAC is checked on its own. */
async function readable<T, D = undefined>(p: Promise<T>, forbidden?: D): Promise<T | D> {
  try {
    return await p;
  } catch (e) {
    if (e instanceof ClusterError && e.status === 403) return forbidden as D;
    throw e;
  }
}

export async function checkNamespace(kube: Kube, o: { create?: boolean } = {}): Promise<void> {
  // a user confined to the namespace may not read Namespace objects: then it exists for them
  const ns = await readable(kube.get({ apiVersion: 'v1', kind: 'Namespace', name: kube.namespace }), null);
  if (ns !== undefined) return;
  if (o.create) {
    await kube.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: kube.namespace } });
    return;
  }
  throw new PandaError(`namespace ${kube.namespace} does not exist`, [
    { where: '--namespace', message: `no namespace ${JSON.stringify(kube.namespace)} on ${kube.server}`, fix: `pass --create-namespace, or kubectl create namespace ${kube.namespace}, or pass -n with an existing one` },
  ]);
}

/** Secrets each selected sub-component reads, which the secrets lifecycle must have installed: name → readers. */
export function requiredSecrets(plan: Pick<Plan, 'components'>, prefix: string): Map<string, string[]> {
  return registry.requiredSecrets(plan.components, prefix);
}

const objects = (plan: Plan) => plan.nodes.flatMap((n) => n.apply);
const rendered = (plan: Plan, kind: string) => new Set(objects(plan).filter((o) => o.kind === kind).map((o) => o.metadata.name));

/** Pod specs of the workloads we render, with the workload's name. */
function podSpecs(plan: Plan): { owner: string; spec: Record<string, any> }[] {
  return objects(plan).flatMap((o) => {
    const s = o.spec as Record<string, any> | undefined;
    const spec = s?.template?.spec ?? s?.jobTemplate?.spec?.template?.spec;
    return spec ? [{ owner: `${o.kind}/${o.metadata.name}`, spec }] : [];
  });
}

interface SecretUse {
  readers: Set<string>;
  /** Keys that must be present (not optional). */
  keys: Map<string, Set<string>>;
  optional: boolean;
}

/** The Secrets the pods read, with the keys they read: from env, envFrom and volumes of every container. */
export function secretsReadByPods(plan: Plan): Map<string, SecretUse> {
  const uses = new Map<string, SecretUse>();
  const use = (name: string, owner: string, optional: boolean, key?: string) => {
    const u = uses.get(name) ?? { readers: new Set(), keys: new Map(), optional: true };
    u.readers.add(owner);
    if (!optional) u.optional = false;
    if (key && !optional) u.keys.set(key, (u.keys.get(key) ?? new Set()).add(owner));
    uses.set(name, u);
  };
  for (const { owner, spec } of podSpecs(plan)) {
    for (const c of [...(spec.initContainers ?? []), ...(spec.containers ?? [])]) {
      for (const e of c.env ?? []) {
        const r = e.valueFrom?.secretKeyRef;
        if (r?.name) use(r.name, owner, !!r.optional, r.key);
      }
      for (const e of c.envFrom ?? []) if (e.secretRef?.name) use(e.secretRef.name, owner, !!e.secretRef.optional);
    }
    for (const v of spec.volumes ?? []) {
      const sources = [v.secret ? { name: v.secret.secretName, items: v.secret.items, optional: v.secret.optional } : undefined, ...(v.projected?.sources ?? []).map((p: any) => (p.secret ? { name: p.secret.name, items: p.secret.items, optional: p.secret.optional } : undefined))];
      for (const src of sources) {
        if (!src?.name) continue;
        use(src.name, owner, !!src.optional);
        for (const it of src.items ?? []) use(src.name, owner, !!src.optional, it.key);
      }
    }
  }
  return uses;
}

async function secretIssues(kube: Kube, plan: Plan, prefix: string): Promise<Issue[]> {
  const own = rendered(plan, 'Secret');
  const catalogue = requiredSecrets(plan, prefix);
  const read = secretsReadByPods(plan);
  const names = [...new Set([...catalogue.keys(), ...[...read].filter(([, u]) => !u.optional).map(([n]) => n)])].filter((n) => !own.has(n));
  const live = await readable(Promise.all(names.map((name) => kube.get({ apiVersion: 'v1', kind: 'Secret', name, namespace: kube.namespace }))));
  if (!live) return [];
  const issues: Issue[] = [];
  names.forEach((name, i) => {
    const readers = [...new Set([...(catalogue.get(name) ?? []), ...(read.get(name)?.readers ?? [])])];
    const s = live[i];
    if (!s) {
      issues.push({ where: `Secret/${name}`, message: `missing in namespace ${kube.namespace}; read by ${readers.join(', ')}`, fix: 'install the secrets first: panda-k8s secrets install (same -n and affix)' });
      return;
    }
    const data = { ...((s as { data?: Record<string, string> }).data ?? {}), ...((s as { stringData?: Record<string, string> }).stringData ?? {}) };
    for (const [key, by] of read.get(name)?.keys ?? []) {
      if (!(key in data))
        issues.push({ where: `Secret/${name}`, message: `has no key ${key}, which ${[...by].join(', ')} read${by.size > 1 ? '' : 's'}`, fix: `add ${key} to the secrets values and run panda-k8s secrets install, or kubectl patch secret ${name} with it` });
    }
  });
  return issues;
}

async function pullSecretIssues(kube: Kube, plan: Plan): Promise<Issue[]> {
  const own = rendered(plan, 'Secret');
  const wanted = new Map<string, Set<string>>();
  for (const { owner, spec } of podSpecs(plan)) for (const r of spec.imagePullSecrets ?? []) if (r?.name && !own.has(r.name)) wanted.set(r.name, (wanted.get(r.name) ?? new Set()).add(owner));
  const names = [...wanted.keys()];
  const live = await readable(Promise.all(names.map((name) => kube.get({ apiVersion: 'v1', kind: 'Secret', name, namespace: kube.namespace }))));
  return names.flatMap((name, i) =>
    !live || live[i] ? [] : [{ where: `Secret/${name}`, message: `image pull Secret named by ${[...wanted.get(name)!].join(', ')} does not exist in namespace ${kube.namespace}`, fix: `kubectl create secret docker-registry ${name} -n ${kube.namespace} ..., or remove it from imagePullSecrets in your values` }],
  );
}

/** Claims we render, with those a StatefulSet's claim templates make. */
function claims(plan: Plan): { where: string; spec: Record<string, any> }[] {
  return objects(plan).flatMap((o) => {
    if (o.kind === 'PersistentVolumeClaim') return [{ where: `PersistentVolumeClaim/${o.metadata.name}`, spec: (o.spec ?? {}) as Record<string, any> }];
    if (o.kind === 'StatefulSet') return (((o.spec as any)?.volumeClaimTemplates ?? []) as { metadata: { name: string }; spec: Record<string, any> }[]).map((t) => ({ where: `StatefulSet/${o.metadata.name} volumeClaimTemplates ${t.metadata.name}`, spec: t.spec ?? {} }));
    return [];
  });
}

async function storageIssues(kube: Kube, plan: Plan): Promise<Issue[]> {
  const all = claims(plan);
  if (!all.length) return [];
  const [classes, pvs] = await Promise.all([readable(kube.list('storage.k8s.io/v1', 'StorageClass')), readable(kube.list('v1', 'PersistentVolume'))]);
  if (!classes || !pvs) return [];
  const names = new Set(classes.map((c) => c.metadata.name));
  const hasDefault = classes.some((c) => c.metadata.annotations?.['storageclass.kubernetes.io/is-default-class'] === 'true');
  // a class with no StorageClass object still binds claims statically, to volumes of that class
  const volumeClasses = new Set([...objects(plan).filter((o) => o.kind === 'PersistentVolume'), ...pvs.filter((v) => v.status?.phase === 'Available' || (v.spec?.claimRef as { namespace?: string } | undefined)?.namespace === kube.namespace)].map((v) => (v.spec as { storageClassName?: string } | undefined)?.storageClassName ?? ''));
  const missing = new Map<string, string[]>();
  const issues: Issue[] = [];
  const choices = classes.length ? classes.map((c) => c.metadata.name).join(', ') : 'none';
  for (const c of all) {
    const cls = c.spec.storageClassName as string | undefined;
    if (cls === '') continue;
    if (cls === undefined) {
      if (!hasDefault && !volumeClasses.has(''))
        issues.push({ where: c.where, message: 'has no storageClassName and the cluster has no default StorageClass, so it would stay Pending', fix: `set the claim's class in your values (StorageClasses on this cluster: ${choices}), or mark one as default (storageclass.kubernetes.io/is-default-class: "true")` });
      continue;
    }
    if (!names.has(cls) && !volumeClasses.has(cls)) missing.set(cls, [...(missing.get(cls) ?? []), c.where]);
  }
  for (const [cls, where] of missing)
    issues.push({
      where: `StorageClass/${cls}`,
      message: `does not exist (and no PersistentVolume of that class is available); named by ${where.join(', ')}`,
      fix: `set the class in your values to one of this cluster's StorageClasses (${choices}), create StorageClass ${cls}, or create PersistentVolumes with storageClassName ${cls}`,
    });
  return issues;
}

async function ingressClassIssues(kube: Kube, plan: Plan): Promise<Issue[]> {
  const named = objects(plan).filter((o) => o.kind === 'Ingress' && (o.spec as { ingressClassName?: string } | undefined)?.ingressClassName);
  if (!named.length) return [];
  const list = await readable(kube.list('networking.k8s.io/v1', 'IngressClass'));
  if (!list) return [];
  const have = new Set(list.map((c) => c.metadata.name));
  const choices = have.size ? [...have].join(', ') : 'none';
  return named.flatMap((o) => {
    const cls = (o.spec as { ingressClassName: string }).ingressClassName;
    return have.has(cls) ? [] : [{ where: `Ingress/${o.metadata.name}`, message: `spec.ingressClassName ${cls}: no such IngressClass, so no controller would serve it`, fix: `set the ingress class in your values to one of: ${choices}, or install the ${cls} ingress controller` }];
  });
}

/** Cluster-scoped objects we would create must be ours: not held by another claim, not another stack's or someone else's. */
async function clusterScopedIssues(kube: Kube, plan: Plan): Promise<Issue[]> {
  const mine = objects(plan).filter((o) => CLUSTER_SCOPED.has(o.kind) && o.kind !== 'Namespace');
  const live = await Promise.all(mine.map((o) => readable(kube.get({ apiVersion: o.apiVersion, kind: o.kind, name: o.metadata.name }))));
  return live.flatMap((l, i): Issue[] => {
    if (!l) return [];
    const o = mine[i]!;
    const where = `${o.kind}/${o.metadata.name}`;
    if (o.kind === 'PersistentVolume') return volumeIssues(kube, where, o, l);
    const labels = l.metadata.labels ?? {};
    if (labels[LABEL.managedBy] !== MANAGED_BY) return [{ where, message: 'already exists and is not managed by panda-k8s (cluster-scoped names are shared by all namespaces)', fix: 'use another affix, or delete it if it is left over' }];
    if (labels[LABEL.namespace] !== undefined && labels[LABEL.namespace] !== kube.namespace)
      return [{ where, message: `belongs to the stack in namespace ${labels[LABEL.namespace]} (cluster-scoped names are shared by all namespaces)`, fix: 'use another affix for this namespace' }];
    return [];
  });
}

/** PersistentVolumes are cluster-scoped: one left by another namespace, or by a deleted claim, would keep our claim Pending forever. */
function volumeIssues(kube: Kube, where: string, _o: K8sObject, pv: Live): Issue[] {
  const ref = pv.spec?.claimRef as { namespace?: string; name?: string } | undefined;
  if (!ref) return [];
  const name = pv.metadata.name;
  if (ref.namespace !== kube.namespace)
    return [{ where, message: `already belongs to claim ${ref.namespace}/${ref.name} (PersistentVolumes are cluster-wide)`, fix: 'use another affix for this namespace, or set persistentvolume.create=false and a StorageClass' }];
  if (pv.status?.phase === 'Released')
    return [
      {
        where,
        message: 'keeps the data of a deleted claim (Released), so the new claim cannot bind to it',
        fix: `to reuse the data: kubectl patch pv ${name} --type json -p '[{"op":"remove","path":"/spec/claimRef"}]'; to discard it: kubectl delete pv ${name}`,
      },
    ];
  return [];
}

/** The kinds we render, each with one example object. */
function kindsOf(plan: Plan): Map<string, { apiVersion: string; kind: string; example: string }> {
  const kinds = new Map<string, { apiVersion: string; kind: string; example: string }>();
  for (const o of objects(plan)) {
    const k = `${o.apiVersion}|${o.kind}`;
    if (!kinds.has(k)) kinds.set(k, { apiVersion: o.apiVersion, kind: o.kind, example: `${o.kind}/${o.metadata.name}` });
  }
  return kinds;
}

async function unservedApis(kube: Kube, plan: Plan): Promise<{ issues: Issue[]; served: { apiVersion: string; kind: string; example: string }[] }> {
  const issues: Issue[] = [];
  const served: { apiVersion: string; kind: string; example: string }[] = [];
  for (const k of kindsOf(plan).values()) {
    if (['v1', 'apps/v1'].includes(k.apiVersion) || (await kube.serves(k.apiVersion, k.kind))) served.push(k);
    else
      issues.push({
        where: k.example,
        message: `the cluster does not serve ${k.apiVersion} ${k.kind}`,
        fix: k.kind === 'Route' ? 'Routes need OpenShift/OKD: disable route.enabled and use ingress instead' : `install the ${k.kind} API (its CRDs) or disable it in your values`,
      });
  }
  return { issues, served };
}

type Access = { apiVersion: string; kind: string; example: string; verbs: readonly string[] };

/** SelfSubjectAccessReview for create and patch of every kind we write (and get, which every apply reads first). */
async function rbacIssues(kube: Kube, kinds: readonly Access[]): Promise<Issue[]> {
  const answers = await Promise.all(kinds.flatMap((k) => k.verbs.map(async (verb) => ({ k, verb, ok: await kube.allowed(verb, k.apiVersion, k.kind, kube.namespace) }))));
  const denied = new Map<string, { k: Access; verbs: string[] }>();
  for (const a of answers) {
    if (a.ok !== false) continue;
    const key = `${a.k.apiVersion}|${a.k.kind}`;
    denied.set(key, { k: a.k, verbs: [...(denied.get(key)?.verbs ?? []), a.verb] });
  }
  return [...denied.values()].map(({ k, verbs: v }) => ({
    where: k.kind,
    message: `you may not ${v.join(', ')} ${k.apiVersion} ${k.kind}${CLUSTER_SCOPED.has(k.kind) ? ' (cluster-wide)' : ` in namespace ${kube.namespace}`} (e.g. ${k.example})`,
    fix: `ask for a ${CLUSTER_SCOPED.has(k.kind) ? 'ClusterRole' : 'Role'} granting ${v.join(', ')} on ${k.kind.toLowerCase()}s${CLUSTER_SCOPED.has(k.kind) ? '' : ` in ${kube.namespace}`}, or disable what renders it`,
  }));
}

/** The stack's lock (ops/lock.ts): a Lease it creates, renews and deletes. */
const LEASE: Access = { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', example: 'the stack lock', verbs: ['get', 'create', 'update', 'delete'] };

/** Run after {@link checkNamespace}. Every check runs; all problems come together. `lock`: the run takes the stack's Lease. */
export async function preflight(kube: Kube, plan: Plan, prefix: string, o: { lock?: boolean } = {}): Promise<void> {
  const apis = await unservedApis(kube, plan);
  const access: Access[] = [...apis.served.map((k) => ({ ...k, verbs: ['get', 'create', 'patch'] })), ...(o.lock ? [LEASE] : [])];
  const results = await Promise.all([secretIssues(kube, plan, prefix), pullSecretIssues(kube, plan), storageIssues(kube, plan), ingressClassIssues(kube, plan), clusterScopedIssues(kube, plan), rbacIssues(kube, access)]);
  const issues = new IssueList();
  for (const i of [...apis.issues, ...results.flat()]) issues.add(i);
  issues.throwIfAny('the cluster is not ready for this install; nothing was applied (--skip-preflight to try anyway)');
}
