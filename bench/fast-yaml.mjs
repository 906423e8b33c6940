/**
 * Measurement aid for bench/render.mjs: a minimal YAML emitter for plain JSON-like data
 * (what Kubernetes objects are), to compare with the `yaml` library's stringify. Block style,
 * two-space indent; a string is written plain only when no YAML 1.1 or 1.2 reader can take it for
 * anything but that string (starts with a letter, only letters, digits and `_./-`, not a YAML 1.1
 * boolean or null word); every other string is double-quoted with JSON escapes, which YAML
 * double-quoted scalars read identically. `checkEmitter` parses the output back with the `yaml`
 * library (YAML 1.1, as kubectl reads it) and compares.
 */

const PLAIN = /^[A-Za-z][A-Za-z0-9_./-]*$/;
const RESERVED = new Set(
  ['y', 'n', 'yes', 'no', 'true', 'false', 'on', 'off', 'null'].flatMap((w) => [w, w[0].toUpperCase() + w.slice(1), w.toUpperCase()]),
);

const scalar = (s) => (PLAIN.test(s) && !RESERVED.has(s) ? s : JSON.stringify(s));

function leaf(v) {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'string') return scalar(v);
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new Error(`cannot write ${v}`);
    return String(v);
  }
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (Array.isArray(v)) return v.length ? undefined : '[]';
  if (typeof v === 'object') return Object.keys(v).some((k) => v[k] !== undefined) ? undefined : '{}';
  throw new Error(`cannot write ${typeof v}`);
}

function map(o, indent, out) {
  for (const k of Object.keys(o)) {
    const v = o[k];
    if (v === undefined) continue;
    const l = leaf(v);
    if (l !== undefined) out.push(`${indent}${scalar(k)}: ${l}\n`);
    else if (Array.isArray(v)) {
      out.push(`${indent}${scalar(k)}:\n`);
      seq(v, `${indent}  `, out);
    } else {
      out.push(`${indent}${scalar(k)}:\n`);
      map(v, `${indent}  `, out);
    }
  }
}

function seq(a, indent, out) {
  for (const v of a) {
    const l = leaf(v);
    if (l !== undefined) out.push(`${indent}- ${l}\n`);
    else {
      // first line of the item after "- ", the rest indented under it
      const inner = [];
      if (Array.isArray(v)) seq(v, `${indent}  `, inner);
      else map(v, `${indent}  `, inner);
      inner[0] = `${indent}- ${inner[0].slice(indent.length + 2)}`;
      out.push(...inner);
    }
  }
}

/** Multi-document YAML of objects, in order (the same contract as toYamlStream). */
export function emitYamlStream(objects) {
  return objects
    .map((o) => {
      const out = [];
      map(o, '', out);
      return out.join('');
    })
    .join('---\n');
}

/** Throws unless the emitted stream reads back (YAML 1.1) as exactly the given objects. */
export async function checkEmitter(objects, text = emitYamlStream(objects)) {
  const { parseAllDocuments } = await import('yaml');
  const back = parseAllDocuments(text, { version: '1.1' }).map((d) => d.toJS());
  const want = JSON.parse(JSON.stringify(objects));
  const { deepStrictEqual } = await import('node:assert');
  deepStrictEqual(back, want);
}
