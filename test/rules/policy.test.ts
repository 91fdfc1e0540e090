// The consequence policy, table-driven over the receiver's consequences and the attribute types
// of HST 56.0.0: what is sent unchanged, sent with the receiver's value, or held back; never a
// value the XSD would refuse; a strict profile holding everything but the kit's warnings.
import { describe, expect, it } from 'vitest';
import { loadTarget } from '../../runtime/spec/target.ts';
import { loadValidator } from '../../runtime/mapping/apply.ts';
import { actionOf, POLICY, settle, xsdAccepts } from '../../runtime/rules/policy.ts';
import { compileSemanticRules } from '../../runtime/rules/semantic.ts';
import { makeRuleStage } from '../../runtime/rules/stage.ts';
import type { Issue } from '../../runtime/rules/issue.ts';
import { konsultasjon } from '../runtime/helpers.ts';

const hst = loadTarget('hst@56.0.0')!;
const validate = await loadValidator(hst, 'Konsultasjon');
const stage = (profile: 'receiver' | 'strict' = 'receiver') =>
  makeRuleStage(hst, 'Konsultasjon', validate, compileSemanticRules(hst, 'Konsultasjon'), { extractDate: '2024-12-31' }, profile);

const issue = (path: string, consequence: Issue['consequence'], rule = 'REC2005'): Issue => ({ path, rule, message: path.slice(1), consequence, severity: 'error' });

describe('the policy table', () => {
  it('sends what the receiver only logs, substitutes what it overwrites, holds what it discards', () => {
    const want = { none: 'sent', 'set-null': 'substituted', 'set-minus-one': 'substituted', 'set-zero': 'substituted', 'discard-row': 'held', 'discard-message': 'held' } as const;
    for (const [c, a] of Object.entries(want)) {
      expect(POLICY[c as Issue['consequence']].action).toBe(a);
      expect(actionOf(issue('/x', c as Issue['consequence']), 'receiver')).toBe(a);
      // Strict holds every finding but the kit's plausibility warnings.
      expect(actionOf(issue('/x', c as Issue['consequence']), 'strict')).toBe('held');
    }
    expect(actionOf({ rule: 'REC4006', consequence: 'none', severity: 'warning' }, 'strict')).toBe('sent');
  });

  it('knows what the XSD takes: xs:string for code lists, integers, real dates, GUIDs, fixed values', () => {
    const attr = (cls: string, name: string) => hst.classes.get(cls)!.attributes.get(name)!;
    expect(xsdAccepts(attr('Konsultasjon', 'formKonsultasjon'), 'telephone')).toBe(true);
    expect(xsdAccepts(attr('Konsultasjon', 'formKonsultasjon'), undefined)).toBe(false);
    expect(xsdAccepts(hst.classes.get('Melding')!.attributes.get('lokalident')!, undefined)).toBe(true);
    expect(xsdAccepts(attr('Maleresultat', 'maleresultatNr'), -1)).toBe(false);
    expect(xsdAccepts(attr('Maleresultat', 'maleresultatNr'), 0)).toBe(true);
    expect(xsdAccepts(attr('Barn_ungdom', 'fodselsar'), 2 ** 53)).toBe(false);
    expect(xsdAccepts(attr('Konsultasjon', 'datoTidStart'), '2017-02-29T10:00:00')).toBe(false);
    expect(xsdAccepts(attr('Konsultasjon', 'datoTidStart'), '2016-02-29T10:00:00.5+01:00')).toBe(true);
    expect(xsdAccepts(attr('Barn_ungdom', 'pasientGUID'), 'not-a-guid')).toBe(false);
    expect(xsdAccepts(hst.classes.get('Melding')!.attributes.get('versjon')!, '56.0.1')).toBe(false);
  });

  it('sets the value the receiver would set, and holds where the XSD would refuse it', () => {
    const k = konsultasjon('K1') as any;
    k.Maling = [{ typeMaling: 'x'.repeat(101), malingDatoTid: '2024-03-01T10:00:00', Maleresultat: [{ maleresultatNr: 1, verdi: '1' }] }];
    const issues = [issue('/Maling/0/typeMaling', 'set-null', 'REC2004')];
    expect(settle(hst, 'Konsultasjon', k, issues, 'receiver')).toBe(true);
    // typeMaling is required by the XSD: NULL goes as an empty text, which xs:string takes.
    expect(k.Maling[0].typeMaling).toBe('');
    expect(issues[0]).toMatchObject({ action: 'substituted', severity: 'warning', original: 'x'.repeat(101) });
    expect(issues[0].message).toContain('(Sett verdi til NULL)');

    // "Sett verdi til -1" on a nonNegativeInteger: the XSD would refuse -1, so the record waits.
    const m = { Maling: [{ Maleresultat: [{ maleresultatNr: 'x' }] }] } as any;
    const held = [issue('/Maling/0/Maleresultat/0/maleresultatNr', 'set-minus-one', 'REC2002')];
    expect(settle(hst, 'Konsultasjon', m, held, 'receiver')).toBe(false);
    expect(held[0].action).toBe('held');
    expect(held[0].message).toContain('the official XSD would refuse -1');

    // "Ingen handling" on a missing required attribute leaves it missing, which the XSD refuses.
    const e = { Maling: [{ malingDatoTid: '2024-03-01T10:00:00', Maleresultat: [{ maleresultatNr: 1, verdi: '1' }] }] } as any;
    const missing = [issue('/Maling/0/typeMaling', 'none', 'REC2001')];
    expect(settle(hst, 'Konsultasjon', e, missing, 'receiver')).toBe(false);
    expect(missing[0].message).toContain('held back: the official XSD requires typeMaling, and the consequence leaves it out');
  });
});

