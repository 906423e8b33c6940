/**
 * Helm's `--set` family, with Helm's semantics (helm.sh/helm pkg/strvals and pkg/cli/values):
 *
 * - `--set a.b=x,c[0]=y`: pairs separated by commas; `.` nests maps, `[i]` indexes lists (a gap
 *   is filled with null; at most index 65536, 30 levels of nesting); `a={x,y}` is a list; `\`
 *   escapes the next character in keys and values (`a\.b=x\,y` is key `a.b`, value `x,y`).
 *   Values are typed: true/false/null (any case), `0`, and integers without a leading zero become
 *   booleans, null and numbers; everything else (`1.5`, `007`, `1e3`) stays a string. `a=` is "".
 * - `--set-string`: the same, every value a string.
 * - `--set-json a.b=<JSON>`: the value is JSON; `a=` is null; a whole JSON object (`{...}`) merges
 *   at the top.
 * - `--set-file a.b=PATH`: the value is the file's content (`-` is stdin).
 * - `--set-literal a.b=VALUE`: VALUE verbatim, commas, backslashes and all; keys without escapes.
 *
 * A list index edits the list the earlier value files give (as Helm's `--set` edits the merged
 * values of the `-f` files); `null` is kept, so that merging the layer deletes the key.
 */
import { isPlainObject, type Plain } from './merge.js';

export type SetKind = 'set' | 'string' | 'json' | 'file' | 'literal';

export class SetSyntaxError extends Error {}

export const MAX_INDEX = 65536;
export const MAX_NESTING = 30;

interface Ctx {
  kind: SetKind;
  readFile: (path: string) => string;
  /** The merged earlier layers, whose lists an index edits. */
  base: unknown;
}

class Scanner {
  pos = 0;
  constructor(readonly s: string) {}
  get done(): boolean {
    return this.pos >= this.s.length;
  }
  /** Characters up to one of `stop` (consumed, returned as `last`; undefined at the end), with `\` escapes unless `literal`. */
  until(stop: string, literal = false): { text: string; last: string | undefined } {
    let text = '';
    while (this.pos < this.s.length) {
      const c = this.s[this.pos++]!;
      if (stop.includes(c)) return { text, last: c };
      if (c === '\\' && !literal) {
        if (this.pos >= this.s.length) return { text, last: undefined };
        text += this.s[this.pos++]!;
      } else text += c;
    }
    return { text, last: undefined };
  }
  peek(): string | undefined {
    return this.s[this.pos];
  }
}

/** Helm's typing of a `--set` value. */
export function typedValue(v: string): unknown {
  const lower = v.toLowerCase();
  if (lower === 'true') return true;
  if (lower === 'false') return false;
  if (lower === 'null') return null;
  if (v === '0') return 0;
  // integers as Go's ParseInt reads them (sign allowed), no leading zero; beyond 2^53 kept as text
  if (v !== '' && v[0] !== '0' && /^[+-]?\d+$/.test(v)) {
    const n = Number(v);
    if (Number.isSafeInteger(n)) return n === 0 ? 0 : n;
  }
  return v;
}

function at(base: unknown, path: readonly (string | number)[]): unknown {
  let v = base;
  for (const k of path) {
    if (typeof k === 'number') v = Array.isArray(v) ? v[k] : undefined;
    else v = isPlainObject(v) ? v[k] : undefined;
  }
  return v;
}

function checkIndex(i: number): void {
  if (i < 0) throw new SetSyntaxError(`negative index ${i} is not allowed`);
  if (i > MAX_INDEX) throw new SetSyntaxError(`index ${i} is greater than the largest allowed, ${MAX_INDEX}`);
}

function setIndex(list: unknown[], i: number, v: unknown): unknown[] {
  checkIndex(i);
  while (list.length <= i) list.push(null);
  list[i] = v;
  return list;
}

