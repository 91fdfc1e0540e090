// The receiver's rules and a careful sender's checks on a mapped Konsultasjon (or any class of
// the message), beyond what the JSON Schema can say: check digits of fødselsnummer, D- and
// H-numbers and organisation numbers; codes valid on the consultation date; dates not after the
// extract date; periods in order; plausible growth. Compiled once per target into one walk over
// only the attributes that have a check.
//
// Rule ids are stable (rejections name them): fnr-check-digit, person-id-type-mismatch,
// orgnr-check-digit, hpr-format, kommunenummer-format, code-not-valid-on-date,
// date-after-extract, period-order, growth-implausible (a warning).

import type { Target, TargetAttribute, TargetClass } from '../mapping/target.ts';
import { classifyPersonId, isValidHprNummer, isValidKommunenummer, isValidOrganisasjonsnummer } from './identifiers.ts';
import { growthKindOf, growthProblem, growthValue } from './growth.ts';
import type { Consequence, Issue } from './issue.ts';

export interface RuleContext {
  /** The extract date (uttakDato), `YYYY-MM-DD`: no date in the record may be after it. */
  extractDate: string;
  /** Melding attributes, when known (for XPaths such as /Melding/@tilDatoPeriode). */
  melding?: Record<string, unknown>;
}

type Obj = Record<string, unknown>;

/** One node of the walk: the object, its parent, and the root (Konsultasjon). */
interface Here {
  obj: Obj;
  parent: Obj | undefined;
  root: Obj;
  /** Where the object is, kept in parts: the JSON path is only built when an issue needs it. */
  up: Here | undefined;
  key: string;
  index: number;
  issues: Issue[];
  ctx: RuleContext;
  extractEnd: string;
}

type AttrCheck = (value: unknown, here: Here) => void;

// The fid check and the growth check both read the same number: classify it once per record.
let lastId = '';
let lastInfo: ReturnType<typeof classifyPersonId> = { ok: false, reason: 'not-11-digits' };
function classify(id: string): ReturnType<typeof classifyPersonId> {
  if (id !== lastId) {
    lastInfo = classifyPersonId(id);
    lastId = id;
  }
  return lastInfo;
}

const TYPE_ID_KIND: Record<string, 'fnr' | 'dnr' | 'hnr'> = { '1': 'fnr', '2': 'dnr', '3': 'hnr' };
const KIND_TEXT = { fnr: 'fødselsnummer', dnr: 'D-nummer', hnr: 'H-nummer' } as const;

function pathOf(here: Here | undefined): string {
  if (!here || !here.up) return '';
  return `${pathOf(here.up)}/${here.key}${here.index >= 0 ? `/${here.index}` : ''}`;
}

function push(here: Here, name: string, rule: string, message: string, consequence: Consequence, severity: 'error' | 'warning' = 'error') {
  here.issues.push({ path: `${pathOf(here)}/${name}`, rule, message, consequence, severity });
}

/** Resolves a published XPath (/Melding/@x, ./@x, @x, ../@x) to a value, if this walk can see it. */
function xpathValue(xpath: string | undefined, here: Here): unknown {
  if (!xpath) return undefined;
  let m = /^\/Melding\/@(\w+)$/.exec(xpath);
  if (m) return m[1] === 'uttakDato' ? (here.ctx.melding?.uttakDato ?? here.ctx.extractDate) : here.ctx.melding?.[m[1]];
  // ./@x, @x, and ./x (published so for formKonsultasjon) all mean this element's attribute.
  m = /^(?:\.\/)?@?(\w+)$/.exec(xpath);
  if (m) return here.obj[m[1]];
  m = /^\.\.\/@(\w+)$/.exec(xpath);
  if (m) return here.parent?.[m[1]];
  return undefined;
}

const dateOf = (v: unknown) => (typeof v === 'string' && /^\d{4}-\d{2}-\d{2}/.test(v) ? v.slice(0, 10) : undefined);

