// The SLASH channel's tables: the current content per item, the deliveries of each reporting unit
// in FIFO order (the exact JSON bytes kept, so a delivery killed in flight is sent again
// unchanged), and each unit's standing after the receiver's answers. Every change is one
// transaction, like the rest of the store.
import type Database from 'better-sqlite3';
import type { NewSlashDelivery, SlashAnswered, SlashCommit, SlashDeliveryRow, SlashItemRow, SlashUnitRow } from '../slash-types.ts';
import { now } from './rows.ts';

export const SLASH_SCHEMA = `
CREATE TABLE IF NOT EXISTS slash_item (
  unit TEXT NOT NULL, id TEXT NOT NULL, month TEXT NOT NULL, hash TEXT NOT NULL, json TEXT, changed_at TEXT NOT NULL,
  -- 1: new content (or its delivery was refused and discarded) not yet in a delivery
  pending INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (unit, id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS slash_item_pending ON slash_item(pending) WHERE pending = 1;
CREATE TABLE IF NOT EXISTS slash_delivery (
  seq INTEGER PRIMARY KEY,
  unit TEXT NOT NULL, org_nr TEXT NOT NULL, period TEXT NOT NULL,
  body TEXT NOT NULL, ids TEXT NOT NULL, items INTEGER NOT NULL, deletes INTEGER NOT NULL, bytes INTEGER NOT NULL,
  state TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0,
  msg_hash TEXT, correlation_id TEXT, status INTEGER, codes TEXT, reason TEXT,
  run_id INTEGER, created_at TEXT NOT NULL, done_at TEXT
);
CREATE INDEX IF NOT EXISTS slash_delivery_unit ON slash_delivery(unit, state, seq);
CREATE TABLE IF NOT EXISTS slash_unit (
  unit TEXT PRIMARY KEY, org_nr TEXT NOT NULL, state TEXT NOT NULL DEFAULT 'ok', seq INTEGER, auth INTEGER NOT NULL DEFAULT 0, since TEXT
) WITHOUT ROWID;
`;

export interface DeliveryDbRow {
  seq: number;
  unit: string;
  org_nr: string;
  period: string;
  body: string;
  ids: string;
  items: number;
  deletes: number;
  bytes: number;
  state: SlashDeliveryRow['state'];
  attempts: number;
  msg_hash: string | null;
  correlation_id: string | null;
  status: number | null;
  codes: string | null;
  reason: string | null;
  created_at: string;
  done_at: string | null;
}

export interface ItemDbRow {
  unit: string;
  id: string;
  month: string;
  hash: string;
  json: string | null;
  changed_at: string;
}

export interface UnitDbRow {
  unit: string;
  org_nr: string;
  state: SlashUnitRow['state'];
  seq: number | null;
  auth: number;
  since: string | null;
  delivered: number;
  queued: number;
  last_period: string | null;
}

export const DELIVERY_COLS = 'seq, unit, org_nr, period, body, ids, items, deletes, bytes, state, attempts, msg_hash, correlation_id, status, codes, reason, created_at, done_at';

export function toDelivery(r: DeliveryDbRow): SlashDeliveryRow {
  return {
    seq: r.seq,
    unit: r.unit,
    orgNr: r.org_nr,
    period: r.period,
    body: r.body,
    ids: JSON.parse(r.ids) as string[],
    items: r.items,
    deletes: r.deletes,
    bytes: r.bytes,
    state: r.state,
    attempts: r.attempts,
    msgHash: r.msg_hash,
    correlationId: r.correlation_id,
    status: r.status,
    codes: r.codes ? (JSON.parse(r.codes) as SlashDeliveryRow['codes']) : [],
    reason: r.reason,
    createdAt: r.created_at,
    doneAt: r.done_at,
  };
}

