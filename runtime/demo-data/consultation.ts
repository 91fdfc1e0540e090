// One consultation of one child: first its plan (when it happened, was registered, edited,
// deleted, and which versions carry a deliberate defect), then, only when a version is due to be
// written, the record itself. Both are pure functions of the seed and the consultation's
// identity (child and programme step, or age band, day and serial for youth and extra visits),
// each drawing from its own PRNG stream, so a record can be rebuilt at any time without keeping
// it in memory.

import { Rng, hashInts } from './random.ts';
import type { Slot } from './programme.ts';
import { childOf, schoolYearStartDay, type BirthSpan, type Child, type Municipality, type Unit } from './population.ts';
import { headCircumferenceCm, heightCm, weightGrams } from './growth.ts';
import { DAY, MINUTE, dayFromParts, isoDate, isoTime, onWeekday, osloLocalToUtc, yearOfDay } from './time.ts';
import { applyDefect, pickDefect } from './defects.ts';
import type { BreastfeedingCode, CompanionCode, ConsultationRecord, DefectKind, DeletionRecord, DemoMeasurement, DemoPersonnel, DemoRecord, FormCode } from './record.ts';

const SEED_PLAN = 21;
const SEED_CONTENT = 22;
const SEED_EDIT = 23;
const SEED_DEFECT = 24;

/** The first day video consultations were in use (the first Covid-19 lockdown in Norway). */
const VIDEO_FROM_DAY = dayFromParts(2020, 3, 12);

/** Everything the generator fixes once per run. */
export interface GenContext {
  seed: number;
  span: BirthSpan;
  municipalities: Municipality[];
  /** The window: consultations starting in [fromMs, toMs]. */
  fromMs: number;
  toMs: number;
  /** The extract's "now": nothing registered or changed after it is exported. */
  todayMs: number;
  editRate: number;
  deleteRate: number;
  badRate: number;
  /** Added to the children's numbers in ids (K…, P…), so that the tenants of one sandbox have ids apart. */
  idOffset?: number;
}

export type VersionKind = 'original' | 'edit' | 'deletion';

export interface VersionPlan {
  version: number;
  kind: VersionKind;
  changedMs: number;
  defect?: DefectKind;
}

export interface ConsultationPlan {
  /** The consultation id, stable across versions. */
  id: string;
  /** Names the consultation's own PRNG streams (content, edit, defect). */
  key: number;
  child: number;
  slot: Slot;
  /** For age-band visits: which of that slot's visits on `startDay` (0 for programme steps). */
  serial: number;
  startDay: number;
  startMs: number;
  registeredMs: number;
  versions: VersionPlan[];
}

/**
 * A school visit's earliest day: the school year's start plus a share of the year that follows
 * the child's birthday within its birth year. Nurses see classes through the whole year; tying
 * the order loosely to birth date keeps each school slot's stream nearly sorted (flat memory)
 * while the visits still spread evenly over the school year.
 */
function schoolBaseDay(birthDay: number, grade: number): number {
  const yearStart = dayFromParts(yearOfDay(birthDay), 1, 1);
  return schoolYearStartDay(birthDay, grade) + 3 + Math.floor(((birthDay - yearStart) / 366) * 290);
}

/**
 * The earliest time any version of a programme slot's consultation can have for a child born on
 * `birthDay`. It never decreases with the birth day, which is what the time-ordered merge needs.
 */
export function lowerBoundMs(slot: Slot, birthDay: number): number {
  switch (slot.kind) {
    case 'infant':
      return (birthDay + Math.max(1, slot.ageDays! - slot.spreadDays!)) * DAY;
    case 'school':
      return schoolBaseDay(birthDay, slot.grade!) * DAY;
    default:
      throw new Error(`slot ${slot.idPart} is an age band, not a programme step`);
  }
}

/** Consultation id of a programme step: the child and the slot, whatever the version. */
export function programmeConsultationId(child: number, slot: Slot, idOffset = 0): string {
  return `K${String(idOffset + child + 1).padStart(7, '0')}-${slot.idPart}`;
}

/** When (and whether) a child has a programme step's consultation within the window; null if not. */
export function planProgrammeStep(ctx: GenContext, child: number, birthDay: number, slot: Slot): ConsultationPlan | null {
  const key = hashInts(1, child, slot.index);
  const rng = new Rng(ctx.seed, SEED_PLAN, key);
  const attends = rng.next();
  const dayDraw = rng.next();
  let day: number;
  if (slot.kind === 'infant') {
    const spread = slot.spreadDays!;
    day = birthDay + Math.max(1, slot.ageDays! - spread + Math.floor(dayDraw * (2 * spread + 1)));
    // The midwife's visit comes whatever the weekday; the rest wait for Monday.
    if (slot.vendorStep !== 'HB-JORDMOR') day = onWeekday(day);
  } else {
    day = onWeekday(schoolBaseDay(birthDay, slot.grade!) + Math.floor(dayDraw * 11));
  }
  const plan = timedPlan(ctx, rng, programmeConsultationId(child, slot, ctx.idOffset), key, child, slot, day, 0);
  return attends < slot.attendance ? plan : null;
}

