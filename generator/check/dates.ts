// Dates must be real calendar days, and a specification is not valid before it exists.
import { diag, type Diagnostic } from '../diagnostics.ts';
import { isCalendarDate, type SpecRule } from './rule.ts';

export const dates: SpecRule = {
  ids: ['KPR1101', 'KPR1103'],
  check(spec) {
    const out: Diagnostic[] = [];
    for (const key of ['published', 'validFrom'] as const) {
      // A JSON message type transcribed from a sample may not know its dates ('' = not written).
      if (spec.kind === 'json' && spec[key] === '') continue;
      if (!isCalendarDate(spec[key])) out.push(diag('KPR1101', spec.metaAt[key] ?? spec.at, `${key} ${spec[key]} is not a calendar date`));
    }
    // Helsedirektoratet publishes by 1 April for the next year; a spec that applies before its
    // publication is allowed (HST 56.0.0 did) but worth a second look.
    if (isCalendarDate(spec.published) && isCalendarDate(spec.validFrom) && spec.validFrom < spec.published) {
      out.push(diag('KPR1103', spec.metaAt.validFrom ?? spec.at, `validFrom ${spec.validFrom} is before published ${spec.published}`));
    }
    return out;
  },
};
