/**
 * The install plan: a serializable dependency graph built from the rendered stack. Pure.
 *
 * Per component, one node applies the objects pods need before they start (ConfigMaps, Secrets,
 * ServiceAccounts, PVs, PVCs, Services); then one node per sub-component applies its workloads
 * (Deployments, autoscalers, Ingresses, Routes) and waits until everything of that sub-component is
 * ready. A component starts once every component it depends on is ready; a sub-component's
 * workloads start once the sub-components it runs after (a database before its server) are ready.
 */
import { registry, type ComponentName } from '../components/registry.js';
import { LABEL, type K8sObject } from '../core/k8s.js';
import { inNamespace, refOf, type ObjectRef } from '../core/objects.js';
import type { RenderedStack } from '../render/stack.js';

export type Phase = 'config' | 'workload';

/** Kinds applied before any workload of their component. */
const CONFIG_KINDS = new Set(['Namespace', 'ConfigMap', 'Secret', 'ServiceAccount', 'PersistentVolume', 'PersistentVolumeClaim', 'Service']);
export interface PlanNode {
  /** `panda` (the component's config objects) or `panda/server` (a sub-component's workloads). */
  id: string;
  component: ComponentName;
  sub?: string;
  deps: string[];
  /** Objects this node applies, in order, with the namespace set. */
  apply: K8sObject[];
  /** Objects this node deletes, in order (uninstall). */
  delete?: ObjectRef[];
  /** Objects that must be ready (or gone, see {@link until}) for this node to be done; empty for a config node. */
  await: ObjectRef[];
  /** What the node waits for: its awaited objects ready (install, the default) or gone (uninstall). */
  until?: 'ready' | 'gone';
}

export interface Plan {
  namespace: string;
  /** Components in this plan, in tier order. */
  components: { name: ComponentName; release: string; subs: string[] }[];
  nodes: PlanNode[];
  /** Nodes grouped by depth in the graph: what can run in parallel. */
  waves: string[][];
}

/**
 * Objects as we apply them: a workload an autoscaler scales is applied without `spec.replicas`,
 * so that we never own that field and never fight the HorizontalPodAutoscaler over it.
 */
export function forApply(objects: readonly K8sObject[]): K8sObject[] {
  const scaled = new Set(
    objects.filter((o) => o.kind === 'HorizontalPodAutoscaler').map((o) => {
      const t = (o.spec as { scaleTargetRef?: { kind?: string; name?: string } } | undefined)?.scaleTargetRef;
      return `${t?.kind}/${t?.name}`;
    }),
  );
  return objects.map((o) => {
    if (!scaled.has(`${o.kind}/${o.metadata.name}`) || (o.spec as { replicas?: unknown } | undefined)?.replicas === undefined) return o;
    const c = structuredClone(o) as K8sObject & { spec: { replicas?: number } };
    delete c.spec.replicas;
    return c;
  });
}

/** Claims a workload's pods mount (`persistentVolumeClaim.claimName` of its pod template). */
function claimsMounted(o: K8sObject): string[] {
  const spec = o.spec as { template?: { spec?: PodVolumes }; jobTemplate?: { spec?: { template?: { spec?: PodVolumes } } } } | undefined;
  const pod = spec?.template?.spec ?? spec?.jobTemplate?.spec?.template?.spec;
  return (pod?.volumes ?? []).flatMap((v) => (v.persistentVolumeClaim ? [v.persistentVolumeClaim.claimName] : []));
}
type PodVolumes = { volumes?: { persistentVolumeClaim?: { claimName: string } }[] };

/**
 * Storage one component creates and a component of an earlier tier mounts (upstream's shared logs
 * claim, which the harvester chart creates and the PanDA server mounts): the claim, and the volume
 * bound to it, are applied with the config of the first component (in tier order) that mounts
 * them, so no pod waits for a claim a later tier would create. They stay labelled as the creating
 * component's objects. Returns object key (`Kind/name`) → component that applies it.
 */
export function hoistedStorage(components: Pick<RenderedStack, 'components'>['components']): Map<string, ComponentName> {
  const firstUser = new Map<string, number>();
  components.forEach((c, i) => {
    for (const o of c.objects) for (const claim of claimsMounted(o)) if (!firstUser.has(claim)) firstUser.set(claim, i);
  });
  const out = new Map<string, ComponentName>();
  components.forEach((c, i) => {
    for (const o of c.objects) {
      if (o.kind !== 'PersistentVolumeClaim') continue;
      const user = firstUser.get(o.metadata.name);
      if (user === undefined || user >= i) continue;
      const to = components[user]!.name;
      out.set(`PersistentVolumeClaim/${o.metadata.name}`, to);
      const volumeName = (o.spec as { volumeName?: string } | undefined)?.volumeName;
      for (const pv of c.objects) {
        if (pv.kind !== 'PersistentVolume') continue;
        const claimRef = (pv.spec as { claimRef?: { name?: string } } | undefined)?.claimRef?.name;
        if (pv.metadata.name === volumeName || claimRef === o.metadata.name) out.set(`PersistentVolume/${pv.metadata.name}`, to);
      }
    }
  });
  return out;
}

