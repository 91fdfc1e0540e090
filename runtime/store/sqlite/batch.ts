// The transfer's decisions: the lookups it decides against (source records seen, consultations,
// the chain's counters) and the commit that writes a batch of decisions in one transaction.
import type Database from 'better-sqlite3';
import { monthOfJson } from '../../model/month.ts';
import { NIL_GUID } from '../../notify/chain.ts';
import type { BatchCommit, ChainCounters, ConsultationState, MessageState, RequeuedRecord, StatusNotifikasjon } from '../types.ts';
import type { Folding } from './fold.ts';
import { now } from './rows.ts';
import type { Meta } from './schema.ts';

interface ItemStateRow {
  status: StatusNotifikasjon;
  hash: string | null;
  guid: string;
  ref: string | null;
  state: MessageState;
}

interface RequeueDbRow {
  konsultasjon_id: string;
  source_id: string;
  changed_at: string;
  deleted: number;
  hash: string | null;
  json: string | null;
}

type Nullable<T> = T | null;

function prepare(db: Database.Database) {
  return {
    seen: db.prepare<[string], string>('SELECT changed_at FROM source_record WHERE source_id = ?').pluck(),
    seenLog: db.prepare<[string, string, number]>('INSERT INTO seen_log (source_id, changed_at, rejected) VALUES (?, ?, ?)'),
    consultation: db.prepare<[string], ItemStateRow>(
      'SELECT i.status, i.hash, i.guid, i.ref, o.state FROM consultation c JOIN item i ON i.id = c.item JOIN outbox o ON o.seq = i.seq WHERE c.id = ?',
    ),
    itemState: db.prepare<[number], ItemStateRow>('SELECT i.status, i.hash, i.guid, i.ref, o.state FROM item i JOIN outbox o ON o.seq = i.seq WHERE i.id = ?'),
    lopenrGet: db.prepare<[number], number>('SELECT last FROM lopenr WHERE year = ?').pluck(),
    lopenrSet: db.prepare<[number, number]>('INSERT INTO lopenr (year, last) VALUES (?, ?) ON CONFLICT(year) DO UPDATE SET last = excluded.last'),
    insertMessage: db.prepare<[string, number, number, string, number, number, string, string, number]>(
      "INSERT INTO outbox (message_id, state, year, lopenr, meldingstype, consultations, bytes, created_at, uttak_dato, run_id) VALUES (?, 'built', ?, ?, ?, ?, ?, ?, ?, ?)",
    ),
    insertItem: db.prepare<[number, string, StatusNotifikasjon, string, string, Nullable<string>, number, Nullable<string>, string, string, Nullable<string>]>(
      'INSERT INTO item (seq, konsultasjon_id, status, guid, forrige_guid, ref, lope_nr, hash, source_id, changed_at, month) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
    ),
    insertJson: db.prepare<[number, string]>('INSERT INTO item_json (item_id, json) VALUES (?, ?)'),
    anyRejection: db.prepare<[], number>('SELECT 1 FROM rejection LIMIT 1').pluck(),
    anyWarning: db.prepare<[], number>('SELECT 1 FROM sent_warning LIMIT 1').pluck(),
    deleteWarnings: db.prepare<[string, Nullable<string>]>('DELETE FROM sent_warning WHERE source_id = ? OR konsultasjon_id = ?'),
    insertWarning: db.prepare<[string, string, string, Nullable<string>, Nullable<number>, string, string, string, string, string, number, string]>(
      'INSERT INTO sent_warning (source_id, konsultasjon_id, changed_at, file, line, path, rule, message, consequence, action, run_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
    ),
    deleteRejections: db.prepare<[string]>('DELETE FROM rejection WHERE source_id = ?'),
    deleteRejectionsOf: db.prepare<[string]>('DELETE FROM rejection WHERE konsultasjon_id = ?'),
    deleteOldRejections: db.prepare<[string, number]>('DELETE FROM rejection WHERE source_id = ? AND run_id IS NOT ?'),
    insertRejection: db.prepare<[string, Nullable<string>, Nullable<string>, Nullable<string>, Nullable<number>, string, string, string, string, Nullable<string>, number, string]>(
      'INSERT INTO rejection (source_id, konsultasjon_id, changed_at, file, line, path, rule, message, consequence, month, run_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
    ),
    anyRejectedMessage: db.prepare<[], number>("SELECT 1 FROM outbox WHERE state = 'rejected' LIMIT 1").pluck(),
    // Through item(seq): only the items of rejected messages are looked at, never all items.
    dropRejectedContent: db.prepare<[string]>(
      "DELETE FROM item_json WHERE item_id IN (SELECT i.id FROM item i WHERE i.seq IN (SELECT seq FROM outbox WHERE state = 'rejected') AND i.konsultasjon_id = ?)",
    ),
    requeued: db.prepare<[], RequeueDbRow>('SELECT konsultasjon_id, source_id, changed_at, deleted, hash, json FROM requeue ORDER BY changed_at, konsultasjon_id'),
    requeueDelete: db.prepare<[string]>('DELETE FROM requeue WHERE konsultasjon_id = ?'),
    checkpointGet: db.prepare<[string], string>('SELECT value FROM checkpoint WHERE key = ?').pluck(),
    checkpointSet: db.prepare<[string, string]>('INSERT INTO checkpoint (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value'),
  };
}

