// The receiver's rules and a careful sender's checks on a mapped Konsultasjon (or any class of
// the message), beyond what the JSON Schema can say: check digits of fødselsnummer, D- and
// H-numbers and organisation numbers; codes valid on the consultation date; dates not after the
// extract date; periods in order; plausible growth. Compiled once per target into one walk over
// only the attributes that have a check.
//
// Rule ids are the catalogue's (runtime/rules/catalogue.ts): REC3001-REC3003 apply the receiver's
// published controls, REC4001-REC4009 are the kit's own checks.

import type { Target, TargetAttribute, TargetClass } from '../spec/target.ts';
import { isValidHprNummer, isValidKommunenummer, isValidOrganisasjonsnummer, readPersonId, type PersonIdParts, type PersonIdReason } from './identifiers.ts';
import { daysIn } from '../time/civil.ts';
import { growthKindOf, growthProblem, growthValue } from './growth.ts';
import type { Consequence } from '../spec/consequence.ts';
import { compileSource, literal as lit } from '../codegen/compile.ts';
import type { Issue } from './issue.ts';

export interface RuleContext {
  /** The extract date (uttakDato), `YYYY-MM-DD`: no date in the record may be after it. */
  extractDate: string;
  /** Melding attributes, when known (for XPaths such as /Melding/@tilDatoPeriode). */
  melding?: Record<string, unknown>;
  /** A production profile (prod, pilot: real data): synthetic test numbers are held back. */
  production?: boolean;
  /** The enhetIDs of the Melding's Kommune/Enhet (from kpr.yaml), when known: RefEnhet must name one. */
  enhetIds?: ReadonlySet<string>;
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
}

type AttrCheck = (value: unknown, here: Here) => void;

/** A date never after the extract date: a string comparison the compiled walk writes inline. */
interface AfterExtract {
  afterExtract: Consequence;
}

type Check = AttrCheck | AfterExtract;

// The fid check and the growth check both read the same number: read it once per record, with
// the birth date's epoch milliseconds that the age needs.
const parts: PersonIdParts = { kind: 'fnr', synthetic: false, year: 0, month: 0, day: 0 };
let lastId = '';
let lastReason: PersonIdReason | undefined = 'not-11-digits';
let lastBirthMs = NaN;
/** Reads a person number (once for consecutive calls); returns why it is not one, if it is not. */
function classify(id: string): PersonIdReason | undefined {
  if (id !== lastId) {
    lastReason = readPersonId(id, parts);
    lastBirthMs = lastReason ? NaN : Date.UTC(parts.year, parts.month - 1, parts.day);
    lastId = id;
  }
  return lastReason;
}

const TYPE_ID_KIND: Record<string, 'fnr' | 'dnr' | 'hnr'> = { '1': 'fnr', '2': 'dnr', '3': 'hnr' };
const KIND_TEXT = { fnr: 'fødselsnummer', dnr: 'D-nummer', hnr: 'H-nummer' } as const;

/** Six digits naming a day that exists (the century unknown: 29 February is taken). */
function isDdmmyy(s: string): boolean {
  if (!/^\d{6}$/.test(s)) return false;
  const d = Number(s.slice(0, 2));
  const m = Number(s.slice(2, 4));
  return m >= 1 && m <= 12 && d >= 1 && d <= daysIn(2000, m);
}

