// Coded attributes name a defined code list; `codes` and `accept` name codes of that list, and
// `accept` narrows `codes`.
import { diag, type Diagnostic } from '../diagnostics.ts';
import type { SpecRule } from './rule.ts';

export const codes: SpecRule = {
  ids: ['KPR1301', 'KPR1302', 'KPR1303', 'KPR1304'],
  check(spec) {
    const out: Diagnostic[] = [];
    for (const c of spec.classes) {
      for (const a of c.attributes) {
        const where = `${c.name}/@${a.name}`;
        if (a.type !== 'coded') {
          if (a.codelist || a.codes || a.accept) out.push(diag('KPR1303', a.at, `${where} has a code list but type ${a.type}; set type: coded`));
          continue;
        }
        if (!a.codelist) {
          out.push(diag('KPR1303', a.at, `${where} is coded but names no codelist`));
          continue;
        }
        const list = spec.codelists.get(a.codelist);
        if (!list) {
          out.push(diag('KPR1301', a.at, `${where} refers to code list ${a.codelist}, which is not defined`));
          continue;
        }
        const known = new Set(list.codes.map((k) => k.code));
        for (const k of a.codes ?? []) if (!known.has(k)) out.push(diag('KPR1302', a.at, `${where}: code ${k} is not in code list ${list.number} ${list.name}`));
        const published = new Set(a.codes ?? known);
        for (const k of a.accept ?? []) {
          if (!known.has(k)) out.push(diag('KPR1302', a.at, `${where}: accepted code ${k} is not in code list ${list.number} ${list.name}`));
          else if (!published.has(k)) out.push(diag('KPR1304', a.at, `${where}: accepted code ${k} is not among the codes published for this message`));
        }
      }
    }
    return out;
  },
};