function prepare(db: Database.Database) {
  return {
    item: db.prepare<[string, string], ItemDbRow>('SELECT unit, id, month, hash, json, changed_at FROM slash_item WHERE unit = ? AND id = ?'),
    pending: db.prepare<[], ItemDbRow>('SELECT unit, id, month, hash, json, changed_at FROM slash_item WHERE pending = 1 ORDER BY unit, month, id'),
    upsertItem: db.prepare<[string, string, string, string, string | null, string]>(
      `INSERT INTO slash_item (unit, id, month, hash, json, changed_at, pending) VALUES (?, ?, ?, ?, ?, ?, 1)
       ON CONFLICT(unit, id) DO UPDATE SET month = excluded.month, hash = excluded.hash, json = excluded.json, changed_at = excluded.changed_at, pending = 1`,
    ),
    pendingDone: db.prepare<[string, string]>('UPDATE slash_item SET pending = 0 WHERE unit = ? AND id = ?'),
    insertDelivery: db.prepare<[string, string, string, string, string, number, number, number, number, string]>(
      "INSERT INTO slash_delivery (unit, org_nr, period, body, ids, items, deletes, bytes, state, run_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'queued', ?, ?)",
    ),
    ensureUnit: db.prepare<[string, string]>('INSERT INTO slash_unit (unit, org_nr) VALUES (?, ?) ON CONFLICT(unit) DO NOTHING'),
    queue: db.prepare<[], DeliveryDbRow>(`SELECT ${DELIVERY_COLS} FROM slash_delivery WHERE state IN ('queued', 'refused') ORDER BY seq`),
    delivery: db.prepare<[number], DeliveryDbRow>(`SELECT ${DELIVERY_COLS} FROM slash_delivery WHERE seq = ?`),
    // The answer needs only the unit, not the body it would otherwise read back for every delivery.
    unitOfDelivery: db.prepare<[number], { unit: string }>('SELECT unit FROM slash_delivery WHERE seq = ?'),
    // Prepared once: markSending runs per delivery.
    syncNormal: db.prepare('PRAGMA synchronous = NORMAL'),
    syncFull: db.prepare('PRAGMA synchronous = FULL'),
    sending: db.prepare<[number]>('UPDATE slash_delivery SET attempts = attempts + 1 WHERE seq = ?'),
    delivered: db.prepare<[string, string | null, string, number]>(
      "UPDATE slash_delivery SET state = 'delivered', msg_hash = ?, correlation_id = ?, status = 200, codes = NULL, reason = NULL, done_at = ? WHERE seq = ? AND state = 'queued'",
    ),
    refused: db.prepare<[string, string, string | null, number | null, string, string, number]>(
      'UPDATE slash_delivery SET state = ?, msg_hash = ?, correlation_id = ?, status = ?, codes = ?, reason = ? WHERE seq = ?',
    ),
    stopUnit: db.prepare<[string, number, number, string, string]>('UPDATE slash_unit SET state = ?, seq = ?, auth = ?, since = ? WHERE unit = ?'),
    unitOf: db.prepare<[string], UnitDbRow>('SELECT unit, org_nr, state, seq, auth, since, 0 AS delivered, 0 AS queued, NULL AS last_period FROM slash_unit WHERE unit = ?'),
    units: db.prepare<[], UnitDbRow>(
      `SELECT u.unit, u.org_nr, u.state, u.seq, u.auth, u.since,
              (SELECT COUNT(*) FROM slash_delivery d WHERE d.unit = u.unit AND d.state = 'delivered') AS delivered,
              (SELECT COUNT(*) FROM slash_delivery d WHERE d.unit = u.unit AND d.state IN ('queued', 'refused')) AS queued,
              (SELECT d.period FROM slash_delivery d WHERE d.unit = u.unit AND d.state = 'delivered' ORDER BY d.seq DESC LIMIT 1) AS last_period
       FROM slash_unit u ORDER BY u.unit`,
    ),
    // From the refused delivery on: every delivery of the unit not yet delivered.
    unsentFrom: db.prepare<[string, number], { seq: number; ids: string }>(
      "SELECT seq, ids FROM slash_delivery WHERE unit = ? AND seq >= ? AND state IN ('queued', 'refused') ORDER BY seq",
    ),
    discard: db.prepare<[string, number]>("UPDATE slash_delivery SET state = 'discarded', done_at = ? WHERE seq = ?"),
    requeueItem: db.prepare<[string, string]>('UPDATE slash_item SET pending = 1 WHERE unit = ? AND id = ?'),
    requeueDelivery: db.prepare<[number]>("UPDATE slash_delivery SET state = 'queued' WHERE seq = ?"),
    reopenUnit: db.prepare<[string]>("UPDATE slash_unit SET state = 'ok', seq = NULL, auth = 0, since = NULL WHERE unit = ?"),
    deleteRejections: db.prepare<[string, number]>('DELETE FROM rejection WHERE source_id = ? AND run_id IS NOT ?'),
    insertRejection: db.prepare<[string, string | null, string | null, string | null, number | null, string, string, string, string, number, string]>(
      'INSERT INTO rejection (source_id, konsultasjon_id, changed_at, file, line, path, rule, message, consequence, run_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
    ),
    checkpoint: db.prepare<[string, string]>('INSERT INTO checkpoint (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value'),
  };
}

export const toItem = (r: ItemDbRow): SlashItemRow => ({ unit: r.unit, id: r.id, month: r.month, hash: r.hash, json: r.json, changedAt: r.changed_at });

export const toUnit = (u: UnitDbRow): SlashUnitRow => ({
  unit: u.unit,
  orgNr: u.org_nr,
  state: u.state,
  seq: u.seq,
  auth: u.auth === 1,
  since: u.since,
  delivered: u.delivered,
  queued: u.queued,
  lastAcceptedPeriod: u.last_period,
});

