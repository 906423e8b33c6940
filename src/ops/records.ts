/**
 * Release records: one Secret per revision of a stack (`<stack>.v<N>`, type
 * `panda-k8s.io/release.v1`), written by every install, upgrade, rollback and uninstall. A record
 * holds the tool version, a digest of the inputs, the non-secret values, the components with
 * their rendered objects (what a rollback re-applies), the object inventory, who, when and the
 * outcome; gzip-compressed so that a whole stack fits well within the 1 MiB of a Secret. Building,
 * reading, choosing and pruning records is pure; ops/history.ts does the I/O.
 */
import { createHash } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';
import { PandaError } from '../core/errors.js';
import { LABEL, MANAGED_BY, type K8sObject } from '../core/k8s.js';
import { releaseName, type Affix } from '../core/names.js';
import { refName } from '../core/objects.js';
import type { ComponentName, Values } from '../components/registry.js';
import { sizeIssues } from '../plan/limits.js';
import type { RenderedStack } from '../render/stack.js';

export const RECORD_TYPE = 'panda-k8s.io/release.v1';
const DATA_KEY = 'release';
/** @default 10 */
export const DEFAULT_HISTORY_MAX = 10;

export type Operation = 'install' | 'upgrade' | 'rollback' | 'uninstall';
export type Outcome = 'succeeded' | 'failed' | 'interrupted';

export interface RecordedComponent {
  name: ComponentName;
  release: string;
  subs: string[];
  /** The objects as rendered (before the digests of live Secrets are added); empty when the manifest was too large to keep. */
  objects: K8sObject[];
}

export interface ReleaseRecord {
  revision: number;
  /** `<affix>panda-k8s`: the stack the record belongs to (also the stack lock's name). */
  stack: string;
  namespace: string;
  operation: Operation;
  outcome: Outcome;
  /** `panda-k8s <version>`. */
  tool: string;
  /** `user@host`. */
  by: string;
  startedAt: string;
  finishedAt: string;
  /** sha256 of the non-secret values, the selection and the rendered objects. */
  digest: string;
  affix: string;
  secretPrefix: string;
  /** The revision whose inputs a rollback re-applied. */
  rollbackOf?: number;
  /** The values without the `secrets` slice; absent for an uninstall. */
  values?: unknown;
  components: RecordedComponent[];
  /** Whether the rendered objects are kept (a rollback to this revision needs them). */
  manifest: boolean;
  /** `Kind/name` of every object the operation applied (or, for an uninstall, deleted). */
  inventory: string[];
  summary: { created: number; changed: number; unchanged: number; pruned: string[]; kept: string[] };
  errors: string[];
}

export const stackName = (affix: Affix) => releaseName(affix, 'panda-k8s');
export const recordName = (stack: string, revision: number) => `${stack}.v${revision}`;

/** The values a record keeps: everything but the `secrets` slice (passwords, tokens, keys). */
export function nonSecretValues(values: Values | Record<string, unknown>): Record<string, unknown> {
  const { secrets: _secrets, ...rest } = values as Record<string, unknown>;
  return structuredClone(rest);
}

function canonical(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(canonical);
  if (v && typeof v === 'object') return Object.fromEntries(Object.keys(v).sort().map((k) => [k, canonical((v as Record<string, unknown>)[k])]));
  return v;
}

/** sha256 of what determines a deployment: the non-secret values, the components and their objects. */
export function inputsDigest(values: unknown, components: readonly { name: string; subs: readonly string[]; objects: readonly K8sObject[] }[]): string {
  const body = JSON.stringify(canonical({ values: values ?? null, components: components.map((c) => ({ name: c.name, subs: c.subs, objects: c.objects })) }));
  return `sha256:${createHash('sha256').update(body).digest('hex')}`;
}

/** The recorded form of a rendered stack's components. */
export function recordedComponents(stack: Pick<RenderedStack, 'components'>): RecordedComponent[] {
  return stack.components.map((c) => ({ name: c.name, release: c.release, subs: [...c.subs], objects: structuredClone(c.objects) }));
}

/** The next revision after the records there are. */
export const nextRevision = (records: readonly Pick<ReleaseRecord, 'revision'>[]) => Math.max(0, ...records.map((r) => r.revision)) + 1;

function encode(r: ReleaseRecord): string {
  return gzipSync(Buffer.from(JSON.stringify(r)), { level: 9 }).toString('base64');
}

/**
 * The Secret of a record. When even compressed it exceeds what a Secret holds, the rendered
 * objects are left out (`manifest: false`; the inventory stays): that revision can be listed
 * and its values read, but not rolled back to.
 */
export function recordSecret(r: ReleaseRecord): K8sObject {
  const secret = (rec: ReleaseRecord): K8sObject => ({
    apiVersion: 'v1',
    kind: 'Secret',
    type: RECORD_TYPE,
    metadata: {
      name: recordName(rec.stack, rec.revision),
      namespace: rec.namespace,
      labels: { [LABEL.managedBy]: MANAGED_BY, [LABEL.stack]: rec.stack, [LABEL.revision]: String(rec.revision) },
      annotations: { 'panda-k8s.io/operation': rec.operation, 'panda-k8s.io/outcome': rec.outcome, 'panda-k8s.io/digest': rec.digest },
    },
    data: { [DATA_KEY]: encode(rec) },
  });
  const full = secret(r);
  if (!sizeIssues([full]).length) return full;
  const slim = secret({ ...r, manifest: false, components: r.components.map((c) => ({ ...c, objects: [] })) });
  const issues = sizeIssues([slim]);
  if (issues.length) throw new PandaError(`the release record of revision ${r.revision} is too large to store`, issues);
  return slim;
}

