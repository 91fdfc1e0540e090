// Classes form a tree below the root: no cycles (a message could never end), and every class
// reachable (an unreachable class is usually a forgotten child reference).
import { diag, type Diagnostic } from '../diagnostics.ts';
import type { ClassDef } from '../model/types.ts';
import type { SpecRule } from './rule.ts';

export const cycles: SpecRule = {
  ids: ['KPR1203', 'KPR1204'],
  check(spec) {
    const out: Diagnostic[] = [];
    const byName = new Map(spec.classes.map((c) => [c.name, c]));
    const state = new Map<string, 'open' | 'done'>();
    const reported = new Set<string>();
    const visit = (c: ClassDef, trail: string[]) => {
      state.set(c.name, 'open');
      for (const ch of c.children) {
        const next = byName.get(ch.class);
        if (!next) continue;
        if (state.get(next.name) === 'open') {
          const cycle = [...trail.slice(trail.indexOf(next.name)), c.name, next.name].join(' → ');
          if (!reported.has(cycle)) {
            reported.add(cycle);
            out.push(diag('KPR1203', ch.at, `cycle: ${cycle}`));
          }
        } else if (!state.has(next.name)) {
          visit(next, [...trail, c.name]);
        }
      }
      state.set(c.name, 'done');
    };
    const root = byName.get(spec.root);
    if (root) visit(root, []);
    if (root) {
      for (const c of spec.classes) {
        if (!state.has(c.name)) out.push(diag('KPR1204', c.at, `class ${c.name} is not reachable from ${spec.root}`));
      }
    }
    return out;
  },
};
