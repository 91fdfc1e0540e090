// The outbox: messages in chain order and their states (built → sent → accepted | rejected |
// retrying), and what a rejection or an operator's resend does to the messages after it.
import type Database from 'better-sqlite3';
import { NIL_GUID } from '../../notify/chain.ts';
import { type ChainItem, countersAfterRejection, type KeptNumbers, planRejection, type Requeue, requeueOf } from '../../notify/rejection.ts';
import type { ItemRow, MessageState, OutboxMessage } from '../types.ts';
import type { Folding } from './fold.ts';
import { ITEM_COLS, type ItemDbRow, now, OUTBOX_COLS, type OutboxDbRow, toItem, toMessage } from './rows.ts';
import type { Meta } from './schema.ts';

type RequeueItem = Pick<ItemDbRow, 'konsultasjon_id' | 'status' | 'hash' | 'source_id' | 'changed_at' | 'json'>;

function prepare(db: Database.Database) {
  return {
    message: db.prepare<[string], OutboxDbRow>(`SELECT ${OUTBOX_COLS} FROM outbox WHERE message_id = ?`),
    unconfirmed: db.prepare<[], OutboxDbRow>(`SELECT ${OUTBOX_COLS} FROM outbox WHERE state IN ('built', 'sent', 'retrying') ORDER BY seq`),
    items: db.prepare<[number], ItemDbRow>(`SELECT ${ITEM_COLS} FROM item i LEFT JOIN item_json j ON j.item_id = i.id WHERE i.seq = ? ORDER BY i.id`),
    sending: db.prepare<[string, number]>("UPDATE outbox SET state = 'sent', sent_at = ?, attempts = attempts + 1 WHERE seq = ?"),
    accept: db.prepare<[string | null, string, number]>("UPDATE outbox SET state = 'accepted', ref_id = ?, done_at = ?, last_error = NULL WHERE seq = ?"),
    lastItemGuid: db.prepare<[number], string>('SELECT guid FROM item WHERE seq = ? ORDER BY id DESC LIMIT 1').pluck(),
    // A message's items have consecutive ids (inserted together): drop their JSON by range.
    dropJson: db.prepare<[number, number]>('DELETE FROM item_json WHERE item_id BETWEEN (SELECT MIN(id) FROM item WHERE seq = ?) AND (SELECT MAX(id) FROM item WHERE seq = ?)'),
    retrying: db.prepare<[string, string | null, number]>("UPDATE outbox SET state = 'retrying', last_error = ?, ref_id = COALESCE(?, ref_id) WHERE seq = ?"),
    reject: db.prepare<[number | null, string, string | null, string, number]>(
      "UPDATE outbox SET state = 'rejected', validation_code = ?, validation_message = ?, ref_id = COALESCE(?, ref_id), done_at = ? WHERE seq = ?",
    ),
    laterUnconfirmed: db.prepare<[number], { seq: number; state: MessageState }>(
      "SELECT seq, state FROM outbox WHERE seq > ? AND state IN ('built', 'sent', 'retrying') ORDER BY seq",
    ),
    requeueSuperseded: db.prepare<[string, string, string, number, string | null, string | null]>(
      "INSERT INTO requeue (konsultasjon_id, source_id, changed_at, deleted, hash, json, reason) VALUES (?, ?, ?, ?, ?, ?, 'superseded') ON CONFLICT(konsultasjon_id) DO UPDATE SET source_id = excluded.source_id, changed_at = excluded.changed_at, deleted = excluded.deleted, hash = excluded.hash, json = excluded.json, reason = excluded.reason",
    ),
    requeueItems: db.prepare<[number], RequeueItem>(
      'SELECT i.konsultasjon_id, i.status, i.hash, i.source_id, i.changed_at, j.json FROM item i LEFT JOIN item_json j ON j.item_id = i.id WHERE i.seq = ? ORDER BY i.id',
    ),
    supersede: db.prepare<[string, number]>("UPDATE outbox SET state = 'superseded', done_at = ? WHERE seq = ?"),
    // What was on its way for these consultations is not any more: back to what was accepted.
    // One scan of the accepted items of the affected consultations (a rare path).
    resetConsultations: db.prepare<{ seq: number }>(
      `WITH affected AS (SELECT DISTINCT konsultasjon_id AS id FROM item WHERE seq >= @seq),
            accepted AS (SELECT i.konsultasjon_id AS id, MAX(i.id) AS item FROM item i JOIN outbox o ON o.seq = i.seq
                         WHERE o.state = 'accepted' AND i.konsultasjon_id IN (SELECT id FROM affected) GROUP BY i.konsultasjon_id)
       UPDATE consultation SET item = (SELECT item FROM accepted WHERE accepted.id = consultation.id)
       WHERE id IN (SELECT id FROM affected) AND item IN (SELECT id FROM item WHERE seq >= @seq)`,
    ),
    dropSupersededJson: db.prepare<[number]>(
      "DELETE FROM item_json WHERE item_id IN (SELECT id FROM item WHERE seq > ? AND seq IN (SELECT seq FROM outbox WHERE state = 'superseded'))",
    ),
    dropSupersededItems: db.prepare<[number]>("DELETE FROM item WHERE seq > ? AND seq IN (SELECT seq FROM outbox WHERE state = 'superseded')"),
    // The numbers the messages left hold, per year (the policy takes the highest of each).
    keptNumbers: db.prepare<[], KeptNumbers>(
      "SELECT o.year AS year, MAX(o.lopenr) AS lopenr, MAX(i.lope_nr) AS lastLopeNr FROM outbox o LEFT JOIN item i ON i.seq = o.seq WHERE o.state != 'superseded' GROUP BY o.year",
    ),
    lopenrYears: db.prepare<[], number>('SELECT year FROM lopenr').pluck(),
    lopenrSet: db.prepare<[number, number]>('UPDATE lopenr SET last = ? WHERE year = ?'),
    // Only consultations nothing newer was decided for since (no later item, nothing queued, and
    // not deleted in the EPJ since: a deletion drops an N's or M's content, see batch.ts).
    resendItems: db.prepare<[number], RequeueItem>(
      `SELECT i.konsultasjon_id, i.status, i.hash, i.source_id, i.changed_at, j.json FROM item i LEFT JOIN item_json j ON j.item_id = i.id
       WHERE i.seq = ?
         AND COALESCE((SELECT c.item FROM consultation c WHERE c.id = i.konsultasjon_id), 0) < i.id
         AND NOT EXISTS (SELECT 1 FROM requeue r WHERE r.konsultasjon_id = i.konsultasjon_id)
         AND (i.status = 'C' OR j.json IS NOT NULL)
       ORDER BY i.id`,
    ),
    requeueResend: db.prepare<[string, string, string, number, string | null, string | null]>(
      "INSERT INTO requeue (konsultasjon_id, source_id, changed_at, deleted, hash, json, reason) VALUES (?, ?, ?, ?, ?, ?, 'resend')",
    ),
    markRequeued: db.prepare<[number]>("UPDATE outbox SET state = 'requeued' WHERE seq = ?"),
  };
}

