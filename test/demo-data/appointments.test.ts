// The demo EPJ's appointment extract (the source of FHI's HST_Avtale): judged by its published
// contract (examples/demo-epj-appointments/source.schema.json, through Ajv), against the
// consultation extract of the same seed, and by the order and version rules an extract has.
// The consultation extract is untouched: test/demo-data/golden.test.ts keeps its bytes.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { generateAppointments } from '../../runtime/demo-data/appointments.ts';
import { generateRecords, type DemoDataOptions } from '../../runtime/demo-data/generate.ts';
import { classifyPersonId } from '../../runtime/rules/identifiers.ts';
import { expectGolden } from '../helpers/golden.ts';

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;
const ajv = new Ajv({ allErrors: true });
addFormats(ajv);
const schemaFile = fileURLToPath(new URL('../../examples/demo-epj-appointments/source.schema.json', import.meta.url));
const validate = ajv.compile(JSON.parse(readFileSync(schemaFile, 'utf8')));

type Line = Record<string, any>;
const OPTS: DemoDataOptions = { children: 300, from: '2017-01-01', to: '2026-11-30', seed: 'appointments', editRate: 0.1, deleteRate: 0.03, badRate: 0.03, municipalities: 3 };
const lines: Line[] = [...generateAppointments(OPTS)];
const today = Date.parse('2026-11-30T23:59:59Z');

/** A UTC time of the export's form on a day that exists. */
const isUtcTime = (t: string) => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/.test(t) && !Number.isNaN(Date.parse(t)) && new Date(t).toISOString() === t.replace('Z', '.000Z');

/** What is wrong with an extract as a whole: order, versions, window, defects against the contract. */
function extractProblems(all: Line[], todayMs: number, fromMs: number): string[] {
  const problems: string[] = [];
  const versions = new Map<string, number>();
  const gone = new Set<string>();
  let previous = '';
  for (const l of all) {
    const where = String(l.recordId);
    if (l.changedAt < previous) problems.push(`${where}: changedAt ${l.changedAt} before the line above (${previous})`);
    previous = l.changedAt;
    if (Date.parse(l.changedAt) > todayMs) problems.push(`${where}: changed after today`);
    const id = l.appointment?.id;
    if ((versions.get(id) ?? 0) + 1 !== l.version) problems.push(`${where}: version ${l.version} after ${versions.get(id) ?? 'none'}`);
    if (gone.has(id)) problems.push(`${where}: a line after the deletion`);
    versions.set(id, l.version);
    if (l.recordId !== `${id}/${l.version}`) problems.push(`${where}: recordId is not id/version`);
    if (l.deleted) {
      gone.add(id);
      if (!l.unit) problems.push(`${where}: a deletion without its unit`);
    } else if (!l._defect && Date.parse(l.appointment.startTime) < fromMs) problems.push(`${where}: starts before the window`);
    const valid = validate(l);
    if (l._defect && valid) problems.push(`${where}: marked ${l._defect} but valid`);
    if (!l._defect && !valid) problems.push(`${where}: ${ajv.errorsText(validate.errors)}`);
    if (l._defect === 'missing-unit' && 'unit' in l) problems.push(`${where}: missing-unit has a unit`);
    if (l._defect === 'bad-date' && isUtcTime(l.appointment.startTime)) problems.push(`${where}: bad-date has a real UTC time`);
  }
  return problems;
}

