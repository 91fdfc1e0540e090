// What the receiver's rejection of one message does to the chain built after it. Messages reach
// the receiver in chain order and sending stops at the first unconfirmed one, so everything
// built after a rejected message was never sent, and it points into a chain the receiver never
// accepted. The policy, as pure functions; the stores only persist what they decide:
//
// - every unconfirmed message after it is superseded (never sent, its numbers free again);
// - their consultations are queued again, each with its latest version, to be decided afresh
//   against what the receiver holds (a C stays a deletion);
// - the chain continues from the last notification the receiver accepted;
// - notifikasjonLopeNr and each year's lopenr continue from the highest number a message that
//   is not superseded holds: the receiver never saw the superseded ones, so they are handed out
//   again (the rejected message's own numbers are not: the receiver saw them).
import type { MessageState, StatusNotifikasjon } from '../model/notification.ts';
import { UNCONFIRMED } from '../model/notification.ts';

/** A notification as the policy needs it: which consultation, which version, its number. */
export interface ChainItem {
  konsultasjonId: string;
  status: StatusNotifikasjon;
  hash: string | null;
  sourceId: string;
  changedAt: string;
  json: string | null;
}

export interface ChainMessage<I extends ChainItem = ChainItem> {
  seq: number;
  state: MessageState;
  items: readonly I[];
}

/** A consultation queued again: its latest version, rebuilt from what was stored. */
export interface Requeue {
  konsultasjonId: string;
  sourceId: string;
  changedAt: string;
  deleted: boolean;
  hash: string | null;
  json: string | null;
}

export interface RejectionPlan {
  /** The messages to mark superseded, in chain order. */
  supersede: number[];
  /** One entry per consultation of the superseded messages: the last version built for it. */
  requeue: Requeue[];
  /** The chain's head from now on: the last notification the receiver accepted. */
  chainHead: string;
}

/**
 * The plan for a rejection of message `rejectedSeq`, given the messages after it (in chain order;
 * others are ignored) and the GUID of the last accepted notification.
 */
export function planRejection(rejectedSeq: number, later: readonly ChainMessage[], acceptedHead: string): RejectionPlan {
  const supersede: number[] = [];
  const requeue = new Map<string, Requeue>();
  for (const m of later) {
    if (m.seq <= rejectedSeq || !UNCONFIRMED.includes(m.state)) continue;
    supersede.push(m.seq);
    // A consultation built more than once after it: its latest version wins.
    for (const i of m.items) requeue.set(i.konsultasjonId, requeueOf(i));
  }
  return { supersede, requeue: [...requeue.values()], chainHead: acceptedHead };
}

/** A consultation of a rejected message queued again by an operator (`kpr resend`). */
export function requeueOf(i: ChainItem): Requeue {
  return { konsultasjonId: i.konsultasjonId, sourceId: i.sourceId, changedAt: i.changedAt, deleted: i.status === 'C', hash: i.hash, json: i.json };
}

/** The numbers a kept message (one not superseded) holds. */
export interface KeptNumbers {
  year: number;
  lopenr: number;
  /** The highest notifikasjonLopeNr among its notifications (none: null). */
  lastLopeNr: number | null;
}

export interface Counters {
  /** notifikasjonLopeNr of the chain's head: the next notification gets one more. */
  notifLopeNr: number;
  /** Per year (every year given), the last lopenr handed out: the next message gets one more. */
  lopenr: Map<number, number>;
}

/**
 * The counters after a rejection: each continues from the highest number a kept message holds,
 * 0 when none is left (for every year in `years`, the years numbers were handed out in).
 */
export function countersAfterRejection(years: Iterable<number>, kept: Iterable<KeptNumbers>): Counters {
  const lopenr = new Map<number, number>();
  for (const y of years) lopenr.set(y, 0);
  let notifLopeNr = 0;
  for (const k of kept) {
    if (lopenr.has(k.year)) lopenr.set(k.year, Math.max(lopenr.get(k.year) ?? 0, k.lopenr));
    if (k.lastLopeNr !== null) notifLopeNr = Math.max(notifLopeNr, k.lastLopeNr);
  }
  return { notifLopeNr, lopenr };
}
