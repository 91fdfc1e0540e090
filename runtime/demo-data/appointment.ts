// The appointments behind one consultation: the booking the child came to, and sometimes one or
// two earlier bookings the child missed or that were cancelled, each with its corrections, its
// deletion and its deliberate defects. A pure function of the seed and the consultation id, like
// everything in the demo data, drawing from its own PRNG streams so that the consultation
// extract stays byte-identical whatever this file does.

import { Rng, hashSeed } from './random.ts';
import { DAY, MINUTE, dayOf, isoTime, onWeekday, osloLocalToUtc } from './time.ts';
import { osloOffsetMs } from '../time/oslo.ts';
import type { ConsultationRecord } from './record.ts';
import type { GenContext } from './consultation.ts';
import type { Municipality } from './population.ts';
import {
  APPOINTMENT_DEFECT_KINDS,
  type AppointmentDefectKind,
  type AppointmentLine,
  type AppointmentPatient,
  type AppointmentRecord,
  type AppointmentUnit,
  type AttendanceCode,
} from './appointment-record.ts';

const SEED_BOOKING = 41;
const SEED_DUF = 42;
const SEED_APPOINTMENT_DEFECT = 43;

/** Every unit of the demo by its id, as an appointment line names it. */
export function unitDirectory(municipalities: Municipality[]): Map<string, AppointmentUnit> {
  const units = new Map<string, AppointmentUnit>();
  for (const m of municipalities) {
    for (const u of [...m.healthStations, ...m.schoolHealth]) {
      const serial = u.id.slice(-2);
      units.set(u.id, {
        id: u.id,
        name: `${m.name} ${u.kind === 'HS' ? 'helsestasjon' : 'skolehelsetjeneste'} ${serial}`,
        orgNumber: u.orgNumber,
        municipalityNumber: u.municipalityNumber,
        // Oslo reports by bydel; the demo gives each Oslo unit its own.
        ...(m.number === '0301' ? { districtNumber: `0301${serial}` } : {}),
      });
    }
  }
  return units;
}

/** The patient as the appointment book has them; some children with a D-nummer also have a DUF number. */
function patientOf(seed: number, c: ConsultationRecord): AppointmentPatient {
  const child = c.child;
  const patient: AppointmentPatient = {
    patientId: child.patientId,
    nationalId: child.nationalId,
    ...(child.nationalIdType ? { nationalIdType: child.nationalIdType } : {}),
  };
  if (child.nationalIdType === 'DNR') {
    const rng = new Rng(seed, SEED_DUF, Number(child.patientId.slice(1)));
    if (rng.chance(0.5)) {
      // DUF numbers begin with the year the case was registered with the UDI.
      const year = Math.min(2026, Number(child.birthDate.slice(0, 4)) + rng.int(0, 2));
      patient.dufNumber = `${year}${String(rng.int(0, 99_999_999)).padStart(8, '0')}`;
    }
  }
  return patient;
}

interface Booking {
  attempt: number;
  startMs: number;
  status: AttendanceCode;
}

/**
 * The bookings of one consultation, oldest first: the last is the one the child came to, at the
 * consultation's start; before it, none (most), one or two that were missed or cancelled, one to
 * three weeks apart, on weekdays in office hours.
 */
function bookingsOf(rng: Rng, startMs: number, type: string, birthDay: number): Booking[] {
  const drawn = rng.weighted([
    [0, 0.85],
    [1, 0.12],
    [2, 0.03],
  ] as const);
  // Home visits in the first days are agreed on the phone, not booked ahead.
  const earlier = type.startsWith('HB-') ? 0 : drawn;
  const bookings: Booking[] = [{ attempt: earlier + 1, startMs, status: 'attended' }];
  let nextDay = Math.floor(startMs / DAY);
  for (let k = earlier; k >= 1; k--) {
    const day = onWeekday(nextDay - rng.int(7, 21));
    const status: AttendanceCode = rng.chance(0.6) ? 'not-attended' : 'cancelled';
    const bookedMs = osloLocalToUtc(day, 8 * 60 + 5 * rng.int(0, 90));
    // Never a booking before the child was born (or home from hospital).
    if (day > birthDay + 3) bookings.unshift({ attempt: k, startMs: bookedMs, status });
    nextDay = day;
  }
  return bookings;
}

/**
 * A start time the export's contract does not allow: Oslo wall-clock time without an offset,
 * Norwegian day.month.year, or a day that does not exist (30 February of the same year).
 */
function badDate(rng: Rng, startMs: number): string {
  const local = isoTime(startMs + osloOffsetMs(startMs));
  const [date, time] = [local.slice(0, 10), local.slice(11, 16)];
  switch (rng.int(0, 2)) {
    case 0:
      return `${date}T${time}:00`;
    case 1:
      return `${date.slice(8, 10)}.${date.slice(5, 7)}.${date.slice(0, 4)} ${time}`;
    default:
      return `${date.slice(0, 4)}-02-30T${isoTime(startMs).slice(11)}`;
  }
}

