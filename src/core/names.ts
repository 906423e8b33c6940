/**
 * The one names module: release names from the affix, object names from a release and a
 * sub-component, Secret names from the prefix, and the DNS rules they must satisfy. Object names
 * and every cross-reference (Secret values that point at Services, env ConfigMaps another pod
 * reads, ...) are computed here, so they cannot disagree. Component names are plain strings: the
 * list of components is the registry's (src/components/registry.ts), not this module's.
 */
import { PandaError, type Issue } from './errors.js';

export const DEFAULT_AFFIX = 'test-';
export const DEFAULT_SECRET_PREFIX = 'panda-secrets';
export const MAX_LABEL = 63;
export const MAX_SUBDOMAIN = 253;

const LABEL_RE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const SUBDOMAIN_RE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

export type AffixKind = 'prefix' | 'suffix';

export interface Affix {
  value: string;
  kind: AffixKind;
  /** Where the affix came from, for messages. */
  source: string;
}

/**
 * Resolve the affix as upstream's `bin/install` does — flag, then `affix:` in the secrets values,
 * then `test-` — but with one rule for all uses: `x-` is a prefix, `-x` a suffix, anything else
 * is an error (upstream's launcher and secrets chart disagree on such affixes).
 */
export function resolveAffix(flag: string | undefined, fromSecrets: string | undefined, secretsFile?: string): Affix {
  const [value, source] =
    flag !== undefined
      ? [flag, '--affix']
      : fromSecrets !== undefined && fromSecrets !== ''
        ? [fromSecrets, secretsFile ? `affix in ${secretsFile}` : 'secrets.affix']
        : [DEFAULT_AFFIX, 'default'];
  const issues = affixIssues(value, source);
  if (issues.length) throw new PandaError('invalid affix', issues);
  return { value, kind: value.endsWith('-') ? 'prefix' : 'suffix', source };
}

export function affixIssues(value: string, where: string): Issue[] {
  const prefix = value.endsWith('-') && !value.startsWith('-');
  const suffix = value.startsWith('-') && !value.endsWith('-');
  if (!prefix && !suffix) {
    return [
      {
        where,
        message: `affix ${JSON.stringify(value)} is neither a prefix (\`name-\`) nor a suffix (\`-name\`)`,
        fix: 'use a lowercase word with one dash at its start (suffix, e.g. -dev) or at its end (prefix, e.g. dev-)',
      },
    ];
  }
  const core = prefix ? value.slice(0, -1) : value.slice(1);
  if (!LABEL_RE.test(core)) {
    return [
      {
        where,
        message: `affix ${JSON.stringify(value)} would make object names that Kubernetes rejects (lowercase letters, digits and '-' only)`,
        fix: value.includes('FIXME')
          ? 'replace the FIXME placeholder with your instance affix, e.g. -dev or test-'
          : `use e.g. ${JSON.stringify(value.toLowerCase().replace(/[^-a-z0-9]/g, ''))}`,
      },
    ];
  }
  return [];
}

/** `<affix><component>` for a prefix, `<component><affix>` for a suffix. */
export function releaseName(affix: Affix, component: string): string {
  return affix.kind === 'prefix' ? `${affix.value}${component}` : `${component}${affix.value}`;
}

/**
 * Object name of a sub-component: `<release>-<sub>`, or the release alone when the sub-component's
 * name is already one of the release's dash-separated words (`test-harvester` + `harvester`).
 * Upstream collapses on any substring (`idds-forest` + `rest`), which breaks cross-references;
 * matching whole words keeps upstream's names for ordinary affixes and nothing else collapses.
 */
export function fullname(release: string, sub: string, override?: string): string {
  if (override) return override;
  return release.split('-').includes(sub) ? release : `${release}-${sub}`;
}

/** Name of a Secret of the secrets lifecycle: `<prefix>-<suffix>` (`panda-secrets-panda-envs`). */
export function secretName(prefix: string, suffix: string): string {
  return `${prefix}-${suffix}`;
}

