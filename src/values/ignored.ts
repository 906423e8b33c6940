/**
 * Keys upstream's value files carry but nothing reads: accepted by the schema (`unused()`), and
 * reported here as warnings naming the file and line that sets them, so an operator sees which of
 * their settings have no effect.
 */
import type { z } from 'zod';
import type { Issue } from '../core/errors.js';
import { lineOf } from '../core/yaml.js';
import type { Layer } from './load.js';
import { isPlainObject } from './merge.js';

const IGNORED = new WeakMap<object, string>();

/** Mark a schema as "accepted, has no effect"; its description is the warning's message. */
export function markIgnored<T extends z.ZodType>(schema: T, description: string): T {
  IGNORED.set(schema, description);
  return schema;
}

type Def = { type?: string; innerType?: unknown; in?: unknown; shape?: Record<string, unknown>; element?: unknown; valueType?: unknown; options?: unknown[] };
const defOf = (s: unknown): Def | undefined => (s as { _zod?: { def?: Def } })._zod?.def;

/** Strip wrappers (default, prefault, optional, nullable, pipe) down to the schema that holds the shape. */
function unwrap(s: unknown): unknown {
  for (let i = 0; i < 10 && s; i++) {
    if (IGNORED.has(s as object)) return s;
    const def = defOf(s);
    if (!def) break;
    if (def.innerType) s = def.innerType;
    else if (def.type === 'pipe' && def.in) s = def.in;
    else break;
  }
  return s;
}

function walk(schema: unknown, value: unknown, path: (string | number)[], found: (path: (string | number)[], why: string) => void): void {
  const s = unwrap(schema);
  if (!s) return;
  const why = IGNORED.get(s as object);
  if (why !== undefined) {
    if (value !== undefined && value !== null) found(path, why);
    return;
  }
  const def = defOf(s);
  if (!def) return;
  if (def.type === 'object' && isPlainObject(value)) {
    for (const [k, v] of Object.entries(value)) if (def.shape?.[k]) walk(def.shape[k], v, [...path, k], found);
  } else if (def.type === 'array' && Array.isArray(value)) {
    value.forEach((v, i) => walk(def.element, v, [...path, i], found));
  } else if (def.type === 'record' && isPlainObject(value)) {
    for (const [k, v] of Object.entries(value)) walk(def.valueType, v, [...path, k], found);
  }
}

const dotted = (p: readonly (string | number)[]) => p.map((k, i) => (typeof k === 'number' ? `[${k}]` : `${i ? '.' : ''}${k}`)).join('');

/** Every ignored key set by a layer, with its file and line (one warning per layer and key). */
export function ignoredKeys(layers: readonly Layer[], schema: z.ZodType): Issue[] {
  const out: Issue[] = [];
  for (const l of layers) {
    walk(schema, l.tree, [], (p, why) => {
      let line: number | undefined;
      if (l.parsed) {
        const inner = l.scope.length && p[0] === l.scope[0] ? p.slice(1) : p;
        line = lineOf(l.parsed, inner);
      }
      out.push({ where: dotted(p), ...(l.parsed ? { file: l.source } : { file: l.source }), ...(line ? { line } : {}), message: `has no effect: ${why}` });
    });
  }
  return out;
}
