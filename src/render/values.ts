/**
 * The values loader, docs and JSON Schema bound to the component registry: what every command and
 * test uses to turn value files into typed values.
 */
import { registry, valuesSchema, type Values } from '../components/registry.js';
import { valuesMarkdownOf } from '../values/docs.js';
import { jsonSchemaOf } from '../values/jsonschema.js';
import * as load from '../values/load.js';
import type { FileSystem, Layer, ReadOptions, ValuesModel, ValuesSources } from '../values/load.js';

/** The registry's values model: the root schema and each component's upstream chart. */
export const valuesModel: ValuesModel<Values> = { schema: valuesSchema, charts: registry.charts };

export const readLayers = (src: ValuesSources, io?: FileSystem, ro?: ReadOptions): Layer[] => load.readLayers(valuesModel, src, io, ro);
export const resolveValues = (layers: readonly Layer[]): Values => load.resolveValues(valuesModel, layers);
export const listExperiments = (src: ValuesSources, io?: FileSystem): string[] => load.listExperiments(valuesModel, src, io);
export const jsonSchema = (): unknown => jsonSchemaOf(valuesSchema);
export const valuesMarkdown = (): string => valuesMarkdownOf(jsonSchema(), registry.list);
