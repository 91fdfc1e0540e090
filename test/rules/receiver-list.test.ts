// Proof by the receiver's own list: for every published control (Kontroll) of HST and IPLOS
// 56.0.0, read from the generated schemas (so a control added to a spec cannot be forgotten),
// a record that violates it, and the kit's outcome checked against the published consequence:
// sent unchanged, sent with the value the receiver would set, or held back. The official XSD
// judges the limit: everything the kit would send is validated with xmllint, and where the
// published consequence would leave a value the XSD refuses, the record must be held.
// Controls on the Melding header (Melding, Notifikasjon, Kontaktperson, Kommune, Enhet: built by
// the kit from kpr.yaml) are listed apart and must all be on those classes.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect } from 'vitest';
import { loadValidator } from '../../runtime/mapping/apply.ts';
import type { Consequence } from '../../runtime/spec/consequence.ts';
import { loadTarget, type Target, type TargetAttribute, type TargetClass } from '../../runtime/spec/target.ts';
import { ruleOf } from '../../runtime/rules/catalogue.ts';
import { POLICY } from '../../runtime/rules/policy.ts';
import { compileSemanticRules } from '../../runtime/rules/semantic.ts';
import { makeRuleStage } from '../../runtime/rules/stage.ts';
import { itOfficial, officialXsd } from '../helpers/reference.ts';
import { toXml as hstToXml } from '../../generated/hst/56.0.0/xml.ts';
import { toXml as iplosToXml } from '../../generated/iplos/56.0.0/xml.ts';

type Obj = Record<string, any>;
const EXTRACT = '2024-12-31';
const FNR = '01822350018'; // synthetic (Tenor), valid check digits
const ORGNR = '974770008';

/** A valid value of an attribute, by its kind (and, for identities, by its official name). */
function validValue(a: TargetAttribute): unknown {
  if (a.fixed !== undefined) return a.fixed;
  if (a.name === 'fid') return FNR;
  if (a.name === 'typeID') return '1';
  if (/orgNr$/i.test(a.name)) return ORGNR;
  if (a.name === 'kommuneNr') return '4601';
  switch (a.kind) {
    case 'coded':
      return [...a.codes!.keys()][0];
    case 'date':
      return '2024-03-01';
    case 'dateTime':
      return '2024-03-01T10:00:00';
    case 'guid':
      return '6f1c1d2e-4b7a-4c3d-9e8f-0a1b2c3d4e5f';
    case 'integer':
    case 'nonNegativeInteger':
      return a.name === 'fodselsar' ? 2023 : 1;
    default:
      return a.pattern ? '1' : 'x';
  }
}

/** One object of the class with every attribute and every child once: each control has a place. */
function full(t: Target, cls: TargetClass): Obj {
  const o: Obj = {};
  for (const a of cls.attributes.values()) o[a.name] = validValue(a);
  for (const [key, ch] of cls.children) {
    const c = t.classes.get(ch.name)!;
    o[key] = ch.array ? [full(t, c)] : full(t, c);
  }
  return o;
}

/** Every class under (and including) `root`, with its JSON path prefix from the record. */
function subtree(t: Target, root: string, path = ''): [TargetClass, string][] {
  const cls = t.classes.get(root)!;
  const out: [TargetClass, string][] = [[cls, path]];
  for (const [key, ch] of cls.children) out.push(...subtree(t, ch.name, `${path}/${key}${ch.array ? '/0' : ''}`));
  return out;
}

/** A value the published datatype control refuses (as the receiver runs its regex), if any can. */
const RANK: Consequence[] = ['discard-message', 'discard-row', 'set-null', 'set-minus-one', 'set-zero', 'none'];

function violating(
  a: TargetAttribute,
  regex: string | undefined,
  candidates = ['x'.repeat(1001), 'abc', 'a', '1234567890123456789012345', '2017-13-45T99:99:99', ''],
): string | undefined {
  if (!regex) return a.kind === 'date' || a.kind === 'dateTime' ? 'not a date' : undefined;
  let r: RegExp;
  try {
    r = new RegExp(regex, 'u');
  } catch {
    r = new RegExp(regex);
  }
  return candidates.find((v) => !r.test(v));
}

interface Case {
  id: string;
  /** The strongest published consequence among the controls the violating value breaks. */
  published: Consequence;
  /** The record with the control violated. */
  record: Obj;
  path: string;
}

