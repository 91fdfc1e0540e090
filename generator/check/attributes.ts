// An attribute's own restrictions are coherent: a fixed value its type can hold, lengths in
// order, a pattern that compiles.
import { diag, type Diagnostic } from '../diagnostics.ts';
import type { Attribute } from '../model/types.ts';
import { isCalendarDate, type SpecRule } from './rule.ts';

function fixedFits(a: Attribute, v: string): boolean {
  switch (a.type) {
    case 'integer':
      return /^[+-]?\d+$/.test(v);
    case 'nonNegativeInteger':
      return /^\+?\d+$/.test(v);
    case 'date':
      return isCalendarDate(v);
    case 'dateTime':
      return /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}/.test(v);
    case 'guid':
      return /^\{?[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\}?$/.test(v);
    default:
      return true;
  }
}

export const attributes: SpecRule = {
  ids: ['KPR1501', 'KPR1502', 'KPR1503'],
  check(spec) {
    const out: Diagnostic[] = [];
    for (const c of spec.classes) {
      for (const a of c.attributes) {
        const where = `${c.name}/@${a.name}`;
        if (a.fixed !== undefined && !fixedFits(a, a.fixed)) out.push(diag('KPR1501', a.at, `${where}: fixed value ${a.fixed} is not a valid ${a.type}`));
        if (a.fixed !== undefined && a.maxLength !== undefined && a.fixed.length > a.maxLength)
          out.push(diag('KPR1501', a.at, `${where}: fixed value is longer than maxLength ${a.maxLength}`));
        if (a.minLength !== undefined && a.maxLength !== undefined && a.minLength > a.maxLength)
          out.push(diag('KPR1502', a.at, `${where}: minLength ${a.minLength} > maxLength ${a.maxLength}`));
        if (a.pattern !== undefined) {
          try {
            new RegExp(a.pattern, 'u');
          } catch (e) {
            out.push(diag('KPR1503', a.at, `${where}: pattern does not compile: ${(e as Error).message}`));
          }
        }
      }
    }
    return out;
  },
};
