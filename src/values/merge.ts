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

/** Parse `a.b[0].c=value` into a nested object, Helm `--set` style (value typed: true/false/null/numbers). */
export function setToObject(expr: string): { path: (string | number)[]; value: unknown } | undefined {
  const eq = expr.indexOf('=');
  if (eq <= 0) return undefined;
  const keyPart = expr.slice(0, eq);
  const raw = expr.slice(eq + 1);
  const path: (string | number)[] = [];
  for (const seg of keyPart.split(/(?<!\\)\./)) {
    const m = /^([^[\]]+)((?:\[\d+\])*)$/.exec(seg.replace(/\\\./g, '.'));
    if (!m) return undefined;
    path.push(m[1]!);
    for (const idx of m[2]!.matchAll(/\[(\d+)\]/g)) path.push(Number(idx[1]));
  }
  let value: unknown = raw;
  if (raw === 'true') value = true;
  else if (raw === 'false') value = false;
  else if (raw === 'null') value = null;
  else if (/^-?\d+$/.test(raw) && String(Number(raw)) === raw) value = Number(raw);
  return { path, value };
}

/** Build the nested object for a path (arrays where the path says so). */
export function nest(path: readonly (string | number)[], value: unknown): unknown {
  let v = value;
  for (let i = path.length - 1; i >= 0; i--) {
    const k = path[i]!;
    if (typeof k === 'number') {
      const arr: unknown[] = [];
      arr[k] = v;
      v = arr;
    } else v = { [k]: v };
  }
  return v;
}

/** Set a value at a path inside a (cloned) tree; arrays are indexed in place as Helm's --set does. */
export function setIn(tree: unknown, path: readonly (string | number)[], value: unknown): unknown {
  if (path.length === 0) return value;
  const [head, ...rest] = path;
  if (typeof head === 'number') {
    const arr = Array.isArray(tree) ? [...tree] : [];
    arr[head] = setIn(arr[head], rest, value);
    return arr;
  }
  const obj: Plain = isPlainObject(tree) ? { ...tree } : {};
  if (value === null && rest.length === 0) delete obj[head!];
  else obj[head!] = setIn(obj[head!], rest, value);
  return obj;
}
