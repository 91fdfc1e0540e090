// The receiver's presence, data type and code controls on an attribute (range controls compare
// two attributes and live in range.ts; consequences are compared in consequences.ts).
import { consequenceText, CONTROL_TEXT, controlDetail } from '../consequence.ts';
import { named, site } from '../context.ts';
import { kind, type DiffRule } from './rule.ts';

const controlAdded = kind(
  'control-added',
  'warning',
  'control-removed',
  'The receiver checks something it did not check before: values that pass today may be discarded or nulled, depending on the consequence.',
);
const controlRemoved = kind('control-removed', 'info', 'control-added', 'The receiver no longer makes a check: messages accepted before stay accepted.');
const controlChanged = kind(
  'control-changed',
  'warning',
  'control-changed',
  'A check now works differently (another data type check or regular expression, or codes checked on another date): values that pass today may fail.',
);

export const controls: DiffRule = {
  kinds: [controlAdded, controlRemoved, controlChanged],
  detect(ctx) {
    for (const p of ctx.attributes) {
      if (!p.a || !p.b) continue;
      const who = named(p.name, p.b.label);
      for (const k of ['required', 'datatype', 'code'] as const) {
        const ca = p.a.controls.find((c) => c.kind === k),
          cb = p.b.controls.find((c) => c.kind === k);
        const path = `${p.path}/controls/${k}`;
        const label = CONTROL_TEXT[k];
        if (cb && !ca) {
          ctx.emit(controlAdded, {
            path,
            label,
            after: site(cb.at ?? p.b.at),
            to: { check: controlDetail(cb), consequence: cb.consequence },
            description: `New ${k} control on ${who} in ${p.cls} (${controlDetail(cb)}), consequence ${consequenceText(cb.consequence)}.`,
          });
        } else if (ca && !cb) {
          ctx.emit(controlRemoved, {
            path,
            label,
            before: site(ca.at ?? p.a.at),
            from: { check: controlDetail(ca), consequence: ca.consequence },
            description: `The ${k} control on ${who} in ${p.cls} is gone.`,
          });
        } else if (ca && cb && controlDetail(ca) !== controlDetail(cb)) {
          ctx.emit(controlChanged, {
            path,
            label,
            before: site(ca.at ?? p.a.at),
            after: site(cb.at ?? p.b.at),
            from: controlDetail(ca),
            to: controlDetail(cb),
            description: `The ${k} control on ${who} in ${p.cls} now checks ${controlDetail(cb)} (was ${controlDetail(ca)}).`,
          });
        }
      }
    }
  },
};