function cases(t: Target, root: string, base: Obj): { cases: Case[]; unviolable: string[] } {
  const out: Case[] = [];
  const unviolable: string[] = [];
  for (const [cls, prefix] of subtree(t, root)) {
    for (const a of cls.attributes.values()) {
      const path = `${prefix}/${a.name}`;
      const set = (v: unknown) => {
        const r = structuredClone(base);
        const parts = path.split('/').slice(1);
        let o = r;
        for (const p of parts.slice(0, -1)) o = o[p];
        if (v === undefined) delete o[parts.at(-1)!];
        else o[parts.at(-1)!] = v;
        return r;
      };
      const c = a.controls;
      const id = `${t.id} ${cls.name}/@${a.name}`;
      // A value breaking one control may break others of the attribute: the strongest decides.
      const strongest = (first: Consequence, v: string): Consequence => {
        const all = [first];
        if (c.datatype && violating(a, c.datatype.regex, [v]) !== undefined) all.push(c.datatype.consequence);
        if (c.code && a.codes && !a.codes.has(v)) all.push(c.code.consequence);
        return all.sort((x, y) => RANK.indexOf(x) - RANK.indexOf(y))[0]!;
      };
      if (c.required) out.push({ id: `${id} required`, published: c.required, record: set(undefined), path });
      if (c.datatype) {
        const v = violating(a, c.datatype.regex);
        if (v === undefined) unviolable.push(`${id} datatype ${c.datatype.check}`);
        else out.push({ id: `${id} datatype ${c.datatype.check}`, published: strongest(c.datatype.consequence, v), record: set(v), path });
      }
      if (c.code) out.push({ id: `${id} code`, published: strongest(c.code.consequence, 'ZZ9'), record: set('ZZ9'), path });
      if (c.range) {
        if (c.range.to === '/Melding/@uttakDato')
          out.push({ id: `${id} range to uttakDato`, published: c.range.consequence, record: set(a.kind === 'date' ? '2025-06-01' : '2025-06-01T10:00:00'), path });
        else unviolable.push(`${id} range ${c.range.from ?? ''}..${c.range.to ?? ''} (between attributes; test/rules/semantic.test.ts)`);
      }
    }
  }
  return { cases: out, unviolable };
}

const HEADER = new Set(['Melding', 'Notifikasjon', 'Kontaktperson', 'Kommune', 'Enhet']);

function headerControls(t: Target, recordClasses: Set<string>): string[] {
  const out: string[] = [];
  for (const cls of t.classes.values()) {
    if (recordClasses.has(cls.name)) continue;
    for (const a of cls.attributes.values()) for (const kind of Object.keys(a.controls)) out.push(`${cls.name}/@${a.name} ${kind}`);
  }
  return out;
}

