// Emits a checked mapping as a TypeScript module typed against the generated message types
// (`kpr mapping compile --out dir`), built with ts-morph. Tables become `satisfies` records of
// the target code unions, constants literal values of the target types, required attributes
// non-optional properties: so `tsc` catches what the checker missed, and a vendor can read,
// review and unit-test the mapping as ordinary code. Every YAML string reaches the code through
// JSON.stringify, the one escaping path.

import { mkdirSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Project, VariableDeclarationKind } from 'ts-morph';
import type { BlockPlan, ClassPlan, MappingPlan, RulePlan } from './compile.ts';
import { writeFileAtomic } from '../io/atomic.ts';
import { classTypeName } from '../spec/target.ts';

const lit = (v: unknown) => JSON.stringify(v);

function importPath(fromDir: string, file: string): string {
  const r = relative(fromDir, file).split(sep).join('/');
  return r.startsWith('.') ? r : `./${r}`;
}

class Emitter {
  readonly helpers: string[] = [];
  readonly consts: { name: string; init: string }[] = [];
  readonly functions: { name: string; cls: string; body: string }[] = [];
  /** Type aliases reaching each class from the root type by indexed access, so the emitted
   * code never guesses how the type emitter named a class (Barn_ungdom → BarnUngdom). */
  readonly aliases: { name: string; type: string }[] = [];
  private n = 0;

  constructor(readonly plan: MappingPlan) {}

  constant(prefix: string, init: string): string {
    const name = `${prefix}${this.n++}`;
    this.consts.push({ name, init });
    return name;
  }

  getter(p: { text: string }): string {
    return this.constant('path', `path(${lit(p.text)})`);
  }

  /** The expression for one attribute's value, typed as the attribute (or undefined). */
  value(r: RulePlan, cls: string, at: string): string {
    const a = r.attr;
    const numeric = a.kind === 'integer' || a.kind === 'nonNegativeInteger';
    const typeRef = `${cls}[${lit(a.name)}]`;
    let expr: string;
    if (r.from === undefined) {
      expr = r.constValue !== undefined ? `(${lit(r.constValue)} as const)` : 'undefined';
    } else {
      const src = Array.isArray(r.from) ? `[${r.from.map((p) => `${this.getter(p)}(root, item, index)`).join(', ')}]` : `${this.getter(r.from)}(root, item, index)`;
      let v = src;
      if (r.transforms.length)
        v = `apply([${r.transforms.map((t) => this.constant('step', `step(${lit(t.name + (t.args.length ? `(${t.args.map((x) => lit(x)).join(', ')})` : ''))})`)).join(', ')}], ${v})`;
      if (r.table) {
        const entries = Object.fromEntries([...r.table.entries].map(([k, val]) => [k, a.kind === 'coded' ? String(val) : val]));
        const table = this.constant('table', `${lit(entries)} as const satisfies Readonly<Record<string, NonNullable<${typeRef}>>>`);
        const fb = r.table.fallback !== undefined ? `, ${lit(a.kind === 'coded' ? String(r.table.fallback) : r.table.fallback)}` : '';
        expr = `lookup(${table}, ${v}, ${lit(at)}${fb})`;
      } else if (a.kind === 'coded') {
        expr = `code(${v}, ${lit([...(a.codes?.keys() ?? [])])} as const, ${lit(at)})`;
      } else expr = numeric ? `int(${v}, ${lit(at)})` : `str(${v}, ${lit(at)})`;
    }
    if (r.defaultValue !== undefined) expr = `(${expr} ?? (${lit(r.defaultValue)} as const))`;
    if (r.when) {
      const c = this.constant('cond', `cond(${lit(r.when.src)})`);
      expr = `(${c}(root, item, index) ? ${expr} : ${r.defaultValue !== undefined ? `(${lit(r.defaultValue)} as const)` : 'undefined'})`;
    }
    return `${expr} satisfies ${typeRef} | undefined`;
  }

