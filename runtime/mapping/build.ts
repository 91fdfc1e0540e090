// Turns a checked mapping plan into the functions that map records: by default generated code
// (codegen.ts); or one closure per class, built once, where generated code is not allowed. Both
// mean the same (a test runs them side by side): per record nothing is parsed or looked up by
// name. Values that cannot be converted (an unknown vendor code, a malformed timestamp) become
// issues, with the consequence the receiver publishes for that attribute.

import type { Issue } from '../rules/issue.ts';
import type { BlockPlan, ClassPlan, MappingPlan, RulePlan } from './compile.ts';
import { generateMapping } from './codegen.ts';
import { generateJsonWriter, type JsonWriter } from './json-writer.ts';
import { compilePath, type Getter } from './paths.ts';
import type { TargetAttribute } from '../spec/target.ts';
import { TransformError, type Fn } from './transforms.ts';

/** Per-record state: the issues found while mapping. */
export interface MapContext {
  issues: Issue[];
}

type RuleFn = (root: unknown, item: unknown, index: number, out: Record<string, unknown>, ctx: MapContext, path: string) => void;
export type ClassFn = (root: unknown, item: unknown, index: number, ctx: MapContext, path: string) => Record<string, unknown>;
type ChildFn = (root: unknown, item: unknown, index: number, out: Record<string, unknown>, ctx: MapContext, path: string) => void;

const missing = (v: unknown) => v === undefined || v === null || v === '';

function codeConsequence(attr: TargetAttribute) {
  return attr.controls.code?.consequence ?? 'discard-row';
}

function datatypeConsequence(attr: TargetAttribute) {
  return attr.controls.datatype?.consequence ?? 'discard-row';
}

function getterOf(r: RulePlan): Getter | undefined {
  if (r.from === undefined) return undefined;
  if (Array.isArray(r.from)) {
    const gs = r.from.map(compilePath);
    return (root, item, index) => gs.map((g) => g(root, item, index));
  }
  return compilePath(r.from);
}

export function buildRule(r: RulePlan): RuleFn {
  const name = r.target;
  const attr = r.attr;
  const when = r.when?.cond.test;
  const def = r.defaultValue;
  if (r.from === undefined) {
    const c = r.constValue ?? def;
    if (!when) {
      return (_r, _i, _n, out) => {
        out[name] = c;
      };
    }
    return (root, item, index, out) => {
      if (when(root, item, index)) out[name] = c;
      else if (def !== undefined) out[name] = def;
    };
  }
  const get = getterOf(r)!;
  const steps: Fn[] = r.transforms.map((t) => t.fn);
  const nSteps = steps.length;
  const transform = nSteps > 0;
  const table = r.table;
  const entries = table ? new Map([...table.entries].map(([k, v]) => [k, attr.kind === 'coded' && typeof v === 'number' ? String(v) : v])) : undefined;
  const fallback = table?.fallback !== undefined && attr.kind === 'coded' ? String(table.fallback) : table?.fallback;
  // The simplest and most common rule: copy a value.
  if (!when && !transform && !table && def === undefined) {
    return (root, item, index, out) => {
      const v = get(root, item, index);
      if (!missing(v)) out[name] = v;
    };
  }
  return (root, item, index, out, ctx, path) => {
    if (when && !when(root, item, index)) {
      if (def !== undefined) out[name] = def;
      return;
    }
    let v = get(root, item, index);
    if (transform && !missing(v)) {
      let k = 0;
      try {
        for (; k < nSteps; k++) v = steps[k](v);
      } catch (err) {
        if (!(err instanceof TransformError)) throw err;
        ctx.issues.push({
          path: `${path}/${name}`,
          rule: 'REC1102',
          message: `${name}: ${r.transforms[k].name}: ${err.message}`,
          consequence: datatypeConsequence(attr),
          severity: 'error',
          original: v,
        });
        return;
      }
    }
    if (entries && !missing(v)) {
      const key = typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : undefined;
      const hit = key === undefined ? undefined : entries.get(key);
      if (hit !== undefined) v = hit;
      else if (fallback !== undefined) v = fallback;
      else {
        ctx.issues.push({
          path: `${path}/${name}`,
          rule: 'REC1101',
          message: `${name}: the source value ${JSON.stringify(v)} has no translation${table!.name ? ` in table ${table!.name}` : ''}`,
          consequence: codeConsequence(attr),
          severity: 'error',
          original: v,
        });
        return;
      }
    }
    if (missing(v)) {
      if (def !== undefined) out[name] = def;
      return;
    }
    out[name] = v;
  };
}

