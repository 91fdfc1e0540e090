// The order of child elements: XML requires the XSD sequence order, so a reordering breaks
// senders that write children in a fixed order, though not those that follow the schema.
import { site } from '../context.ts';
import { kind, type DiffRule } from './rule.ts';

const childOrderChanged = kind(
  'child-order-changed',
  'warning',
  'child-order-changed',
  "The sequence order of a class's children changed. XML must follow the new order; senders that write children in a hard-coded order produce invalid messages.",
);

export const childOrder: DiffRule = {
  kinds: [childOrderChanged],
  detect(ctx) {
    for (const parent of ctx.classes) {
      if (!parent.a || !parent.b) continue;
      const inB = new Set(parent.b.children.map((c) => c.class));
      const inA = new Set(parent.a.children.map((c) => c.class));
      const orderA = parent.a.children.map((c) => c.class).filter((n) => inB.has(n));
      const orderB = parent.b.children.map((c) => c.class).filter((n) => inA.has(n));
      if (orderA.join('/') === orderB.join('/')) continue;
      ctx.emit(childOrderChanged, {
        path: ctx.classPath(parent.name),
        label: parent.b.label,
        before: site(parent.a.at),
        after: site(parent.b.at),
        from: orderA,
        to: orderB,
        description: `The children of ${parent.name} must now come in the order ${orderB.join(', ')} (was ${orderA.join(', ')}).`,
      });
    }
  },
};
