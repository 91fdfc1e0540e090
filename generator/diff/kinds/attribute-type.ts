// An attribute's value type and its code list.
import { named, site } from '../context.ts';
import { kind, type DiffRule } from './rule.ts';

const typeChanged = kind(
  'attribute-type-changed',
  'breaking',
  'attribute-type-changed',
  'The value type of an attribute changed (e.g. string → coded, date → dateTime): senders must produce different values.',
);
const codelistChanged = kind(
  'attribute-codelist-changed',
  'breaking',
  'attribute-codelist-changed',
  'A coded attribute now takes its codes from another code list: the codes senders map to must change.',
);

export const attributeType: DiffRule = {
  kinds: [typeChanged, codelistChanged],
  detect(ctx) {
    for (const p of ctx.attributes) {
      if (!p.a || !p.b) continue;
      const who = named(p.name, p.b.label);
      const common = { path: p.path, label: p.b.label, before: site(p.a.at), after: site(p.b.at) };
      if (p.a.type !== p.b.type) {
        ctx.emit(typeChanged, { ...common, from: p.a.type, to: p.b.type, description: `Attribute ${who} on ${p.cls} is now of type ${p.b.type} (was ${p.a.type}).` });
      }
      if (p.a.codelist && p.b.codelist && p.a.codelist !== p.b.codelist) {
        ctx.emit(codelistChanged, {
          ...common,
          from: p.a.codelist,
          to: p.b.codelist,
          description: `Attribute ${who} on ${p.cls} now uses code list ${p.b.codelist} (was ${p.a.codelist}).`,
        });
      }
    }
  },
};