/** A record read back from its Secret; a Secret that is not one is an error naming it. */
export function parseRecord(s: K8sObject): ReleaseRecord {
  const where = `Secret/${s.metadata.name}`;
  const data = (s.data as Record<string, string> | undefined)?.[DATA_KEY];
  if (s.type !== RECORD_TYPE || !data) throw new PandaError('not a panda-k8s release record', [{ where, message: `type ${String(s.type)}, without data.${DATA_KEY}`, fix: `remove the label ${LABEL.stack} from it, or the Secret` }]);
  let r: ReleaseRecord;
  try {
    r = JSON.parse(gunzipSync(Buffer.from(data, 'base64')).toString('utf8')) as ReleaseRecord;
  } catch (e) {
    throw new PandaError('unreadable release record', [{ where, message: (e as Error).message, fix: 'delete the Secret; the other revisions stay usable' }]);
  }
  if (typeof r.revision !== 'number' || !Array.isArray(r.components)) throw new PandaError('unreadable release record', [{ where, message: 'no revision or components', fix: 'delete the Secret; the other revisions stay usable' }]);
  return r;
}

/** Revisions beyond the newest `max` (oldest first), which are deleted after a new record is written. */
export function recordsToPrune(revisions: readonly number[], max: number): number[] {
  return [...revisions].sort((a, b) => b - a).slice(Math.max(1, max)).sort((a, b) => a - b);
}

/** The revision that rendered objects can be re-applied from: an install, upgrade or rollback whose manifest was kept. */
const restorable = (r: ReleaseRecord) => r.operation !== 'uninstall' && r.manifest;

/**
 * The revision a rollback re-applies: `revision` when given (it must exist and be restorable),
 * else the newest revision that succeeded before the newest one.
 */
export function rollbackTarget(records: readonly ReleaseRecord[], stack: string, revision?: number): ReleaseRecord {
  const where = revision !== undefined ? `revision ${revision}` : stack;
  if (!records.length) throw new PandaError(`no release records for ${stack}`, [{ where, message: 'the stack has no history in this namespace', fix: 'check -a and -n (panda-k8s history lists the revisions)' }], 4);
  if (revision !== undefined) {
    const r = records.find((x) => x.revision === revision);
    if (!r) throw new PandaError(`no revision ${revision} of ${stack}`, [{ where, message: `revisions kept: ${records.map((x) => x.revision).join(', ')}`, fix: 'pick one of them (panda-k8s history)' }]);
    if (!restorable(r))
      throw new PandaError(`revision ${revision} cannot be rolled back to`, [{ where, message: r.operation === 'uninstall' ? 'it is an uninstall' : 'its manifest was too large to keep', fix: 'pick another revision (panda-k8s history)' }]);
    return r;
  }
  const newest = Math.max(...records.map((x) => x.revision));
  const r = [...records].sort((a, b) => b.revision - a.revision).find((x) => x.revision < newest && x.outcome === 'succeeded' && restorable(x));
  if (!r) throw new PandaError(`no earlier revision of ${stack} to roll back to`, [{ where, message: `revisions: ${records.map((x) => `${x.revision} (${x.operation}, ${x.outcome})`).join(', ')}`, fix: 'name a revision: panda-k8s rollback N' }]);
  return r;
}

/** The newest record that holds values and objects (what `get values` and `get manifest` show by default), or revision `n`. */
export function pickRecord(records: readonly ReleaseRecord[], stack: string, revision?: number): ReleaseRecord {
  const where = revision !== undefined ? `--revision ${revision}` : stack;
  if (!records.length) throw new PandaError(`no release records for ${stack}`, [{ where, message: 'the stack has no history in this namespace', fix: 'check -a and -n (panda-k8s history lists the revisions)' }], 4);
  const r = revision !== undefined ? records.find((x) => x.revision === revision) : [...records].sort((a, b) => b.revision - a.revision).find((x) => x.operation !== 'uninstall');
  if (!r) throw new PandaError(revision !== undefined ? `no revision ${revision} of ${stack}` : `no installed revision of ${stack}`, [{ where, message: `revisions kept: ${records.map((x) => x.revision).join(', ')}`, fix: 'pick one of them (panda-k8s history)' }], 4);
  return r;
}

/** The inventory of a set of components' objects, `Kind/name`. */
export const inventoryOf = (components: readonly { objects: readonly K8sObject[] }[]) => components.flatMap((c) => c.objects.map(refName));

/** What a rollback re-applies: the recorded stack, as install takes it. */
export function stackFromRecord(r: ReleaseRecord, affix: Affix): RenderedStack & { values: Values; ignored: []; affix: Affix } {
  const components = r.components.map((c) => ({ ...c, objects: structuredClone(c.objects) }));
  return {
    affix,
    secretPrefix: r.secretPrefix,
    components,
    objects: components.flatMap((c) => c.objects),
    placeholders: [],
    missing: [],
    values: structuredClone(r.values ?? {}) as Values,
    ignored: [],
  };
}
