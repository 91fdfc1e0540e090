// Compiles a checked mapping plan into JavaScript source, once, and instantiates it with
// `new Function` (as Ajv does for validators): every source path becomes direct property reads
// and every output object a literal of fixed shape, so V8 sees monomorphic code instead of one
// generic closure reading and writing properties by computed names. This is what keeps a mapping
// within reach of a hand-written one. Every name and value from the YAML reaches the source
// through JSON.stringify (the one escaping path); transforms, tables and complex conditions are
// passed in as values, never as text.
//
// Attributes the rules leave empty are present with the value `undefined` (fixed object shape):
// JSON.stringify, the generated validator and the XML codec all treat that as absent.

import type { Issue } from '../rules/issue.ts';
import type { BlockPlan, ClassPlan, Condition, MappingPlan, RulePlan } from './compile.ts';
import type { ParsedPath } from './paths.ts';
import { compileSource, literal as lit } from '../codegen/compile.ts';
import { TransformError, type Fn } from './transforms.ts';

export interface MapContext {
  issues: Issue[];
}

export type GeneratedFn = (root: unknown, ctx: MapContext) => Record<string, unknown>;

/** What the generated source refers to by index: functions and tables it cannot hold as text. */
interface Refs {
  steps: Fn[];
  tables: Map<string, unknown>[];
  preds: ((root: unknown, item: unknown, index: number) => boolean)[];
}

class Gen {
  readonly refs: Refs = { steps: [], tables: [], preds: [] };
  readonly fns: string[] = [];
  private n = 0;

  /** A guarded read of `path` from `item` (or the record), as an expression. */
  get(p: ParsedPath, item: string): string {
    if (p.base === 'index') return 'index';
    let e = p.base === 'root' ? 'root' : item;
    for (const s of p.segments) {
      e = typeof s === 'number' ? `(Array.isArray(_t = ${e}) ? _t[${s}] : undefined)` : `((_t = ${e}) === null || typeof _t !== "object" ? undefined : _t[${lit(s)}])`;
    }
    return e;
  }

  /** A condition as an expression: simple comparisons inline, the rest through the parsed predicate. */
  cond(c: Condition, item: string, index: string): string {
    const m = /^\s*([$@A-Za-z_][\w$@.\-[\]]*)\s*(==|!=)\s*(?:'([^']*)'|"([^"]*)")\s*$/.exec(c.src);
    const path = c.cond.paths[0];
    if (m && c.cond.paths.length === 1 && path.text === m[1]) {
      const value = m[3] ?? m[4];
      return `(${this.get(path, item)} ${m[2] === '==' ? '===' : '!=='} ${lit(value)})`;
    }
    this.refs.preds.push(c.cond.test);
    return `p[${this.refs.preds.length - 1}](root, ${item}, ${index})`;
  }

  rule(r: RulePlan, item: string, index: string, path: string): string {
    const name = lit(r.target);
    const attr = r.attr;
    const out: string[] = [];
    const label = `r${this.n++}`;
    const def = r.defaultValue !== undefined ? lit(r.defaultValue) : undefined;
    const codeConsequence = lit(attr.controls.code?.consequence ?? 'discard-row');
    const datatypeConsequence = lit(attr.controls.datatype?.consequence ?? 'discard-row');
    out.push(`${label}: {`);
    if (r.when) out.push(`if (!${this.cond(r.when, item, index)}) { ${def !== undefined ? `o[${name}] = ${def}; ` : ''}break ${label}; }`);
    if (r.from === undefined) {
      out.push(`o[${name}] = ${lit(r.constValue ?? r.defaultValue)};`);
      out.push('}');
      return out.join('\n');
    }
    out.push(`v = ${Array.isArray(r.from) ? `[${r.from.map((p) => this.get(p, item)).join(', ')}]` : this.get(r.from, item)};`);
    if (r.transforms.length) {
      const calls = r.transforms.map((t, k) => {
        this.refs.steps.push(t.fn);
        return `k = ${k}; v = s[${this.refs.steps.length - 1}](v);`;
      });
      const names = lit(r.transforms.map((t) => t.name));
      out.push(
        `if (v !== undefined && v !== null && v !== "") { try { ${calls.join(' ')} } catch (e) { h.transformFailed(ctx, e, ${path} + ${lit(`/${r.target}`)}, ${name}, ${names}[k], ${datatypeConsequence}, v); break ${label}; } }`,
      );
    }
    if (r.table) {
      const entries = new Map([...r.table.entries].map(([k, v]) => [k, attr.kind === 'coded' && typeof v === 'number' ? String(v) : v]));
      this.refs.tables.push(entries);
      const t = `t[${this.refs.tables.length - 1}]`;
      const fb = r.table.fallback !== undefined ? lit(attr.kind === 'coded' ? String(r.table.fallback) : r.table.fallback) : undefined;
      out.push(
        `if (v !== undefined && v !== null && v !== "") { w = ${t}.get(typeof v === "string" ? v : h.key(v)); ` +
          (fb !== undefined
            ? `v = w !== undefined ? w : ${fb}; }`
            : `if (w === undefined) { h.unmapped(ctx, ${path} + ${lit(`/${r.target}`)}, ${name}, v, ${lit(r.table.name ?? null)}, ${codeConsequence}); break ${label}; } v = w; }`),
      );
    }
    out.push(`if (v === undefined || v === null || v === "") ${def !== undefined ? `o[${name}] = ${def};` : `break ${label};`} else o[${name}] = v;`);
    out.push('}');
    return out.join('\n');
  }

  block(b: BlockPlan, childName: string, array: boolean, item: string, index: string, path: string): string {
    const fn = this.cls(b.body);
    const key = lit(childName);
    const guard = b.when ? `if (${this.cond(b.when, item, index)}) ` : '';
    const childPath = `${path} + ${lit(`/${childName}`)}`;
    // The child's place goes on the path stack for the call: its JSON path is only built as
    // text when an issue needs it.
    const seg = lit(`/${childName}`);
    if (!array) return `${guard}{ S[D] = ${seg}; X[D++] = -1; o[${key}] = ${fn}(root, ${item}, ${index}, ctx); D--; }`;
    // A list starts as a literal of its first item: most hold one, and `[]` then push would
    // allocate room for seventeen.
    const add = (x: string) =>
      `a = o[${key}]; an = a === undefined ? 0 : a.length; S[D] = ${seg}; X[D++] = an; ae = ${fn}(root, ${x}, an + 1, ctx); D--; if (a === undefined) o[${key}] = [ae]; else a.push(ae);`;
    if (!b.each) return `${guard}{ ${add(item)} }`;
    const where = b.where ? `if (!${this.cond(b.where, 'x', 'i + 1')}) continue;` : '';
    return `${guard}{
  const list = ${this.get(b.each, item)};
  if (list !== undefined && list !== null) {
    if (!Array.isArray(list)) h.notAList(ctx, ${childPath}, ${key}, ${lit(b.each.text)});
    else for (let i = 0; i < list.length; i++) {
      const x = list[i];
      ${where}
      ${add('x')}
    }
  }
}`;
  }

  /** Emits the function of one class; returns its name. */
  cls(c: ClassPlan): string {
    const name = `c${this.n++}`;
    const keys = [...c.rules.map((r) => r.target), ...c.children.map((ch) => ch.name)];
    const body = [
      `let v, w, k, a, an, ae, _t;`,
      `const o = { ${keys.map((k) => `${lit(k)}: undefined`).join(', ')} };`,
      ...c.rules.map((r) => this.rule(r, 'item', 'index', 'pth()')),
      ...c.children.flatMap((ch) => ch.blocks.map((b) => this.block(b, ch.name, ch.child.array, 'item', 'index', 'pth()'))),
      'return o;',
    ];
    this.fns.push(`function ${name}(root, item, index, ctx) {\n${body.join('\n')}\n}`);
    return name;
  }
}

