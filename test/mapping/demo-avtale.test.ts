// The example mapping of the demo EPJ's appointments onto FHI's HST_Avtale 1
// (examples/demo-epj-appointments/) over a seeded extract: every line is mapped or rejected for
// the defect the generator planted, the units' lines put together make messages that the
// generated validator and an independent judge (@cfworker/json-schema over the generated schema)
// both accept, deletions become slettAvtale in the right unit, and national ids survive their
// trip through a JSON number the way docs/mapping.md says.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Validator } from '@cfworker/json-schema';
import { afterAll, describe, expect, it } from 'vitest';
import { generateAppointments } from '../../runtime/demo-data/appointments.ts';
import { loadMapping } from '../../runtime/mapping/apply.ts';
import { compileMappingText } from '../../runtime/mapping/compile.ts';
import { REPO_ROOT, runKpr } from '../helpers/cli.ts';

const MAPPING = join(REPO_ROOT, 'examples/demo-epj-appointments/mapping.yaml');
const EXTRACT_DATE = '2026-11-30';
const lines = [
  ...generateAppointments({ children: 250, from: '2017-01-01', to: EXTRACT_DATE, seed: 'avtale', editRate: 0.1, deleteRate: 0.04, badRate: 0.03, municipalities: 3 }),
] as Record<string, any>[];

type Validate = ((data: unknown) => boolean) & { errors?: unknown[] | null };
const validators = await import(pathToFileURL(join(REPO_ROOT, 'generated/hst-avtale/1/validator.js')).href);
const validateMessage = validators.validateMessage as Validate;
const validateEnhet = validators.validateEnhet as Validate;
const judge = new Validator(JSON.parse(readFileSync(join(REPO_ROOT, 'generated/hst-avtale/1/schema.json'), 'utf8')), '2020-12', false);

type Enhet = { orgNr: number; kommuneNr?: number; bydelNr?: string; avtale?: Record<string, any>[]; slettAvtale?: { avtaleId: string; erSlettet: boolean }[] };

/** What the SLASH channel does with mapped lines: one Enhet per reporting unit, lists concatenated in extract order. */
function byUnit(values: Enhet[]): Enhet[] {
  const units = new Map<number, Enhet>();
  for (const v of values) {
    const u = units.get(v.orgNr) ?? {
      orgNr: v.orgNr,
      ...(v.kommuneNr !== undefined ? { kommuneNr: v.kommuneNr } : {}),
      ...(v.bydelNr !== undefined ? { bydelNr: v.bydelNr } : {}),
    };
    expect([u.kommuneNr, u.bydelNr], `unit ${v.orgNr}`).toEqual([v.kommuneNr, v.bydelNr]);
    if (v.avtale) u.avtale = [...(u.avtale ?? []), ...v.avtale];
    if (v.slettAvtale) u.slettAvtale = [...(u.slettAvtale ?? []), ...v.slettAvtale];
    units.set(v.orgNr, u);
  }
  return [...units.values()];
}

