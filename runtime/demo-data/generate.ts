// The demo EPJ's daily-extract stream: every version of every consultation of N synthetic
// children, in the order of its change time, generated lazily with flat memory.
//
// How it stays flat: each programme step (3D, 10D, ..., first grade, ...) is a stream over the
// children in birth order, whose earliest possible time never decreases with the birth date; each
// age band of youth and extra visits is a stream over days. A k-way merge takes the stream whose
// next possible time is earliest, plans that child's (or day's) consultations and queues their
// versions; a queued version is written as soon as no stream can still produce anything earlier.
// The queue holds only references to versions planned but not yet due (a few weeks of births per
// stream, plus pending edits and deletions) in typed arrays; plans and records are rebuilt from
// the reference when written. Memory depends on births per day, never on the number of records.

import { MinHeap } from './heap.ts';
import { PendingQueue, type VersionRef } from './pending.ts';
import { Rng, hashSeed } from './random.ts';
import { SLOTS, type Slot } from './programme.ts';
import { MAX_MUNICIPALITIES, birthDayOf, buildMunicipalities, type BirthSpan, type Municipality } from './population.ts';
import { buildRecord, lowerBoundMs, planBandVisit, planProgrammeStep, type ConsultationPlan, type GenContext, type VersionPlan } from './consultation.ts';
import { DAY, dayOf, weekday } from './time.ts';
import type { DemoRecord } from './record.ts';

export interface DemoDataOptions {
  /** How many children live in the demo municipalities (a quarter born 3–18 years before `from`, the rest up to `to`). */
  children: number;
  /** First day of the window, `YYYY-MM-DD` (UTC). */
  from: string;
  /** Last day of the window, inclusive. */
  to: string;
  seed: string | number;
  /** The extract's "now" (`YYYY-MM-DD`, end of that day, or an ISO timestamp); default: the end of `to`. */
  today?: string;
  /** Share of consultations later corrected (a second version). Default 0.05. */
  editRate?: number;
  /** Share of consultations later deleted (a tombstone). Default 0.01. */
  deleteRate?: number;
  /** Share of written versions spoiled on purpose, marked `_defect`. Default 0. */
  badRate?: number;
  /** How many municipalities (1..24). Default 3. */
  municipalities?: number;
  /** Added to the children's numbers in ids (K…, P…): each tenant of a vendor's sandbox its own range. Default 0. */
  idOffset?: number;
  /** Which municipality is the first (0 = Oslo, the largest): each tenant of a vendor's sandbox its own. Default 0. */
  firstMunicipality?: number;
}

/** Births: a quarter of the children born 3–18 years before the window (pupils and teenagers when the backfill starts), the rest from 3 years before it to its end. */
const OLDER_FROM_YEARS = 18;
const YOUNGER_FROM_YEARS = 3;
const OLDER_SHARE = 0.25;

/**
 * The demo's municipalities and their units for these options (the same the records name), so a
 * configuration can report them: kpr.yaml's sender.Kommune, each with its Enhet list.
 */
export function demoMunicipalities(opts: Pick<DemoDataOptions, 'seed' | 'municipalities' | 'firstMunicipality'>): Municipality[] {
  return buildMunicipalities(hashSeed(opts.seed), opts.municipalities ?? 3, opts.firstMunicipality ?? 0);
}

