// Durable state of the KPR stand-in. Every accepted message is appended to a JSONL journal
// before it is answered; the state file is a snapshot, rewritten atomically (temp file + rename)
// every SNAPSHOT_EVERY messages and on close. On start the snapshot is read and the journal
// entries newer than it are replayed, so a crash at any point loses nothing. (Rewriting the
// whole state after every message made a backfill quadratic: 0.5k consultations/s at 100k.)
import { appendFileSync, existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { MeldingJson } from './codec.ts';
import { applyMelding, emptyState, type SandboxState } from './chain.ts';

export interface JournalEntry {
  seq: number;
  receivedAt: string;
  messageId: string;
  refId: string;
  fromHerId: string;
  toHerId: string;
  messageType: string;
  messageVersion: string;
  melding: MeldingJson;
}

export function writeFileAtomic(file: string, text: string): void {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, file);
}

const SNAPSHOT_EVERY = 200;

export class SandboxStore {
  readonly state: SandboxState;
  private unsaved = 0;
  private readonly journalFile: string;
  private readonly stateFile: string;

  constructor(dataDir: string) {
    this.journalFile = join(dataDir, 'journal.jsonl');
    this.stateFile = join(dataDir, 'state.json');
    this.state = existsSync(this.stateFile) ? (JSON.parse(readFileSync(this.stateFile, 'utf8')) as SandboxState) : emptyState();
    this.replay();
  }

  private replay(): void {
    if (!existsSync(this.journalFile)) return;
    const text = readFileSync(this.journalFile, 'utf8');
    // Close a torn last line so the next entry starts on its own line.
    if (text && !text.endsWith('\n')) appendFileSync(this.journalFile, '\n');
    let replayed = 0;
    for (const line of text.split('\n')) {
      if (!line.trim()) continue;
      let entry: JournalEntry;
      try {
        entry = JSON.parse(line) as JournalEntry;
      } catch {
        continue; // a torn last line from a crash: that message was never answered 200
      }
      if (entry.seq <= this.state.seq) continue;
      applyMelding(this.state, entry.fromHerId, entry.melding, entry.messageId, entry.refId);
      this.state.seq = entry.seq;
      replayed++;
    }
    if (replayed) this.saveState();
  }

  /** Journals and applies an accepted message. */
  accept(entry: Omit<JournalEntry, 'seq' | 'receivedAt'>): void {
    const full: JournalEntry = { seq: this.state.seq + 1, receivedAt: new Date().toISOString(), ...entry };
    appendFileSync(this.journalFile, `${JSON.stringify(full)}\n`);
    applyMelding(this.state, full.fromHerId, full.melding, full.messageId, full.refId);
    this.state.seq = full.seq;
    if (++this.unsaved >= SNAPSHOT_EVERY) this.saveState();
  }

  /** Writes the snapshot now (on close, so a restart replays nothing). */
  flush(): void {
    if (this.unsaved) this.saveState();
  }

  private saveState(): void {
    writeFileAtomic(this.stateFile, JSON.stringify(this.state));
    this.unsaved = 0;
  }
}