/** A version of its own: only the appointment is ever changed (a defect drops the unit from the version, not from the unit). */
const copyOf = (r: AppointmentRecord): AppointmentRecord => ({ ...r, appointment: { ...r.appointment } });

function spoil(record: AppointmentRecord, kind: AppointmentDefectKind, rng: Rng): void {
  if (kind === 'missing-unit') delete (record as Partial<AppointmentRecord>).unit;
  else record.appointment.startTime = badDate(rng, Date.parse(record.appointment.startTime));
  record._defect = kind;
}

/**
 * Every appointment line that comes of consultation `c` (its first version, without defects), with
 * its change time in ms. None is earlier than `notBeforeMs`: the caller's ordering relies on it
 * (see appointments.ts); the bookings never reach that far back.
 */
export function appointmentLines(ctx: GenContext, units: Map<string, AppointmentUnit>, c: ConsultationRecord, notBeforeMs: number): Array<[number, AppointmentLine]> {
  const unit = units.get(c.consultation.unitId);
  if (!unit) throw new Error(`demo data: consultation ${c.consultation.id} names unknown unit ${c.consultation.unitId}`);
  const key = hashSeed(c.consultation.id);
  const rng = new Rng(ctx.seed, SEED_BOOKING, key);
  const patient = patientOf(ctx.seed, c);
  const idBase = `A${c.consultation.id.slice(1)}`;
  const out: Array<[number, AppointmentLine]> = [];
  for (const b of bookingsOf(rng, Date.parse(c.consultation.startTime), c.consultation.programmeStep, dayOf(c.child.birthDate))) {
    // Draw everything in a fixed order, so changing a rate changes only what that rate decides.
    const statusMinutes = rng.int(0, 240);
    const cancelDays = rng.int(1, 5);
    const editDraw = rng.next();
    const editKind = rng.next();
    const editShift = rng.int(1, 8) * (rng.chance(0.5) ? -1 : 1);
    const editDelay = rng.next();
    const deleteDraw = rng.next();
    const deleteDelay = rng.next();
    const defectDraws = [rng.next(), rng.next(), rng.next(), rng.next()];
    if (b.startMs < ctx.fromMs) continue;

    // The status is recorded at arrival, when the no-show is noticed, or when the family calls.
    const firstMs =
      b.status === 'attended'
        ? b.startMs + Math.floor(statusMinutes / 12) * MINUTE
        : b.status === 'not-attended'
          ? b.startMs + (30 + statusMinutes) * MINUTE
          : b.startMs - cancelDays * DAY + statusMinutes * MINUTE;
    const id = `${idBase}.${b.attempt}`;
    const truth: AppointmentRecord = {
      recordId: '',
      version: 0,
      changedAt: '',
      appointment: {
        id,
        startTime: isoTime(b.startMs),
        type: c.consultation.programmeStep,
        status: b.status,
        ...(b.status === 'attended' ? { consultationId: c.consultation.id } : {}),
      },
      unit,
      patient,
    };
    const versions: Array<{ ms: number; record: AppointmentRecord }> = [];
    let lastMs = Math.max(firstMs, notBeforeMs);
    if (editDraw < ctx.editRate) {
      // The first version had it wrong: a time typed a few quarters off, or the wrong status
      // (a late child first marked as not come; a cancellation registered as a no-show).
      const first = copyOf(truth);
      if (editKind < 0.5) first.appointment.startTime = isoTime(b.startMs + editShift * 15 * MINUTE);
      else {
        first.appointment.status = b.status === 'not-attended' ? 'cancelled' : 'not-attended';
        delete first.appointment.consultationId;
      }
      versions.push({ ms: lastMs, record: first });
      lastMs += (60 + Math.floor(editDelay * 60 * 1440)) * MINUTE;
    }
    versions.push({ ms: lastMs, record: copyOf(truth) });
    versions.forEach((v, i) => {
      v.record.version = i + 1;
      v.record.recordId = `${id}/${i + 1}`;
      v.record.changedAt = isoTime(v.ms);
      if (defectDraws[2 * i] < ctx.badRate) {
        const kind = APPOINTMENT_DEFECT_KINDS[Math.floor(defectDraws[2 * i + 1] * APPOINTMENT_DEFECT_KINDS.length)];
        spoil(v.record, kind, new Rng(ctx.seed, SEED_APPOINTMENT_DEFECT, key, b.attempt, i + 1));
      }
      if (v.ms <= ctx.todayMs) out.push([v.ms, v.record]);
    });
    if (deleteDraw < ctx.deleteRate) {
      const ms = lastMs + (30 + Math.floor(deleteDelay * 60 * 1440)) * MINUTE;
      const version = versions.length + 1;
      if (ms <= ctx.todayMs) {
        out.push([
          ms,
          {
            recordId: `${id}/${version}`,
            version,
            changedAt: isoTime(ms),
            deleted: true,
            deletedAt: isoTime(ms),
            appointment: { id },
            unit,
            patient: { patientId: patient.patientId },
          },
        ]);
      }
    }
  }
  return out;
}