/** Names of one component instance; {@link Names.of} gives the names of another of the same stack. */
export class Names {
  readonly release: string;
  constructor(
    readonly component: string,
    readonly affix: Affix,
  ) {
    this.release = releaseName(affix, component);
  }
  /** fullname of a sub-component (see {@link fullname}). */
  sub(sub: string, override?: string): string {
    return fullname(this.release, sub, override);
  }
  /** All object names of one sub-component instance. */
  part(sub: string, override?: string): SubNames {
    return new SubNames(this.release, sub, this.sub(sub, override));
  }
  /** A name built from the release directly, as upstream does for some objects (`<R>-external-sandbox`). */
  derived(suffix: string): string {
    return `${this.release}-${suffix}`;
  }
  /** Names of another component of the same stack (same affix), for cross-references. */
  of(component: string): Names {
    return component === this.component ? this : new Names(component, this.affix);
  }
}

/**
 * Object names of one sub-component instance. The workload, its Service, its claim and its
 * PersistentVolume share the fullname; the objects it owns are `<fullname>-<role>`.
 */
export class SubNames {
  constructor(
    readonly release: string,
    readonly sub: string,
    readonly fullname: string,
  ) {}
  get workload(): string {
    return this.fullname;
  }
  get service(): string {
    return this.fullname;
  }
  /** The claim of the sub-component's own storage. */
  get claim(): string {
    return this.fullname;
  }
  /** The PersistentVolume created for that claim. */
  get volume(): string {
    return this.fullname;
  }
  /** A ConfigMap of this sub-component: `<fullname>-<role>`. */
  configMap(role: string): string {
    return `${this.fullname}-${role}`;
  }
  /** A Secret this sub-component renders itself (not one of the secrets lifecycle): `<fullname>-<role>`. */
  secret(role: string): string {
    return `${this.fullname}-${role}`;
  }
  /** A further claim (and its PersistentVolume) of this sub-component: `<fullname>-<role>` (harvester's `-wdirs`, iam-db's backup `special-data`). */
  claimFor(role: string): string {
    return `${this.fullname}-${role}`;
  }
  /** A pod volume: `<fullname>-<role>`. */
  podVolume(role: string): string {
    return `${this.fullname}-${role}`;
  }
  /** A Route: `<fullname>-route`, or `<prefix>-<fullname>-route` (`http-…`). */
  route(prefix?: string): string {
    return prefix ? `${prefix}-${this.fullname}-route` : `${this.fullname}-route`;
  }
  /** The PersistentVolume and claim of one CVMFS repository mount: `<fullname>-cvmfs-<name>`. */
  cvmfs(name: string): string {
    return `${this.fullname}-cvmfs-${name}`;
  }
}

/** Names of every component of a stack with one affix, for cross-references. */
export function stackNames<C extends string>(affix: Affix, components: readonly C[]): Record<C, Names> {
  return Object.fromEntries(components.map((c) => [c, new Names(c, affix)])) as Record<C, Names>;
}

export function isDnsLabel(name: string): boolean {
  return name.length <= MAX_LABEL && LABEL_RE.test(name);
}

export function isDnsSubdomain(name: string): boolean {
  return name.length <= MAX_SUBDOMAIN && SUBDOMAIN_RE.test(name);
}

/** Kinds whose names must be DNS labels (they become host names or label values). */
const LABEL_KINDS = new Set(['Service', 'Deployment', 'StatefulSet', 'Namespace']);

/** Issues for an object name Kubernetes would reject. */
export function nameIssues(kind: string, name: string): Issue[] {
  const label = LABEL_KINDS.has(kind);
  const ok = label ? isDnsLabel(name) : isDnsSubdomain(name);
  if (ok) return [];
  const limit = label ? MAX_LABEL : MAX_SUBDOMAIN;
  return [
    {
      where: `${kind}/${name}`,
      message:
        name.length > limit
          ? `name is ${name.length} characters; Kubernetes allows at most ${limit} for a ${kind}`
          : `name is not a valid DNS ${label ? 'label' : 'subdomain'} (lowercase letters, digits, '-'${label ? '' : ", '.'"})`,
      fix: name.length > limit ? 'use a shorter affix or a shorter fullnameOverride' : 'use a lowercase affix and overrides',
    },
  ];
}
