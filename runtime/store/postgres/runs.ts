// The run log of a PostgreSQL store (as sqlite/runs.ts): one row per kpr run.
import type { RunRow } from '../types.ts';
import { now } from '../sqlite/rows.ts';
import type { PgSession } from './connect.ts';

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

export class PgRuns {
  constructor(private readonly s: PgSession) {}

  async start(kind: string): Promise<number> {
    const r = await this.s.one<{ id: number }>('INSERT INTO run (kind, started_at, pid) VALUES ($1, $2, $3) RETURNING id', [kind, now(), process.pid]);
    return r?.id ?? 0;
  }

  async finish(runId: number, outcome: string, exitCode: number, summary: Record<string, unknown>): Promise<void> {
    await this.s.run('UPDATE run SET ended_at = $1, outcome = $2, exit_code = $3, summary = $4 WHERE id = $5', [now(), outcome, exitCode, JSON.stringify(summary), runId]);
  }

  async last(): Promise<RunRow | undefined> {
    const r = await this.s.one<RunDbRow>('SELECT id, kind, started_at, ended_at, pid, outcome, exit_code, summary FROM run ORDER BY id DESC LIMIT 1');
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
