// Code lists the message uses, as a whole.
import { named, site } from '../context.ts';
import { kind, type DiffRule } from './rule.ts';

const listAdded = kind(
  'codelist-added',
  'info',
  'codelist-removed',
  "The message uses a code list it did not use before (a new coded attribute or a changed list): the attribute's own change says what senders must do.",
);
const listRemoved = kind('codelist-removed', 'info', 'codelist-added', "The message no longer uses a code list: the attribute's own change says what senders must do.");
const listRenamed = kind('codelist-metadata-changed', 'info', 'codelist-metadata-changed', 'The name or OID of a code list changed; its codes are compared one by one.');

export const codelists: DiffRule = {
  kinds: [listAdded, listRemoved, listRenamed],
  detect(ctx) {
    for (const p of ctx.codelists) {
      const path = `codelists/${p.name}`;
      if (p.b && !p.a) {
        ctx.emit(listAdded, {
          path,
          label: p.b.name,
          after: site(p.b.at),
          to: p.b.codes.map((c) => c.code),
          description: `The message now uses code list ${named(p.name, p.b.name)} with ${p.b.codes.length} code(s).`,
        });
      } else if (p.a && !p.b) {
        ctx.emit(listRemoved, {
          path,
          label: p.a.name,
          before: site(p.a.at),
          from: p.a.codes.map((c) => c.code),
          description: `The message no longer uses code list ${named(p.name, p.a.name)}.`,
        });
      } else if (p.a && p.b) {
        for (const key of ['name', 'oid'] as const) {
          if (p.a[key] === p.b[key]) continue;
          ctx.emit(listRenamed, {
            path: `${path}/${key}`,
            label: p.b.name,
            before: site(p.a.at),
            after: site(p.b.at),
            from: p.a[key],
            to: p.b[key],
            description: `The ${key === 'name' ? 'name' : 'OID'} of code list ${p.name} is now "${p.b[key]}" (was "${p.a[key]}").`,
          });
        }
      }
    }
  },
};
