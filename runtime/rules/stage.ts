// The rules as a stage of their own, which every record passes whatever produced it (the
// vendor's mapping or passthrough records): the generated validator, the semantic rules, then the
// consequence policy. A record comes out sendable (perhaps with values the receiver would have
// set, and warnings) or held back with everything found.

import { schemaRule } from './catalogue.ts';
import type { Consequence } from '../spec/consequence.ts';
import { worstFirst, type Issue } from './issue.ts';
import { attributeAt, settle, xsdAccepts, type Profile } from './policy.ts';
import type { RuleContext } from './semantic.ts';
import type { Target } from '../spec/target.ts';

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
    const published: Consequence | undefined = identity
      ? undefined
      : e.keyword === 'required'
        ? c?.required
        : e.keyword === 'enum'
          ? c?.code?.consequence
          : c?.datatype?.consequence;
    const field =
      path
        .split('/')
        .filter((p) => p && !/^\d+$/.test(p))
        .pop() ?? rootClass;
    // An attribute without a published control: the kit holds the record (the XSD may refuse it).
    return {
      path,
      rule: schemaRule(e.keyword),
      message: `${field}: ${e.message ?? e.keyword}`,
      consequence: published ?? (identity ? 'discard-message' : 'discard-row'),
      severity: 'error' as const,
      published: !!published,
    };
  });
}

const published = new Map<string, RegExp | null>();
/** The published datatype regex, as the receiver would run it: characters ("tegn"), not UTF-16 units. */
function publishedRegex(source: string): RegExp | null {
  let r = published.get(source);
  if (r === undefined) {
    try {
      r = new RegExp(source, 'u');
    } catch {
      // `\-` and the like are not valid escapes with the u flag: the receiver's engine takes them.
      try {
        r = new RegExp(source);
      } catch {
        r = null;
      }
    }
    published.set(source, r);
  }
  return r;
}

function valueAt(root: Record<string, unknown>, pointer: string): unknown {
  let o: unknown = root;
  for (const p of pointer.split('/').slice(1)) {
    if (o === null || typeof o !== 'object') return undefined;
    o = (o as Record<string, unknown>)[p];
  }
  return o;
}

/**
 * Where the kit's schema is stricter than both the official XSD and the receiver's published
 * datatype control (its digit patterns without the published `-?`, lengths counted in UTF-16
 * units where the published "max N tegn" counts characters, a dateTime with a time zone or
 * fractional seconds that the unanchored published regex and the XSD take), the finding is
 * dropped: the value is what the receiver accepts.
 */
function strictOnlyHere(target: Target, rootClass: string, value: Record<string, unknown>, i: Issue, keyword: string): boolean {
  if (keyword !== 'pattern' && keyword !== 'maxLength' && keyword !== 'minLength') return false;
  const attr = attributeAt(target, rootClass, i.path);
  const datatype = attr?.controls.datatype;
  if (!attr || !datatype) return false;
  const v = valueAt(value, i.path);
  if (typeof v !== 'string' || !xsdAccepts(attr, v)) return false;
  // "Dato og tid evt. med millisekunder eller tidssone" publishes no regex: the XSD's dateTime.
  if (!datatype.regex) return attr.kind === 'dateTime' || attr.kind === 'date';
  const r = publishedRegex(datatype.regex);
  return !!r && r.test(v);
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
      const errors = validate.errors ?? [];
      schemaIssues(target, rootClass, errors).forEach((i, n) => {
        if (!known?.has(i.path) && !strictOnlyHere(target, rootClass, value, i, errors[n]!.keyword)) issues.push(i);
      });
    }
    for (const i of rules(value, ctx)) issues.push(i);
    if (!issues.length) return { ok: true, warnings: issues };
    if (!settle(target, rootClass, value, issues, profile)) return { ok: false, issues: worstFirst(issues) };
    // What is left for the validator are the places the kit is stricter than the XSD and the
    // published consequence decided; anything else (never expected) holds the record.
    if (!validate(value)) {
      const settled = new Set(issues.map((i) => i.path));
      const errors = validate.errors ?? [];
      const rest = schemaIssues(target, rootClass, errors).filter((i, n) => !settled.has(i.path) && !strictOnlyHere(target, rootClass, value, i, errors[n]!.keyword));
      if (rest.length) {
        for (const i of rest) i.action = 'held';
        return { ok: false, issues: worstFirst([...rest, ...issues]) };
      }
    }
    return { ok: true, warnings: issues };
  };
}