function checksFor(attr: TargetAttribute, cls: TargetClass): AttrCheck[] {
  const name = attr.name;
  const checks: AttrCheck[] = [];
  const datatype = attr.controls.datatype?.consequence ?? 'discard-row';

  // Identifiers, by their official attribute names.
  if (name === 'fid' && cls.attributes.has('typeID')) {
    checks.push((v, here) => {
      const want = TYPE_ID_KIND[String(here.obj.typeID)];
      if (!want || typeof v !== 'string') return;
      const info = classify(v);
      if (!info.ok) push(here, name, 'fnr-check-digit', `fid is not a valid ${KIND_TEXT[want]} (${info.reason})`, 'discard-row');
      else if (info.kind !== want) push(here, name, 'person-id-type-mismatch', `fid is a ${KIND_TEXT[info.kind]}, but typeID ${String(here.obj.typeID)} says ${KIND_TEXT[want]}`, 'discard-row');
    });
  }
  if (/^(orgNr|kommuneOrgNr|\w+OrgNr)$/.test(name)) {
    checks.push((v, here) => {
      if (typeof v === 'string' && !isValidOrganisasjonsnummer(v)) push(here, name, 'orgnr-check-digit', `${name} ${JSON.stringify(v)} is not a valid organisasjonsnummer`, datatype);
    });
  }
  if (name === 'helsepersonHPR') {
    checks.push((v, here) => {
      if (typeof v === 'string' && !isValidHprNummer(v)) push(here, name, 'hpr-format', `helsepersonHPR must be 1 to 9 digits`, datatype);
    });
  }
  if (name === 'kommuneNr') {
    checks.push((v, here) => {
      if (typeof v === 'string' && !isValidKommunenummer(v)) push(here, name, 'kommunenummer-format', `kommuneNr ${JSON.stringify(v)} is not a kommunenummer`, datatype);
    });
  }

  // Dates: never after the extract date; and the published ranges between attributes.
  if (attr.kind === 'date' || attr.kind === 'dateTime') {
    const range = attr.controls.range;
    const extractConsequence = range?.to === '/Melding/@uttakDato' ? range.consequence : (range?.consequence ?? 'discard-row');
    checks.push((v, here) => {
      // A date or date-time is after the extract date exactly when it sorts after "<date>\uffff".
      if (typeof v === 'string' && v > here.extractEnd && dateOf(v)) push(here, name, 'date-after-extract', `${name} ${v} is after the extract date ${here.ctx.extractDate}`, extractConsequence);
    });
    if (range?.from) {
      checks.push((v, here) => {
        const bound = xpathValue(range.from, here);
        if (typeof v === 'string' && typeof bound === 'string' && v < bound) push(here, name, 'period-order', `${name} ${v} is before ${range.from} ${bound}`, range.consequence);
      });
    }
    if (range?.to && range.to !== '/Melding/@uttakDato') {
      checks.push((v, here) => {
        const bound = xpathValue(range.to, here);
        if (typeof v === 'string' && typeof bound === 'string' && v > bound) push(here, name, 'period-order', `${name} ${v} is after ${range.to} ${bound}`, range.consequence);
      });
    }
  }

  // Codes valid on the date the receiver checks them against: the published XPath where this
  // walk can resolve it, else the consultation's date.
  if (attr.kind === 'coded' && attr.codeValidity?.size) {
    const validity = attr.codeValidity;
    const validOn = attr.controls.code?.validOn;
    const consequence = attr.controls.code?.consequence ?? 'discard-row';
    checks.push((v, here) => {
      if (typeof v !== 'string') return;
      const period = validity.get(v);
      if (!period) return;
      const on = dateOf(xpathValue(validOn, here)) ?? dateOf(here.root.datoTidStart) ?? here.ctx.extractDate;
      if ((period.from && on < period.from) || (period.to && on > period.to)) {
        push(here, name, 'code-not-valid-on-date', `code ${v} of ${name} is valid ${period.from ?? '…'} to ${period.to ?? '…'}, not on ${on}`, consequence);
      }
    });
  }
  return checks;
}

/** Whether a class or anything under it has a semantic check. */
function hasChecks(target: Target, cls: TargetClass): boolean {
  if (cls.attributes.has('typeMaling') && cls.children.has('Maleresultat')) return true;
  for (const a of cls.attributes.values()) if (checksFor(a, cls).length) return true;
  for (const ch of cls.children.values()) {
    const c = target.classes.get(ch.name);
    if (c && hasChecks(target, c)) return true;
  }
  return false;
}

type ClassCheck = (obj: Obj, up: Here | undefined, key: string, index: number, root: Obj, issues: Issue[], ctx: RuleContext) => void;

