// Emits the JSON Schema (2020-12) of a message's JSON form: one `$defs` entry per class, code
// lists as `enum` (Ajv validates enums about 6× faster than anyOf/const), with the codes' texts
// kept beside them in `x-kpr-codes` for tools and docs.

import { acceptedCodes, isArrayChild, isNumeric, isRequired, PATTERNS, sentAttributes } from '../model/json-form.ts';
import { specId, type Attribute, type ClassDef, type JsonMessageInfo, type MessageSpec, type Provenance } from '../model/types.ts';

export type JsonSchema = Record<string, unknown>;

export function schemaId(spec: MessageSpec): string {
  return `https://kpr-kit.local/${spec.message}/${spec.version}/schema.json`;
}

function describe(parts: (string | undefined)[]): string | undefined {
  const text = parts
    .filter((p) => p?.trim())
    .join('\n\n')
    .trim();
  return text || undefined;
}

/** The largest value: the published number of digits ("Min 1 max 5 siffer": a pattern `^[0-9]{1,5}$`), else what a JSON number carries exactly. */
function numericMaximum(a: Attribute): number {
  const digits = a.pattern ? /^\^\[0-9\]\{1,(\d+)\}\$$/.exec(a.pattern) : null;
  return digits ? 10 ** Number(digits[1]) - 1 : Number.MAX_SAFE_INTEGER;
}

export function attributeSchema(spec: MessageSpec, a: Attribute): JsonSchema {
  const s: JsonSchema = {};
  s.title = a.label;
  const description = describe([a.description, a.usage && `Bruk: ${a.usage}`]);
  if (description) s.description = description;
  switch (a.type) {
    case 'integer':
      s.type = 'integer';
      // What a JSON number carries exactly: the XML writer refuses the rest, so the validator does.
      s.minimum = -Number.MAX_SAFE_INTEGER;
      s.maximum = numericMaximum(a);
      break;
    case 'nonNegativeInteger':
      s.type = 'integer';
      s.minimum = 0;
      s.maximum = numericMaximum(a);
      break;
    case 'date':
      s.type = 'string';
      s.pattern = PATTERNS.date;
      break;
    case 'dateTime':
      s.type = 'string';
      s.pattern = PATTERNS.dateTime;
      break;
    case 'guid':
      s.type = 'string';
      s.pattern = PATTERNS.guid;
      break;
    case 'number':
      s.type = 'number';
      break;
    case 'boolean':
      s.type = 'boolean';
      break;
    case 'dateTimeOffset':
      s.type = 'string';
      s.pattern = PATTERNS.dateTimeOffset;
      break;
    case 'coded': {
      s.type = 'string';
      const list = spec.codelists.get(a.codelist!);
      const codes = acceptedCodes(spec, a);
      s.enum = codes;
      s['x-kpr-codelist'] = { number: a.codelist, name: list?.name, oid: list?.oid };
      s['x-kpr-codes'] = Object.fromEntries(codes.map((c) => [c, list?.codes.find((k) => k.code === c)?.text ?? '']));
      // Codes valid only for a period: the runtime checks them on the date the control names.
      const dated = (list?.codes ?? []).filter((k) => codes.includes(k.code) && (k.validFrom || k.validTo));
      if (dated.length) {
        s['x-kpr-code-validity'] = Object.fromEntries(dated.map((k) => [k.code, { ...(k.validFrom ? { from: k.validFrom } : {}), ...(k.validTo ? { to: k.validTo } : {}) }]));
      }
      break;
    }
    default:
      s.type = 'string';
  }
  if (a.type !== 'coded' && !isNumeric(a)) {
    if (a.maxLength !== undefined) s.maxLength = a.maxLength;
    if (a.minLength !== undefined) s.minLength = a.minLength;
    if (a.pattern !== undefined && a.type === 'string') s.pattern = a.pattern;
  }
  if (a.fixed !== undefined) s.const = isNumeric(a) ? Number(a.fixed) : a.fixed;
  Object.assign(s, jsonMemberKeywords(a));
  if (a.examples?.length) s.examples = a.examples;
  // The receiver's quality controls travel with the schema, so the runtime can name the
  // consequence of a failed check without reading the spec (runtime never imports generator/).
  if (a.use === 'obligatory') s['x-kpr-use'] = 'obligatory';
  if (a.controls.length) {
    s['x-kpr-controls'] = Object.fromEntries(a.controls.map(({ kind, at: _at, ...rest }) => [kind, kind === 'required' ? rest.consequence : rest]));
  }
  return s;
}