/** Checks the options and fixes everything a run shares. Throws RangeError with a readable message. */
export function makeContext(opts: DemoDataOptions): GenContext {
  const fromDay = dayOf(opts.from);
  const toDay = dayOf(opts.to);
  if (Number.isNaN(fromDay)) throw new RangeError(`--from must be a date YYYY-MM-DD, got "${opts.from}"`);
  if (Number.isNaN(toDay)) throw new RangeError(`--to must be a date YYYY-MM-DD, got "${opts.to}"`);
  if (toDay < fromDay) throw new RangeError(`--to (${opts.to}) is before --from (${opts.from})`);
  if (!Number.isInteger(opts.children) || opts.children < 0 || opts.children > 50_000_000) {
    throw new RangeError(`--children must be a whole number from 0 to 50000000, got ${opts.children}`);
  }
  const rate = (name: string, value: number | undefined, fallback: number): number => {
    const v = value ?? fallback;
    if (!(v >= 0 && v <= 1)) throw new RangeError(`--${name} must be between 0 and 1, got ${value}`);
    return v;
  };
  const municipalities = opts.municipalities ?? 3;
  const first = opts.firstMunicipality ?? 0;
  if (!Number.isInteger(first) || first < 0 || first >= MAX_MUNICIPALITIES) {
    throw new RangeError(`firstMunicipality must be from 0 to ${MAX_MUNICIPALITIES - 1}, got ${opts.firstMunicipality}`);
  }
  if (!Number.isInteger(municipalities) || municipalities < 1 || municipalities > MAX_MUNICIPALITIES - first) {
    throw new RangeError(`--municipalities must be from 1 to ${MAX_MUNICIPALITIES - first}, got ${opts.municipalities}`);
  }
  const toMs = (toDay + 1) * DAY - 1000;
  let todayMs = toMs;
  if (opts.today !== undefined) {
    const d = dayOf(opts.today);
    todayMs = Number.isNaN(d) ? Date.parse(opts.today) : (d + 1) * DAY - 1000;
    if (Number.isNaN(todayMs) || !/^\d{4}-\d{2}-\d{2}/.test(opts.today)) {
      throw new RangeError(`--today must be a date YYYY-MM-DD or an ISO timestamp, got "${opts.today}"`);
    }
  }
  const seed = hashSeed(opts.seed);
  const span: BirthSpan = {
    olderFirstDay: fromDay - Math.round(OLDER_FROM_YEARS * 365.25),
    youngerFirstDay: fromDay - Math.round(YOUNGER_FROM_YEARS * 365.25),
    lastDay: toDay,
    olderShare: OLDER_SHARE,
    children: Math.max(1, opts.children),
  };
  return {
    seed,
    span,
    municipalities: buildMunicipalities(seed, municipalities, first),
    fromMs: fromDay * DAY,
    toMs,
    todayMs,
    editRate: rate('edit-rate', opts.editRate, 0.05),
    deleteRate: rate('delete-rate', opts.deleteRate, 0.01),
    badRate: rate('bad-rate', opts.badRate, 0),
    idOffset: opts.idOffset ?? 0,
  };
}

/** A source of plans in time order: its next plan can start no earlier than `lbMs`. */
interface Stream {
  slot: Slot;
  lbMs: number;
  /** Programme steps: the next child. Age bands: the next day. */
  cursor: number;
}

const streamLess = (a: Stream, b: Stream) => a.lbMs < b.lbMs || (a.lbMs === b.lbMs && a.slot.index < b.slot.index);