/** xmllint over many files in one run: the files it refuses, with its reasons. */
function refusedByXsd(message: 'hst' | 'iplos', files: string[]): Map<string, string> {
  const r = spawnSync('xmllint', ['--noout', '--schema', officialXsd(message), ...files], { encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.error) throw r.error;
  const out = new Map<string, string>();
  for (const line of r.stderr.split('\n')) {
    const f = files.find((x) => line.startsWith(x));
    if (f && !line.endsWith(' validates')) out.set(f, `${out.get(f) ?? ''}${line}\n`);
  }
  return out;
}

const HST_MELDING = (k: Obj) => {
  const m = JSON.parse(JSON.stringify(require_example()));
  m.Notifikasjon[0].Konsultasjon = [k];
  m.Kommune[0].Enhet = [{ enhetID: String(k.RefEnhet?.[0]?.enhetID ?? '1') }];
  return m;
};
let example: Obj | undefined;
function require_example(): Obj {
  if (!example) example = JSON.parse(spawnSync('cat', ['examples/hst/melding.json'], { encoding: 'utf8' }).stdout);
  return example!;
}

const IPLOS_MELDING = (t: Target, event: string, e: Obj) => {
  const m = full(t, t.classes.get('Melding')!);
  m.meldingstype = 'K';
  const n = full(t, t.classes.get('Notifikasjon')!);
  for (const ev of ['TjenesteStart', 'MidlertidigStoppTil', 'MidlertidigStoppFra', 'TjenesteutforerEndret', 'TjenesteSlutt']) delete n[ev];
  n.statusNotifikasjon = 'N';
  delete n.notifikasjonRef;
  n[event] = e;
  m.Notifikasjon = [n];
  return m;
};

describe.each([
  { message: 'hst' as const, roots: ['Konsultasjon'] },
  { message: 'iplos' as const, roots: ['TjenesteStart', 'MidlertidigStoppTil', 'MidlertidigStoppFra', 'TjenesteutforerEndret', 'TjenesteSlutt'] },
])('$message 56.0.0: every published control, applied as published', ({ message, roots }) => {
  itOfficial(
    'sends, substitutes or holds each violation as the published consequence says, and the XSD takes all that is sent',
    async () => {
      const t = loadTarget(`${message}@56.0.0`)!;
      const dir = mkdtempSync(join(tmpdir(), `kpr-list-${message}-`));
      const recordClasses = new Set<string>();
      const all: { c: Case; outcome: 'held' | 'sent' | 'substituted'; root: string; sent?: Obj; file?: string; unchangedFile?: string; byKit: boolean }[] = [];
      let unviolable: string[] = [];
      for (const root of roots) {
        for (const [cls] of subtree(t, root)) recordClasses.add(cls.name);
        const validate = await loadValidator(t, root);
        const stage = makeRuleStage(t, root, validate, compileSemanticRules(t, root), { extractDate: EXTRACT });
        const base = message === 'hst' ? structuredClone(require_example().Notifikasjon[0].Konsultasjon[0]) : full(t, t.classes.get(root)!);
        if (message === 'hst') {
          base.datoTidStart = '2024-03-01T09:30:00';
          base.konsultasjonRegistrertTidspunkt = '2024-03-01T10:05:00';
          for (const m of base.Maling) m.malingDatoTid = '2024-03-01T09:40:00';
          base.Barn_ungdom.fodselsar = 2023;
          base.Barn_ungdom.fid = FNR;
          base.Maling[0].Maleresultat[0].verdi = '9.5'; // kg, plausible at 13 months
          base.Maling[1].Maleresultat[0].verdi = '76'; // cm
        }
        // The base record itself is clean: every finding below comes from the violation.
        const clean = stage(structuredClone(base));
        expect(clean, `${message} ${root} base`).toEqual({ ok: true, warnings: [] });
        const found = cases(t, root, base);
        unviolable = unviolable.concat(found.unviolable);
        for (const c of found.cases) {
          const record = structuredClone(c.record);
          const r = stage(record);
          const outcome = !r.ok ? 'held' : r.warnings.some((w) => w.action === 'substituted') ? 'substituted' : 'sent';
          // Held by one of the kit's own rules (e.g. a fid that is no fødselsnummer for typeID 1).
          const byKit = !r.ok && r.issues.some((i) => i.action === 'held' && ruleOf(i.rule)?.owner === 'kit' && i.path === c.path);
          all.push({ c, outcome, root, sent: r.ok ? record : undefined, byKit });
        }
      }
      // Every violation is judged; the published consequences are all represented.
      expect(all.length).toBeGreaterThan(message === 'hst' ? 50 : 40);
      const wrap = (root: string, rec: Obj) => (message === 'hst' ? HST_MELDING(rec) : IPLOS_MELDING(t, root, rec));
      const write = message === 'hst' ? hstToXml : iplosToXml;
      const wrong: string[] = [];
      const kitHeld: string[] = [];
      const unwritable = new Map<string, string>();
      all.forEach((x, i) => {
        // What the XSD says of the record as the published consequence would leave it, unchanged.
        x.unchangedFile = join(dir, `unchanged-${i}.xml`);
        try {
          writeFileSync(x.unchangedFile, write(wrap(x.root, x.c.record) as never, { declaration: true }));
        } catch (err) {
          // The writer refuses what the XSD cannot hold (a required attribute missing).
          unwritable.set(x.unchangedFile, (err as Error).message);
        }
        if (x.sent) {
          x.file = join(dir, `sent-${i}.xml`);
          try {
            writeFileSync(x.file, write(wrap(x.root, x.sent) as never, { declaration: true }));
          } catch (err) {
            wrong.push(`${x.c.id}: sent, but the XML writer refuses it: ${(err as Error).message}`);
            x.file = undefined;
          }
        }
      });
      const refused = refusedByXsd(
        message,
        all.flatMap((x) => [...(unwritable.has(x.unchangedFile!) ? [] : [x.unchangedFile!]), ...(x.file ? [x.file] : [])]),
      );
      for (const [f, why] of unwritable) refused.set(f, why);
      for (const x of all) {
        // 1. Nothing sent that the XSD refuses.
        if (x.file && refused.has(x.file)) wrong.push(`${x.c.id}: sent, but the XSD refuses it: ${refused.get(x.file)}`);
        // 2. The outcome is the published one, held only where the XSD would refuse what it leaves.
        const action = POLICY[x.c.published].action;
        const allowed =
          action === 'held'
            ? ['held']
            : action === 'sent'
              ? refused.has(x.unchangedFile!)
                ? ['held']
                : ['sent']
              : // A substitution: sent with the receiver's value, or held where the XSD refuses that value too.
                ['substituted', 'held'];
        if (x.byKit) kitHeld.push(x.c.id);
        else if (!allowed.includes(x.outcome)) wrong.push(`${x.c.id} (${x.c.published}): ${x.outcome}, expected ${allowed.join(' or ')}`);
      }
      expect(wrong).toEqual([]);
      // All three outcomes occur: the list is not judged by a kit that holds (or sends) everything.
      const outcomes = new Set(all.map((x) => x.outcome));
      expect(outcomes.has('held') && outcomes.has('sent')).toBe(true);
      if (message === 'hst') expect(outcomes.has('substituted')).toBe(true);
      // The kit's own rules hold only what is no identity at all (fid not a number of its typeID).
      for (const k of kitHeld) expect(k).toMatch(/\/@fid /);
      // Controls that cannot be violated by a record (a regex that takes everything) are named.
      for (const u of unviolable) expect(u).toMatch(/datatype (Streng|.*)|range/);
      // Header controls belong to the classes the kit builds from kpr.yaml.
      const header = headerControls(t, recordClasses);
      expect(header.length).toBeGreaterThan(10);
      for (const h of header) expect(HEADER.has(h.split('/')[0]!), h).toBe(true);
    },
    120_000,
  );
});
