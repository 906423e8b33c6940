/** The whole values tree: one schema, from which types, defaults and the JSON Schema come. */
import { z } from 'zod';
import { components } from '../components/index.js';
import { secretsSchema } from '../secrets/values.js';
import { DEFAULT_SECRET_PREFIX } from '../core/names.js';
import { str } from './common.js';

export const valuesSchema = z
  .strictObject({
    global: z
      .strictObject({
        secret: str('Prefix of the Secret names installed by `panda-k8s secrets install`; every component references its Secrets by it.', DEFAULT_SECRET_PREFIX),
        deploymentName: str(
          'Accepted for compatibility: upstream\'s bin/install passes the release name. Harvester uses it as HARVESTER_ID and its Route path; empty means the release name. Database host and Service names always come from the stack\'s names.',
          '',
        ),
      })
      .prefault({}),
    secrets: secretsSchema,
    msgsvc: components.msgsvc.schema,
    iam: components.iam.schema,
    panda: components.panda.schema,
    harvester: components.harvester.schema,
    idds: components.idds.schema,
    bigmon: components.bigmon.schema,
  })
  .describe('panda-k8s values. Layers, later wins: defaults, experiment overlay, secrets values, -f files, --set.');

export type Values = z.output<typeof valuesSchema>;
export const TOP_LEVEL_KEYS = Object.keys(valuesSchema.shape);

/** Known keys of the object schema at `path`, for did-you-mean suggestions. */
export function knownKeysAt(path: readonly PropertyKey[]): string[] {
  let s: unknown = valuesSchema;
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
