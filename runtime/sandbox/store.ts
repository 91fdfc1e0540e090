// Durable state of the KPR stand-in, in an embedded SQLite database (`<data>/sandbox.db`): per
// sender its chain head and counters, every accepted notification (for references), every
// consultation's latest content and status, and every accepted messageId with its answer. One
// transaction per accepted message, committed before the message is answered 200 (WAL: a killed
// process loses nothing). A database, not a JSON file held in memory: a backfill of a million
// consultations would not fit in one JavaScript string, and the stand-in's memory stays flat.
// A data directory from before (state.json + journal.jsonl) is imported once.
//
// What a message writes is appended only (notification rows, konsultasjon rows in arrival
// order): no index on random keys (GUIDs, konsultasjonIDs) is touched per message, because each
// random key dirties its own index page and every dirty page is written again at each commit.
// The tables keyed by GUID and by konsultasjonID are derived, and brought up to date ("folded")
// in one transaction, in key order, once enough has piled up and before anything reads them; a
// watermark in `meta`, written in the same transaction, says how far. Until then the chain check
// finds recent GUIDs in a map of the notifications since the last fold (bounded by the fold size,
// filled only once a commit succeeded). Opening folds whatever a killed process left unfolded.
import { existsSync, readFileSync, renameSync } from 'node:fs';
import { ensurePrivateFile } from '../io/private.ts';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { ElementJson, KonsultasjonJson, MeldingJson, NotifikasjonJson } from './codec.ts';
import type { ChainView, SenderHead } from './chain.ts';

export interface AcceptedMessage {
  messageId: string;
  refId: string;
  fromHerId: string;
  toHerId: string;
  messageType: string;
  messageVersion: string;
  melding: MeldingJson;
}

export interface SenderSummary {
  chainHead: string | null;
  notifications: number;
  messages: number;
}

export interface NotificationRecord {
  fromHerId: string;
  notifikasjonGUID: string;
  statusNotifikasjon: string;
  notifikasjonForrigeGUID: string;
  notifikasjonLopeNr: number;
  konsultasjonIDs: string[];
}

export interface PublicState {
  senders: Record<string, SenderSummary>;
  consultations: Record<string, { status: string; content: KonsultasjonJson }>;
}

export interface SandboxStoreOptions {
  /** Fold once this many notifications or konsultasjon rows are unfolded (default 50 000). */
  foldAfter?: number;
}

// Each fold rewrites most pages of the two derived indexes, so its cost per consultation falls
// with the fold's size; measured at a million consultations (1000 a message), 50 000 and 100 000
// cost the same (~22–26 µs CPU per consultation in all, where a page per random key at each
// commit made it ~55–58). 50 000: the stand-in's peak RSS end to end at 200k was 367 MB against
// 417–460 at 100 000, and the sender waits less for the answer that carries a fold.
const FOLD_AFTER = 50_000;

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

/** T adds to a consultation: new attribute values win, child element lists grow. */
function supplement(base: ElementJson, extra: ElementJson): ElementJson {
  const out: ElementJson = { ...base };
  for (const [name, value] of Object.entries(extra)) {
    const prior = out[name];
    out[name] = Array.isArray(prior) && Array.isArray(value) ? [...prior, ...value] : value;
  }
  return out;
}

const key = (herId: string, guid: string) => `${herId}\n${guid}`;

/**
 * 53 bits of two FNV-1a hashes (different offsets) of `herId \n guid`: stored on disk, so it must
 * never change. Collisions are allowed for: every lookup compares the notification row.
 */
export function guidHash(herId: string, guid: string): number {
  const s = key(herId, guid);
  let a = 0x811c9dc5;
  let b = 0x050c5d1f;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x01000193) ^ (b >>> 15);
  }
  return (a >>> 0) * 0x200000 + ((b >>> 0) >>> 11);
}

interface ContentOp {
  seq: number;
  id: string;
  op: string;
}

/** What one message appended, remembered once its transaction committed. */
interface Appended {
  notifications: Map<string, number>;
  rows: ContentOp[];
}


