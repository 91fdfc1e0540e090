// The demo EPJ's appointment export: one NDJSON line per version of one appointment (a time
// booked for a child at a unit, and whether the child came), in the vendor's own field names and
// codes. It is the source for FHI's HST_Avtale (SLASH). examples/demo-epj-appointments/README.md
// describes every field and source.schema.json beside it is the same contract as JSON Schema.
// Keep the three in step.

import type { NationalIdType } from './record.ts';

/** What became of the appointment: the child came, did not come, or it was cancelled beforehand. */
export const ATTENDANCE_CODES = ['attended', 'not-attended', 'cancelled'] as const;
/** Deliberate faults, only with --bad-rate; `_defect` names them so tests can count them. */
export const APPOINTMENT_DEFECT_KINDS = ['missing-unit', 'bad-date'] as const;

export type AttendanceCode = (typeof ATTENDANCE_CODES)[number];
export type AppointmentDefectKind = (typeof APPOINTMENT_DEFECT_KINDS)[number];

/** The unit the appointment is booked at: the reporting unit of the message it goes into. */
export interface AppointmentUnit {
  /** The EPJ's own unit id, the same as a consultation's `unitId` (`HS-0301-02`). */
  id: string;
  name: string;
  /** 9 digits, synthetic (starts with 3, valid check digit). */
  orgNumber: string;
  /** 4 digits. */
  municipalityNumber: string;
  /** Oslo only: the bydel as SSB's six-digit code (`030102`). */
  districtNumber?: string;
}

export interface AppointmentPatient {
  patientId: string;
  /** Fødselsnummer, D-nummer or H-nummer, as in the consultation extract. */
  nationalId: string;
  nationalIdType?: NationalIdType;
  /** The UDI's DUF number (12 digits), for some children with a D-nummer. */
  dufNumber?: string;
}

export interface DemoAppointment {
  /** Stable across versions: `A` + the consultation id's digits and step, `.` + the booking's number. */
  id: string;
  /** UTC, `YYYY-MM-DDTHH:MM:SSZ`: when the appointment was booked for. */
  startTime: string;
  /** The EPJ's own code for what the appointment is for: the consultation's programme step. */
  type: string;
  status: AttendanceCode;
  /** Only on an attended appointment: the consultation it led to (the demo EPJ's journal note). */
  consultationId?: string;
}

export interface AppointmentRecord {
  recordId: string;
  version: number;
  changedAt: string;
  appointment: DemoAppointment;
  unit: AppointmentUnit;
  patient: AppointmentPatient;
  _defect?: AppointmentDefectKind;
}

/** A tombstone: the appointment was deleted in the EPJ (booked by mistake, twice, on the wrong child). */
export interface AppointmentDeletion {
  recordId: string;
  version: number;
  changedAt: string;
  deleted: true;
  deletedAt: string;
  appointment: { id: string };
  unit: AppointmentUnit;
  patient: { patientId: string };
}

export type AppointmentLine = AppointmentRecord | AppointmentDeletion;

export function isAppointmentDeletion(r: AppointmentLine): r is AppointmentDeletion {
  return (r as AppointmentDeletion).deleted === true;
}
