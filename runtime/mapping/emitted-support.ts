// What a mapping compiled to TypeScript (`kpr mapping compile --out`) calls at run time: the
// same path, condition and transform implementations the closures use, plus small typed
// helpers so that the emitted code type-checks against the generated message types.

import { parseCondition, type Predicate } from './condition.ts';
import { compilePath, parsePath, type Getter } from './paths.ts';
import { parseTransform, type Fn } from './transforms.ts';

/** Thrown by emitted mappings when a record cannot be mapped; `path` is a JSON pointer. */
export class MappingIssue extends Error {
  constructor(
    readonly path: string,
    readonly rule: string,
    message: string,
  ) {
    super(message);
  }
}

export function path(text: string): Getter {
  const p = parsePath(text);
  if (typeof p === 'string') throw new Error(p);
  return compilePath(p);
}

export function cond(text: string): Predicate {
  const c = parseCondition(text);
  if (typeof c === 'string') throw new Error(c);
  return c.test;
}

export function step(text: string): Fn {
  const t = parseTransform(text);
  if (typeof t === 'string') throw new Error(t);
  return t.fn;
}

const missing = (v: unknown) => v === undefined || v === null || v === '';

export function str(v: unknown, at: string): string | undefined {
  if (missing(v)) return undefined;
  if (typeof v !== 'string') throw new MappingIssue(at, 'REC2002', `${at}: expected a text, got ${typeof v}`);
  return v;
}

export function int(v: unknown, at: string): number | undefined {
  if (missing(v)) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v)) throw new MappingIssue(at, 'REC2002', `${at}: expected a whole number`);
  return v;
}

export function code<const T extends string>(v: unknown, codes: readonly T[], at: string): T | undefined {
  if (missing(v)) return undefined;
  if (typeof v !== 'string' || !(codes as readonly string[]).includes(v)) throw new MappingIssue(at, 'REC2005', `${at}: ${JSON.stringify(v)} is not an accepted code`);
  return v as T;
}

export function lookup<T>(table: Readonly<Record<string, T>>, v: unknown, at: string, fallback?: T): T | undefined {
  if (missing(v)) return undefined;
  const key = typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? String(v) : undefined;
  if (key !== undefined && Object.hasOwn(table, key)) return table[key];
  if (fallback !== undefined) return fallback;
  throw new MappingIssue(at, 'REC1101', `${at}: the source value ${JSON.stringify(v)} has no translation`);
}

export function apply(fns: Fn[], v: unknown): unknown {
  if (missing(v)) return v;
  for (const f of fns) v = f(v);
  return v;
}

export function req<T>(v: T | undefined, at: string): T {
  if (v === undefined) throw new MappingIssue(at, 'REC2001', `${at}: required value is missing`);
  return v;
}

export function list(v: unknown, at: string): unknown[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw new MappingIssue(at, 'REC1103', `${at}: the source is not a list`);
  return v;
}