export class SqliteBatch {
  /** The prepared statements (the reliability tests wrap one to break the disk mid-batch). */
  readonly st: ReturnType<typeof prepare>;

  constructor(
    private readonly db: Database.Database,
    private readonly meta: Meta,
    private readonly folding: Folding,
  ) {
    this.st = prepare(db);
  }

  /**
   * Opens the transaction the next commit ends, so that the lookups of a batch (seen,
   * consultation: two per record) share one snapshot instead of taking a read lock each.
   */
  begin(): void {
    if (!this.db.inTransaction) this.db.exec('BEGIN');
  }

  /** Abandons an open batch (its decisions are made again by the next run). */
  rollback(): void {
    if (this.db.inTransaction) this.db.exec('ROLLBACK');
  }

  seen(sourceId: string, changedAt: string): boolean {
    const prev = this.folding.pendingSeenAt(sourceId) ?? (this.folding.mayHold('seen', sourceId) ? this.st.seen.get(sourceId) : undefined);
    return prev !== undefined && prev >= changedAt;
  }

  consultation(id: string): ConsultationState | undefined {
    const item = this.folding.pendingItem(id);
    if (item === undefined && !this.folding.mayHold('consultation', id)) return undefined;
    const r = item !== undefined ? this.st.itemState.get(item) : this.st.consultation.get(id);
    if (!r) return undefined;
    const active = r.status !== 'C';
    // An N is the original; an M or C refers to it.
    const origGuid = r.status === 'N' ? r.guid : r.ref;
    if (r.state === 'accepted') return { accHash: r.hash, accGuid: r.guid, accActive: active, pendHash: null, pendGuid: null, pendActive: false, hasPending: false, origGuid };
    return { accHash: null, accGuid: null, accActive: false, pendHash: r.hash, pendGuid: r.guid, pendActive: active, hasPending: true, origGuid };
  }

  counters(): ChainCounters {
    return {
      chainHead: this.meta.get('chain_head') ?? NIL_GUID,
      acceptedHead: this.meta.get('accepted_head') ?? NIL_GUID,
      notifLopeNr: Number(this.meta.get('notif_lopenr') ?? 0),
    };
  }

  lastLopenr(year: number): number {
    return this.st.lopenrGet.get(year) ?? 0;
  }

