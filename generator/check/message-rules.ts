// Message-level rules (`rules:`): each id once, and a rule said to be enforced names rules the
// runtime's catalogue really has, so the field reference never points at a rule that is not there.
import { RULES as KIT_RULES } from '../../runtime/rules/catalogue.ts';
import { diag, type Diagnostic } from '../diagnostics.ts';
import type { SpecRule } from './rule.ts';

export const messageRules: SpecRule = {
  ids: ['KPR1801', 'KPR1802'],
  check(spec) {
    const out: Diagnostic[] = [];
    const seen = new Set<string>();
    for (const r of spec.rules) {
      if (seen.has(r.id)) out.push(diag('KPR1801', r.at, `message rule ${r.id} is defined twice`));
      seen.add(r.id);
      for (const id of r.enforcedBy ?? []) {
        if (!KIT_RULES.has(id)) out.push(diag('KPR1802', r.at, `message rule ${r.id}: enforcedBy ${id}, which is not a rule of runtime/rules/catalogue.ts`));
      }
    }
    return out;
  },
};
