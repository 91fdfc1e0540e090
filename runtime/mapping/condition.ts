// Conditions of the mapping language (`when:` on rules and blocks, `where:` on `each`), parsed
// once into closures:  type == 'height',  exists(breastfeeding),  role in ['lead', 'other'],
// not deleted and version > 1,  (a or b) and c.  A bare path is true when it holds a value that
// is not false, '' or an empty list.

import { compilePath, parsePath, type Getter, type ParsedPath } from './paths.ts';

export type Predicate = (root: unknown, item: unknown, index: number) => boolean;

export interface ParsedCondition {
  test: Predicate;
  /** Every path the condition reads, for checking against the source description. */
  paths: ParsedPath[];
}

type Tok = { k: 'str' | 'num' | 'id' | 'op' | 'punct'; v: string };

function tokenize(src: string): Tok[] | string {
  const out: Tok[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    if (c === ' ' || c === '\t') {
      i++;
      continue;
    }
    if (c === "'" || c === '"') {
      const end = src.indexOf(c, i + 1);
      if (end < 0) return `unterminated string at column ${i + 1}`;
      out.push({ k: 'str', v: src.slice(i + 1, end) });
      i = end + 1;
      continue;
    }
    const two = src.slice(i, i + 2);
    if (two === '==' || two === '!=' || two === '<=' || two === '>=') {
      out.push({ k: 'op', v: two });
      i += 2;
      continue;
    }
    if (c === '<' || c === '>') {
      out.push({ k: 'op', v: c });
      i++;
      continue;
    }
    // Brackets inside a path (personnel[0].hpr) are read with the path below; here they are lists.
    if (c === '(' || c === ')' || c === ',' || c === '[' || c === ']') {
      out.push({ k: 'punct', v: c });
      i++;
      continue;
    }
    const num = /^-?\d+(\.\d+)?/.exec(src.slice(i));
    if (num) {
      out.push({ k: 'num', v: num[0] });
      i += num[0].length;
      continue;
    }
    const id = /^[$@A-Za-z_][\w$@.-]*(\[\d+\][\w$@.-]*)*/.exec(src.slice(i));
    if (id) {
      out.push({ k: 'id', v: id[0] });
      i += id[0].length;
      continue;
    }
    return `unexpected "${c}" at column ${i + 1}`;
  }
  return out;
}

type Value = (root: unknown, item: unknown, index: number) => unknown;

function truthy(v: unknown): boolean {
  return v !== undefined && v !== null && v !== false && v !== '' && !(Array.isArray(v) && v.length === 0);
}

function compare(op: string, a: unknown, b: unknown): boolean {
  switch (op) {
    case '==':
      return a === b || (a != null && b != null && typeof a !== typeof b && String(a) === String(b));
    case '!=':
      return !compare('==', a, b);
    default: {
      if (a == null || b == null) return false;
      const x = a as number | string;
      const y = b as number | string;
      return op === '<' ? x < y : op === '<=' ? x <= y : op === '>' ? x > y : x >= y;
    }
  }
}

export function parseCondition(src: string): ParsedCondition | string {
  const toks = tokenize(src);
  if (typeof toks === 'string') return toks;
  const paths: ParsedPath[] = [];
  let p = 0;
  const peek = () => toks[p];
  const isWord = (w: string) => peek()?.k === 'id' && peek()!.v === w;
  const expect = (v: string) => {
    if (peek()?.v !== v) throw new Error(`expected "${v}"${peek() ? ` before "${peek()!.v}"` : ' at the end'}`);
    p++;
  };
  const path = (text: string): Getter => {
    const parsed = parsePath(text);
    if (typeof parsed === 'string') throw new Error(parsed);
    paths.push(parsed);
    return compilePath(parsed);
  };
  const literal = (): unknown => {
    const t = toks[p++];
    if (!t) throw new Error('expected a value at the end');
    if (t.k === 'str') return t.v;
    if (t.k === 'num') return Number(t.v);
    if (t.k === 'id' && (t.v === 'true' || t.v === 'false')) return t.v === 'true';
    if (t.k === 'id' && t.v === 'null') return null;
    throw new Error(`expected a literal value, found "${t.v}"`);
  };
  const operand = (): Value => {
    const t = peek();
    if (!t) throw new Error('expected a value at the end');
    if (t.k === 'str' || t.k === 'num' || (t.k === 'id' && ['true', 'false', 'null'].includes(t.v))) {
      const v = literal();
      return () => v;
    }
    if (t.k === 'id') {
      p++;
      return path(t.v);
    }
    throw new Error(`unexpected "${t.v}"`);
  };
  const primary = (): Predicate => {
    if (peek()?.v === '(') {
      p++;
      const e = or();
      expect(')');
      return e;
    }
    if (isWord('exists') && toks[p + 1]?.v === '(') {
      p += 2;
      const t = toks[p++];
      if (t?.k !== 'id') throw new Error('exists() takes a path');
      const g = path(t.v);
      expect(')');
      return (r, i, n) => g(r, i, n) != null;
    }
    const left = operand();
    const t = peek();
    if (t?.k === 'op') {
      p++;
      const isLiteral = peek() && (peek()!.k === 'str' || peek()!.k === 'num');
      const lit = isLiteral ? (peek()!.k === 'num' ? Number(peek()!.v) : peek()!.v) : undefined;
      const right = operand();
      const op = t.v;
      // The common `type == 'height'`: one strict comparison, loose only when the types differ.
      if (isLiteral && (op === '==' || op === '!=')) {
        const eq = (v: unknown) => v === lit || (v != null && typeof v !== typeof lit && String(v) === String(lit));
        return op === '==' ? (r, i, n) => eq(left(r, i, n)) : (r, i, n) => !eq(left(r, i, n));
      }
      return (r, i, n) => compare(op, left(r, i, n), right(r, i, n));
    }
    if (isWord('in')) {
      p++;
      expect('[');
      const set = new Set<unknown>();
      while (peek()?.v !== ']') {
        const v = literal();
        set.add(v);
        set.add(typeof v === 'number' ? String(v) : v);
        if (peek()?.v === ',') p++;
        else break;
      }
      expect(']');
      return (r, i, n) => set.has(left(r, i, n));
    }
    return (r, i, n) => truthy(left(r, i, n));
  };
  const not = (): Predicate => {
    if (isWord('not')) {
      p++;
      const e = not();
      return (r, i, n) => !e(r, i, n);
    }
    return primary();
  };
  const and = (): Predicate => {
    let e = not();
    while (isWord('and')) {
      p++;
      const a = e;
      const b = not();
      e = (r, i, n) => a(r, i, n) && b(r, i, n);
    }
    return e;
  };
  const or = (): Predicate => {
    let e = and();
    while (isWord('or')) {
      p++;
      const a = e;
      const b = and();
      e = (r, i, n) => a(r, i, n) || b(r, i, n);
    }
    return e;
  };
  try {
    const test = or();
    if (p < toks.length) throw new Error(`unexpected "${toks[p].v}"`);
    return { test, paths };
  } catch (err) {
    return (err as Error).message;
  }
}
