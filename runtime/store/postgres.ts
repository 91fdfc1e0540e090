// The store on PostgreSQL (`pg`), behind AsyncStore: one connection, one transaction per state
// change, the schema versioned (postgres/schema.ts). Each job has its file in postgres/ (as
// sqlite/ for SQLite); this class only puts them together. The tables live in one PostgreSQL
// schema per store (`kpr` unless told), so several reporting units can share a database without
// seeing each other's rows.
import type { AsyncStore } from './async.ts';
import { readPg, TABLES, writeSqlite } from './copy.ts';
import { DEFAULT_SCHEMA, describeTarget, PgSession, type PgTarget } from './postgres/connect.ts';
import { PgBatch } from './postgres/batch.ts';
import { PgLock } from './postgres/lock.ts';
import { PgOutbox } from './postgres/outbox.ts';
import { PgQueries } from './postgres/queries.ts';
import { PgRuns } from './postgres/runs.ts';
import { PgSlash } from './postgres/slash.ts';
import { checkSchema, migrate } from './postgres/schema.ts';
import { openDatabase } from './sqlite/schema.ts';
import { SLASH_SCHEMA } from './sqlite/slash.ts';
import type { SlashAnswered, SlashCommit, SlashDeliveryRow, SlashItemRow, SlashUnitRow } from './slash-types.ts';
import type {
  BatchCommit,
  ChainCounters,
  ConsultationState,
  DailyVolume,
  ItemRow,
  LockHolder,
  MonthlyVolume,
  OutboxMessage,
  Rejection,
  RequeuedRecord,
  RunRow,
  RunVolume,
  SentWarning,
} from './types.ts';

export type { PgTarget };

export interface PgOpenOptions {
  /** Apply the schema's pending migrations first (tests, `kpr store migrate`); otherwise refuse an old schema. */
  migrate?: boolean;
  /** Lookups before the known keys are read into filters (while the lock is held); tests lower it. */
  filterAfter?: number;
}

export class PgStore implements AsyncStore {
  private readonly lock: PgLock;
  private readonly runs: PgRuns;
  private readonly batch: PgBatch;
  private readonly outbox: PgOutbox;
  private readonly queries: PgQueries;
  private readonly slash: PgSlash;

  private constructor(
    readonly path: string,
    private readonly s: PgSession,
    opts: PgOpenOptions,
  ) {
    this.lock = new PgLock(s, path);
    this.runs = new PgRuns(s);
    this.batch = new PgBatch(s, () => this.lock.isHeld, opts.filterAfter);
    this.outbox = new PgOutbox(s);
    this.queries = new PgQueries(s);
    this.slash = new PgSlash(s);
  }

  static async open(target: PgTarget, opts: PgOpenOptions = {}): Promise<PgStore> {
    const where = describeTarget(target);
    const s = await PgSession.open(target);
    try {
      if (opts.migrate) await migrate(s, target.schema ?? DEFAULT_SCHEMA);
      await checkSchema(s, where);
    } catch (err) {
      await s.end().catch(() => {});
      throw err;
    }
    return new PgStore(where, s, opts);
  }

  /** The session, for `kpr store migrate` (copying rows in); nothing else reaches past the store. */
  get session(): PgSession {
    return this.s;
  }

  close(): Promise<void> {
    return this.s.serial(async () => {
      await this.s.rollback();
      await this.lock.release();
      await this.s.end();
    });
  }

  /** A consistent copy as a SQLite file (for --dry-run, which runs on the copy). */
  snapshotTo(file: string): Promise<void> {
    return this.s.serial(async () => {
      const db = openDatabase(file);
      db.exec(SLASH_SCHEMA);
      const own = !this.s.inTransaction;
      if (own) await this.s.begin('REPEATABLE READ');
      try {
        for (const t of TABLES) for await (const rows of readPg(this.s, t)) writeSqlite(db, t, rows);
        // Every item is in consultation here (no fold pending).
        db.prepare("INSERT OR REPLACE INTO meta (key, value) VALUES ('indexed_item', (SELECT COALESCE(MAX(id), 0) FROM item))").run();
      } finally {
        if (own) await this.s.commit();
        db.close();
      }
    });
  }

  acquireLock(kind: string): Promise<void> {
    return this.s.serial(() => this.lock.acquire(kind));
  }

  heartbeat(): Promise<void> {
    return this.s.serial(() => this.lock.heartbeat());
  }

  releaseLock(): Promise<void> {
    this.batch.filters.drop();
    return this.s.serial(() => this.lock.release());
  }

  lockHolder(): Promise<LockHolder | undefined> {
    return this.s.serial(() => this.lock.holder());
  }

  startRun(kind: string): Promise<number> {
    return this.s.serial(() => this.runs.start(kind));
  }

  finishRun(runId: number, outcome: string, exitCode: number, summary: Record<string, unknown>): Promise<void> {
    return this.s.serial(() => this.runs.finish(runId, outcome, exitCode, summary));
  }

  lastRun(): Promise<RunRow | undefined> {
    return this.s.serial(() => this.runs.last());
  }

  beginBatch(): Promise<void> {
    return this.s.serial(() => this.batch.begin());
  }

