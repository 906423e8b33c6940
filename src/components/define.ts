/**
 * What a component is, and the registry that derives everything else from the components'
 * declarations: the root values schema, the component list, the tiers and their reverse, the
 * Secrets the preflight checks, the charts `--from` reads, and the lists in docs and help.
 */
import { z } from 'zod';
import { PandaError } from '../core/errors.js';
import type { FileSet } from '../core/files.js';
import { owner, type K8sObject, type Part } from '../core/k8s.js';
import type { Affix, Names } from '../core/names.js';
import type { Issue } from '../core/errors.js';
import type { SecretRef } from '../secrets/refs.js';
import type { PayloadSource } from '../core/files.js';
import { globalSchema } from '../values/common.js';

/** One sub-component instance while rendering: labels, object names, and the Secrets it may read. */
export interface ComponentPart extends Part {
  /** Name of a secrets-lifecycle Secret this sub-component reads; refuses one it does not declare. */
  secret(ref: SecretRef): string;
}

/** Everything a render needs besides the component's own values. Pure data; no I/O. */
export interface RenderContext {
  affix: Affix;
  /** This component's names (release, `derived`); `names.of(other)` for cross-references. */
  names: Names;
  /** Prefix of the Secret names the secrets lifecycle installs (`global.secret`). */
  secretPrefix: string;
  /** Sandbox file sets of this component, built-in files overlaid by the operator's `--sandbox-dir`. */
  sandbox(set: string): FileSet;
  /** A declared sub-component, with the name overrides of its values. */
  part(sub: string, v?: { nameOverride?: string; fullnameOverride?: string }): ComponentPart;
  /** `global.deploymentName` (upstream's bin/install passes the release name); empty when unset. */
  deploymentName: string;
  /** Namespace the stack is installed in (`default` in template mode unless `-n` is given). */
  namespace: string;
  /** `global.existingTlsSecret`: a `kubernetes.io/tls` Secret that replaces the component's own certificates. */
  existingTlsSecret: string;
  /**
   * Report a payload file the values name that no source provides: a warning in template mode,
   * an error for a real install (nothing applied).
   */
  missingPayload(issue: Issue): void;
}

export interface SubComponent {
  name: string;
  description: string;
  /** Sub-components whose objects this one uses (mounts their ConfigMaps): it cannot be deployed without them. */
  requires?: readonly string[];
  /** Sub-components that must be ready before this one starts (e.g. a database before its server). */
  after?: readonly string[];
  /** Secrets of the secrets lifecycle this sub-component's pods read (the preflight checks them). */
  secrets: readonly SecretRef[];
}

export interface Component<N extends string = string, S extends z.ZodType = z.ZodType> {
  name: N;
  description: string;
  /** Upstream chart directory (`--from DIR`: `helm/<chart>/values.yaml`, `helm/<chart>/values/values-<exp>.yaml`); default: the name. */
  chart?: string;
  /** Components that must be ready before this one starts (tier dependencies; only deployed ones count). */
  needs: readonly string[];
  /** Payload sets read from an upstream checkout with `--from` instead of the built-in ones (`set → folder of the checkout`). */
  payloads?: Readonly<Record<string, PayloadSource>>;
  /** Sub-components in the order they are listed in docs and status; values key `<name>.<sub>`. */
  subs: readonly SubComponent[];
  /** The component's values slice (one key per sub-component, each with `enabled`). */
  schema: S;
  /** Pure: typed values → objects. Disabled sub-components (`<sub>.enabled: false`) render nothing. */
  render(values: z.output<S>, ctx: RenderContext): K8sObject[];
}

/** Declare a component with its name and schema types inferred. */
export function defineComponent<const N extends string, S extends z.ZodType>(c: Component<N, S>): Component<N, S> {
  return c;
}

/** The render context of one component instance. */
export function renderContext(
  c: Pick<Component, 'name' | 'subs'>,
  names: Names,
  secretPrefix: string,
  sandbox: (set: string) => FileSet,
  extra: { namespace?: string; existingTlsSecret?: string; missingPayload?: (i: Issue) => void; deploymentName?: string } = {},
): RenderContext {
  return {
    affix: names.affix,
    names,
    secretPrefix,
    sandbox,
    deploymentName: extra.deploymentName ?? '',
    namespace: extra.namespace ?? 'default',
    existingTlsSecret: extra.existingTlsSecret ?? '',
    missingPayload: extra.missingPayload ?? (() => {}),
    part(sub, v = {}) {
      const decl = c.subs.find((s) => s.name === sub);
      if (!decl) throw new Error(`component ${c.name} renders sub-component ${sub}, which its declaration does not list`);
      return {
        owner: owner(c.name, names.release, sub, v.nameOverride ?? ''),
        names: names.part(sub, v.fullnameOverride),
        secret(ref) {
          if (!decl.secrets.includes(ref)) {
            throw new Error(`${c.name}.${sub} reads Secret ${ref.id}, which its declaration does not list in secrets`);
          }
          return ref.name(secretPrefix);
        },
      };
    },
  };
}

