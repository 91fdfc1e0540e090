// Child references name defined classes, once each, with sensible cardinality; the root exists;
// `exactlyOne` names 0..1 children; an attribute and a child never share a name (they would collide in the JSON form).
import { diag, type Diagnostic } from '../diagnostics.ts';
import type { SpecRule } from './rule.ts';

export const structure: SpecRule = {
  ids: ['KPR1201', 'KPR1202', 'KPR1205', 'KPR1206', 'KPR1207', 'KPR1403'],
  check(spec) {
    const out: Diagnostic[] = [];
    const names = new Set(spec.classes.map((c) => c.name));
    if (!names.has(spec.root)) out.push(diag('KPR1202', spec.metaAt.root ?? spec.at, `root ${spec.root} is not a defined class`));
    for (const c of spec.classes) {
      const seen = new Set<string>();
      for (const ch of c.children) {
        if (!names.has(ch.class)) out.push(diag('KPR1201', ch.at, `${c.name} contains ${ch.class}, which is not defined`));
        if (seen.has(ch.class)) out.push(diag('KPR1205', ch.at, `${c.name} lists ${ch.class} twice`));
        seen.add(ch.class);
        if (ch.max !== null && ch.min > ch.max) out.push(diag('KPR1206', ch.at, `${c.name}/${ch.class}: minimum ${ch.min} exceeds maximum ${ch.max}`));
        if (ch.max === 0) out.push(diag('KPR1206', ch.at, `${c.name}/${ch.class}: maximum 0 means the child can never occur`));
      }
      for (const x of c.exactlyOne ?? []) {
        const ch = c.children.find((k) => k.class === x);
        if (ch?.min !== 0 || ch.max !== 1) out.push(diag('KPR1207', c.at, `${c.name}: exactlyOne names ${x}, which is not a 0..1 child of ${c.name}`));
      }
      for (const a of c.attributes) {
        if (seen.has(a.name)) out.push(diag('KPR1403', a.at, `${c.name} has both an attribute and a child named ${a.name}`));
      }
    }
    return out;
  },
};