/** A visit in an age band (youth, extra) on `day`, the `serial`-th of that slot's visits that day. */
export function planBandVisit(ctx: GenContext, slot: Slot, day: number, serial: number, child: number): ConsultationPlan | null {
  const key = hashInts(2, slot.index, day, serial);
  const id = `K${String((ctx.idOffset ?? 0) + child + 1).padStart(7, '0')}-${slot.idPart}-${isoDate(day).replaceAll('-', '')}-${serial + 1}`;
  return timedPlan(ctx, new Rng(ctx.seed, SEED_PLAN, key), id, key, child, slot, day, serial);
}

/** Times, versions and defects of a consultation on `day`; null when outside the window or not yet registered. */
function timedPlan(ctx: GenContext, rng: Rng, id: string, key: number, child: number, slot: Slot, day: number, serial: number): ConsultationPlan | null {
  // Draw everything in a fixed order, so changing a rate changes only what that rate decides.
  const minuteDraw = rng.int(0, 90);
  const duration = rng.int(20, 60);
  const registration = rng.next();
  const registrationDelay = rng.next();
  const editDraw = rng.next();
  const editDelay = rng.next();
  const deleteDraw = rng.next();
  const deleteDelay = rng.next();
  const defectDraws = [rng.next(), rng.next(), rng.next(), rng.next()];

  const startMs = osloLocalToUtc(day, 8 * 60 + 5 * minuteDraw);
  if (startMs < ctx.fromMs || startMs > ctx.toMs || startMs > ctx.todayMs) return null;

  // Most notes are written the same day, some in the following days, a few weeks late.
  const endMs = startMs + duration * MINUTE;
  const registeredMs =
    registration < 0.7
      ? endMs + Math.floor(registrationDelay * 240) * MINUTE
      : registration < 0.95
        ? endMs + (1 + Math.floor(registrationDelay * 3)) * DAY + (Math.floor(registrationDelay * 7919) % 480) * MINUTE
        : endMs + (4 + Math.floor(registrationDelay * 17)) * DAY;
  if (registeredMs > ctx.todayMs) return null;

  const versions: VersionPlan[] = [{ version: 1, kind: 'original', changedMs: registeredMs }];
  let lastMs = registeredMs;
  if (editDraw < ctx.editRate) {
    // Corrections: half within two days, the rest over the following months.
    const minutes = editDelay < 0.5 ? 60 + Math.floor(editDelay * 2 * 2820) : 2 * 1440 + Math.floor((editDelay - 0.5) * 2 * 118 * 1440);
    lastMs += minutes * MINUTE;
    versions.push({ version: 2, kind: 'edit', changedMs: lastMs });
  }
  if (deleteDraw < ctx.deleteRate) {
    lastMs += (30 + Math.floor(deleteDelay * 60 * 1440)) * MINUTE;
    versions.push({ version: versions.length + 1, kind: 'deletion', changedMs: lastMs });
  }
  const due = versions.filter((v) => v.changedMs <= ctx.todayMs);
  due.forEach((v, i) => {
    if (v.kind !== 'deletion' && defectDraws[2 * i] < ctx.badRate) v.defect = pickDefect(defectDraws[2 * i + 1]);
  });
  return { id, key, child, slot, serial, startDay: day, startMs, registeredMs, versions: due };
}

/** The unit that holds the consultation: the health station until school age, then school health (youth visits go back to the health station). */
function unitFor(child: Child, slot: Slot, ageDays: number): Unit {
  if (slot.kind === 'school') return child.schoolHealth;
  if (slot.kind === 'extra' && ageDays >= 2191) return child.schoolHealth;
  return child.healthStation;
}

