// The SQLite store's tables, and opening a database: pragmas, the schema created on first open,
// and the migrations from the versions kept in `meta`.
import Database from 'better-sqlite3';
import { UserError } from '../../cli/program.ts';
import { ensurePrivateFile } from '../../io/private.ts';

export const SCHEMA_VERSION = '3';

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
  run_id INTEGER, created_at TEXT NOT NULL, month TEXT
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

/** Opens (creating if new) the database at `path`, brought up to this version's schema. */
export function openDatabase(path: string): Database.Database {
  // Created 0600 before SQLite opens it: its -wal and -shm take the database file's mode.
  if (path !== ':memory:') ensurePrivateFile(path);
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  // FULL: a committed decision survives a power cut, not only a killed process.
  db.pragma('synchronous = FULL');
  db.pragma('busy_timeout = 5000');
  // 16 MB: the lookups that needed a large cache are mostly answered by the key filters now,
  // and a fold walks the tables in key order (each page once). At a million records 64 MB was
  // not measurably faster (within this machine's noise) and took the run near 500 MB of RSS.
  db.pragma('cache_size = -16384');
  // Checkpoint less often (each one syncs the database file): the WAL may grow to ~40 MB.
  db.pragma('wal_autocheckpoint = 10000');
  db.exec(SCHEMA);
  migrate(db, path);
  return db;
}

function migrate(db: Database.Database, path: string): void {
  const version = db.prepare<[string], string>('SELECT value FROM meta WHERE key = ?').pluck().get('schema_version');
  if (version === undefined) db.prepare<[string, string]>('INSERT INTO meta (key, value) VALUES (?, ?)').run('schema_version', SCHEMA_VERSION);
  else if (version === '2') {
    // Version 2 kept consultation up to date with every item: all items so far are folded.
    db.transaction(() => {
      db.prepare("INSERT OR REPLACE INTO meta (key, value) VALUES ('indexed_item', (SELECT COALESCE(MAX(id), 0) FROM item))").run();
      db.prepare<[string]>("UPDATE meta SET value = ? WHERE key = 'schema_version'").run(SCHEMA_VERSION);
    }).immediate();
  } else if (version !== SCHEMA_VERSION) throw new UserError(`${path}: database schema version ${version}, this kpr-kit knows ${SCHEMA_VERSION}`);
  // The consultation month (datoTidStart's YYYY-MM) came after schema 3: older rows have none.
  if (!hasColumn(db, 'item', 'month')) db.exec('ALTER TABLE item ADD COLUMN month TEXT');
  // So did a held-back record's consultation month (for the report's months): older rejections
  // have none and are shown as of an unknown month until their record is read again.
  if (!hasColumn(db, 'rejection', 'month')) db.exec('ALTER TABLE rejection ADD COLUMN month TEXT');
}

function hasColumn(db: Database.Database, table: 'item' | 'rejection', column: string): boolean {
  return db
    .prepare<[], { name: string }>(`PRAGMA table_info(${table})`)
    .all()
    .some((c) => c.name === column);
}

/** The key/value table `meta`: the chain's head and counters, the fold's position. */
export class Meta {
  private readonly getSt;
  private readonly setSt;

  constructor(db: Database.Database) {
    this.getSt = db.prepare<[string], string>('SELECT value FROM meta WHERE key = ?').pluck();
    this.setSt = db.prepare<[string, string]>('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value');
  }

  get(key: string): string | undefined {
    return this.getSt.get(key);
  }

  set(key: string, value: string): void {
    this.setSt.run(key, value);
  }
}
