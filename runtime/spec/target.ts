// The target of a mapping, read from the generated schema.json of one spec version: its classes,
// attributes (type, requiredness, codes, the receiver's controls) and children. The runtime reads
// spec facts only from generated artefacts, never from generator/ (production ships without it).

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Consequence } from './consequence.ts';

/** The attribute kinds the spec format knows, recovered from the JSON Schema. */
export type TargetKind = 'string' | 'date' | 'dateTime' | 'integer' | 'nonNegativeInteger' | 'guid' | 'coded' | 'number' | 'boolean' | 'dateTimeOffset';

/**
 * The TypeScript type and validator name of a class: the first letter upper-cased, as
 * json-schema-to-typescript names it (a JSON message type's `avtale` → `Avtale`; XML names are
 * unchanged). The generator asks the same question here, so the two cannot disagree.
 */
export function classTypeName(className: string): string {
  return className[0].toUpperCase() + className.slice(1);
}

export interface TargetControls {
  required?: Consequence;
  datatype?: { check: string; regex?: string; consequence: Consequence };
  code?: { validOn?: string; consequence: Consequence };
  range?: { from?: string; to?: string; consequence: Consequence };
}

export interface TargetAttribute {
  name: string;
  /** Norwegian label. */
  title: string;
  description?: string;
  kind: TargetKind;
  required: boolean;
  /** Codes accepted, for coded attributes, with their texts. */
  codes?: Map<string, string>;
  codelist?: { number: string; name?: string; oid?: string };
  /** Codes with a validity period (`x-kpr-code-validity`), when the spec gives one. */
  codeValidity?: Map<string, { from?: string; to?: string }>;
  pattern?: string;
  maxLength?: number;
  minLength?: number;
  fixed?: string | number;
  /** JSON message types: the member may be null. */
  nullable?: boolean;
  /** JSON message types: the allowed values of a number or boolean member (`enum`). */
  values?: (string | number | boolean)[];
  controls: TargetControls;
}

export interface TargetChild {
  name: string;
  array: boolean;
  min: number;
  max: number | null;
}

export interface TargetClass {
  name: string;
  title?: string;
  attributes: Map<string, TargetAttribute>;
  children: Map<string, TargetChild>;
}

export interface Target {
  /** `hst@56.0.0` */
  id: string;
  message: string;
  version: string;
  classes: Map<string, TargetClass>;
  /** The folder holding schema.json, types.ts and validator.js. */
  dir: string;
}

// biome-ignore lint/suspicious/noExplicitAny: generated JSON Schema, walked by key
type Json = Record<string, any>;

/** The member's JSON type, without the "null" of a nullable one. */
function baseType(s: Json): string | undefined {
  return Array.isArray(s.type) ? s.type.find((t: string) => t !== 'null') : s.type;
}

function kindOf(s: Json): TargetKind {
  const type = baseType(s);
  if (Array.isArray(s.enum) && (type === 'string' || type === undefined)) return 'coded';
  if (type === 'integer') return s.minimum === 0 ? 'nonNegativeInteger' : 'integer';
  if (type === 'number') return 'number';
  if (type === 'boolean') return 'boolean';
  const p: string | undefined = s.pattern;
  if (p) {
    if (p.includes('[0-9a-fA-F]{8}-')) return 'guid';
    if (p.includes(')[Tt](')) return 'dateTimeOffset';
    if (p.startsWith('^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])')) return p.includes('T(') ? 'dateTime' : 'date';
  }
  return 'string';
}

function refName(s: Json | undefined): string | undefined {
  // A nullable object member of a JSON message type: anyOf [{ $ref }, { type: null }].
  const ref: unknown = s?.$ref ?? (Array.isArray(s?.anyOf) ? s!.anyOf.find((x: Json) => x.$ref)?.$ref : undefined);
  return typeof ref === 'string' && ref.startsWith('#/$defs/') ? ref.slice('#/$defs/'.length) : undefined;
}

