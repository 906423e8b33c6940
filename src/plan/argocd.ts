/**
 * Argo CD: the stack as a config-management plugin prints it (every object with the sync wave of
 * its plan node, so that an Argo sync keeps install's order: a component's ConfigMaps, volumes
 * and Services, then its databases, then its servers, and dependencies before dependents), and
 * the Applications that deploy a stack through that plugin. Pure.
 */
import { registry, type ComponentName } from '../components/registry.js';
import type { K8sObject } from '../core/k8s.js';
import type { RenderedStack } from '../render/stack.js';
import { buildPlan } from './plan.js';

export const SYNC_WAVE = 'argocd.argoproj.io/sync-wave';
export const PLUGIN_NAME = 'panda-k8s';

/** The stack's objects as install applies them, each annotated with its node's wave, in wave order. */
export function withSyncWaves(stack: Pick<RenderedStack, 'components'>, namespace: string): K8sObject[] {
  const plan = buildPlan(stack, namespace);
  const waveOf = new Map(plan.waves.flatMap((ids, i) => ids.map((id) => [id, i] as const)));
  return plan.nodes
    .map((n) => ({ wave: waveOf.get(n.id)!, objects: n.apply }))
    .sort((a, b) => a.wave - b.wave)
    .flatMap(({ wave, objects }) =>
      objects.map((o) => {
        const c = structuredClone(o);
        c.metadata.annotations = { ...(c.metadata.annotations ?? {}), [SYNC_WAVE]: String(wave) };
        return c;
      }),
    );
}

/** The tier of each component: 0 for those that need nothing, else one more than the deepest it needs. */
export function componentTiers(components: readonly ComponentName[]): Map<ComponentName, number> {
  const tiers = new Map<ComponentName, number>();
  const tier = (c: ComponentName): number => {
    const t = tiers.get(c);
    if (t !== undefined) return t;
    const v = Math.max(-1, ...registry.needs(c).filter((d) => components.includes(d)).map(tier)) + 1;
    tiers.set(c, v);
    return v;
  };
  for (const c of components) tier(c);
  return tiers;
}

export interface ApplicationsOptions {
  /** Components of the stack, in order. */
  components: readonly ComponentName[];
  /** One Application per component (ordered by tier with sync waves), or one for the whole stack. */
  mode: 'per-component' | 'single';
  /** Application name prefix, e.g. `panda-`; names are `<prefix><component>`, or `<prefix>stack`. */
  prefix: string;
  repoURL: string;
  targetRevision: string;
  /** Path in the repository the plugin runs in (the values files are relative to it). */
  path: string;
  /** Plugin environment (without the `ARGOCD_ENV_` prefix Argo CD adds): EXPERIMENT, AFFIX, VALUES, ... */
  env: Record<string, string>;
  project: string;
  /** Namespace Argo CD runs in (where Applications live). */
  argocdNamespace: string;
  destinationServer: string;
  destinationNamespace: string;
  /** Automated sync with prune and self-heal (upstream's testbed); manual sync otherwise. */
  automated: boolean;
}

/** StatefulSets whose claim templates the API server would not let a sync change (they are immutable). */
function claimTemplateOwners(objects: readonly K8sObject[]): string[] {
  return objects.filter((o) => o.kind === 'StatefulSet' && (o.spec as { volumeClaimTemplates?: unknown[] } | undefined)?.volumeClaimTemplates?.length).map((o) => o.metadata.name);
}

/**
 * The Applications for a stack. Sync options follow upstream's testbed Applications: server-side
 * apply, CreateNamespace, RespectIgnoreDifferences with the StatefulSets' claim templates
 * ignored (immutable once created). `objects`: the rendered stack, to name those StatefulSets.
 */
export function applications(o: ApplicationsOptions, objects: readonly K8sObject[]): K8sObject[] {
  const tiers = componentTiers(o.components);
  const app = (name: string, components: readonly ComponentName[], wave?: number): K8sObject => {
    const mine = objects.filter((x) => components.includes(x.metadata.labels?.['panda-k8s.io/component'] as ComponentName));
    const sts = claimTemplateOwners(mine);
    const env = { ...o.env, ENABLE: components.join(',') };
    return {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Application',
      metadata: {
        name,
        namespace: o.argocdNamespace,
        labels: { 'app.kubernetes.io/part-of': 'panda', 'app.kubernetes.io/managed-by': 'panda-k8s' },
        ...(wave !== undefined ? { annotations: { [SYNC_WAVE]: String(wave) } } : {}),
      },
      spec: {
        project: o.project,
        source: {
          repoURL: o.repoURL,
          targetRevision: o.targetRevision,
          path: o.path,
          plugin: { name: PLUGIN_NAME, env: Object.entries(env).map(([k, v]) => ({ name: k, value: v })) },
        },
        destination: { server: o.destinationServer, namespace: o.destinationNamespace },
        syncPolicy: {
          ...(o.automated ? { automated: { prune: true, selfHeal: true } } : {}),
          syncOptions: ['CreateNamespace=true', 'ServerSideApply=true', 'RespectIgnoreDifferences=true'],
        },
        ...(sts.length ? { ignoreDifferences: sts.map((n) => ({ group: 'apps', kind: 'StatefulSet', name: n, jsonPointers: ['/spec/volumeClaimTemplates'] })) } : {}),
      },
    };
  };
  if (o.mode === 'single') return [app(`${o.prefix}stack`, o.components)];
  return [...o.components].sort((a, b) => tiers.get(a)! - tiers.get(b)!).map((c) => app(`${o.prefix}${c}`, [c], tiers.get(c)!));
}
