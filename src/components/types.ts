/**
 * What a component is: its values slice, its sub-components and how they depend on each other,
 * and a pure render function from typed values to Kubernetes objects.
 */
import type { z } from 'zod';
import type { K8sObject } from '../core/k8s.js';
import type { Issue } from '../core/errors.js';
import type { Affix, ComponentName, Names } from '../core/names.js';

/** Files of one sandbox set (`<component>/sandbox/<set>/`), keyed by base name. */
export type FileSet = ReadonlyMap<string, Uint8Array>;

/** Everything a render needs besides the component's own values. Pure data; no I/O. */
export interface RenderContext {
  affix: Affix;
  /** This component's names (release, fullnames). */
  names: Names;
  /** Names of every component of the stack, for cross-references (e.g. the PanDA server Service). */
  stack: Record<ComponentName, Names>;
  /** Prefix of the Secret names the secrets lifecycle installs (`global.secret`). */
  secretPrefix: string;
  /**
   * Sandbox and payload file sets of this component: the built-in files (or, with `--from`, the
   * checkout's chart folders named in `payloads`), overlaid by the operator's `--sandbox-dir`.
   */
  sandbox(set: string): FileSet;
  /** Namespace the stack is installed in (`default` in template mode unless `-n` is given). */
  namespace?: string;
  /** `global.existingTlsSecret`: a `kubernetes.io/tls` Secret that replaces the component's own certificates. */
  existingTlsSecret?: string;
  /**
   * Report a payload file the values name that no source provides: a warning in template mode,
   * an error for a real install (nothing applied).
   */
  missingPayload?(issue: Issue): void;
}

/** Where an upstream checkout (`--from`) keeps a payload set: a folder, and which of its files belong to the set. */
export interface PayloadSource {
  checkout: string;
  pattern?: RegExp;
}

export interface SubComponent {
  name: string;
  description: string;
  /** Sub-components whose objects this one uses (mounts their ConfigMaps): it cannot be deployed without them. */
  requires?: readonly string[];
  /** Sub-components that must be ready before this one starts (e.g. a database before its server). */
  after?: readonly string[];
  /** Secrets (suffixes after the prefix, e.g. `panda-envs`) this sub-component's pods read. */
  secrets: readonly string[];
}

export interface Component<S extends z.ZodType = z.ZodType> {
  name: ComponentName;
  description: string;
  /** Sub-components in the order they are listed in docs and status. */
  subs: readonly SubComponent[];
  /** Payload sets read from an upstream checkout with `--from` instead of the built-in ones. */
  payloads?: Readonly<Record<string, PayloadSource>>;
  /** The component's values slice (umbrella keys plus one key per sub-component). */
  schema: S;
  /** Pure: typed values → objects. Disabled sub-components (`<sub>.enabled: false`) render nothing. */
  render(values: z.output<S>, ctx: RenderContext): K8sObject[];
}

/** Declare a component with its schema type inferred. */
export function defineComponent<S extends z.ZodType>(c: Component<S>): Component<S> {
  return c;
}
