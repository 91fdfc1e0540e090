// The demo EPJ's export record: one NDJSON line per consultation version, in the vendor's own
// field names and codes (not KPR's), so that mapping it onto the HST message is real work.
// examples/demo-epj/README.md describes every field; examples/demo-epj/source.schema.json is the
// same contract as JSON Schema. Keep the three in step.

export const SEX_CODES = ['M', 'F'] as const;
export const NATIONAL_ID_TYPES = ['FNR', 'DNR', 'HNR'] as const;
export const FORM_CODES = ['clinic', 'home', 'group', 'video', 'school'] as const;
export const PROFESSION_CODES = ['HSYK', 'LEGE', 'JORDMOR', 'FYSIO', 'SPL', 'PSYK'] as const;
export const ROLE_CODES = ['responsible', 'assisting'] as const;
export const COMPANION_CODES = ['mother', 'father', 'guardian', 'foster-parent', 'sibling', 'grandparent', 'other'] as const;
export const BREASTFEEDING_CODES = ['exclusive', 'partial', 'none'] as const;
/** Deliberate faults, only with --bad-rate; `_defect` names them so tests can count them. */
export const DEFECT_KINDS = ['invalid-fnr', 'unknown-code', 'future-date', 'missing-field'] as const;

export type SexCode = (typeof SEX_CODES)[number];
export type NationalIdType = (typeof NATIONAL_ID_TYPES)[number];
export type FormCode = (typeof FORM_CODES)[number];
export type ProfessionCode = (typeof PROFESSION_CODES)[number];
export type RoleCode = (typeof ROLE_CODES)[number];
export type CompanionCode = (typeof COMPANION_CODES)[number];
export type BreastfeedingCode = (typeof BREASTFEEDING_CODES)[number];
export type DefectKind = (typeof DEFECT_KINDS)[number];

export interface DemoChild {
  /** The EPJ's own patient id: stable for the child across all consultations and years. */
  patientId: string;
  /** Fødselsnummer, D-nummer or H-nummer (synthetic: month + 80, except H-numbers). */
  nationalId: string;
  /** Present only for D- and H-numbers; absent means an ordinary fødselsnummer. */
  nationalIdType?: NationalIdType;
  birthDate: string;
  sex: SexCode;
}

export interface DemoConsultation {
  /** Stable across versions: edits and deletions refer to the same id. */
  id: string;
  /** UTC, `YYYY-MM-DDTHH:MM:SSZ`. */
  startTime: string;
  registeredAt: string;
  form: FormCode;
  /** The EPJ's own code for the national programme step (maps onto code list 9505). */
  programmeStep: string;
  unitId: string;
  unitOrgNumber: string;
  municipalityNumber: string;
}

export interface DemoPersonnel {
  hpr: string;
  profession: ProfessionCode;
  role: RoleCode;
}

export type DemoMeasurement =
  | { type: 'height'; valueCm: number; measuredAt: string }
  | { type: 'weight'; valueGrams: number; measuredAt: string }
  | { type: 'headCircumference'; valueCm: number; measuredAt: string };

/** A consultation as registered or last edited. */
export interface ConsultationRecord {
  recordId: string;
  version: number;
  changedAt: string;
  child: DemoChild;
  consultation: DemoConsultation;
  personnel: DemoPersonnel[];
  accompaniedBy: CompanionCode[];
  measurements: DemoMeasurement[];
  breastfeeding?: BreastfeedingCode;
  _defect?: DefectKind;
}

/** A tombstone: the consultation was deleted in the EPJ (wrong child, entered twice...). */
export interface DeletionRecord {
  recordId: string;
  version: number;
  changedAt: string;
  deleted: true;
  deletedAt: string;
  child: { patientId: string };
  consultation: { id: string; unitId: string; municipalityNumber: string };
}

export type DemoRecord = ConsultationRecord | DeletionRecord;

export function isDeletion(r: DemoRecord): r is DeletionRecord {
  return (r as DeletionRecord).deleted === true;
}
