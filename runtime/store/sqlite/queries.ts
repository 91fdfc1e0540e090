// The read-only questions `kpr status`, `kpr errors` and `kpr report` ask. None of them writes,
// so they answer while a run holds the lock.
import type Database from 'better-sqlite3';
import type { DailyVolume, MonthlyVolume, OutboxMessage, Rejection, RunVolume, SentWarning, StatusNotifikasjon } from '../types.ts';
import { dailyVolumes, monthlyVolumes, runVolumes } from '../volumes.ts';
import type { Folding } from './fold.ts';
import { OUTBOX_COLS, type OutboxDbRow, toMessage } from './rows.ts';

/** The columns rejection and sent_warning share: where, which rule, and what follows. */
interface FindingDbRow {
  source_id: string;
  file: string | null;
  line: number | null;
  path: string;
  rule: string;
  message: string;
  consequence: string;
  created_at: string;
}

interface RejectionDbRow extends FindingDbRow {
  changed_at: string | null;
  month: string | null;
}

interface WarningDbRow extends FindingDbRow {
  konsultasjon_id: string;
  changed_at: string;
  action: 'sent' | 'substituted';
}

/** The shared part of a held-back or sent-with-a-warning finding, as the Store gives it. */
function toFinding(r: FindingDbRow) {
  return { sourceId: r.source_id, file: r.file, line: r.line, path: r.path, rule: r.rule, message: r.message, consequence: r.consequence, createdAt: r.created_at };
}

type ByRule = { rule: string; count: number };
type ConsultationCounts = { active: number; annulled: number; pending: number };

function prepare(db: Database.Database) {
  return {
    countsByState: db.prepare<[], { state: string; n: number }>('SELECT state, COUNT(*) AS n FROM outbox GROUP BY state'),
    rejectionsByRule: db.prepare<[], ByRule>('SELECT rule, COUNT(DISTINCT source_id) AS count FROM rejection GROUP BY rule ORDER BY count DESC, rule'),
    rejections: db.prepare<[], RejectionDbRow>('SELECT source_id, changed_at, file, line, path, rule, message, consequence, month, created_at FROM rejection ORDER BY id'),
    sentWarnings: db.prepare<[], WarningDbRow>(
      'SELECT source_id, konsultasjon_id, changed_at, file, line, path, rule, message, consequence, action, created_at FROM sent_warning ORDER BY id',
    ),
    sentWarningsByRule: db.prepare<[], ByRule>('SELECT rule, COUNT(DISTINCT source_id) AS count FROM sent_warning GROUP BY rule ORDER BY count DESC, rule'),
    rejectedMessages: db.prepare<[], OutboxDbRow>(`SELECT ${OUTBOX_COLS} FROM outbox WHERE state IN ('rejected', 'requeued') ORDER BY seq`),
    messagesByDay: db.prepare<[], { d: string; state: string; n: number }>('SELECT substr(created_at, 1, 10) AS d, state, COUNT(*) AS n FROM outbox GROUP BY d, state'),
    itemsByDay: db.prepare<[], { d: string; state: string; status: StatusNotifikasjon; n: number }>(
      'SELECT substr(o.created_at, 1, 10) AS d, o.state AS state, i.status AS status, COUNT(*) AS n FROM item i JOIN outbox o ON o.seq = i.seq GROUP BY d, o.state, i.status',
    ),
    rejectedByDay: db.prepare<[], { d: string; n: number }>('SELECT substr(created_at, 1, 10) AS d, COUNT(DISTINCT source_id) AS n FROM rejection GROUP BY d'),
    itemsByMonth: db.prepare<[], { month: string; state: string; n: number }>(
      'SELECT i.month AS month, o.state AS state, COUNT(*) AS n FROM item i JOIN outbox o ON o.seq = i.seq WHERE i.month IS NOT NULL GROUP BY i.month, o.state ORDER BY i.month',
    ),
    heldByMonth: db.prepare<[], { month: string; n: number }>('SELECT month, COUNT(DISTINCT source_id) AS n FROM rejection WHERE month IS NOT NULL GROUP BY month ORDER BY month'),
    runs: db.prepare<[], { id: number; kind: string; startedAt: string }>('SELECT id, kind, started_at AS startedAt FROM run ORDER BY id'),
    itemsByRun: db.prepare<[], { run: number; state: string; n: number }>(
      'SELECT o.run_id AS run, o.state AS state, COUNT(*) AS n FROM item i JOIN outbox o ON o.seq = i.seq WHERE o.run_id IS NOT NULL GROUP BY o.run_id, o.state',
    ),
    heldByRun: db.prepare<[], { run: number; n: number }>('SELECT run_id AS run, COUNT(DISTINCT source_id) AS n FROM rejection WHERE run_id IS NOT NULL GROUP BY run_id'),
    oldestUnconfirmed: db.prepare<[], OutboxDbRow>(`SELECT ${OUTBOX_COLS} FROM outbox WHERE state IN ('built', 'sent', 'retrying') ORDER BY seq LIMIT 1`),
    // The items not yet folded count as the fold would apply them, the latest per konsultasjonID.
    consultationCounts: db.prepare<{ indexed: number }, ConsultationCounts>(
      `WITH unfolded AS (SELECT konsultasjon_id AS id, MAX(id) AS item FROM item WHERE id > @indexed GROUP BY konsultasjon_id),
            latest AS (SELECT id, item FROM consultation WHERE id NOT IN (SELECT id FROM unfolded) UNION ALL SELECT id, item FROM unfolded)
       SELECT COALESCE(SUM(o.state = 'accepted' AND i.status != 'C'), 0) AS active, COALESCE(SUM(o.state = 'accepted' AND i.status = 'C'), 0) AS annulled,
              COALESCE(SUM(o.state != 'accepted'), 0) AS pending
       FROM latest c JOIN item i ON i.id = c.item JOIN outbox o ON o.seq = i.seq`,
    ),
  };
}

