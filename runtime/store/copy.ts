// Moving a store's rows between SQLite and PostgreSQL as they are: the two schemas have the same
// tables and columns (postgres/schema.ts), less what only SQLite's folding needs. Used by
// `kpr store migrate` (SQLite → PostgreSQL) and by the PostgreSQL store's snapshotTo (→ a SQLite
// file, for --dry-run); the 2021 channel's tables and SLASH's. Reads and writes go by chunks, so a large store is never all in memory.
import type Database from 'better-sqlite3';
import type { PgSession } from './postgres/connect.ts';

export interface TableSpec {
  name: string;
  /** The primary key, its columns separated by ", ": rows are read in its order (by chunks, from the last one read). */
  key: string;
  /** Rows per chunk, when rows can be large (a SLASH delivery's body is up to 2 MB); 2,000 unless told. */
  chunk?: number;
  cols: readonly string[];
  /** The key is text (ordered by code point); otherwise a number. */
  textKey?: true;
  /** The column a sequence numbers in PostgreSQL, moved past the highest copied. */
  serial?: string;
}

/** The tables that hold a store's state (not the lock: a copy holds none; not seen_log: folded first). */
export const TABLES: readonly TableSpec[] = [
  { name: 'meta', key: 'key', textKey: true, cols: ['key', 'value'] },
  { name: 'lopenr', key: 'year', cols: ['year', 'last'] },
  {
    name: 'outbox',
    key: 'seq',
    serial: 'seq',
    cols: [
      'seq',
      'message_id',
      'state',
      'year',
      'lopenr',
      'meldingstype',
      'consultations',
      'bytes',
      'created_at',
      'sent_at',
      'done_at',
      'attempts',
      'uttak_dato',
      'ref_id',
      'validation_code',
      'validation_message',
      'last_error',
      'run_id',
    ],
  },
  {
    name: 'item',
    key: 'id',
    serial: 'id',
    cols: ['id', 'seq', 'konsultasjon_id', 'status', 'guid', 'forrige_guid', 'ref', 'lope_nr', 'hash', 'source_id', 'changed_at', 'month'],
  },
  { name: 'item_json', key: 'item_id', cols: ['item_id', 'json'] },
  { name: 'consultation', key: 'id', textKey: true, cols: ['id', 'item'] },
  { name: 'requeue', key: 'konsultasjon_id', textKey: true, cols: ['konsultasjon_id', 'source_id', 'changed_at', 'deleted', 'hash', 'json', 'reason'] },
  { name: 'source_record', key: 'source_id', textKey: true, cols: ['source_id', 'changed_at', 'rejected'] },
  {
    name: 'rejection',
    key: 'id',
    serial: 'id',
    cols: ['id', 'source_id', 'konsultasjon_id', 'changed_at', 'file', 'line', 'path', 'rule', 'message', 'consequence', 'month', 'run_id', 'created_at'],
  },
  {
    name: 'sent_warning',
    key: 'id',
    serial: 'id',
    cols: ['id', 'source_id', 'konsultasjon_id', 'changed_at', 'file', 'line', 'path', 'rule', 'message', 'consequence', 'action', 'run_id', 'created_at'],
  },
  { name: 'run', key: 'id', serial: 'id', cols: ['id', 'kind', 'started_at', 'ended_at', 'pid', 'outcome', 'exit_code', 'summary'] },
  { name: 'checkpoint', key: 'key', textKey: true, cols: ['key', 'value'] },
  // SLASH's per-unit queue (sqlite/slash.ts): the items' current content, the deliveries with
  // their exact bytes (a resend sends them again), each unit's standing.
  { name: 'slash_item', key: 'unit, id', textKey: true, chunk: 500, cols: ['unit', 'id', 'month', 'hash', 'json', 'changed_at', 'pending'] },
  {
    name: 'slash_delivery',
    key: 'seq',
    serial: 'seq',
    chunk: 50,
    cols: [
      'seq',
      'unit',
      'org_nr',
      'period',
      'body',
      'ids',
      'items',
      'deletes',
      'bytes',
      'state',
      'attempts',
      'msg_hash',
      'correlation_id',
      'status',
      'codes',
      'reason',
      'run_id',
      'created_at',
      'done_at',
    ],
  },
  { name: 'slash_unit', key: 'unit', textKey: true, cols: ['unit', 'org_nr', 'state', 'seq', 'auth', 'since'] },
];

/** meta keys that belong to the store's state; the rest (schema_version, indexed_item) are SQLite's bookkeeping. */
export const STATE_META_KEYS: readonly string[] = ['chain_head', 'accepted_head', 'notif_lopenr'];

