// Value restrictions a careful sender checks: length bounds and patterns. A missing maxLength is
// unbounded, a missing minLength is 0, so adding a bound is a tightening like any other.
import { named, site } from '../context.ts';
import { kind, type DiffRule } from './rule.ts';

const maxLowered = kind(
  'max-length-lowered',
  'breaking',
  'max-length-raised',
  'Values may now be shorter at most (or a maximum length was introduced): longer values valid before are rejected.',
);
const maxRaised = kind('max-length-raised', 'info', 'max-length-lowered', 'Values may now be longer (or the maximum length was dropped): values valid before stay valid.');
const minRaised = kind(
  'min-length-raised',
  'breaking',
  'min-length-lowered',
  'Values must now be longer (or a minimum length was introduced): shorter values valid before are rejected.',
);
const minLowered = kind('min-length-lowered', 'info', 'min-length-raised', 'Values may now be shorter: values valid before stay valid.');
const patternAdded = kind('pattern-added', 'breaking', 'pattern-removed', 'Values must now match a pattern: values valid before may be rejected.');
const patternRemoved = kind('pattern-removed', 'info', 'pattern-added', 'Values no longer need to match a pattern: values valid before stay valid.');
const patternChanged = kind('pattern-changed', 'warning', 'pattern-changed', 'Values must match a different pattern: some values valid before may be rejected.');

export const restrictions: DiffRule = {
  kinds: [maxLowered, maxRaised, minRaised, minLowered, patternAdded, patternRemoved, patternChanged],
  detect(ctx) {
    for (const p of ctx.attributes) {
      if (!p.a || !p.b) continue;
      const who = named(p.name, p.b.label);
      const common = { path: p.path, label: p.b.label, before: site(p.a.at), after: site(p.b.at) };
      const xa = p.a.maxLength ?? Infinity,
        xb = p.b.maxLength ?? Infinity;
      const lim = (n: number) => (n === Infinity ? 'no limit' : `${n} characters`);
      if (xb < xa)
        ctx.emit(maxLowered, {
          ...common,
          from: p.a.maxLength,
          to: p.b.maxLength,
          description: `Attribute ${who} on ${p.cls} may now be at most ${lim(xb)} long (was ${lim(xa)}).`,
        });
      if (xb > xa)
        ctx.emit(maxRaised, {
          ...common,
          from: p.a.maxLength,
          to: p.b.maxLength,
          description: `Attribute ${who} on ${p.cls} may now be ${xb === Infinity ? 'of any length' : `up to ${lim(xb)} long`} (was ${lim(xa)}).`,
        });
      const na = p.a.minLength ?? 0,
        nb = p.b.minLength ?? 0;
      if (nb > na)
        ctx.emit(minRaised, {
          ...common,
          from: p.a.minLength,
          to: p.b.minLength,
          description: `Attribute ${who} on ${p.cls} must now be at least ${nb} characters long (was ${na}).`,
        });
      if (nb < na)
        ctx.emit(minLowered, {
          ...common,
          from: p.a.minLength,
          to: p.b.minLength,
          description: `Attribute ${who} on ${p.cls} may now be as short as ${nb} characters (was ${na}).`,
        });
      const pa = p.a.pattern,
        pb = p.b.pattern;
      if (pa === pb) continue;
      if (pa === undefined) ctx.emit(patternAdded, { ...common, to: pb, description: `Attribute ${who} on ${p.cls} must now match ${pb}.` });
      else if (pb === undefined) ctx.emit(patternRemoved, { ...common, from: pa, description: `Attribute ${who} on ${p.cls} no longer needs to match ${pa}.` });
      else ctx.emit(patternChanged, { ...common, from: pa, to: pb, description: `Attribute ${who} on ${p.cls} must now match ${pb} (was ${pa}).` });
    }
  },
};
