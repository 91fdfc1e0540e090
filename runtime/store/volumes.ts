// The report's volumes, tallied from grouped counts: one home for both stores (sqlite/queries.ts,
// postgres/queries.ts), which differ only in how they ask for the counts.
import type { DailyVolume, MonthlyVolume, RunVolume, StatusNotifikasjon } from './types.ts';
import { UNCONFIRMED } from './types.ts';

/** A count of messages or notifications in one outbox state. */
export interface StateCount {
  state: string;
  n: number;
}

/** Adds `n` to the bucket of `state` (accepted; rejected or requeued; unconfirmed). */
export function tally(v: { accepted: number; unconfirmed: number; rejected: number }, state: string, n: number): void {
  if (state === 'accepted') v.accepted += n;
  else if (state === 'rejected' || state === 'requeued') v.rejected += n;
  else if ((UNCONFIRMED as readonly string[]).includes(state)) v.unconfirmed += n;
}

/** Get-or-create in a map of buckets. */
function bucket<K, V>(map: Map<K, V>, key: K, make: () => V): V {
  let v = map.get(key);
  if (v === undefined) {
    v = make();
    map.set(key, v);
  }
  return v;
}

/** Per day a message was built: its messages by state, the accepted notifications by status, what was rejected. */
export function dailyVolumes(
  messages: Iterable<StateCount & { d: string }>,
  items: Iterable<StateCount & { d: string; status: StatusNotifikasjon }>,
  rejectedRecords: Iterable<{ d: string; n: number }>,
): DailyVolume[] {
  const days = new Map<string, DailyVolume>();
  const day = (d: string) =>
    bucket(days, d, () => ({ day: d, messages: { accepted: 0, rejected: 0, unconfirmed: 0 }, accepted: { N: 0, M: 0, C: 0 }, rejectedNotifications: 0, rejectedRecords: 0 }));
  for (const r of messages) tally(day(r.d).messages, r.state, r.n);
  for (const r of items) {
    const v = day(r.d);
    if (r.state === 'accepted') v.accepted[r.status] += r.n;
    else if (r.state === 'rejected' || r.state === 'requeued') v.rejectedNotifications += r.n;
  }
  for (const r of rejectedRecords) day(r.d).rejectedRecords += r.n;
  return [...days.values()].sort((a, b) => a.day.localeCompare(b.day));
}

/** By the month of the consultation: notifications by their message's state, and the records held back. */
export function monthlyVolumes(items: Iterable<StateCount & { month: string }>, heldBack: Iterable<{ month: string; n: number }>): MonthlyVolume[] {
  const months = new Map<string, MonthlyVolume>();
  const month = (m: string) => bucket(months, m, () => ({ month: m, accepted: 0, unconfirmed: 0, rejected: 0, heldBack: 0 }));
  for (const r of items) tally(month(r.month), r.state, r.n);
  for (const r of heldBack) month(r.month).heldBack += r.n;
  return [...months.values()].sort((a, b) => a.month.localeCompare(b.month));
}

/** Per run: its notifications by their message's state now, and the records it held back. */
export function runVolumes(
  runs: Iterable<{ id: number; kind: string; startedAt: string }>,
  items: Iterable<StateCount & { run: number }>,
  heldBack: Iterable<{ run: number; n: number }>,
): RunVolume[] {
  const byRun = new Map<number, RunVolume>();
  for (const r of runs) byRun.set(r.id, { run: r.id, kind: r.kind, startedAt: r.startedAt, accepted: 0, unconfirmed: 0, rejected: 0, heldBack: 0 });
  for (const r of items) {
    const v = byRun.get(r.run);
    if (v) tally(v, r.state, r.n);
  }
  for (const r of heldBack) {
    const v = byRun.get(r.run);
    if (v) v.heldBack += r.n;
  }
  return [...byRun.values()];
}