/** What only JSON message types carry: enum, bounds, null, the digits of a numeric id, provenance. */
function jsonMemberKeywords(a: Attribute): JsonSchema {
  const s: JsonSchema = {};
  if (a.enum) s.enum = a.nullable ? [...a.enum, null] : a.enum;
  for (const k of ['minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum'] as const) if (a[k] !== undefined) s[k] = a[k];
  if (a.digits !== undefined) s['x-kpr-digits'] = a.digits;
  if (a.provenance) s['x-kpr-provenance'] = provenance(a.provenance);
  return s;
}

function provenance(p: Provenance): JsonSchema {
  return { status: p.status, source: p.source, ...(p.note !== undefined && { note: p.note }) };
}

/** `type: [t, "null"]` for a nullable scalar (its enum already holds null). */
function withNull(s: JsonSchema): JsonSchema {
  return typeof s.type === 'string' ? { ...s, type: [s.type, 'null'] } : s;
}

export function classSchema(spec: MessageSpec, c: ClassDef): JsonSchema {
  const properties: Record<string, JsonSchema> = {};
  const required: string[] = [];
  for (const a of sentAttributes(c)) {
    properties[a.name] = a.nullable ? withNull(attributeSchema(spec, a)) : attributeSchema(spec, a);
    if (isRequired(a)) required.push(a.name);
  }
  for (const ch of c.children) {
    const ref = { $ref: `#/$defs/${ch.class}` };
    if (isArrayChild(ch)) {
      const arr: JsonSchema = { type: 'array', items: ref };
      if (ch.min > 0) arr.minItems = ch.min;
      if (ch.max !== null) arr.maxItems = ch.max;
      properties[ch.class] = ch.nullable ? withNull(arr) : arr;
    } else {
      properties[ch.class] = ch.nullable ? { anyOf: [ref, { type: 'null' }] } : ref;
    }
    if (ch.required ?? ch.min > 0) required.push(ch.class);
  }
  const s: JsonSchema = { title: c.name };
  const description = describe([c.label !== c.name ? c.label : undefined, c.description]);
  if (description) s.description = description;
  s.type = 'object';
  s.properties = properties;
  if (required.length) s.required = required;
  // The information model's {XOR}: exactly one of these (each a 0..1 child) is present. One
  // `required` per child under oneOf: none present matches none, two present match two.
  if (c.exactlyOne?.length) s.oneOf = c.exactlyOne.map((x) => ({ required: [x] }));
  s.additionalProperties = false;
  if (c.provenance) s['x-kpr-provenance'] = provenance(c.provenance);
  return s;
}

export function emitJsonSchema(spec: MessageSpec): JsonSchema {
  if (spec.json) return emitJsonMessageSchema(spec, spec.json);
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: schemaId(spec),
    title: `${spec.title} (${specId(spec)})`,
    description: `JSON form of ${spec.standard} ${spec.version}, XML namespace ${spec.namespace}. Generated by kpr spec build; do not edit.`,
    $ref: `#/$defs/${spec.root}`,
    $defs: Object.fromEntries(spec.classes.map((c) => [c.name, classSchema(spec, c)])),
  };
}

/**
 * A JSON message type's schema: the body itself (an array of root objects for FHI SLASH), with
 * the sources every `x-kpr-provenance` names, so a reader of the schema sees what was guessed.
 */
function emitJsonMessageSchema(spec: MessageSpec, json: JsonMessageInfo): JsonSchema {
  const root = { $ref: `#/$defs/${spec.root}` };
  const inferred = spec.classes.some((c) => c.provenance?.status === 'inferred' || c.attributes.some((a) => a.provenance?.status === 'inferred'));
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: schemaId(spec),
    title: `${spec.title} (${specId(spec)})`,
    description:
      `JSON message type ${json.messageType} version ${spec.version}. Generated by kpr spec build; do not edit.` +
      (inferred ? ' Members marked x-kpr-provenance status inferred were read off a sample, not published.' : ''),
    'x-kpr-message-type': json.messageType,
    'x-kpr-sources': Object.fromEntries(json.sources.map((s) => [s.id, { kind: s.kind, ref: s.ref, ...(s.description !== undefined && { description: s.description }) }])),
    ...(json.body === 'array' ? { type: 'array', items: root } : root),
    $defs: Object.fromEntries(spec.classes.map((c) => [c.name, classSchema(spec, c)])),
  };
}
