// What the receiver does when a control that both versions make fails.
import { CONSEQUENCE_RANK, consequenceText, CONTROL_TEXT } from '../consequence.ts';
import { named, site } from '../context.ts';
import { kind, type DiffRule } from './rule.ts';

const harsher = kind(
  'consequence-harsher',
  'warning',
  'consequence-milder',
  'A failed control now costs more (e.g. a value set to NULL → the row discarded): the same mistake loses more data, so senders should fix it first.',
);
const milder = kind('consequence-milder', 'info', 'consequence-harsher', 'A failed control now costs less: nothing for senders to do.');
const changed = kind(
  'consequence-changed',
  'info',
  'consequence-changed',
  'A failed control now has another consequence of the same weight (e.g. NULL → -1): the value stored for a bad input changes.',
);

export const consequences: DiffRule = {
  kinds: [harsher, milder, changed],
  detect(ctx) {
    for (const p of ctx.attributes) {
      if (!p.a || !p.b) continue;
      for (const cb of p.b.controls) {
        const ca = p.a.controls.find((c) => c.kind === cb.kind);
        if (!ca || ca.consequence === cb.consequence) continue;
        const ra = CONSEQUENCE_RANK[ca.consequence],
          rb = CONSEQUENCE_RANK[cb.consequence];
        const k = rb > ra ? harsher : rb < ra ? milder : changed;
        ctx.emit(k, {
          path: `${p.path}/controls/${cb.kind}`,
          label: CONTROL_TEXT[cb.kind],
          before: site(ca.at ?? p.a.at),
          after: site(cb.at ?? p.b.at),
          from: ca.consequence,
          to: cb.consequence,
          description: `When the ${cb.kind} control on ${named(p.name, p.b.label)} in ${p.cls} fails, the receiver now does ${consequenceText(cb.consequence)} (was ${consequenceText(ca.consequence)}).`,
        });
      }
    }
  },
};
