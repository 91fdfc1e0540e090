// Who is in the demo: municipalities (real kommunenummer), their health-station and school-health
// units (synthetic ids and organisation numbers), the staff of each unit (synthetic HPR numbers),
// and the children. A child is a pure function of (seed, index), so any part of the generator can
// recompute one instead of keeping it in memory.

import { Rng } from './random.ts';
import type { NationalIdType, ProfessionCode, SexCode } from './record.ts';
import type { GrowthProfile } from './growth.ts';
import { dayFromParts, isoDate, yearOfDay, DAY } from './time.ts';
import { fodselsnummerCheckDigits, organisasjonsnummerCheckDigit } from '../rules/identifiers.ts';

/**
 * Real kommunenummer (as from 2024) and rough populations: the twelve largest first (what a demo
 * of a few municipalities takes), then more, so that a vendor's sandbox of many tenants
 * (`kpr init --tenants N`) gives each tenant a municipality of its own.
 */
const MUNICIPALITIES: ReadonlyArray<readonly [string, string, number]> = [
  ['0301', 'Oslo', 717],
  ['4601', 'Bergen', 291],
  ['5001', 'Trondheim', 214],
  ['1103', 'Stavanger', 148],
  ['4204', 'Kristiansand', 116],
  ['3301', 'Drammen', 103],
  ['3107', 'Fredrikstad', 85],
  ['1108', 'Sandnes', 83],
  ['5501', 'Tromsø', 78],
  ['1508', 'Ålesund', 60],
  ['1804', 'Bodø', 53],
  ['3403', 'Hamar', 32],
  ['3201', 'Bærum', 128],
  ['3203', 'Asker', 97],
  ['3205', 'Lillestrøm', 90],
  ['3907', 'Sandefjord', 65],
  ['3905', 'Tønsberg', 58],
  ['3909', 'Larvik', 48],
  ['4203', 'Arendal', 46],
  ['1106', 'Haugesund', 38],
  ['1506', 'Molde', 32],
  ['3407', 'Gjøvik', 31],
  ['3405', 'Lillehammer', 29],
  ['5006', 'Steinkjer', 24],
];
export const MAX_MUNICIPALITIES = MUNICIPALITIES.length;

export interface StaffMember {
  hpr: string;
  profession: ProfessionCode;
}

export interface Unit {
  /** The EPJ's own unit id, e.g. `HS-0301-02` (helsestasjon) or `SHT-0301-01` (skolehelsetjeneste). */
  id: string;
  orgNumber: string;
  kind: 'HS' | 'SHT';
  municipalityNumber: string;
  staff: StaffMember[];
}

export interface Municipality {
  number: string;
  name: string;
  weight: number;
  healthStations: Unit[];
  schoolHealth: Unit[];
}

const SEED_UNIT = 11;
const SEED_CHILD = 12;
const SEED_BIRTH = 13;

/**
 * Synthetic organisation number: real ones start with 8 or 9, these start with 3 (the range
 * Norwegian test environments use for synthetic organisations) and carry a valid check digit.
 */
function syntheticOrgNumber(rng: Rng): string {
  for (;;) {
    const first8 = `3${String(rng.int(0, 9_999_999)).padStart(7, '0')}`;
    const k = organisasjonsnummerCheckDigit(first8);
    if (k !== null) return first8 + k;
  }
}

function staffFor(rng: Rng, unitSerial: number, kind: 'HS' | 'SHT'): StaffMember[] {
  const plan: Array<[ProfessionCode, number]> =
    kind === 'HS'
      ? [
          ['HSYK', rng.int(3, 7)],
          ['LEGE', rng.int(1, 2)],
          ['JORDMOR', rng.int(1, 2)],
          ['FYSIO', 1],
          ['SPL', 1],
        ]
      : [
          ['HSYK', rng.int(2, 5)],
          ['LEGE', 1],
          ['PSYK', rng.int(0, 1)],
          ['FYSIO', rng.int(0, 1)],
        ];
  const staff: StaffMember[] = [];
  for (const [profession, count] of plan) {
    for (let i = 0; i < count; i++) {
      // 9 digits starting with 9: above every HPR number issued so far, unique per unit and member.
      const hpr = `9${String(unitSerial).padStart(3, '0')}${String(staff.length).padStart(2, '0')}${String(rng.int(0, 999)).padStart(3, '0')}`;
      staff.push({ hpr, profession });
    }
  }
  return staff;
}

/** `count` municipalities from the `first`th on, with their units and staff, fixed by the seed. */
export function buildMunicipalities(seed: number, count: number, first = 0): Municipality[] {
  let unitSerial = 0;
  return MUNICIPALITIES.slice(first, first + count).map(([number, name, weight]) => {
    const rng = new Rng(seed, SEED_UNIT, Number(number));
    const unitsOf = (kind: 'HS' | 'SHT', n: number): Unit[] =>
      Array.from({ length: n }, (_, i) => {
        unitSerial++;
        return {
          id: `${kind}-${number}-${String(i + 1).padStart(2, '0')}`,
          orgNumber: syntheticOrgNumber(rng),
          kind,
          municipalityNumber: number,
          staff: staffFor(rng, unitSerial, kind),
        };
      });
    const size = Math.max(1, Math.min(5, Math.round(weight / 120)));
    return { number, name, weight, healthStations: unitsOf('HS', size + 1), schoolHealth: unitsOf('SHT', size) };
  });
}