describe('examples/demo-epj-appointments/mapping.yaml onto hst-avtale@1', async () => {
  const mapper = await loadMapping(MAPPING, { extractDate: EXTRACT_DATE });
  const results = lines.map((l) => mapper.apply(l));

  it('compiles clean against the generated schema and the source description, rooted at Enhet', () => {
    const r = compileMappingText(readFileSync(MAPPING, 'utf8'), MAPPING);
    expect(r.diagnostics).toEqual([]);
    expect(r.plan?.rootClass).toBe('Enhet');
  });

  it('maps every unspoiled line and rejects exactly the spoiled ones, for the planted reason', () => {
    expect(lines.filter((l) => l._defect).length).toBeGreaterThan(10);
    results.forEach((r, i) => {
      const l = lines[i];
      if (!l._defect) {
        expect(r.ok, `${l.recordId}: ${JSON.stringify(r)}`).toBe(true);
        return;
      }
      expect(r.ok, l.recordId).toBe(false);
      const first = r.ok ? undefined : r.issues[0];
      if (l._defect === 'missing-unit') expect([first?.path, first?.rule]).toEqual(['/orgNr', 'REC2001']);
      // A time in another form breaks the pattern; 30 February is a day that does not exist.
      else expect([first?.path, first?.rule]).toEqual(['/avtale/0/datoTid', /-02-30T/.test(l.appointment.startTime) ? 'REC2010' : 'REC2003']);
    });
  });

  it('gives messages, one Enhet per reporting unit, that the generated validator and the independent judge accept', () => {
    const values = results.flatMap((r) => (r.ok ? [r.value as Enhet] : []));
    for (const v of values) expect(validateEnhet(v), JSON.stringify(validateEnhet.errors)).toBe(true);
    const body = byUnit(values);
    expect(body.length).toBeGreaterThan(5);
    expect(validateMessage(body), JSON.stringify(validateMessage.errors)).toBe(true);
    // The judge sees the bytes sent: the mapper's objects have a fixed shape, with absent members undefined.
    expect(judge.validate(JSON.parse(JSON.stringify(body))).errors).toEqual([]);
    // A message per unit, as a FIFO per unit sends them, is as valid.
    for (const unit of body) expect(validateMessage([unit]), String(unit.orgNr)).toBe(true);
    expect(body.every((u) => (u.avtale?.length ?? 0) + (u.slettAvtale?.length ?? 0) > 0)).toBe(true);
  });

  it('sends the organisation number, the municipality and the bydel of the unit the appointment was booked at', () => {
    results.forEach((r, i) => {
      if (!r.ok) return;
      const v = r.value as Enhet;
      const unit = lines[i].unit;
      expect(v.orgNr).toBe(Number(unit.orgNumber));
      expect(String(v.orgNr)).toMatch(/^3\d{8}$/);
      // A JSON number: Oslo's 0301 arrives as 301.
      expect(String(v.kommuneNr).padStart(4, '0')).toBe(unit.municipalityNumber);
      expect(v.bydelNr).toBe(unit.districtNumber);
      if (!lines[i].deleted) expect(v.avtale?.[0].avdeling).toEqual({ lokalenhetId: unit.id, lokalNavn: unit.name });
    });
    expect(results.some((r) => r.ok && (r.value as Enhet).kommuneNr === 301)).toBe(true);
  });

  it('turns a deletion into slettAvtale with erSlettet, in the unit that had the appointment, and nothing else', () => {
    const unitOf = new Map<string, number>();
    let deletions = 0;
    results.forEach((r, i) => {
      const l = lines[i];
      if (!r.ok) return;
      const v = r.value as Enhet;
      if (!l.deleted) {
        expect(v.slettAvtale).toBeUndefined();
        expect(v.avtale?.map((a) => a.avtaleId)).toEqual([l.appointment.id]);
        unitOf.set(l.appointment.id, v.orgNr);
        return;
      }
      deletions++;
      expect(v.avtale).toBeUndefined();
      expect(v.slettAvtale).toEqual([{ avtaleId: l.appointment.id, erSlettet: true }]);
      if (unitOf.has(l.appointment.id)) expect(v.orgNr).toBe(unitOf.get(l.appointment.id));
    });
    expect(deletions).toBeGreaterThan(5);
  });

  it('maps the outcome, the time, the journal note and the child as docs/mapping.md says', () => {
    const attendance = { attended: 1, 'not-attended': 2, cancelled: 3 } as Record<string, number>;
    results.forEach((r, i) => {
      const l = lines[i];
      if (!r.ok || l.deleted) return;
      const a = (r.value as Enhet).avtale![0];
      expect(a.datoTid).toBe(l.appointment.startTime);
      expect(a.oppmoteStatus).toBe(attendance[l.appointment.status]);
      expect(a.journalId).toBe(l.appointment.consultationId);
      expect(a.lokalKonsultasjonType).toBe(l.appointment.type);
      expect(a.konsultasjonType).toBeUndefined();
      const p = l.patient;
      expect(a.person.personId).toBe(p.patientId);
      expect(a.person.fodselsNr === undefined).toBe(p.nationalIdType !== undefined);
      expect(a.person.dNr === undefined).toBe(p.nationalIdType !== 'DNR');
      expect(a.person.dufNr).toBe(p.dufNumber === undefined ? undefined : Number(p.dufNumber));
    });
  });

  it('sends a fødselsnummer with a leading zero as a 10-digit JSON number that pads back to the original; the validator accepts it', () => {
    let leadingZeros = 0;
    results.forEach((r, i) => {
      if (!r.ok || lines[i].deleted) return;
      const person = (r.value as Enhet).avtale![0].person;
      const id = lines[i].patient.nationalId as string;
      for (const n of [person.fodselsNr, person.dNr]) {
        if (n === undefined) continue;
        expect(Number.isSafeInteger(n)).toBe(true);
        expect(String(n).padStart(11, '0')).toBe(id);
        if (id.startsWith('0')) {
          leadingZeros++;
          expect(String(n)).toHaveLength(10);
          expect(validateMessage([{ orgNr: (r.value as Enhet).orgNr, avtale: [{ person }] }])).toBe(true);
        }
      }
    });
    expect(leadingZeros).toBeGreaterThan(50);
  });

  it('kpr map writes the same Enheter and rejects the spoiled lines with their line numbers (exit 1)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kpr-avtale-map-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));
    const some = lines.slice(0, 400);
    writeFileSync(join(dir, 'appointments.ndjson'), `${some.map((l) => JSON.stringify(l)).join('\n')}\n`);
    const r = runKpr([
      'map',
      '--mapping',
      MAPPING,
      '--in',
      join(dir, 'appointments.ndjson'),
      '--out',
      join(dir, 'enheter.ndjson'),
      '--rejects',
      join(dir, 'rejects.ndjson'),
      '--extract-date',
      EXTRACT_DATE,
    ]);
    const spoiled = some.flatMap((l, i) => (l._defect ? [i + 1] : []));
    expect(spoiled.length).toBeGreaterThan(0);
    expect(r.code, r.stderr).toBe(1);
    const out = readFileSync(join(dir, 'enheter.ndjson'), 'utf8')
      .trimEnd()
      .split('\n')
      .map((t) => JSON.parse(t));
    expect(out).toEqual(results.slice(0, 400).flatMap((x) => (x.ok ? [x.value] : [])));
    const rejects = readFileSync(join(dir, 'rejects.ndjson'), 'utf8')
      .trimEnd()
      .split('\n')
      .map((t) => JSON.parse(t));
    expect(rejects.map((x) => x.line)).toEqual(spoiled);
    expect(rejects.map((x) => x.sourceId)).toEqual(spoiled.map((n) => some[n - 1].recordId));
    // No national id reaches the terminal.
    for (const l of some) if (l.patient?.nationalId) expect(r.stderr + r.stdout).not.toContain(l.patient.nationalId);
  });
});
