// The Store on an embedded SQLite database (better-sqlite3): WAL journal, prepared statements,
// one transaction per state change. The schema is created on first open and versioned in `meta`.
import { ensurePrivateFile } from '../io/private.ts';
import { hostname } from 'node:os';
import Database from 'better-sqlite3';
import { EXIT, UserError } from '../cli/program.ts';
import { osloDateTime } from '../time/oslo.ts';
import { KeyFilter } from './key-filter.ts';
import type {
  BatchCommit,
  ItemRow,
  ChainCounters,
  ConsultationState,
  DailyVolume,
  MonthlyVolume,
  RunVolume,
  LockHolder,
  MessageState,
  OutboxMessage,
  Rejection,
  RequeuedRecord,
  RunRow,
  SentWarning,
  Store,
} from './types.ts';
import { UNCONFIRMED } from './types.ts';

/** notifikasjonForrigeGUID of the very first notification a sender sends (documented convention). */
export const NIL_GUID = '00000000-0000-0000-0000-000000000000';
const SCHEMA_VERSION = '3';
/**
 * The two lookup tables keyed by random ids (consultation, source_record) are brought up to date
 * in bulk, sorted by key, once this many records have piled up: a commit writes every page it
 * dirtied, and a batch of random keys dirties one index page per key once the tables are large
 * (at a million rows the per-batch upserts cost 3x the rest of the store). Until then the
 * decisions live in append-only rows (item, seen_log) and in memory.
 */
export const FOLD_EVERY = 50_000;
/**
 * Lookups a run makes before the store reads every folded key into a KeyFilter: a daily run of a
 * few thousand records probes the tables directly; a backfill, whose keys are nearly all new,
 * stops probing them (at a million records the probes cost 9 µs per record).
 */
