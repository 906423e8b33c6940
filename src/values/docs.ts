/** Reference documentation of the values, generated from the values schema's JSON Schema. */
import { YAML_LIMITS } from '../core/yaml.js';

interface Node {
  type?: string | string[];
  description?: string;
  default?: unknown;
  properties?: Record<string, Node>;
  items?: Node;
  anyOf?: Node[];
  enum?: unknown[];
}

function typeOf(n: Node): string {
  if (n.enum) return n.enum.map((v) => JSON.stringify(v)).join(' \\| ');
  if (n.anyOf) return [...new Set(n.anyOf.map(typeOf))].join(' \\| ');
  if (Array.isArray(n.type)) return n.type.join(' \\| ');
  if (n.type === 'array') return `${n.items ? typeOf(n.items) : 'any'}[]`;
  return n.type ?? 'any';
}

export function valuesMarkdownOf(jsonSchema: unknown, components: readonly { name: string; description: string; needs: readonly string[] }[]): string {
  const root = jsonSchema as Node;
  const rows: string[] = [];
  const walk = (n: Node, p: string) => {
    for (const [k, c] of Object.entries(n.properties ?? {})) {
      const key = p ? `${p}.${k}` : k;
      const desc = (c.description ?? '').split('\n@default')[0]!.replace(/\n/g, ' ').replace(/\|/g, '\\|');
      if (c.properties && Object.keys(c.properties).length) {
        if (desc) rows.push(`| \`${key}\` | object | | ${desc} |`);
        walk(c, key);
      } else {
        const fromDesc = /\n@default (.*)$/s.exec(c.description ?? '')?.[1];
        const def = (c.default !== undefined ? `\`${JSON.stringify(c.default)}\`` : fromDesc !== undefined ? `\`${fromDesc}\`` : '').replace(/\|/g, '\\|');
        rows.push(`| \`${key}\` | ${typeOf(c)} | ${def} | ${desc} |`);
      }
    }
  };
  walk(root, '');
  return [
    '# Values reference',
    '',
    'Generated from the values schema (`npm run docs` writes this file and `schema/values.schema.json`).',
    'Every key is checked: unknown keys and wrong types are errors. Keys of upstream value files',
    'that nothing reads are accepted and described as such, so upstream files load unchanged.',
    '`null` deletes a key, so that its default applies again (the JSON Schema accepts `null` for every key).',
    '',
    '## Components',
    '',
    'Installed in tiers: a component starts once the components it needs are ready.',
    '',
    '| component | needs | description |',
    '|---|---|---|',
    ...components.map((c) => `| \`${c.name}\` | ${c.needs.map((n) => `\`${n}\``).join(', ') || '—'} | ${c.description} |`),
    '',
    '## Limits',
    '',
    'Every values file (`-f`, `--secrets-values`, `--from`, experiment overlays; sops-encrypted ones',
    'too) is refused, naming the file and line, beyond:',
    '',
    `- ${YAML_LIMITS.maxBytes / 1048576} MiB (checked before the file is read);`,
    `- ${YAML_LIMITS.maxAliases} aliases (\`*name\`);`,
    `- ${YAML_LIMITS.maxNodes.toLocaleString('en-US')} nodes with every alias expanded (an alias bomb is refused before it is expanded);`,
    `- ${YAML_LIMITS.maxDepth} levels of nesting, aliases expanded; an alias inside the node it names.`,
    '',
    'Upstream\'s values files are a few kilobytes without aliases.',
    '',
    '## Keys',
    '',
    '| key | type | default | description |',
    '|---|---|---|---|',
    ...rows,
    '',
  ].join('\n');
}
