// What the store keeps for the SLASH channel (FHI's FIFO per reporting unit): the current content
// per item, the deliveries queued per unit in order, and each unit's standing. Part of `Store`
// (types.ts); a second store implements these beside the rest.
// (No import of types.ts: it imports this file. A rejection here is a RecordFinding like its
// `Rejection`, so the one rejection table and `kpr errors` serve both channels.)

import type { RecordFinding } from './finding.ts';

/** An item (e.g. one appointment) as the receiver should hold it once everything queued arrived. */
export interface SlashItemRow {
  /** The reporting unit's key (orgNr|kommuneNr|bydelNr, see jobs/channels/slash/unit.ts). */
  unit: string;
  id: string;
  /** YYYY-MM of the item's time: the period it is delivered in. */
  month: string;
  /** Content hash (hex) of `json`; for a deletion the hash of the deletion. */
  hash: string;
  /** The item's JSON as mapped; null when deleted in the EPJ. */
  json: string | null;
  /** The EPJ's changedAt of this version. */
  changedAt: string;
}

/** One request to SLASH: one unit's items of one period (or part of one), in the unit's order. */
export interface NewSlashDelivery {
  unit: string;
  /** The unit's organisation number: the object's orgNr and the token's parent organisation. */
  orgNr: string;
  period: string;
  /** The exact JSON bytes sent, as text: a resend sends these again (same msg_hash). */
  body: string;
  /** Item ids it carries (to regenerate them after a refusal). */
  ids: string[];
  items: number;
  deletes: number;
}

export type SlashDeliveryState = 'queued' | 'delivered' | 'refused' | 'discarded';

export interface SlashDeliveryRow extends NewSlashDelivery {
  seq: number;
  state: SlashDeliveryState;
  attempts: number;
  bytes: number;
  msgHash: string | null;
  correlationId: string | null;
  status: number | null;
  /** FHI's codes with their names and errorDetails, as the operator reads them. */
  codes: { code: number; name: string; errorDetails?: string; errorMessage?: string }[];
  reason: string | null;
  createdAt: string;
  doneAt: string | null;
}

/**
 * A unit's standing: `ok`; `stopped` (a 4xx: nothing more of this unit is sent until the cause is
 * fixed; `auth` says whether the same delivery is resent or the unit regenerated); `attention`
 * (5xx/network beyond the retry budget: the same delivery is resent at the next run).
 */
export interface SlashUnitRow {
  unit: string;
  orgNr: string;
  state: 'ok' | 'stopped' | 'attention';
  /** The delivery that stopped it. */
  seq: number | null;
  auth: boolean;
  since: string | null;
  delivered: number;
  queued: number;
  /** The period of the unit's last delivered request. */
  lastAcceptedPeriod: string | null;
}

/** A record held back: file:line, rule, message (as types.ts `Rejection`). */
export interface SlashRejection extends RecordFinding {
  sourceId: string;
  changedAt: string | null;
}

/** Everything decided since the last commit, written in one transaction. */
export interface SlashCommit {
  runId: number;
  /** Items whose current content changed: written pending, until a commit's deliveries carry them. */
  items: SlashItemRow[];
  deliveries: NewSlashDelivery[];
  /** Pending items that are in `deliveries` now. */
  pendingDone: { unit: string; id: string }[];
  rejections: SlashRejection[];
  checkpoints?: { key: string; value: string }[];
}

/** The receiver's answer to one delivery. */
export type SlashAnswered =
  | { outcome: 'delivered'; msgHash: string; correlationId: string | null }
  | {
      outcome: 'refused' | 'attention';
      msgHash: string;
      correlationId: string | null;
      status: number | null;
      codes: SlashDeliveryRow['codes'];
      reason: string;
      /** 401/403 and the token's codes: the same delivery goes again after the fix. */
      auth: boolean;
    };

/**
 * The SLASH channel's part of `Store`. Synchronous like the rest; each method that changes state
 * is one transaction. What an implementation must keep: a unit's deliveries in the order they
 * were committed (`slashQueue` by commit order), the body text exactly as committed, and
 * `commitSlash` all or nothing.
 */
export interface SlashStore {
  /** The item's current content as last committed, if any. */
  slashItem(unit: string, id: string): SlashItemRow | undefined;
  /** Items not yet in a delivery (new content, or a refused delivery's, discarded), by unit, month, id. */
  slashPending(): SlashItemRow[];
  /** Items, the deliveries carrying them, rejections and source positions, in one transaction. */
  commitSlash(c: SlashCommit): void;
  /** Deliveries not yet delivered (queued, or refused and waiting for the operator), in commit order. */
  slashQueue(): SlashDeliveryRow[];
  slashDelivery(seq: number): SlashDeliveryRow | undefined;
  /** Counts an attempt before the request goes out. */
  markSlashSending(seq: number): void;
  /** Records the receiver's answer: delivered; or the unit stopped (refused) or marked for attention. */
  slashAnswered(seq: number, a: SlashAnswered): void;
  /**
   * Lets a stopped unit go on after the operator's fix: a content refusal discards the unit's
   * unsent deliveries and marks their items pending (regenerated from the last accepted period);
   * an authentication refusal or a 5xx queues the same delivery again. Returns the number of
   * deliveries discarded.
   */
  resumeSlashUnit(unit: string): number;
  /** Every unit with its standing and counts (`kpr status`, `kpr errors`). */
  slashUnits(): SlashUnitRow[];
}
