// Rules between attributes: range controls say a value must be on or after (`from`) or on or
// before (`to`) another value in the message, e.g. datoTidStart on or before /Melding/@uttakDato.
import type { Control } from '../../model/types.ts';
import { consequenceText } from '../consequence.ts';
import { named, site } from '../context.ts';
import { kind, type DiffRule } from './rule.ts';

const ruleAdded = kind(
  'range-rule-added',
  'warning',
  'range-rule-removed',
  'A new rule between attributes (a value must be on or after / on or before another): messages that break it lose data, depending on the consequence.',
);
const ruleRemoved = kind('range-rule-removed', 'info', 'range-rule-added', 'A rule between attributes is gone: messages accepted before stay accepted.');
const ruleChanged = kind('range-rule-changed', 'warning', 'range-rule-changed', 'A rule between attributes now compares with another attribute: values that pass today may fail.');

type Range = Extract<Control, { kind: 'range' }>;
const WORDS = { from: 'on or after', to: 'on or before' } as const;

export const range: DiffRule = {
  kinds: [ruleAdded, ruleRemoved, ruleChanged],
  detect(ctx) {
    for (const p of ctx.attributes) {
      if (!p.a || !p.b) continue;
      const ra = p.a.controls.find((c): c is Range => c.kind === 'range');
      const rb = p.b.controls.find((c): c is Range => c.kind === 'range');
      const who = named(p.name, p.b.label);
      for (const bound of ['from', 'to'] as const) {
        const xa = ra?.[bound],
          xb = rb?.[bound];
        if (xa === xb) continue;
        const path = `${p.path}/controls/range/${bound}`;
        const label = bound === 'from' ? 'valueRangeFrom' : 'valueRangeTo';
        if (xa === undefined) {
          ctx.emit(ruleAdded, {
            path,
            label,
            after: site(rb!.at ?? p.b.at),
            to: xb,
            description: `${who} in ${p.cls} must now be ${WORDS[bound]} ${xb}, consequence ${consequenceText(rb!.consequence)}.`,
          });
        } else if (xb === undefined) {
          ctx.emit(ruleRemoved, { path, label, before: site(ra!.at ?? p.a.at), from: xa, description: `${who} in ${p.cls} no longer needs to be ${WORDS[bound]} ${xa}.` });
        } else {
          ctx.emit(ruleChanged, {
            path,
            label,
            before: site(ra!.at ?? p.a.at),
            after: site(rb!.at ?? p.b.at),
            from: xa,
            to: xb,
            description: `${who} in ${p.cls} must now be ${WORDS[bound]} ${xb} (was ${xa}).`,
          });
        }
      }
    }
  },
};
