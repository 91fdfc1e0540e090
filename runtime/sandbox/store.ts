// Durable state of the KPR stand-in, in an embedded SQLite database (`<data>/sandbox.db`): per
// sender its chain head and counters, every accepted notification (for references), every
// consultation's latest content and status, and every accepted messageId with its answer. One
// transaction per accepted message, committed before the message is answered 200 (WAL: a killed
// process loses nothing). A database, not a JSON file held in memory: a backfill of a million
// consultations would not fit in one JavaScript string, and the stand-in's memory stays flat.
// A data directory from before (state.json + journal.jsonl) is imported once.
import { existsSync, mkdirSync, readFileSync, renameSync } from 'node:fs';
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

const SCHEMA = `
CREATE TABLE IF NOT EXISTS sender (
  her_id TEXT PRIMARY KEY, chain_head TEXT, last_lope_nr INTEGER, notifications INTEGER NOT NULL, messages INTEGER NOT NULL
) WITHOUT ROWID;
-- Every accepted notification in arrival order (seq) and the konsultasjonIDs it carried (a C
-- may name only its ref).
-- Rows are appended in arrival order; the index on the random GUIDs stays small.
CREATE TABLE IF NOT EXISTS notification (
  seq INTEGER PRIMARY KEY, her_id TEXT NOT NULL, guid TEXT NOT NULL, status TEXT NOT NULL, forrige_guid TEXT NOT NULL, lope_nr INTEGER NOT NULL,
  ids TEXT NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS notification_guid ON notification(her_id, guid);
-- A rowid table: rows of a kilobyte or more do not belong in a WITHOUT ROWID B-tree.
CREATE TABLE IF NOT EXISTS consultation (id TEXT PRIMARY KEY, status TEXT NOT NULL, from_her_id TEXT NOT NULL, content TEXT NOT NULL);
-- Accepted messages in order: a retry of one gets its first answer again.
CREATE TABLE IF NOT EXISTS message (
  seq INTEGER PRIMARY KEY, message_id TEXT NOT NULL UNIQUE, ref_id TEXT NOT NULL, from_her_id TEXT NOT NULL, to_her_id TEXT NOT NULL,
  message_type TEXT NOT NULL, message_version TEXT NOT NULL, notifications INTEGER NOT NULL, received_at TEXT NOT NULL
);
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

export class SandboxStore implements ChainView {
  private readonly db: Database.Database;
  private readonly st: Record<string, Database.Statement>;
  private readonly acceptTx: (m: AcceptedMessage) => void;

  /** `dataDir`, or ':memory:' for a store that lives as long as the object (tests). */
  constructor(dataDir: string) {
    const file = dataDir === ':memory:' ? ':memory:' : join(dataDir, 'sandbox.db');
    if (file !== ':memory:') mkdirSync(dataDir, { recursive: true });
    const fresh = file !== ':memory:' && !existsSync(file);
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    // OFF: in WAL mode a commit still survives a killed process (it is in the operating
    // system's hands), which is what a stand-in needs; only a power cut could lose the last ones.
    this.db.pragma('synchronous = OFF');
    this.db.pragma('cache_size = -65536');
    this.db.exec(SCHEMA);
    const p = (sql: string) => this.db.prepare(sql);
    this.st = {
      sender: p('SELECT chain_head, last_lope_nr FROM sender WHERE her_id = ?'),
      senderUpsert: p(
        `INSERT INTO sender (her_id, chain_head, last_lope_nr, notifications, messages) VALUES (@herId, @head, @lopeNr, @notifications, 1)
         ON CONFLICT(her_id) DO UPDATE SET chain_head = @head, last_lope_nr = @lopeNr, notifications = notifications + @notifications, messages = messages + 1`,
      ),
      senders: p('SELECT her_id, chain_head, notifications, messages FROM sender ORDER BY her_id'),
      notification: p('SELECT ids FROM notification WHERE her_id = ? AND guid = ?').pluck(),
      // seq is the rowid: SQLite numbers the rows in the order they arrive.
      notificationInsert: p('INSERT OR REPLACE INTO notification (her_id, guid, status, forrige_guid, lope_nr, ids) VALUES (?, ?, ?, ?, ?, ?)'),
      notifications: p('SELECT her_id, guid, status, forrige_guid, lope_nr, ids FROM notification ORDER BY seq'),
      consultation: p('SELECT status, from_her_id, content FROM consultation WHERE id = ?'),
      consultationPut: p(
        'INSERT INTO consultation (id, status, from_her_id, content) VALUES (?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET status = excluded.status, from_her_id = excluded.from_her_id, content = excluded.content',
      ),
      annul: p("UPDATE consultation SET status = 'annulled' WHERE id = ?"),
      consultations: p('SELECT id, status, content FROM consultation ORDER BY id'),
      statusCounts: p('SELECT status, COUNT(*) AS n FROM consultation GROUP BY status'),
      answered: p('SELECT ref_id, from_her_id FROM message WHERE message_id = ?'),
      messageInsert: p(
        'INSERT INTO message (message_id, ref_id, from_her_id, to_her_id, message_type, message_version, notifications, received_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
      ),
    };
    this.acceptTx = this.db.transaction((m: AcceptedMessage) => this.apply(m));
    if (fresh) this.importLegacy(dataDir);
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  // --- what the chain check reads ------------------------------------------------------------

  sender(herId: string): SenderHead | undefined {
    const r = this.st.sender!.get(herId) as { chain_head: string | null; last_lope_nr: number | null } | undefined;
    return r && { chainHead: r.chain_head, lastLopeNr: r.last_lope_nr };
  }

  hasNotification(herId: string, guid: string): boolean {
    return this.st.notification!.get(herId, guid) !== undefined;
  }

  /** The refId a message was accepted with, if it was. */
  answered(messageId: string): { refId: string; fromHerId: string } | undefined {
    const r = this.st.answered!.get(messageId) as { ref_id: string; from_her_id: string } | undefined;
    return r && { refId: r.ref_id, fromHerId: r.from_her_id };
  }

  // --- accepting -----------------------------------------------------------------------------

  /** Applies a message whose chain `checkChain` accepted: all of it, or nothing. */
  accept(m: AcceptedMessage): void {
    this.acceptTx(m);
  }

  private apply(m: AcceptedMessage): void {
    const notifications = m.melding.Notifikasjon ?? [];
    for (const n of notifications) this.applyNotifikasjon(m.fromHerId, n);
    const last = notifications[notifications.length - 1];
    // A message without notifications leaves the chain where it was.
    const head = last ? { chainHead: last.notifikasjonGUID, lastLopeNr: Number(last.notifikasjonLopeNr) } : this.sender(m.fromHerId);
    this.st.senderUpsert!.run({ herId: m.fromHerId, head: head?.chainHead ?? null, lopeNr: head?.lastLopeNr ?? null, notifications: notifications.length });
    this.st.messageInsert!.run(m.messageId, m.refId, m.fromHerId, m.toHerId, m.messageType, m.messageVersion, notifications.length, new Date().toISOString());
  }

  private applyNotifikasjon(fromHerId: string, n: NotifikasjonJson): void {
    const konsultasjoner = n.Konsultasjon ?? [];
    let ids = konsultasjoner.map((k) => k.konsultasjonID);
    switch (n.statusNotifikasjon) {
      case 'N':
      case 'M':
        for (const k of konsultasjoner) this.st.consultationPut!.run(k.konsultasjonID, 'active', fromHerId, JSON.stringify(k));
        break;
      case 'T':
        for (const k of konsultasjoner) {
          const prior = this.st.consultation!.get(k.konsultasjonID) as { status: string; from_her_id: string; content: string } | undefined;
          if (prior) this.st.consultationPut!.run(k.konsultasjonID, prior.status, prior.from_her_id, JSON.stringify(supplement(JSON.parse(prior.content), k)));
          else this.st.consultationPut!.run(k.konsultasjonID, 'active', fromHerId, JSON.stringify(k));
        }
        break;
      case 'C':
        if (!ids.length && n.notifikasjonRef) {
          const named = this.st.notification!.get(fromHerId, n.notifikasjonRef) as string | undefined;
          ids = named ? (JSON.parse(named) as string[]) : [];
        }
        for (const id of ids) this.st.annul!.run(id);
        break;
    }
    this.st.notificationInsert!.run(fromHerId, n.notifikasjonGUID, n.statusNotifikasjon, n.notifikasjonForrigeGUID, Number(n.notifikasjonLopeNr), JSON.stringify(ids));
  }

  // --- what is served ------------------------------------------------------------------------

  /** GET /sandbox/state: every sender's chain and every consultation (meant for tests and demos). */
  publicState(): PublicState {
    const senders: Record<string, SenderSummary> = {};
    for (const r of this.st.senders!.all() as { her_id: string; chain_head: string | null; notifications: number; messages: number }[]) {
      senders[r.her_id] = { chainHead: r.chain_head, notifications: r.notifications, messages: r.messages };
    }
    const consultations: PublicState['consultations'] = {};
    for (const r of this.st.consultations!.iterate() as Iterable<{ id: string; status: string; content: string }>) {
      consultations[r.id] = { status: r.status, content: JSON.parse(r.content) as KonsultasjonJson };
    }
    return { senders, consultations };
  }

  /** Every accepted notification in the order it arrived: the chains as the receiver saw them. */
  notifications(): NotificationRecord[] {
    return (this.st.notifications!.all() as { her_id: string; guid: string; status: string; forrige_guid: string; lope_nr: number; ids: string }[]).map((r) => ({
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
    const out: Record<string, number> = {};
    for (const r of this.st.statusCounts!.all() as { status: string; n: number }[]) out[r.status] = r.n;
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
          for (const [guid, ids] of Object.entries(s.notificationConsultations)) this.st.notificationInsert!.run(herId, guid, '', '', 0, JSON.stringify(ids));
        }
        for (const [id, c] of Object.entries(state.consultations)) this.st.consultationPut!.run(id, c.status, c.fromHerId, JSON.stringify(c.content));
        for (const [messageId, a] of Object.entries(state.messages)) this.st.messageInsert!.run(messageId, a.refId, a.fromHerId, '', '', '', 0, '');
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
          if (!this.answered(entry.messageId)) this.apply(entry);
        }
      }
    })();
    for (const f of [stateFile, journalFile]) if (existsSync(f)) renameSync(f, `${f}.imported`);
  }
}