/** Builds the target model from a parsed schema.json. */
export function targetFromSchema(schema: Json, id: string, dir: string): Target {
  const [message, version] = id.split('@');
  const classes = new Map<string, TargetClass>();
  for (const [name, cs] of Object.entries<Json>(schema.$defs ?? {})) {
    const required = new Set<string>(cs.required ?? []);
    const attributes = new Map<string, TargetAttribute>();
    const children = new Map<string, TargetChild>();
    for (const [prop, ps] of Object.entries<Json>(cs.properties ?? {})) {
      const single = refName(ps);
      const item = baseType(ps) === 'array' ? refName(ps.items) : undefined;
      if (single || item) {
        children.set(prop, {
          name: single ?? item!,
          array: !!item,
          min: item ? (ps.minItems ?? 0) : required.has(prop) ? 1 : 0,
          max: item ? (ps.maxItems ?? null) : 1,
        });
        continue;
      }
      const kind = kindOf(ps);
      const a: TargetAttribute = {
        name: prop,
        title: ps.title ?? prop,
        description: ps.description,
        kind,
        required: required.has(prop),
        controls: ps['x-kpr-controls'] ?? {},
      };
      if (Array.isArray(ps.type) && ps.type.includes('null')) a.nullable = true;
      if (kind !== 'coded' && Array.isArray(ps.enum)) a.values = (ps.enum as (string | number | boolean | null)[]).filter((v): v is string | number | boolean => v !== null);
      if (kind === 'coded') {
        const texts: Json = ps['x-kpr-codes'] ?? {};
        a.codes = new Map((ps.enum as string[]).filter((c) => c !== null).map((c) => [c, texts[c] ?? '']));
        if (ps['x-kpr-codelist']) a.codelist = ps['x-kpr-codelist'];
        if (ps['x-kpr-code-validity']) a.codeValidity = new Map(Object.entries(ps['x-kpr-code-validity']));
      }
      if (typeof ps.pattern === 'string' && kind === 'string') a.pattern = ps.pattern;
      if (typeof ps.maxLength === 'number') a.maxLength = ps.maxLength;
      if (typeof ps.minLength === 'number') a.minLength = ps.minLength;
      if (ps.const !== undefined) a.fixed = ps.const;
      attributes.set(prop, a);
    }
    classes.set(name, { name, title: cs.description, attributes, children });
  }
  return { id, message, version, classes, dir };
}

const packageRoot = fileURLToPath(new URL('../..', import.meta.url));

/** Where generated artefacts live: --generated, else $KPR_GENERATED_DIR, else the repository's generated/. */
export function generatedDir(explicit?: string): string {
  return explicit ?? process.env.KPR_GENERATED_DIR ?? join(packageRoot, 'generated');
}

export function parseSpecRef(ref: string): { message: string; version: string } | undefined {
  // 56.0.0, or a JSON message type's msg_version (hst-avtale@1).
  const m = /^([a-z][a-z0-9_-]*)@(\d+(?:\.\d+)*)$/.exec(ref.trim());
  return m ? { message: m[1], version: m[2] } : undefined;
}

/** The folder of one generated spec version, or undefined when it was never built. */
export function specDir(ref: string, generated?: string): string | undefined {
  const p = parseSpecRef(ref);
  if (!p) return undefined;
  const dir = join(generatedDir(generated), p.message, p.version);
  return existsSync(join(dir, 'schema.json')) ? dir : undefined;
}

const cache = new Map<string, Target>();

/** Loads (once per process) the target model of `hst@56.0.0` from generated artefacts. */
export function loadTarget(ref: string, generated?: string): Target | undefined {
  const dir = specDir(ref, generated);
  if (!dir) return undefined;
  const key = `${dir}`;
  let t = cache.get(key);
  if (!t) {
    t = targetFromSchema(JSON.parse(readFileSync(join(dir, 'schema.json'), 'utf8')), ref.trim(), dir);
    cache.set(key, t);
  }
  return t;
}
