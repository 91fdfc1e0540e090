// The PostgreSQL store's tables, as versioned migrations: each applied once, in order, recorded
// in schema_migration, all under one transaction (PostgreSQL's DDL is transactional, so a failed
// migration leaves the schema as it was) and one advisory lock (two migrators wait in turn).
// The tables and columns are SQLite's (sqlite/schema.ts), so rows move between the two as they
// are (`kpr store migrate`), less what only SQLite's folding needs (seen_log, indexed_item):
// here consultation and source_record are kept up to date by every commit.
import { UserError } from '../../cli/program.ts';
import type { PgSession } from './connect.ts';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'the store: chain, outbox, items, decisions, findings, runs, checkpoints',
    sql: `
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE lopenr (year INTEGER PRIMARY KEY, last INTEGER NOT NULL);
CREATE TABLE outbox (
  seq BIGSERIAL PRIMARY KEY,
  message_id TEXT NOT NULL UNIQUE,
  state TEXT NOT NULL,
  year INTEGER NOT NULL, lopenr INTEGER NOT NULL, meldingstype TEXT NOT NULL,
  consultations INTEGER NOT NULL, bytes INTEGER NOT NULL,
  created_at TEXT NOT NULL, sent_at TEXT, done_at TEXT, attempts INTEGER NOT NULL DEFAULT 0,
  uttak_dato TEXT NOT NULL,
  ref_id TEXT, validation_code INTEGER, validation_message TEXT, last_error TEXT,
  run_id BIGINT
);
CREATE INDEX outbox_state ON outbox(state, seq);
CREATE TABLE item (
  id BIGSERIAL PRIMARY KEY,
  seq BIGINT NOT NULL,
  konsultasjon_id TEXT NOT NULL, status TEXT NOT NULL, guid TEXT NOT NULL, forrige_guid TEXT NOT NULL,
  ref TEXT, lope_nr INTEGER NOT NULL, hash TEXT,
  source_id TEXT NOT NULL, changed_at TEXT NOT NULL,
  month TEXT
);
CREATE INDEX item_seq ON item(seq);
CREATE INDEX item_konsultasjon ON item(konsultasjon_id);
CREATE TABLE item_json (item_id BIGINT PRIMARY KEY, json TEXT NOT NULL);
-- Per konsultasjonID its latest notification that is accepted or on its way (NULL: none left).
CREATE TABLE consultation (id TEXT PRIMARY KEY, item BIGINT);
CREATE TABLE requeue (
  konsultasjon_id TEXT PRIMARY KEY, source_id TEXT NOT NULL, changed_at TEXT NOT NULL,
  deleted INTEGER NOT NULL, hash TEXT, json TEXT, reason TEXT NOT NULL
);
CREATE TABLE source_record (source_id TEXT PRIMARY KEY, changed_at TEXT NOT NULL, rejected INTEGER NOT NULL);
CREATE TABLE rejection (
  id BIGSERIAL PRIMARY KEY, source_id TEXT NOT NULL, konsultasjon_id TEXT, changed_at TEXT, file TEXT, line INTEGER,
  path TEXT NOT NULL, rule TEXT NOT NULL, message TEXT NOT NULL, consequence TEXT NOT NULL,
  run_id BIGINT, created_at TEXT NOT NULL
);
CREATE INDEX rejection_source ON rejection(source_id);
CREATE INDEX rejection_konsultasjon ON rejection(konsultasjon_id);
CREATE TABLE sent_warning (
  id BIGSERIAL PRIMARY KEY, source_id TEXT NOT NULL, konsultasjon_id TEXT NOT NULL, changed_at TEXT NOT NULL, file TEXT, line INTEGER,
  path TEXT NOT NULL, rule TEXT NOT NULL, message TEXT NOT NULL, consequence TEXT NOT NULL, action TEXT NOT NULL,
  run_id BIGINT, created_at TEXT NOT NULL
);
CREATE INDEX sent_warning_source ON sent_warning(source_id);
CREATE INDEX sent_warning_konsultasjon ON sent_warning(konsultasjon_id);
CREATE TABLE run (
  id BIGSERIAL PRIMARY KEY, kind TEXT NOT NULL, started_at TEXT NOT NULL, ended_at TEXT, pid INTEGER NOT NULL,
  outcome TEXT, exit_code INTEGER, summary TEXT
);
-- Who holds the run lock, for kpr status: the lock itself is a session advisory lock (lock.ts).
CREATE TABLE lock (
  id INTEGER PRIMARY KEY CHECK (id = 1), pid INTEGER NOT NULL, host TEXT NOT NULL, kind TEXT NOT NULL,
  started_at TEXT NOT NULL, heartbeat_at TEXT NOT NULL
);
CREATE TABLE checkpoint (key TEXT PRIMARY KEY, value TEXT NOT NULL);
`,
  },
  {
    version: 2,
    name: "a held-back record's consultation month (the report's months)",
    sql: 'ALTER TABLE rejection ADD COLUMN month TEXT;',
  },
  {
    version: 3,
    name: "SLASH's per-unit queue: items' current content, deliveries in FIFO order, each unit's standing",
    // SQLite's columns (sqlite/slash.ts), so the rows move as they are; seq numbers the
    // deliveries in commit order, which is each unit's FIFO order.
    sql: `
CREATE TABLE slash_item (
  unit TEXT NOT NULL, id TEXT NOT NULL, month TEXT NOT NULL, hash TEXT NOT NULL, json TEXT, changed_at TEXT NOT NULL,
  pending INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (unit, id)
);
CREATE INDEX slash_item_pending ON slash_item(pending) WHERE pending = 1;
CREATE TABLE slash_delivery (
  seq BIGSERIAL PRIMARY KEY,
  unit TEXT NOT NULL, org_nr TEXT NOT NULL, period TEXT NOT NULL,
  body TEXT NOT NULL, ids TEXT NOT NULL, items INTEGER NOT NULL, deletes INTEGER NOT NULL, bytes INTEGER NOT NULL,
  state TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0,
  msg_hash TEXT, correlation_id TEXT, status INTEGER, codes TEXT, reason TEXT,
  run_id BIGINT, created_at TEXT NOT NULL, done_at TEXT
);
CREATE INDEX slash_delivery_unit ON slash_delivery(unit, state, seq);
CREATE TABLE slash_unit (
  unit TEXT PRIMARY KEY, org_nr TEXT NOT NULL, state TEXT NOT NULL DEFAULT 'ok', seq BIGINT, auth INTEGER NOT NULL DEFAULT 0, since TEXT
);
`,
  },
];