  rollbackBatch(): Promise<void> {
    return this.s.serial(() => this.batch.rollback());
  }

  seen(sourceId: string, changedAt: string): Promise<boolean> {
    return this.s.serial(() => this.batch.seen(sourceId, changedAt));
  }

  consultation(id: string): Promise<ConsultationState | undefined> {
    return this.s.serial(() => this.batch.consultation(id));
  }

  counters(): Promise<ChainCounters> {
    return this.s.serial(() => this.batch.counters());
  }

  lastLopenr(year: number): Promise<number> {
    return this.s.serial(() => this.batch.lastLopenr(year));
  }

  commitBatch(b: BatchCommit): Promise<void> {
    return this.s.serial(() => this.batch.commit(b));
  }

  requeued(): Promise<RequeuedRecord[]> {
    return this.s.serial(() => this.batch.requeued());
  }

  checkpoint(key: string): Promise<string | undefined> {
    return this.s.serial(() => this.batch.checkpoint(key));
  }

  setCheckpoint(key: string, value: string): Promise<void> {
    return this.s.serial(() => this.batch.setCheckpoint(key, value));
  }

  unconfirmed(): Promise<OutboxMessage[]> {
    return this.s.serial(() => this.outbox.unconfirmed());
  }

  message(messageId: string): Promise<OutboxMessage | undefined> {
    return this.s.serial(() => this.outbox.message(messageId));
  }

  messageItems(seq: number): Promise<ItemRow[]> {
    return this.s.serial(() => this.outbox.items(seq));
  }

  markSending(seq: number): Promise<void> {
    return this.s.serial(() => this.outbox.markSending(seq));
  }

  markAccepted(seq: number, refId: string | null): Promise<void> {
    return this.s.serial(() => this.outbox.markAccepted(seq, refId));
  }

  markRetrying(seq: number, reason: string, refId: string | null): Promise<void> {
    return this.s.serial(() => this.outbox.markRetrying(seq, reason, refId));
  }

  markRejected(seq: number, info: { validationCode: number | null; validationMessage: string; refId: string | null }): Promise<void> {
    return this.s.serial(() => this.outbox.markRejected(seq, info));
  }

  requeueMessage(seq: number): Promise<number> {
    return this.s.serial(() => this.outbox.requeueMessage(seq));
  }

  countsByState(): Promise<Record<string, number>> {
    return this.s.serial(() => this.queries.countsByState());
  }

  consultationCounts(): Promise<{ active: number; annulled: number; pending: number }> {
    return this.s.serial(() => this.queries.consultationCounts());
  }

  rejectionsByRule(): Promise<{ rule: string; count: number }[]> {
    return this.s.serial(() => this.queries.rejectionsByRule());
  }

  rejections(): Promise<(Rejection & { createdAt: string })[]> {
    return this.s.serial(() => this.queries.rejections());
  }

  sentWarnings(): Promise<(SentWarning & { createdAt: string })[]> {
    return this.s.serial(() => this.queries.sentWarnings());
  }

  sentWarningsByRule(): Promise<{ rule: string; count: number }[]> {
    return this.s.serial(() => this.queries.sentWarningsByRule());
  }

  rejectedMessages(): Promise<OutboxMessage[]> {
    return this.s.serial(() => this.queries.rejectedMessages());
  }

  oldestUnconfirmed(): Promise<OutboxMessage | undefined> {
    return this.s.serial(() => this.queries.oldestUnconfirmed());
  }

  dailyVolumes(): Promise<DailyVolume[]> {
    return this.s.serial(() => this.queries.dailyVolumes());
  }

  monthlyVolumes(): Promise<MonthlyVolume[]> {
    return this.s.serial(() => this.queries.monthlyVolumes());
  }

  runVolumes(): Promise<RunVolume[]> {
    return this.s.serial(() => this.queries.runVolumes());
  }

  // --- the SLASH channel (postgres/slash.ts) ------------------------------------------------

  slashItem(unit: string, id: string): Promise<SlashItemRow | undefined> {
    return this.s.serial(() => this.slash.item(unit, id));
  }

  slashPending(): Promise<SlashItemRow[]> {
    return this.s.serial(() => this.slash.pending());
  }

  commitSlash(c: SlashCommit): Promise<void> {
    return this.s.serial(() => this.slash.commit(c));
  }

  slashQueue(): Promise<SlashDeliveryRow[]> {
    return this.s.serial(() => this.slash.queue());
  }

  slashDelivery(seq: number): Promise<SlashDeliveryRow | undefined> {
    return this.s.serial(() => this.slash.delivery(seq));
  }

  markSlashSending(seq: number): Promise<void> {
    return this.s.serial(() => this.slash.markSending(seq));
  }

  slashAnswered(seq: number, a: SlashAnswered): Promise<void> {
    return this.s.serial(() => this.slash.answered(seq, a));
  }

  resumeSlashUnit(unit: string): Promise<number> {
    return this.s.serial(() => this.slash.resume(unit));
  }

  slashUnits(): Promise<SlashUnitRow[]> {
    return this.s.serial(() => this.slash.units());
  }
}
