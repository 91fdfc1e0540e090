// Codes within a code list both versions use: added, removed, text changed, validity changed.
// Validity is compared bound by bound: a later validFrom or an earlier validTo narrows the
// dates on which a code may be used. Only codes some attribute of the message accepts (in either
// version) are compared: a shared list holds codes this message never lets a sender use.
import { acceptedCodes } from '../../model/json-form.ts';
import type { Code, MessageSpec } from '../../model/types.ts';
import { pair, site, type DiffContext } from '../context.ts';
import { kind, type DiffRule } from './rule.ts';

const codeAdded = kind('code-added', 'info', 'code-removed', 'A new code in a list the message uses: messages valid before stay valid; senders may map more.');
const codeRemoved = kind('code-removed', 'breaking', 'code-added', 'A code is gone from a list the message uses: messages that send it are rejected.');
const textChanged = kind(
  'code-text-changed',
  'warning',
  'code-text-changed',
  "The text of a code changed: XML is unaffected, but the meaning may have shifted, so check the mapping from the EPJ's own values.",
);
const validityNarrowed = kind(
  'code-validity-narrowed',
  'breaking',
  'code-validity-widened',
  'A code may be used on fewer dates (later validFrom or earlier validTo): messages using it outside the new period are rejected.',
);
const validityWidened = kind('code-validity-widened', 'info', 'code-validity-narrowed', 'A code may be used on more dates: messages valid before stay valid.');

const NEVER = '';
const FOREVER = '9999-12-31';

/** The codes of list `number` that some attribute of either version accepts. */
function relevantCodes(ctx: DiffContext, number: string): Set<string> {
  const out = new Set<string>();
  const add = (spec: MessageSpec) => {
    for (const c of spec.classes) for (const a of c.attributes) if (a.codelist === number) for (const code of acceptedCodes(spec, a)) out.add(code);
  };
  add(ctx.a);
  add(ctx.b);
  return out;
}

export const codes: DiffRule = {
  kinds: [codeAdded, codeRemoved, textChanged, validityNarrowed, validityWidened],
  detect(ctx) {
    for (const list of ctx.codelists) {
      if (!list.a || !list.b) continue;
      const relevant = relevantCodes(ctx, list.name);
      for (const p of pair<Code>(list.a.codes, list.b.codes, (c) => c.code)) {
        if (!relevant.has(p.name)) continue;
        const path = `codelists/${list.name}/${p.name}`;
        const where = `list ${list.name} (${list.b.name})`;
        if (p.b && !p.a) {
          ctx.emit(codeAdded, { path, label: p.b.text, after: site(p.b.at), to: p.b.text, description: `New code ${p.name} "${p.b.text}" in ${where}.` });
          continue;
        }
        if (p.a && !p.b) {
          ctx.emit(codeRemoved, { path, label: p.a.text, before: site(p.a.at), from: p.a.text, description: `Code ${p.name} "${p.a.text}" is removed from ${where}.` });
          continue;
        }
        const a = p.a!,
          b = p.b!;
        const common = { path, label: b.text, before: site(a.at), after: site(b.at) };
        if (a.text !== b.text) ctx.emit(textChanged, { ...common, from: a.text, to: b.text, description: `Code ${p.name} in ${where} now reads "${b.text}" (was "${a.text}").` });
        const fa = a.validFrom ?? NEVER,
          fb = b.validFrom ?? NEVER;
        const ta = a.validTo ?? FOREVER,
          tb = b.validTo ?? FOREVER;
        const period = (c: Code) =>
          c.validFrom && c.validTo ? `from ${c.validFrom} to ${c.validTo}` : c.validFrom ? `from ${c.validFrom}` : c.validTo ? `until ${c.validTo}` : 'at any date';
        const validity = { ...common, from: { validFrom: a.validFrom, validTo: a.validTo }, to: { validFrom: b.validFrom, validTo: b.validTo } };
        if (fb > fa || tb < ta) ctx.emit(validityNarrowed, { ...validity, description: `Code ${p.name} in ${where} is now valid ${period(b)} (was ${period(a)}).` });
        if (fb < fa || tb > ta) ctx.emit(validityWidened, { ...validity, description: `Code ${p.name} in ${where} is now valid ${period(b)} (was ${period(a)}).` });
      }
    }
  },
};
