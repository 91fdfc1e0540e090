// SLASH's per-unit queue on PostgreSQL (as sqlite/slash.ts): the current content per item, each
// reporting unit's deliveries in FIFO order with their exact bytes, and each unit's standing.
// Every change is one transaction (a savepoint inside an open batch), so a commit's items and
// the deliveries carrying them, or an answer and the unit it stops, are kept together or not at all.
import type { NewSlashDelivery, SlashAnswered, SlashCommit, SlashDeliveryRow, SlashItemRow, SlashUnitRow } from '../slash-types.ts';
import { now } from '../sqlite/rows.ts';
import { DELIVERY_COLS, type DeliveryDbRow, type ItemDbRow, toDelivery, toItem, toUnit, type UnitDbRow } from '../sqlite/slash.ts';
import type { PgSession } from './connect.ts';

const ITEM_COLS = 'unit, id, month, hash, json, changed_at';

export class PgSlash {
  constructor(private readonly s: PgSession) {}

  async item(unit: string, id: string): Promise<SlashItemRow | undefined> {
    const r = await this.s.one<ItemDbRow>(`SELECT ${ITEM_COLS} FROM slash_item WHERE unit = $1 AND id = $2`, [unit, id]);
    return r && toItem(r);
  }

  async pending(): Promise<SlashItemRow[]> {
    return (await this.s.rows<ItemDbRow>(`SELECT ${ITEM_COLS} FROM slash_item WHERE pending = 1 ORDER BY unit COLLATE "C", month COLLATE "C", id COLLATE "C"`)).map(toItem);
  }

  commit(c: SlashCommit): Promise<void> {
    const s = this.s;
    return s.tx(async () => {
      const at = now();
      for (const i of c.items) {
        await s.run(
          `INSERT INTO slash_item (unit, id, month, hash, json, changed_at, pending) VALUES ($1, $2, $3, $4, $5, $6, 1)
           ON CONFLICT (unit, id) DO UPDATE SET month = excluded.month, hash = excluded.hash, json = excluded.json, changed_at = excluded.changed_at, pending = 1`,
          [i.unit, i.id, i.month, i.hash, i.json, i.changedAt],
        );
      }
      for (const p of c.pendingDone) await s.run('UPDATE slash_item SET pending = 0 WHERE unit = $1 AND id = $2', [p.unit, p.id]);
      // One at a time: seq numbers them in the order given, which is each unit's FIFO order.
      for (const d of c.deliveries) await this.insert(d, c.runId, at);
      for (const r of c.rejections) await s.run('DELETE FROM rejection WHERE source_id = $1 AND run_id IS DISTINCT FROM $2', [r.sourceId, c.runId]);
      for (const r of c.rejections) {
        await s.run(
          'INSERT INTO rejection (source_id, konsultasjon_id, changed_at, file, line, path, rule, message, consequence, run_id, created_at) VALUES ($1, NULL, $2, $3, $4, $5, $6, $7, $8, $9, $10)',
          [r.sourceId, r.changedAt, r.file, r.line, r.path, r.rule, r.message, r.consequence, c.runId, at],
        );
      }
      for (const k of c.checkpoints ?? []) {
        await s.run('INSERT INTO checkpoint (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value', [k.key, k.value]);
      }
    });
  }

  private async insert(d: NewSlashDelivery, runId: number, at: string): Promise<void> {
    await this.s.run('INSERT INTO slash_unit (unit, org_nr) VALUES ($1, $2) ON CONFLICT (unit) DO NOTHING', [d.unit, d.orgNr]);
    await this.s.run(
      "INSERT INTO slash_delivery (unit, org_nr, period, body, ids, items, deletes, bytes, state, run_id, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'queued', $9, $10)",
      [d.unit, d.orgNr, d.period, d.body, JSON.stringify(d.ids), d.items, d.deletes, Buffer.byteLength(d.body), runId, at],
    );
  }

  async queue(): Promise<SlashDeliveryRow[]> {
    return (await this.s.rows<DeliveryDbRow>(`SELECT ${DELIVERY_COLS} FROM slash_delivery WHERE state IN ('queued', 'refused') ORDER BY seq`)).map(toDelivery);
  }

  async delivery(seq: number): Promise<SlashDeliveryRow | undefined> {
    const r = await this.s.one<DeliveryDbRow>(`SELECT ${DELIVERY_COLS} FROM slash_delivery WHERE seq = $1`, [seq]);
    return r && toDelivery(r);
  }

