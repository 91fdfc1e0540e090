// The sandbox store's tables, and opening its database: pragmas, the schema created on first
// open, and the one migration (layout 0, from before folding, to 1).
//
// What a message writes is appended only (notification rows, konsultasjon rows in arrival
// order): no index on random keys (GUIDs, konsultasjonIDs) is touched per message, because each
// random key dirties its own index page and every dirty page is written again at each commit.
// The tables keyed by GUID and by konsultasjonID are derived, and brought up to date ("folded",
// fold.ts) in one transaction, in key order, once enough has piled up and before anything reads
// them; a watermark in `meta`, written in the same transaction, says how far.
import Database from 'better-sqlite3';
import { ensurePrivateFile } from '../../io/private.ts';
import { guidHash } from './hash.ts';

/**
 * `PRAGMA user_version` of the layout below. Version 0 is the layout before folding (a unique
 * index on notification GUIDs, consultation content updated in place): such a sandbox.db holds
 * chains a sender may go on with, so it is migrated once, in one transaction, not refused.
 */
const VERSION = 1;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS sender (
  her_id TEXT PRIMARY KEY, chain_head TEXT, last_lope_nr INTEGER, notifications INTEGER NOT NULL, messages INTEGER NOT NULL
) WITHOUT ROWID;
-- Every accepted notification in arrival order (seq) and the konsultasjonIDs it carried (a C
-- may name only its ref). Appended; a GUID sent again supersedes the earlier row (see below).
CREATE TABLE IF NOT EXISTS notification (
  seq INTEGER PRIMARY KEY, her_id TEXT NOT NULL, guid TEXT NOT NULL, status TEXT NOT NULL, forrige_guid TEXT NOT NULL, lope_nr INTEGER NOT NULL,
  ids TEXT NOT NULL
);
-- Folded: every notification by guid_hash(her_id, guid). Eight bytes, not the GUID's text: each
-- fold rewrites most of this index, and a third of the size keeps it (with consultation) within
-- the page cache at a million. A lookup checks the notification row itself (hashes may collide).
CREATE TABLE IF NOT EXISTS notification_guid (h INTEGER NOT NULL, seq INTEGER NOT NULL, PRIMARY KEY (h, seq)) WITHOUT ROWID;
-- What each notification did to each konsultasjon, appended in order: N, M, T with the content
-- carried, C without. Once folded only the rows consultations point at are kept (T's row then
-- holds the supplemented content). seq is given by the store, not taken as max(rowid) + 1: a
-- fold deletes rows and a number must never be used twice (the watermark would skip it).
CREATE TABLE IF NOT EXISTS content (seq INTEGER PRIMARY KEY, id TEXT NOT NULL, op TEXT NOT NULL, from_her_id TEXT NOT NULL, content TEXT);
-- Folded: each consultation's status (NULL: active, the usual one, stored in no bytes) and the
-- content row of its latest content. Kept small for the same reason as notification_guid.
CREATE TABLE IF NOT EXISTS consultation (id TEXT PRIMARY KEY, status TEXT, content_seq INTEGER NOT NULL) WITHOUT ROWID;
-- Content no consultation points at any more is deleted with the pointer's change.
CREATE TRIGGER IF NOT EXISTS content_replaced AFTER UPDATE OF content_seq ON consultation
  WHEN old.content_seq <> new.content_seq BEGIN DELETE FROM content WHERE seq = old.content_seq; END;
-- Accepted messages in order: a retry of one gets its first answer again.
CREATE TABLE IF NOT EXISTS message (
  seq INTEGER PRIMARY KEY, message_id TEXT NOT NULL UNIQUE, ref_id TEXT NOT NULL, from_her_id TEXT NOT NULL, to_her_id TEXT NOT NULL,
  message_type TEXT NOT NULL, message_version TEXT NOT NULL, notifications INTEGER NOT NULL, received_at TEXT NOT NULL
);
-- Fold watermarks: 'notification' and 'content', the last seq of each folded.
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
`;

/** Version 0 → 1: content moves to the content table (seq = the old rowid), GUIDs to their table. */
const MIGRATE_0 = `
CREATE TABLE content (seq INTEGER PRIMARY KEY, id TEXT NOT NULL, op TEXT NOT NULL, from_her_id TEXT NOT NULL, content TEXT);
INSERT INTO content (seq, id, op, from_her_id, content) SELECT rowid, id, 'N', from_her_id, content FROM consultation;
CREATE TABLE consultation_1 (id TEXT PRIMARY KEY, status TEXT, content_seq INTEGER NOT NULL) WITHOUT ROWID;
INSERT INTO consultation_1 (id, status, content_seq) SELECT id, nullif(status, 'active'), rowid FROM consultation ORDER BY id;
DROP TABLE consultation;
ALTER TABLE consultation_1 RENAME TO consultation;
DROP INDEX notification_guid;
CREATE TABLE notification_guid (h INTEGER NOT NULL, seq INTEGER NOT NULL, PRIMARY KEY (h, seq)) WITHOUT ROWID;
INSERT INTO notification_guid (h, seq) SELECT guid_hash(her_id, guid), seq FROM notification ORDER BY 1, 2;
CREATE TABLE meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
INSERT INTO meta (key, value) VALUES ('notification', (SELECT coalesce(max(seq), 0) FROM notification)), ('content', (SELECT coalesce(max(seq), 0) FROM content));
`;

/** Opens (creating if new) the sandbox's database `file` (or ':memory:'), brought up to VERSION. */
export function openSandboxDatabase(file: string): Database.Database {
  // What the sandbox accepted is health data: 0600 (its -wal and -shm take the file's mode).
  if (file !== ':memory:') ensurePrivateFile(file);
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  // OFF: in WAL mode a commit still survives a killed process (it is in the operating
  // system's hands), which is what a stand-in needs; only a power cut could lose the last ones.
  db.pragma('synchronous = OFF');
  db.pragma('cache_size = -65536');
  db.function('guid_hash', { deterministic: true }, (herId, guid) => guidHash(String(herId), String(guid)));
  migrate(db);
  return db;
}

/** Brings the schema to VERSION (see there). */
function migrate(db: Database.Database): void {
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version > VERSION) throw new Error(`sandbox.db has layout ${version}; this kpr-kit knows up to ${VERSION}: use a newer kpr-kit or another --data`);
  if (version === VERSION) return;
  db.transaction(() => {
    const old = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'consultation'").get();
    if (old) db.exec(MIGRATE_0);
    db.exec(SCHEMA);
    db.pragma(`user_version = ${VERSION}`);
  }).immediate();
}
