// The demo-EPJ generator as a library: deterministic, realistic enough to exercise a mapping,
// honest about its deliberate defects, and ordered like a daily extract.
import { beforeAll, describe, expect, it } from 'vitest';
import { generateRecords, type DemoDataOptions } from '../../runtime/demo-data/generate.ts';
import { isDeletion, type ConsultationRecord, type DemoRecord } from '../../runtime/demo-data/record.ts';
import { SLOTS } from '../../runtime/demo-data/programme.ts';
import { isValidHprNummer, isValidKommunenummer, isValidOrganisasjonsnummer } from '../../runtime/rules/identifiers.ts';
import { problemsOf } from './judge.ts';

const DAY = 86_400_000;
const base: DemoDataOptions = { children: 2500, from: '2017-01-01', to: '2026-12-31', seed: 'test', editRate: 0.05, deleteRate: 0.01, badRate: 0.05 };
const TODAY = Date.parse('2026-12-31T23:59:59Z');

let records: DemoRecord[];
let live: ConsultationRecord[];
let clean: ConsultationRecord[];

beforeAll(() => {
  records = [...generateRecords(base)];
  live = records.filter((r): r is ConsultationRecord => !isDeletion(r));
  clean = live.filter((r) => !r._defect);
});

const lines = (opts: DemoDataOptions) => [...generateRecords(opts)].map((r) => JSON.stringify(r)).join('\n');

describe('determinism', () => {
  it('the same seed and options give identical output; another seed does not', () => {
    const small = { ...base, children: 200 };
    const a = lines(small);
    expect(a.length).toBeGreaterThan(1000);
    expect(lines(small)).toBe(a);
    expect(lines({ ...small, seed: 'other' })).not.toBe(a);
    expect(lines({ ...small, seed: 12345 })).not.toBe(a);
  });

  it('raising the edit rate adds edits without changing the original registrations', () => {
    const small = { ...base, children: 200, badRate: 0 };
    const originals = (editRate: number) => [...generateRecords({ ...small, editRate })].filter((r) => r.version === 1).map((r) => JSON.stringify(r));
    const few = originals(0);
    expect(originals(0.3)).toEqual(few);
  });
});

describe('volume and shape', () => {
  it('gives some ten consultations or more per child within the window', () => {
    const consultations = new Set(live.map((r) => r.consultation.id)).size;
    expect(consultations / base.children).toBeGreaterThan(10);
    expect(consultations / base.children).toBeLessThan(25);
    // Children born before the window start at school age, children born in it get the infant programme.
    const perChild = new Map<string, number>();
    for (const r of clean) if (r.version === 1) perChild.set(r.child.patientId, (perChild.get(r.child.patientId) ?? 0) + 1);
    const bornInWindowAndSchoolAge = clean.filter((r) => r.child.birthDate >= '2017-01-01' && r.child.birthDate < '2019-06-01');
    const ids = new Set(bornInWindowAndSchoolAge.map((r) => r.child.patientId));
    const counts = [...ids].map((id) => perChild.get(id) ?? 0);
    const mean = counts.reduce((a, b) => a + b, 0) / counts.length;
    expect(mean).toBeGreaterThan(15);
    expect(mean).toBeLessThan(25);
  });

  it('uses every programme step and the extra code', () => {
    const steps = new Set(clean.map((r) => r.consultation.programmeStep));
    for (const slot of SLOTS) expect(steps).toContain(slot.vendorStep);
  });

  it('orders the extract by change time, every line unique', () => {
    let outOfOrder = 0;
    for (let i = 1; i < records.length; i++) if (records[i].changedAt < records[i - 1].changedAt) outOfOrder++;
    expect(outOfOrder).toBe(0);
    expect(new Set(records.map((r) => r.recordId)).size).toBe(records.length);
  });
});