  commit(b: BatchCommit): void {
    const t = now();
    // The consultation and source_record changes, applied to memory once the commit succeeds.
    const items: [string, number][] = [];
    let fold = false;
    const st = this.st;
    const write = this.db.transaction(() => {
      for (const m of b.messages) {
        const seq = Number(st.insertMessage.run(m.messageId, m.year, m.lopenr, m.meldingstype, m.items.length, m.bytes, t, m.uttakDato, b.runId).lastInsertRowid);
        for (const i of m.items) {
          const itemId = Number(
            st.insertItem.run(seq, i.konsultasjonId, i.status, i.guid, i.forrigeGuid, i.ref, i.lopeNr, i.hash, i.sourceId, i.changedAt, monthOfJson(i.json)).lastInsertRowid,
          );
          if (i.json !== null) st.insertJson.run(itemId, i.json);
          items.push([i.konsultasjonId, itemId]);
        }
        if (m.lopenr > this.lastLopenr(m.year)) st.lopenrSet.run(m.year, m.lopenr);
      }
      // Most days nothing waits for correction: then there is nothing to clear.
      const anyRejections = st.anyRejection.get() !== undefined;
      // Likewise warnings: a newer version (held back or sent) replaces what the older one carried.
      if (st.anyWarning.get() !== undefined) for (const s of b.seen) st.deleteWarnings.run(s.sourceId, s.konsultasjonId ?? null);
      for (const w of b.warnings ?? []) {
        st.insertWarning.run(w.sourceId, w.konsultasjonId, w.changedAt, w.file, w.line, w.path, w.rule, w.message, w.consequence, w.action, b.runId, t);
      }
      for (const s of b.seen) {
        st.seenLog.run(s.sourceId, s.changedAt, s.rejected ? 1 : 0);
        if (!anyRejections) continue;
        // A newer version replaces what was wrong with the older one (same record, or the
        // same consultation under a per-version record id).
        st.deleteRejections.run(s.sourceId);
        if (!s.rejected && s.konsultasjonId) st.deleteRejectionsOf.run(s.konsultasjonId);
      }
      // A record rejected again (one without a readable changedAt is read every run) replaces
      // what an earlier run said about it instead of piling up.
      for (const id of new Set(b.rejections.map((r) => r.sourceId))) st.deleteOldRejections.run(id, b.runId);
      for (const r of b.rejections) {
        st.insertRejection.run(r.sourceId, r.konsultasjonId ?? null, r.changedAt, r.file, r.line, r.path, r.rule, r.message, r.consequence, r.month ?? null, b.runId, t);
      }
      for (const k of b.requeueDone) st.requeueDelete.run(k);
      if (b.deletedUnsent?.length && st.anyRejectedMessage.get() !== undefined) for (const k of b.deletedUnsent) st.dropRejectedContent.run(k);
      this.meta.set('chain_head', b.chainHead);
      this.meta.set('notif_lopenr', String(b.notifLopeNr));
      for (const c of b.checkpoints ?? []) st.checkpointSet.run(c.key, c.value);
      fold = this.folding.due(b.seen.length);
      if (fold) this.folding.foldRows();
    });
    if (!this.db.inTransaction) write.immediate();
    else {
      // Inside the batch's own transaction (begin): the writes join it, and it ends here.
      try {
        write();
        this.db.exec('COMMIT');
      } catch (err) {
        this.rollback();
        throw err;
      }
    }
    this.folding.remember(items, b.seen);
    if (fold) this.folding.folded();
  }

  requeued(): RequeuedRecord[] {
    return this.st.requeued
      .all()
      .map((r) => ({ konsultasjonId: r.konsultasjon_id, sourceId: r.source_id, changedAt: r.changed_at, deleted: r.deleted === 1, hash: r.hash, json: r.json }));
  }

  checkpoint(key: string): string | undefined {
    return this.st.checkpointGet.get(key);
  }

  setCheckpoint(key: string, value: string): void {
    this.st.checkpointSet.run(key, value);
  }
}
