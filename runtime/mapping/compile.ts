// Checks a mapping file against its target spec (and the source description, when given) and
// turns it into a plan: the mapping's meaning with every path, condition, transform and table
// already parsed. The plan is what the fast closures (build.ts) and the TypeScript emitter
// (emit-ts.ts) are made from, so both mean the same thing and neither reads YAML again.

import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { YAMLMap } from 'yaml';
import { parseCondition, type ParsedCondition } from './condition.ts';
import { hasMappingErrors, mdiag, sortMappingDiagnostics, type MappingDiagnostic, type MappingDiagnosticId, type Pos } from './diagnostics.ts';
import { parsePath, type ParsedPath } from './paths.ts';
import { SourceSchema } from './source-schema.ts';
import { loadTarget, parseSpecRef, type Target, type TargetAttribute, type TargetChild, type TargetClass } from '../spec/target.ts';
import { parseTransform, transformType, type TransformStep, type ValueType } from './transforms.ts';
import { entries, isMap, isScalar, isSeq, parseMappingYaml, posOf, type YamlSource } from './yaml-source.ts';

export interface Table {
  name?: string;
  entries: Map<string, string | number>;
  /** The `'*'` entry: what any other present value becomes. */
  fallback?: string | number;
  at: Pos;
}

export interface Condition {
  src: string;
  cond: ParsedCondition;
}

export interface RulePlan {
  target: string;
  attr: TargetAttribute;
  from?: ParsedPath | ParsedPath[];
  constValue?: string | number;
  transforms: TransformStep[];
  table?: Table;
  defaultValue?: string | number;
  when?: Condition;
  at: Pos;
}

export interface BlockPlan {
  each?: ParsedPath;
  where?: Condition;
  when?: Condition;
  body: ClassPlan;
  at: Pos;
}

export interface ChildPlan {
  name: string;
  child: TargetChild;
  blocks: BlockPlan[];
}

export interface ClassPlan {
  className: string;
  rules: RulePlan[];
  children: ChildPlan[];
}

export interface MappingPlan {
  file: string;
  /** `hst@56.0.0` */
  spec: string;
  target: Target;
  /** The class the mapping produces, one per source record (Konsultasjon). */
  rootClass: string;
  root: ClassPlan;
  sourceId?: ParsedPath;
  /** Records meeting `annul.when` become annulments of the consultation they name. */
  annul?: { when: Condition; body: ClassPlan };
  tables: Map<string, Table>;
  sourceSchemaFile?: string;
}

export interface CompileOptions {
  /** Folder of generated artefacts (default: generated/ or $KPR_GENERATED_DIR). */
  generated?: string;
  /** Check against this spec version instead of the one the file names (`kpr mapping check --spec`). */
  spec?: string;
  /** The target model to check against, when the caller has one (e.g. built in memory from a spec). */
  target?: Target;
}

export interface CompileResult {
  plan?: MappingPlan;
  diagnostics: MappingDiagnostic[];
}

// biome-ignore lint/suspicious/noExplicitAny: a source schema is user JSON Schema, walked by key
type SchemaJson = Record<string, any>;

interface Scope {
  root: SchemaJson | undefined;
  item: SchemaJson | undefined;
  inEach: boolean;
}

class Checker {
  readonly diags: MappingDiagnostic[] = [];
  readonly tables = new Map<string, Table>();
  readonly usedTables = new Set<string>();
  /** Each named table's YAML node, for pointing at its entries. */
  readonly tableNodes = new Map<string, unknown>();
  source?: SourceSchema;

  constructor(
    readonly src: YamlSource,
    readonly target: Target,
  ) {}

  at(node: unknown): Pos {
    return posOf(this.src, node);
  }

  report(id: MappingDiagnosticId, node: unknown, message: string, hint?: string): void {
    this.diags.push(mdiag(id, this.at(node), message, hint));
  }

  text(node: unknown, what: string): string | undefined {
    if (isScalar(node) && (typeof node.value === 'string' || typeof node.value === 'number')) return String(node.value);
    this.report('MAP1006', node, `${what} must be a text`);
    return undefined;
  }