function personnelFor(rng: Rng, child: Child, unit: Unit, slot: Slot, form: FormCode): DemoPersonnel[] {
  const of = (profession: string) => unit.staff.filter((s) => s.profession === profession);
  const nurses = of('HSYK');
  let leads = of(slot.lead);
  if (leads.length === 0) leads = nurses;
  // The child's own nurse takes most consultations; now and then a colleague or a nurse (SPL).
  let lead = slot.lead === 'HSYK' ? nurses[child.ownNurse % nurses.length] : rng.pick(leads);
  if (rng.chance(0.2)) lead = rng.pick(leads);
  if (slot.lead === 'HSYK' && slot.kind === 'infant' && rng.chance(0.04) && of('SPL').length > 0) lead = of('SPL')[0];
  const people: DemoPersonnel[] = [{ hpr: lead.hpr, profession: lead.profession, role: 'responsible' }];
  const doctors = of('LEGE');
  if (doctors.length > 0 && rng.chance(slot.withDoctor ?? 0)) people.push({ hpr: rng.pick(doctors).hpr, profession: 'LEGE', role: 'assisting' });
  const physios = of('FYSIO');
  if (physios.length > 0 && (slot.vendorStep === 'M03' || slot.vendorStep === 'M04') && rng.chance(form === 'group' ? 0.6 : 0.1)) {
    people.push({ hpr: rng.pick(physios).hpr, profession: 'FYSIO', role: 'assisting' });
  }
  return people;
}

/** How likely a parent or guardian comes along, by age: always for babies, rarely for teenagers. */
function companionChance(ageDays: number, slot: Slot): number {
  if (ageDays < 2191) return 0.99;
  const grade = slot.grade ?? Math.max(1, Math.floor((ageDays - 2000) / 365));
  return grade <= 1 ? 0.85 : grade <= 4 ? 0.4 : grade <= 7 ? 0.15 : 0.03;
}

function companionsFor(rng: Rng, child: Child, ageDays: number, slot: Slot): CompanionCode[] {
  if (!rng.chance(companionChance(ageDays, slot))) return [];
  let who: CompanionCode[];
  switch (child.family) {
    case 'two-parents':
      who = rng.weighted<CompanionCode[]>([
        [['mother'], 0.5],
        [['mother', 'father'], 0.3],
        [['father'], 0.2],
      ]);
      break;
    case 'mother':
      who = rng.chance(0.06) ? ['mother', 'grandparent'] : ['mother'];
      break;
    case 'father':
      who = ['father'];
      break;
    case 'guardian':
      who = ['guardian'];
      break;
    case 'foster':
      who = ['foster-parent'];
      break;
  }
  if (ageDays < 1461 && rng.chance(0.04)) who = [...who, 'sibling'];
  if (rng.chance(0.005)) who = [...who, 'other'];
  return who;
}

function measurementsFor(rng: Rng, child: Child, slot: Slot, ageDays: number, startMs: number): DemoMeasurement[] {
  let { height, weight, head } = slot.measure;
  if (slot.kind === 'extra' && ageDays < 365) ({ height, weight, head } = { height: 0.3, weight: 0.5, head: 0.2 });
  const out: DemoMeasurement[] = [];
  const at = isoTime(startMs + rng.int(5, 25) * MINUTE);
  const g = child.growth;
  if (rng.chance(height)) {
    const cm = heightCm(child.sex, ageDays, g.zHeight + 0.1 * rng.normal()) + 0.3 * rng.normal();
    out.push({ type: 'height', valueCm: Math.round(cm * 10) / 10, measuredAt: at });
  }
  if (rng.chance(weight)) {
    const grams = weightGrams(child.sex, ageDays, g.zWeight + 0.1 * rng.normal()) * (1 + 0.01 * rng.normal());
    // Baby scales weigh to 5 g, school scales to 100 g.
    const step = ageDays < 730 ? 5 : 100;
    out.push({ type: 'weight', valueGrams: Math.round(grams / step) * step, measuredAt: at });
  }
  if (ageDays <= 760 && rng.chance(head)) {
    const cm = headCircumferenceCm(child.sex, ageDays, g.zHead + 0.1 * rng.normal()) + 0.2 * rng.normal();
    out.push({ type: 'headCircumference', valueCm: Math.round(cm * 10) / 10, measuredAt: at });
  }
  return out;
}

function breastfeedingFor(rng: Rng, child: Child, slot: Slot, ageDays: number): BreastfeedingCode | undefined {
  // Asked about in the first two years; not always written down.
  if (ageDays > 730 || (slot.kind !== 'infant' && slot.kind !== 'extra') || !rng.chance(0.92)) return undefined;
  if (ageDays < child.exclusiveBreastfeedingDays) return 'exclusive';
  return ageDays < child.anyBreastfeedingDays ? 'partial' : 'none';
}

