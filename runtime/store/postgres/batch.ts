// The transfer's decisions on PostgreSQL: the lookups a batch decides against and the commit of
// its decisions in one transaction (as sqlite/batch.ts). No folding: consultation and
// source_record are upserted by the commit itself, in bulk (arrays unnested), so there is no
// log to fold and nothing a killed run leaves half-done.
import { NIL_GUID } from '../../notify/chain.ts';
import type { BatchCommit, ChainCounters, ConsultationState, MessageState, RequeuedRecord, StatusNotifikasjon } from '../types.ts';
import { KeyFilter } from '../key-filter.ts';
import { monthOfJson } from '../../model/month.ts';
import { now } from '../sqlite/rows.ts';
import type { PgSession } from './connect.ts';
import { PgMeta } from './meta.ts';

interface ItemStateRow {
  status: StatusNotifikasjon;
  hash: string | null;
  guid: string;
  ref: string | null;
  state: MessageState;
}

/** The last value per key, in the order given (a later decision replaces an earlier one). */
function lastPerKey<T>(rows: readonly T[], key: (r: T) => string): T[] {
  const m = new Map<string, T>();
  for (const r of rows) {
    const k = key(r);
    m.delete(k);
    m.set(k, r);
  }
  return [...m.values()];
}

/**
 * Lookups before the keys are read into filters. Sooner than SQLite's 50,000: here each lookup
 * is a round trip to the server (about 0.7 ms on this machine's Unix socket, against SQLite's
 * microseconds), while reading a million keys once is one query of a second or two.
 */
export const FILTER_AFTER = 5_000;

/**
 * Keys known to be absent need no round trip: after FILTER_AFTER lookups, while this store holds
 * the run lock (so no one else writes), the keys of source_record and consultation are read into
 * key filters, and each commit adds its own. A backfill, whose keys are nearly all new, then
 * asks the server only about the few the filter cannot rule out (figures: docs/postgres.md).
 */
class Filters {
  private filters: { seen: KeyFilter; consultation: KeyFilter } | undefined;
  private lookups = 0;

  constructor(
    private readonly s: PgSession,
    private readonly lockHeld: () => boolean,
    private readonly filterAfter: number,
  ) {}

  async mayHold(table: 'seen' | 'consultation', key: string): Promise<boolean> {
    if (!this.lockHeld()) {
      this.filters = undefined;
      return true;
    }
    if (!this.filters && ++this.lookups >= this.filterAfter) this.filters = await this.read();
    return this.filters ? this.filters[table].mightHave(key) : true;
  }

  /** After a commit: its keys (keeps the filters true while this store is the only writer). */
  added(seen: readonly string[], consultations: readonly string[]): void {
    const f = this.filters;
    if (!f) return;
    for (const k of seen) f.seen.add(k);
    for (const k of consultations) f.consultation.add(k);
    if (f.seen.count > f.seen.capacity || f.consultation.count > f.consultation.capacity) this.filters = undefined;
  }

  drop(): void {
    this.filters = undefined;
    this.lookups = 0;
  }

  private async read(): Promise<{ seen: KeyFilter; consultation: KeyFilter }> {
    const fill = async (table: string, col: string) => {
      const n = (await this.s.one<{ n: number }>(`SELECT COUNT(*) AS n FROM ${table}`))?.n ?? 0;
      const filter = new KeyFilter(2 * n + 4 * FILTER_AFTER);
      for (const r of await this.s.rows<{ k: string }>(`SELECT ${col} AS k FROM ${table}`)) filter.add(r.k);
      return filter;
    };
    return { seen: await fill('source_record', 'source_id'), consultation: await fill('consultation', 'id') };
  }
}

export class PgBatch {
  private readonly meta: PgMeta;
  readonly filters: Filters;

  constructor(
    private readonly s: PgSession,
    lockHeld: () => boolean,
    filterAfter = FILTER_AFTER,
  ) {
    this.meta = new PgMeta(s);
    this.filters = new Filters(s, lockHeld, filterAfter);
  }

  /** Opens the transaction the next commit ends: the lookups of a batch share one snapshot. */
  begin(): Promise<void> {
    return this.s.begin('REPEATABLE READ');
  }

  rollback(): Promise<void> {
    return this.s.rollback();
  }

  async seen(sourceId: string, changedAt: string): Promise<boolean> {
    if (!(await this.filters.mayHold('seen', sourceId))) return false;
    const r = await this.s.one<{ changed_at: string }>('SELECT changed_at FROM source_record WHERE source_id = $1', [sourceId]);
    return r !== undefined && r.changed_at >= changedAt;
  }