export interface Child {
  index: number;
  patientId: string;
  nationalId: string;
  nationalIdType?: NationalIdType;
  birthDay: number;
  birthDate: string;
  sex: SexCode;
  municipality: Municipality;
  healthStation: Unit;
  schoolHealth: Unit;
  growth: GrowthProfile;
  /** Age in days until which the child is fully, and then partly, breastfed. */
  exclusiveBreastfeedingDays: number;
  anyBreastfeedingDays: number;
  /** Who usually comes along: a two-parent family, one parent, or a guardian. */
  family: 'two-parents' | 'mother' | 'father' | 'guardian' | 'foster';
  /** Index into the unit's nurses of the child's own helsesykepleier. */
  ownNurse: number;
}

/**
 * How births are spread: a share of the children is born in the school-age years before the
 * window (so the backfill has pupils and teenagers), the rest shortly before and inside it.
 */
export interface BirthSpan {
  /** First birth day of the older group, first birth day of the younger group, last birth day. */
  olderFirstDay: number;
  youngerFirstDay: number;
  lastDay: number;
  /** Share of children in the older group. */
  olderShare: number;
  children: number;
}

/**
 * Child i's birth day: position i of the population plus a jitter inside its slot, mapped onto
 * the two groups. Birth days never decrease with the index (the time-ordered merge relies on it).
 */
export function birthDayOf(seed: number, span: BirthSpan, index: number): number {
  const x = (index + new Rng(seed, SEED_BIRTH, index).next()) / span.children;
  const q = span.olderShare;
  if (x < q) return span.olderFirstDay + Math.floor((x / q) * (span.youngerFirstDay - span.olderFirstDay));
  return span.youngerFirstDay + Math.floor(((x - q) / (1 - q)) * (span.lastDay - span.youngerFirstDay + 1));
}

function nationalIdFor(rng: Rng, birthDay: number, sex: SexCode, type: NationalIdType | undefined): string {
  const d = new Date(birthDay * DAY);
  const year = d.getUTCFullYear();
  const day = d.getUTCDate() + (type === 'DNR' ? 40 : 0);
  // Synthetic (Tenor) numbers add 80 to the month; an H-number's +40 leaves no room for that.
  const month = d.getUTCMonth() + 1 + (type === 'HNR' ? 40 : 80);
  const [lo, hi] = year >= 2000 ? [500, 999] : [0, 499];
  for (;;) {
    let individ = rng.int(lo, hi);
    // The ninth digit carries sex: odd for boys, even for girls.
    if ((individ % 2 === 1) !== (sex === 'M')) individ = individ === hi ? individ - 1 : individ + 1;
    const first9 = `${String(day).padStart(2, '0')}${String(month).padStart(2, '0')}${String(year % 100).padStart(2, '0')}${String(individ).padStart(3, '0')}`;
    const k = fodselsnummerCheckDigits(first9);
    if (k !== null) return first9 + k;
  }
}

/** Child number `index`: everything about it except its consultations. */
export function childOf(seed: number, span: BirthSpan, municipalities: Municipality[], index: number, idOffset = 0): Child {
  const rng = new Rng(seed, SEED_CHILD, index);
  const birthDay = birthDayOf(seed, span, index);
  const sex: SexCode = rng.chance(0.513) ? 'M' : 'F';
  const nationalIdType = rng.weighted<NationalIdType | undefined>([
    [undefined, 0.97],
    ['DNR', 0.025],
    ['HNR', 0.005],
  ]);
  const nationalId = nationalIdFor(rng, birthDay, sex, nationalIdType);
  const municipality = rng.weighted(municipalities.map((m) => [m, m.weight] as const));
  const healthStation = rng.pick(municipality.healthStations);
  const schoolHealth = rng.pick(municipality.schoolHealth);
  const zHeight = rng.normal(2.5);
  const growth: GrowthProfile = {
    zHeight,
    zWeight: 0.6 * zHeight + 0.8 * rng.normal(2.5),
    zHead: 0.5 * zHeight + 0.85 * rng.normal(2.5),
  };
  // About one in twelve is never breastfed; otherwise full breastfeeding for some months and
  // partial breastfeeding for a while after.
  const never = rng.chance(0.08);
  const exclusive = never ? 0 : Math.round(Math.exp(Math.log(110) + 0.5 * rng.normal()));
  const any = never ? 0 : exclusive + Math.round(Math.exp(Math.log(220) + 0.5 * rng.normal()));
  return {
    index,
    patientId: `P${String(idOffset + index + 1).padStart(7, '0')}`,
    nationalId,
    nationalIdType,
    birthDay,
    birthDate: isoDate(birthDay),
    sex,
    municipality,
    healthStation,
    schoolHealth,
    growth,
    exclusiveBreastfeedingDays: exclusive,
    anyBreastfeedingDays: any,
    family: rng.weighted([
      ['two-parents', 0.78],
      ['mother', 0.13],
      ['father', 0.04],
      ['guardian', 0.03],
      ['foster', 0.02],
    ] as const),
    ownNurse: rng.int(0, 99),
  };
}

/** The first day of the school year in which the child is in `grade` (Norway: school starts in August of the year the child turns six). */
export function schoolYearStartDay(birthDay: number, grade: number): number {
  return dayFromParts(yearOfDay(birthDay) + 5 + grade, 8, 15);
}