describe('validity', () => {
  it('every record is valid except exactly those marked _defect', () => {
    const wrong: string[] = [];
    for (const r of records) {
      const problems = problemsOf(r as Record<string, any>, TODAY);
      const marked = !isDeletion(r) && r._defect !== undefined;
      if (problems.length > 0 !== marked) wrong.push(`${r.recordId} ${(r as ConsultationRecord)._defect} ${problems.join('; ')}`);
    }
    expect(wrong).toEqual([]);
    // All four kinds of defect occur.
    expect(new Set(live.map((r) => r._defect).filter(Boolean))).toEqual(new Set(['invalid-fnr', 'unknown-code', 'future-date', 'missing-field']));
  });

  it('national ids are valid and synthetic, with some D- and H-numbers', () => {
    const types = new Map<string, Set<string>>();
    for (const r of clean) {
      const t = r.child.nationalIdType ?? 'FNR';
      if (!types.has(t)) types.set(t, new Set());
      types.get(t)!.add(r.child.patientId);
    }
    // Validity and synthetic months are checked by the judge above; here the mix.
    expect(types.get('DNR')?.size ?? 0).toBeGreaterThan(0);
    expect(types.get('HNR')?.size ?? 0).toBeGreaterThan(0);
    expect(types.get('FNR')!.size).toBeGreaterThan(0.9 * base.children * 0.8);
  });

  it('organisation, HPR and municipality numbers are well formed', () => {
    const wrong = clean.filter(
      (r) =>
        !isValidOrganisasjonsnummer(r.consultation.unitOrgNumber) ||
        !r.consultation.unitOrgNumber.startsWith('3') ||
        !isValidKommunenummer(r.consultation.municipalityNumber) ||
        !r.personnel.every((p) => isValidHprNummer(p.hpr) && p.hpr.length === 9 && p.hpr.startsWith('9')),
    );
    expect(wrong).toEqual([]);
    expect(new Set(clean.map((r) => r.consultation.municipalityNumber)).size).toBe(3);
  });

  it('nothing lies outside the window or after today, unless marked', () => {
    const from = Date.parse('2017-01-01T00:00:00Z');
    const outside = clean.filter((r) => {
      const start = Date.parse(r.consultation.startTime);
      return start < from || start > TODAY || Date.parse(r.changedAt) > TODAY;
    });
    expect(outside).toEqual([]);
  });

  it('a configured today cuts the extract there', () => {
    const today = Date.parse('2021-06-30T23:59:59Z');
    const cut = [...generateRecords({ ...base, children: 300, today: '2021-06-30' })];
    expect(cut.length).toBeGreaterThan(500);
    const late = cut.filter((r) => Date.parse(r.changedAt) > today || (!isDeletion(r) && !r._defect && Date.parse(r.consultation.startTime) > today));
    expect(late).toEqual([]);
  });
});

describe('edits, deletions and defects', () => {
  it('respects the configured rates roughly', () => {
    const consultations = new Set(live.map((r) => r.consultation.id)).size;
    const edited = new Set(live.filter((r) => r.version > 1).map((r) => r.consultation.id)).size;
    const deleted = records.filter(isDeletion).length;
    const defective = live.filter((r) => r._defect).length;
    // Versions due after "today" are not exported, so the observed rates are a little lower.
    expect(edited / consultations).toBeGreaterThan(0.04);
    expect(edited / consultations).toBeLessThan(0.06);
    expect(deleted / consultations).toBeGreaterThan(0.006);
    expect(deleted / consultations).toBeLessThan(0.014);
    expect(defective / live.length).toBeGreaterThan(0.04);
    expect(defective / live.length).toBeLessThan(0.06);
  });

  it('with rates of zero there are no edits, deletions or defects', () => {
    const plain = [...generateRecords({ ...base, children: 300, editRate: 0, deleteRate: 0, badRate: 0 })];
    expect(plain.every((r) => r.version === 1 && !isDeletion(r) && !r._defect)).toBe(true);
  });

  it('later versions follow the original, with the same consultation id and a later change time', () => {
    const seen = new Map<string, DemoRecord>();
    let later = 0;
    for (const r of records) {
      const previous = seen.get(r.consultation.id);
      if (previous === undefined) expect(r.version).toBe(1);
      else {
        later++;
        expect(r.version).toBe(previous.version + 1);
        expect(r.changedAt > previous.changedAt).toBe(true);
        expect(isDeletion(previous)).toBe(false);
      }
      seen.set(r.consultation.id, r);
    }
    expect(later).toBeGreaterThan(100);
  });

  it('a deletion names the consultation and child it removes', () => {
    const byId = new Map(live.map((r) => [r.consultation.id, r]));
    for (const d of records.filter(isDeletion)) {
      const original = byId.get(d.consultation.id)!;
      expect(d.child.patientId).toBe(original.child.patientId);
      expect(d.deletedAt).toBe(d.changedAt);
    }
  });
});