function pathOf(here: Here | undefined): string {
  if (!here?.up) return '';
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

function checksFor(attr: TargetAttribute, cls: TargetClass): Check[] {
  const name = attr.name;
  const checks: Check[] = [];
  const datatype = attr.controls.datatype?.consequence ?? 'discard-row';

  // Identifiers, by their official attribute names.
  if (name === 'fid' && cls.attributes.has('typeID')) {
    checks.push((v, here) => {
      if (String(here.obj.typeID) === '9') {
        // The usage note's form; the receiver has no control for it, so it is sent with a warning.
        if (typeof v === 'string' && !isDdmmyy(v)) push(here, name, 'REC3004', `fid with typeID 9 must be a birth date as ddmmyy`, 'none', 'warning');
        return;
      }
      const want = TYPE_ID_KIND[String(here.obj.typeID)];
      if (!want || typeof v !== 'string') return;
      const reason = classify(v);
      if (reason) push(here, name, 'REC4001', `fid is not a valid ${KIND_TEXT[want]} (${reason})`, 'discard-row');
      else if (parts.kind !== want) push(here, name, 'REC4002', `fid is a ${KIND_TEXT[parts.kind]}, but typeID ${String(here.obj.typeID)} says ${KIND_TEXT[want]}`, 'discard-row');
      // "Only real patients": a synthetic (Tenor) number names nobody and must not reach the register.
      else if (parts.synthetic && here.ctx.production) push(here, name, 'REC4007', `fid is a synthetic test number (month + 80), not sent in production`, 'discard-row');
    });
  }
  if (/^(orgNr|kommuneOrgNr|\w+OrgNr)$/.test(name)) {
    checks.push((v, here) => {
      // Nine digits only: the published pattern allows up to ten (IPLOS type C numbers), and -1.
      if (typeof v === 'string' && v.length === 9 && !isValidOrganisasjonsnummer(v))
        push(here, name, 'REC4003', `${name} ${JSON.stringify(v)} is not a valid organisasjonsnummer (the kit's check; sent)`, 'none', 'warning');
    });
  }
  if (name === 'enhetID' && cls.attributes.has('typeEnhet')) {
    // RefEnhet_IDREF0 as it is meant: the Enhet it names is reported in the same Melding. The
    // XSD's keyref never matches (docs/consequences.md), so the receiver takes it: a warning.
    checks.push((v, here) => {
      const known = here.ctx.enhetIds;
      if (known && typeof v === 'string' && !known.has(v)) {
        push(
          here,
          name,
          'REC4008',
          `enhetID ${JSON.stringify(v)} names no Enhet of sender.Kommune in kpr.yaml (the keyref RefEnhet_IDREF0 as meant); add the Enhet there`,
          'none',
          'warning',
        );
      }
    });
  }
  if (name === 'fodselsar') {
    // No published control: a year the register cannot mean (1899, next year) or one the person
    // number contradicts is sent as it is, with the kit's warning. 0 is "ukjent fødselsår".
    checks.push((v, here) => {
      if (typeof v !== 'number' || v === 0) return;
      const last = Number(here.ctx.extractDate.slice(0, 4));
      if (v < 1900 || v > last) {
        push(here, name, 'REC4009', `fodselsar ${v} is not a year between 1900 and the extract's ${last} (0 codes an unknown year)`, 'none', 'warning');
        return;
      }
      const fid = here.obj.fid;
      if (typeof fid === 'string' && TYPE_ID_KIND[String(here.obj.typeID)] && !classify(fid) && parts.year !== v) {
        push(here, name, 'REC4009', `fodselsar ${v} is not the birth year ${parts.year} that fid gives`, 'none', 'warning');
      }
    });
  }
  if (name === 'helsepersonHPR') {
    checks.push((v, here) => {
      if (typeof v === 'string' && v !== '-1' && !isValidHprNummer(v)) push(here, name, 'REC4004', `helsepersonHPR must be 1 to 9 digits`, datatype);
    });
  }
  if (name === 'kommuneNr') {
    checks.push((v, here) => {
      if (typeof v === 'string' && !isValidKommunenummer(v)) push(here, name, 'REC4005', `kommuneNr ${JSON.stringify(v)} is not a kommunenummer`, datatype);
    });
  }

  // Dates: never after the extract date; and the published ranges between attributes.
  if (attr.kind === 'date' || attr.kind === 'dateTime') {
    const range = attr.controls.range;
    checks.push({ afterExtract: range?.to === '/Melding/@uttakDato' ? range.consequence : (range?.consequence ?? 'discard-row') });
    if (range?.from) {
      checks.push((v, here) => {
        const bound = xpathValue(range.from, here);
        if (typeof v === 'string' && typeof bound === 'string' && v < bound) push(here, name, 'REC3002', `${name} ${v} is before ${range.from} ${bound}`, range.consequence);
      });
    }
    if (range?.to && range.to !== '/Melding/@uttakDato') {
      checks.push((v, here) => {
        const bound = xpathValue(range.to, here);
        if (typeof v === 'string' && typeof bound === 'string' && v > bound) push(here, name, 'REC3002', `${name} ${v} is after ${range.to} ${bound}`, range.consequence);
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
        push(here, name, 'REC3003', `code ${v} of ${name} is valid ${period.from ?? '…'} to ${period.to ?? '…'}, not on ${on}`, consequence);
      }
    });
  }
  return checks;
}

/** Reports a date after the extract date; the walk calls it only for values sorting after it. */
function afterExtract(here: Here, name: string, v: string, consequence: Consequence): void {
  if (dateOf(v)) push(here, name, 'REC3001', `${name} ${v} is after the extract date ${here.ctx.extractDate}`, consequence);
}

const hasGrowth = (cls: TargetClass) => cls.attributes.has('typeMaling') && cls.children.has('Maleresultat');

/** Whether a class or anything under it has a semantic check. */
function hasChecks(target: Target, cls: TargetClass): boolean {
  if (hasGrowth(cls)) return true;
  for (const a of cls.attributes.values()) if (checksFor(a, cls).length) return true;
  for (const ch of cls.children.values()) {
    const c = target.classes.get(ch.name);
    if (c && hasChecks(target, c)) return true;
  }
  return false;
}

/**
 * The walk as JavaScript source, compiled once per target and root class (as the mapping's
 * codegen.ts does): one function per class that reads each checked attribute and child by its
 * name, so V8 sees monomorphic property loads instead of one loop reading computed names. The
 * checks stay closures, passed in by index; the most common, a date after the extract date, is a
 * string comparison written inline. Names reach the source only through JSON.stringify.
 */
class WalkGen {
  readonly checks: AttrCheck[] = [];
  readonly heres: Here[] = [];
  readonly fns: string[] = [];
  private readonly names = new Map<string, string>();

  constructor(readonly target: Target) {}

  /** Emits the walk of one class (once); returns its function's name. */
  cls(cls: TargetClass): string {
    const known = this.names.get(cls.name);
    if (known) return known;
    const fn = `w${this.names.size}`;
    this.names.set(cls.name, fn);
    // One Here per class, refilled for each object: the walk is synchronous and a class never
    // contains itself (the spec linter forbids cycles), so no two live objects share it.
    this.heres.push({} as Here);
    const body = [
      `const h = H[${this.heres.length - 1}];`,
      'h.obj = obj; h.parent = up === undefined ? undefined : up.obj; h.up = up; h.key = key; h.index = index; h.root = R; h.issues = I; h.ctx = C;',
      'let v;',
    ];
    for (const a of cls.attributes.values()) {
      const calls: string[] = [];
      for (const c of checksFor(a, cls)) {
        // A date or date-time is after the extract date exactly when it sorts after "<date>\uffff".
        if ('afterExtract' in c) calls.push(`if (typeof v === "string" && v > E) x(h, ${lit(a.name)}, v, ${lit(c.afterExtract)});`);
        else calls.push(`f[${this.checks.push(c) - 1}](v, h);`);
      }
      if (calls.length) body.push(`v = obj[${lit(a.name)}];`, `if (v !== undefined) { ${calls.join(' ')} }`);
    }
    if (hasGrowth(cls)) body.push('g(h);');
    for (const [key, ch] of cls.children) {
      const childCls = this.target.classes.get(ch.name);
      // Subtrees without a single check (Deltaker, RefEnhet in HST) are not walked at all.
      if (!childCls || !hasChecks(this.target, childCls)) continue;
      const child = this.cls(childCls);
      body.push(`v = obj[${lit(key)}];`);
      if (ch.array) body.push(`if (Array.isArray(v)) for (let i = 0; i < v.length; i++) { const o = v[i]; if (o && typeof o === "object") ${child}(o, h, ${lit(key)}, i); }`);
      else body.push(`if (v !== null && typeof v === "object") ${child}(v, h, ${lit(key)}, -1);`);
    }
    this.fns.push(`function ${fn}(obj, up, key, index) {\n${body.join('\n')}\n}`);
    return fn;
  }
}

let lastExtract = '';
let lastExtractEnd = '';
function extractEnd(date: string): string {
  if (date !== lastExtract) {
    lastExtract = date;
    lastExtractEnd = `${date}\uffff`;
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

// The measurements of a record usually share their time: remember the last one's day.
let lastWhen = '';
let lastWhenMs = NaN;

/** The child's age in years at `when` (a date or date-time), from Barn_ungdom of the root. */
function ageAt(root: Obj, when: string): number | undefined {
  const child = root.Barn_ungdom as Obj | undefined;
  if (!child) return undefined;
  let birthMs: number | undefined;
  if (typeof child.fid === 'string' && TYPE_ID_KIND[String(child.typeID)]) {
    if (!classify(child.fid)) birthMs = lastBirthMs;
  }
  if (when !== lastWhen) {
    lastWhenMs = dayMs(when);
    lastWhen = when;
  }
  const t = lastWhenMs;
  if (birthMs !== undefined) return (t - birthMs) / (365.25 * 86_400_000);
  // Only the birth year: assume the middle of it, and accept the half year of uncertainty.
  if (typeof child.fodselsar === 'number' && child.fodselsar > 0) return (t - Date.UTC(child.fodselsar, 6, 1)) / (365.25 * 86_400_000);
  return undefined;
}

/** "Angi 1 for første måleresultat, 2 for neste osv.": maleresultatNr numbered 1, 2, … in order. */
function numberingCheck(here: Here): void {
  const results = here.obj.Maleresultat;
  if (!Array.isArray(results)) return;
  for (let i = 0; i < results.length; i++) {
    const nr = (results[i] as Obj | undefined)?.maleresultatNr;
    if (nr !== undefined && nr !== i + 1) {
      here.issues.push({
        path: `${pathOf(here)}/Maleresultat/${i}/maleresultatNr`,
        rule: 'REC3005',
        message: `maleresultatNr ${JSON.stringify(nr)} where ${i + 1} is expected ("Angi 1 for første måleresultat, 2 for neste osv.")`,
        consequence: 'none',
        severity: 'warning',
      });
      return;
    }
  }
}

function growthCheck(here: Here): void {
  numberingCheck(here);
  const obj = here.obj;
  const kind = growthKindOf(obj.typeMaling);
  if (!kind || typeof obj.malingDatoTid !== 'string') return;
  const results = obj.Maleresultat;
  if (!Array.isArray(results) || !results.length) return;
  const r = results[0] as Obj;
  const value = growthValue(kind, r.verdi, r.enhet);
  const age = ageAt(here.root, obj.malingDatoTid);
  if (value === undefined || age === undefined) return;
  const problem = growthProblem(kind, value, age);
  if (problem) here.issues.push({ path: `${pathOf(here)}/Maleresultat/0/verdi`, rule: 'REC4006', message: problem, consequence: 'none', severity: 'warning' });
}

/** The semantic checks of one class (normally Konsultasjon) and everything under it. */
export function compileSemanticRules(target: Target, rootClass: string): (obj: Obj, ctx: RuleContext) => Issue[] {
  const cls = target.classes.get(rootClass);
  if (!cls) throw new Error(`${target.id} has no class ${rootClass}`);
  const gen = new WalkGen(target);
  const root = gen.cls(cls);
  // I, C, R, E: the issues, context, root object and extract-date bound of the record walked now.
  const source = [
    '"use strict";',
    'let I, C, R, E;',
    ...gen.fns,
    'return (obj, ctx) => {',
    '  const issues = [];',
    '  I = issues; C = ctx; R = obj; E = extractEnd(ctx.extractDate);',
    `  ${root}(obj, undefined, "", -1);`,
    '  return issues;',
    '};',
  ].join('\n');
  return compileSource<(obj: Obj, ctx: RuleContext) => Issue[]>({ f: gen.checks, H: gen.heres, x: afterExtract, g: growthCheck, extractEnd }, source);
}

/** tilDato on or after fraDato (both `YYYY-MM-DD`), for the period a Melding covers. */
export function periodProblem(fraDato: string, tilDato: string): string | undefined {
  return tilDato < fraDato ? `tilDato ${tilDato} is before fraDato ${fraDato}` : undefined;
}