  async consultation(id: string): Promise<ConsultationState | undefined> {
    if (!(await this.filters.mayHold('consultation', id))) return undefined;
    const r = await this.s.one<ItemStateRow>(
      'SELECT i.status, i.hash, i.guid, i.ref, o.state FROM consultation c JOIN item i ON i.id = c.item JOIN outbox o ON o.seq = i.seq WHERE c.id = $1',
      [id],
    );
    if (!r) return undefined;
    const active = r.status !== 'C';
    // An N is the original; an M or C refers to it.
    const origGuid = r.status === 'N' ? r.guid : r.ref;
    if (r.state === 'accepted') return { accHash: r.hash, accGuid: r.guid, accActive: active, pendHash: null, pendGuid: null, pendActive: false, hasPending: false, origGuid };
    return { accHash: null, accGuid: null, accActive: false, pendHash: r.hash, pendGuid: r.guid, pendActive: active, hasPending: true, origGuid };
  }

  async counters(): Promise<ChainCounters> {
    return {
      chainHead: (await this.meta.get('chain_head')) ?? NIL_GUID,
      acceptedHead: (await this.meta.get('accepted_head')) ?? NIL_GUID,
      notifLopeNr: Number((await this.meta.get('notif_lopenr')) ?? 0),
    };
  }

  async lastLopenr(year: number): Promise<number> {
    return (await this.s.one<{ last: number }>('SELECT last FROM lopenr WHERE year = $1', [year]))?.last ?? 0;
  }