function readIndex(sc: Scanner, literal: boolean): number {
  const { text, last } = sc.until(']', literal);
  if (last === undefined) throw new SetSyntaxError(`index [${text} is not closed with ]`);
  if (!/^[+-]?\d+$/.test(text.trim())) throw new SetSyntaxError(`index [${text}] is not a number`);
  return Number(text.trim());
}

/** The list at `key` of `data`: the one already set, else a copy of the earlier layers' list there, else a new one. */
function listAt(data: Plain, key: string, path: readonly (string | number)[], ctx: Ctx): unknown[] {
  const existing = data[key];
  if (existing !== undefined && existing !== null) {
    if (!Array.isArray(existing)) throw new SetSyntaxError(`${pathText([...path, key])} is not a list here, so it cannot be indexed`);
    return existing;
  }
  const earlier = at(ctx.base, [...path, key]);
  return Array.isArray(earlier) ? structuredClone(earlier) : [];
}

function mapAt(v: unknown, where: readonly (string | number)[]): Plain {
  if (v === undefined || v === null) return {};
  if (!isPlainObject(v)) throw new SetSyntaxError(`${pathText(where)} is not a map here, so it cannot hold keys`);
  return v;
}

export function pathText(p: readonly (string | number)[]): string {
  return p.map((k, i) => (typeof k === 'number' ? `[${k}]` : `${i ? '.' : ''}${k}`)).join('');
}

/** The end of the first JSON value in `s` from `from` (strings and brackets respected). */
function jsonEnd(s: string, from: number): number {
  let i = from;
  while (i < s.length && /\s/.test(s[i]!)) i++;
  const open = s[i];
  if (open === '{' || open === '[' || open === '"') {
    let depth = 0;
    let inString = false;
    for (; i < s.length; i++) {
      const c = s[i]!;
      if (inString) {
        if (c === '\\') i++;
        else if (c === '"') {
          inString = false;
          if (depth === 0) return i + 1;
        }
      } else if (c === '"') inString = true;
      else if (c === '{' || c === '[') depth++;
      else if (c === '}' || c === ']') {
        depth--;
        if (depth === 0) return i + 1;
      }
    }
    return s.length;
  }
  while (i < s.length && !/[\s,]/.test(s[i]!)) i++;
  return i;
}

/** Nothing but spaces up to the next comma or the end (consumed). */
function emptyValue(sc: Scanner): boolean {
  while (!sc.done) {
    const c = sc.peek()!;
    if (c === ',') {
      sc.pos++;
      return true;
    }
    if (!/\s/.test(c)) return false;
    sc.pos++;
  }
  return true;
}

/** The value after `=`, per kind. */
function value(sc: Scanner, ctx: Ctx): unknown {
  if (ctx.kind === 'literal') {
    const v = sc.s.slice(sc.pos);
    sc.pos = sc.s.length;
    return v;
  }
  if (ctx.kind === 'json') {
    if (emptyValue(sc)) return null;
    const end = jsonEnd(sc.s, sc.pos);
    const text = sc.s.slice(sc.pos, end);
    let v: unknown;
    try {
      v = JSON.parse(text);
    } catch (e) {
      throw new SetSyntaxError(`${JSON.stringify(text)} is not JSON: ${(e as Error).message}`);
    }
    sc.pos = end;
    if (!emptyValue(sc)) throw new SetSyntaxError(`unexpected ${JSON.stringify(sc.s.slice(sc.pos))} after the JSON value`);
    return v;
  }
  const convert = (raw: string): unknown => (ctx.kind === 'string' ? raw : ctx.kind === 'file' ? ctx.readFile(raw) : typedValue(raw));
  if (sc.peek() === '{') {
    sc.pos++;
    const list: unknown[] = [];
    for (;;) {
      const { text, last } = sc.until(',}');
      if (last === undefined) throw new SetSyntaxError('a list {a,b} must end with }');
      list.push(convert(text));
      if (last === '}') {
        if (sc.peek() === ',') sc.pos++;
        return list;
      }
    }
  }
  return convert(sc.until(',').text);
}