  /**
   * Counts an attempt without waiting for the disk (relaxed: synchronous_commit off for this
   * transaction), as sqlite/slash.ts does: lost in a crash, the delivery is still the unit's head
   * and goes again with the same bytes; the answer's commit, which waits for the WAL flush, makes
   * it durable with it before the unit's next delivery.
   */
  markSending(seq: number): Promise<void> {
    return this.s.tx(async () => void (await this.s.run('UPDATE slash_delivery SET attempts = attempts + 1 WHERE seq = $1', [seq])), { relaxed: true });
  }

  answered(seq: number, a: SlashAnswered): Promise<void> {
    const s = this.s;
    return s.tx(async () => {
      // The row locked: two answers to one delivery are taken in turn.
      const d = await s.one<{ unit: string }>('SELECT unit FROM slash_delivery WHERE seq = $1 FOR UPDATE', [seq]);
      if (!d) return;
      if (a.outcome === 'delivered') {
        await s.run(
          "UPDATE slash_delivery SET state = 'delivered', msg_hash = $1, correlation_id = $2, status = 200, codes = NULL, reason = NULL, done_at = $3 WHERE seq = $4 AND state = 'queued'",
          [a.msgHash, a.correlationId, now(), seq],
        );
        return;
      }
      // The delivery stays the unit's head: `refused` waits for the operator, `queued` (5xx,
      // network) goes again unchanged at the next run.
      await s.run('UPDATE slash_delivery SET state = $1, msg_hash = $2, correlation_id = $3, status = $4, codes = $5, reason = $6 WHERE seq = $7', [
        a.outcome === 'refused' ? 'refused' : 'queued',
        a.msgHash,
        a.correlationId,
        a.status,
        JSON.stringify(a.codes),
        a.reason,
        seq,
      ]);
      await s.run('UPDATE slash_unit SET state = $1, seq = $2, auth = $3, since = $4 WHERE unit = $5', [
        a.outcome === 'refused' ? 'stopped' : 'attention',
        seq,
        a.auth ? 1 : 0,
        now(),
        d.unit,
      ]);
    });
  }

  resume(unit: string): Promise<number> {
    const s = this.s;
    return s.tx(async () => {
      const u = await s.one<{ state: SlashUnitRow['state']; seq: number | null; auth: number }>('SELECT state, seq, auth FROM slash_unit WHERE unit = $1 FOR UPDATE', [unit]);
      if (!u || u.state === 'ok') return 0;
      let regenerated = 0;
      if (u.state === 'stopped' && !u.auth && u.seq !== null) {
        // Content refused: every delivery of the unit from the refused one on is discarded and
        // its items go again from their current content, from the last accepted period on.
        const at = now();
        const unsent = await s.rows<{ seq: number; ids: string }>(
          "SELECT seq, ids FROM slash_delivery WHERE unit = $1 AND seq >= $2 AND state IN ('queued', 'refused') ORDER BY seq",
          [unit, u.seq],
        );
        for (const d of unsent) {
          await s.run("UPDATE slash_delivery SET state = 'discarded', done_at = $1 WHERE seq = $2", [at, d.seq]);
          const ids = JSON.parse(d.ids) as string[];
          await s.run('UPDATE slash_item SET pending = 1 WHERE unit = $1 AND id = ANY($2::text[])', [unit, ids]);
          regenerated++;
        }
      } else if (u.seq !== null) {
        // Authentication, or time (5xx, network): the same delivery goes again unchanged.
        await s.run("UPDATE slash_delivery SET state = 'queued' WHERE seq = $1", [u.seq]);
      }
      await s.run("UPDATE slash_unit SET state = 'ok', seq = NULL, auth = 0, since = NULL WHERE unit = $1", [unit]);
      return regenerated;
    });
  }

  async units(): Promise<SlashUnitRow[]> {
    const rows = await this.s.rows<UnitDbRow>(
      `SELECT u.unit, u.org_nr, u.state, u.seq, u.auth, u.since,
              (SELECT COUNT(*) FROM slash_delivery d WHERE d.unit = u.unit AND d.state = 'delivered') AS delivered,
              (SELECT COUNT(*) FROM slash_delivery d WHERE d.unit = u.unit AND d.state IN ('queued', 'refused')) AS queued,
              (SELECT d.period FROM slash_delivery d WHERE d.unit = u.unit AND d.state = 'delivered' ORDER BY d.seq DESC LIMIT 1) AS last_period
       FROM slash_unit u ORDER BY u.unit COLLATE "C"`,
    );
    return rows.map(toUnit);
  }
}
