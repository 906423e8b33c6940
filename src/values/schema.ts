/**
 * Walking a values schema. The root schema itself is derived from the component registry
 * (src/components/registry.ts: `valuesSchema`), which sits above this layer.
 */
import type { z } from 'zod';

/** Top-level keys of an object schema. */
export function topLevelKeys(root: z.ZodType): string[] {
  return knownKeysAt(root, []);
}

/** Known keys of the object schema at `path`, for did-you-mean suggestions. */
export function knownKeysAt(root: z.ZodType, path: readonly PropertyKey[]): string[] {
  let s: unknown = root;
  for (const seg of [...path, null]) {
    // unwrap wrappers (default, prefault, optional, nullable, pipe)
    for (let i = 0; i < 10; i++) {
      const def = (s as { _zod?: { def?: Record<string, unknown> } })._zod?.def;
      if (!def) break;
      if (def.innerType) s = def.innerType;
      else if (def.type === 'pipe' && def.in) s = def.in;
      else break;
    }
    const def = (s as { _zod?: { def?: Record<string, unknown> } })._zod?.def;
    if (!def) return [];
    if (seg === null) return def.type === 'object' ? Object.keys(def.shape as object) : [];
    if (def.type === 'object') s = (def.shape as Record<string, unknown>)[String(seg)];
    else if (def.type === 'array') s = def.element;
    else if (def.type === 'record') s = def.valueType;
    else return [];
    if (!s) return [];
  }
  return [];
}
