// The national programme for helsestasjon and skolehelsetjeneste as the demo EPJ schedules it:
// one "slot" per programme step (code list 9505, Alderstrinn, with the ages its texts give), the
// school years, youth visits, and a few extra consultations (9505 code E). Each slot has the EPJ's
// own step code, who usually takes it, where, and what is measured.

import type { FormCode, ProfessionCode } from './record.ts';

/**
 * infant and school slots are fixed programme steps: each child has at most one, at a set age or
 * school year. youth and extra slots are visits anywhere in an age band: a child may have none,
 * one or several, generated as a day-by-day stream of events (see generate.ts).
 */
export type SlotKind = 'infant' | 'school' | 'youth' | 'extra';

export interface Slot {
  /** Position in SLOTS; also part of the consultation id, so never reorder existing slots. */
  index: number;
  kind: SlotKind;
  /** The KPR code (9505) this step maps onto: documentation and tests only, never exported. */
  kprStep: string;
  /** The demo EPJ's own code for the step, as exported in `consultation.programmeStep`. */
  vendorStep: string;
  /** Short id part: unique per slot (extras share a step code but not an id part). Event slots add the day and a serial. */
  idPart: string;
  /** infant, school: probability that a child has this consultation; youth, extra: expected number per child in the band. */
  attendance: number;
  /** infant: target age and ± days. */
  ageDays?: number;
  spreadDays?: number;
  /** school: the grade (1 = first year of school). */
  grade?: number;
  /** youth, extra: the age band in days, both ends included. */
  bandDays?: readonly [number, number];
  /** Who leads the consultation; `withDoctor` adds a doctor (programme steps "med lege"). */
  lead: ProfessionCode;
  withDoctor?: number;
  forms: ReadonlyArray<readonly [FormCode, number]>;
  measure: { height: number; weight: number; head: number };
}

const CLINIC: Slot['forms'] = [['clinic', 1]];
const ALL = { height: 0.95, weight: 0.97, head: 0.93 };
const NONE = { height: 0, weight: 0, head: 0 };

type InfantRow = [
  kpr: string,
  vendor: string,
  age: number,
  spread: number,
  attendance: number,
  lead: ProfessionCode,
  withDoctor: number,
  forms: Slot['forms'],
  measure: Slot['measure'],
];

// Ages from the 9505 texts: 3D within three days of coming home (jordmor), 10D within 7–10 days
// (helsesykepleier), 4U, 6U (with doctor), 3M, 4M, 5M, 6M (with doctor), 8M, 10M, 12M, 15M,
// 18M "17–18 months", 2A (with doctor), 4A.
const INFANT: InfantRow[] = [
  ['3D', 'HB-JORDMOR', 3, 2, 0.75, 'JORDMOR', 0, [['home', 1]], { height: 0, weight: 0.9, head: 0 }],
  [
    '10D',
    'HB-HSYK',
    10,
    3,
    0.93,
    'HSYK',
    0,
    [
      ['home', 0.95],
      ['clinic', 0.05],
    ],
    { height: 0.5, weight: 0.95, head: 0.6 },
  ],
  ['4U', 'U04', 28, 4, 0.95, 'HSYK', 0, CLINIC, ALL],
  ['6U', 'U06', 42, 5, 0.96, 'HSYK', 1, CLINIC, ALL],
  [
    '3M',
    'M03',
    91,
    7,
    0.95,
    'HSYK',
    0,
    [
      ['clinic', 0.85],
      ['group', 0.15],
    ],
    ALL,
  ],
  ['4M', 'M04', 122, 7, 0.9, 'HSYK', 0, CLINIC, ALL],
  [
    '5M',
    'M05',
    152,
    7,
    0.9,
    'HSYK',
    0,
    [
      ['clinic', 0.7],
      ['group', 0.3],
    ],
    ALL,
  ],
  ['6M', 'M06', 183, 10, 0.95, 'HSYK', 1, CLINIC, ALL],
  ['8M', 'M08', 244, 10, 0.9, 'HSYK', 0, CLINIC, ALL],
  ['10M', 'M10', 305, 10, 0.9, 'HSYK', 0, CLINIC, ALL],
  ['12M', 'M12', 365, 14, 0.93, 'HSYK', 0, CLINIC, ALL],
  ['15M', 'M15', 456, 14, 0.88, 'HSYK', 0, CLINIC, ALL],
  ['18M', 'M17', 525, 20, 0.9, 'HSYK', 0, CLINIC, ALL],
  ['2A', 'A02', 730, 21, 0.93, 'HSYK', 1, CLINIC, { height: 0.95, weight: 0.97, head: 0.5 }],
  ['4A', 'A04', 1461, 30, 0.9, 'HSYK', 0, CLINIC, { height: 0.95, weight: 0.95, head: 0 }],
];