type Slices<C extends readonly Component[]> = { [K in C[number] as K['name']]: K['schema'] };

export interface Registry<C extends readonly Component[], Sec extends z.ZodType = z.ZodType> {
  /** The components, in upstream's default order (docs, `-c` default, status). */
  readonly list: C;
  /** Their names, in that order. */
  readonly names: readonly C[number]['name'][];
  get(name: string): C[number] | undefined;
  /** Like {@link get}, but an unknown name is a programming error. */
  must(name: string): C[number];
  /** Direct tier dependencies of a component. */
  needs(name: string): readonly C[number]['name'][];
  /** Components by tier: each tier needs only earlier ones. */
  readonly tiers: readonly (readonly C[number]['name'][])[];
  /** Tiers in reverse, for uninstall. */
  readonly reverseTiers: readonly (readonly C[number]['name'][])[];
  /** Values scopes of upstream's per-chart files: component name and chart directory. */
  readonly charts: readonly { component: C[number]['name']; chart: string }[];
  /** The root values schema: `global`, `secrets`, and one slice per component. */
  readonly valuesSchema: z.ZodObject<{ global: typeof globalSchema; secrets: Sec } & Slices<C>>;
  /** Secrets the selected sub-components read, by name, with their readers (`panda.server`). */
  requiredSecrets(selected: readonly { name: string; subs: readonly string[] }[], prefix: string): Map<string, string[]>;
}

/** Checks the declarations and derives everything from them. */
export function createRegistry<const C extends readonly Component[], Sec extends z.ZodType>(secretsSchema: Sec, list: C): Registry<C, Sec> {
  type Name = C[number]['name'];
  const byName = new Map<string, C[number]>();
  const problems: string[] = [];
  for (const c of list) {
    if (byName.has(c.name)) problems.push(`component ${c.name} is registered twice`);
    if (c.name === 'global' || c.name === 'secrets') problems.push(`component name ${c.name} is reserved for the values root`);
    byName.set(c.name, c);
  }
  for (const c of list) {
    for (const d of c.needs) if (!byName.has(d)) problems.push(`${c.name} needs unknown component ${d}`);
    const subs = new Set(c.subs.map((s) => s.name));
    for (const s of c.subs) {
      for (const r of [...(s.after ?? []), ...(s.requires ?? [])]) if (!subs.has(r)) problems.push(`${c.name}.${s.name} refers to unknown sub-component ${r}`);
    }
  }
  // tiers: depth in the needs graph
  const depth = new Map<string, number>();
  const visit = (n: string, path: string[]): number => {
    const known = depth.get(n);
    if (known !== undefined) return known;
    if (path.includes(n)) {
      problems.push(`tier cycle: ${[...path, n].join(' → ')}`);
      return 0;
    }
    const d = Math.max(-1, ...(byName.get(n)?.needs ?? []).filter((x) => byName.has(x)).map((x) => visit(x, [...path, n]))) + 1;
    depth.set(n, d);
    return d;
  };
  for (const c of list) visit(c.name, []);
  if (problems.length) throw new PandaError('invalid component registry', problems.map((message) => ({ where: 'src/components/registry.ts', message })));

  const names = list.map((c) => c.name as Name);
  const tiers: Name[][] = [];
  for (const n of names) (tiers[depth.get(n)!] ??= []).push(n);
  const shape: Record<string, z.ZodType> = { global: globalSchema, secrets: secretsSchema };
  for (const c of list) shape[c.name] = c.schema;
  const valuesSchema = z
    .strictObject(shape)
    .describe('panda-k8s values. Layers, later wins: defaults, experiment overlay, secrets values, -f files, --set.') as unknown as Registry<C, Sec>['valuesSchema'];

  return {
    list,
    names,
    get: (n) => byName.get(n),
    must(n) {
      const c = byName.get(n);
      if (!c) throw new Error(`unknown component ${n}`);
      return c;
    },
    needs: (n) => (byName.get(n)?.needs ?? []) as readonly Name[],
    tiers,
    reverseTiers: [...tiers].reverse(),
    charts: list.map((c) => ({ component: c.name as Name, chart: c.chart ?? c.name })),
    valuesSchema,
    requiredSecrets(selected, prefix) {
      const need = new Map<string, string[]>();
      for (const sel of selected) {
        for (const s of byName.get(sel.name)?.subs ?? []) {
          if (!sel.subs.includes(s.name)) continue;
          for (const ref of s.secrets) {
            const name = ref.name(prefix);
            need.set(name, [...(need.get(name) ?? []), `${sel.name}.${s.name}`]);
          }
        }
      }
      return need;
    },
  };
}
