// Norwegian labels (the information model's names) of classes and attributes.
import { site } from '../context.ts';
import { kind, type DiffRule } from './rule.ts';

const classLabelChanged = kind(
  'class-label-changed',
  'info',
  'class-label-changed',
  'The Norwegian name of a class changed; the official (XML) name is the same, so messages are unaffected.',
);
const attributeLabelChanged = kind(
  'attribute-label-changed',
  'info',
  'attribute-label-changed',
  'The Norwegian name of an attribute changed; the XML name is the same, so messages are unaffected.',
);

export const labels: DiffRule = {
  kinds: [classLabelChanged, attributeLabelChanged],
  detect(ctx) {
    for (const c of ctx.classes) {
      if (c.a && c.b && c.a.label !== c.b.label) {
        ctx.emit(classLabelChanged, {
          path: ctx.classPath(c.name),
          label: c.b.label,
          before: site(c.a.at),
          after: site(c.b.at),
          from: c.a.label,
          to: c.b.label,
          description: `Class ${c.name} is now labelled "${c.b.label}" (was "${c.a.label}").`,
        });
      }
    }
    for (const p of ctx.attributes) {
      if (p.a && p.b && p.a.label !== p.b.label) {
        ctx.emit(attributeLabelChanged, {
          path: p.path,
          label: p.b.label,
          before: site(p.a.at),
          after: site(p.b.at),
          from: p.a.label,
          to: p.b.label,
          description: `Attribute ${p.name} on ${p.cls} is now labelled "${p.b.label}" (was "${p.a.label}").`,
        });
      }
    }
  },
};
