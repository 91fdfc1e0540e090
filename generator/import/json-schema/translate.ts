// A JSON Schema (draft-07, 2019-09 or 2020-12, as a Swagger page publishes one per message type
// and version) → the data of a spec file of kind json. Every member is marked published in the
// schema. What the spec format cannot express is refused with the JSON pointer and line of the
// keyword, never dropped: an import either keeps every constraint or names the one it cannot.
//
//   schema                                  spec
//   type: array, items: {object}     (root) body: array, root class
//   type: object, properties         (root) body: object, root class
//   properties.m: object / $ref       →      child class `m`, 1 or 0..1 (required or not)
//   properties.m: array of object     →      child class `m`, minItems..maxItems (required: true when present but may be empty)
//   properties.m: string/integer/…    →      attribute `m` with its restrictions
//   type [T, "null"], anyOf/oneOf [T, {type: null}], nullable: true  →  nullable
//   format date / date-time / uuid    →      date / dateTimeOffset / string with the UUID pattern
import type { Path } from '../../../runtime/yaml/positions.ts';
import { diag, type Diagnostic, type DiagnosticId } from '../../diagnostics.ts';
import { pointer, type Json, type JsonObject, type SchemaFile } from './read.ts';

/** Keywords that say nothing a validator checks: kept where the spec has a place, else ignored. */
const ANNOTATIONS = new Set([
  'title',
  'description',
  '$comment',
  'examples',
  'example',
  'default',
  'deprecated',
  'readOnly',
  'writeOnly',
  '$schema',
  '$id',
  '$defs',
  'definitions',
  'discriminator',
]);
const OBJECT_KEYS = new Set(['type', 'properties', 'required', 'additionalProperties', 'nullable']);
const ARRAY_KEYS = new Set(['type', 'items', 'minItems', 'maxItems', 'nullable']);
const SCALAR_KEYS = new Set(['type', 'format', 'pattern', 'minLength', 'maxLength', 'enum', 'const', 'minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'nullable']);
const UUID = '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$';
const WHY: Record<string, string> = {
  oneOf: 'a choice between schemas (with or without a discriminator) has no place in the spec format',
  anyOf: 'a choice between schemas has no place in the spec format',
  allOf: 'a combination of schemas has no place in the spec format',
  patternProperties: 'members named by a pattern cannot be listed as named members',
  dependentSchemas: 'a schema that applies when another member is present cannot be expressed',
  dependencies: 'a schema that applies when another member is present cannot be expressed',
  dependentRequired: 'members required when another is present cannot be expressed',
  additionalProperties: 'only additionalProperties false or true (or absent) can be expressed',
};

export interface Draft {
  data: Record<string, unknown>;
  /** Things to review that are not errors (e.g. members the schema lets through unchecked). */
  notes: { where: string; message: string }[];
}

export interface TranslateOptions {
  id: string;
  messageType: string;
  version: string;
  /** Name of the root class when the schema does not name it (by $ref or title). */
  rootName?: string;
  /** How `sources.schema.ref` names the file. */
  sourceRef: string;
}

interface Resolved {
  s: JsonObject;
  path: Path;
  /** The name of the definition a $ref led to, if any. */
  defName?: string;
  /** Annotations written beside the $ref (title, description), which win over the target's. */
  title?: string;
  description?: string;
}

type ClassData = { label: string; description?: string; provenance: unknown; children?: unknown[]; attributes?: Record<string, unknown> };

class Translator {
  readonly errors: Diagnostic[] = [];
  readonly notes: Draft['notes'] = [];
  private readonly classes = new Map<string, { identity: string; shape: string; data: ClassData }>();
  private readonly stack: string[] = [];

  constructor(private readonly f: SchemaFile) {}

  private err(id: DiagnosticId, path: Path, message: string, key = false) {
    this.errors.push(diag(id, this.f.pos(path, key), `${pointer(path) || '/'}: ${message}`));
  }

  private provenance() {
    return { status: 'published', source: 'schema' };
  }

  /** Follow local $refs to the schema that says something. */
  resolve(s: Json, path: Path): Resolved | undefined {
    let title: string | undefined;
    let description: string | undefined;
    let defName: string | undefined;
    for (let hops = 0; hops < 32; hops++) {
      if (s === true || s === false || s === null || typeof s !== 'object' || Array.isArray(s)) {
        this.err('KPR1702', path, 'a schema here must be an object (true, false and other values cannot be expressed)');
        return undefined;
      }
      const ref = s.$ref;
      if (ref === undefined) return { s, path, defName, title: title ?? str(s.title), description: description ?? str(s.description) };
      for (const k of Object.keys(s)) {
        if (k !== '$ref' && !ANNOTATIONS.has(k) && !k.startsWith('x-')) {
          this.err('KPR1702', [...path, k], `keyword ${k} beside $ref: the spec cannot combine a reference with more constraints`, true);
          return undefined;
        }
      }
      title ??= str(s.title);
      description ??= str(s.description);
      if (typeof ref !== 'string' || !ref.startsWith('#/')) {
        this.err('KPR1703', [...path, '$ref'], `$ref ${JSON.stringify(ref)} is not a local reference (#/$defs/… or #/definitions/…)`);
        return undefined;
      }
      const target = ref
        .slice(2)
        .split('/')
        .map((p) => decodeURIComponent(p).replace(/~1/g, '/').replace(/~0/g, '~'));
      let node: Json | undefined = this.f.root;
      for (const step of target) node = node && typeof node === 'object' && !Array.isArray(node) ? (node as JsonObject)[step] : undefined;
      if (node === undefined) {
        this.err('KPR1703', [...path, '$ref'], `$ref ${ref} points at nothing in this file`);
        return undefined;
      }
      if (target.length === 2 && (target[0] === '$defs' || target[0] === 'definitions')) defName = target[1];
      s = node;
      path = target;
    }
    this.err('KPR1703', path, '$ref chain longer than 32 steps (a loop?)');
    return undefined;
  }

  /** The base type and nullability of a resolved schema, with the schema that holds the rest. */
  shape(r: Resolved): { type: string; nullable: boolean; r: Resolved } | undefined {
    const s = r.s;
    for (const k of ['oneOf', 'anyOf'] as const) {
      const alts = s[k];
      if (!Array.isArray(alts)) continue;
      const isNull = (a: Json) => !!a && typeof a === 'object' && !Array.isArray(a) && a.type === 'null' && Object.keys(a).filter((x) => !ANNOTATIONS.has(x)).length === 1;
      const others = alts.filter((a) => !isNull(a));
      if (alts.length === 2 && others.length === 1 && Object.keys(s).every((x) => x === k || ANNOTATIONS.has(x) || x.startsWith('x-'))) {
        const inner = this.resolve(others[0], [...r.path, k, alts.indexOf(others[0])]);
        if (!inner) return undefined;
        const got = this.shape({ ...inner, title: r.title ?? inner.title, description: r.description ?? inner.description });
        return got && { ...got, nullable: true };
      }
      const why = s.discriminator !== undefined ? `${k} with a discriminator: a choice between message shapes has no place in the spec format` : WHY[k];
      this.err('KPR1702', [...r.path, k], why, true);
      return undefined;
    }
    for (const k of Object.keys(s)) {
      if (k in WHY && k !== 'additionalProperties') {
        this.err('KPR1702', [...r.path, k], WHY[k], true);
        return undefined;
      }
    }
    let types: string[];
    const t = s.type;
    if (typeof t === 'string') types = [t];
    else if (Array.isArray(t) && t.every((x) => typeof x === 'string')) types = t as string[];
    else if (t === undefined && s.properties !== undefined) types = ['object'];
    else if (t === undefined && s.items !== undefined) types = ['array'];
    else if (t === undefined && (Array.isArray(s.enum) || s.const !== undefined)) {
      // An enum or const without a type says its type by its values (null aside).
      const values = (s.const !== undefined ? [s.const] : (s.enum as Json[])).filter((v) => v !== null);
      const kinds = new Set(values.map((v) => (typeof v === 'number' ? (Number.isInteger(v) ? 'integer' : 'number') : typeof v)));
      if (kinds.has('integer') && kinds.has('number')) kinds.delete('integer');
      types = kinds.size === 1 ? [[...kinds][0]] : [...kinds];
      if (Array.isArray(s.enum) && s.enum.includes(null)) types.push('null');
    } else {
      this.err('KPR1702', r.path, 'no type: a member must say whether it is an object, an array or a scalar');
      return undefined;
    }
    const nullable = types.includes('null') || s.nullable === true || (Array.isArray(s.enum) && s.enum.includes(null));
    const rest = types.filter((x) => x !== 'null');
    if (rest.length !== 1) {
      this.err('KPR1702', [...r.path, 'type'], `type ${JSON.stringify(t)}: one type (with or without null) can be expressed, not several`);
      return undefined;
    }
    return { type: rest[0], nullable, r };
  }

  private unsupportedKeys(r: Resolved, allowed: Set<string>, what: string): boolean {
    let ok = true;
    for (const k of Object.keys(r.s)) {
      if (allowed.has(k) || ANNOTATIONS.has(k) || k.startsWith('x-')) continue;
      this.err('KPR1702', [...r.path, k], WHY[k] ?? `keyword ${k} on ${what} cannot be expressed`, true);
      ok = false;
    }
    return ok;
  }

  /** Register the object schema `r` as class `name`; returns false when it cannot be. */
  objectClass(name: string, r: Resolved): boolean {
    const identity = pointer(r.path);
    const seen = this.classes.get(name);
    if (seen) {
      if (seen.identity === identity || seen.shape === JSON.stringify(r.s)) return true;
      this.err('KPR1704', r.path, `a second, different object named ${name} (the first is at ${seen.identity}); the spec names classes by member`);
      return false;
    }
    if (this.stack.includes(identity)) {
      this.err('KPR1702', r.path, `${name} contains itself: a recursive message cannot be expressed`);
      return false;
    }
    if (!this.unsupportedKeys(r, OBJECT_KEYS, 'an object')) return false;
    const ap = r.s.additionalProperties;
    if (ap !== undefined && ap !== false && ap !== true) {
      this.err('KPR1702', [...r.path, 'additionalProperties'], WHY.additionalProperties, true);
      return false;
    }
    if (ap !== false)
      this.notes.push({ where: pointer(r.path) || '/', message: `${name}: the schema lets unknown members through; the spec (and its generated schema) refuses them` });
    const data: ClassData = { label: r.title ?? name, ...(r.description && { description: r.description }), provenance: this.provenance() };
    this.classes.set(name, { identity, shape: JSON.stringify(r.s), data });
    this.stack.push(identity);
    const required = new Set(Array.isArray(r.s.required) ? r.s.required.filter((x): x is string => typeof x === 'string') : []);
    const props = (r.s.properties ?? {}) as JsonObject;
    for (const req of required) if (!(req in props)) this.err('KPR1702', [...r.path, 'required'], `required names ${req}, which properties does not define`, true);
    const children: unknown[] = [];
    const attributes: Record<string, unknown> = {};
    for (const [m, ms] of Object.entries(props)) {
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(m)) {
        this.err('KPR1702', [...r.path, 'properties', m], `member name ${JSON.stringify(m)} is not a name the spec can hold (letters, digits, _)`, true);
        continue;
      }
      this.member(m, ms, [...r.path, 'properties', m], required.has(m), children, attributes);
    }
    this.stack.pop();
    if (children.length) data.children = children;
    if (Object.keys(attributes).length) data.attributes = attributes;
    return true;
  }

  private member(name: string, raw: Json, path: Path, required: boolean, children: unknown[], attributes: Record<string, unknown>) {
    const r0 = this.resolve(raw, path);
    const sh = r0 && this.shape(r0);
    if (!sh) return;
    const { type, nullable, r } = sh;
    if (type === 'object') {
      if (!this.objectClass(name, r)) return;
      const card = required ? '1' : '0..1';
      children.push({ [name]: nullable ? { cardinality: card, nullable: true } : card });
      return;
    }
    if (type === 'array') {
      if (!this.unsupportedKeys(r, ARRAY_KEYS, 'an array')) return;
      if (r.s.items === undefined || Array.isArray(r.s.items)) {
        this.err('KPR1702', [...r.path, 'items'], 'an array needs one items schema (tuples cannot be expressed)', true);
        return;
      }
      const ir0 = this.resolve(r.s.items, [...r.path, 'items']);
      const ish = ir0 && this.shape(ir0);
      if (!ish) return;
      if (ish.type !== 'object' || ish.nullable) {
        this.err('KPR1702', [...r.path, 'items'], `an array of ${ish.nullable ? 'nullable ' : ''}${ish.type} items: only arrays of objects can be expressed`, true);
        return;
      }
      const min = typeof r.s.minItems === 'number' ? r.s.minItems : 0;
      const max = typeof r.s.maxItems === 'number' ? r.s.maxItems : null;
      if (max !== null && max <= 1) {
        this.err('KPR1702', [...r.path, 'maxItems'], `an array of at most ${max} item: the spec would make it a single object`, true);
        return;
      }
      if (!this.objectClass(name, { ...ish.r, title: r.title ?? ish.r.title, description: r.description ?? ish.r.description })) return;
      const card = max === null ? `${min}..*` : min === max ? String(min) : `${min}..${max}`;
      const flags = { ...(nullable && { nullable: true }), ...(required !== min > 0 && { required }) };
      children.push({ [name]: Object.keys(flags).length ? { cardinality: card, ...flags } : card });
      return;
    }
    const a = this.scalar(name, type, nullable, r);
    if (a) attributes[name] = { label: a.head.label, type: a.head.type, use: required ? 'required' : 'optional', ...a.tail, ...a.notes, provenance: this.provenance() };
  }

  /** head: label and type; tail: the restrictions; notes: description and examples. */
  private scalar(
    name: string,
    type: string,
    nullable: boolean,
    r: Resolved,
  ): { head: Record<string, unknown>; tail: Record<string, unknown>; notes: Record<string, unknown> } | undefined {
    if (!this.unsupportedKeys(r, SCALAR_KEYS, `a ${type}`)) return undefined;
    const s = r.s;
    const out: Record<string, unknown> = { label: r.title ?? name };
    const tail: Record<string, unknown> = {};
    let specType: string;
    const format = s.format;
    switch (type) {
      case 'string':
        specType = 'string';
        if (format === 'date') specType = 'date';
        else if (format === 'date-time') specType = 'dateTimeOffset';
        else if (format === 'uuid') tail.pattern = UUID;
        else if (format !== undefined) {
          this.err('KPR1702', [...r.path, 'format'], `format ${JSON.stringify(format)}: only date, date-time and uuid can be expressed`, true);
          return undefined;
        }
        if (s.pattern !== undefined && format !== undefined) {
          this.err('KPR1702', [...r.path, 'pattern'], `pattern together with format ${String(format)} cannot be expressed`, true);
          return undefined;
        }
        if (typeof s.pattern === 'string') tail.pattern = s.pattern;
        break;
      case 'integer':
      case 'number':
      case 'boolean':
        specType = type;
        if (format !== undefined && !(type === 'integer' && (format === 'int32' || format === 'int64')) && !(type === 'number' && (format === 'double' || format === 'float'))) {
          this.err('KPR1702', [...r.path, 'format'], `format ${JSON.stringify(format)} on a ${type} cannot be expressed`, true);
          return undefined;
        }
        if (format === 'int32' || format === 'int64') this.notes.push({ where: pointer(r.path), message: `${name}: format ${format} is a size hint; not checked` });
        break;
      default:
        this.err('KPR1702', [...r.path, 'type'], `type ${type} cannot be expressed`, true);
        return undefined;
    }
    out.type = specType;
    for (const k of ['minLength', 'maxLength'] as const) {
      if (s[k] === undefined) continue;
      if (specType !== 'string') {
        this.err('KPR1702', [...r.path, k], `${k} on a ${specType}: only plain strings carry lengths in the spec`, true);
        return undefined;
      }
      tail[k] = s[k];
    }
    for (const k of ['minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum'] as const) {
      if (s[k] === undefined) continue;
      if (typeof s[k] !== 'number') {
        this.err('KPR1702', [...r.path, k], `${k} ${JSON.stringify(s[k])}: draft-04's boolean form cannot be expressed; use draft-07 or later`, true);
        return undefined;
      }
      tail[k] = s[k];
    }
    const values = s.const !== undefined ? [s.const] : Array.isArray(s.enum) ? s.enum.filter((v) => v !== null) : undefined;
    if (values) {
      if (!values.every((v) => typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean')) {
        this.err('KPR1702', [...r.path, s.const !== undefined ? 'const' : 'enum'], 'enum values must be strings, numbers or booleans', true);
        return undefined;
      }
      tail.enum = values;
    }
    if (nullable) tail.nullable = true;
    const notes: Record<string, unknown> = {};
    if (r.description) notes.description = r.description;
    const ex = Array.isArray(s.examples) ? s.examples : s.example !== undefined ? [s.example] : [];
    if (ex.length) notes.examples = ex.map((e) => (typeof e === 'string' ? e : JSON.stringify(e)));
    return { head: out, tail, notes };
  }

  classList(): Record<string, ClassData> {
    return Object.fromEntries([...this.classes].map(([n, c]) => [n, c.data]));
  }
}

function str(v: Json | undefined): string | undefined {
  return typeof v === 'string' && v.trim() ? v.trim() : undefined;
}

export function translate(f: SchemaFile, opts: TranslateOptions): { draft?: Draft; diagnostics: Diagnostic[] } {
  const t = new Translator(f);
  const top = t.resolve(f.root, []);
  const sh = top && t.shape(top);
  let body: 'array' | 'object' = 'object';
  let rootName = opts.rootName;
  if (sh && sh.type === 'array') {
    body = 'array';
    const extra = Object.keys(sh.r.s).filter((k) => !['type', 'items'].includes(k) && !ANNOTATIONS.has(k) && !k.startsWith('x-'));
    for (const k of extra)
      t.errors.push(
        diag(
          'KPR1702',
          f.pos([...sh.r.path, k], true),
          `${pointer([...sh.r.path, k])}: ${k} on the message body cannot be expressed (the body is an array of any number of root objects)`,
        ),
      );
    const items = sh.r.s.items;
    const ir = items !== undefined && !Array.isArray(items) ? t.resolve(items, [...sh.r.path, 'items']) : undefined;
    const ish = ir && t.shape(ir);
    if (items === undefined || Array.isArray(items)) t.errors.push(diag('KPR1702', f.pos(sh.r.path), `${pointer(sh.r.path) || '/'}: the body array needs one items schema`));
    else if (ish && ish.type !== 'object') t.errors.push(diag('KPR1702', f.pos(ish.r.path), `${pointer(ish.r.path)}: the body's items must be objects`));
    else if (ish) {
      rootName ??= ish.r.defName ?? identifier(ish.r.title) ?? opts.messageType;
      if (!extra.length) t.objectClass(rootName, ish.r);
    }
  } else if (sh && sh.type === 'object') {
    rootName ??= sh.r.defName ?? identifier(sh.r.title) ?? opts.messageType;
    t.objectClass(rootName, sh.r);
  } else if (sh) {
    t.errors.push(diag('KPR1702', f.pos(sh.r.path), `${pointer(sh.r.path) || '/'}: the message body must be an object or an array of objects`));
  }
  if (t.errors.length) return { diagnostics: t.errors };
  const data: Record<string, unknown> = {
    kind: 'json',
    message: opts.id,
    messageType: opts.messageType,
    version: opts.version,
    title: str(f.root.title) ?? `${opts.messageType} ${opts.version}`,
    status: 'Importert fra publisert JSON Schema',
    body,
    root: rootName,
    ...(str(f.root.description) && { description: str(f.root.description) }),
    sources: { schema: { kind: 'schema', ref: opts.sourceRef } },
    classes: t.classList(),
  };
  return { draft: { data, notes: t.notes }, diagnostics: [] };
}

function identifier(title: string | undefined): string | undefined {
  return title && /^[A-Za-z_][A-Za-z0-9_]*$/.test(title) ? title : undefined;
}