/** The first child index born on or after `day` (children are in birth order). */
function firstBornOnOrAfter(ctx: GenContext, n: number, day: number): number {
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (birthDayOf(ctx.seed, ctx.span, mid) < day) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Poisson-distributed count (Knuth for small means, a rounded normal for large ones). */
function poisson(rng: Rng, mean: number): number {
  if (mean <= 0) return 0;
  if (mean > 30) return Math.max(0, Math.round(mean + Math.sqrt(mean) * rng.normal(6)));
  const limit = Math.exp(-mean);
  let k = 0;
  let p = rng.next();
  while (p > limit) {
    k++;
    p *= rng.next();
  }
  return k;
}

/**
 * One day of an age-band slot: the visits of that day, each to a child drawn from those whose age
 * is in the band, so that a child has `slot.attendance` such visits on average. Weekends are closed.
 */
function planBandDay(ctx: GenContext, n: number, slot: Slot, day: number): ConsultationPlan[] {
  if (weekday(day) === 0 || weekday(day) === 6) return [];
  const [lo, hi] = slot.bandDays!;
  const first = firstBornOnOrAfter(ctx, n, day - hi);
  const end = firstBornOnOrAfter(ctx, n, day - lo + 1);
  if (end <= first) return [];
  const rng = new Rng(ctx.seed, SEED_BAND_DAY, slot.index, day);
  const count = poisson(rng, (slot.attendance * (end - first) * 7) / (5 * (hi - lo + 1)));
  const plans: ConsultationPlan[] = [];
  for (let serial = 0; serial < count; serial++) {
    const child = first + Math.floor(rng.next() * (end - first));
    const plan = planBandVisit(ctx, slot, day, serial, child);
    if (plan) plans.push(plan);
  }
  return plans;
}

const SEED_BAND_DAY = 31;

/** The plan and version a queued reference stands for: the same pure functions, called again. */
function replan(ctx: GenContext, ref: VersionRef): [ConsultationPlan, VersionPlan] {
  const slot = SLOTS[ref.slot];
  const plan =
    slot.kind === 'infant' || slot.kind === 'school'
      ? planProgrammeStep(ctx, ref.child, birthDayOf(ctx.seed, ctx.span, ref.child), slot)
      : planBandVisit(ctx, slot, ref.day, ref.serial, ref.child);
  const version = plan?.versions.find((v) => v.version === ref.version);
  if (!plan || !version) throw new Error(`demo data: cannot replan ${slot.idPart} of child ${ref.child} (version ${ref.version})`);
  return [plan, version];
}

/** Every record version of the demo extract, in change-time order. Lazy: pull as you write. */
export function* generateRecords(opts: DemoDataOptions): Generator<DemoRecord, void, undefined> {
  const ctx = makeContext(opts);
  const n = opts.children;
  const lastMs = Math.min(ctx.toMs, ctx.todayMs);
  const lastDay = Math.floor(lastMs / DAY);
  const streams = new MinHeap<Stream>(streamLess);
  if (n > 0) {
    for (const slot of SLOTS) {
      if (slot.kind === 'infant' || slot.kind === 'school') {
        const lbMs = lowerBoundMs(slot, birthDayOf(ctx.seed, ctx.span, 0));
        if (lbMs <= lastMs) streams.push({ slot, cursor: 0, lbMs });
      } else {
        const firstDay = Math.floor(ctx.fromMs / DAY);
        streams.push({ slot, cursor: firstDay, lbMs: firstDay * DAY });
      }
    }
  }
  const pending = new PendingQueue();
  const queue = (plan: ConsultationPlan | null) => {
    if (!plan) return;
    for (const v of plan.versions) {
      pending.push({ ms: v.changedMs, child: plan.child, slot: plan.slot.index, day: plan.startDay, serial: plan.serial, version: v.version });
    }
  };
  const due: VersionRef = { ms: 0, child: 0, slot: 0, day: 0, serial: 0, version: 0 };
  for (;;) {
    const stream = streams.peek();
    if (pending.peekMs() < (stream ? stream.lbMs : Infinity)) {
      pending.pop(due);
      yield buildRecord(ctx, ...replan(ctx, due));
      continue;
    }
    if (!stream) return;
    const slot = stream.slot;
    let done: boolean;
    if (slot.kind === 'infant' || slot.kind === 'school') {
      queue(planProgrammeStep(ctx, stream.cursor, birthDayOf(ctx.seed, ctx.span, stream.cursor), slot));
      stream.cursor++;
      if (stream.cursor < n) stream.lbMs = lowerBoundMs(slot, birthDayOf(ctx.seed, ctx.span, stream.cursor));
      done = stream.cursor >= n || stream.lbMs > lastMs;
    } else {
      for (const plan of planBandDay(ctx, n, slot, stream.cursor)) queue(plan);
      stream.cursor++;
      stream.lbMs = stream.cursor * DAY;
      done = stream.cursor > lastDay;
    }
    if (done) streams.pop();
    else streams.updateTop();
  }
}
