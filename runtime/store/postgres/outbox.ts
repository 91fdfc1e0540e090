// The outbox on PostgreSQL (as sqlite/outbox.ts): message states, and what a rejection or an
// operator's resend does to the messages after it, persisted as notify/rejection.ts decides.
import { NIL_GUID } from '../../notify/chain.ts';
import { type ChainItem, countersAfterRejection, type KeptNumbers, planRejection, type Requeue, requeueOf } from '../../notify/rejection.ts';
import type { ItemRow, MessageState, OutboxMessage } from '../types.ts';
import { ITEM_COLS, type ItemDbRow, now, OUTBOX_COLS, type OutboxDbRow, toItem, toMessage } from '../sqlite/rows.ts';
import type { PgSession } from './connect.ts';
import { PgMeta } from './meta.ts';

type RequeueItem = Pick<ItemDbRow, 'konsultasjon_id' | 'status' | 'hash' | 'source_id' | 'changed_at' | 'json'>;

const REQUEUE_ITEM_COLS = 'i.konsultasjon_id, i.status, i.hash, i.source_id, i.changed_at, j.json';

function toChainItem(i: RequeueItem): ChainItem {
  return { konsultasjonId: i.konsultasjon_id, status: i.status, hash: i.hash, sourceId: i.source_id, changedAt: i.changed_at, json: i.json };
}

export class PgOutbox {
  private readonly meta: PgMeta;

  constructor(private readonly s: PgSession) {
    this.meta = new PgMeta(s);
  }

  async unconfirmed(): Promise<OutboxMessage[]> {
    return (await this.s.rows<OutboxDbRow>(`SELECT ${OUTBOX_COLS} FROM outbox WHERE state IN ('built', 'sent', 'retrying') ORDER BY seq`)).map(toMessage);
  }

  async message(messageId: string): Promise<OutboxMessage | undefined> {
    const r = await this.s.one<OutboxDbRow>(`SELECT ${OUTBOX_COLS} FROM outbox WHERE message_id = $1`, [messageId]);
    return r && toMessage(r);
  }

  async items(seq: number): Promise<ItemRow[]> {
    return (await this.s.rows<ItemDbRow>(`SELECT ${ITEM_COLS} FROM item i LEFT JOIN item_json j ON j.item_id = i.id WHERE i.seq = $1 ORDER BY i.id`, [seq])).map(toItem);
  }

  // The outcomes below need not reach the disk before the program goes on (relaxed): the
  // receiver repeats its answer to a resend of the same messageId, and the next commitBatch,
  // before anything new is sent, is fully durable and makes these durable with it.

  markSending(seq: number): Promise<void> {
    return this.s.tx(async () => void (await this.s.run("UPDATE outbox SET state = 'sent', sent_at = $1, attempts = attempts + 1 WHERE seq = $2", [now(), seq])), {
      relaxed: true,
    });
  }

  markAccepted(seq: number, refId: string | null): Promise<void> {
    return this.s.tx(
      async () => {
        await this.s.run("UPDATE outbox SET state = 'accepted', ref_id = $1, done_at = $2, last_error = NULL WHERE seq = $3", [refId, now(), seq]);
        await this.dropJson(seq);
        const last = await this.s.one<{ guid: string }>('SELECT guid FROM item WHERE seq = $1 ORDER BY id DESC LIMIT 1', [seq]);
        if (last) await this.meta.set('accepted_head', last.guid);
      },
      { relaxed: true },
    );
  }

  markRetrying(seq: number, reason: string, refId: string | null): Promise<void> {
    return this.s.tx(
      async () => void (await this.s.run("UPDATE outbox SET state = 'retrying', last_error = $1, ref_id = COALESCE($2, ref_id) WHERE seq = $3", [reason, refId, seq])),
      { relaxed: true },
    );
  }

  private async dropJson(seq: number): Promise<void> {
    await this.s.run('DELETE FROM item_json WHERE item_id IN (SELECT id FROM item WHERE seq = $1)', [seq]);
  }