const CHUNK = 2_000;

type Rows = unknown[][];

/** Where clause limiting meta to the state's keys (the other tables: everything). */
function filterOf(t: TableSpec, param: (n: number) => string): { sql: string; params: unknown[] } {
  if (t.name !== 'meta') return { sql: '', params: [] };
  return { sql: `key IN (${STATE_META_KEYS.map((_, n) => param(n + 1)).join(', ')})`, params: [...STATE_META_KEYS] };
}

export async function* readSqlite(db: Database.Database, t: TableSpec): AsyncGenerator<Rows> {
  const f = filterOf(t, () => '?');
  const stmt = db.prepare<unknown[], unknown[]>(`SELECT ${t.cols.join(', ')} FROM ${t.name}${f.sql ? ` WHERE ${f.sql}` : ''} ORDER BY ${t.key}`).raw();
  const size = t.chunk ?? CHUNK;
  let chunk: Rows = [];
  for (const row of stmt.iterate(...f.params)) {
    chunk.push(row);
    if (chunk.length === size) {
      yield chunk;
      chunk = [];
    }
  }
  if (chunk.length > 0) yield chunk;
}

export async function* readPg(s: PgSession, t: TableSpec): AsyncGenerator<Rows> {
  const f = filterOf(t, (n) => `$${n}`);
  const size = t.chunk ?? CHUNK;
  const keys = t.key.split(', ');
  const keyAt = keys.map((k) => t.cols.indexOf(k));
  // Text keys in code-point order, as SQLite orders them, whatever the server's locale.
  const key = keys.map((k) => (t.textKey ? `${k} COLLATE "C"` : k)).join(', ');
  let after: unknown[] | undefined;
  for (;;) {
    const params = after === undefined ? f.params : [...f.params, ...after];
    // A row comparison: after the last key read, column by column.
    const from = after === undefined ? '' : `(${key}) > (${keys.map((_, n) => `$${f.params.length + n + 1}`).join(', ')})`;
    const where = [f.sql, from].filter(Boolean).join(' AND ');
    const res = await s.client.query({
      text: `SELECT ${t.cols.join(', ')} FROM ${t.name}${where ? ` WHERE ${where}` : ''} ORDER BY ${key} LIMIT ${size}`,
      values: params,
      rowMode: 'array',
    });
    const rows = res.rows as Rows;
    if (rows.length > 0) yield rows;
    if (rows.length < size) return;
    const last = rows[rows.length - 1];
    after = keyAt.map((at) => last?.[at]);
  }
}

export function writeSqlite(db: Database.Database, t: TableSpec, rows: Rows): void {
  const insert = db.prepare(`INSERT OR REPLACE INTO ${t.name} (${t.cols.join(', ')}) VALUES (${t.cols.map(() => '?').join(', ')})`);
  db.transaction(() => {
    for (const r of rows) insert.run(...r);
  })();
}

export async function writePg(s: PgSession, t: TableSpec, rows: Rows): Promise<void> {
  const width = t.cols.length;
  const per = Math.max(1, Math.floor(30_000 / width));
  for (let at = 0; at < rows.length; at += per) {
    const part = rows.slice(at, at + per);
    const values = part.map((_, r) => `(${t.cols.map((_c, c) => `$${r * width + c + 1}`).join(', ')})`).join(', ');
    await s.run(`INSERT INTO ${t.name} (${t.cols.join(', ')}) VALUES ${values}`, part.flat());
  }
}

/** Moves PostgreSQL's sequences past the highest ids copied in (the next row gets the next id). */
export async function bumpSequences(s: PgSession): Promise<void> {
  for (const t of TABLES) {
    if (!t.serial) continue;
    await s.run(`SELECT setval(pg_get_serial_sequence('${t.name}', '${t.serial}'), COALESCE((SELECT MAX(${t.serial}) FROM ${t.name}), 0) + 1, false)`);
  }
}

export async function countPg(s: PgSession, t: TableSpec): Promise<number> {
  const f = filterOf(t, (n) => `$${n}`);
  return (await s.one<{ n: number }>(`SELECT COUNT(*) AS n FROM ${t.name}${f.sql ? ` WHERE ${f.sql}` : ''}`, f.params))?.n ?? 0;
}

export function countSqlite(db: Database.Database, t: TableSpec): number {
  const f = filterOf(t, () => '?');
  return (
    db
      .prepare<unknown[], number>(`SELECT COUNT(*) FROM ${t.name}${f.sql ? ` WHERE ${f.sql}` : ''}`)
      .pluck()
      .get(...f.params) ?? 0
  );
}