/** The record as first registered. */
function originalRecord(ctx: GenContext, plan: ConsultationPlan, child: Child): ConsultationRecord {
  const rng = new Rng(ctx.seed, SEED_CONTENT, plan.key);
  const slot = plan.slot;
  const ageDays = plan.startDay - child.birthDay;
  const unit = unitFor(child, slot, ageDays);
  let form = rng.weighted(slot.forms);
  // The school nurse's open door is at school.
  if (slot.kind === 'extra' && unit.kind === 'SHT' && form !== 'video') form = 'school';
  if (form === 'video' && plan.startDay < VIDEO_FROM_DAY) form = 'clinic';
  const id = plan.id;
  return {
    recordId: `${id}/1`,
    version: 1,
    changedAt: isoTime(plan.registeredMs),
    child: {
      patientId: child.patientId,
      nationalId: child.nationalId,
      ...(child.nationalIdType ? { nationalIdType: child.nationalIdType } : {}),
      birthDate: child.birthDate,
      sex: child.sex,
    },
    consultation: {
      id,
      startTime: isoTime(plan.startMs),
      registeredAt: isoTime(plan.registeredMs),
      form,
      programmeStep: slot.vendorStep,
      unitId: unit.id,
      unitOrgNumber: unit.orgNumber,
      municipalityNumber: unit.municipalityNumber,
    },
    personnel: personnelFor(rng, child, unit, slot, form),
    accompaniedBy: companionsFor(rng, child, ageDays, slot),
    measurements: form === 'video' ? [] : measurementsFor(rng, child, slot, ageDays, plan.startMs),
    ...(() => {
      const b = breastfeedingFor(rng, child, slot, ageDays);
      return b ? { breastfeeding: b } : {};
    })(),
  };
}

/** A later correction: one plausible change to the original. */
function applyEdit(ctx: GenContext, plan: ConsultationPlan, child: Child, record: ConsultationRecord): void {
  const rng = new Rng(ctx.seed, SEED_EDIT, plan.key);
  const weight = record.measurements.find((m) => m.type === 'weight');
  const kind = rng.weighted([
    ['weight', weight ? 3 : 0],
    ['form', 1],
    ['companion', 2],
    ['personnel', 2],
    ['start', 1],
  ] as const);
  switch (kind) {
    case 'weight':
      if (weight && weight.type === 'weight') weight.valueGrams = Math.round((weight.valueGrams * (1 + (rng.chance(0.5) ? 0.1 : -0.1))) / 5) * 5;
      break;
    case 'form':
      record.consultation.form = record.consultation.form === 'home' ? 'clinic' : 'home';
      break;
    case 'companion': {
      // A parent who came along was forgotten, or one was registered who was not there.
      const present = record.accompaniedBy;
      record.accompaniedBy = present.length === 0 ? ['mother'] : present.includes('father') ? present.filter((c) => c !== 'father') : [...present, 'father'];
      break;
    }
    case 'personnel': {
      const unit = unitFor(child, plan.slot, plan.startDay - child.birthDay);
      const other = rng.pick(unit.staff.filter((s) => !record.personnel.some((p) => p.hpr === s.hpr)));
      if (other) record.personnel.push({ hpr: other.hpr, profession: other.profession, role: 'assisting' });
      break;
    }
    case 'start': {
      // The time was typed wrong: moved by whole quarters of an hour, never past registration.
      const moved = plan.startMs + (rng.chance(0.5) ? -1 : 1) * rng.int(1, 8) * 15 * MINUTE;
      record.consultation.startTime = isoTime(Math.max(ctx.fromMs, Math.min(moved, plan.registeredMs - MINUTE)));
      break;
    }
  }
}

/** The record for one version of a planned consultation. */
export function buildRecord(ctx: GenContext, plan: ConsultationPlan, version: VersionPlan): DemoRecord {
  const child = childOf(ctx.seed, ctx.span, ctx.municipalities, plan.child, ctx.idOffset);
  const id = plan.id;
  if (version.kind === 'deletion') {
    const unit = unitFor(child, plan.slot, plan.startDay - child.birthDay);
    const deletion: DeletionRecord = {
      recordId: `${id}/${version.version}`,
      version: version.version,
      changedAt: isoTime(version.changedMs),
      deleted: true,
      deletedAt: isoTime(version.changedMs),
      child: { patientId: child.patientId },
      consultation: { id, unitId: unit.id, municipalityNumber: unit.municipalityNumber },
    };
    return deletion;
  }
  const record = originalRecord(ctx, plan, child);
  if (version.kind === 'edit') {
    applyEdit(ctx, plan, child, record);
    record.recordId = `${id}/${version.version}`;
    record.version = version.version;
    record.changedAt = isoTime(version.changedMs);
  }
  if (version.defect) {
    applyDefect(record, version.defect, new Rng(ctx.seed, SEED_DEFECT, plan.key, version.version), ctx.todayMs);
  }
  return record;
}
