// The demo EPJ's appointment extract: every version of every appointment of the same children,
// units and consultations as the consultation extract, in the order of its change time, lazily.
//
// How it stays in order without holding everything: the appointments are derived from the
// consultation stream (first versions only, which arrive in change-time order), and no line
// derived from a consultation changes earlier than HORIZON before that consultation's own change
// time. So once the consultation stream has reached time t, no line earlier than t - HORIZON can
// still come, and those are written. What is held is the lines of about HORIZON's worth of days.

import { MinHeap } from './heap.ts';
import { generateRecords, makeContext, type DemoDataOptions } from './generate.ts';
import { appointmentLines, unitDirectory } from './appointment.ts';
import { DAY } from './time.ts';
import { isDeletion } from './record.ts';
import type { AppointmentLine } from './appointment-record.ts';

/**
 * How far before a consultation's registration its appointments can lie: registration up to
 * three weeks late, two earlier bookings up to three weeks apart each, a cancellation up to five
 * days ahead. 90 days is comfortably more; appointment.ts clamps to it all the same.
 */
const HORIZON = 90 * DAY;

interface Due {
  ms: number;
  /** Ties in change time keep the order they were made in. */
  seq: number;
  line: AppointmentLine;
}

const dueLess = (a: Due, b: Due) => a.ms < b.ms || (a.ms === b.ms && a.seq < b.seq);

/** Every appointment line of the demo extract for these options, in change-time order. */
export function* generateAppointments(opts: DemoDataOptions): Generator<AppointmentLine, void, undefined> {
  const ctx = makeContext(opts);
  const units = unitDirectory(ctx.municipalities);
  // The consultations as first registered and without defects: the appointments' own rates
  // decide their corrections, deletions and defects.
  const consultations = generateRecords({ ...opts, editRate: 0, deleteRate: 0, badRate: 0 });
  const heap = new MinHeap<Due>(dueLess);
  let seq = 0;
  for (const c of consultations) {
    if (isDeletion(c)) continue;
    const safeMs = Date.parse(c.changedAt) - HORIZON;
    for (const [ms, line] of appointmentLines(ctx, units, c, safeMs)) heap.push({ ms, seq: seq++, line });
    while (heap.size > 0 && heap.peek()!.ms <= safeMs) yield heap.pop()!.line;
  }
  while (heap.size > 0) yield heap.pop()!.line;
}
