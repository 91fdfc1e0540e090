// The run log: one row per kpr run, its outcome and summary (`kpr status` shows the last).
import type Database from 'better-sqlite3';
import type { RunRow } from '../types.ts';
import { now } from './rows.ts';

interface RunDbRow {
  id: number;
  kind: string;
  started_at: string;
  ended_at: string | null;
  pid: number;
  outcome: string | null;
  exit_code: number | null;
  summary: string | null;
}

export class SqliteRuns {
  private readonly st;

  constructor(db: Database.Database) {
    this.st = {
      start: db.prepare<[string, string, number]>('INSERT INTO run (kind, started_at, pid) VALUES (?, ?, ?)'),
      finish: db.prepare<[string, string, number, string, number]>('UPDATE run SET ended_at = ?, outcome = ?, exit_code = ?, summary = ? WHERE id = ?'),
      last: db.prepare<[], RunDbRow>('SELECT id, kind, started_at, ended_at, pid, outcome, exit_code, summary FROM run ORDER BY id DESC LIMIT 1'),
    };
  }

  start(kind: string): number {
    return Number(this.st.start.run(kind, now(), process.pid).lastInsertRowid);
  }

  finish(runId: number, outcome: string, exitCode: number, summary: Record<string, unknown>): void {
    this.st.finish.run(now(), outcome, exitCode, JSON.stringify(summary), runId);
  }

  last(): RunRow | undefined {
    const r = this.st.last.get();
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
}
