// The durable state of the transfer, behind one interface: `Store` (SQLite, synchronous) and its
// promise-returning twin `AsyncStore` (async.ts), which the runtime speaks and PostgreSQL
// implements. Every method that changes state is one transaction: a crash leaves either all of
// it or none of it.

import type { ConsultationState, MessageState, StatusNotifikasjon } from '../model/notification.ts';
import type { SlashStore } from './slash-types.ts';
import type { RecordFinding } from './finding.ts';
export type * from './slash-types.ts';

export type { ConsultationState, MessageState, StatusNotifikasjon } from '../model/notification.ts';
export { UNCONFIRMED } from '../model/notification.ts';

/** One notification in a message: one Konsultasjon per Notifikasjon (so M and C are unambiguous). */
export interface ItemRow {
  konsultasjonId: string;
  status: StatusNotifikasjon;
  guid: string;
  forrigeGuid: string;
  ref: string | null;
  lopeNr: number;
  /** Content hash (hex); null for C. */
  hash: string | null;
  sourceId: string;
  changedAt: string;
  /** The mapped Konsultasjon as JSON (kept until accepted, for rebuilding); null for C. */
  json: string | null;
  /** ISO local time used as notifikasjonTid. */
  notifikasjonTid: string;
}

export interface NewMessage {
  messageId: string;
  year: number;
  lopenr: number;
  meldingstype: string;
  /** UTF-8 bytes of the Melding as built (it is not stored: a resend rebuilds it from the items). */
  bytes: number;
  /** uttakDato of the Melding, kept so that a rebuilt message is the same message. */
  uttakDato: string;
  items: ItemRow[];
}

export interface Rejection extends RecordFinding {
  sourceId: string;
  /** When known (the record could be read that far): a later accepted version clears it. */
  konsultasjonId?: string | null;
  changedAt: string | null;
  /** The consultation month (YYYY-MM of datoTidStart) when the record could be read that far. */
  month?: string | null;
}

/**
 * A finding of a record that was sent all the same, because the receiver's published consequence
 * lets it through ("Ingen handling": sent unchanged; "Sett verdi til …": sent with the value the
 * receiver would set). Kept apart from rejections: held back and sent-with-a-warning are
 * different news for the operator (docs/consequences.md).
 */
export interface SentWarning extends RecordFinding {
  sourceId: string;
  konsultasjonId: string;
  changedAt: string;
  /** `sent` unchanged, or `substituted` (the message names the original value). */
  action: 'sent' | 'substituted';
}

/** A source record decision to remember: identity and outcome (for idempotent re-reading). */
export interface SeenRecord {
  sourceId: string;
  konsultasjonId?: string;
  changedAt: string;
  rejected: boolean;
}

/** Everything decided since the last commit, written in one transaction. */
export interface BatchCommit {
  runId: number;
  messages: NewMessage[];
  seen: SeenRecord[];
  /** Rejections of the records in `seen` (replacing earlier ones of the same source ids). */
  rejections: Rejection[];
  /** Findings of the records in `seen` that were sent with a warning (replacing earlier ones). */
  warnings?: SentWarning[];
  /** Requeued konsultasjonIDs consumed by this batch. */
  requeueDone: string[];
  /**
   * konsultasjonIDs deleted in the EPJ while the receiver holds nothing of them to annul: the
   * content a rejected message still carries for them is dropped, so that an operator's resend
   * of that message (`requeueMessage`) leaves them out.
   */
  deletedUnsent?: string[];
  /** Chain head and counters after this batch. */
  chainHead: string;
  notifLopeNr: number;
  /** Source progress (watermark, backfill position), saved with the decisions. */
  checkpoints?: { key: string; value: string }[];
}

export interface ChainCounters {
  /** notifikasjonGUID of the last built notification (the nil GUID before the first). */
  chainHead: string;
  /** notifikasjonGUID of the last accepted notification (nil before the first). */
  acceptedHead: string;
  notifLopeNr: number;
}

export interface OutboxMessage {
  seq: number;
  messageId: string;
  state: MessageState;
  year: number;
  lopenr: number;
  meldingstype: string;
  consultations: number;
  bytes: number;
  createdAt: string;
  uttakDato: string;
  sentAt: string | null;
  doneAt: string | null;
  attempts: number;
  refId: string | null;
  validationCode: number | null;
  validationMessage: string | null;
  lastError: string | null;
}

