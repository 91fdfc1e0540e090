// Deliberately bad records for --bad-rate: the faults a receiver or a careful sender must catch.
// Each is marked in the test-only field `_defect`, so tests can check that exactly these records
// fail validation; a real export has no such field.

import type { Rng } from './random.ts';
import { DAY, isoTime } from './time.ts';
import type { ConsultationRecord, DefectKind } from './record.ts';
import { DEFECT_KINDS } from './record.ts';

/** The defect for a uniform draw in [0, 1): each kind equally likely. */
export function pickDefect(u: number): DefectKind {
  return DEFECT_KINDS[Math.min(DEFECT_KINDS.length - 1, Math.floor(u * DEFECT_KINDS.length))];
}

/** Codes no version of the demo EPJ ever used: outside every enum of source.schema.json. */
const UNKNOWN_CODES: ReadonlyArray<(r: ConsultationRecord) => void> = [
  (r) => ((r.consultation as { form: string }).form = 'telephone'),
  (r) => (r.consultation.programmeStep = 'M09'),
  (r) => ((r.personnel[0] as { profession: string }).profession = 'SOSIONOM'),
  (r) => ((r.child as { sex: string }).sex = 'X'),
];

const MISSING_FIELDS: ReadonlyArray<(r: ConsultationRecord) => void> = [
  (r) => delete (r.consultation as Partial<ConsultationRecord['consultation']>).startTime,
  (r) => delete (r.child as Partial<ConsultationRecord['child']>).nationalId,
  (r) => delete (r.consultation as Partial<ConsultationRecord['consultation']>).programmeStep,
  (r) => delete (r.consultation as Partial<ConsultationRecord['consultation']>).unitId,
  (r) => delete (r.child as Partial<ConsultationRecord['child']>).birthDate,
];

/** Spoils `record` in the way `kind` names, and marks it. */
export function applyDefect(record: ConsultationRecord, kind: DefectKind, rng: Rng, todayMs: number): void {
  switch (kind) {
    case 'invalid-fnr': {
      // Change the last check digit: a one-digit change always breaks the mod-11 check.
      const id = record.child.nationalId;
      record.child.nationalId = id.slice(0, 10) + String((Number(id[10]) + rng.int(1, 9)) % 10);
      break;
    }
    case 'unknown-code':
      rng.pick(UNKNOWN_CODES)(record);
      break;
    case 'future-date': {
      // A year typed wrong: the consultation lies after the extract's "today".
      const start = Date.parse(record.consultation.startTime);
      const days = Math.ceil((todayMs - start) / DAY) + rng.int(1, 400);
      record.consultation.startTime = isoTime(start + days * DAY);
      break;
    }
    case 'missing-field':
      rng.pick(MISSING_FIELDS)(record);
      break;
  }
  record._defect = kind;
}