export function buildPlan(stack: Pick<RenderedStack, 'components'>, namespace: string): Plan {
  const nodes: PlanNode[] = [];
  const present = new Set(stack.components.map((c) => c.name));
  const subNodes = new Map<ComponentName, string[]>();
  const hoisted = hoistedStorage(stack.components);
  const key = (o: K8sObject) => `${o.kind}/${o.metadata.name}`;
  for (const rc of stack.components) {
    const c = { ...rc, objects: forApply(rc.objects) };
    const comp = registry.must(c.name);
    const ids = c.subs.map((s) => `${c.name}/${s}`);
    subNodes.set(c.name, ids);
    const upstream = registry.needs(c.name).filter((d) => present.has(d)).flatMap((d) => subNodes.get(d) ?? [d]);
    const config = [
      ...c.objects.filter((o) => CONFIG_KINDS.has(o.kind) && !hoisted.has(key(o))),
      ...stack.components.flatMap((other) => other.objects.filter((o) => hoisted.get(key(o)) === c.name)),
    ];
    nodes.push({ id: c.name, component: c.name, deps: upstream, apply: config.map((o) => inNamespace(o, namespace)), await: [] });
    const subOf = (o: K8sObject) => {
      const s = o.metadata.labels?.[LABEL.sub];
      return s && c.subs.includes(s) ? s : undefined;
    };
    for (const s of c.subs) {
      const def = comp.subs.find((x) => x.name === s);
      const after = (def?.after ?? []).filter((a) => c.subs.includes(a)).map((a) => `${c.name}/${a}`);
      const mine = c.objects.filter((o) => subOf(o) === s);
      nodes.push({
        id: `${c.name}/${s}`,
        component: c.name,
        sub: s,
        deps: [c.name, ...upstream, ...after],
        apply: mine.filter((o) => !CONFIG_KINDS.has(o.kind)).map((o) => inNamespace(o, namespace)),
        await: mine.map((o) => refOf(o, namespace)),
      });
    }
    // workloads not labelled with a sub-component (none today) go with the config node
    const orphans = c.objects.filter((o) => !CONFIG_KINDS.has(o.kind) && !subOf(o));
    nodes.find((n) => n.id === c.name)!.apply.push(...orphans.map((o) => inNamespace(o, namespace)));
  }
  return {
    namespace,
    components: stack.components.map((c) => ({ name: c.name, release: c.release, subs: c.subs })),
    nodes,
    waves: waves(nodes),
  };
}

/** One component instance's objects on the cluster, in the order they are to be deleted. */
export interface InstalledComponent {
  name: ComponentName;
  release: string;
  objects: { ref: ObjectRef; data: boolean }[];
}

/**
 * The uninstall plan: one node per component deletes its objects and waits until they are gone.
 * A component goes only after every component that depends on it is gone (reverse tier order);
 * independent components go in parallel. Data (PVCs, PVs) is kept unless `purge`.
 */
export function buildUninstallPlan(installed: readonly InstalledComponent[], namespace: string, purge: boolean): Plan & { kept: ObjectRef[] } {
  const present = new Set(installed.map((c) => c.name));
  const kept: ObjectRef[] = [];
  const nodes: PlanNode[] = installed.map((c) => {
    const gone = c.objects.filter((o) => purge || !o.data).map((o) => o.ref);
    kept.push(...c.objects.filter((o) => !purge && o.data).map((o) => o.ref));
    const dependents = installed.filter((d) => d.name !== c.name && registry.needs(d.name).includes(c.name) && present.has(d.name)).map((d) => d.name);
    return { id: c.name, component: c.name, deps: dependents, apply: [], delete: gone, await: gone, until: 'gone' as const };
  });
  return {
    namespace,
    components: installed.map((c) => ({ name: c.name, release: c.release, subs: [] })),
    nodes,
    waves: waves(nodes),
    kept,
  };
}

/** Depth levels of the graph (Kahn's algorithm); throws on a cycle. */
export function waves(nodes: readonly Pick<PlanNode, 'id' | 'deps'>[]): string[][] {
  const depth = new Map<string, number>();
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const visit = (id: string, stack: Set<string>): number => {
    const known = depth.get(id);
    if (known !== undefined) return known;
    if (stack.has(id)) throw new Error(`dependency cycle through ${id}`);
    stack.add(id);
    const n = byId.get(id);
    const d = n ? Math.max(-1, ...n.deps.filter((x) => byId.has(x)).map((x) => visit(x, stack))) + 1 : 0;
    stack.delete(id);
    depth.set(id, d);
    return d;
  };
  for (const n of nodes) visit(n.id, new Set());
  const out: string[][] = [];
  for (const n of nodes) (out[depth.get(n.id)!] ??= []).push(n.id);
  return out;
}

/** Length of the longest path when each node takes `duration(id)`: the best any schedule can do. */
export function criticalPath(nodes: readonly Pick<PlanNode, 'id' | 'deps'>[], duration: (id: string) => number): number {
  const finish = new Map<string, number>();
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const f = (id: string): number => {
    const k = finish.get(id);
    if (k !== undefined) return k;
    const n = byId.get(id)!;
    const start = Math.max(0, ...n.deps.filter((d) => byId.has(d)).map(f));
    const v = start + duration(id);
    finish.set(id, v);
    return v;
  };
  return Math.max(0, ...nodes.map((n) => f(n.id)));
}
