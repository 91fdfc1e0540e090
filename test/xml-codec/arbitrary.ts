// fast-check arbitraries of valid JSON-form Meldinger, derived from a message spec: codes from
// the code lists, real dates, GUIDs (plain and braced), integers, and strings full of characters
// that XML must escape or that are easy to get wrong (& < > " ' newline tab CR é ø 𝄞).

import fc from 'fast-check';
import { acceptedCodes, isArrayChild, isNumeric, isRequired, sentAttributes } from '../../generator/model/json-form.ts';
import { findClass, type Attribute, type ClassDef, type MessageSpec } from '../../generator/model/types.ts';

const AWKWARD = ['&', '<', '>', '"', "'", '\n', '\t', '\r', ' ', 'é', 'ø', 'Å', '𝄞', ']', '=', ';', '#'];

/** One code point per unit, so minLength/maxLength count as JSON Schema and XSD count. */
const unit = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...AWKWARD) },
  { weight: 5, arbitrary: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)) },
  { weight: 1, arbitrary: fc.integer({ min: 0xa0, max: 0xd7ff }).map((c) => String.fromCharCode(c)) },
);

const day = fc.date({ min: new Date('1900-01-01T00:00:00Z'), max: new Date('2099-12-31T23:59:59Z'), noInvalidDate: true });

function attributeArb(spec: MessageSpec, a: Attribute): fc.Arbitrary<unknown> {
  if (a.fixed !== undefined) return fc.constant(isNumeric(a) ? Number(a.fixed) : a.fixed);
  switch (a.type) {
    case 'coded':
      return fc.constantFrom(...acceptedCodes(spec, a));
    case 'date':
      return day.map((d) => d.toISOString().slice(0, 10));
    case 'dateTime':
      return day.map((d) => d.toISOString().slice(0, 19));
    case 'guid':
      return fc.tuple(fc.uuid(), fc.boolean(), fc.boolean()).map(([u, upper, braced]) => {
        const g = upper ? u.toUpperCase() : u;
        return braced ? `{${g}}` : g;
      });
    case 'integer':
      return fc.maxSafeInteger();
    case 'nonNegativeInteger': {
      // "Min 1 max N siffer": the pattern bounds the number of digits.
      const digits = a.pattern ? /^\^\[0-9\]\{1,(\d+)\}\$$/.exec(a.pattern) : null;
      return digits ? fc.nat(10 ** Number(digits[1]) - 1) : fc.maxSafeNat();
    }
    default:
      if (a.pattern) return fc.stringMatching(new RegExp(a.pattern));
      return fc.string({ unit, minLength: a.minLength ?? 0, maxLength: Math.min(a.maxLength ?? 24, 24) });
  }
}

/** Key of a child for the class's xs:unique constraints on it (undefined: no constraint). */
function uniqueKey(parent: ClassDef, child: string): ((o: any) => string) | undefined {
  const u = parent.unique.find((x) => x.selector === child);
  if (!u) return undefined;
  return (o) => JSON.stringify(u.fields.map((f) => o[f.replace(/^@/, '')]));
}

/**
 * Arbitrary objects of class `name`. Arrays are absent or non-empty: XML cannot tell an empty
 * array from an absent one, and fromXml gives absent.
 */
export function classArb(spec: MessageSpec, name: string, maxItems = 3): fc.Arbitrary<Record<string, unknown>> {
  const c = findClass(spec, name)!;
  const model: Record<string, fc.Arbitrary<unknown>> = {};
  const required: string[] = [];
  for (const a of sentAttributes(c)) {
    model[a.name] = attributeArb(spec, a);
    if (isRequired(a)) required.push(a.name);
  }
  const xor = new Set(c.exactlyOne ?? []);
  for (const ch of c.children) {
    if (xor.has(ch.class)) continue; // exactly one of them is added below
    const item = classArb(spec, ch.class, maxItems);
    if (isArrayChild(ch)) {
      const constraints = { minLength: Math.max(1, ch.min), maxLength: Math.max(1, ch.min, Math.min(ch.max ?? maxItems, maxItems)) };
      const key = uniqueKey(c, ch.class);
      model[ch.class] = key ? fc.uniqueArray(item, { ...constraints, selector: key }) : fc.array(item, constraints);
    } else {
      model[ch.class] = item;
    }
    if (ch.min > 0) required.push(ch.class);
  }
  const rec = fc.record(model, { requiredKeys: required }) as fc.Arbitrary<Record<string, unknown>>;
  if (!xor.size) return rec;
  // exactlyOne ({XOR}): one of the listed children, never none or two.
  const one = fc.oneof(...[...xor].map((x) => classArb(spec, x, maxItems).map((v) => ({ [x]: v }))));
  return fc.tuple(rec, one).map(([r, o]) => ({ ...r, ...o }));
}

export function meldingArb(spec: MessageSpec, maxItems = 3): fc.Arbitrary<Record<string, unknown>> {
  return classArb(spec, spec.root, maxItems);
}
