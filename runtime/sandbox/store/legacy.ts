// Data directories of earlier versions: state.json (a snapshot) and journal.jsonl (accepted
// messages after it), imported once into a fresh database.
import { existsSync, readFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import type { KonsultasjonJson } from '../codec.ts';
import type { SandboxFolding } from './fold.ts';
import type { Statements } from './statements.ts';
import type { AcceptedMessage } from './types.ts';
import { key } from './hash.ts';

/** What the import writes through: the store's database, statements, folding and its apply. */
export interface LegacyTarget {
  db: Database.Database;
  st: Statements;
  folding: SandboxFolding;
  /** Appends one accepted message (inside the import's transaction), its notifications to `known`. */
  apply(m: AcceptedMessage, known: Map<string, number>): void;
}

/**
 * state.json (a snapshot) and journal.jsonl (accepted messages after it), as earlier versions
 * kept them: imported into the database, then renamed to *.imported so it happens once.
 */
export function importLegacy(dataDir: string, to: LegacyTarget): void {
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
  to.db.transaction(() => {
    if (state) {
      for (const [herId, s] of Object.entries(state.senders)) {
        to.st.senderInsert.run(herId, s.chainHead, s.lastLopeNr, s.notifications, s.messages);
        // The snapshot kept no order, status or links for notifications: only what they carried.
        for (const [guid, ids] of Object.entries(s.notificationConsultations)) {
          const { lastInsertRowid } = to.st.notificationInsert.run(herId, guid, '', '', 0, JSON.stringify(ids));
          to.folding.notifications.set(key(herId, guid), Number(lastInsertRowid));
        }
      }
      // The snapshot's consultations as they were (folded at once), so that any status is kept.
      let seq = to.st.contentNext.get() ?? 1;
      for (const [id, c] of Object.entries(state.consultations)) {
        to.st.contentInsert.run(seq, id, 'N', c.fromHerId, JSON.stringify(c.content));
        to.st.consultationPut.run(id, c.status, seq++);
      }
      to.st.watermarkSet.run('content', seq - 1);
      for (const [messageId, a] of Object.entries(state.messages)) to.st.messageInsert.run(messageId, a.refId, a.fromHerId, '', '', '', 0, '');
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
        if (!to.st.answered.get(entry.messageId)) to.apply(entry, to.folding.notifications);
      }
    }
  })();
  for (const f of [stateFile, journalFile]) if (existsSync(f)) renameSync(f, `${f}.imported`);
}
