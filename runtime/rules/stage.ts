// The rules as a stage of their own, which every record passes whatever produced it (the
// vendor's mapping or passthrough records): the generated validator, the semantic rules, then the
// consequence policy. A record comes out sendable (perhaps with values the receiver would have
// set, and warnings) or held back with everything found.

import { schemaRule } from './catalogue.ts';
import { worstFirst, type Consequence, type Issue } from './issue.ts';
import { attributeAt, settle, type Profile } from './policy.ts';
import type { RuleContext } from './semantic.ts';
import type { Target } from '../mapping/target.ts';

/** A generated Ajv validator: returns true or sets `errors`. */
export interface Validate {
  (data: unknown): boolean;
  errors?: { instancePath: string; keyword: string; message?: string; params: Record<string, unknown> }[] | null;
}

export type StageResult = { ok: true; warnings: Issue[] } | { ok: false; issues: Issue[] };

export type RuleStage = (value: Record<string, unknown>, found?: Issue[]) => StageResult;

/** Ajv's errors as issues, with the consequence the receiver publishes for that attribute. */
export function schemaIssues(target: Target, rootClass: string, errors: NonNullable<Validate['errors']>): Issue[] {
  return errors.map((e) => {
    let path = e.instancePath;
    if (e.keyword === 'required') path += `/${String(e.params.missingProperty)}`;
    if (e.keyword === 'additionalProperties') path += `/${String(e.params.additionalProperty)}`;
    const attr = attributeAt(target, rootClass, path);
    const c = attr?.controls;
    // Identity constraints have no published control: a duplicate costs the Melding at the XSD.
    const identity = e.keyword === 'unique' || e.keyword === 'keyref';
    const published: Consequence | undefined = identity ? undefined : e.keyword === 'required' ? c?.required : e.keyword === 'enum' ? c?.code?.consequence : c?.datatype?.consequence;
    const field = path.split('/').filter((p) => p && !/^\d+$/.test(p)).pop() ?? rootClass;
    // An attribute without a published control: the kit holds the record (the XSD may refuse it).
    return { path, rule: schemaRule(e.keyword), message: `${field}: ${e.message ?? e.keyword}`, consequence: published ?? (identity ? 'discard-message' : 'discard-row'), severity: 'error' as const, published: !!published };
  });
}

export function makeRuleStage(
  target: Target,
  rootClass: string,
  validate: Validate,
  rules: (obj: Record<string, unknown>, ctx: RuleContext) => Issue[],
  ctx: RuleContext,
  profile: Profile = 'receiver',
): RuleStage {
  return (value, found = []) => {
    const issues = found;
    if (!validate(value)) {
      // An attribute the mapping could not fill is also missing to the validator: say it once.
      const known = issues.length ? new Set(issues.map((i) => i.path)) : undefined;
      for (const i of schemaIssues(target, rootClass, validate.errors ?? [])) if (!known?.has(i.path)) issues.push(i);
    }
    for (const i of rules(value, ctx)) issues.push(i);
    if (!issues.length) return { ok: true, warnings: issues };
    if (!settle(target, rootClass, value, issues, profile)) return { ok: false, issues: worstFirst(issues) };
    // What is left for the validator are the places the kit is stricter than the XSD and the
    // published consequence decided; anything else (never expected) holds the record.
    if (!validate(value)) {
      const settled = new Set(issues.map((i) => i.path));
      const rest = schemaIssues(target, rootClass, validate.errors ?? []).filter((i) => !settled.has(i.path));
      if (rest.length) {
        for (const i of rest) i.action = 'held';
        return { ok: false, issues: worstFirst([...rest, ...issues]) };
      }
    }
    return { ok: true, warnings: issues };
  };
}