describe('the rule stage', () => {
  it('sends an unknown amming code unchanged with a warning ("Ingen handling"), and strict holds it', () => {
    const k = { ...konsultasjon('K1'), amming: '7' };
    const r = stage()(structuredClone(k));
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.warnings.map((w) => [w.path, w.rule, w.consequence, w.action])).toEqual([['/amming', 'REC2005', 'none', 'sent']]);
    const s = stage('strict')(structuredClone(k));
    expect(s.ok).toBe(false);
  });

  it("holds a record whose required attribute has no published control (the kit's choice), and says so", () => {
    const k = konsultasjon('K1') as any;
    delete k.Barn_ungdom.kjonn;
    const r = stage()(k);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.issues[0]).toMatchObject({ path: '/Barn_ungdom/kjonn', rule: 'REC2001', consequence: 'discard-row', published: false, action: 'held' });
  });

  it('holds a record a published "Slettemerk melding" applies to', () => {
    const k = konsultasjon('K1') as any;
    delete k.Barn_ungdom.fid;
    const r = stage()(k);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.issues[0]).toMatchObject({ path: '/Barn_ungdom/fid', consequence: 'discard-message', published: true, action: 'held' });
  });
});

describe('docs/consequences.md', () => {
  it('shows the policy table as the code has it', async () => {
    const { readFileSync } = await import('node:fs');
    const doc = readFileSync('docs/consequences.md', 'utf8');
    const shown = { sent: 'sent with a warning', substituted: 'sent with a warning (substituted)', held: 'held back' } as const;
    for (const [c, p] of Object.entries(POLICY)) expect(doc).toContain(`| ${p.published} | \`${c}\` | ${p.kit} | ${shown[p.action]} |`);
  });
});

describe('dates that exist, and no strictness beyond the XSD and the published rule', () => {
  const at = (over: Record<string, unknown>) => stage()({ ...konsultasjon('K1'), ...over } as Record<string, unknown>);
  it('holds a date that does not exist (the XSD would refuse the Melding), whatever the published consequence', () => {
    for (const d of ['2017-02-29T10:00:00', '2017-04-31T10:00:00', '0000-01-01T10:00:00']) {
      const r = at({ datoTidStart: d, konsultasjonRegistrertTidspunkt: '2024-03-01T10:30:00' });
      expect(r.ok, d).toBe(false);
      if (!r.ok) expect(r.issues.map((i) => [i.path, i.action])).toContainEqual(['/datoTidStart', 'held']);
    }
  });

  it('sends a real date outside the published years 1900-2999 where the published consequence is "Ingen handling"', () => {
    const r = at({ datoTidStart: '1899-12-31T10:00:00' });
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.warnings.map((w) => [w.path, w.rule, w.action])).toEqual([['/datoTidStart', 'REC2010', 'sent']]);
  });

  it('takes what both the XSD and the published control take: -1 in a digit field, a time zone, characters not UTF-16 units', () => {
    const r = at({
      konsultasjonRegistrertTidspunkt: '2024-03-01T10:30:00.250+01:00',
      Helseperson: [{ polUtforende: '28', helsepersonHPR: '-1' }],
    });
    expect(r.ok && r.warnings).toEqual([]);
    const maling = { typeMaling: '𝔥'.repeat(100), malingDatoTid: '2024-03-01T10:00:00', Maleresultat: [{ maleresultatNr: 1, verdi: '1' }] };
    const m = at({ Maling: [maling] });
    expect(m.ok && m.warnings).toEqual([]);
  });
});
