// Durable state of the KPR stand-in, in an embedded SQLite database (`<data>/sandbox.db`): per
// sender its chain head and counters, every accepted notification (for references), every
// consultation's latest content and status, and every accepted messageId with its answer. One
// transaction per accepted message, committed before the message is answered 200 (WAL: a killed
// process loses nothing). A database, not a JSON file held in memory: a backfill of a million
// consultations would not fit in one JavaScript string, and the stand-in's memory stays flat.
//
// By job, as runtime/store/sqlite/: the tables and their migration (store/schema.ts), the typed
// statements (store/statements.ts), folding the derived tables (store/fold.ts), what is served
// (store/queries.ts) and the import of a data directory from before (store/legacy.ts). This
// file accepts messages and answers the chain check.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import type { NotifikasjonJson } from './codec.ts';
import type { ChainView, SenderHead } from './chain.ts';
import { SandboxFolding } from './store/fold.ts';
import { guidHash, key } from './store/hash.ts';
import { importLegacy } from './store/legacy.ts';
import { notifications, publicState, statusCounts } from './store/queries.ts';
import { openSandboxDatabase } from './store/schema.ts';
import { prepare, type Statements } from './store/statements.ts';
import type { AcceptedMessage, Appended, ContentOp, NotificationRecord, PublicState, SandboxStoreOptions } from './store/types.ts';

export { guidHash } from './store/hash.ts';
export type { AcceptedMessage, NotificationRecord, PublicState, SandboxStoreOptions, SenderSummary } from './store/types.ts';

export class SandboxStore implements ChainView {
  private readonly db: Database.Database;
  private readonly st: Statements;
  private readonly acceptTx: (m: AcceptedMessage) => Appended;
  private readonly folding: SandboxFolding;

  /** `dataDir`, or ':memory:' for a store that lives as long as the object (tests). */
  constructor(dataDir: string, opts: SandboxStoreOptions = {}) {
    const file = dataDir === ':memory:' ? ':memory:' : join(dataDir, 'sandbox.db');
    const fresh = file !== ':memory:' && !existsSync(file);
    this.db = openSandboxDatabase(file);
    this.st = prepare(this.db);
    this.folding = new SandboxFolding(this.db, this.st, opts.foldAfter);
    this.acceptTx = this.db.transaction((m: AcceptedMessage) => this.apply(m, new Map()));
    if (fresh) importLegacy(dataDir, { db: this.db, st: this.st, folding: this.folding, apply: (m, known) => void this.apply(m, known) });
    this.fold();
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  // --- what the chain check reads ------------------------------------------------------------

  sender(herId: string): SenderHead | undefined {
    const r = this.st.sender.get(herId);
    return r && { chainHead: r.chain_head, lastLopeNr: r.last_lope_nr };
  }

  hasNotification(herId: string, guid: string): boolean {
    return this.folding.notifications.has(key(herId, guid)) || this.st.guidKnown.get(guidHash(herId, guid), herId, guid) !== undefined;
  }

  notificationStatus(herId: string, guid: string): string | undefined {
    const recent = this.folding.notifications.get(key(herId, guid));
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
    if (this.folding.due()) this.fold();
    this.folding.remember(this.acceptTx(m));
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
    const recent = known.get(k) ?? this.folding.notifications.get(k);
    const ids = recent === undefined ? this.st.guidIds.get(guidHash(herId, guid), herId, guid) : this.st.notificationIds.get(recent);
    return ids === undefined ? undefined : (JSON.parse(ids) as string[]);
  }

  /** See store/fold.ts. */
  fold(): void {
    this.folding.fold();
  }

  // --- what is served ------------------------------------------------------------------------

  /**
   * GET /sandbox/state: every sender's chain and every consultation (meant for tests and demos);
   * with `sender` (a HER-id, `?sender=`) that sender's alone: one tenant of a vendor.
   */
  publicState(sender?: string): PublicState {
    this.fold();
    return publicState(this.st, sender);
  }

  /** Every accepted notification in the order it arrived: the chains as the receiver saw them. */
  notifications(): NotificationRecord[] {
    this.fold();
    return notifications(this.st);
  }

  /** Consultations by status, without reading their content. */
  statusCounts(): Record<string, number> {
    this.fold();
    return statusCounts(this.st);
  }
}