  /** Emits the function mapping one class, whose type is `type`; returns its name. */
  cls(c: ClassPlan, path: string, type: string): string {
    const name = `map${c.className}${this.n++}`;
    const lines: string[] = [];
    const required: string[] = [];
    const optional: string[] = [];
    for (const r of c.rules) {
      const at = `${path}/${r.target}`;
      const v = this.value(r, type, at);
      if (r.attr.required) required.push(`${lit(r.target)}: req(${v}, ${lit(at)}),`);
      else optional.push(`{ const v = ${v}; if (v !== undefined) out[${lit(r.target)}] = v; }`);
    }
    const singles: string[] = [];
    const arrays: string[] = [];
    for (const ch of c.children) {
      const childPath = `${path}/${ch.name}`;
      const childType = `${ch.child.name}Type${this.n++}`;
      this.aliases.push({ name: childType, type: `NonNullable<${type}[${lit(ch.name)}]>${ch.child.array ? '[number]' : ''}` });
      if (!ch.child.array) {
        const b = ch.blocks[0];
        const fn = this.cls(b.body, childPath, childType);
        const call = `${fn}(root, item, index)`;
        if (b.when) {
          const cnd = this.constant('cond', `cond(${lit(b.when.src)})`);
          if (ch.child.min > 0) singles.push(`${lit(ch.name)}: req(${cnd}(root, item, index) ? ${call} : undefined, ${lit(childPath)}),`);
          else optional.push(`if (${cnd}(root, item, index)) out[${lit(ch.name)}] = ${call};`);
        } else if (ch.child.min > 0) singles.push(`${lit(ch.name)}: ${call},`);
        else optional.push(`out[${lit(ch.name)}] = ${call};`);
        continue;
      }
      const arr = `list${this.n++}`;
      arrays.push(`const ${arr}: ${childType}[] = [];`);
      for (const b of ch.blocks) arrays.push(this.block(b, arr, childPath, childType));
      if (ch.child.min > 0) singles.push(`${lit(ch.name)}: ${arr},`);
      else arrays.push(`if (${arr}.length) out[${lit(ch.name)}] = ${arr};`);
    }
    lines.push(...arrays.filter((l) => l.startsWith('const ')));
    const childArrays = arrays.filter((l) => !l.startsWith('const ') && !l.startsWith('if ('));
    // Arrays must be filled before a required one goes into the literal.
    lines.push(...childArrays);
    lines.push(`const out: ${type} = {`, ...required.map((l) => `  ${l}`), ...singles.map((l) => `  ${l}`), '};');
    lines.push(...optional);
    lines.push(...arrays.filter((l) => l.startsWith('if (')));
    lines.push('return out;');
    this.functions.push({ name, cls: type, body: lines.join('\n') });
    return name;
  }

  block(b: BlockPlan, arr: string, path: string, type: string): string {
    const fn = this.cls(b.body, path, type);
    const guard = b.when ? `if (${this.constant('cond', `cond(${lit(b.when.src)})`)}(root, item, index)) ` : '';
    if (!b.each) return `${guard}{ ${arr}.push(${fn}(root, item, ${arr}.length + 1)); }`;
    const each = this.getter(b.each);
    const where = b.where ? this.constant('cond', `cond(${lit(b.where.src)})`) : undefined;
    return `${guard}{
  const items = list(${each}(root, item, index), ${lit(path)});
  for (let i = 0; i < items.length; i++) {
    ${where ? `if (!${where}(root, items[i], i + 1)) continue;` : ''}
    ${arr}.push(${fn}(root, items[i], ${arr}.length + 1));
  }
}`;
  }
}

const SUPPORT = fileURLToPath(new URL('./emitted-support.ts', import.meta.url));

/** The module's text, for a module that will live in `outDir`. */
export function emitMappingModule(plan: MappingPlan, outDir: string): string {
  const e = new Emitter(plan);
  const root = e.cls(plan.root, '', plan.rootClass);
  const project = new Project({ useInMemoryFileSystem: true, compilerOptions: { strict: true } });
  const sf = project.createSourceFile('mapping.ts', '', { overwrite: true });
  const absOut = resolve(outDir);
  sf.addImportDeclaration({ isTypeOnly: true, moduleSpecifier: importPath(absOut, join(plan.target.dir, 'types.ts')), namedImports: [classTypeName(plan.rootClass)] });
  sf.addImportDeclaration({ moduleSpecifier: importPath(absOut, SUPPORT), namedImports: ['apply', 'code', 'cond', 'int', 'list', 'lookup', 'path', 'req', 'step', 'str'] });
  sf.addStatements(`export { MappingIssue } from ${lit(importPath(absOut, SUPPORT))};`);
  sf.addStatements(`export const SPEC = ${lit(plan.spec)};`);
  for (const a of e.aliases) sf.addTypeAlias({ name: a.name, type: a.type });
  for (const c of e.consts) sf.addVariableStatement({ declarationKind: VariableDeclarationKind.Const, declarations: [{ name: c.name, initializer: c.init }] });
  for (const f of e.functions) {
    sf.addFunction({
      name: f.name,
      parameters: [
        { name: 'root', type: 'unknown' },
        { name: 'item', type: 'unknown' },
        { name: 'index', type: 'number' },
      ],
      returnType: f.cls,
      statements: f.body,
    });
  }
  sf.addFunction({
    isExported: true,
    name: `map${classTypeName(plan.rootClass)}`,
    docs: [`Maps one source record onto ${plan.rootClass}; throws MappingIssue when it cannot.`],
    parameters: [{ name: 'record', type: 'unknown' }],
    returnType: classTypeName(plan.rootClass),
    statements: `return ${root}(record, record, 1);`,
  });
  sf.formatText({ indentSize: 2 });
  const banner = [
    `// A mapping onto ${plan.spec}, compiled from ${relative(absOut, resolve(plan.file)).split(sep).join('/')}.`,
    '// GENERATED by `kpr mapping compile --out`. Do not edit: change the mapping and compile again.',
    '',
  ].join('\n');
  return banner + sf.getFullText();
}

/** Writes `<outDir>/mapping.ts` atomically; returns its path. */
export function writeMappingModule(plan: MappingPlan, outDir: string): string {
  mkdirSync(outDir, { recursive: true });
  const file = join(outDir, 'mapping.ts');
  writeFileAtomic(file, emitMappingModule(plan, outDir));
  return file;
}
