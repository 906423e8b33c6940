/** The JSON Schema of values files, generated from a zod values schema. */
import { z } from 'zod';

export function jsonSchemaOf(schema: z.ZodType): unknown {
  return z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' });
}