/** One `key...=value` of the expression into `data`; false at the end of the input. */
function key(sc: Scanner, data: Plain, path: readonly (string | number)[], ctx: Ctx): boolean {
  const literal = ctx.kind === 'literal';
  const { text: k, last } = sc.until(literal ? '=[.' : '=[,.', literal);
  if (last === undefined) {
    if (k === '') return false;
    throw new SetSyntaxError(`key ${JSON.stringify(pathText([...path, k]))} has no value`);
  }
  const here = [...path, k];
  if (last === '=') {
    if (k === '') throw new SetSyntaxError('a key is missing before =');
    data[k] = value(sc, ctx);
    return true;
  }
  if (last === ',') throw new SetSyntaxError(k === '' ? 'an empty item between commas' : `key ${JSON.stringify(pathText(here))} has no value (cannot end with ,)`);
  if (last === '.') {
    if (here.length > MAX_NESTING) throw new SetSyntaxError(`keys nest deeper than ${MAX_NESTING} levels`);
    const inner = mapAt(data[k], here);
    const more = key(sc, inner, here, ctx);
    if (!Object.keys(inner).length) throw new SetSyntaxError(`key map ${JSON.stringify(pathText(here))} has no value`);
    data[k] = inner;
    return more;
  }
  // '['
  const list = listAt(data, k, path, ctx);
  data[k] = list;
  return item(sc, list, readIndex(sc, literal), here, ctx);
}

/** What follows `[i]`: `=value`, `[j]...` or `.key...`. */
function item(sc: Scanner, list: unknown[], i: number, path: readonly (string | number)[], ctx: Ctx): boolean {
  checkIndex(i);
  const literal = ctx.kind === 'literal';
  const { text, last } = sc.until('[.=', literal);
  if (text.length) throw new SetSyntaxError(`unexpected ${JSON.stringify(text)} after [${i}]`);
  const here = [...path, i];
  if (last === undefined) return false;
  if (last === '=') {
    setIndex(list, i, value(sc, ctx));
    return true;
  }
  if (last === '[') {
    const cur = list[i];
    if (cur !== undefined && cur !== null && !Array.isArray(cur)) throw new SetSyntaxError(`${pathText(here)} is not a list here, so it cannot be indexed`);
    const inner = (cur as unknown[] | undefined | null) ?? [];
    setIndex(list, i, inner);
    return item(sc, inner, readIndex(sc, literal), here, ctx);
  }
  const inner = isPlainObject(list[i]) ? (list[i] as Plain) : {};
  setIndex(list, i, inner);
  return key(sc, inner, here, ctx);
}

/**
 * Apply one expression of the given kind to `dest` (mutated), as Helm does. Throws
 * {@link SetSyntaxError} naming what is wrong.
 */
export function applySet(expr: string, kind: SetKind, dest: Plain, o: { readFile?: (path: string) => string; base?: unknown } = {}): void {
  const ctx: Ctx = {
    kind,
    readFile:
      o.readFile ??
      (() => {
        throw new SetSyntaxError('files cannot be read here');
      }),
    base: o.base,
  };
  if (kind === 'json' && expr.trim().startsWith('{')) {
    let v: unknown;
    try {
      v = JSON.parse(expr);
    } catch (e) {
      throw new SetSyntaxError(`not a JSON object: ${(e as Error).message}`);
    }
    if (!isPlainObject(v)) throw new SetSyntaxError('not a JSON object');
    Object.assign(dest, mergeMaps(dest, v));
    return;
  }
  const sc = new Scanner(expr);
  while (key(sc, dest, [], ctx));
}

/** Helm's merge of value maps: maps merge, anything else (null too) replaces. */
function mergeMaps(a: Plain, b: Plain): Plain {
  const out: Plain = { ...a };
  for (const [k, v] of Object.entries(b)) out[k] = isPlainObject(v) && isPlainObject(out[k]) ? mergeMaps(out[k] as Plain, v) : v;
  return out;
}