function compileClass(target: Target, cls: TargetClass, seen: Map<string, ClassCheck>): ClassCheck {
  const cached = seen.get(cls.name);
  if (cached) return cached;
  const attrs: { name: string; checks: AttrCheck[] }[] = [];
  for (const a of cls.attributes.values()) {
    const checks = checksFor(a, cls);
    if (checks.length) attrs.push({ name: a.name, checks });
  }
  const growth = cls.attributes.has('typeMaling') && cls.children.has('Maleresultat');
  const kids: { name: string; array: boolean; check: () => ClassCheck }[] = [];
  let self: ClassCheck;
  // Children are compiled lazily so the walk is built once even for deep trees.
  for (const [name, ch] of cls.children) {
    const childCls = target.classes.get(ch.name);
    // Subtrees without a single check (Deltaker, RefEnhet in HST) are not walked at all.
    if (!childCls || !hasChecks(target, childCls)) continue;
    let compiled: ClassCheck | undefined;
    kids.push({ name, array: ch.array, check: () => (compiled ??= compileClass(target, childCls, seen)) });
  }
  // One Here per class, refilled for each object: the walk is synchronous and a class never
  // contains itself (the spec linter forbids cycles), so no two live objects share it.
  const here = {} as Here;
  self = (obj, up, key, index, root, issues, ctx) => {
    here.obj = obj;
    here.parent = up?.obj;
    here.up = up;
    here.key = key;
    here.index = index;
    here.root = root;
    here.issues = issues;
    here.ctx = ctx;
    here.extractEnd = extractEnd(ctx.extractDate);
    for (const a of attrs) {
      const v = obj[a.name];
      if (v === undefined) continue;
      for (const c of a.checks) c(v, here);
    }
    if (growth) growthCheck(here);
    for (const k of kids) {
      const v = obj[k.name];
      if (v === undefined || v === null) continue;
      if (k.array) {
        if (!Array.isArray(v)) continue;
        const check = k.check();
        for (let i = 0; i < v.length; i++) if (v[i] && typeof v[i] === 'object') check(v[i], here, k.name, i, root, issues, ctx);
      } else if (typeof v === 'object') k.check()(v as Obj, here, k.name, -1, root, issues, ctx);
    }
  };
  seen.set(cls.name, self);
  return self;
}

let lastExtract = '';
let lastExtractEnd = '';
function extractEnd(date: string): string {
  if (date !== lastExtract) {
    lastExtract = date;
    lastExtractEnd = date + '\uffff';
  }
  return lastExtractEnd;
}

/** Epoch milliseconds of the day `YYYY-MM-DD…` starts with (read digit by digit: no Date parsing). */
function digitAt(d: string, i: number): number {
  return d.charCodeAt(i) - 48;
}

function dayMs(d: string): number {
  const year = digitAt(d, 0) * 1000 + digitAt(d, 1) * 100 + digitAt(d, 2) * 10 + digitAt(d, 3);
  return Date.UTC(year, digitAt(d, 5) * 10 + digitAt(d, 6) - 1, digitAt(d, 8) * 10 + digitAt(d, 9));
}

/** The child's age in years at `when` (a date or date-time), from Barn_ungdom of the root. */
function ageAt(root: Obj, when: string): number | undefined {
  const child = root.Barn_ungdom as Obj | undefined;
  if (!child) return undefined;
  let birth: string | undefined;
  if (typeof child.fid === 'string' && TYPE_ID_KIND[String(child.typeID)]) {
    const info = classify(child.fid);
    if (info.ok) birth = info.birthDate;
  }
  const t = dayMs(when);
  if (birth) return (t - dayMs(birth)) / (365.25 * 86_400_000);
  // Only the birth year: assume the middle of it, and accept the half year of uncertainty.
  if (typeof child.fodselsar === 'number' && child.fodselsar > 0) return (t - Date.UTC(child.fodselsar, 6, 1)) / (365.25 * 86_400_000);
  return undefined;
}

function growthCheck(here: Here): void {
  const kind = growthKindOf(here.obj.typeMaling);
  if (!kind || typeof here.obj.malingDatoTid !== 'string') return;
  const results = here.obj.Maleresultat;
  if (!Array.isArray(results) || !results.length) return;
  const r = results[0] as Obj;
  const value = growthValue(kind, r.verdi, r.enhet);
  const age = ageAt(here.root, here.obj.malingDatoTid);
  if (value === undefined || age === undefined) return;
  const problem = growthProblem(kind, value, age);
  if (problem) here.issues.push({ path: `${pathOf(here)}/Maleresultat/0/verdi`, rule: 'growth-implausible', message: problem, consequence: 'none', severity: 'warning' });
}

/** The semantic checks of one class (normally Konsultasjon) and everything under it. */
export function compileSemanticRules(target: Target, rootClass: string): (obj: Obj, ctx: RuleContext) => Issue[] {
  const cls = target.classes.get(rootClass);
  if (!cls) throw new Error(`${target.id} has no class ${rootClass}`);
  const check = compileClass(target, cls, new Map());
  return (obj, ctx) => {
    const issues: Issue[] = [];
    check(obj, undefined, '', -1, obj, issues, ctx);
    return issues;
  };
}

/** tilDato on or after fraDato (both `YYYY-MM-DD`), for the period a Melding covers. */
export function periodProblem(fraDato: string, tilDato: string): string | undefined {
  return tilDato < fraDato ? `tilDato ${tilDato} is before fraDato ${fraDato}` : undefined;
}