  async markRejected(seq: number, info: { validationCode: number | null; validationMessage: string; refId: string | null }): Promise<void> {
    const s = this.s;
    await s.tx(async () => {
      await s.run("UPDATE outbox SET state = 'rejected', validation_code = $1, validation_message = $2, ref_id = COALESCE($3, ref_id), done_at = $4 WHERE seq = $5", [
        info.validationCode,
        info.validationMessage,
        info.refId,
        now(),
        seq,
      ]);
      // What happens to the messages after it is the chain's policy (notify/rejection.ts).
      const laterRows = await s.rows<{ seq: number; state: MessageState }>("SELECT seq, state FROM outbox WHERE seq > $1 AND state IN ('built', 'sent', 'retrying') ORDER BY seq", [
        seq,
      ]);
      const later = [];
      for (const m of laterRows) later.push({ ...m, items: (await this.itemsForRequeue(m.seq)).map(toChainItem) });
      const plan = planRejection(seq, later, (await this.meta.get('accepted_head')) ?? NIL_GUID);
      for (const r of plan.requeue) await this.requeue(r, 'superseded', true);
      for (const x of plan.supersede) await s.run("UPDATE outbox SET state = 'superseded', done_at = $1 WHERE seq = $2", [now(), x]);
      // What was on its way for these consultations is not any more: back to what was accepted.
      await s.run(
        `WITH affected AS (SELECT DISTINCT konsultasjon_id AS id FROM item WHERE seq >= $1),
              accepted AS (SELECT i.konsultasjon_id AS id, MAX(i.id) AS item FROM item i JOIN outbox o ON o.seq = i.seq
                           WHERE o.state = 'accepted' AND i.konsultasjon_id IN (SELECT id FROM affected) GROUP BY i.konsultasjon_id)
         UPDATE consultation c SET item = (SELECT a.item FROM accepted a WHERE a.id = c.id)
         WHERE c.id IN (SELECT id FROM affected) AND c.item IN (SELECT id FROM item WHERE seq >= $1)`,
        [seq],
      );
      const superseded = "SELECT id FROM item WHERE seq > $1 AND seq IN (SELECT seq FROM outbox WHERE state = 'superseded')";
      await s.run(`DELETE FROM item_json WHERE item_id IN (${superseded})`, [seq]);
      await s.run(`DELETE FROM item WHERE id IN (${superseded})`, [seq]);
      await this.meta.set('chain_head', plan.chainHead);
      const years = (await s.rows<{ year: number }>('SELECT year FROM lopenr')).map((r) => r.year);
      const kept = await s.rows<KeptNumbers>(
        `SELECT o.year AS year, MAX(o.lopenr) AS lopenr, MAX(i.lope_nr) AS "lastLopeNr" FROM outbox o LEFT JOIN item i ON i.seq = o.seq WHERE o.state != 'superseded' GROUP BY o.year`,
      );
      const counters = countersAfterRejection(years, kept);
      await this.meta.set('notif_lopenr', String(counters.notifLopeNr));
      for (const [year, last] of counters.lopenr) await s.run('UPDATE lopenr SET last = $1 WHERE year = $2', [last, year]);
    });
  }

  private itemsForRequeue(seq: number): Promise<RequeueItem[]> {
    return this.s.rows<RequeueItem>(`SELECT ${REQUEUE_ITEM_COLS} FROM item i LEFT JOIN item_json j ON j.item_id = i.id WHERE i.seq = $1 ORDER BY i.id`, [seq]);
  }

  private async requeue(r: Requeue, reason: 'superseded' | 'resend', replace: boolean): Promise<void> {
    const conflict = replace
      ? ' ON CONFLICT (konsultasjon_id) DO UPDATE SET source_id = excluded.source_id, changed_at = excluded.changed_at, deleted = excluded.deleted, hash = excluded.hash, json = excluded.json, reason = excluded.reason'
      : '';
    await this.s.run(`INSERT INTO requeue (konsultasjon_id, source_id, changed_at, deleted, hash, json, reason) VALUES ($1, $2, $3, $4, $5, $6, $7)${conflict}`, [
      r.konsultasjonId,
      r.sourceId,
      r.changedAt,
      r.deleted ? 1 : 0,
      r.hash,
      r.json,
      reason,
    ]);
  }

  async requeueMessage(seq: number): Promise<number> {
    return this.s.tx(async () => {
      // Only consultations nothing newer was decided for since (no later item, nothing queued).
      const items = await this.s.rows<RequeueItem>(
        `SELECT ${REQUEUE_ITEM_COLS} FROM item i LEFT JOIN item_json j ON j.item_id = i.id
         WHERE i.seq = $1
           AND COALESCE((SELECT c.item FROM consultation c WHERE c.id = i.konsultasjon_id), 0) < i.id
           AND NOT EXISTS (SELECT 1 FROM requeue r WHERE r.konsultasjon_id = i.konsultasjon_id)
         ORDER BY i.id`,
        [seq],
      );
      for (const i of items) await this.requeue(requeueOf(toChainItem(i)), 'resend', false);
      await this.s.run("UPDATE outbox SET state = 'requeued' WHERE seq = $1", [seq]);
      await this.dropJson(seq);
      return items.length;
    });
  }
}
