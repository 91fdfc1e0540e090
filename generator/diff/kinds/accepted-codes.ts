// The codes one attribute accepts in this message (`accept`, else `codes`, else the whole list).
// Codes that left or joined the code list itself are reported once, as code-removed or
// code-added; this reports only the message narrowing or widening its own selection.
import { acceptedCodes } from '../../model/json-form.ts';
import { named, site } from '../context.ts';
import { kind, type DiffRule } from './rule.ts';

const restricted = kind(
  'accepted-codes-restricted',
  'breaking',
  'accepted-codes-widened',
  'An attribute accepts fewer codes of its list: messages using the dropped codes are rejected.',
);
const widened = kind(
  'accepted-codes-widened',
  'info',
  'accepted-codes-restricted',
  'An attribute accepts more codes of its list: messages valid before stay valid; senders may map more.',
);

/** A few codes by name, the rest counted: a long list helps nobody in one sentence. */
export function someCodes(codes: readonly string[]): string {
  return codes.length <= 8 ? codes.join(', ') : `${codes.slice(0, 8).join(', ')} and ${codes.length - 8} more`;
}

export const acceptedCodesRule: DiffRule = {
  kinds: [restricted, widened],
  detect(ctx) {
    for (const p of ctx.attributes) {
      if (!p.a || !p.b || p.a.type !== 'coded' || p.b.type !== 'coded' || !p.a.codelist || p.a.codelist !== p.b.codelist) continue;
      const accA = acceptedCodes(ctx.a, p.a),
        accB = acceptedCodes(ctx.b, p.b);
      const setA = new Set(accA),
        setB = new Set(accB);
      const listA = new Set(ctx.a.codelists.get(p.a.codelist)?.codes.map((c) => c.code));
      const listB = new Set(ctx.b.codelists.get(p.b.codelist)?.codes.map((c) => c.code));
      const dropped = accA.filter((c) => !setB.has(c) && listB.has(c));
      const gained = accB.filter((c) => !setA.has(c) && listA.has(c));
      const who = named(p.name, p.b.label);
      const common = { path: p.path, label: p.b.label, before: site(p.a.at), after: site(p.b.at), from: accA, to: accB };
      if (dropped.length) ctx.emit(restricted, { ...common, description: `Attribute ${who} on ${p.cls} no longer accepts code(s) ${someCodes(dropped)} of list ${p.b.codelist}.` });
      if (gained.length) ctx.emit(widened, { ...common, description: `Attribute ${who} on ${p.cls} now also accepts code(s) ${someCodes(gained)} of list ${p.b.codelist}.` });
    }
  },
};
