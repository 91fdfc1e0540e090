// Turns a shape-checked YAML document into the model (generator/model/types.ts), attaching the
// source position of every class, attribute, child, constraint, control and code.

import type {
  Attribute,
  AttributeType,
  AttributeUse,
  ChildRef,
  ClassDef,
  Code,
  CodeList,
  Consequence,
  Control,
  KeyRef,
  MessageRule,
  MessageSpec,
  Provenance,
  SpecSource,
  Unique,
} from '../model/types.ts';
import type { YamlSource } from './source.ts';

/* eslint-disable @typescript-eslint/no-explicit-any -- the input is schema-checked YAML data */
// biome-ignore lint/suspicious/noExplicitAny: the input is YAML the spec schema has already checked; the schema types it, not the compiler
type Raw = any;

export function parseCardinality(text: string): { min: number; max: number | null } {
  const s = String(text);
  if (!s.includes('..')) return { min: Number(s), max: Number(s) };
  const [lo, hi] = s.split('..');
  return { min: Number(lo), max: hi === '*' ? null : Number(hi) };
}

export function formatCardinality(min: number, max: number | null): string {
  if (max === min) return String(min);
  return `${min}..${max === null ? '*' : max}`;
}

export function buildMessage(raw: Raw, src: YamlSource): Omit<MessageSpec, 'codelists'> {
  const classes: ClassDef[] = Object.entries(raw.classes ?? {}).map(([name, c]) => buildClass(name, c as Raw, src));
  const kind = raw.kind === 'json' ? 'json' : 'xml';
  const sources: SpecSource[] = Object.entries(raw.sources ?? {}).map(([id, s]: [string, Raw]) => ({
    id,
    kind: s.kind,
    ref: s.ref,
    description: s.description,
    at: src.pos(['sources', id], { key: true }),
  }));
  return {
    kind,
    ...(kind === 'json' && { json: { messageType: raw.messageType, body: raw.body, ...(raw.record !== undefined && { record: raw.record }), sources } }),
    message: raw.message,
    version: String(raw.version),
    schemaVersion: raw.schemaVersion ?? '',
    standard: raw.standard ?? '',
    title: raw.title,
    status: raw.status,
    published: raw.published ?? '',
    validFrom: raw.validFrom ?? '',
    namespace: raw.namespace ?? '',
    root: raw.root,
    description: raw.description,
    rules: (raw.rules ?? []).map(
      (r: Raw, i: number): MessageRule => ({
        id: r.id,
        chapter: r.chapter,
        title: r.title,
        text: r.text,
        ...(r.enforcedBy !== undefined && { enforcedBy: r.enforcedBy }),
        ...(r.notEnforced !== undefined && { notEnforced: r.notEnforced }),
        ...(r.note !== undefined && { note: r.note }),
        at: src.pos(['rules', i]),
      }),
    ),
    classes,
    file: src.file,
    at: src.pos([]),
    metaAt: Object.fromEntries(Object.keys(raw).map((k) => [k, src.pos([k])])),
  };
}

function buildClass(name: string, c: Raw, src: YamlSource): ClassDef {
  const base = ['classes', name];
  const children: ChildRef[] = (c.children ?? []).map((entry: Raw, i: number) => {
    const [cls, value] = Object.entries(entry)[0] as [string, Raw];
    const card = typeof value === 'object' && value !== null ? value.cardinality : value;
    const flags = typeof value === 'object' && value !== null ? value : {};
    return {
      class: cls,
      ...parseCardinality(card),
      ...(flags.nullable === true && { nullable: true }),
      ...(typeof flags.required === 'boolean' && { required: flags.required }),
      at: src.pos([...base, 'children', i]),
    };
  });
  const unique: Unique[] = Object.entries(c.unique ?? {}).map(([uname, u]: [string, Raw]) => ({
    name: uname,
    selector: u.selector,
    fields: u.fields,
    at: src.pos([...base, 'unique', uname], { key: true }),
  }));
  const keyrefs: KeyRef[] = Object.entries(c.keyrefs ?? {}).map(([kname, k]: [string, Raw]) => ({
    name: kname,
    refer: k.refer,
    selector: k.selector,
    fields: k.fields,
    at: src.pos([...base, 'keyrefs', kname], { key: true }),
  }));
  const attributes: Attribute[] = Object.entries(c.attributes ?? {}).map(([aname, a]) => buildAttribute(aname, a as Raw, src, [...base, 'attributes', aname]));
  return {
    name,
    label: c.label,
    description: c.description,
    usage: c.usage,
    comment: c.comment,
    examples: c.examples,
    primaryKey: c.primaryKey,
    children,
    attributes,
    unique,
    keyrefs,
    ...(c.exactlyOne !== undefined && { exactlyOne: c.exactlyOne }),
    ...(c.provenance && { provenance: buildProvenance(c.provenance, src, [...base, 'provenance']) }),
    at: src.pos(base, { key: true }),
  };
}

function buildProvenance(p: Raw, src: YamlSource, path: string[]): Provenance {
  return { status: p.status, source: p.source, ...(p.note !== undefined && { note: p.note }), at: src.pos(path, { key: true }) };
}

/** The JSON-only keys of an attribute, present only where written (XML specs stay as they were). */
function jsonKeys(a: Raw, src: YamlSource, path: string[]): Partial<Attribute> {
  const out: Partial<Attribute> = {};
  if (a.provenance) out.provenance = buildProvenance(a.provenance, src, [...path, 'provenance']);
  if (a.nullable === true) out.nullable = true;
  for (const k of ['enum', 'minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'digits'] as const) {
    if (a[k] !== undefined) (out as Raw)[k] = a[k];
  }
  return out;
}

function buildAttribute(name: string, a: Raw, src: YamlSource, path: string[]): Attribute {
  const controls: Control[] = [];
  const ctl = a.controls ?? {};
  const cpos = (k: string) => src.pos([...path, 'controls', k], { key: true });
  if (ctl.required !== undefined) controls.push({ kind: 'required', consequence: ctl.required as Consequence, at: cpos('required') });
  if (ctl.datatype) controls.push({ kind: 'datatype', check: ctl.datatype.check, regex: ctl.datatype.regex, consequence: ctl.datatype.consequence, at: cpos('datatype') });
  if (ctl.code) controls.push({ kind: 'code', validOn: ctl.code.validOn, consequence: ctl.code.consequence, at: cpos('code') });
  if (ctl.range) controls.push({ kind: 'range', from: ctl.range.from, to: ctl.range.to, consequence: ctl.range.consequence, at: cpos('range') });
  return {
    name,
    label: a.label,
    type: a.type as AttributeType,
    use: a.use as AttributeUse,
    codelist: a.codelist,
    codes: a.codes,
    accept: a.accept,
    fixed: a.fixed,
    maxLength: a.maxLength,
    minLength: a.minLength,
    pattern: a.pattern,
    description: a.description,
    usage: a.usage,
    comment: a.comment,
    examples: a.examples,
    origin: a.origin,
    usageComment: a.usageComment,
    controls,
    ...jsonKeys(a, src, path),
    at: src.pos(path, { key: true }),
  };
}

export function buildCodeList(number: string, raw: Raw, src: YamlSource, base: (string | number)[] = []): CodeList {
  const codes: Code[] = (raw.codes ?? []).map((c: Raw, i: number) => ({
    code: c.code,
    text: c.text,
    comment: c.comment,
    validFrom: c.validFrom,
    validTo: c.validTo,
    at: src.pos([...base, 'codes', i]),
  }));
  return { number, name: raw.name, oid: raw.oid, description: raw.description, codes, at: src.pos(base) };
}
