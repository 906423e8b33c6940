/**
 * The one names module: release names from the affix, object names from a release and a
 * sub-component, and the DNS rules they must satisfy. Object names and every cross-reference
 * (Secret values that point at Services, env ConfigMaps another pod reads, ...) are computed here,
 * so they cannot disagree.
 */
import { PandaError, type Issue } from './errors.js';

export const COMPONENTS = ['msgsvc', 'iam', 'panda', 'harvester', 'idds', 'bigmon'] as const;
export type ComponentName = (typeof COMPONENTS)[number];

/**
 * Every component a stack can hold, the registered ones and those the secrets lifecycle already
 * serves (upstream HEAD's `iam-db` and `ui`): the hosts the Secrets carry are named for all of them.
 */
export const STACK_COMPONENTS = [...new Set([...COMPONENTS, 'iam-db', 'ui'] as const)];
export type StackComponent = ComponentName | 'iam-db' | 'ui';

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

/** Names of one component instance. */
export class Names {
  constructor(
    readonly component: StackComponent,
    readonly release: string,
  ) {}
  /** fullname of a sub-component (see {@link fullname}). */
  sub(sub: string, override?: string): string {
    return fullname(this.release, sub, override);
  }
  /** A name built from the release directly, as upstream does for some objects (`<R>-server-env`). */
  derived(suffix: string): string {
    return `${this.release}-${suffix}`;
  }
}

/** Names of every component of a stack with one affix, for cross-references. */
export function stackNames(affix: Affix): Record<StackComponent, Names> {
  return Object.fromEntries(STACK_COMPONENTS.map((c) => [c, new Names(c, releaseName(affix, c))])) as Record<StackComponent, Names>;
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