const helpers = {
  key: (v: unknown) => (typeof v === 'number' || typeof v === 'boolean' ? String(v) : undefined),
  transformFailed(ctx: MapContext, e: unknown, path: string, name: string, step: string, consequence: Issue['consequence'], original: unknown) {
    if (!(e instanceof TransformError)) throw e;
    ctx.issues.push({ path, rule: 'REC1102', message: `${name}: ${step}: ${e.message}`, consequence, severity: 'error', original });
  },
  unmapped(ctx: MapContext, path: string, name: string, v: unknown, table: string | null, consequence: Issue['consequence']) {
    ctx.issues.push({
      path,
      rule: 'REC1101',
      message: `${name}: the source value ${JSON.stringify(v)} has no translation${table ? ` in table ${table}` : ''}`,
      consequence,
      severity: 'error',
      original: v,
    });
  },
  notAList(ctx: MapContext, path: string, name: string, each: string) {
    ctx.issues.push({ path, rule: 'REC1103', message: `${name}: each: ${each} is not a list`, consequence: 'discard-row', severity: 'error' });
  },
};

const PATH_STACK = `const S = [], X = [];
let D = 0;
function pth() {
  let s = "";
  for (let i = 0; i < D; i++) s += X[i] < 0 ? S[i] : S[i] + "/" + X[i];
  return s;
}`;

/** The generated source and its function, for one class plan (the root, or annul's). */
export function generate(c: ClassPlan): { source: string; fn: GeneratedFn } {
  const g = new Gen();
  const root = g.cls(c);
  // S, X, D: the path stack (child names, item indexes or -1, depth) of the object being made.
  const source = `"use strict";\n${PATH_STACK}\n${g.fns.join('\n\n')}\nreturn (record, ctx) => { D = 0; return ${root}(record, record, 1, ctx); };`;
  return { source, fn: compileSource<GeneratedFn>({ h: helpers, s: g.refs.steps, t: g.refs.tables, p: g.refs.preds }, source) };
}

export function generateMapping(plan: MappingPlan): { map: GeneratedFn; annul?: GeneratedFn } {
  return { map: generate(plan.root).fn, annul: plan.annul ? generate(plan.annul.body).fn : undefined };
}