function toChainItem(i: RequeueItem): ChainItem {
  return { konsultasjonId: i.konsultasjon_id, status: i.status, hash: i.hash, sourceId: i.source_id, changedAt: i.changed_at, json: i.json };
}

export class SqliteOutbox {
  private readonly st;

  constructor(
    private readonly db: Database.Database,
    private readonly meta: Meta,
    private readonly folding: Folding,
  ) {
    this.st = prepare(db);
  }

  unconfirmed(): OutboxMessage[] {
    return this.st.unconfirmed.all().map(toMessage);
  }

  message(messageId: string): OutboxMessage | undefined {
    const r = this.st.message.get(messageId);
    return r && toMessage(r);
  }

  /** The notifications of a message in chain order, with their consultations' JSON (until accepted). */
  items(seq: number): ItemRow[] {
    return this.st.items.all(seq).map(toItem);
  }

  markSending(seq: number): void {
    this.relaxed(() => this.st.sending.run(now(), seq));
  }

  /**
   * Runs a write that need not reach the disk before the program goes on: an outcome the
   * receiver can repeat (a resend with the same messageId gets the same answer) or a bookkeeping
   * state. The WAL is sequential, so the next fully synced commit (every commitBatch, before
   * anything new is sent) makes it durable too. Saves one fsync per message and step.
   */
  private relaxed<T>(fn: () => T): T {
    this.db.pragma('synchronous = NORMAL');
    try {
      return fn();
    } finally {
      this.db.pragma('synchronous = FULL');
    }
  }

  markAccepted(seq: number, refId: string | null): void {
    this.relaxed(() =>
      this.db.transaction(() => {
        // The consultations need no update: their item's message is accepted now, which is what
        // consultation() reads.
        this.st.accept.run(refId, now(), seq);
        this.st.dropJson.run(seq, seq);
        const last = this.st.lastItemGuid.get(seq);
        if (last) this.meta.set('accepted_head', last);
      })(),
    );
  }

  markRetrying(seq: number, reason: string, refId: string | null): void {
    this.relaxed(() => this.st.retrying.run(reason, refId, seq));
  }

  markRejected(seq: number, info: { validationCode: number | null; validationMessage: string; refId: string | null }): void {
    // What follows reads and repairs the consultation table: it must hold every decision.
    this.folding.fold();
    const st = this.st;
    this.db.transaction(() => {
      st.reject.run(info.validationCode, info.validationMessage, info.refId, now(), seq);
      // What happens to the messages after it is the chain's policy (notify/rejection.ts).
      const later = st.laterUnconfirmed.all(seq).map((m) => ({ ...m, items: st.requeueItems.all(m.seq).map(toChainItem) }));
      const plan = planRejection(seq, later, this.meta.get('accepted_head') ?? NIL_GUID);
      for (const r of plan.requeue) this.requeue(st.requeueSuperseded, r);
      for (const s of plan.supersede) st.supersede.run(now(), s);
      st.resetConsultations.run({ seq });
      st.dropSupersededJson.run(seq);
      st.dropSupersededItems.run(seq);
      // Item ids are handed out again after the deleted tail; the ones left are all folded.
      this.meta.set('indexed_item', String(this.folding.maxItem()));
      this.meta.set('chain_head', plan.chainHead);
      const counters = countersAfterRejection(st.lopenrYears.all(), st.keptNumbers.all());
      this.meta.set('notif_lopenr', String(counters.notifLopeNr));
      for (const [year, last] of counters.lopenr) st.lopenrSet.run(last, year);
    })();
  }

  private requeue(insert: { run(...a: [string, string, string, number, string | null, string | null]): unknown }, r: Requeue): void {
    insert.run(r.konsultasjonId, r.sourceId, r.changedAt, r.deleted ? 1 : 0, r.hash, r.json);
  }

  requeueMessage(seq: number): number {
    this.folding.fold();
    return this.db.transaction(() => {
      const items = this.st.resendItems.all(seq);
      for (const i of items) this.requeue(this.st.requeueResend, requeueOf(toChainItem(i)));
      this.st.markRequeued.run(seq);
      this.st.dropJson.run(seq, seq);
      return items.length;
    })();
  }
}