export class SqliteSlash {
  private readonly st: ReturnType<typeof prepare>;
  private readonly commitTx: (c: SlashCommit) => void;
  private readonly answerTx: (seq: number, a: SlashAnswered) => void;
  private readonly resumeTx: (unit: string) => number;

  constructor(db: Database.Database) {
    db.exec(SLASH_SCHEMA);
    this.st = prepare(db);
    const st = this.st;
    this.commitTx = db.transaction((c: SlashCommit) => {
      const at = now();
      for (const i of c.items) st.upsertItem.run(i.unit, i.id, i.month, i.hash, i.json, i.changedAt);
      for (const p of c.pendingDone) st.pendingDone.run(p.unit, p.id);
      for (const d of c.deliveries) this.insert(d, c.runId, at);
      for (const r of c.rejections) st.deleteRejections.run(r.sourceId, c.runId);
      for (const r of c.rejections) {
        st.insertRejection.run(r.sourceId, null, r.changedAt, r.file, r.line, r.path, r.rule, r.message, r.consequence, c.runId, at);
      }
      for (const k of c.checkpoints ?? []) st.checkpoint.run(k.key, k.value);
    });
    this.answerTx = db.transaction((seq: number, a: SlashAnswered) => {
      const d = st.unitOfDelivery.get(seq);
      if (!d) return;
      if (a.outcome === 'delivered') {
        st.delivered.run(a.msgHash, a.correlationId, now(), seq);
        return;
      }
      // The delivery stays the unit's head: `refused` waits for the operator, `queued` (5xx,
      // network) goes again unchanged at the next run.
      st.refused.run(a.outcome === 'refused' ? 'refused' : 'queued', a.msgHash, a.correlationId, a.status, JSON.stringify(a.codes), a.reason, seq);
      st.stopUnit.run(a.outcome === 'refused' ? 'stopped' : 'attention', seq, a.auth ? 1 : 0, now(), d.unit);
    });
    this.resumeTx = db.transaction((unit: string): number => {
      const u = st.unitOf.get(unit);
      if (!u || u.state === 'ok') return 0;
      let regenerated = 0;
      if (u.state === 'stopped' && !u.auth && u.seq !== null) {
        // Content refused: regenerate from the last accepted period. Every delivery of the unit
        // from the refused one on is discarded and its items delivered again from their current
        // content, oldest period first, at the next commit.
        const at = now();
        for (const d of st.unsentFrom.all(unit, u.seq)) {
          st.discard.run(at, d.seq);
          for (const id of JSON.parse(d.ids) as string[]) st.requeueItem.run(unit, id);
          regenerated++;
        }
      } else if (u.seq !== null) {
        // Authentication, or time (5xx, network): the same delivery goes again unchanged.
        st.requeueDelivery.run(u.seq);
      }
      st.reopenUnit.run(unit);
      return regenerated;
    });
  }

  private insert(d: NewSlashDelivery, runId: number, at: string): void {
    this.st.ensureUnit.run(d.unit, d.orgNr);
    this.st.insertDelivery.run(d.unit, d.orgNr, d.period, d.body, JSON.stringify(d.ids), d.items, d.deletes, Buffer.byteLength(d.body), runId, at);
  }

  item(unit: string, id: string): SlashItemRow | undefined {
    const r = this.st.item.get(unit, id);
    return r && toItem(r);
  }

  pending(): SlashItemRow[] {
    return this.st.pending.all().map(toItem);
  }

  commit(c: SlashCommit): void {
    this.commitTx(c);
  }

  queue(): SlashDeliveryRow[] {
    return this.st.queue.all().map(toDelivery);
  }

  /**
   * Counts an attempt without waiting for the disk (synchronous = NORMAL for this one commit).
   * Lost in a power cut, the delivery is still the unit's head with the same bytes and goes again,
   * which is what happens to a delivery in flight anyway; only the attempt count is one short.
   * The WAL is sequential, so the answer's fully synced commit, before the unit's next delivery
   * goes, makes this durable too. A killed process loses nothing either way (the WAL is written).
   * Saves one fsync per delivery.
   */
  markSending(seq: number): void {
    this.st.syncNormal.run();
    try {
      this.st.sending.run(seq);
    } finally {
      this.st.syncFull.run();
    }
  }

  answered(seq: number, a: SlashAnswered): void {
    this.answerTx(seq, a);
  }

  resume(unit: string): number {
    return this.resumeTx(unit);
  }

  units(): SlashUnitRow[] {
    return this.st.units.all().map(toUnit);
  }

  delivery(seq: number): SlashDeliveryRow | undefined {
    const r = this.st.delivery.get(seq);
    return r && toDelivery(r);
  }
}