  /** A scalar constant as the target wants it: codes and texts as strings, integers as numbers. */
  constant(node: unknown, attr: TargetAttribute, what: string): string | number | undefined {
    if (!isScalar(node) || node.value === null || typeof node.value === 'object' || typeof node.value === 'boolean') {
      this.report('MAP1006', node, `${what} for ${attr.name} must be a single value`);
      return undefined;
    }
    let v = node.value as string | number;
    const numeric = attr.kind === 'integer' || attr.kind === 'nonNegativeInteger' || attr.kind === 'number';
    if (!numeric && typeof v === 'number') v = String(v);
    const problem = constantProblem(v, attr);
    if (problem) this.report(attr.kind === 'coded' ? 'MAP2003' : 'MAP2012', node, `${what} ${JSON.stringify(v)} for ${attr.name}: ${problem}`);
    return v;
  }

  condition(node: unknown, what: string, scope: Scope): Condition | undefined {
    const src = this.text(node, what);
    if (src === undefined) return undefined;
    const cond = parseCondition(src);
    if (typeof cond === 'string') {
      this.report('MAP2009', node, `${what} "${src}": ${cond}`);
      return undefined;
    }
    for (const p of cond.paths) this.sourceInfo(p, scope, node);
    return { src, cond };
  }

  path(node: unknown, scope: Scope): { path: ParsedPath; type: ValueType; enum?: unknown[]; schema?: SchemaJson } | undefined {
    const text = this.text(node, 'a source path');
    if (text === undefined) return undefined;
    const path = parsePath(text);
    if (typeof path === 'string') {
      this.report('MAP2006', node, path);
      return undefined;
    }
    const info = this.sourceInfo(path, scope, node);
    return { path, ...info };
  }

  sourceInfo(path: ParsedPath, scope: Scope, node: unknown): { type: ValueType; enum?: unknown[]; schema?: SchemaJson } {
    if (path.base === 'index') {
      if (!scope.inEach) this.report('MAP2006', node, '$index is only defined inside a block with `each:`');
      return { type: 'integer' };
    }
    if (!this.source) return { type: 'any' };
    const start = path.base === 'root' ? scope.root : scope.item;
    if (!start) return { type: 'any' };
    const info = this.source.lookup(start, path.segments);
    if (info === undefined) {
      this.report(
        'MAP2006',
        node,
        `source path "${path.text}" does not exist in the source description${scope.inEach && path.base === 'item' ? ' (relative to the `each` item; use $. for the record)' : ''}`,
      );
      return { type: 'any' };
    }
    if (info === 'open') return { type: 'any' };
    return { type: info.type, enum: info.enum, schema: info.node };
  }

  table(node: unknown, name?: string): Table | undefined {
    if (!isMap(node)) {
      this.report('MAP1006', node, `a translation table must be a mapping of source values to codes`);
      return undefined;
    }
    const t: Table = { name, entries: new Map(), at: this.at(node) };
    for (const e of entries(node)) {
      if (!isScalar(e.value) || e.value.value === null || typeof e.value.value === 'object' || typeof e.value.value === 'boolean') {
        this.report('MAP1006', e.value ?? e.keyNode, `table entry "${e.key}" must map to a single code`);
        continue;
      }
      const v = e.value.value as string | number;
      if (e.key === '*') t.fallback = v;
      else t.entries.set(e.key, v);
    }
    return t;
  }

  /** Every value a table may produce must be acceptable to the attribute. */
  tableTargets(node: unknown, t: Table, attr: TargetAttribute): void {
    const tableNode = isMap(node) ? node : undefined;
    const check = (v: string | number, at: unknown, key: string) => {
      const vv = attr.kind === 'integer' || attr.kind === 'nonNegativeInteger' || typeof v !== 'number' ? v : String(v);
      const problem = constantProblem(vv, attr);
      if (problem)
        this.report(attr.kind === 'coded' ? 'MAP2003' : 'MAP2012', at, `table ${t.name ? `"${t.name}" ` : ''}maps "${key}" to ${JSON.stringify(v)}, but ${attr.name}: ${problem}`);
    };
    const nodes = new Map(tableNode ? entries(tableNode).map((e) => [e.key, e.value]) : []);
    for (const [k, v] of t.entries) check(v, nodes.get(k) ?? node, k);
    if (t.fallback !== undefined) check(t.fallback, nodes.get('*') ?? node, '*');
  }
}

