// The demo EPJ's daily-extract stream: every version of every consultation of N synthetic
// children, in the order of its change time, generated lazily with flat memory.
//
// How it stays flat: each programme slot (3D, 10D, ..., first grade, ..., extra) is a stream
// over the children in birth order, and a slot's earliest possible time never decreases with the
// birth date. A k-way merge takes the stream whose next possible time is earliest, plans that
// child's consultation and queues its versions; a queued version is written as soon as no stream
// can still produce anything earlier. The queue holds only versions planned but not yet due (about
// one school year of one cohort at most, as small plan objects); records are built when written.

import { MinHeap } from './heap.ts';
import { hashSeed } from './random.ts';
import { SLOTS, type Slot } from './programme.ts';
import { MAX_MUNICIPALITIES, birthDayOf, buildMunicipalities, type BirthSpan } from './population.ts';
import { buildRecord, lowerBoundMs, planConsultation, type ConsultationPlan, type GenContext, type VersionPlan } from './consultation.ts';
import { DAY, dayOf } from './time.ts';
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
  /** How many municipalities (1..12). Default 3. */
  municipalities?: number;
}

/** Births: a quarter of the children born 3–18 years before the window (pupils and teenagers when the backfill starts), the rest from 3 years before it to its end. */
const OLDER_FROM_YEARS = 18;
const YOUNGER_FROM_YEARS = 3;
const OLDER_SHARE = 0.25;

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
  if (!Number.isInteger(municipalities) || municipalities < 1 || municipalities > MAX_MUNICIPALITIES) {
    throw new RangeError(`--municipalities must be from 1 to ${MAX_MUNICIPALITIES}, got ${opts.municipalities}`);
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
    municipalities: buildMunicipalities(seed, municipalities),
    fromMs: fromDay * DAY,
    toMs,
    todayMs,
    editRate: rate('edit-rate', opts.editRate, 0.05),
    deleteRate: rate('delete-rate', opts.deleteRate, 0.01),
    badRate: rate('bad-rate', opts.badRate, 0),
  };
}

interface Stream {
  slot: Slot;
  cursor: number;
  lbMs: number;
}

interface Pending {
  ms: number;
  plan: ConsultationPlan;
  version: VersionPlan;
}

const streamLess = (a: Stream, b: Stream) => a.lbMs < b.lbMs || (a.lbMs === b.lbMs && a.slot.index < b.slot.index);

// Change time first; ties broken by child, slot and version so the order is total and stable.
const pendingLess = (a: Pending, b: Pending) =>
  a.ms !== b.ms
    ? a.ms < b.ms
    : a.plan.child !== b.plan.child
      ? a.plan.child < b.plan.child
      : a.plan.slot.index !== b.plan.slot.index
        ? a.plan.slot.index < b.plan.slot.index
        : a.version.version < b.version.version;

/** Every record version of the demo extract, in change-time order. Lazy: pull as you write. */
export function* generateRecords(opts: DemoDataOptions): Generator<DemoRecord, void, undefined> {
  const ctx = makeContext(opts);
  const n = opts.children;
  const lastMs = Math.min(ctx.toMs, ctx.todayMs);
  const streams = new MinHeap<Stream>(streamLess);
  if (n > 0) {
    for (const slot of SLOTS) {
      const lbMs = lowerBoundMs(slot, birthDayOf(ctx.seed, ctx.span, 0));
      if (lbMs <= lastMs) streams.push({ slot, cursor: 0, lbMs });
    }
  }
  const pending = new MinHeap<Pending>(pendingLess);
  for (;;) {
    const stream = streams.peek();
    const next = pending.peek();
    if (next && (!stream || next.ms < stream.lbMs)) {
      pending.pop();
      yield buildRecord(ctx, next.plan, next.version);
      continue;
    }
    if (!stream) return;
    const birthDay = birthDayOf(ctx.seed, ctx.span, stream.cursor);
    const plan = planConsultation(ctx, stream.cursor, birthDay, stream.slot);
    if (plan) for (const version of plan.versions) pending.push({ ms: version.changedMs, plan, version });
    stream.cursor++;
    if (stream.cursor < n) stream.lbMs = lowerBoundMs(stream.slot, birthDayOf(ctx.seed, ctx.span, stream.cursor));
    if (stream.cursor >= n || stream.lbMs > lastMs) streams.pop();
    else streams.updateTop();
  }
}
