// Identity constraints (xs:unique, xs:keyref) and the information model's primary keys.
import type { KeyRef, Unique } from '../../model/types.ts';
import { pair, site } from '../context.ts';
import { kind, type DiffRule } from './rule.ts';

const uniqueAdded = kind('unique-added', 'breaking', 'unique-removed', 'A new uniqueness constraint: messages that repeat the value fail validation.');
const uniqueRemoved = kind('unique-removed', 'info', 'unique-added', 'A uniqueness constraint is gone: messages valid before stay valid.');
const keyrefAdded = kind('keyref-added', 'breaking', 'keyref-removed', 'A new reference constraint: messages whose values do not refer to an existing key fail validation.');
const keyrefRemoved = kind('keyref-removed', 'info', 'keyref-added', 'A reference constraint is gone: messages valid before stay valid.');
const keyChanged = kind('key-changed', 'warning', 'key-changed', 'A uniqueness or reference constraint now selects other elements or fields: messages may become invalid.');
const primaryKeyChanged = kind(
  'primary-key-changed',
  'info',
  'primary-key-changed',
  "The information model's primary key of a class changed: documentation of identity, not checked in XML.",
);

const shape = (k: Unique | KeyRef) => `${'refer' in k ? `${k.refer}: ` : ''}${k.selector}/@${k.fields.join('+@')}`;

export const keys: DiffRule = {
  kinds: [uniqueAdded, uniqueRemoved, keyrefAdded, keyrefRemoved, keyChanged, primaryKeyChanged],
  detect(ctx) {
    for (const c of ctx.classes) {
      if (!c.a || !c.b) continue;
      const base = ctx.classPath(c.name);
      const sets = [
        { what: 'unique', added: uniqueAdded, removed: uniqueRemoved, a: c.a.unique as (Unique | KeyRef)[], b: c.b.unique as (Unique | KeyRef)[] },
        { what: 'keyref', added: keyrefAdded, removed: keyrefRemoved, a: c.a.keyrefs, b: c.b.keyrefs },
      ];
      for (const s of sets) {
        for (const p of pair(s.a, s.b, (k) => k.name)) {
          const path = `${base}/${s.what}:${p.name}`;
          if (p.b && !p.a) {
            ctx.emit(s.added, { path, after: site(p.b.at), to: shape(p.b), description: `New ${s.what} constraint ${p.name} in ${c.name} on ${shape(p.b)}.` });
          } else if (p.a && !p.b) {
            ctx.emit(s.removed, { path, before: site(p.a.at), from: shape(p.a), description: `The ${s.what} constraint ${p.name} in ${c.name} is gone.` });
          } else if (p.a && p.b && shape(p.a) !== shape(p.b)) {
            ctx.emit(keyChanged, {
              path,
              before: site(p.a.at),
              after: site(p.b.at),
              from: shape(p.a),
              to: shape(p.b),
              description: `The ${s.what} constraint ${p.name} in ${c.name} now applies to ${shape(p.b)} (was ${shape(p.a)}).`,
            });
          }
        }
      }
      const pa = (c.a.primaryKey ?? []).join(', '),
        pb = (c.b.primaryKey ?? []).join(', ');
      if (pa !== pb) {
        ctx.emit(primaryKeyChanged, {
          path: `${base}/primaryKey`,
          label: c.b.label,
          before: site(c.a.at),
          after: site(c.b.at),
          from: c.a.primaryKey,
          to: c.b.primaryKey,
          description: `The primary key of ${c.name} is now ${pb || '(none)'} (was ${pa || '(none)'}).`,
        });
      }
    }
  },
};