export const LATEST = MIGRATIONS[MIGRATIONS.length - 1]?.version ?? 0;

/** Key of the advisory lock migrations take (any number: this one spells "kpr"). */
const MIGRATION_LOCK = 0x6b7072;

/** The versions applied in the session's schema (none: an empty schema). */
export async function appliedVersions(s: PgSession): Promise<number[]> {
  const exists = await s.one<{ t: string | null }>("SELECT to_regclass('schema_migration')::text AS t");
  if (!exists?.t) return [];
  return (await s.rows<{ version: number }>('SELECT version FROM schema_migration ORDER BY version')).map((r) => r.version);
}

/** Applies the migrations not applied yet to `schema`; returns their versions. */
export async function migrate(s: PgSession, schema: string): Promise<number[]> {
  return s.tx(async () => {
    await s.run('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    await s.run(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
    await s.run('CREATE TABLE IF NOT EXISTS schema_migration (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)');
    const applied = new Set(await appliedVersions(s));
    const done: number[] = [];
    for (const m of MIGRATIONS) {
      if (applied.has(m.version)) continue;
      await s.run(m.sql);
      await s.run('INSERT INTO schema_migration (version, name, applied_at) VALUES ($1, $2, $3)', [m.version, m.name, new Date().toISOString()]);
      done.push(m.version);
    }
    return done;
  });
}

/** Refuses a schema that is not at this kpr-kit's version, saying what to run. */
export async function checkSchema(s: PgSession, where: string): Promise<void> {
  const applied = await appliedVersions(s);
  const have = applied.length === 0 ? 0 : Math.max(...applied);
  if (have === LATEST) return;
  if (have > LATEST) throw new UserError(`${where}: store schema version ${have}, this kpr-kit knows ${LATEST}; upgrade kpr-kit`);
  throw new UserError(`${where}: store schema version ${have}, this kpr-kit needs ${LATEST}: run kpr store migrate --schema first`);
}
