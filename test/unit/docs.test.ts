/** The generated reference docs are in step with the schema (run `npm run docs` to refresh). */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { jsonSchema, valuesMarkdown } from '../../src/render/values.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

describe('generated docs', () => {
  it('docs/values.md matches the schema', () => {
    expect(fs.readFileSync(path.join(ROOT, 'docs', 'values.md'), 'utf8')).toBe(valuesMarkdown());
  });
  it('schema/values.schema.json matches the schema', () => {
    expect(JSON.parse(fs.readFileSync(path.join(ROOT, 'schema', 'values.schema.json'), 'utf8'))).toEqual(jsonSchema());
  });
});
