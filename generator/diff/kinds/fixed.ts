// Fixed values (xs:attribute fixed), such as Melding/@versjon.
import { named, site } from '../context.ts';
import { kind, type DiffRule } from './rule.ts';

const fixedChanged = kind(
  'fixed-value-changed',
  'breaking',
  'fixed-value-changed',
  'An attribute must carry a different fixed value (e.g. Melding/@versjon): every message with the old value fails validation.',
);
const fixedAdded = kind('fixed-value-added', 'breaking', 'fixed-value-removed', 'An attribute is now fixed to one value: messages with any other value fail validation.');
const fixedRemoved = kind('fixed-value-removed', 'info', 'fixed-value-added', 'An attribute is no longer fixed to one value: messages valid before stay valid.');

export const fixed: DiffRule = {
  kinds: [fixedChanged, fixedAdded, fixedRemoved],
  detect(ctx) {
    for (const p of ctx.attributes) {
      if (!p.a || !p.b || p.a.fixed === p.b.fixed) continue;
      const who = named(p.name, p.b.label);
      const common = { path: p.path, label: p.b.label, before: site(p.a.at), after: site(p.b.at), from: p.a.fixed, to: p.b.fixed };
      if (p.a.fixed === undefined) ctx.emit(fixedAdded, { ...common, description: `Attribute ${who} on ${p.cls} must now be "${p.b.fixed}".` });
      else if (p.b.fixed === undefined) ctx.emit(fixedRemoved, { ...common, description: `Attribute ${who} on ${p.cls} is no longer fixed (was "${p.a.fixed}").` });
      else ctx.emit(fixedChanged, { ...common, description: `Attribute ${who} on ${p.cls} must now be "${p.b.fixed}" (was "${p.a.fixed}").` });
    }
  },
};