const FILTER_AFTER = 50_000;
/** A lock counts as abandoned after this long without heartbeat (every 5–30 s while running). */
const STALE_LOCK_MS = 10 * 60_000;
/** Heartbeats closer together than this are not written. */
const BEAT_EVERY_MS = 5_000;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS lopenr (year INTEGER PRIMARY KEY, last INTEGER NOT NULL);
-- Per konsultasjonID its latest notification that is accepted or on its way (never one of a
-- rejected or superseded message): what the receiver holds once everything built has arrived.
CREATE TABLE IF NOT EXISTS consultation (id TEXT PRIMARY KEY, item INTEGER) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS outbox (
  seq INTEGER PRIMARY KEY,
  message_id TEXT NOT NULL UNIQUE,
  state TEXT NOT NULL,
  year INTEGER NOT NULL, lopenr INTEGER NOT NULL, meldingstype TEXT NOT NULL,
  consultations INTEGER NOT NULL, bytes INTEGER NOT NULL,
  created_at TEXT NOT NULL, sent_at TEXT, done_at TEXT, attempts INTEGER NOT NULL DEFAULT 0,
  uttak_dato TEXT NOT NULL,
  ref_id TEXT, validation_code INTEGER, validation_message TEXT, last_error TEXT,
  run_id INTEGER
);
CREATE INDEX IF NOT EXISTS outbox_state ON outbox(state, seq);
CREATE TABLE IF NOT EXISTS item (
  id INTEGER PRIMARY KEY,
  seq INTEGER NOT NULL,
  konsultasjon_id TEXT NOT NULL, status TEXT NOT NULL, guid TEXT NOT NULL, forrige_guid TEXT NOT NULL,
  ref TEXT, lope_nr INTEGER NOT NULL, hash TEXT,
  source_id TEXT NOT NULL, changed_at TEXT NOT NULL,
  month TEXT
);
CREATE INDEX IF NOT EXISTS item_seq ON item(seq);
-- The consultation's JSON, kept until its message is accepted (to rebuild and to requeue it).
CREATE TABLE IF NOT EXISTS item_json (item_id INTEGER PRIMARY KEY, json TEXT NOT NULL);
-- No index on item(konsultasjon_id): one more B-tree with random keys would be written on every
-- record; the two rare paths that look items up by consultation (a rejection) scan instead.
CREATE TABLE IF NOT EXISTS requeue (
  konsultasjon_id TEXT PRIMARY KEY, source_id TEXT NOT NULL, changed_at TEXT NOT NULL,
  deleted INTEGER NOT NULL, hash TEXT, json TEXT, reason TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS source_record (source_id TEXT PRIMARY KEY, changed_at TEXT NOT NULL, rejected INTEGER NOT NULL) WITHOUT ROWID;
-- source_record's changes not yet folded into it, in the order they were made (see FOLD_EVERY).
-- consultation needs no such log: its changes are the item rows after meta 'indexed_item'.
CREATE TABLE IF NOT EXISTS seen_log (id INTEGER PRIMARY KEY, source_id TEXT NOT NULL, changed_at TEXT NOT NULL, rejected INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS rejection (
  id INTEGER PRIMARY KEY, source_id TEXT NOT NULL, konsultasjon_id TEXT, changed_at TEXT, file TEXT, line INTEGER,
  path TEXT NOT NULL, rule TEXT NOT NULL, message TEXT NOT NULL, consequence TEXT NOT NULL,
  run_id INTEGER, created_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS rejection_source ON rejection(source_id);
CREATE INDEX IF NOT EXISTS rejection_konsultasjon ON rejection(konsultasjon_id);
-- Findings of records sent all the same (the receiver's consequence lets them through): the
-- operator sees them apart from the rejections. A newer version of the record replaces them.
CREATE TABLE IF NOT EXISTS sent_warning (
  id INTEGER PRIMARY KEY, source_id TEXT NOT NULL, konsultasjon_id TEXT NOT NULL, changed_at TEXT NOT NULL, file TEXT, line INTEGER,
  path TEXT NOT NULL, rule TEXT NOT NULL, message TEXT NOT NULL, consequence TEXT NOT NULL, action TEXT NOT NULL,
  run_id INTEGER, created_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS sent_warning_source ON sent_warning(source_id);
CREATE INDEX IF NOT EXISTS sent_warning_konsultasjon ON sent_warning(konsultasjon_id);
CREATE TABLE IF NOT EXISTS run (
  id INTEGER PRIMARY KEY, kind TEXT NOT NULL, started_at TEXT NOT NULL, ended_at TEXT, pid INTEGER NOT NULL,
  outcome TEXT, exit_code INTEGER, summary TEXT
);
CREATE TABLE IF NOT EXISTS lock (
  id INTEGER PRIMARY KEY CHECK (id = 1), pid INTEGER NOT NULL, host TEXT NOT NULL, kind TEXT NOT NULL,
  started_at TEXT NOT NULL, heartbeat_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS checkpoint (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
`;

const now = () => new Date().toISOString();

/** YYYY-MM of the consultation's datoTidStart in its JSON form (C notifications carry none). */
export function consultationMonth(json: string | null): string | null {
  if (json === null) return null;
  return /"datoTidStart":"(\d{4}-\d{2})/.exec(json)?.[1] ?? null;
}

export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * A lock's holder is alive when its heartbeat is recent and (on this host) the process exists.
 * A pid alone could have been reused after a kill -9 and a reboot; a heartbeat alone could lag.
 */
function lockAlive(heartbeatAt: string, host: string, pid: number): boolean {
  const fresh = Date.now() - Date.parse(heartbeatAt) < STALE_LOCK_MS;
  return fresh && (host !== hostname() || pidAlive(pid));
}

interface OutboxDbRow {
  seq: number;
  message_id: string;
  state: MessageState;
  year: number;
  lopenr: number;
  meldingstype: string;
  consultations: number;
  bytes: number;
  created_at: string;
  uttak_dato: string;
  sent_at: string | null;
  done_at: string | null;
  attempts: number;
  ref_id: string | null;
  validation_code: number | null;
  validation_message: string | null;
  last_error: string | null;
}

const OUTBOX_COLS =
  'seq, message_id, state, year, lopenr, meldingstype, consultations, bytes, created_at, uttak_dato, sent_at, done_at, attempts, ref_id, validation_code, validation_message, last_error';

function toMessage(r: OutboxDbRow): OutboxMessage {
  return {
    seq: r.seq,
    messageId: r.message_id,
    state: r.state,
    year: r.year,
    lopenr: r.lopenr,
    meldingstype: r.meldingstype,
    consultations: r.consultations,
    bytes: r.bytes,
    createdAt: r.created_at,
    uttakDato: r.uttak_dato,
    sentAt: r.sent_at,
    doneAt: r.done_at,
    attempts: r.attempts,
    refId: r.ref_id,
    validationCode: r.validation_code,
    validationMessage: r.validation_message,
    lastError: r.last_error,
  };
}

/**
 * For the reliability suite (test/reliability): KPR_KILL_IN_FOLD=n kills this process with
 * SIGKILL in the middle of its n-th fold, inside the transaction, where no timing from outside
 * lands reliably. Unset in production: nothing happens.
 */
const KILL_IN_FOLD = Number(process.env.KPR_KILL_IN_FOLD) || 0;
let foldsDone = 0;
function killInFold(): void {
  if (KILL_IN_FOLD && ++foldsDone === KILL_IN_FOLD) process.kill(process.pid, 'SIGKILL');
}

export class SqliteStore implements Store {
  private readonly db: Database.Database;
  private readonly st: Record<string, Database.Statement>;
  private lockHeld = false;
  private lastBeat = 0;
  /** Decisions since the last fold (see FOLD_EVERY), as the tables will hold them after it. */
  private readonly pendingSeen = new Map<string, string>();
  private readonly pendingConsultation = new Map<string, number>();
  /** Rows past the last fold that this process did not write (a run killed before its fold). */
  private leftovers: boolean;
  /** The folded keys of source_record and consultation, once FILTER_AFTER lookups were made. */
  private filters: { seen: KeyFilter; consultation: KeyFilter } | undefined;
  private lookups = 0;

  /** Records between folds: FOLD_EVERY, or KPR_FOLD_EVERY (fewer: less memory, slower backfill). */
  private readonly foldEvery: number;
  private readonly filterAfter: number;

  constructor(
    readonly path: string,
    opts: { foldEvery?: number; filterAfter?: number } = {},
  ) {
    this.filterAfter = opts.filterAfter ?? FILTER_AFTER;
    this.foldEvery = opts.foldEvery ?? (Number(process.env.KPR_FOLD_EVERY) > 0 ? Number(process.env.KPR_FOLD_EVERY) : FOLD_EVERY);
    // Created 0600 before SQLite opens it: its -wal and -shm take the database file's mode.
    if (path !== ':memory:') ensurePrivateFile(path);
    this.db = new Database(path);
    this.db.pragma('journal_mode = WAL');
    // FULL: a committed decision survives a power cut, not only a killed process.
    this.db.pragma('synchronous = FULL');
    this.db.pragma('busy_timeout = 5000');
    // 16 MB: the lookups that needed a large cache are mostly answered by the key filters now,
    // and a fold walks the tables in key order (each page once). At a million records 64 MB was
    // not measurably faster (within this machine's noise) and took the run near 500 MB of RSS.
    this.db.pragma('cache_size = -16384');
    // Checkpoint less often (each one syncs the database file): the WAL may grow to ~40 MB.
    this.db.pragma('wal_autocheckpoint = 10000');
    this.db.exec(SCHEMA);
    const version = this.db.prepare('SELECT value FROM meta WHERE key = ?').pluck().get('schema_version') as string | undefined;
    if (version === undefined) this.db.prepare('INSERT INTO meta (key, value) VALUES (?, ?)').run('schema_version', SCHEMA_VERSION);
    else if (version === '2') {
      // Version 2 kept consultation up to date with every item: all items so far are folded.
      this.db.transaction(() => {
        this.db.prepare("INSERT OR REPLACE INTO meta (key, value) VALUES ('indexed_item', (SELECT COALESCE(MAX(id), 0) FROM item))").run();
        this.db.prepare("UPDATE meta SET value = ? WHERE key = 'schema_version'").run(SCHEMA_VERSION);
      }).immediate();
    } else if (version !== SCHEMA_VERSION) throw new UserError(`${path}: database schema version ${version}, this kpr-kit knows ${SCHEMA_VERSION}`);
    // The consultation month (datoTidStart's YYYY-MM) came after schema 3: older rows have none.
    if (!(this.db.prepare('PRAGMA table_info(item)').all() as { name: string }[]).some((c) => c.name === 'month')) this.db.exec('ALTER TABLE item ADD COLUMN month TEXT');
    const p = (sql: string) => this.db.prepare(sql);
    this.st = {
      metaGet: p('SELECT value FROM meta WHERE key = ?').pluck(),
      metaSet: p('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value'),
      seen: p('SELECT changed_at FROM source_record WHERE source_id = ?').pluck(),
      seenLog: p('INSERT INTO seen_log (source_id, changed_at, rejected) VALUES (?, ?, ?)'),
      consultation: p('SELECT i.status, i.hash, i.guid, i.ref, o.state FROM consultation c JOIN item i ON i.id = c.item JOIN outbox o ON o.seq = i.seq WHERE c.id = ?'),
      itemState: p('SELECT i.status, i.hash, i.guid, i.ref, o.state FROM item i JOIN outbox o ON o.seq = i.seq WHERE i.id = ?'),
      // Sorted by key, so the upserts walk each B-tree once; by id within a key, so the last wins.
      // (WHERE true: an INSERT ... SELECT with an upsert clause needs a WHERE to parse.)
      foldConsultation: p(
        'INSERT INTO consultation (id, item) SELECT konsultasjon_id, id FROM item WHERE id > ? ORDER BY konsultasjon_id, id ON CONFLICT(id) DO UPDATE SET item = excluded.item',
      ),
      foldSeen: p(
        'INSERT INTO source_record (source_id, changed_at, rejected) SELECT source_id, changed_at, rejected FROM seen_log WHERE true ORDER BY source_id, id ON CONFLICT(source_id) DO UPDATE SET changed_at = excluded.changed_at, rejected = excluded.rejected',
      ),
      clearSeenLog: p('DELETE FROM seen_log'),
      maxItem: p('SELECT COALESCE(MAX(id), 0) FROM item').pluck(),
      anySeenLog: p('SELECT 1 FROM seen_log LIMIT 1').pluck(),
      lopenrGet: p('SELECT last FROM lopenr WHERE year = ?').pluck(),
      lopenrSet: p('INSERT INTO lopenr (year, last) VALUES (?, ?) ON CONFLICT(year) DO UPDATE SET last = excluded.last'),
      insertMessage: p(
        "INSERT INTO outbox (message_id, state, year, lopenr, meldingstype, consultations, bytes, created_at, uttak_dato, run_id) VALUES (?, 'built', ?, ?, ?, ?, ?, ?, ?, ?)",
      ),
      insertItem: p(
        'INSERT INTO item (seq, konsultasjon_id, status, guid, forrige_guid, ref, lope_nr, hash, source_id, changed_at, month) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
      ),
      insertJson: p('INSERT INTO item_json (item_id, json) VALUES (?, ?)'),
      anyRejection: p('SELECT 1 FROM rejection LIMIT 1').pluck(),
      anyWarning: p('SELECT 1 FROM sent_warning LIMIT 1').pluck(),
      deleteWarnings: p('DELETE FROM sent_warning WHERE source_id = ? OR konsultasjon_id = ?'),
      insertWarning: p(
        'INSERT INTO sent_warning (source_id, konsultasjon_id, changed_at, file, line, path, rule, message, consequence, action, run_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
      ),
      deleteRejections: p('DELETE FROM rejection WHERE source_id = ?'),
      deleteRejectionsOf: p('DELETE FROM rejection WHERE konsultasjon_id = ?'),
      deleteOldRejections: p('DELETE FROM rejection WHERE source_id = ? AND run_id IS NOT ?'),
      insertRejection: p(
        'INSERT INTO rejection (source_id, konsultasjon_id, changed_at, file, line, path, rule, message, consequence, run_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
      ),
      requeueDelete: p('DELETE FROM requeue WHERE konsultasjon_id = ?'),
      checkpointGet: p('SELECT value FROM checkpoint WHERE key = ?').pluck(),
      checkpointSet: p('INSERT INTO checkpoint (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value'),
      message: p(`SELECT ${OUTBOX_COLS} FROM outbox WHERE message_id = ?`),
      messageBySeq: p(`SELECT ${OUTBOX_COLS} FROM outbox WHERE seq = ?`),
      unconfirmed: p(`SELECT ${OUTBOX_COLS} FROM outbox WHERE state IN ('built', 'sent', 'retrying') ORDER BY seq`),
      items: p(
        'SELECT i.konsultasjon_id, i.status, i.guid, i.forrige_guid, i.ref, i.lope_nr, i.hash, i.source_id, i.changed_at, j.json FROM item i LEFT JOIN item_json j ON j.item_id = i.id WHERE i.seq = ? ORDER BY i.id',
      ),
      sending: p("UPDATE outbox SET state = 'sent', sent_at = ?, attempts = attempts + 1 WHERE seq = ?"),
      accept: p("UPDATE outbox SET state = 'accepted', ref_id = ?, done_at = ?, last_error = NULL WHERE seq = ?"),
      lastItemGuid: p('SELECT guid FROM item WHERE seq = ? ORDER BY id DESC LIMIT 1').pluck(),
      // A message's items have consecutive ids (inserted together): drop their JSON by range.
      dropJson: p('DELETE FROM item_json WHERE item_id BETWEEN (SELECT MIN(id) FROM item WHERE seq = ?) AND (SELECT MAX(id) FROM item WHERE seq = ?)'),
      retrying: p("UPDATE outbox SET state = 'retrying', last_error = ?, ref_id = COALESCE(?, ref_id) WHERE seq = ?"),
      lockGet: p('SELECT pid, host, kind, started_at, heartbeat_at FROM lock WHERE id = 1'),
      lockSet: p('INSERT OR REPLACE INTO lock (id, pid, host, kind, started_at, heartbeat_at) VALUES (1, ?, ?, ?, ?, ?)'),
      lockBeat: p('UPDATE lock SET heartbeat_at = ? WHERE id = 1 AND pid = ? AND host = ?'),
      lockDelete: p('DELETE FROM lock WHERE id = 1 AND pid = ? AND host = ?'),
    };
    this.leftovers = this.st.anySeenLog!.get() !== undefined || (this.st.maxItem!.get() as number) > this.indexedItem();
    // What a killed run left unfolded is folded by whoever may write: not while a run is alive.
    if (this.leftovers && !this.liveLockHolder()) this.fold();
  }

  close(): void {
    this.rollbackBatch();
    // Our own decisions only: leftovers of a run that is still alive are its to fold.
    if (this.pendingSeen.size > 0 || this.pendingConsultation.size > 0) this.fold();
    if (this.lockHeld) this.releaseLock();
    this.db.close();
  }

  /**
   * Opens the transaction the next commitBatch ends, so that the lookups of a batch (seen,
   * consultation: two per record) share one snapshot instead of taking a read lock each.
   */
  beginBatch(): void {
    if (!this.db.inTransaction) this.db.exec('BEGIN');
  }

  /** Abandons an open batch (its decisions are made again by the next run). */
  rollbackBatch(): void {
    if (this.db.inTransaction) this.db.exec('ROLLBACK');
  }

  private meta(key: string): string | undefined {
    return this.st.metaGet!.get(key) as string | undefined;
  }

  // --- folding the lookup tables (see FOLD_EVERY) ------------------------------------------

  /** The last item whose konsultasjonID → item is in the consultation table. */
  private indexedItem(): number {
    return Number(this.meta('indexed_item') ?? 0);
  }

  /** Brings consultation and source_record up to date; inside the caller's transaction. */
  private foldRows(): void {
    this.st.foldConsultation!.run(this.indexedItem());
    this.st.foldSeen!.run();
    killInFold();
    this.st.clearSeenLog!.run();
    this.st.metaSet!.run('indexed_item', String(this.st.maxItem!.get()));
  }

  /** What the in-memory decisions are once a fold is committed: their keys go to the filters. */
  private folded(): void {
    const f = this.filters;
    if (f && this.leftovers) this.filters = undefined; // keys this process never saw: read them again
    else if (f) {
      for (const id of this.pendingSeen.keys()) f.seen.add(id);
      for (const id of this.pendingConsultation.keys()) f.consultation.add(id);
      // Past its capacity a filter answers "maybe" more and more often: read the keys afresh.
      if (f.seen.count > f.seen.capacity || f.consultation.count > f.consultation.capacity) this.filters = undefined;
    }
    this.pendingSeen.clear();
    this.pendingConsultation.clear();
    this.leftovers = false;
  }

  /** False when `key` is certainly not in the folded table (see FILTER_AFTER). */
  private mayHold(table: 'seen' | 'consultation', key: string): boolean {
    if (!this.filters && ++this.lookups >= this.filterAfter) this.filters = this.readFilters();
    return this.filters ? this.filters[table].mightHave(key) : true;
  }

  private readFilters(): { seen: KeyFilter; consultation: KeyFilter } {
    const fill = (table: string, column: string) => {
      const n = this.db.prepare(`SELECT COUNT(*) FROM ${table}`).pluck().get() as number;
      // Room to grow by a few folds before it has to be read again.
      const filter = new KeyFilter(2 * n + 4 * this.foldEvery);
      for (const key of this.db.prepare(`SELECT ${column} FROM ${table}`).pluck().iterate() as Iterable<string>) filter.add(key);
      return filter;
    };
    return { seen: fill('source_record', 'source_id'), consultation: fill('consultation', 'id') };
  }

  /** Folds in a transaction of its own, if anything waits. */
  fold(): void {
    if (!this.leftovers && this.pendingSeen.size === 0 && this.pendingConsultation.size === 0) return;
    if (this.db.inTransaction) this.rollbackBatch();
    this.db.transaction(() => this.foldRows()).immediate();
    this.folded();
  }

  private liveLockHolder(): boolean {
    const h = this.lockHolder();
    return h !== undefined && lockAlive(h.heartbeatAt, h.host, h.pid);
  }

  // --- single-run lock ---------------------------------------------------------------------

  acquireLock(kind: string): void {
    const host = hostname();
    const take = this.db.transaction(() => {
      const h = this.st.lockGet!.get() as { pid: number; host: string; kind: string; started_at: string; heartbeat_at: string } | undefined;
      if (h) {
        if (lockAlive(h.heartbeat_at, h.host, h.pid)) {
          throw new UserError(
            `another kpr ${h.kind} (pid ${h.pid}${h.host === host ? '' : ` on ${h.host}`}, started ${h.started_at}) holds ${this.path}; wait for it to finish`,
            EXIT.failed,
          );
        }
      }
      const t = now();
      this.st.lockSet!.run(process.pid, host, kind, t, t);
    });
    take.immediate();
    this.lockHeld = true;
    this.lastBeat = Date.now();
    // A run killed before its fold left decisions in the logs only: fold them before deciding.
    if (this.leftovers) this.fold();
  }

  /**
   * Notes that the lock's holder is alive: written at most every few seconds, since each write is
   * a transaction of its own (an fsync), and the transfer calls this at every commit.
   */
  heartbeat(): void {
    if (!this.lockHeld || Date.now() - this.lastBeat < BEAT_EVERY_MS) return;
    this.st.lockBeat!.run(now(), process.pid, hostname());
    this.lastBeat = Date.now();
  }

  releaseLock(): void {
    this.st.lockDelete!.run(process.pid, hostname());
    this.lockHeld = false;
  }

  lockHolder(): LockHolder | undefined {
    const h = this.st.lockGet!.get() as { pid: number; host: string; started_at: string; heartbeat_at: string } | undefined;
    return h && { pid: h.pid, host: h.host, startedAt: h.started_at, heartbeatAt: h.heartbeat_at };
  }

  // --- runs --------------------------------------------------------------------------------

  startRun(kind: string): number {
    return Number(this.db.prepare('INSERT INTO run (kind, started_at, pid) VALUES (?, ?, ?)').run(kind, now(), process.pid).lastInsertRowid);
  }

  finishRun(runId: number, outcome: string, exitCode: number, summary: Record<string, unknown>): void {
    this.db.prepare('UPDATE run SET ended_at = ?, outcome = ?, exit_code = ?, summary = ? WHERE id = ?').run(now(), outcome, exitCode, JSON.stringify(summary), runId);
  }

  lastRun(): RunRow | undefined {
    const r = this.db.prepare('SELECT id, kind, started_at, ended_at, pid, outcome, exit_code, summary FROM run ORDER BY id DESC LIMIT 1').get() as
      | { id: number; kind: string; started_at: string; ended_at: string | null; pid: number; outcome: string | null; exit_code: number | null; summary: string | null }
      | undefined;
    return (
      r && {
        id: r.id,
        kind: r.kind,
        startedAt: r.started_at,
        endedAt: r.ended_at,
        pid: r.pid,
        outcome: r.outcome,
        exitCode: r.exit_code,
        summary: r.summary ? (JSON.parse(r.summary) as Record<string, unknown>) : null,
      }
    );
  }

  // --- decisions ---------------------------------------------------------------------------

  seen(sourceId: string, changedAt: string): boolean {
    const prev = this.pendingSeen.get(sourceId) ?? (this.mayHold('seen', sourceId) ? (this.st.seen!.get(sourceId) as string | undefined) : undefined);
    return prev !== undefined && prev >= changedAt;
  }

  consultation(id: string): ConsultationState | undefined {
    const item = this.pendingConsultation.get(id);
    if (item === undefined && !this.mayHold('consultation', id)) return undefined;
    const r = (item !== undefined ? this.st.itemState!.get(item) : this.st.consultation!.get(id)) as
      | { status: string; hash: string | null; guid: string; ref: string | null; state: MessageState }
      | undefined;
    if (!r) return undefined;
    const active = r.status !== 'C';
    // An N is the original; an M or C refers to it.
    const origGuid = r.status === 'N' ? r.guid : r.ref;
    if (r.state === 'accepted') return { accHash: r.hash, accGuid: r.guid, accActive: active, pendHash: null, pendGuid: null, pendActive: false, hasPending: false, origGuid };
    return { accHash: null, accGuid: null, accActive: false, pendHash: r.hash, pendGuid: r.guid, pendActive: active, hasPending: true, origGuid };
  }

  counters(): ChainCounters {
    return {
      chainHead: this.meta('chain_head') ?? NIL_GUID,
      acceptedHead: this.meta('accepted_head') ?? NIL_GUID,
      notifLopeNr: Number(this.meta('notif_lopenr') ?? 0),
    };
  }

  lastLopenr(year: number): number {
    return (this.st.lopenrGet!.get(year) as number | undefined) ?? 0;
  }

  commitBatch(b: BatchCommit): void {
    const t = now();
    // The consultation and source_record changes, applied to memory once the commit succeeds.
    const items: [string, number][] = [];
    let fold = false;
    const write = this.db.transaction(() => {
      for (const m of b.messages) {
        const seq = Number(this.st.insertMessage!.run(m.messageId, m.year, m.lopenr, m.meldingstype, m.items.length, m.bytes, t, m.uttakDato, b.runId).lastInsertRowid);
        for (const i of m.items) {
          const itemId = Number(this.st.insertItem!.run(seq, i.konsultasjonId, i.status, i.guid, i.forrigeGuid, i.ref, i.lopeNr, i.hash, i.sourceId, i.changedAt, consultationMonth(i.json)).lastInsertRowid);
          if (i.json !== null) this.st.insertJson!.run(itemId, i.json);
          items.push([i.konsultasjonId, itemId]);
        }
        if (m.lopenr > this.lastLopenr(m.year)) this.st.lopenrSet!.run(m.year, m.lopenr);
      }
      // Most days nothing waits for correction: then there is nothing to clear.
      const anyRejections = this.st.anyRejection!.get() !== undefined;
      // Likewise warnings: a newer version (held back or sent) replaces what the older one carried.
      if (this.st.anyWarning!.get() !== undefined) for (const s of b.seen) this.st.deleteWarnings!.run(s.sourceId, s.konsultasjonId ?? null);
      for (const w of b.warnings ?? []) {
        this.st.insertWarning!.run(w.sourceId, w.konsultasjonId, w.changedAt, w.file, w.line, w.path, w.rule, w.message, w.consequence, w.action, b.runId, t);
      }
      for (const s of b.seen) {
        this.st.seenLog!.run(s.sourceId, s.changedAt, s.rejected ? 1 : 0);
        if (!anyRejections) continue;
        // A newer version replaces what was wrong with the older one (same record, or the
        // same consultation under a per-version record id).
        this.st.deleteRejections!.run(s.sourceId);
        if (!s.rejected && s.konsultasjonId) this.st.deleteRejectionsOf!.run(s.konsultasjonId);
      }
      // A record rejected again (one without a readable changedAt is read every run) replaces
      // what an earlier run said about it instead of piling up.
      for (const id of new Set(b.rejections.map((r) => r.sourceId))) this.st.deleteOldRejections!.run(id, b.runId);
      for (const r of b.rejections) {
        this.st.insertRejection!.run(r.sourceId, r.konsultasjonId ?? null, r.changedAt, r.file, r.line, r.path, r.rule, r.message, r.consequence, b.runId, t);
      }
      for (const k of b.requeueDone) this.st.requeueDelete!.run(k);
      this.st.metaSet!.run('chain_head', b.chainHead);
      this.st.metaSet!.run('notif_lopenr', String(b.notifLopeNr));
      for (const c of b.checkpoints ?? []) this.st.checkpointSet!.run(c.key, c.value);
      fold = this.leftovers || Math.max(this.pendingSeen.size, this.pendingConsultation.size) + b.seen.length >= this.foldEvery;
      if (fold) this.foldRows();
    });
    if (!this.db.inTransaction) write.immediate();
    else {
      // Inside the batch's own transaction (beginBatch): the writes join it, and it ends here.
      try {
        write();
        this.db.exec('COMMIT');
      } catch (err) {
        this.rollbackBatch();
        throw err;
      }
    }
    for (const [id, item] of items) this.pendingConsultation.set(id, item);
    for (const s of b.seen) this.pendingSeen.set(s.sourceId, s.changedAt);
    if (fold) this.folded();
  }

  requeued(): RequeuedRecord[] {
    const rows = this.db.prepare('SELECT konsultasjon_id, source_id, changed_at, deleted, hash, json FROM requeue ORDER BY changed_at, konsultasjon_id').all() as {
      konsultasjon_id: string;
      source_id: string;
      changed_at: string;
      deleted: number;
      hash: string | null;
      json: string | null;
    }[];
    return rows.map((r) => ({ konsultasjonId: r.konsultasjon_id, sourceId: r.source_id, changedAt: r.changed_at, deleted: r.deleted === 1, hash: r.hash, json: r.json }));
  }

  checkpoint(key: string): string | undefined {
    return this.st.checkpointGet!.get(key) as string | undefined;
  }

  setCheckpoint(key: string, value: string): void {
    this.st.checkpointSet!.run(key, value);
  }

  /** A consistent copy of the database (for --dry-run, which must not change the real one). */
  async snapshotTo(file: string): Promise<void> {
    await this.db.backup(file);
  }

  // --- sending -----------------------------------------------------------------------------

  unconfirmed(): OutboxMessage[] {
    return (this.st.unconfirmed!.all() as OutboxDbRow[]).map(toMessage);
  }

  message(messageId: string): OutboxMessage | undefined {
    const r = this.st.message!.get(messageId) as OutboxDbRow | undefined;
    return r && toMessage(r);
  }

  /** The notifications of a message in chain order, with their consultations' JSON (until accepted). */
  messageItems(seq: number): ItemRow[] {
    const rows = this.st.items!.all(seq) as {
      konsultasjon_id: string;
      status: 'N' | 'M' | 'C';
      guid: string;
      forrige_guid: string;
      ref: string | null;
      lope_nr: number;
      hash: string | null;
      source_id: string;
      changed_at: string;
      json: string | null;
    }[];
    return rows.map((r) => ({
      konsultasjonId: r.konsultasjon_id,
      status: r.status,
      guid: r.guid,
      forrigeGuid: r.forrige_guid,
      ref: r.ref,
      lopeNr: r.lope_nr,
      hash: r.hash,
      sourceId: r.source_id,
      changedAt: r.changed_at,
      json: r.json,
      notifikasjonTid: osloDateTime(r.changed_at),
    }));
  }

  markSending(seq: number): void {
    this.relaxed(() => this.st.sending!.run(now(), seq));
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
    this.relaxed(() => this.acceptTx(seq, refId));
  }

  private acceptTx(seq: number, refId: string | null): void {
    this.db.transaction(() => {
      // The consultations need no update: their item's message is accepted now, which is what
      // consultation() reads.
      this.st.accept!.run(refId, now(), seq);
      this.st.dropJson!.run(seq, seq);
      const last = this.st.lastItemGuid!.get(seq) as string | undefined;
      if (last) this.st.metaSet!.run('accepted_head', last);
    })();
  }

  markRetrying(seq: number, reason: string, refId: string | null): void {
    this.relaxed(() => this.st.retrying!.run(reason, refId, seq));
  }

  markRejected(seq: number, info: { validationCode: number | null; validationMessage: string; refId: string | null }): void {
    // What follows reads and repairs the consultation table: it must hold every decision.
    this.fold();
    this.db.transaction(() => {
      this.db
        .prepare("UPDATE outbox SET state = 'rejected', validation_code = ?, validation_message = ?, ref_id = COALESCE(?, ref_id), done_at = ? WHERE seq = ?")
        .run(info.validationCode, info.validationMessage, info.refId, now(), seq);
      // Everything built after it points into a chain the receiver never accepted: it was never
      // sent (sending stops at the first unconfirmed message), so it is rebuilt from its items.
      const later = this.db.prepare("SELECT seq FROM outbox WHERE seq > ? AND state IN ('built', 'sent', 'retrying') ORDER BY seq").pluck().all(seq) as number[];
      const requeue = this.db.prepare(
        "INSERT INTO requeue (konsultasjon_id, source_id, changed_at, deleted, hash, json, reason) VALUES (?, ?, ?, ?, ?, ?, 'superseded') ON CONFLICT(konsultasjon_id) DO UPDATE SET source_id = excluded.source_id, changed_at = excluded.changed_at, deleted = excluded.deleted, hash = excluded.hash, json = excluded.json, reason = excluded.reason",
      );
      const items = this.db.prepare(
        'SELECT i.konsultasjon_id, i.status, i.hash, i.source_id, i.changed_at, j.json FROM item i LEFT JOIN item_json j ON j.item_id = i.id WHERE i.seq = ? ORDER BY i.id',
      );
      for (const s of later) {
        for (const i of items.all(s) as { konsultasjon_id: string; status: string; hash: string | null; source_id: string; changed_at: string; json: string | null }[]) {
          requeue.run(i.konsultasjon_id, i.source_id, i.changed_at, i.status === 'C' ? 1 : 0, i.hash, i.json);
        }
        this.db.prepare("UPDATE outbox SET state = 'superseded', done_at = ? WHERE seq = ?").run(now(), s);
      }
      // What was on its way for these consultations is not any more: back to what was accepted.
      // One scan of the accepted items of the affected consultations (a rare path).
      this.db
        .prepare(
          `WITH affected AS (SELECT DISTINCT konsultasjon_id AS id FROM item WHERE seq >= @seq),
                accepted AS (SELECT i.konsultasjon_id AS id, MAX(i.id) AS item FROM item i JOIN outbox o ON o.seq = i.seq
                             WHERE o.state = 'accepted' AND i.konsultasjon_id IN (SELECT id FROM affected) GROUP BY i.konsultasjon_id)
           UPDATE consultation SET item = (SELECT item FROM accepted WHERE accepted.id = consultation.id)
           WHERE id IN (SELECT id FROM affected) AND item IN (SELECT id FROM item WHERE seq >= @seq)`,
        )
        .run({ seq });
      this.db.prepare("DELETE FROM item_json WHERE item_id IN (SELECT id FROM item WHERE seq > ? AND seq IN (SELECT seq FROM outbox WHERE state = 'superseded'))").run(seq);
      this.db.prepare("DELETE FROM item WHERE seq > ? AND seq IN (SELECT seq FROM outbox WHERE state = 'superseded')").run(seq);
      // Item ids are handed out again after the deleted tail; the ones left are all folded.
      this.st.metaSet!.run('indexed_item', String(this.st.maxItem!.get()));
      // The chain continues from the last accepted notification; numbers the superseded
      // messages held were never seen by the receiver and are handed out again.
      this.st.metaSet!.run('chain_head', this.meta('accepted_head') ?? NIL_GUID);
      const maxLope = this.db.prepare("SELECT MAX(i.lope_nr) FROM item i JOIN outbox o ON o.seq = i.seq WHERE o.state != 'superseded'").pluck().get() as number | null;
      this.st.metaSet!.run('notif_lopenr', String(Math.max(maxLope ?? 0, 0)));
      this.db.exec("UPDATE lopenr SET last = COALESCE((SELECT MAX(lopenr) FROM outbox WHERE outbox.year = lopenr.year AND state != 'superseded'), 0)");
    })();
  }

  requeueMessage(seq: number): number {
    this.fold();
    return this.db.transaction(() => {
      const items = this.db
        .prepare(
          // Only consultations nothing newer was decided for since (no later item, nothing queued).
          `SELECT i.konsultasjon_id, i.status, i.hash, i.source_id, i.changed_at, j.json FROM item i LEFT JOIN item_json j ON j.item_id = i.id
           WHERE i.seq = ?
             AND COALESCE((SELECT c.item FROM consultation c WHERE c.id = i.konsultasjon_id), 0) < i.id
             AND NOT EXISTS (SELECT 1 FROM requeue r WHERE r.konsultasjon_id = i.konsultasjon_id)
           ORDER BY i.id`,
        )
        .all(seq) as { konsultasjon_id: string; status: string; hash: string | null; source_id: string; changed_at: string; json: string | null }[];
      const ins = this.db.prepare("INSERT INTO requeue (konsultasjon_id, source_id, changed_at, deleted, hash, json, reason) VALUES (?, ?, ?, ?, ?, ?, 'resend')");
      for (const i of items) ins.run(i.konsultasjon_id, i.source_id, i.changed_at, i.status === 'C' ? 1 : 0, i.hash, i.json);
      this.db.prepare("UPDATE outbox SET state = 'requeued' WHERE seq = ?").run(seq);
      this.st.dropJson!.run(seq, seq);
      return items.length;
    })();
  }

  // --- monitoring --------------------------------------------------------------------------

  countsByState(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const r of this.db.prepare('SELECT state, COUNT(*) AS n FROM outbox GROUP BY state').all() as { state: string; n: number }[]) out[r.state] = r.n;
    return out;
  }

  rejectionsByRule(): { rule: string; count: number }[] {
    return this.db.prepare('SELECT rule, COUNT(DISTINCT source_id) AS count FROM rejection GROUP BY rule ORDER BY count DESC, rule').all() as { rule: string; count: number }[];
  }

  rejections(): (Rejection & { createdAt: string })[] {
    const rows = this.db
      .prepare('SELECT source_id, changed_at, file, line, path, rule, message, consequence, created_at FROM rejection ORDER BY id')
      .all() as {
      source_id: string;
      changed_at: string | null;
      file: string | null;
      line: number | null;
      path: string;
      rule: string;
      message: string;
      consequence: string;
      created_at: string;
    }[];
    return rows.map((r) => ({
      sourceId: r.source_id,
      changedAt: r.changed_at,
      file: r.file,
      line: r.line,
      path: r.path,
      rule: r.rule,
      message: r.message,
      consequence: r.consequence,
      createdAt: r.created_at,
    }));
  }

  sentWarnings(): (SentWarning & { createdAt: string })[] {
    const rows = this.db
      .prepare('SELECT source_id, konsultasjon_id, changed_at, file, line, path, rule, message, consequence, action, created_at FROM sent_warning ORDER BY id')
      .all() as { source_id: string; konsultasjon_id: string; changed_at: string; file: string | null; line: number | null; path: string; rule: string; message: string; consequence: string; action: 'sent' | 'substituted'; created_at: string }[];
    return rows.map((r) => ({
      sourceId: r.source_id,
      konsultasjonId: r.konsultasjon_id,
      changedAt: r.changed_at,
      file: r.file,
      line: r.line,
      path: r.path,
      rule: r.rule,
      message: r.message,
      consequence: r.consequence,
      action: r.action,
      createdAt: r.created_at,
    }));
  }

  sentWarningsByRule(): { rule: string; count: number }[] {
    return this.db.prepare('SELECT rule, COUNT(DISTINCT source_id) AS count FROM sent_warning GROUP BY rule ORDER BY count DESC, rule').all() as { rule: string; count: number }[];
  }

  rejectedMessages(): OutboxMessage[] {
    return (this.db.prepare(`SELECT ${OUTBOX_COLS} FROM outbox WHERE state IN ('rejected', 'requeued') ORDER BY seq`).all() as OutboxDbRow[]).map(toMessage);
  }

  dailyVolumes(): DailyVolume[] {
    const days = new Map<string, DailyVolume>();
    const day = (d: string): DailyVolume => {
      let v = days.get(d);
      if (!v) days.set(d, (v = { day: d, messages: { accepted: 0, rejected: 0, unconfirmed: 0 }, accepted: { N: 0, M: 0, C: 0 }, rejectedNotifications: 0, rejectedRecords: 0 }));
      return v;
    };
    const messages = this.db.prepare('SELECT substr(created_at, 1, 10) AS d, state, COUNT(*) AS n FROM outbox GROUP BY d, state').all() as { d: string; state: string; n: number }[];
    for (const r of messages) {
      const m = day(r.d).messages;
      if (r.state === 'accepted') m.accepted += r.n;
      else if (r.state === 'rejected' || r.state === 'requeued') m.rejected += r.n;
      else if ((UNCONFIRMED as readonly string[]).includes(r.state)) m.unconfirmed += r.n;
    }
    const items = this.db
      .prepare('SELECT substr(o.created_at, 1, 10) AS d, o.state AS state, i.status AS status, COUNT(*) AS n FROM item i JOIN outbox o ON o.seq = i.seq GROUP BY d, o.state, i.status')
      .all() as { d: string; state: string; status: 'N' | 'M' | 'C'; n: number }[];
    for (const r of items) {
      const v = day(r.d);
      if (r.state === 'accepted') v.accepted[r.status] += r.n;
      else if (r.state === 'rejected' || r.state === 'requeued') v.rejectedNotifications += r.n;
    }
    const rejected = this.db.prepare('SELECT substr(created_at, 1, 10) AS d, COUNT(DISTINCT source_id) AS n FROM rejection GROUP BY d').all() as { d: string; n: number }[];
    for (const r of rejected) day(r.d).rejectedRecords += r.n;
    return [...days.values()].sort((a, b) => a.day.localeCompare(b.day));
  }

  /** Notifications by the month of their consultation (datoTidStart), for the report. */
  monthlyVolumes(): MonthlyVolume[] {
    const rows = this.db
      .prepare('SELECT i.month AS month, o.state AS state, COUNT(*) AS n FROM item i JOIN outbox o ON o.seq = i.seq WHERE i.month IS NOT NULL GROUP BY i.month, o.state ORDER BY i.month')
      .all() as { month: string; state: string; n: number }[];
    const months = new Map<string, MonthlyVolume>();
    for (const r of rows) {
      let v = months.get(r.month);
      if (!v) months.set(r.month, (v = { month: r.month, accepted: 0, unconfirmed: 0, rejected: 0 }));
      if (r.state === 'accepted') v.accepted += r.n;
      else if (r.state === 'rejected' || r.state === 'requeued') v.rejected += r.n;
      else if ((UNCONFIRMED as readonly string[]).includes(r.state)) v.unconfirmed += r.n;
    }
    return [...months.values()];
  }

  /** Per run: its notifications by the state of their message, and the records it held back. */
  runVolumes(): RunVolume[] {
    const runs = this.db.prepare('SELECT id, kind, started_at AS startedAt FROM run ORDER BY id').all() as { id: number; kind: string; startedAt: string }[];
    const byRun = new Map<number, RunVolume>(runs.map((r) => [r.id, { run: r.id, kind: r.kind, startedAt: r.startedAt, accepted: 0, unconfirmed: 0, rejected: 0, heldBack: 0 }]));
    const items = this.db.prepare('SELECT o.run_id AS run, o.state AS state, COUNT(*) AS n FROM item i JOIN outbox o ON o.seq = i.seq WHERE o.run_id IS NOT NULL GROUP BY o.run_id, o.state').all() as { run: number; state: string; n: number }[];
    for (const r of items) {
      const v = byRun.get(r.run);
      if (!v) continue;
      if (r.state === 'accepted') v.accepted += r.n;
      else if (r.state === 'rejected' || r.state === 'requeued') v.rejected += r.n;
      else if ((UNCONFIRMED as readonly string[]).includes(r.state)) v.unconfirmed += r.n;
    }
    const held = this.db.prepare('SELECT run_id AS run, COUNT(DISTINCT source_id) AS n FROM rejection WHERE run_id IS NOT NULL GROUP BY run_id').all() as { run: number; n: number }[];
    for (const r of held) {
      const v = byRun.get(r.run);
      if (v) v.heldBack += r.n;
    }
    return [...byRun.values()];
  }

  oldestUnconfirmed(): OutboxMessage | undefined {
    const r = this.db.prepare(`SELECT ${OUTBOX_COLS} FROM outbox WHERE state IN ('built', 'sent', 'retrying') ORDER BY seq LIMIT 1`).get() as OutboxDbRow | undefined;
    return r && toMessage(r);
  }

  /** For `kpr status`: how many consultations the receiver holds (active) and how many wait. */
  consultationCounts(): { active: number; annulled: number; pending: number } {
    // Read-only (a running kpr may hold the lock): the items not yet folded count as the fold
    // would apply them, the latest per konsultasjonID.
    return this.db
      .prepare(
        `WITH unfolded AS (SELECT konsultasjon_id AS id, MAX(id) AS item FROM item WHERE id > @indexed GROUP BY konsultasjon_id),
              latest AS (SELECT id, item FROM consultation WHERE id NOT IN (SELECT id FROM unfolded) UNION ALL SELECT id, item FROM unfolded)
         SELECT COALESCE(SUM(o.state = 'accepted' AND i.status != 'C'), 0) AS active, COALESCE(SUM(o.state = 'accepted' AND i.status = 'C'), 0) AS annulled,
                COALESCE(SUM(o.state != 'accepted'), 0) AS pending
         FROM latest c JOIN item i ON i.id = c.item JOIN outbox o ON o.seq = i.seq`,
      )
      .get({ indexed: this.indexedItem() }) as { active: number; annulled: number; pending: number };
  }
}

export function openStore(path: string): SqliteStore {
  return new SqliteStore(path);
}