export interface RequeuedRecord {
  konsultasjonId: string;
  sourceId: string;
  changedAt: string;
  deleted: boolean;
  json: string | null;
  hash: string | null;
}

export interface RunRow {
  id: number;
  kind: string;
  startedAt: string;
  endedAt: string | null;
  pid: number;
  outcome: string | null;
  exitCode: number | null;
  summary: Record<string, unknown> | null;
}

export interface LockHolder {
  pid: number;
  host: string;
  startedAt: string;
  heartbeatAt: string;
}

/** One day of the daily report (`kpr report`). */
/** Notifications whose consultation (datoTidStart) lies in `month` (YYYY-MM), by their message's state. */
export interface MonthlyVolume {
  month: string;
  accepted: number;
  unconfirmed: number;
  /** In messages the receiver rejected. */
  rejected: number;
  /** Records of this month held back (not sent), waiting for a corrected version. */
  heldBack: number;
}

/** What one run built, by its messages' state now, and the records it held back (not sent). */
export interface RunVolume {
  run: number;
  kind: string;
  startedAt: string;
  accepted: number;
  unconfirmed: number;
  rejected: number;
  heldBack: number;
}

export interface DailyVolume {
  day: string;
  messages: { accepted: number; rejected: number; unconfirmed: number };
  /** Notifications in messages built that day, by status, counting only accepted messages. */
  accepted: { N: number; M: number; C: number };
  /** Notifications in messages the receiver rejected. */
  rejectedNotifications: number;
  /** Source records rejected that day (distinct record ids). */
  rejectedRecords: number;
}

export interface Store extends SlashStore {
  readonly path: string;
  close(): void;

  acquireLock(runKind: string): void;
  heartbeat(): void;
  releaseLock(): void;

  startRun(kind: string): number;
  finishRun(runId: number, outcome: string, exitCode: number, summary: Record<string, unknown>): void;

  /** Opens the transaction the next commitBatch ends (lookups share one snapshot). */
  beginBatch(): void;
  /** Abandons an open batch. */
  rollbackBatch(): void;

  /** True when this source record version (or a newer one) was already decided. */
  seen(sourceId: string, changedAt: string): boolean;
  consultation(konsultasjonId: string): ConsultationState | undefined;
  counters(): ChainCounters;
  /** Next lopenr for `year` given the ones already handed out in this batch. */
  lastLopenr(year: number): number;
  commitBatch(batch: BatchCommit): void;
  requeued(): RequeuedRecord[];
  checkpoint(key: string): string | undefined;
  setCheckpoint(key: string, value: string): void;

  /** Unconfirmed messages in chain order. */
  unconfirmed(): OutboxMessage[];
  message(messageId: string): OutboxMessage | undefined;
  messageItems(seq: number): ItemRow[];
  /** built/retrying → sent (attempts + 1), before the request goes out. */
  markSending(seq: number): void;
  markAccepted(seq: number, refId: string | null): void;
  markRetrying(seq: number, reason: string, refId: string | null): void;
  /** The receiver said no: unwinds what was built after it (see docs/operations.md). */
  markRejected(seq: number, info: { validationCode: number | null; validationMessage: string; refId: string | null }): void;
  /** Queues a rejected message's consultations again; returns how many. */
  requeueMessage(seq: number): number;

  // Monitoring
  countsByState(): Record<string, number>;
  consultationCounts(): { active: number; annulled: number; pending: number };
  lastRun(): RunRow | undefined;
  rejectionsByRule(): { rule: string; count: number }[];
  rejections(): (Rejection & { createdAt: string })[];
  /** Findings of records sent with a warning, latest version of each record only. */
  sentWarnings(): (SentWarning & { createdAt: string })[];
  /** Records sent with a warning, by rule (distinct source records). */
  sentWarningsByRule(): { rule: string; count: number }[];
  rejectedMessages(): OutboxMessage[];
  oldestUnconfirmed(): OutboxMessage | undefined;
  /** Per day a message was built (UTC): messages and notifications by outcome, rejected records. */
  dailyVolumes(): DailyVolume[];
  monthlyVolumes(): MonthlyVolume[];
  runVolumes(): RunVolume[];
  lockHolder(): LockHolder | undefined;
  /** A consistent copy of the whole store in `file` (for --dry-run). */
  snapshotTo(file: string): Promise<void>;
}
