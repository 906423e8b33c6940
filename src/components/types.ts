/**
 * What a component is: its values slice, its sub-components and how they depend on each other,
 * and a pure render function from typed values to Kubernetes objects.
 */
import type { z } from 'zod';
import type { Issue } from '../core/errors.js';
import type { K8sObject } from '../core/k8s.js';
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
   * Sandbox file sets of this component: built-in files, or with `--from` the checkout's files of
   * the sets the component maps there ({@link Component.checkout}), overlaid by `--sandbox-dir`.
   */
  sandbox(set: string): FileSet;
  /** Report a payload the render needs but was not given: a warning in template mode, an error for a real install. */
  missing(issue: Issue): void;
  /** `global.deploymentName` (upstream's bin/install passes the release name); empty when unset. */
  deploymentName: string;
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
  /**
   * Sandbox sets read from an upstream checkout with `--from`: set → directory (or directories,
   * read in order) relative to the checkout root. Such a set replaces the built-in one.
   */
  checkout?: Readonly<Record<string, string | readonly string[]>>;
  /** The component's values slice (umbrella keys plus one key per sub-component). */
  schema: S;
  /** Pure: typed values → objects. Disabled sub-components (`<sub>.enabled: false`) render nothing. */
  render(values: z.output<S>, ctx: RenderContext): K8sObject[];
}

/** Declare a component with its schema type inferred. */
export function defineComponent<S extends z.ZodType>(c: Component<S>): Component<S> {
  return c;
}
