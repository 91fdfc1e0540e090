// `kpr mapping check mapping.yaml --spec hst@<other>`: what a mapping must change before it can
// target another version of its message. The mapping is checked against the other version's
// model (built in memory from its spec, or read from its generated schema.json), and, when both
// specs are at hand, every change the spec diff finds in the part of the message the mapping
// fills is reported at the rule it touches (MAP3001).

import { emitJsonSchema } from '../emit/json-schema.ts';
import { diffSpecs, type Change } from '../diff/index.ts';
import { loadSpecRef, SpecRefError } from '../diff/resolve.ts';
import type { MessageSpec } from '../model/types.ts';
import { compileMappingFile, type ClassPlan, type MappingPlan } from '../../runtime/mapping/compile.ts';
import { mdiag, sortMappingDiagnostics, type MappingDiagnostic, type Pos } from '../../runtime/mapping/diagnostics.ts';
import { loadTarget, targetFromSchema, type Target } from '../../runtime/spec/target.ts';

export interface SpecCheck {
  /** Diagnostics of the mapping against the other version, plus one MAP3001 per relevant change. */
  diagnostics: MappingDiagnostic[];
  /** The spec changes that touch the mapping (empty without a diff). */
  changes: Change[];
  /** Whether the spec diff was used (both versions' YAML found). */
  diffed: boolean;
}

function tryLoad(ref: string, specDir: string): MessageSpec | undefined {
  try {
    return loadSpecRef(ref, specDir);
  } catch (err) {
    if (err instanceof SpecRefError) return undefined;
    throw err;
  }
}

/** Rule positions by path inside the mapped class: `Konsultasjon/Barn_ungdom/@fid`. */
function positions(plan: MappingPlan): { byPath: Map<string, Pos>; byCodelist: Map<string, Pos[]>; top: Pos } {
  const byPath = new Map<string, Pos>();
  const byCodelist = new Map<string, Pos[]>();
  const walk = (c: ClassPlan, path: string) => {
    for (const r of c.rules) {
      byPath.set(`${path}/@${r.target}`, r.at);
      if (!byPath.has(path)) byPath.set(path, r.at);
      const n = r.attr.codelist?.number;
      if (n && (r.table || r.constValue !== undefined || r.defaultValue !== undefined)) byCodelist.set(n, [...(byCodelist.get(n) ?? []), r.at]);
    }
    for (const ch of c.children) for (const b of ch.blocks) walk(b.body, `${path}/${ch.name}`);
  };
  walk(plan.root, plan.rootClass);
  const top = plan.root.rules[0]?.at ?? { file: plan.file, line: 1, col: 1 };
  return { byPath, byCodelist, top };
}

/** Where in the mapping a change lands, or undefined when it does not touch the mapping. */
function placeOf(change: Change, plan: MappingPlan, pos: ReturnType<typeof positions>): Pos[] | undefined {
  const m = /^codelists\/([^/]+)/.exec(change.path);
  if (m) return pos.byCodelist.get(m[1]);
  const parts = change.path.split('/');
  const i = parts.indexOf(plan.rootClass);
  if (i < 0) return undefined;
  const sub = parts.slice(i).join('/');
  const exact = pos.byPath.get(sub);
  if (exact) return [exact];
  // A change to a class or an attribute the mapping does not fill: point at its class, or the top.
  for (let k = parts.length - 1; k > i; k--) {
    const at = pos.byPath.get(parts.slice(i, k).join('/'));
    if (at) return [at];
  }
  return [pos.top];
}

export function checkMappingAgainst(file: string, otherRef: string, opts: { specDir: string; generated?: string }): SpecCheck {
  const own = compileMappingFile(file, { generated: opts.generated });
  const other = tryLoad(otherRef, opts.specDir);
  let target: Target | undefined;
  if (other) target = targetFromSchema(emitJsonSchema(other), otherRef, loadTarget(otherRef, opts.generated)?.dir ?? '');
  const checked = compileMappingFile(file, { generated: opts.generated, spec: otherRef, target });
  const diagnostics = [...checked.diagnostics];
  const changes: Change[] = [];
  let diffed = false;
  if (own.plan && other) {
    const mine = tryLoad(own.plan.spec, opts.specDir);
    if (mine) {
      diffed = true;
      const pos = positions(own.plan);
      for (const c of diffSpecs(mine, other)) {
        const places = placeOf(c, own.plan, pos);
        if (!places?.length) continue;
        changes.push(c);
        for (const at of places) diagnostics.push(mdiag('MAP3001', at, `${otherRef} ${c.severity} ${c.kind}: ${c.description}`));
      }
    }
  }
  return { diagnostics: sortMappingDiagnostics(diagnostics), changes, diffed };
}
