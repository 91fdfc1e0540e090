// Attributes appearing or disappearing on a class both versions define. XSD attributes are
// closed: an attribute the schema no longer declares makes a message that sends it invalid.
import type { Attribute } from '../../model/types.ts';
import { named, site } from '../context.ts';
import { kind, type DiffRule } from './rule.ts';

const attributeAdded = kind('attribute-added', 'info', 'attribute-removed', 'A new optional attribute: messages valid before stay valid; senders may start sending it.');
const attributeRemoved = kind('attribute-removed', 'breaking', 'attribute-added', 'An optional attribute is no longer declared: messages that send it fail validation.');
const requiredAdded = kind(
  'required-attribute-added',
  'breaking',
  'required-attribute-removed',
  'A new required (or obligatory) attribute: senders must supply new data, and messages without it fail validation.',
);
const requiredRemoved = kind(
  'required-attribute-removed',
  'breaking',
  'required-attribute-added',
  'An attribute every message sent is no longer declared: every message fails validation until the sender stops sending it.',
);
const unusedAdded = kind('unused-attribute-added', 'info', 'unused-attribute-removed', 'A new attribute that this message prohibits or ignores: nothing for senders to do.');
const unusedRemoved = kind(
  'unused-attribute-removed',
  'info',
  'unused-attribute-added',
  'An attribute that this message prohibited or ignored is gone: nothing for senders to do.',
);

type Level = 'required' | 'optional' | 'unused';
export function useLevel(a: Attribute): Level {
  if (a.use === 'required' || a.use === 'obligatory') return 'required';
  return a.use === 'optional' ? 'optional' : 'unused';
}

export const attributes: DiffRule = {
  kinds: [attributeAdded, attributeRemoved, requiredAdded, requiredRemoved, unusedAdded, unusedRemoved],
  detect(ctx) {
    for (const p of ctx.attributes) {
      if (p.b && !p.a) {
        const level = useLevel(p.b);
        const k = level === 'required' ? requiredAdded : level === 'optional' ? attributeAdded : unusedAdded;
        const how = level === 'required' ? `required (${p.b.use})` : p.b.use;
        ctx.emit(k, {
          path: p.path,
          label: p.b.label,
          after: site(p.b.at),
          to: { type: p.b.type, use: p.b.use },
          description: `New ${how} attribute ${named(p.name, p.b.label)} on ${p.cls}, of type ${p.b.type}${p.b.codelist ? ` (code list ${p.b.codelist})` : ''}.`,
        });
      } else if (p.a && !p.b) {
        const level = useLevel(p.a);
        const k = level === 'required' ? requiredRemoved : level === 'optional' ? attributeRemoved : unusedRemoved;
        ctx.emit(k, {
          path: p.path,
          label: p.a.label,
          before: site(p.a.at),
          from: { type: p.a.type, use: p.a.use },
          description: `Attribute ${named(p.name, p.a.label)} on ${p.cls} (was ${p.a.use}) no longer exists${level === 'unused' ? '' : '; stop sending it'}.`,
        });
      }
    }
  },
};
