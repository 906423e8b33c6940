/** The JSON Schema of values files, generated from the one zod schema. */
import { z } from 'zod';
import { valuesSchema } from './schema.js';

export function jsonSchema(): unknown {
  return z.toJSONSchema(valuesSchema, { io: 'input', unrepresentable: 'any' });
}