describe('the appointment extract', () => {
  it('keeps its contract: every unmarked line is valid, every marked one is not; in change-time order; versions 1, 2, ... and the deletion last', () => {
    expect(lines.length).toBeGreaterThan(2000);
    expect(extractProblems(lines, today, Date.parse('2017-01-01T00:00:00Z'))).toEqual([]);
  });

  it('has what a SLASH demo needs: three outcomes, corrections, deletions, both defects, several units per municipality', () => {
    const live = lines.filter((l) => !l.deleted);
    expect(new Set(live.map((l) => l.appointment.status))).toEqual(new Set(['attended', 'not-attended', 'cancelled']));
    expect(lines.filter((l) => l.version > 1 && !l.deleted).length).toBeGreaterThan(20);
    expect(lines.filter((l) => l.deleted).length).toBeGreaterThan(5);
    expect(new Set(lines.map((l) => l._defect).filter(Boolean))).toEqual(new Set(['missing-unit', 'bad-date']));
    // All three kinds of bad date: no offset, a Norwegian date, a day that does not exist.
    const badDates = lines.filter((l) => l._defect === 'bad-date').map((l) => l.appointment.startTime as string);
    expect(badDates.some((t) => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:00$/.test(t))).toBe(true);
    expect(badDates.some((t) => /^\d{2}\.\d{2}\.\d{4} \d{2}:\d{2}$/.test(t))).toBe(true);
    expect(badDates.some((t) => /^\d{4}-02-30T.*Z$/.test(t))).toBe(true);
    const unitsByMunicipality = new Map<string, Set<string>>();
    for (const l of lines) if (l.unit) unitsByMunicipality.set(l.unit.municipalityNumber, (unitsByMunicipality.get(l.unit.municipalityNumber) ?? new Set()).add(l.unit.orgNumber));
    expect(unitsByMunicipality.size).toBe(3);
    for (const orgs of unitsByMunicipality.values()) expect(orgs.size).toBeGreaterThan(1);
    // Oslo's units carry a bydel, the others none.
    for (const l of lines) if (l.unit) expect('districtNumber' in l.unit, l.recordId).toBe(l.unit.municipalityNumber === '0301');
  });

  it('agrees with the consultation extract of the same seed: each consultation has one attended appointment at its time, unit and child', () => {
    const consultations = [...generateRecords({ ...OPTS, editRate: 0, deleteRate: 0, badRate: 0 })] as Line[];
    // The latest content of every appointment, leaving out deleted and spoiled ones.
    const latest = new Map<string, Line>();
    for (const l of lines) {
      if (l.deleted) latest.delete(l.appointment.id);
      else latest.set(l.appointment.id, l);
    }
    const attended = new Map<string, Line>();
    for (const l of lines) if (!l.deleted && l.appointment.consultationId) attended.set(l.appointment.consultationId, l);
    const birthDates = new Map(consultations.map((c) => [c.consultation.id, c.child.birthDate]));
    let compared = 0;
    for (const c of consultations) {
      // Corrections come within two months: later ones may not be in the extract yet.
      if (c.consultation.startTime > '2026-09-01') continue;
      const a = attended.get(c.consultation.id);
      expect(a, c.consultation.id).toBeDefined();
      const final = latest.get(a!.appointment.id);
      if (!final || final._defect) continue;
      compared++;
      expect(final.appointment.status).toBe('attended');
      expect(final.appointment.startTime).toBe(c.consultation.startTime);
      expect(final.appointment.type).toBe(c.consultation.programmeStep);
      expect([final.unit.id, final.unit.orgNumber, final.unit.municipalityNumber]).toEqual([
        c.consultation.unitId,
        c.consultation.unitOrgNumber,
        c.consultation.municipalityNumber,
      ]);
      expect([final.patient.patientId, final.patient.nationalId, final.patient.nationalIdType]).toEqual([c.child.patientId, c.child.nationalId, c.child.nationalIdType]);
    }
    expect(compared).toBeGreaterThan(consultations.length * 0.8);
    // Missed and cancelled bookings come before the one the child came to, for the same child and unit.
    for (const l of latest.values()) {
      if (l._defect || l.appointment.status === 'attended' || l.version > 1) continue;
      const [base, attempt] = l.appointment.id.split('.');
      const later = [...latest.values()].find((x) => x.appointment.id.startsWith(`${base}.`) && Number(x.appointment.id.split('.')[1]) > Number(attempt));
      if (!later || later._defect) continue;
      expect(l.appointment.startTime < later.appointment.startTime, l.recordId).toBe(true);
      const born = birthDates.get(`K${base.slice(1)}`);
      expect(born !== undefined && l.appointment.startTime > born, `${l.recordId} before the birth ${born}`).toBe(true);
      expect([l.patient.patientId, l.unit.id]).toEqual([later.patient.patientId, later.unit.id]);
    }
  });

  it('has national ids a receiver must handle: fødselsnumre with a leading zero, D-numre, DUF numbers, all with valid check digits', () => {
    const patients = lines.filter((l) => !l.deleted).map((l) => l.patient);
    expect(patients.some((p) => p.nationalId.startsWith('0') && !p.nationalIdType)).toBe(true);
    expect(patients.some((p) => p.nationalIdType === 'DNR')).toBe(true);
    expect(patients.some((p) => p.dufNumber)).toBe(true);
    for (const p of patients) {
      const info = classifyPersonId(p.nationalId);
      expect(info.ok, p.patientId).toBe(true);
      if (p.dufNumber) expect(p.nationalIdType).toBe('DNR');
    }
  });

  it('is the same for the same seed and options, and another for another seed', () => {
    const small = { ...OPTS, children: 40 };
    const text = (o: DemoDataOptions) => [...generateAppointments(o)].map((l) => JSON.stringify(l)).join('\n');
    expect(text(small)).toBe(text(small));
    expect(text({ ...small, seed: 'other' })).not.toBe(text(small));
  });

  it('keeps the contract for any seed, size, window and rates (property)', () => {
    fc.assert(
      fc.property(
        fc.record({
          seed: fc.string({ maxLength: 8 }),
          children: fc.integer({ min: 0, max: 40 }),
          fromYear: fc.integer({ min: 2017, max: 2024 }),
          years: fc.integer({ min: 0, max: 3 }),
          todayDays: fc.integer({ min: 0, max: 400 }),
          editRate: fc.double({ min: 0, max: 1, noNaN: true }),
          deleteRate: fc.double({ min: 0, max: 1, noNaN: true }),
          badRate: fc.double({ min: 0, max: 1, noNaN: true }),
          municipalities: fc.integer({ min: 1, max: 12 }),
        }),
        (p) => {
          const from = `${p.fromYear}-01-01`;
          const to = `${p.fromYear + p.years}-12-31`;
          const todayMs = Date.parse(`${p.fromYear}-01-01T23:59:59Z`) + p.todayDays * 86_400_000 * (p.years + 1);
          const today = new Date(todayMs).toISOString().slice(0, 10);
          const o = { ...p, from, to, today };
          const all = [...generateAppointments(o)] as Line[];
          expect(extractProblems(all, Math.min(todayMs, Date.parse(`${to}T23:59:59Z`)), Date.parse(`${from}T00:00:00Z`))).toEqual([]);
        },
      ),
      { numRuns: 12, seed: 14 },
    );
  });

  it('matches the golden extract (six children, seed "golden")', () => {
    const text = `${[...generateAppointments({ children: 6, from: '2017-01-01', to: '2026-12-31', seed: 'golden', editRate: 0.2, deleteRate: 0.05, badRate: 0.1 })]
      .map((r) => JSON.stringify(r))
      .join('\n')}\n`;
    expectGolden(fileURLToPath(new URL('./golden/appointments.ndjson', import.meta.url)), text);
  });
});