  /** Everything decided since the last commit, in one transaction (the batch's, if open). */
  async commit(b: BatchCommit): Promise<void> {
    const s = this.s;
    const t = now();
    const write = async () => {
      const consultations: [string, number][] = [];
      for (const m of b.messages) {
        const seq = (
          await s.one<{ seq: number }>(
            "INSERT INTO outbox (message_id, state, year, lopenr, meldingstype, consultations, bytes, created_at, uttak_dato, run_id) VALUES ($1, 'built', $2, $3, $4, $5, $6, $7, $8, $9) RETURNING seq",
            [m.messageId, m.year, m.lopenr, m.meldingstype, m.items.length, m.bytes, t, m.uttakDato, b.runId],
          )
        )?.seq as number;
        // Ids taken in chain order first, so the items keep it (messageItems reads by id).
        const ids = (await s.rows<{ id: number }>("SELECT nextval(pg_get_serial_sequence('item', 'id')) AS id FROM generate_series(1, $1::int)", [m.items.length]))
          .map((r) => r.id)
          .sort((x, y) => x - y);
        const col = <K extends keyof (typeof m.items)[number]>(k: K) => m.items.map((i) => i[k]);
        await s.run(
          `INSERT INTO item (id, seq, konsultasjon_id, status, guid, forrige_guid, ref, lope_nr, hash, source_id, changed_at, month)
           SELECT id, $2, k, st, g, fg, r, ln, h, sid, ca, mo FROM unnest($1::bigint[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::int[], $9::text[], $10::text[], $11::text[], $12::text[]) AS u(id, k, st, g, fg, r, ln, h, sid, ca, mo)`,
          [
            ids,
            seq,
            col('konsultasjonId'),
            col('status'),
            col('guid'),
            col('forrigeGuid'),
            col('ref'),
            col('lopeNr'),
            col('hash'),
            col('sourceId'),
            col('changedAt'),
            m.items.map((i) => monthOfJson(i.json)),
          ],
        );
        const withJson = m.items.flatMap((i, n) => (i.json === null ? [] : [[ids[n], i.json] as const]));
        if (withJson.length > 0) {
          await s.run('INSERT INTO item_json (item_id, json) SELECT * FROM unnest($1::bigint[], $2::text[])', [withJson.map((j) => j[0]), withJson.map((j) => j[1])]);
        }
        m.items.forEach((i, n) => {
          consultations.push([i.konsultasjonId, ids[n] as number]);
        });
        await s.run('INSERT INTO lopenr (year, last) VALUES ($1, $2) ON CONFLICT (year) DO UPDATE SET last = GREATEST(lopenr.last, excluded.last)', [m.year, m.lopenr]);
      }
      const latest = lastPerKey(consultations, (c) => c[0]);
      if (latest.length > 0) {
        await s.run('INSERT INTO consultation (id, item) SELECT * FROM unnest($1::text[], $2::bigint[]) ON CONFLICT (id) DO UPDATE SET item = excluded.item', [
          latest.map((c) => c[0]),
          latest.map((c) => c[1]),
        ]);
      }
      // A newer version (held back or sent) replaces what the older one carried.
      const sourceIds = b.seen.map((x) => x.sourceId);
      const konsIds = b.seen.flatMap((x) => (x.konsultasjonId ? [x.konsultasjonId] : []));
      if (b.seen.length > 0) await s.run('DELETE FROM sent_warning WHERE source_id = ANY($1::text[]) OR konsultasjon_id = ANY($2::text[])', [sourceIds, konsIds]);
      for (const w of b.warnings ?? []) {
        await s.run(
          'INSERT INTO sent_warning (source_id, konsultasjon_id, changed_at, file, line, path, rule, message, consequence, action, run_id, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)',
          [w.sourceId, w.konsultasjonId, w.changedAt, w.file, w.line, w.path, w.rule, w.message, w.consequence, w.action, b.runId, t],
        );
      }
      const seen = lastPerKey(b.seen, (x) => x.sourceId);
      if (seen.length > 0) {
        await s.run(
          'INSERT INTO source_record (source_id, changed_at, rejected) SELECT * FROM unnest($1::text[], $2::text[], $3::int[]) ON CONFLICT (source_id) DO UPDATE SET changed_at = excluded.changed_at, rejected = excluded.rejected',
          [seen.map((x) => x.sourceId), seen.map((x) => x.changedAt), seen.map((x) => (x.rejected ? 1 : 0))],
        );
        // A newer version replaces what was wrong with the older one (same record, or the
        // same consultation under a per-version record id).
        const acceptedKons = b.seen.flatMap((x) => (!x.rejected && x.konsultasjonId ? [x.konsultasjonId] : []));
        await s.run('DELETE FROM rejection WHERE source_id = ANY($1::text[]) OR konsultasjon_id = ANY($2::text[])', [sourceIds, acceptedKons]);
      }
      // A record rejected again replaces what an earlier run said about it.
      const rejectedIds = [...new Set(b.rejections.map((r) => r.sourceId))];
      if (rejectedIds.length > 0) await s.run('DELETE FROM rejection WHERE source_id = ANY($1::text[]) AND run_id IS DISTINCT FROM $2', [rejectedIds, b.runId]);
      for (const r of b.rejections) {
        await s.run(
          'INSERT INTO rejection (source_id, konsultasjon_id, changed_at, file, line, path, rule, message, consequence, month, run_id, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)',
          [r.sourceId, r.konsultasjonId ?? null, r.changedAt, r.file, r.line, r.path, r.rule, r.message, r.consequence, r.month ?? null, b.runId, t],
        );
      }
      // Deleted in the EPJ while the receiver holds nothing of them: a rejected message's content
      // for them goes, so an operator's resend leaves them out.
      if (b.deletedUnsent?.length) {
        await s.run(
          "DELETE FROM item_json WHERE item_id IN (SELECT i.id FROM item i WHERE i.seq IN (SELECT seq FROM outbox WHERE state = 'rejected') AND i.konsultasjon_id = ANY($1::text[]))",
          [b.deletedUnsent],
        );
      }
      if (b.requeueDone.length > 0) await s.run('DELETE FROM requeue WHERE konsultasjon_id = ANY($1::text[])', [b.requeueDone]);
      await this.meta.set('chain_head', b.chainHead);
      await this.meta.set('notif_lopenr', String(b.notifLopeNr));
      for (const c of b.checkpoints ?? []) await this.setCheckpoint(c.key, c.value);
    };
    if (!s.inTransaction) await s.tx(write);
    else {
      // Inside the batch's own transaction (begin): the writes join it, and it ends here.
      try {
        await write();
        await s.commit();
      } catch (err) {
        await s.rollback().catch(() => {});
        throw err;
      }
    }
    this.filters.added(
      b.seen.map((x) => x.sourceId),
      b.messages.flatMap((m) => m.items.map((i) => i.konsultasjonId)),
    );
  }

  async requeued(): Promise<RequeuedRecord[]> {
    const rows = await this.s.rows<{ konsultasjon_id: string; source_id: string; changed_at: string; deleted: number; hash: string | null; json: string | null }>(
      'SELECT konsultasjon_id, source_id, changed_at, deleted, hash, json FROM requeue ORDER BY changed_at COLLATE "C", konsultasjon_id COLLATE "C"',
    );
    return rows.map((r) => ({ konsultasjonId: r.konsultasjon_id, sourceId: r.source_id, changedAt: r.changed_at, deleted: r.deleted === 1, hash: r.hash, json: r.json }));
  }

  async checkpoint(key: string): Promise<string | undefined> {
    return (await this.s.one<{ value: string }>('SELECT value FROM checkpoint WHERE key = $1', [key]))?.value;
  }

  async setCheckpoint(key: string, value: string): Promise<void> {
    await this.s.run('INSERT INTO checkpoint (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value', [key, value]);
  }
}