/** The store's statements, typed: a mistyped name does not compile. */
function prepare(db: Database.Database) {
  return {
    sender: db.prepare<[string], { chain_head: string | null; last_lope_nr: number | null }>('SELECT chain_head, last_lope_nr FROM sender WHERE her_id = ?'),
    senderUpsert: db.prepare(
      `INSERT INTO sender (her_id, chain_head, last_lope_nr, notifications, messages) VALUES (@herId, @head, @lopeNr, @notifications, 1)
       ON CONFLICT(her_id) DO UPDATE SET chain_head = @head, last_lope_nr = @lopeNr, notifications = notifications + @notifications, messages = messages + 1`,
    ),
    senders: db.prepare<[], { her_id: string; chain_head: string | null; notifications: number; messages: number }>('SELECT her_id, chain_head, notifications, messages FROM sender ORDER BY her_id'),
    guidKnown: db.prepare<[number, string, string], number>('SELECT 1 FROM notification_guid g JOIN notification n ON n.seq = g.seq WHERE g.h = ? AND n.her_id = ? AND n.guid = ?').pluck(),
    notificationIds: db.prepare<[number], string>('SELECT ids FROM notification WHERE seq = ?').pluck(),
    guidStatus: db.prepare<[number, string, string], string>('SELECT n.status FROM notification_guid g JOIN notification n ON n.seq = g.seq WHERE g.h = ? AND n.her_id = ? AND n.guid = ? ORDER BY g.seq DESC LIMIT 1').pluck(),
    notificationStatus: db.prepare<[number], string>('SELECT status FROM notification WHERE seq = ?').pluck(),
    guidIds: db.prepare<[number, string, string], string>('SELECT n.ids FROM notification_guid g JOIN notification n ON n.seq = g.seq WHERE g.h = ? AND n.her_id = ? AND n.guid = ? ORDER BY g.seq DESC LIMIT 1').pluck(),
    // seq is the rowid: SQLite numbers the rows in the order they arrive.
    notificationInsert: db.prepare('INSERT INTO notification (her_id, guid, status, forrige_guid, lope_nr, ids) VALUES (?, ?, ?, ?, ?, ?)'),
    // A GUID sent again replaced the earlier notification: only the latest of each is listed.
    notifications: db.prepare<[], { her_id: string; guid: string; status: string; forrige_guid: string; lope_nr: number; ids: string }>(
      `SELECT her_id, guid, status, forrige_guid, lope_nr, ids FROM notification n
       WHERE NOT EXISTS (SELECT 1 FROM notification_guid g JOIN notification m ON m.seq = g.seq
         WHERE g.h = guid_hash(n.her_id, n.guid) AND g.seq > n.seq AND m.her_id = n.her_id AND m.guid = n.guid) ORDER BY seq`,
    ),
    contentNext: db.prepare<[], number>("SELECT max(coalesce((SELECT max(seq) FROM content), 0), coalesce((SELECT value FROM meta WHERE key = 'content'), 0)) + 1").pluck(),
    contentInsert: db.prepare('INSERT INTO content (seq, id, op, from_her_id, content) VALUES (?, ?, ?, ?, ?)'),
    contentOf: db.prepare<[number], string>('SELECT content FROM content WHERE seq = ?').pluck(),
    contentSet: db.prepare('UPDATE content SET content = ? WHERE seq = ?'),
    contentDelete: db.prepare('DELETE FROM content WHERE seq = ?'),
    contentMax: db.prepare<[], number>('SELECT coalesce(max(seq), 0) FROM content').pluck(),
    unfoldedContent: db.prepare<[number], ContentOp>('SELECT seq, id, op FROM content WHERE seq > ? ORDER BY id, seq'),
    consultation: db.prepare<[string], { status: string; content_seq: number }>("SELECT coalesce(status, 'active') AS status, content_seq FROM consultation WHERE id = ?"),
    consultationPut: db.prepare(
      "INSERT INTO consultation (id, status, content_seq) VALUES (?, nullif(?, 'active'), ?) ON CONFLICT(id) DO UPDATE SET status = excluded.status, content_seq = excluded.content_seq",
    ),
    // Active consultations [id, content_seq] in key order.
    consultationPutAll: db.prepare(
      `INSERT INTO consultation (id, status, content_seq) SELECT value ->> 0, NULL, value ->> 1 FROM json_each(?) WHERE true
       ON CONFLICT(id) DO UPDATE SET status = NULL, content_seq = excluded.content_seq`,
    ),
    consultations: db.prepare<[], { id: string; status: string; content: string }>("SELECT c.id, coalesce(c.status, 'active') AS status, k.content FROM consultation c JOIN content k ON k.seq = c.content_seq ORDER BY c.id"),
    statusCounts: db.prepare<[], { status: string; n: number }>("SELECT coalesce(status, 'active') AS status, COUNT(*) AS n FROM consultation GROUP BY 1"),
    // In key order, the last of a GUID winning: each index page is written once per fold.
    foldGuids: db.prepare('INSERT INTO notification_guid (h, seq) SELECT guid_hash(her_id, guid), seq FROM notification WHERE seq > ? ORDER BY 1, 2'),
    notificationMax: db.prepare<[], number>('SELECT coalesce(max(seq), 0) FROM notification').pluck(),
    watermark: db.prepare<[string], number>('SELECT value FROM meta WHERE key = ?').pluck(),
    watermarkSet: db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value'),
    answered: db.prepare<[string], { ref_id: string; from_her_id: string }>('SELECT ref_id, from_her_id FROM message WHERE message_id = ?'),
    messageInsert: db.prepare(
      'INSERT INTO message (message_id, ref_id, from_her_id, to_her_id, message_type, message_version, notifications, received_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    ),
  };
}

export class SandboxStore implements ChainView {
  private readonly db: Database.Database;
  private readonly st: ReturnType<typeof prepare>;
  private readonly acceptTx: (m: AcceptedMessage) => Appended;
  private readonly foldAfter: number;
  /** The seq of every notification committed since the last fold, by sender and GUID. */
  private readonly unfolded = new Map<string, number>();
  /** The content rows committed since the last fold, as the fold reads them (not their content). */
  private unfoldedRows: ContentOp[] = [];

  /** `dataDir`, or ':memory:' for a store that lives as long as the object (tests). */
  constructor(dataDir: string, opts: SandboxStoreOptions = {}) {
    this.foldAfter = opts.foldAfter ?? FOLD_AFTER;
    const file = dataDir === ':memory:' ? ':memory:' : join(dataDir, 'sandbox.db');
    const fresh = file !== ':memory:' && !existsSync(file);
    // What the sandbox accepted is health data: 0600 (its -wal and -shm take the file's mode).
    if (file !== ':memory:') ensurePrivateFile(file);
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    // OFF: in WAL mode a commit still survives a killed process (it is in the operating
    // system's hands), which is what a stand-in needs; only a power cut could lose the last ones.
    this.db.pragma('synchronous = OFF');
    this.db.pragma('cache_size = -65536');
    this.db.function('guid_hash', { deterministic: true }, (herId, guid) => guidHash(String(herId), String(guid)));
    this.migrate();
    this.st = prepare(this.db);
    this.acceptTx = this.db.transaction((m: AcceptedMessage) => this.apply(m, new Map()));
    if (fresh) this.importLegacy(dataDir);
    this.fold();
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  /** Brings the schema to VERSION (see there). */
  private migrate(): void {
    const version = this.db.pragma('user_version', { simple: true }) as number;
    if (version > VERSION) throw new Error(`sandbox.db has layout ${version}; this kpr-kit knows up to ${VERSION}: use a newer kpr-kit or another --data`);
    if (version === VERSION) return;
    this.db.transaction(() => {
      const old = this.db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'consultation'").get();
      if (old) this.db.exec(MIGRATE_0);
      this.db.exec(SCHEMA);
      this.db.pragma(`user_version = ${VERSION}`);
    }).immediate();
  }

  // --- what the chain check reads ------------------------------------------------------------

  sender(herId: string): SenderHead | undefined {
    const r = this.st.sender.get(herId);
    return r && { chainHead: r.chain_head, lastLopeNr: r.last_lope_nr };
  }

  hasNotification(herId: string, guid: string): boolean {
    return this.unfolded.has(key(herId, guid)) || this.st.guidKnown.get(guidHash(herId, guid), herId, guid) !== undefined;
  }

  notificationStatus(herId: string, guid: string): string | undefined {
    const recent = this.unfolded.get(key(herId, guid));
    return recent === undefined ? this.st.guidStatus.get(guidHash(herId, guid), herId, guid) : this.st.notificationStatus.get(recent);
  }

  /** The refId a message was accepted with, if it was. */
  answered(messageId: string): { refId: string; fromHerId: string } | undefined {
    const r = this.st.answered.get(messageId);
    return r && { refId: r.ref_id, fromHerId: r.from_her_id };
  }

  // --- accepting -----------------------------------------------------------------------------

  /** Applies a message whose chain `checkChain` accepted: all of it, or nothing. */
  accept(m: AcceptedMessage): void {
    // Before, not after: a fold that fails then fails this message, not one already committed.
    if (this.unfolded.size >= this.foldAfter || this.unfoldedRows.length >= this.foldAfter) this.fold();
    const appended = this.acceptTx(m);
    for (const [k, seq] of appended.notifications) this.unfolded.set(k, seq);
    for (const r of appended.rows) this.unfoldedRows.push(r);
  }

  /**
   * Appends the message. `known` collects its notifications; returns what was appended, for the
   * caller to remember once the transaction committed.
   */
  private apply(m: AcceptedMessage, known: Map<string, number>): Appended {
    const notifications = m.melding.Notifikasjon ?? [];
    const rows: ContentOp[] = [];
    for (const n of notifications) this.appendNotifikasjon(m.fromHerId, n, rows, known);
    const last = notifications[notifications.length - 1];
    // A message without notifications leaves the chain where it was.
    const head = last ? { chainHead: last.notifikasjonGUID, lastLopeNr: Number(last.notifikasjonLopeNr) } : this.sender(m.fromHerId);
    this.st.senderUpsert.run({ herId: m.fromHerId, head: head?.chainHead ?? null, lopeNr: head?.lastLopeNr ?? null, notifications: notifications.length });
    this.st.messageInsert.run(m.messageId, m.refId, m.fromHerId, m.toHerId, m.messageType, m.messageVersion, notifications.length, new Date().toISOString());
    return { notifications: known, rows };
  }

  private appendNotifikasjon(fromHerId: string, n: NotifikasjonJson, rows: ContentOp[], known: Map<string, number>): void {
    const konsultasjoner = n.Konsultasjon ?? [];
    let ids = konsultasjoner.map((k) => k.konsultasjonID);
    const op = n.statusNotifikasjon;
    // Numbered after the last row and the watermark, whichever is higher (see the schema).
    let seq = rows.length ? rows[rows.length - 1]!.seq + 1 : (this.st.contentNext.get() ?? 1);
    switch (op) {
      case 'N':
      case 'M':
      case 'T':
        for (const k of konsultasjoner) {
          this.st.contentInsert.run(seq, k.konsultasjonID, op, fromHerId, JSON.stringify(k));
          rows.push({ seq: seq++, id: k.konsultasjonID, op });
        }
        break;
      case 'C':
        if (!ids.length && n.notifikasjonRef) ids = this.idsOf(fromHerId, n.notifikasjonRef, known) ?? [];
        for (const id of ids) {
          this.st.contentInsert.run(seq, id, op, fromHerId, null);
          rows.push({ seq: seq++, id, op });
        }
        break;
    }
    const { lastInsertRowid } = this.st.notificationInsert.run(fromHerId, n.notifikasjonGUID, op, n.notifikasjonForrigeGUID, Number(n.notifikasjonLopeNr), JSON.stringify(ids));
    known.set(key(fromHerId, n.notifikasjonGUID), Number(lastInsertRowid));
  }

  /** The konsultasjonIDs a notification carried: this message's, then unfolded ones, then folded. */
  private idsOf(herId: string, guid: string, known: Map<string, number>): string[] | undefined {
    const k = key(herId, guid);
    const recent = known.get(k) ?? this.unfolded.get(k);
    const ids = recent === undefined ? this.st.guidIds.get(guidHash(herId, guid), herId, guid) : this.st.notificationIds.get(recent);
    return ids === undefined ? undefined : (JSON.parse(ids) as string[]);
  }

  // --- folding -------------------------------------------------------------------------------

  /**
   * Applies every notification and content row past the watermarks to the derived tables, in
   * key order, and moves the watermarks, in one transaction. Per konsultasjonID the rows are
   * replayed in arrival order, which is all eager application depended on: N and M set the
   * content (active), T supplements the content there is (or sets it), C annuls what there is.
   */
  fold(): void {
    this.db.transaction(() => {
      const notificationMark = this.st.watermark.get('notification') ?? 0;
      const contentMark = this.st.watermark.get('content') ?? 0;
      const notificationMax = this.st.notificationMax.get() ?? 0;
      if (notificationMax > notificationMark) {
        this.st.foldGuids.run(notificationMark);
        this.st.watermarkSet.run('notification', notificationMax);
      }
      const contentMax = this.st.contentMax.get() ?? 0;
      if (contentMax > contentMark) {
        // The rows this store appended, if they are all there is (seqs run without gaps);
        // else (on opening, after an import) as the database has them.
        const mine = this.unfoldedRows;
        const rows =
          mine.length === contentMax - contentMark && mine[0]!.seq === contentMark + 1
            ? mine.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : a.seq - b.seq))
            : this.st.unfoldedContent.all(contentMark);
        const plain: [string, number][] = [];
        for (let i = 0; i < rows.length; ) {
          let j = i + 1;
          while (j < rows.length && rows[j]!.id === rows[i]!.id) j++;
          this.foldConsultation(rows, i, j, plain);
          i = j;
        }
        this.st.consultationPutAll.run(JSON.stringify(plain));
        this.st.watermarkSet.run('content', contentMax);
      }
    }).immediate();
    this.unfolded.clear();
    this.unfoldedRows = [];
  }

  /**
   * rows[from..to): one konsultasjonID's unfolded rows in arrival order. The usual case (the
   * last row an N or M, nothing to read) goes to `plain`, written in one statement.
   */
  private foldConsultation(rows: ContentOp[], from: number, to: number, plain: [string, number][]): void {
    const id = rows[from]!.id;
    const only = rows[to - 1]!;
    if (to === from + 1 && (only.op === 'N' || only.op === 'M')) {
      plain.push([id, only.seq]);
      return;
    }
    // The last N or M sets the content whatever came before it.
    let reset = -1;
    for (let i = from; i < to; i++) if (rows[i]!.op === 'N' || rows[i]!.op === 'M') reset = i;
    let cur: { status: string; seq: number } | undefined;
    let changed = false;
    let start = from;
    if (reset >= 0) {
      cur = { status: 'active', seq: rows[reset]!.seq };
      changed = true;
      start = reset + 1;
    } else {
      const r = this.st.consultation.get(id);
      cur = r && { status: r.status, seq: r.content_seq };
    }
    let merged: ElementJson | undefined;
    for (let i = start; i < to; i++) {
      const r = rows[i]!;
      if (r.op === 'T') {
        const extra = JSON.parse(this.st.contentOf.get(r.seq) as string) as ElementJson;
        if (cur) {
          merged = supplement(merged ?? (JSON.parse(this.st.contentOf.get(cur.seq) as string) as ElementJson), extra);
          cur.seq = r.seq;
        } else {
          cur = { status: 'active', seq: r.seq };
          merged = undefined;
        }
        changed = true;
      } else if (r.op === 'C' && cur && cur.status !== 'annulled') {
        cur.status = 'annulled';
        changed = true;
      }
    }
    // The supplemented content is kept in the last T's row, the one the consultation points at.
    if (merged && cur) this.st.contentSet.run(JSON.stringify(merged), cur.seq);
    if (changed && cur) this.st.consultationPut.run(id, cur.status, cur.seq);
    for (let i = from; i < to; i++) if (rows[i]!.seq !== cur?.seq) this.st.contentDelete.run(rows[i]!.seq);
  }

  // --- what is served ------------------------------------------------------------------------

  /** GET /sandbox/state: every sender's chain and every consultation (meant for tests and demos). */
  publicState(): PublicState {
    this.fold();
    const senders: Record<string, SenderSummary> = {};
    for (const r of this.st.senders.all()) {
      senders[r.her_id] = { chainHead: r.chain_head, notifications: r.notifications, messages: r.messages };
    }
    const consultations: PublicState['consultations'] = {};
    for (const r of this.st.consultations.iterate()) {
      consultations[r.id] = { status: r.status, content: JSON.parse(r.content) as KonsultasjonJson };
    }
    return { senders, consultations };
  }

  /** Every accepted notification in the order it arrived: the chains as the receiver saw them. */
  notifications(): NotificationRecord[] {
    this.fold();
    return this.st.notifications.all().map((r) => ({
      fromHerId: r.her_id,
      notifikasjonGUID: r.guid,
      statusNotifikasjon: r.status,
      notifikasjonForrigeGUID: r.forrige_guid,
      notifikasjonLopeNr: r.lope_nr,
      konsultasjonIDs: JSON.parse(r.ids) as string[],
    }));
  }

  /** Consultations by status, without reading their content. */
  statusCounts(): Record<string, number> {
    this.fold();
    const out: Record<string, number> = {};
    for (const r of this.st.statusCounts.all()) out[r.status] = r.n;
    return out;
  }

  // --- data directories of earlier versions --------------------------------------------------

  /**
   * state.json (a snapshot) and journal.jsonl (accepted messages after it), as earlier versions
   * kept them: imported into the database, then renamed to *.imported so it happens once.
   */
  private importLegacy(dataDir: string): void {
    const stateFile = join(dataDir, 'state.json');
    const journalFile = join(dataDir, 'journal.jsonl');
    if (!existsSync(stateFile) && !existsSync(journalFile)) return;
    interface LegacyState {
      seq: number;
      senders: Record<string, { chainHead: string | null; lastLopeNr: number | null; notifications: number; messages: number; notificationConsultations: Record<string, string[]> }>;
      consultations: Record<string, { status: string; fromHerId: string; content: KonsultasjonJson }>;
      messages: Record<string, { refId: string; fromHerId: string }>;
    }
    const state = existsSync(stateFile) ? (JSON.parse(readFileSync(stateFile, 'utf8')) as LegacyState) : undefined;
    this.db.transaction(() => {
      if (state) {
        for (const [herId, s] of Object.entries(state.senders)) {
          this.db.prepare('INSERT INTO sender (her_id, chain_head, last_lope_nr, notifications, messages) VALUES (?, ?, ?, ?, ?)').run(herId, s.chainHead, s.lastLopeNr, s.notifications, s.messages);
          // The snapshot kept no order, status or links for notifications: only what they carried.
          for (const [guid, ids] of Object.entries(s.notificationConsultations)) {
            const { lastInsertRowid } = this.st.notificationInsert.run(herId, guid, '', '', 0, JSON.stringify(ids));
            this.unfolded.set(key(herId, guid), Number(lastInsertRowid));
          }
        }
        // The snapshot's consultations as they were (folded at once), so that any status is kept.
        let seq = this.st.contentNext.get() ?? 1;
        for (const [id, c] of Object.entries(state.consultations)) {
          this.st.contentInsert.run(seq, id, 'N', c.fromHerId, JSON.stringify(c.content));
          this.st.consultationPut.run(id, c.status, seq++);
        }
        this.st.watermarkSet.run('content', seq - 1);
        for (const [messageId, a] of Object.entries(state.messages)) this.st.messageInsert.run(messageId, a.refId, a.fromHerId, '', '', '', 0, '');
      }
      if (existsSync(journalFile)) {
        for (const line of readFileSync(journalFile, 'utf8').split('\n')) {
          let entry: AcceptedMessage & { seq: number };
          try {
            entry = JSON.parse(line) as AcceptedMessage & { seq: number };
          } catch {
            continue; // blank, or a torn last line: that message was never answered 200
          }
          if (state && entry.seq <= state.seq) continue;
          // Inside one transaction: each entry's notifications are known to the next at once.
          if (!this.answered(entry.messageId)) this.apply(entry, this.unfolded);
        }
      }
    })();
    for (const f of [stateFile, journalFile]) if (existsSync(f)) renameSync(f, `${f}.imported`);
  }
}
