/**
 * Layering with Helm's semantics: maps merge recursively, lists and scalars replace,
 * and `null` deletes the key (so the default applies again). Never mutates its inputs.
 */
export type Plain = Record<string, unknown>;

export function isPlainObject(v: unknown): v is Plain {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function mergeValues(base: unknown, over: unknown): unknown {
  if (!isPlainObject(over)) return over === undefined ? clone(base) : clone(over);
  const out: Plain = isPlainObject(base) ? (clone(base) as Plain) : {};
  for (const [k, v] of Object.entries(over)) {
    if (v === null) delete out[k];
    else out[k] = isPlainObject(v) && isPlainObject(out[k]) ? mergeValues(out[k], v) : clone(v);
  }
  return out;
}

function clone<T>(v: T): T {
  return v === undefined ? v : structuredClone(v);
}

/** Remove `null` entries recursively (a first layer's nulls mean "unset"). */
export function dropNulls(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(dropNulls);
  if (!isPlainObject(v)) return v;
  const out: Plain = {};
  for (const [k, x] of Object.entries(v)) if (x !== null) out[k] = dropNulls(x);
  return out;
}
