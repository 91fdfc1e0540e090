// The run log of a PostgreSQL store (as sqlite/runs.ts): one row per kpr run.
import type { RunRow } from '../types.ts';
import { now } from '../sqlite/rows.ts';
import type { PgSession } from './connect.ts';

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
    // Named as the Store names them; the summary is kept as JSON text, as SQLite keeps it.
    const r = await this.s.one<Omit<RunRow, 'summary'> & { summary: string | null }>(
      'SELECT id, kind, started_at AS "startedAt", ended_at AS "endedAt", pid, outcome, exit_code AS "exitCode", summary FROM run ORDER BY id DESC LIMIT 1',
    );
    return r && { ...r, summary: r.summary ? (JSON.parse(r.summary) as Record<string, unknown>) : null };
  }
}