function buildBlock(b: BlockPlan, childName: string, array: boolean): ChildFn {
  const body = buildClass(b.body);
  const when = b.when?.cond.test;
  if (!array) {
    return (root, item, index, out, ctx, path) => {
      if (when && !when(root, item, index)) return;
      out[childName] = body(root, item, index, ctx, `${path}/${childName}`);
    };
  }
  const each = b.each ? compilePath(b.each) : undefined;
  const where = b.where?.cond.test;
  return (root, item, index, out, ctx, path) => {
    if (when && !when(root, item, index)) return;
    let arr = out[childName] as Record<string, unknown>[] | undefined;
    if (!each) {
      if (!arr) out[childName] = arr = [];
      arr.push(body(root, item, arr.length + 1, ctx, `${path}/${childName}/${arr.length}`));
      return;
    }
    const list = each(root, item, index);
    if (list === undefined || list === null) return;
    if (!Array.isArray(list)) {
      ctx.issues.push({
        path: `${path}/${childName}`,
        rule: 'REC1103',
        message: `${childName}: each: ${b.each!.text} is not a list`,
        consequence: 'discard-row',
        severity: 'error',
      });
      return;
    }
    for (let i = 0; i < list.length; i++) {
      const it = list[i];
      if (where && !where(root, it, i + 1)) continue;
      if (!arr) out[childName] = arr = [];
      arr.push(body(root, it, arr.length + 1, ctx, `${path}/${childName}/${arr.length}`));
    }
  };
}

export function buildClass(c: ClassPlan): ClassFn {
  const rules = c.rules.map(buildRule);
  const kids: ChildFn[] = c.children.flatMap((ch) => ch.blocks.map((b) => buildBlock(b, ch.name, ch.child.array)));
  const nr = rules.length;
  const nk = kids.length;
  return (root, item, index, ctx, path) => {
    const out: Record<string, unknown> = {};
    for (let k = 0; k < nr; k++) rules[k](root, item, index, out, ctx, path);
    for (let k = 0; k < nk; k++) kids[k](root, item, index, out, ctx, path);
    return out;
  };
}

export interface BuiltMapping {
  /** Maps one source record onto the root class; issues go into ctx. */
  map(record: unknown, ctx: MapContext): Record<string, unknown>;
  /** When the record is a deletion: the attributes naming the consultation to annul. */
  annul?(record: unknown, ctx: MapContext): Record<string, unknown> | undefined;
  sourceId(record: unknown): string | undefined;
  /** Writes what `map` made as JSON text, faster than JSON.stringify (generated code only). */
  write?: JsonWriter;
}

/**
 * The mapping as functions. By default generated code (codegen.ts), which is several times
 * faster; `closures: true` uses the closures above (same meaning, no `new Function`, e.g. where
 * a content security policy forbids it).
 */
export function buildMapping(plan: MappingPlan, opts: { closures?: boolean } = {}): BuiltMapping {
  const idGet = plan.sourceId ? compilePath(plan.sourceId) : undefined;
  if (!opts.closures) {
    const g = generateMapping(plan);
    const test = plan.annul?.when.cond.test;
    return {
      map: g.map,
      write: generateJsonWriter(plan).write,
      annul: g.annul && test ? (record, ctx) => (test(record, record, 1) ? g.annul!(record, ctx) : undefined) : undefined,
      sourceId: (record) => {
        const v = idGet?.(record, record, 1);
        return typeof v === 'string' || typeof v === 'number' ? String(v) : undefined;
      },
    };
  }
  const root = buildClass(plan.root);
  const out: BuiltMapping = {
    map: (record, ctx) => root(record, record, 1, ctx, ''),
    sourceId: (record) => {
      const v = idGet?.(record, record, 1);
      return typeof v === 'string' || typeof v === 'number' ? String(v) : undefined;
    },
  };
  if (plan.annul) {
    const test = plan.annul.when.cond.test;
    const body = buildClass(plan.annul.body);
    out.annul = (record, ctx) => (test(record, record, 1) ? body(record, record, 1, ctx, '') : undefined);
  }
  return out;
}
