// Class definitions appearing or disappearing. Whether a sender must send the class is a matter
// for its parent's children (children.ts); this only names the definition.
import { named, site } from '../context.ts';
import { kind, type DiffRule } from './rule.ts';

const classAdded = kind(
  'class-added',
  'info',
  'class-removed',
  'A new class is defined. Whether senders must send it is reported separately (child-added or required-child-added).',
);
const classRemoved = kind(
  'class-removed',
  'info',
  'class-added',
  'A class definition is gone. Messages that still contain it are reported as child-removed or required-child-removed.',
);

export const classes: DiffRule = {
  kinds: [classAdded, classRemoved],
  detect(ctx) {
    for (const c of ctx.classes) {
      if (c.b && !c.a) {
        ctx.emit(classAdded, {
          path: ctx.classPath(c.name),
          label: c.b.label,
          after: site(c.b.at),
          description: `New class ${named(c.name, c.b.label)} with ${c.b.attributes.length} attribute(s).`,
        });
      } else if (c.a && !c.b) {
        ctx.emit(classRemoved, { path: ctx.classPath(c.name), label: c.a.label, before: site(c.a.at), description: `Class ${named(c.name, c.a.label)} no longer exists.` });
      }
    }
  },
};
