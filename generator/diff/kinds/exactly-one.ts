// A class's `exactlyOne` (the information model's {XOR}): which optional children exclude each other.
import { site } from '../context.ts';
import { kind, type DiffRule } from './rule.ts';

const exactlyOneAdded = kind(
  'exactly-one-added',
  'breaking',
  'exactly-one-removed',
  'An instance must now hold exactly one of the listed children: one with none or two fails validation.',
);
const exactlyOneRemoved = kind('exactly-one-removed', 'info', 'exactly-one-added', 'The children no longer exclude each other: messages valid before stay valid.');
const exactlyOneChanged = kind(
  'exactly-one-changed',
  'warning',
  'exactly-one-changed',
  'The set of children of which exactly one is required changed: a message valid before may hold none of the new set.',
);

export const exactlyOne: DiffRule = {
  kinds: [exactlyOneAdded, exactlyOneRemoved, exactlyOneChanged],
  detect(ctx) {
    for (const c of ctx.classes) {
      if (!c.a || !c.b) continue;
      const xa = c.a.exactlyOne ?? [],
        xb = c.b.exactlyOne ?? [];
      const sa = [...xa].sort().join(', '),
        sb = [...xb].sort().join(', ');
      if (sa === sb) continue;
      const path = `${ctx.classPath(c.name)}/exactlyOne`;
      const fields = { path, label: c.b.label, before: site(c.a.at), after: site(c.b.at), from: xa, to: xb };
      if (!sa) ctx.emit(exactlyOneAdded, { ...fields, description: `${c.name} must now hold exactly one of ${sb}.` });
      else if (!sb) ctx.emit(exactlyOneRemoved, { ...fields, description: `${c.name} no longer requires exactly one of ${sa}.` });
      else ctx.emit(exactlyOneChanged, { ...fields, description: `${c.name} must now hold exactly one of ${sb} (was ${sa}).` });
    }
  },
};
