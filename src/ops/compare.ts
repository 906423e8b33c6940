/** Comparing what we would apply with what is there. */
import { createHmac, randomBytes } from 'node:crypto';

const VOLATILE_META = ['managedFields', 'resourceVersion', 'generation', 'creationTimestamp', 'uid', 'selfLink'];

/** The object without server bookkeeping and status, for comparison. */
export function normalize(o: unknown): unknown {
  const c = structuredClone(o) as Record<string, any>;
  delete c.status;
  if (c.metadata) {
    for (const k of VOLATILE_META) delete c.metadata[k];
    if (c.metadata.annotations) {
      delete c.metadata.annotations['deployment.kubernetes.io/revision'];
      if (!Object.keys(c.metadata.annotations).length) delete c.metadata.annotations;
    }
  }
  return sortKeys(c);
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === 'object') return Object.fromEntries(Object.keys(v).sort().map((k) => [k, sortKeys((v as Record<string, unknown>)[k])]));
  return v;
}

/** A key that lives as long as the process: digests of one run never match those of another. */
const DIGEST_KEY = randomBytes(32);

/**
 * Secret values replaced by a keyed digest of the Secret, the key and the value: a diff shows
 * which keys change and nothing else. Equal values under two keys (or in two runs) look different.
 */
export function hideSecretValues(o: unknown): unknown {
  const c = structuredClone(o) as Record<string, any>;
  if (c?.kind !== 'Secret') return c;
  for (const f of ['data', 'stringData']) {
    if (!c[f]) continue;
    for (const k of Object.keys(c[f])) {
      const bytes = f === 'data' ? Buffer.from(String(c[f][k]), 'base64') : Buffer.from(String(c[f][k]));
      const h = createHmac('sha256', DIGEST_KEY).update(`${c.metadata?.namespace ?? ''}/${c.metadata?.name ?? ''}\0${k}\0`).update(bytes);
      c[f][k] = `(hidden ${h.digest('hex').slice(0, 12)})`;
    }
  }
  return c;
}

/** A line diff (LCS) of two texts: lines prefixed "-", "+" or " ", with context trimmed to `context` lines. */
export function lineDiff(a: string, b: string, context = 3): string[] {
  const x = a.split('\n');
  const y = b.split('\n');
  const n = x.length;
  const m = y.length;
  const L: number[][] = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
  for (let i = n - 1; i >= 0; i--) for (let j = m - 1; j >= 0; j--) L[i]![j] = x[i] === y[j] ? L[i + 1]![j + 1]! + 1 : Math.max(L[i + 1]![j]!, L[i]![j + 1]!);
  const ops: string[] = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && x[i] === y[j]) {
      ops.push(`  ${x[i]}`);
      i++;
      j++;
    } else if (i < n && (j >= m || L[i + 1]![j]! >= L[i]![j + 1]!)) ops.push(`- ${x[i++]}`);
    else ops.push(`+ ${y[j++]}`);
  }
  const keep = ops.map((op, k) => op[0] !== ' ' || ops.slice(Math.max(0, k - context), k + context + 1).some((q) => q[0] !== ' '));
  const out: string[] = [];
  ops.forEach((op, k) => {
    if (keep[k]) out.push(op);
    else if (keep[k - 1]) out.push('  ...');
  });
  return out;
}
