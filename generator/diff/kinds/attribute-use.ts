// How an attribute is used: required (or obligatory) > optional > not sent (prohibited or
// ignored). A move of two steps is reported as both steps, so every change has one inverse.
import { named, site } from '../context.ts';
import { useLevel } from './attributes.ts';
import { kind, type DiffRule } from './rule.ts';

const becameRequired = kind(
  'attribute-became-required',
  'breaking',
  'attribute-became-optional',
  'An attribute senders could leave out must now be sent: they must supply new data, and messages without it fail validation.',
);
const becameOptional = kind('attribute-became-optional', 'info', 'attribute-became-required', 'A required attribute may now be left out: messages valid before stay valid.');
const becameProhibited = kind(
  'attribute-became-prohibited',
  'breaking',
  'attribute-became-allowed',
  'An attribute senders could send is now prohibited or ignored (the XSD prohibits both): messages that send it fail validation.',
);
const becameAllowed = kind(
  'attribute-became-allowed',
  'info',
  'attribute-became-prohibited',
  'An attribute that was prohibited or ignored may now be sent: messages valid before stay valid.',
);
const useChanged = kind(
  'attribute-use-changed',
  'info',
  'attribute-use-changed',
  "required ↔ obligatory, or prohibited ↔ ignored: the same for the XML a sender writes, different in the documents' wording.",
);

const RANK = { unused: 0, optional: 1, required: 2 } as const;

export const attributeUse: DiffRule = {
  kinds: [becameRequired, becameOptional, becameProhibited, becameAllowed, useChanged],
  detect(ctx) {
    for (const p of ctx.attributes) {
      if (!p.a || !p.b || p.a.use === p.b.use) continue;
      const ra = RANK[useLevel(p.a)],
        rb = RANK[useLevel(p.b)];
      const who = named(p.name, p.b.label);
      const common = { path: p.path, label: p.b.label, before: site(p.a.at), after: site(p.b.at), from: p.a.use, to: p.b.use };
      if (ra === rb) {
        ctx.emit(useChanged, { ...common, description: `Attribute ${who} on ${p.cls} is now ${p.b.use} (was ${p.a.use}).` });
        continue;
      }
      // Walk the steps between the two levels, in the direction of the change.
      if (ra < 1 && rb >= 1) ctx.emit(becameAllowed, { ...common, description: `Attribute ${who} on ${p.cls} may now be sent (was ${p.a.use}).` });
      if (ra < 2 && rb === 2) ctx.emit(becameRequired, { ...common, description: `Attribute ${who} on ${p.cls} must now be sent (${p.a.use} → ${p.b.use}).` });
      if (ra === 2 && rb < 2) ctx.emit(becameOptional, { ...common, description: `Attribute ${who} on ${p.cls} may now be left out (${p.a.use} → ${p.b.use}).` });
      if (ra >= 1 && rb < 1) ctx.emit(becameProhibited, { ...common, description: `Attribute ${who} on ${p.cls} must no longer be sent (${p.a.use} → ${p.b.use}).` });
    }
  },
};
