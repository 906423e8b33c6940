/**
 * YAML in and out. Parsing (the `yaml` package) keeps positions so errors can name file and line;
 * writing is our own emitter (./emit.ts).
 */
import { isAlias, isCollection, isPair, Lexer, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import { PandaError } from './errors.js';

/**
 * What one YAML file may hold (docs/values.md, "Limits"). Upstream's values files are a few
 * kilobytes with no aliases; these bounds keep a hostile or broken file (an alias bomb, a huge
 * file) from exhausting memory or time: it is refused with its file and line before its tree is
 * built.
 */
export const YAML_LIMITS = {
  /** Bytes per file. */
  maxBytes: 2 * 1024 * 1024,
  /** Alias nodes (`*name`) per file. */
  maxAliases: 1000,
  /** Nodes of the tree with every alias expanded (what merging and validation walk). */
  maxNodes: 200_000,
  /** Nesting depth, aliases expanded. */
  maxDepth: 100,
} as const;

const MiB = (n: number) => `${Math.round((n / 1048576) * 10) / 10} MiB`;

/** The refusal of a file over {@link YAML_LIMITS}.maxBytes, before it is read. */
export function tooLarge(file: string, bytes: number): PandaError {
  return new PandaError(`cannot read ${file}: too large`, [
    { where: file, file, message: `${MiB(bytes)}, more than the ${MiB(YAML_LIMITS.maxBytes)} a values file may hold`, fix: 'values files hold settings; keep large payloads in files the values name (sandbox, secrets files directory)' },
  ]);
}

class LimitError extends Error {
  constructor(
    message: string,
    readonly node: Node | undefined,
  ) {
    super(message);
  }
}

/**
 * Before parsing: the lexer's tokens (cheap: no tree is built) give the aliases, the scalars and
 * the flow nesting, so that a file of hundreds of thousands of aliases or nodes, or of deep
 * brackets, is refused before the parser spends seconds and hundreds of megabytes on it.
 */
function prescreen(text: string, file: string): void {
  let line = 1;
  let aliases = 0;
  let nodes = 0;
  let depth = 0;
  let problem: string | undefined;
  for (const tok of new Lexer().lex(text)) {
    const c = tok[0];
    if (c === '*') {
      nodes++;
      if (++aliases > YAML_LIMITS.maxAliases) problem = `more than ${YAML_LIMITS.maxAliases} aliases`;
    } else if (c === '\x1f' || c === '"' || c === "'" || c === '|' || c === '>') nodes++;
    else if (c === '[' || c === '{') {
      nodes++;
      if (++depth > YAML_LIMITS.maxDepth) problem = `nests deeper than ${YAML_LIMITS.maxDepth} levels`;
    } else if (c === ']' || c === '}') depth--;
    if (nodes > YAML_LIMITS.maxNodes) problem = `holds more than ${YAML_LIMITS.maxNodes} nodes`;
    if (problem) throw beyondLimits(file, line, problem);
    for (let i = tok.indexOf('\n'); i >= 0; i = tok.indexOf('\n', i + 1)) line++;
  }
}

function beyondLimits(file: string, line: number | undefined, message: string): PandaError {
  return new PandaError(`cannot read ${file}: beyond the limits of a values file`, [
    {
      where: file,
      file,
      ...(line ? { line } : {}),
      message,
      fix: `values files are limited to ${YAML_LIMITS.maxAliases} aliases, ${YAML_LIMITS.maxNodes} nodes with aliases expanded and ${YAML_LIMITS.maxDepth} levels: write the values out, without aliases that multiply them`,
    },
  ]);
}

/**
 * Count what the tree would be with its aliases expanded, without expanding them (each node's
 * expanded size is computed once), and refuse it past the limits: the line named is the alias
 * (or node) at which the limit is crossed.
 */
function checkLimits(doc: Document, file: string, lines: LineCounter): void {
  const size = new Map<Node, { nodes: number; depth: number }>();
  const open = new Set<Node>();
  // anchors as met in document order: an alias names the latest one before it
  const anchors = new Map<string, Node>();
  let aliases = 0;
  const visit = (node: Node): { nodes: number; depth: number } => {
    const known = size.get(node);
    if (known) return known;
    if (open.has(node)) throw new LimitError('an alias refers to a node that contains it (a cycle)', node);
    const anchor = (node as { anchor?: string }).anchor;
    if (anchor) anchors.set(anchor, node);
    let r: { nodes: number; depth: number };
    if (isAlias(node)) {
      if (++aliases > YAML_LIMITS.maxAliases) throw new LimitError(`more than ${YAML_LIMITS.maxAliases} aliases`, node);
      const target = anchors.get(node.source);
      open.add(node);
      r = target ? visit(target) : { nodes: 1, depth: 1 };
      open.delete(node);
    } else if (isCollection(node)) {
      open.add(node);
      let nodes = 1;
      let depth = 0;
      for (const item of node.items as unknown[]) {
        for (const child of isPair(item) ? [item.key, item.value] : [item]) {
          if (!child || typeof child !== 'object') continue;
          const c = visit(child as Node);
          nodes += c.nodes;
          depth = Math.max(depth, c.depth);
          if (nodes > YAML_LIMITS.maxNodes) throw new LimitError(`expands to more than ${YAML_LIMITS.maxNodes} nodes (aliases expanded)`, child as Node);
        }
      }
      open.delete(node);
      r = { nodes, depth: depth + 1 };
      if (r.depth > YAML_LIMITS.maxDepth) throw new LimitError(`nests deeper than ${YAML_LIMITS.maxDepth} levels (aliases expanded)`, node);
    } else r = { nodes: 1, depth: 1 };
    size.set(node, r);
    return r;
  };
  try {
    if (doc.contents) visit(doc.contents as Node);
  } catch (e) {
    if (!(e instanceof LimitError) && !(e instanceof RangeError)) throw e;
    const at = e instanceof LimitError ? e.node?.range?.[0] : undefined;
    throw beyondLimits(file, at !== undefined ? lines.linePos(at).line : undefined, e instanceof LimitError ? e.message : `nests deeper than ${YAML_LIMITS.maxDepth} levels`);
  }
}

export interface ParsedYaml {
  file: string;
  value: unknown;
  doc: Document;
  lines: LineCounter;
}

/** Parse one YAML document; a syntax error, or a file beyond {@link YAML_LIMITS}, names the file and line. */
export function parseYaml(text: string, file: string): ParsedYaml {
  if (text.length > YAML_LIMITS.maxBytes || Buffer.byteLength(text) > YAML_LIMITS.maxBytes) throw tooLarge(file, Buffer.byteLength(text));
  prescreen(text, file);
  const lines = new LineCounter();
  let doc: Document;
  try {
    doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true, version: '1.2' });
  } catch (e) {
    if (!(e instanceof RangeError)) throw e;
    throw new PandaError(`cannot read ${file}: beyond the limits of a values file`, [{ where: file, file, message: `nests deeper than ${YAML_LIMITS.maxDepth} levels`, fix: 'write the values with less nesting' }]);
  }
  if (doc.errors.length) {
    throw new PandaError(
      `cannot read ${file}: malformed YAML`,
      doc.errors.map((e) => {
        const pos = e.pos ? lines.linePos(e.pos[0]) : undefined;
        // the parser's own recursion gave out: a nesting far beyond the limit
        const deep = /Maximum call stack size exceeded/.test(e.message);
        return {
          where: file,
          file,
          ...(pos ? { line: pos.line } : {}),
          message: deep ? `nests deeper than ${YAML_LIMITS.maxDepth} levels` : (e.message.split('\n')[0] ?? e.message),
          fix: deep ? 'write the values with less nesting' : 'correct the YAML syntax at that line',
        };
      }),
    );
  }
  checkLimits(doc, file, lines);
  return { file, value: doc.toJS({ maxAliasCount: -1 }) ?? {}, doc, lines };
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
