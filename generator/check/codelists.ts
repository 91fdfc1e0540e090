// A code list is well-formed: file name, number and OID agree, codes are unique, and validity
// periods run forwards. Checked on every code list a message uses.
import { basename } from 'node:path';
import { diag, type Diagnostic } from '../diagnostics.ts';
import type { CodeList } from '../model/types.ts';
import { isCalendarDate, type SpecRule } from './rule.ts';

export function checkCodeList(list: CodeList): Diagnostic[] {
  const out: Diagnostic[] = [];
  const fileNumber = basename(list.at.file).replace(/\.ya?ml$/, '');
  if (/^\d+$/.test(fileNumber) && fileNumber !== list.number) {
    out.push(diag('KPR1306', list.at, `file ${basename(list.at.file)} holds code list ${list.number}`));
  }
  if (!list.oid.endsWith(`.${list.number}`)) out.push(diag('KPR1306', list.at, `OID ${list.oid} does not end with .${list.number}`));
  const seen = new Set<string>();
  for (const c of list.codes) {
    if (seen.has(c.code)) out.push(diag('KPR1305', c.at, `code ${c.code} appears twice in code list ${list.number}`));
    seen.add(c.code);
    for (const d of [c.validFrom, c.validTo]) {
      if (d !== undefined && !isCalendarDate(d)) out.push(diag('KPR1101', c.at, `code ${c.code}: ${d} is not a calendar date`));
    }
    if (c.validFrom && c.validTo && c.validTo < c.validFrom) out.push(diag('KPR1307', c.at, `code ${c.code} is valid to ${c.validTo}, before ${c.validFrom}`));
  }
  return out;
}

export const codelists: SpecRule = {
  ids: ['KPR1305', 'KPR1306', 'KPR1307'],
  check(spec) {
    return [...spec.codelists.values()].flatMap(checkCodeList);
  },
};
