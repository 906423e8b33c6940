/**
 * YAML out: a block-style emitter for JSON-like data (what Kubernetes objects are). Its output
 * reads back as exactly the input under YAML 1.1 (kubectl) and YAML 1.2: a string is written
 * plain only when no reader of either version could take it for anything else, multi-line text
 * as a literal block (`|`), and every other string quoted.
 */

/** Words YAML 1.1 or 1.2 reads as booleans or null, in any case. */
const RESERVED = new Set(['y', 'n', 'yes', 'no', 'true', 'false', 'on', 'off', 'null']);
/**
 * First characters that make a plain scalar something else: indicators, whitespace, and the
 * starts of numbers, dates and times (digits, signs, `.`), `~` (null), `<<` (merge), `=` (value).
 */
const UNSAFE_START = /^[\s\-?:,[\]{}#&*!|>'"%@`0-9+.~<=]/;
/** Never plain: `: ` and ` #`, a trailing `:` or space, tabs and line breaks. */
const UNSAFE_INSIDE = /: | #|[:\s]$|[\t\n\r]/;
/**
 * Characters YAML does not allow raw, or that YAML 1.1 takes for line breaks (NEL, LS, PS):
 * escaped in double quotes, never plain, single-quoted or in a literal block.
 */
const NON_PRINTABLE = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\ufeff\ud800-\udfff]/u;
const NON_PRINTABLE_ALL = new RegExp(NON_PRINTABLE.source, 'gu');

const plain = (s: string) => s !== '' && !UNSAFE_START.test(s) && !UNSAFE_INSIDE.test(s) && !NON_PRINTABLE.test(s) && !RESERVED.has(s.toLowerCase());

/** A double-quoted scalar: JSON's escapes are YAML's, plus `\uXXXX` for what JSON leaves raw. */
const doubleQuoted = (s: string) =>
  JSON.stringify(s).replace(NON_PRINTABLE_ALL, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

/** A string on one line: plain, else single-quoted when it holds `"` but no `'`, else double-quoted. */
function scalar(s: string): string {
  if (plain(s)) return s;
  if (s.includes('"') && !s.includes("'") && !/[\t\n\r]/.test(s) && !NON_PRINTABLE.test(s)) return `'${s}'`;
  return doubleQuoted(s);
}

/**
 * A multi-line string as a literal block, with `indent` before each line; `undefined` when it
 * needs more than that (a leading space or line break would need an indentation indicator).
 */
function literal(s: string, indent: string): string | undefined {
  if (!s.includes('\n') || /^\s/.test(s) || /\r/.test(s) || NON_PRINTABLE.test(s)) return undefined;
  const body = s.replace(/\n+$/, '');
  const trailing = s.length - body.length;
  const chomp = trailing === 0 ? '-' : trailing === 1 ? '' : '+';
  const lines = body.split('\n').map((l) => (l ? `${indent}${l}\n` : '\n'));
  return `|${chomp}\n${lines.join('')}${'\n'.repeat(Math.max(0, trailing - 1))}`;
}

function number(n: number): string {
  if (Number.isNaN(n)) return '.nan';
  if (!Number.isFinite(n)) return n > 0 ? '.inf' : '-.inf';
  const s = String(n);
  // YAML 1.1 needs a dot in a float with an exponent: 1e-7 → 1.0e-7
  return /^[-\d]+e/.test(s) ? s.replace('e', '.0e') : s;
}

/** A value that fits after `key: ` or `- ` (ending in a line break), or `undefined` for a block. */
function inline(v: unknown, indent: string): string | undefined {
  switch (typeof v) {
    case 'string':
      return literal(v, indent) ?? `${scalar(v)}\n`;
    case 'number':
      return `${number(v)}\n`;
    case 'boolean':
      return `${v}\n`;
    case 'undefined':
      return 'null\n';
    case 'object':
      if (v === null) return 'null\n';
      if (Array.isArray(v)) return v.length ? undefined : '[]\n';
      return Object.values(v).some((x) => x !== undefined) ? undefined : '{}\n';
    default:
      throw new TypeError(`cannot write a ${typeof v} as YAML`);
  }
}

function mapping(o: object, indent: string, out: string[]): void {
  const inner = `${indent}  `;
  for (const [k, v] of Object.entries(o)) {
    if (v === undefined) continue;
    const key = `${indent}${scalar(k)}:`;
    const line = inline(v, inner);
    if (line !== undefined) out.push(`${key} ${line}`);
    else {
      out.push(`${key}\n`);
      block(v as object, inner, out);
    }
  }
}

function sequence(a: readonly unknown[], indent: string, out: string[]): void {
  const inner = `${indent}  `;
  for (const v of a) {
    const line = inline(v, inner);
    if (line !== undefined) out.push(`${indent}- ${line}`);
    else {
      // the item's first line goes after "- ", the rest stays indented under it
      const start = out.length;
      block(v as object, inner, out);
      out[start] = `${indent}- ${out[start]!.slice(inner.length)}`;
    }
  }
}

const block = (v: object, indent: string, out: string[]) => (Array.isArray(v) ? sequence(v, indent, out) : mapping(v, indent, out));

/** One YAML document for a JSON-like value. */
export function toYaml(value: unknown): string {
  const line = inline(value, '  ');
  if (line !== undefined) return line;
  const out: string[] = [];
  block(value as object, '', out);
  return out.join('');
}

/** Multi-document YAML of objects, in order. */
export function toYamlStream(objects: readonly unknown[]): string {
  return objects.map(toYaml).join('---\n');
}