/** Why a constant cannot be sent as this attribute, or undefined when it can. */
export function constantProblem(v: string | number, attr: TargetAttribute): string | undefined {
  if (attr.fixed !== undefined && v !== attr.fixed) return `the spec fixes it to ${JSON.stringify(attr.fixed)}`;
  if (attr.values && !attr.values.includes(v)) return `not one of ${attr.values.map((x) => JSON.stringify(x)).join(', ')}`;
  switch (attr.kind) {
    case 'number':
      return typeof v === 'number' ? undefined : 'must be a number';
    case 'boolean':
      return 'must be true or false: map it from a source field (a constant true/false is not supported)';
    case 'dateTimeOffset':
      return typeof v === 'string' && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(v)
        ? undefined
        : 'must be a date-time with offset, e.g. 2024-05-10T17:08:31+02:00';
    case 'coded':
      if (typeof v !== 'string' || !attr.codes?.has(v)) {
        const list = [...(attr.codes?.keys() ?? [])];
        return `not a code of ${attr.codelist ? `code list ${attr.codelist.number}${attr.codelist.name ? ` ${attr.codelist.name}` : ''}` : 'the code list'} (accepted: ${list.slice(0, 30).join(', ')}${list.length > 30 ? ', …' : ''})`;
      }
      return undefined;
    case 'integer':
    case 'nonNegativeInteger':
      if (typeof v !== 'number' || !Number.isInteger(v)) return 'must be a whole number';
      if (attr.kind === 'nonNegativeInteger' && v < 0) return 'must not be negative';
      return undefined;
    case 'date':
      return typeof v === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(v) ? undefined : 'must be a date YYYY-MM-DD';
    case 'dateTime':
      return typeof v === 'string' && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/.test(v) ? undefined : 'must be a local date-time YYYY-MM-DDTHH:MM:SS';
    case 'guid':
      return typeof v === 'string' && /^\{?[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\}?$/.test(v) ? undefined : 'must be a GUID';
    default:
      if (typeof v !== 'string') return 'must be a text';
      if (attr.maxLength !== undefined && v.length > attr.maxLength) return `longer than ${attr.maxLength} characters`;
      if (attr.minLength !== undefined && v.length < attr.minLength) return `shorter than ${attr.minLength} characters`;
      if (attr.pattern && !new RegExp(attr.pattern, 'u').test(v)) return `does not match ${attr.pattern}`;
      return undefined;
  }
}

/** Why a value of type `t` cannot go into the attribute, with the transform that would fix it. */
export function typeProblem(t: ValueType, attr: TargetAttribute): string | undefined {
  if (t === 'any') return undefined;
  // JSON message types' own kinds.
  if (attr.kind === 'boolean') return t === 'boolean' ? undefined : `a ${t} cannot be sent as true/false (use a table: map: { J: true, N: false })`;
  if (attr.kind === 'number') return t === 'number' || t === 'integer' ? undefined : `a ${t} cannot be sent as a number (add transform number)`;
  if (attr.kind === 'dateTimeOffset') {
    if (t === 'instant' || t === 'string') return undefined;
    return t === 'localDateTime' ? 'a local date-time has no offset: map the UTC timestamp itself' : `a ${t} cannot be sent as a date-time with offset`;
  }
  const numeric = attr.kind === 'integer' || attr.kind === 'nonNegativeInteger';
  if (t === 'array' || t === 'object' || t === 'boolean')
    return `a ${t} cannot be sent as ${attr.kind}${t === 'array' ? ' (use concat, count, or each:)' : t === 'boolean' ? ' (use a table: map: { true: ..., false: ... })' : ''}`;
  if (numeric) {
    if (t === 'integer') return undefined;
    if (t === 'number') return `a number may have decimals, ${attr.name} is a whole number (add transform round or integer)`;
    return `a text cannot be sent as a whole number (add transform integer${t === 'date' || t === 'localDateTime' ? ' or year' : ''})`;
  }
  if (t === 'number' || t === 'integer')
    return `a number cannot be sent as ${attr.kind === 'coded' ? 'a code' : 'a text'} (add transform string${attr.kind === 'coded' ? ', or a table' : ''})`;
  switch (attr.kind) {
    case 'date':
      if (t === 'instant') return 'a UTC timestamp is not a Norwegian date (add transform local-date)';
      if (t === 'localDateTime') return 'a date-time is not a date (add transform date)';
      return undefined;
    case 'dateTime':
      if (t === 'instant') return 'the message wants local Norwegian time without a zone (add transform utc-to-local)';
      if (t === 'date') return 'a date is not a date-time (add transform datetime)';
      return undefined;
    default:
      return undefined;
  }
}

const RULE_KEYS = new Set(['from', 'const', 'table', 'map', 'default', 'when', 'transform']);
const BLOCK_KEYS = new Set(['each', 'where', 'when', 'map']);

function ruleOf(ck: Checker, node: unknown, attr: TargetAttribute, scope: Scope, keyNode: unknown): RulePlan | undefined {
  const rule: RulePlan = { target: attr.name, attr, transforms: [], at: ck.at(keyNode) };
  let type: ValueType = 'any';
  let sourceEnum: unknown[] | undefined;
  if (isScalar(node) && typeof node.value === 'string') {
    const p = ck.path(node, scope);
    if (!p) return undefined;
    rule.from = p.path;
    const problem = typeProblem(p.type, attr);
    if (problem) ck.report('MAP2005', node, `${attr.name} ← ${p.path.text}: ${problem}`);
    return rule;
  }
  if (!isMap(node)) {
    ck.report(
      'MAP1006',
      node ?? keyNode,
      `the rule for ${attr.name} must be a source path or a mapping (from, const, table, map, default, when, transform)`,
      'Constants are written `{ const: 1 }`, so they are never mistaken for source paths.',
    );
    return undefined;
  }
  const es = entries(node);
  for (const e of es) if (!RULE_KEYS.has(e.key)) ck.report('MAP1005', e.keyNode, `unknown key "${e.key}" in the rule for ${attr.name}`);
  const get = (k: string) => es.find((e) => e.key === k);
  const from = get('from');
  const cnst = get('const');
  if (from && cnst) ck.report('MAP1006', cnst.keyNode, `the rule for ${attr.name} has both from and const`);
  if (from) {
    if (isSeq(from.value)) {
      const paths: ParsedPath[] = [];
      for (const item of from.value.items) {
        const p = ck.path(item, scope);
        if (p) paths.push(p.path);
      }
      rule.from = paths;
      type = 'array';
    } else {
      const p = ck.path(from.value, scope);
      if (p) {
        rule.from = p.path;
        type = p.type;
        sourceEnum = p.enum;
      }
    }
  } else if (cnst) {
    rule.constValue = ck.constant(cnst.value, attr, 'const');
  }
  const tr = get('transform');
  if (tr) {
    const items = isSeq(tr.value) ? tr.value.items : [tr.value];
    for (const item of items) {
      const text = ck.text(item, 'a transform');
      if (text === undefined) continue;
      const step = parseTransform(text);
      if (typeof step === 'string') {
        ck.report('MAP2008', item, step);
        continue;
      }
      const next = transformType(step, type);
      if ('error' in next) {
        ck.report('MAP2005', item, `${attr.name}: ${next.error}`);
        type = 'any';
      } else type = next.type;
      rule.transforms.push(step);
    }
    if (!from) ck.report('MAP1006', tr.keyNode, `transform needs a from: to work on`);
  }
  const tableRef = get('table');
  const inline = get('map');
  if (tableRef && inline) ck.report('MAP1006', inline.keyNode, `use either table: or map:, not both`);
  let tableNode: unknown;
  if (tableRef) {
    const name = ck.text(tableRef.value, 'a table name');
    if (name !== undefined) {
      ck.usedTables.add(name);
      rule.table = ck.tables.get(name);
      tableNode = ck.tableNodes.get(name);
      if (!rule.table) ck.report('MAP2007', tableRef.value, `no table "${name}" under tables:${ck.tables.size ? ` (defined: ${[...ck.tables.keys()].join(', ')})` : ''}`);
    }
  } else if (inline) {
    rule.table = ck.table(inline.value);
    tableNode = inline.value;
  }
  if (rule.table) {
    if (!from) ck.report('MAP1006', (tableRef ?? inline)!.keyNode, `a table needs a from: to translate`);
    ck.tableTargets(tableNode, rule.table, attr);
    if (sourceEnum && !rule.transforms.length && rule.table.fallback === undefined) {
      const missing = sourceEnum.filter((v) => !rule.table!.entries.has(String(v)));
      if (missing.length) {
        ck.report(
          'MAP2004',
          (tableRef ?? inline)!.value,
          `${attr.name}: the table has no translation for ${missing.map((m) => JSON.stringify(m)).join(', ')}, which the source may hold`,
        );
      }
    }
    const vals = [...rule.table.entries.values(), ...(rule.table.fallback !== undefined ? [rule.table.fallback] : [])];
    type = vals.every((v) => typeof v === 'string') || attr.kind === 'coded' ? 'string' : vals.every((v) => Number.isInteger(v)) ? 'integer' : 'any';
  }
  const def = get('default');
  if (def) rule.defaultValue = ck.constant(def.value, attr, 'default');
  const when = get('when');
  if (when) rule.when = ck.condition(when.value, 'when', scope);
  if (!from && !cnst && !def) {
    ck.report('MAP1006', node, `the rule for ${attr.name} gives no value: add from:, const: or default:`);
    return undefined;
  }
  if (from) {
    const problem = typeProblem(type, attr);
    if (problem) ck.report('MAP2005', from.value, `${attr.name}: ${problem}`);
  }
  if (attr.required && rule.when && rule.defaultValue === undefined && rule.constValue === undefined) {
    ck.report('MAP2013', when!.keyNode, `${attr.name} is required but mapped only when "${rule.when.src}"`);
  }
  return rule;
}

function isBlock(node: unknown): boolean {
  return isMap(node) && entries(node).some((e) => e.key === 'map' || e.key === 'each');
}

function blockOf(ck: Checker, node: unknown, child: TargetChild, scope: Scope, path: string): BlockPlan | undefined {
  const cls = ck.target.classes.get(child.name)!;
  if (!isBlock(node)) {
    if (!isMap(node)) {
      ck.report('MAP1006', node, `${child.name} must be a mapping of its attributes, or a block with map:`);
      return undefined;
    }
    return { body: classOf(ck, node, cls, scope, node, path), at: ck.at(node) };
  }
  const es = entries(node as YAMLMap);
  for (const e of es) if (!BLOCK_KEYS.has(e.key)) ck.report('MAP1005', e.keyNode, `unknown key "${e.key}" in a block for ${child.name} (each, where, when, map)`);
  const get = (k: string) => es.find((e) => e.key === k);
  const block: Partial<BlockPlan> = { at: ck.at(node) };
  let inner = scope;
  const each = get('each');
  if (each) {
    if (!child.array) ck.report('MAP2011', each.keyNode, `${child.name} occurs at most once; each: would make many`);
    const p = ck.path(each.value, scope);
    if (p) {
      block.each = p.path;
      if (p.type !== 'array' && p.type !== 'any') ck.report('MAP2005', each.value, `each: needs a list, but ${p.path.text} is ${p.type}`);
      inner = { root: scope.root, item: p.schema && ck.source ? ck.source.itemsOf(p.schema) : undefined, inEach: true };
    }
  }
  const where = get('where');
  if (where) {
    if (!each) ck.report('MAP1006', where.keyNode, 'where: filters the items of each:; use when: for a block without each:');
    block.where = ck.condition(where.value, 'where', inner);
  }
  const when = get('when');
  if (when) block.when = ck.condition(when.value, 'when', scope);
  const map = get('map');
  if (!map || !isMap(map.value)) {
    ck.report('MAP1006', map?.value ?? node, `a block for ${child.name} needs map: with its attributes`);
    return undefined;
  }
  block.body = classOf(ck, map.value, cls, inner, map.keyNode, path);
  return block as BlockPlan;
}

function classOf(ck: Checker, node: YAMLMap, cls: TargetClass, scope: Scope, keyNode: unknown, path: string): ClassPlan {
  const rules = new Map<string, RulePlan>();
  const children = new Map<string, ChildPlan>();
  // Attributes with a rule that has its own error: not reported again as unmapped.
  const attempted = new Set<string>();
  for (const e of entries(node)) {
    const attr = cls.attributes.get(e.key);
    if (attr) {
      attempted.add(attr.name);
      const r = ruleOf(ck, e.value, attr, scope, e.keyNode);
      if (r) rules.set(attr.name, r);
      continue;
    }
    const child = cls.children.get(e.key);
    if (child) {
      const blocks: BlockPlan[] = [];
      if (isSeq(e.value)) {
        if (!child.array) ck.report('MAP2011', e.value, `${child.name} occurs at most once; a list of blocks would make many`);
        for (const item of e.value.items) {
          const b = blockOf(ck, item, child, scope, `${path}/${e.key}`);
          if (b) blocks.push(b);
        }
      } else {
        const b = blockOf(ck, e.value, child, scope, `${path}/${e.key}`);
        if (b) blocks.push(b);
      }
      children.set(e.key, { name: e.key, child, blocks });
      continue;
    }
    const known = [...cls.attributes.keys(), ...cls.children.keys()];
    const near = known.find((k) => k.toLowerCase() === e.key.toLowerCase());
    ck.report('MAP2002', e.keyNode, `${cls.name} has no attribute or child "${e.key}"${near ? `; did you mean ${near}?` : ''}`, `${cls.name} has: ${known.join(', ')}`);
  }
  for (const attr of cls.attributes.values()) {
    if (rules.has(attr.name) || attempted.has(attr.name) || !attr.required) continue;
    if (attr.fixed !== undefined) {
      // A fixed value needs no rule: the mapping fills it in.
      rules.set(attr.name, { target: attr.name, attr, constValue: attr.fixed, transforms: [], at: ck.at(keyNode) });
      continue;
    }
    ck.report('MAP2001', keyNode, `${path.slice(1) || cls.name}: required attribute ${attr.name} (${attr.title}) is not mapped`);
  }
  for (const [name, ch] of cls.children) {
    if (ch.min > 0 && !children.has(name))
      ck.report('MAP2010', keyNode, `${path.slice(1) || cls.name}: required child ${name} (${ch.min}${ch.max === 1 ? '' : '..*'}) is not mapped`);
  }
  // Keep the spec's order, so output objects read like the message.
  return {
    className: cls.name,
    rules: [...cls.attributes.keys()].filter((k) => rules.has(k)).map((k) => rules.get(k)!),
    children: [...cls.children.keys()].filter((k) => children.has(k)).map((k) => children.get(k)!),
  };
}

/** Compiles mapping text; `file` names it in diagnostics and anchors relative paths. */
export function compileMappingText(text: string, file: string, opts: CompileOptions = {}): CompileResult {
  const { src, diagnostics } = parseMappingYaml(text, file);
  if (hasMappingErrors(diagnostics)) return { diagnostics };
  const top = src.doc.contents;
  if (!isMap(top)) return { diagnostics: [mdiag('MAP1006', posOf(src, top), 'a mapping file is a YAML mapping starting with spec:')] };
  const es = entries(top);
  const get = (k: string) => es.find((e) => e.key === k);
  const specEntry = get('spec');
  const specText = specEntry && isScalar(specEntry.value) ? String(specEntry.value.value) : undefined;
  if (!specText || !parseSpecRef(specText)) {
    return { diagnostics: [mdiag('MAP1003', posOf(src, specEntry?.value ?? top), specText ? `"${specText}" is not of the form message@version` : 'missing spec: line')] };
  }
  const specRef = opts.spec ?? specText;
  const target = opts.target ?? loadTarget(specRef, opts.generated);
  if (!target) return { diagnostics: [mdiag('MAP1004', posOf(src, specEntry!.value), `${specRef} has not been generated`)] };
  const ck = new Checker(src, target);
  let sourceSchemaFile: string | undefined;
  let sourceId: ParsedPath | undefined;
  const source = get('source');
  if (source) {
    if (!isMap(source.value)) ck.report('MAP1006', source.value, 'source: is a mapping with schema: and id:');
    else
      for (const e of entries(source.value)) {
        if (e.key === 'schema') {
          const rel = ck.text(e.value, 'source.schema');
          if (rel === undefined) continue;
          sourceSchemaFile = resolve(dirname(resolve(file)), rel);
          try {
            if (!existsSync(sourceSchemaFile)) throw new Error(`${rel}: no such file`);
            ck.source = new SourceSchema(JSON.parse(readFileSync(sourceSchemaFile, 'utf8')));
          } catch (err) {
            ck.report('MAP1007', e.value, `cannot read the source description: ${(err as Error).message}`);
          }
        } else if (e.key === 'id') {
          const p = ck.path(e.value, { root: undefined, item: undefined, inEach: false });
          if (p) sourceId = p.path;
        } else ck.report('MAP1005', e.keyNode, `unknown key "${e.key}" under source: (schema, id)`);
      }
  }
  const scope: Scope = { root: ck.source?.root, item: ck.source?.root, inEach: false };
  if (sourceId && ck.source) ck.sourceInfo(sourceId, scope, get('source')!.value);
  const tableNodes = ck.tableNodes;
  const tables = get('tables');
  if (tables) {
    if (!isMap(tables.value)) ck.report('MAP1006', tables.value, 'tables: is a mapping of table names to tables');
    else
      for (const e of entries(tables.value)) {
        const t = ck.table(e.value, e.key);
        if (t) {
          ck.tables.set(e.key, t);
          tableNodes.set(e.key, e.value);
        }
      }
  }
  const classKeys = es.filter((e) => target.classes.has(e.key));
  for (const e of es) {
    if (['spec', 'source', 'tables', 'annul'].includes(e.key) || target.classes.has(e.key)) continue;
    ck.report('MAP1005', e.keyNode, `unknown top-level key "${e.key}" (spec, source, tables, annul, or the class the mapping produces, e.g. Konsultasjon)`);
  }
  if (classKeys.length !== 1) {
    ck.report(
      'MAP1006',
      classKeys[1]?.keyNode ?? top,
      classKeys.length ? 'a mapping produces one class: map the others as its children' : 'no class to produce: add e.g. Konsultasjon:',
    );
    return { diagnostics: sortMappingDiagnostics(ck.diags.concat(diagnostics)) };
  }
  const rootEntry = classKeys[0];
  const cls = target.classes.get(rootEntry.key)!;
  let root: ClassPlan = { className: cls.name, rules: [], children: [] };
  if (!isMap(rootEntry.value)) ck.report('MAP1006', rootEntry.value, `${cls.name}: must be a mapping of its attributes and children`);
  else root = classOf(ck, rootEntry.value, cls, scope, rootEntry.keyNode, '');
  let annul: MappingPlan['annul'];
  const annulEntry = get('annul');
  if (annulEntry) {
    if (!isMap(annulEntry.value)) ck.report('MAP1006', annulEntry.value, 'annul: is a mapping with when: and the attributes that name the consultation');
    else {
      const ae = entries(annulEntry.value);
      const whenE = ae.find((e) => e.key === 'when');
      const when = whenE ? ck.condition(whenE.value, 'when', scope) : undefined;
      if (!whenE) ck.report('MAP1006', annulEntry.keyNode, 'annul: needs when:, the condition that marks a deleted record');
      const rules: RulePlan[] = [];
      for (const e of ae) {
        if (e.key === 'when') continue;
        const attr = cls.attributes.get(e.key);
        if (!attr) {
          ck.report('MAP2002', e.keyNode, `${cls.name} has no attribute "${e.key}" (annul: maps only attributes that identify the consultation)`);
          continue;
        }
        const r = ruleOf(ck, e.value, attr, scope, e.keyNode);
        if (r) rules.push(r);
      }
      if (when) annul = { when, body: { className: cls.name, rules, children: [] } };
    }
  }
  for (const name of ck.tables.keys()) {
    if (!ck.usedTables.has(name))
      ck.report(
        'MAP2014',
        tableNodes.get(name) ? (tables!.value as YAMLMap).items.find((p) => isScalar(p.key) && p.key.value === name)?.key : tables!.keyNode,
        `table "${name}" is never used`,
      );
  }
  const diags = sortMappingDiagnostics(ck.diags.concat(diagnostics));
  if (hasMappingErrors(diags)) return { diagnostics: diags };
  return {
    diagnostics: diags,
    plan: { file, spec: specRef, target, rootClass: cls.name, root, sourceId, annul, tables: ck.tables, sourceSchemaFile },
  };
}

export function compileMappingFile(file: string, opts: CompileOptions = {}): CompileResult {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    return { diagnostics: [mdiag('MAP1002', { file, line: 1, col: 1 }, `cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`)] };
  }
  return compileMappingText(text, file, opts);
}
