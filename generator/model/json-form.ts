// The JSON form of a message (issue: one object per XML element; attributes are properties with
// their XSD names; children are properties named by the element, an array where maxOccurs > 1
// and a single object where maxOccurs = 1; XSD integer types are JSON numbers, all else strings).
// Every emitter asks these questions here, so they cannot disagree.

import type { Attribute, ChildRef, ClassDef, MessageSpec } from './types.ts';

/** Attributes that appear in the JSON form and in XML (prohibited and ignored ones do not). */
export function sentAttributes(c: ClassDef): Attribute[] {
  return c.attributes.filter((a) => a.use !== 'prohibited' && a.use !== 'ignored');
}

export function isRequired(a: Attribute): boolean {
  return a.use === 'required' || a.use === 'obligatory';
}

export function isNumeric(a: Attribute): boolean {
  return a.type === 'integer' || a.type === 'nonNegativeInteger' || a.type === 'number';
}

/**
 * The TypeScript (and validator) name of a class: `avtale` → `Avtale`, as json-schema-to-typescript
 * names it. Defined beside the mapping runtime that loads validators by it, so the two agree.
 */
export { classTypeName as typeName } from '../../runtime/spec/target.ts';

export function isArrayChild(ch: ChildRef): boolean {
  return ch.max === null || ch.max > 1;
}

/** The codes an attribute accepts in this message: `accept`, else `codes`, else the whole list. */
export function acceptedCodes(spec: MessageSpec, a: Attribute): string[] {
  if (a.accept) return a.accept;
  if (a.codes) return a.codes;
  return spec.codelists.get(a.codelist!)?.codes.map((c) => c.code) ?? [];
}

/** Pascal-case identifier from a Norwegian name: "Status amming mor" → "StatusAmmingMor". */
export function pascalName(text: string): string {
  const ascii = text
    .replace(/[æÆ]/g, (m) => (m === 'æ' ? 'ae' : 'Ae'))
    .replace(/[øØ]/g, (m) => (m === 'ø' ? 'o' : 'O'))
    .replace(/[åÅ]/g, (m) => (m === 'å' ? 'a' : 'A'))
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '');
  const words = ascii.split(/[^A-Za-z0-9]+/).filter(Boolean);
  const name = words.map((w) => w[0].toUpperCase() + w.slice(1)).join('');
  return /^[A-Za-z]/.test(name) ? name : `K${name}`;
}

/** The TypeScript name of a code list's union type, unique against class names. */
export function codeListTypeName(spec: MessageSpec, number: string): string {
  const list = spec.codelists.get(number);
  const base = list ? pascalName(list.name) : `Kodeverk${number}`;
  return spec.classes.some((c) => c.name === base) ? `${base}Kode` : base;
}

export const PATTERNS = {
  date: '^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$',
  dateTime: '^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]$',
  // As NPR.xsd's nprx:guid: plain or in braces.
  // RFC 3339 date-time with a required offset (JSON message types); `t`/`z` as RFC 3339 allows.
  dateTimeOffset: '^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])[Tt]([01][0-9]|2[0-3]):[0-5][0-9]:([0-5][0-9]|60)(\\.[0-9]+)?([Zz]|[+-]([01][0-9]|2[0-3]):[0-5][0-9])$',
  guid: '^([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}|\\{[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\\})$',
} as const;
