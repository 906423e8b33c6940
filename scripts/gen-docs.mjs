// Writes docs/values.md and schema/values.schema.json from the values schema the component
// registry derives (run after build).
import fs from 'node:fs';
import { jsonSchema, valuesMarkdown } from '../dist/render/values.js';

fs.mkdirSync('schema', { recursive: true });
fs.writeFileSync('schema/values.schema.json', JSON.stringify(jsonSchema(), null, 2) + '\n');
fs.writeFileSync('docs/values.md', valuesMarkdown());
console.log('wrote docs/values.md, schema/values.schema.json');
