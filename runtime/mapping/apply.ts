// Applying a mapping with the receiver's rules: one source record in, one Konsultasjon (JSON form)
// or one rejection out. Validation is the generated validator plus the semantic rules; every
// failure is reported with its JSON path, rule id and the receiver's consequence. This is the
// library call the runtime uses (`const m = await loadMapping(file); m.apply(record)`), and the
// heart of `kpr map`.

import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { compileSemanticRules, type RuleContext } from '../rules/semantic.ts';
import { schemaRule } from '../rules/catalogue.ts';
import { worstFirst, type Consequence, type Issue } from '../rules/issue.ts';
import { buildMapping, type BuiltMapping, type MapContext } from './build.ts';
import { compileMappingFile, type CompileOptions, type MappingPlan } from './compile.ts';
import { formatMappingDiagnostic, type MappingDiagnostic } from './diagnostics.ts';
import type { JsonWriter } from './json-writer.ts';
import { osloToday } from './oslo-time.ts';
import { classTypeName, type Target, type TargetAttribute } from './target.ts';

/** A generated Ajv validator: returns true or sets `errors`. */
export interface Validate {
  (data: unknown): boolean;
  errors?: { instancePath: string; keyword: string; message?: string; params: Record<string, unknown> }[] | null;
}

export type MapResult =
  /** `write`, when there: writes `value` as its JSON text into a byte buffer (what `kpr map` outputs). */
  | { ok: true; kind: 'konsultasjon'; sourceId?: string; value: Record<string, unknown>; warnings: Issue[]; write?: JsonWriter }
  | { ok: true; kind: 'annul'; sourceId?: string; value: Record<string, unknown>; warnings: Issue[] }
  /** `value`: what the mapping made of the record, when it got that far: the runtime links the
   *  rejection to its konsultasjonID, so a corrected later version clears it. */
  | { ok: false; sourceId?: string; issues: Issue[]; value?: Record<string, unknown> };

/** One line of rejects.ndjson: the worst issue first, all of them in `issues`. */
export interface Rejection {
  sourceId?: string;
  line?: number;
  path: string;
  rule: string;
  message: string;
  consequence: Consequence;
  issues?: Issue[];
}

export interface ApplyOptions {
  /** The extract date (uttakDato), `YYYY-MM-DD`; default today in Oslo. */
  extractDate?: string;
  melding?: Record<string, unknown>;
}

export interface Mapper {
  plan: MappingPlan;
  diagnostics: MappingDiagnostic[];
  apply(record: unknown): MapResult;
}

export class MappingError extends Error {
  constructor(readonly diagnostics: MappingDiagnostic[]) {
    super(`the mapping has errors:\n${diagnostics.map((d) => formatMappingDiagnostic(d)).join('\n')}`);
  }
}

/** The generated validator of one class, loaded from the target's validator.js. */
export async function loadValidator(target: Target, className: string): Promise<Validate> {
  const mod = (await import(pathToFileURL(join(target.dir, 'validator.js')).href)) as Record<string, Validate>;
  const name = `validate${classTypeName(className)}`;
  const v = mod[name];
  if (typeof v !== 'function') throw new Error(`${target.id}: validator.js has no ${name}`);
  return v;
}

/** The attribute a JSON pointer inside the root class ends on, if any. */
function attributeAt(target: Target, rootClass: string, pointer: string): TargetAttribute | undefined {
  let cls = target.classes.get(rootClass);
  const parts = pointer.split('/').slice(1);
  for (let i = 0; i < parts.length && cls; i++) {
    const p = parts[i];
    const child = cls.children.get(p);
    if (child) {
      cls = target.classes.get(child.name);
      if (child.array) i++;
      continue;
    }
    return i === parts.length - 1 ? cls.attributes.get(p) : undefined;
  }
  return undefined;
}

/** Ajv's errors as issues, with the consequence the receiver publishes for that attribute. */
export function schemaIssues(target: Target, rootClass: string, errors: NonNullable<Validate['errors']>): Issue[] {
  return errors.map((e) => {
    let path = e.instancePath;
    if (e.keyword === 'required') path += `/${String(e.params.missingProperty)}`;
    if (e.keyword === 'additionalProperties') path += `/${String(e.params.additionalProperty)}`;
    const attr = attributeAt(target, rootClass, path);
    const c = attr?.controls;
    const consequence: Consequence =
      (e.keyword === 'required' ? c?.required : e.keyword === 'enum' ? c?.code?.consequence : c?.datatype?.consequence) ?? 'discard-row';
    const field = path.split('/').filter((p) => p && !/^\d+$/.test(p)).pop() ?? rootClass;
    return { path, rule: schemaRule(e.keyword), message: `${field}: ${e.message ?? e.keyword}`, consequence, severity: 'error' as const };
  });
}

/** Compiles, builds and equips a mapping for applying; throws MappingError when it has errors. */
export async function loadMapping(file: string, opts: CompileOptions & ApplyOptions = {}): Promise<Mapper> {
  const { plan, diagnostics } = compileMappingFile(file, opts);
  if (!plan) throw new MappingError(diagnostics);
  const built = buildMapping(plan);
  const validate = await loadValidator(plan.target, plan.rootClass);
  const rules = compileSemanticRules(plan.target, plan.rootClass);
  const ctx: RuleContext = { extractDate: opts.extractDate ?? osloToday(), melding: opts.melding };
  return { plan, diagnostics, apply: makeApply(plan, built, validate, rules, ctx) };
}

export function makeApply(
  plan: MappingPlan,
  built: BuiltMapping,
  validate: Validate,
  rules: (obj: Record<string, unknown>, ctx: RuleContext) => Issue[],
  ctx: RuleContext,
): (record: unknown) => MapResult {
  const { target, rootClass } = plan;
  const write = built.write;
  return (record) => {
    const sourceId = built.sourceId(record);
    const mc: MapContext = { issues: [] };
    if (built.annul) {
      const a = built.annul(record, mc);
      if (a) return mc.issues.length ? { ok: false, sourceId, issues: worstFirst(mc.issues), value: a } : { ok: true, kind: 'annul', sourceId, value: a, warnings: [] };
    }
    const value = built.map(record, mc);
    const issues = mc.issues;
    if (!validate(value)) {
      // An attribute the mapping could not fill is also missing to the validator: say it once.
      const known = issues.length ? new Set(issues.map((i) => i.path)) : undefined;
      for (const i of schemaIssues(target, rootClass, validate.errors ?? [])) if (!known?.has(i.path)) issues.push(i);
    }
    const semantic = rules(value, ctx);
    const warnings: Issue[] = [];
    for (const i of semantic) (i.severity === 'warning' ? warnings : issues).push(i);
    if (issues.length) return { ok: false, sourceId, issues: worstFirst(issues), value };
    return { ok: true, kind: 'konsultasjon', sourceId, value, warnings, write };
  };
}

export function rejectionOf(issues: Issue[], sourceId: string | undefined, line: number | undefined): Rejection {
  const [first] = issues;
  const r: Rejection = { sourceId, line, path: first.path, rule: first.rule, message: first.message, consequence: first.consequence };
  if (issues.length > 1) r.issues = issues;
  return r;
}
