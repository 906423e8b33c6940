/**
 * YAML in and out. Parsing (the `yaml` package) keeps positions so errors can name file and line;
 * writing is our own emitter (./emit.ts).
 */
import { LineCounter, parseDocument, type Document } from 'yaml';
import { PandaError } from './errors.js';

export interface ParsedYaml {
  file: string;
  value: unknown;
  doc: Document;
  lines: LineCounter;
}

/** Parse one YAML document; a syntax error names the file and line. */
export function parseYaml(text: string, file: string): ParsedYaml {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true, version: '1.2' });
  if (doc.errors.length) {
    throw new PandaError(
      `cannot read ${file}: malformed YAML`,
      doc.errors.map((e) => {
        const pos = e.pos ? lines.linePos(e.pos[0]) : undefined;
        return {
          where: file,
          file,
          ...(pos ? { line: pos.line } : {}),
          message: e.message.split('\n')[0] ?? e.message,
          fix: 'correct the YAML syntax at that line',
        };
      }),
    );
  }
  return { file, value: doc.toJS({ maxAliasCount: 1000 }) ?? {}, doc, lines };
}

/** 1-based line of the node at `path` in a parsed file, if it is there. */
export function lineOf(p: ParsedYaml, path: readonly (string | number)[]): number | undefined {
  const node = p.doc.getIn(path, true) as { range?: [number, number, number] } | undefined;
  if (node && typeof node === 'object' && node.range) return p.lines.linePos(node.range[0]).line;
  // a key whose value is missing: look up the parent pair
  return undefined;
}

/** Whether `path` exists in a parsed file. */
export function hasPath(p: ParsedYaml, path: readonly (string | number)[]): boolean {
  return p.doc.hasIn(path);
}

export { toYamlStream } from './emit.js';