describe('realism', () => {
  const ageDays = (r: ConsultationRecord) => (Date.parse(r.consultation.startTime) - Date.parse(`${r.child.birthDate}T00:00:00Z`)) / DAY;

  it('infant programme steps happen at the ages of code list 9505', () => {
    // [vendor step, lowest age, highest age] in days, weekends and time zones allowed for.
    const expected: Array<[string, number, number]> = [
      ['HB-JORDMOR', 0, 6],
      ['HB-HSYK', 6, 16],
      ['U04', 23, 35],
      ['U06', 36, 50],
      ['M03', 83, 101],
      ['M06', 172, 196],
      ['M12', 350, 382],
      ['M17', 504, 548],
      ['A02', 708, 754],
      ['A04', 1430, 1494],
    ];
    for (const [step, lo, hi] of expected) {
      const ages = clean.filter((r) => r.consultation.programmeStep === step).map(ageDays);
      expect(ages.length, step).toBeGreaterThan(50);
      expect(Math.min(...ages), step).toBeGreaterThanOrEqual(lo);
      expect(Math.max(...ages), step).toBeLessThanOrEqual(hi);
    }
    // First grade: the school year of the calendar year the child turns six.
    for (const r of clean.filter((r) => r.consultation.programmeStep === 'T01')) {
      const year = Number(r.child.birthDate.slice(0, 4)) + 6;
      expect(r.consultation.startTime >= `${year}-08-15` && r.consultation.startTime < `${year + 1}-07-01`).toBe(true);
    }
  });

  it('the midwife makes the first home visit; doctors join the 6-week check', () => {
    // First versions: a later correction may move a visit to the clinic.
    const jm = clean.filter((r) => r.version === 1 && r.consultation.programmeStep === 'HB-JORDMOR');
    expect(jm.every((r) => r.personnel[0].profession === 'JORDMOR' && r.consultation.form === 'home')).toBe(true);
    const u6 = clean.filter((r) => r.consultation.programmeStep === 'U06');
    expect(u6.filter((r) => r.personnel.some((p) => p.profession === 'LEGE')).length / u6.length).toBeGreaterThan(0.9);
  });

  it('young children come with a guardian, teenagers mostly alone', () => {
    const young = clean.filter((r) => ageDays(r) < 730);
    const teens = clean.filter((r) => ageDays(r) > 13 * 365);
    expect(young.filter((r) => r.accompaniedBy.length > 0).length / young.length).toBeGreaterThan(0.95);
    expect(teens.filter((r) => r.accompaniedBy.length > 0).length / teens.length).toBeLessThan(0.1);
  });

  it('growth is plausible: heights rise with age, weights in range', () => {
    const byChild = new Map<string, Array<[number, number]>>();
    const implausible: string[] = [];
    for (const r of clean) {
      if (r.version !== 1) continue;
      const age = ageDays(r);
      for (const m of r.measurements) {
        if (m.type === 'weight') {
          const kg = m.valueGrams / 1000;
          if (kg < (age < 30 ? 1.5 : 2.5) || kg > (age < 365 ? 15 : 130)) implausible.push(`${r.recordId} ${kg} kg`);
        }
        if (m.type === 'height') {
          if (m.valueCm < 40 || m.valueCm > 210) implausible.push(`${r.recordId} ${m.valueCm} cm`);
          const list = byChild.get(r.child.patientId) ?? [];
          list.push([ageDays(r), m.valueCm]);
          byChild.set(r.child.patientId, list);
        }
      }
    }
    expect(implausible).toEqual([]);
    let pairs = 0;
    let shrank = 0;
    for (const list of byChild.values()) {
      list.sort((a, b) => a[0] - b[0]);
      for (let i = 1; i < list.length; i++) {
        if (list[i][0] - list[i - 1][0] < 180) continue;
        pairs++;
        if (list[i][1] <= list[i - 1][1]) shrank++;
      }
    }
    expect(pairs).toBeGreaterThan(1000);
    expect(shrank).toBe(0);
  });

  it('breastfeeding is recorded in the first two years and fades with age', () => {
    const share = (lo: number, hi: number, code: string) => {
      const rs = clean.filter((r) => ageDays(r) >= lo && ageDays(r) < hi && r.breastfeeding !== undefined);
      return rs.filter((r) => r.breastfeeding === code).length / rs.length;
    };
    expect(share(20, 60, 'exclusive')).toBeGreaterThan(0.6);
    expect(share(330, 400, 'exclusive')).toBeLessThan(0.1);
    expect(share(500, 760, 'none')).toBeGreaterThan(0.6);
    expect(clean.filter((r) => ageDays(r) > 800).every((r) => r.breastfeeding === undefined)).toBe(true);
  });
});
