/**
 * The values loader, docs and JSON Schema bound to the component registry: what every command and
 * test uses to turn value files into typed values.
 */
import { z } from 'zod';
import { registry, valuesSchema, type Values } from '../components/registry.js';
import { secretsSchema, type SecretsValues } from '../secrets/values.js';
import { globalSchema } from '../values/common.js';
import { topLevelKeys } from '../values/schema.js';
import { valuesMarkdownOf } from '../values/docs.js';
import { jsonSchemaOf, withNullDeletes } from '../values/jsonschema.js';
import * as load from '../values/load.js';
import type { FileSystem, Layer, ReadOptions, ValuesModel, ValuesSources } from '../values/load.js';

/** The registry's values model: the root schema and each component's upstream chart. */
export const valuesModel: ValuesModel<Values> = { schema: valuesSchema, charts: registry.charts };

export const readLayers = (src: ValuesSources, io?: FileSystem, ro?: ReadOptions): Layer[] => load.readLayers(valuesModel, src, io, ro);
export const resolveValues = (layers: readonly Layer[]): Values => load.resolveValues(valuesModel, layers);
export const listExperiments = (src: ValuesSources, io?: FileSystem): string[] => load.listExperiments(valuesModel, src, io);
/** `-e EXP` without `-c`: the components the experiment has overlays for. */
export const experimentComponents = (src: ValuesSources, io?: FileSystem): string[] | undefined => load.experimentComponents(valuesModel, src, io);
/** The JSON Schema of values files: every key may be null, which deletes it. */
export const jsonSchema = (): unknown => withNullDeletes(jsonSchemaOf(valuesSchema));
export const valuesMarkdown = (): string => valuesMarkdownOf(jsonSchemaOf(valuesSchema), registry.list);

/**
 * The model of the secrets lifecycle: only `secrets` and `global.secret` are checked, key by key;
 * component values (and their globals) are left to the component commands, so a secrets install
 * does not depend on them. Unknown top-level keys are still refused.
 */
const secretsModel: ValuesModel<{ global: { secret: string }; secrets: SecretsValues }> = {
  schema: z.strictObject({
    ...Object.fromEntries(topLevelKeys(valuesSchema).filter((k) => k !== 'global' && k !== 'secrets').map((k) => [k, z.unknown().optional()])),
    global: z.looseObject({ secret: globalSchema.unwrap().shape.secret }).prefault({}),
    secrets: secretsSchema,
  }) as unknown as z.ZodType<{ global: { secret: string }; secrets: SecretsValues }>,
  charts: registry.charts,
};
export const resolveSecretsValues = (layers: readonly Layer[]): { global: { secret: string }; secrets: SecretsValues } => load.resolveValues(secretsModel, layers);
