// The read-only questions of `kpr status`, `kpr errors` and `kpr report` on PostgreSQL (as
// sqlite/queries.ts). Text is ordered by code point (COLLATE "C"), as SQLite orders it,
// whatever the server's locale.
import type { DailyVolume, MonthlyVolume, OutboxMessage, Rejection, RunVolume, SentWarning, StatusNotifikasjon } from '../types.ts';
import { OUTBOX_COLS, type OutboxDbRow, toMessage } from '../sqlite/rows.ts';
import { dailyVolumes, monthlyVolumes, runVolumes } from '../volumes.ts';
import type { PgSession } from './connect.ts';

type ByRule = { rule: string; count: number };
const FINDING_COLS = 'file, line, path, rule, message, consequence, created_at AS "createdAt"';

const UNCONFIRMED_SQL = "('built', 'sent', 'retrying')";

export class PgQueries {
  constructor(private readonly s: PgSession) {}

  async countsByState(): Promise<Record<string, number>> {
    const out: Record<string, number> = {};
    for (const r of await this.s.rows<{ state: string; n: number }>('SELECT state, COUNT(*) AS n FROM outbox GROUP BY state ORDER BY state COLLATE "C"')) out[r.state] = r.n;
    return out;
  }

  rejectionsByRule(): Promise<ByRule[]> {
    return this.s.rows<ByRule>('SELECT rule, COUNT(DISTINCT source_id) AS count FROM rejection GROUP BY rule ORDER BY count DESC, rule COLLATE "C"');
  }

  // The findings come back in the Store's shape already (PostgreSQL names the columns as asked).
  rejections(): Promise<(Rejection & { createdAt: string })[]> {
    return this.s.rows(`SELECT source_id AS "sourceId", changed_at AS "changedAt", ${FINDING_COLS}, month FROM rejection ORDER BY id`);
  }

  sentWarnings(): Promise<(SentWarning & { createdAt: string })[]> {
    return this.s.rows(`SELECT source_id AS "sourceId", konsultasjon_id AS "konsultasjonId", changed_at AS "changedAt", ${FINDING_COLS}, action FROM sent_warning ORDER BY id`);
  }

  sentWarningsByRule(): Promise<ByRule[]> {
    return this.s.rows<ByRule>('SELECT rule, COUNT(DISTINCT source_id) AS count FROM sent_warning GROUP BY rule ORDER BY count DESC, rule COLLATE "C"');
  }

  async rejectedMessages(): Promise<OutboxMessage[]> {
    return (await this.s.rows<OutboxDbRow>(`SELECT ${OUTBOX_COLS} FROM outbox WHERE state IN ('rejected', 'requeued') ORDER BY seq`)).map(toMessage);
  }

  async oldestUnconfirmed(): Promise<OutboxMessage | undefined> {
    const r = await this.s.one<OutboxDbRow>(`SELECT ${OUTBOX_COLS} FROM outbox WHERE state IN ${UNCONFIRMED_SQL} ORDER BY seq LIMIT 1`);
    return r && toMessage(r);
  }

  async dailyVolumes(): Promise<DailyVolume[]> {
    return dailyVolumes(
      await this.s.rows<{ d: string; state: string; n: number }>('SELECT substr(created_at, 1, 10) AS d, state, COUNT(*) AS n FROM outbox GROUP BY 1, 2'),
      await this.s.rows<{ d: string; state: string; status: StatusNotifikasjon; n: number }>(
        'SELECT substr(o.created_at, 1, 10) AS d, o.state AS state, i.status AS status, COUNT(*) AS n FROM item i JOIN outbox o ON o.seq = i.seq GROUP BY 1, 2, 3',
      ),
      await this.s.rows<{ d: string; n: number }>('SELECT substr(created_at, 1, 10) AS d, COUNT(DISTINCT source_id) AS n FROM rejection GROUP BY 1'),
    );
  }

  async monthlyVolumes(): Promise<MonthlyVolume[]> {
    return monthlyVolumes(
      await this.s.rows<{ month: string; state: string; n: number }>(
        'SELECT i.month AS month, o.state AS state, COUNT(*) AS n FROM item i JOIN outbox o ON o.seq = i.seq WHERE i.month IS NOT NULL GROUP BY 1, 2 ORDER BY i.month COLLATE "C"',
      ),
      // The records held back, by the month of their consultation (where it could be read).
      await this.s.rows<{ month: string; n: number }>('SELECT month, COUNT(DISTINCT source_id) AS n FROM rejection WHERE month IS NOT NULL GROUP BY month'),
    );
  }

  async runVolumes(): Promise<RunVolume[]> {
    return runVolumes(
      await this.s.rows<{ id: number; kind: string; startedAt: string }>('SELECT id, kind, started_at AS "startedAt" FROM run ORDER BY id'),
      await this.s.rows<{ run: number; state: string; n: number }>(
        'SELECT o.run_id AS run, o.state AS state, COUNT(*) AS n FROM item i JOIN outbox o ON o.seq = i.seq WHERE o.run_id IS NOT NULL GROUP BY 1, 2',
      ),
      await this.s.rows<{ run: number; n: number }>('SELECT run_id AS run, COUNT(DISTINCT source_id) AS n FROM rejection WHERE run_id IS NOT NULL GROUP BY 1'),
    );
  }

  async consultationCounts(): Promise<{ active: number; annulled: number; pending: number }> {
    const r = await this.s.one<{ active: number; annulled: number; pending: number }>(
      `SELECT COUNT(*) FILTER (WHERE o.state = 'accepted' AND i.status != 'C') AS active,
              COUNT(*) FILTER (WHERE o.state = 'accepted' AND i.status = 'C') AS annulled,
              COUNT(*) FILTER (WHERE o.state != 'accepted') AS pending
       FROM consultation c JOIN item i ON i.id = c.item JOIN outbox o ON o.seq = i.seq`,
    );
    return r ?? { active: 0, annulled: 0, pending: 0 };
  }
}
