// Primary keys, unique constraints and keyrefs name attributes and children that exist.
import { diag, type Diagnostic } from '../diagnostics.ts';
import type { ClassDef } from '../model/types.ts';
import type { SpecRule } from './rule.ts';

export const keys: SpecRule = {
  ids: ['KPR1401', 'KPR1402'],
  check(spec) {
    const out: Diagnostic[] = [];
    const byName = new Map(spec.classes.map((c) => [c.name, c]));
    const uniques = new Set(spec.classes.flatMap((c) => c.unique.map((u) => u.name)));
    const hasAttr = (c: ClassDef | undefined, a: string) => !!c?.attributes.some((x) => x.name === a);
    for (const c of spec.classes) {
      for (const k of c.primaryKey ?? []) {
        if (!hasAttr(c, k)) out.push(diag('KPR1401', c.at, `${c.name}: primary key ${k} is not an attribute of ${c.name}`));
      }
      for (const u of c.unique) {
        const target = byName.get(lastStep(u.selector));
        if (!c.children.some((ch) => ch.class === u.selector) && !target) {
          out.push(diag('KPR1401', u.at, `${c.name}: unique ${u.name} selects ${u.selector}, which is not a child class`));
          continue;
        }
        for (const f of u.fields) if (!hasAttr(target, f)) out.push(diag('KPR1401', u.at, `${c.name}: unique ${u.name} uses ${f}, which ${u.selector} does not have`));
      }
      for (const k of c.keyrefs) {
        if (!uniques.has(k.refer)) out.push(diag('KPR1402', k.at, `${c.name}: keyref ${k.name} refers to ${k.refer}, which is not a unique constraint`));
        const target = byName.get(lastStep(k.selector));
        if (!target) out.push(diag('KPR1401', k.at, `${c.name}: keyref ${k.name} selects ${k.selector}, whose last step is not a class`));
        else for (const f of k.fields) if (!hasAttr(target, f)) out.push(diag('KPR1401', k.at, `${c.name}: keyref ${k.name} uses ${f}, which ${target.name} does not have`));
      }
    }
    return out;
  },
};

/** `Melding/Notifikasjon/Konsultasjon/RefEnhet` → `RefEnhet`. */
function lastStep(selector: string): string {
  const steps = selector.split('/').filter(Boolean);
  return steps[steps.length - 1] ?? selector;
}
