// Child elements of a class: added, removed, cardinality changed. Cardinality is compared bound
// by bound, so 1 → 0..* is both child-min-lowered and child-max-raised and each has an inverse.
import { formatCardinality } from '../../load/build.ts';
import type { ChildRef } from '../../model/types.ts';
import { named, pair, site } from '../context.ts';
import { kind, type DiffRule } from './rule.ts';

const childAdded = kind('child-added', 'info', 'child-removed', 'A class may now contain a new optional child. Messages valid before stay valid; senders may start sending it.');
const childRemoved = kind('child-removed', 'breaking', 'child-added', 'A child element is no longer allowed: messages that contain it fail validation.');
const requiredChildAdded = kind(
  'required-child-added',
  'breaking',
  'required-child-removed',
  'A class must now contain a new child: senders must supply data they did not send before.',
);
const requiredChildRemoved = kind(
  'required-child-removed',
  'breaking',
  'required-child-added',
  'A child element that every message contained is no longer allowed: every such message fails validation.',
);
const minRaised = kind('child-min-raised', 'breaking', 'child-min-lowered', 'A child must occur more often (e.g. 0..* → 1..*): messages with fewer fail validation.');
const minLowered = kind('child-min-lowered', 'info', 'child-min-raised', 'A child may occur less often (e.g. 1 → 0..1): messages valid before stay valid.');
const maxLowered = kind(
  'child-max-lowered',
  'breaking',
  'child-max-raised',
  'A child may occur less often at most (e.g. 0..* → 0..1): messages with more fail validation, and the JSON form may change from a list to a single object.',
);
const maxRaised = kind(
  'child-max-raised',
  'info',
  'child-max-lowered',
  'A child may occur more often (e.g. 1 → 1..*): messages valid before stay valid in XML, though the JSON form may change from a single object to a list.',
);

const card = (c: ChildRef) => formatCardinality(c.min, c.max);

export const children: DiffRule = {
  kinds: [childAdded, childRemoved, requiredChildAdded, requiredChildRemoved, minRaised, minLowered, maxLowered, maxRaised],
  detect(ctx) {
    const labelOf = (name: string) => ctx.classes.find((c) => c.name === name)?.b?.label ?? ctx.classes.find((c) => c.name === name)?.a?.label;
    for (const parent of ctx.classes) {
      if (!parent.a || !parent.b) continue;
      const parentPath = ctx.classPath(parent.name);
      for (const p of pair(parent.a.children, parent.b.children, (c) => c.class)) {
        const path = `${parentPath}/${p.name}`;
        const label = labelOf(p.name);
        const who = named(p.name, label);
        if (p.b && !p.a) {
          const k = p.b.min > 0 ? requiredChildAdded : childAdded;
          ctx.emit(k, {
            path,
            label,
            after: site(p.b.at),
            to: card(p.b),
            description: `${parent.name} ${p.b.min > 0 ? 'must now contain' : 'may now contain'} ${who} (${card(p.b)}).`,
          });
          continue;
        }
        if (p.a && !p.b) {
          const k = p.a.min > 0 ? requiredChildRemoved : childRemoved;
          ctx.emit(k, { path, label, before: site(p.a.at), from: card(p.a), description: `${parent.name} may no longer contain ${who} (was ${card(p.a)}).` });
          continue;
        }
        const a = p.a!,
          b = p.b!;
        const both = { path, label, before: site(a.at), after: site(b.at), from: card(a), to: card(b) };
        if (b.min > a.min) ctx.emit(minRaised, { ...both, description: `${who} in ${parent.name} must now occur at least ${b.min} time(s) (${card(a)} → ${card(b)}).` });
        if (b.min < a.min)
          ctx.emit(minLowered, {
            ...both,
            description: `${who} in ${parent.name} may now occur ${b.min === 0 ? 'not at all' : `as few as ${b.min} time(s)`} (${card(a)} → ${card(b)}).`,
          });
        const ma = a.max ?? Infinity,
          mb = b.max ?? Infinity;
        if (mb < ma) ctx.emit(maxLowered, { ...both, description: `${who} in ${parent.name} may now occur at most ${mb} time(s) (${card(a)} → ${card(b)}).` });
        if (mb > ma)
          ctx.emit(maxRaised, {
            ...both,
            description: `${who} in ${parent.name} may now occur ${mb === Infinity ? 'any number of times' : `up to ${mb} times`} (${card(a)} → ${card(b)}).`,
          });
      }
    }
  },
};
