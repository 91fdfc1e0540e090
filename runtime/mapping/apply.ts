// Applying a mapping with the receiver's rules: one source record in, one Konsultasjon (JSON form)
// or one rejection out. Validation is the generated validator plus the semantic rules; every
// failure is reported with its JSON path, rule id and the receiver's consequence. This is the
// library call the runtime uses (`const m = await loadMapping(file); m.apply(record)`), and the
// heart of `kpr map`.

import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { compileSemanticRules, type RuleContext } from '../rules/semantic.ts';
import { makeRuleStage, type RuleStage, type Validate } from '../rules/stage.ts';
import type { Profile } from '../rules/policy.ts';
import { worstFirst, type Issue } from '../rules/issue.ts';
import type { Consequence } from '../spec/consequence.ts';
import { buildMapping, type BuiltMapping, type MapContext } from './build.ts';
import { compileMappingFile, type CompileOptions, type MappingPlan } from './compile.ts';
import { MappingError, type MappingDiagnostic } from './diagnostics.ts';
import type { JsonWriter } from './json-writer.ts';
import { osloToday } from '../time/oslo.ts';
import { classTypeName, type Target } from '../spec/target.ts';

export type { Validate } from '../rules/stage.ts';
export { schemaIssues } from '../rules/stage.ts';

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
  /** The consequence policy (docs/consequences.md): the receiver's (default) or strict. */
  profile?: Profile;
  /** The enhetIDs the Melding reports (kpr.yaml sender.Kommune[].Enhet): RefEnhet must name one. */
  enhetIds?: ReadonlySet<string>;
  /** A production profile: synthetic (Tenor) numbers are held back (REC4007). */
  production?: boolean;
}

export interface Mapper {
  plan: MappingPlan;
  diagnostics: MappingDiagnostic[];
  apply(record: unknown): MapResult;
}

/** The generated validator of one class, loaded from the target's validator.js. */
export async function loadValidator(target: Target, className: string): Promise<Validate> {
  const mod = (await import(pathToFileURL(join(target.dir, 'validator.js')).href)) as Record<string, Validate>;
  const name = `validate${classTypeName(className)}`;
  const v = mod[name];
  if (typeof v !== 'function') throw new Error(`${target.id}: validator.js has no ${name}`);
  return v;
}

/** Compiles, builds and equips a mapping for applying; throws MappingError when it has errors. */
export async function loadMapping(file: string, opts: CompileOptions & ApplyOptions = {}): Promise<Mapper> {
  const { plan, diagnostics } = compileMappingFile(file, opts);
  if (!plan) throw new MappingError(diagnostics);
  const built = buildMapping(plan);
  const validate = await loadValidator(plan.target, plan.rootClass);
  const rules = compileSemanticRules(plan.target, plan.rootClass);
  const ctx: RuleContext = { extractDate: opts.extractDate ?? osloToday(), melding: opts.melding, enhetIds: opts.enhetIds, production: opts.production };
  return { plan, diagnostics, apply: makeApply(built, makeRuleStage(plan.target, plan.rootClass, validate, rules, ctx, opts.profile)) };
}

export function makeApply(built: BuiltMapping, stage: RuleStage): (record: unknown) => MapResult {
  const write = built.write;
  return (record) => {
    const sourceId = built.sourceId(record);
    const mc: MapContext = { issues: [] };
    if (built.annul) {
      const a = built.annul(record, mc);
      if (a) return mc.issues.length ? { ok: false, sourceId, issues: worstFirst(mc.issues), value: a } : { ok: true, kind: 'annul', sourceId, value: a, warnings: [] };
    }
    const value = built.map(record, mc);
    const r = stage(value, mc.issues);
    if (!r.ok) return { ok: false, sourceId, issues: r.issues, value };
    return { ok: true, kind: 'konsultasjon', sourceId, value, warnings: r.warnings, write };
  };
}

export function rejectionOf(issues: Issue[], sourceId: string | undefined, line: number | undefined): Rejection {
  const [first] = issues;
  const r: Rejection = { sourceId, line, path: first.path, rule: first.rule, message: first.message, consequence: first.consequence };
  if (issues.length > 1) r.issues = issues;
  return r;
}