export class SqliteQueries {
  private readonly st;

  constructor(
    db: Database.Database,
    private readonly folding: Folding,
  ) {
    this.st = prepare(db);
  }

  countsByState(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const r of this.st.countsByState.all()) out[r.state] = r.n;
    return out;
  }

  rejectionsByRule(): ByRule[] {
    return this.st.rejectionsByRule.all();
  }

  rejections(): (Rejection & { createdAt: string })[] {
    return this.st.rejections.all().map((r) => ({ ...toFinding(r), changedAt: r.changed_at, month: r.month }));
  }

  sentWarnings(): (SentWarning & { createdAt: string })[] {
    return this.st.sentWarnings.all().map((r) => ({ ...toFinding(r), konsultasjonId: r.konsultasjon_id, changedAt: r.changed_at, action: r.action }));
  }

  sentWarningsByRule(): ByRule[] {
    return this.st.sentWarningsByRule.all();
  }

  rejectedMessages(): OutboxMessage[] {
    return this.st.rejectedMessages.all().map(toMessage);
  }

  dailyVolumes(): DailyVolume[] {
    return dailyVolumes(this.st.messagesByDay.all(), this.st.itemsByDay.all(), this.st.rejectedByDay.all());
  }

  /**
   * By the month of their consultation (datoTidStart), for the report: notifications by the
   * state of their message, and the records held back (those whose month could be read).
   */
  monthlyVolumes(): MonthlyVolume[] {
    return monthlyVolumes(this.st.itemsByMonth.all(), this.st.heldByMonth.all());
  }

  /** Per run: its notifications by the state of their message, and the records it held back. */
  runVolumes(): RunVolume[] {
    return runVolumes(this.st.runs.all(), this.st.itemsByRun.all(), this.st.heldByRun.all());
  }

  oldestUnconfirmed(): OutboxMessage | undefined {
    const r = this.st.oldestUnconfirmed.get();
    return r && toMessage(r);
  }

  /** For `kpr status`: how many consultations the receiver holds (active) and how many wait. */
  consultationCounts(): ConsultationCounts {
    // Read-only (a running kpr may hold the lock): counts what is not folded yet as well.
    return this.st.consultationCounts.get({ indexed: this.folding.indexedItem() }) ?? { active: 0, annulled: 0, pending: 0 };
  }
}
