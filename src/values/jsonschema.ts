/** The JSON Schema of values files, generated from a zod values schema. */
import { z } from 'zod';

type Json = Record<string, unknown>;

export function jsonSchemaOf(schema: z.ZodType): Json {
  return z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Json;
}

/** A property schema that also takes null. */
function orNull(p: Json): Json {
  if (Array.isArray(p.enum)) return { ...p, enum: p.enum.includes(null) ? p.enum : [...p.enum, null], ...(p.type !== undefined ? { type: withNull(p.type) } : {}) };
  if (p.type !== undefined && p.const === undefined) return { ...p, type: withNull(p.type) };
  if (Array.isArray(p.anyOf)) return p.anyOf.some((x) => (x as Json).type === 'null') ? p : { ...p, anyOf: [...p.anyOf, { type: 'null' }] };
  if (Object.keys(p).every((k) => k === 'description' || k === 'default')) return p; // already anything
  const { description, default: dflt, ...rest } = p;
  return { ...(description !== undefined ? { description } : {}), ...(dflt !== undefined ? { default: dflt } : {}), anyOf: [rest, { type: 'null' }] };
}

function withNull(t: unknown): unknown {
  const types = Array.isArray(t) ? t : [t];
  return types.includes('null') ? t : [...types, 'null'];
}

/**
 * The schema editors get: every key may also be `null`, which deletes it (Helm's semantics: the
 * default applies again), so a values file that writes `key: null` is valid.
 */
export function withNullDeletes(schema: Json): Json {
  const walk = (s: unknown): unknown => {
    if (Array.isArray(s)) return s.map(walk);
    if (typeof s !== 'object' || s === null) return s;
    const out: Json = {};
    for (const [k, v] of Object.entries(s as Json)) {
      if (k === 'properties' && typeof v === 'object' && v !== null) out[k] = Object.fromEntries(Object.entries(v as Json).map(([name, p]) => [name, orNull(walk(p) as Json)]));
      else if (k === 'additionalProperties' && typeof v === 'object' && v !== null) out[k] = orNull(walk(v) as Json);
      else out[k] = walk(v);
    }
    return out;
  };
  return walk(schema) as Json;
}