// School years: 6A is first grade (school start examination) … 15A tenth grade. The guideline's
// fixed contacts are school start, third and eighth grade (with height and weight), seventh grade
// (vaccination) and tenth grade; the other years see the nurse less often.
const SCHOOL: Array<[kpr: string, grade: number, attendance: number, withDoctor: number, measure: number]> = [
  ['6A', 1, 0.97, 0.4, 0.95],
  ['7A', 2, 0.15, 0, 0.1],
  ['8A', 3, 0.9, 0, 0.93],
  ['9A', 4, 0.15, 0, 0.1],
  ['10A', 5, 0.2, 0, 0.1],
  ['11A', 6, 0.25, 0, 0.1],
  ['12A', 7, 0.85, 0, 0.2],
  ['13A', 8, 0.9, 0, 0.92],
  ['14A', 9, 0.3, 0, 0.1],
  ['15A', 10, 0.85, 0, 0.3],
];

// Helsestasjon for ungdom: some teenagers come at 16, 17 and 18 years of age.
const YOUTH: Array<[kpr: string, years: number, attendance: number]> = [
  ['16A', 16, 0.25],
  ['17A', 17, 0.25],
  ['18A', 18, 0.2],
];

// Extra consultations (9505 "E"): follow-ups in the first years, and the school nurse's open
// door, much used by teenagers. Age bands in days and the expected number per child there.
const EXTRA: Array<[band: readonly [number, number], perChild: number]> = [
  [[14, 365], 0.95],
  [[366, 1095], 0.55],
  [[1096, 2190], 0.25],
  [[2191, 3650], 0.45],
  [[3651, 5110], 0.75],
  [[5111, 6935], 1.2],
];

function buildSlots(): Slot[] {
  const slots: Slot[] = [];
  for (const [kpr, vendor, age, spread, attendance, lead, withDoctor, forms, measure] of INFANT) {
    slots.push({
      index: slots.length,
      kind: 'infant',
      kprStep: kpr,
      vendorStep: vendor,
      idPart: vendor,
      attendance,
      ageDays: age,
      spreadDays: spread,
      lead,
      withDoctor,
      forms,
      measure,
    });
  }
  for (const [kpr, grade, attendance, withDoctor, m] of SCHOOL) {
    const vendor = `T${String(grade).padStart(2, '0')}`;
    slots.push({
      index: slots.length,
      kind: 'school',
      kprStep: kpr,
      vendorStep: vendor,
      idPart: vendor,
      attendance,
      grade,
      lead: 'HSYK',
      withDoctor,
      forms: [
        ['school', 0.9],
        ['clinic', 0.1],
      ],
      measure: { height: m, weight: m, head: 0 },
    });
  }
  for (const [kpr, years, attendance] of YOUTH) {
    const band = [Math.floor(years * 365.25), Math.floor((years + 1) * 365.25) - 1] as const;
    slots.push({
      index: slots.length,
      kind: 'youth',
      kprStep: kpr,
      vendorStep: `A${years}`,
      idPart: `A${years}`,
      attendance,
      bandDays: band,
      lead: 'HSYK',
      withDoctor: 0.2,
      forms: [
        ['clinic', 0.85],
        ['video', 0.15],
      ],
      measure: { height: 0.1, weight: 0.1, head: 0 },
    });
  }
  EXTRA.forEach(([band, perChild], i) => {
    slots.push({
      index: slots.length,
      kind: 'extra',
      kprStep: 'E',
      vendorStep: 'EKSTRA',
      idPart: `X${i + 1}`,
      attendance: perChild,
      bandDays: band,
      lead: 'HSYK',
      withDoctor: 0.1,
      forms: [
        ['clinic', 0.8],
        ['video', 0.1],
        ['home', 0.1],
      ],
      measure: NONE,
    });
  });
  return slots;
}

export const SLOTS: readonly Slot[] = buildSlots();
