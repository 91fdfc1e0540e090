// The Store on an embedded SQLite database (better-sqlite3): WAL journal, prepared statements,
// one transaction per state change. Each job has its file in sqlite/ (schema and migrations, the
// lock, runs, folding, the batch of decisions, the outbox, the read-only queries); this class
// only puts them together behind the Store interface.
import type Database from 'better-sqlite3';
import type {
  BatchCommit,
  ChainCounters,
  ConsultationState,
  DailyVolume,
  MonthlyVolume,
  RunVolume,
  ItemRow,
  LockHolder,
  OutboxMessage,
  Rejection,
  RequeuedRecord,
  RunRow,
  SentWarning,
  Store,
} from './types.ts';
import { SqliteBatch } from './sqlite/batch.ts';
import { type FoldOptions, Folding } from './sqlite/fold.ts';
import { SqliteLock } from './sqlite/lock.ts';
import { SqliteOutbox } from './sqlite/outbox.ts';
import { SqliteQueries } from './sqlite/queries.ts';
import { SqliteRuns } from './sqlite/runs.ts';
import { SqliteSlash } from './sqlite/slash.ts';
import type { SlashAnswered, SlashCommit, SlashDeliveryRow, SlashItemRow, SlashUnitRow } from './slash-types.ts';
import { Meta, openDatabase } from './sqlite/schema.ts';

export { FOLD_EVERY } from './sqlite/fold.ts';

export class SqliteStore implements Store {
  private readonly db: Database.Database;
  private readonly lock: SqliteLock;
  private readonly runs: SqliteRuns;
  private readonly folding: Folding;
  /** The decisions (exposed to the reliability tests, which break a statement mid-batch). */
  readonly batch: SqliteBatch;
  private readonly outbox: SqliteOutbox;
  private readonly queries: SqliteQueries;
  private readonly slash: SqliteSlash;

  constructor(
    readonly path: string,
    opts: FoldOptions = {},
  ) {
    this.db = openDatabase(path);
    const meta = new Meta(this.db);
    this.lock = new SqliteLock(this.db, path);
    this.runs = new SqliteRuns(this.db);
    this.folding = new Folding(this.db, meta, opts);
    this.batch = new SqliteBatch(this.db, meta, this.folding);
    this.outbox = new SqliteOutbox(this.db, meta, this.folding);
    this.queries = new SqliteQueries(this.db, this.folding);
    this.slash = new SqliteSlash(this.db);
    // What a killed run left unfolded is folded by whoever may write: not while a run is alive.
    if (this.folding.hasLeftovers && !this.lock.liveHolder()) this.folding.fold();
  }

  close(): void {
    this.batch.rollback();
    // Our own decisions only: leftovers of a run that is still alive are its to fold.
    if (this.folding.hasOwnPending) this.folding.fold();
    if (this.lock.isHeld) this.lock.release();
    this.db.close();
  }

  /** A consistent copy of the database (for --dry-run, which must not change the real one). */
  async snapshotTo(file: string): Promise<void> {
    await this.db.backup(file);
  }

  // --- single-run lock ---------------------------------------------------------------------

  acquireLock(kind: string): void {
    this.lock.acquire(kind);
    // A run killed before its fold left decisions in the logs only: fold them before deciding.
    if (this.folding.hasLeftovers) this.folding.fold();
  }

  heartbeat(): void {
    this.lock.heartbeat();
  }

  releaseLock(): void {
    this.lock.release();
  }

  lockHolder(): LockHolder | undefined {
    return this.lock.holder();
  }

  // --- runs --------------------------------------------------------------------------------

  startRun(kind: string): number {
    return this.runs.start(kind);
  }

  finishRun(runId: number, outcome: string, exitCode: number, summary: Record<string, unknown>): void {
    this.runs.finish(runId, outcome, exitCode, summary);
  }

  lastRun(): RunRow | undefined {
    return this.runs.last();
  }

  // --- decisions ---------------------------------------------------------------------------

  beginBatch(): void {
    this.batch.begin();
  }

  rollbackBatch(): void {
    this.batch.rollback();
  }

  seen(sourceId: string, changedAt: string): boolean {
    return this.batch.seen(sourceId, changedAt);
  }

  consultation(id: string): ConsultationState | undefined {
    return this.batch.consultation(id);
  }

  counters(): ChainCounters {
    return this.batch.counters();
  }

  lastLopenr(year: number): number {
    return this.batch.lastLopenr(year);
  }

  commitBatch(b: BatchCommit): void {
    this.batch.commit(b);
  }

  requeued(): RequeuedRecord[] {
    return this.batch.requeued();
  }

  checkpoint(key: string): string | undefined {
    return this.batch.checkpoint(key);
  }

  setCheckpoint(key: string, value: string): void {
    this.batch.setCheckpoint(key, value);
  }

  // --- sending -----------------------------------------------------------------------------

  unconfirmed(): OutboxMessage[] {
    return this.outbox.unconfirmed();
  }

  message(messageId: string): OutboxMessage | undefined {
    return this.outbox.message(messageId);
  }

  messageItems(seq: number): ItemRow[] {
    return this.outbox.items(seq);
  }

  markSending(seq: number): void {
    this.outbox.markSending(seq);
  }

  markAccepted(seq: number, refId: string | null): void {
    this.outbox.markAccepted(seq, refId);
  }

  markRetrying(seq: number, reason: string, refId: string | null): void {
    this.outbox.markRetrying(seq, reason, refId);
  }

  markRejected(seq: number, info: { validationCode: number | null; validationMessage: string; refId: string | null }): void {
    this.outbox.markRejected(seq, info);
  }

  requeueMessage(seq: number): number {
    return this.outbox.requeueMessage(seq);
  }

  // --- monitoring --------------------------------------------------------------------------

  countsByState(): Record<string, number> {
    return this.queries.countsByState();
  }

  consultationCounts(): { active: number; annulled: number; pending: number } {
    return this.queries.consultationCounts();
  }

  rejectionsByRule(): { rule: string; count: number }[] {
    return this.queries.rejectionsByRule();
  }

  rejections(): (Rejection & { createdAt: string })[] {
    return this.queries.rejections();
  }

  sentWarnings(): (SentWarning & { createdAt: string })[] {
    return this.queries.sentWarnings();
  }

  sentWarningsByRule(): { rule: string; count: number }[] {
    return this.queries.sentWarningsByRule();
  }

  rejectedMessages(): OutboxMessage[] {
    return this.queries.rejectedMessages();
  }

  oldestUnconfirmed(): OutboxMessage | undefined {
    return this.queries.oldestUnconfirmed();
  }

  dailyVolumes(): DailyVolume[] {
    return this.queries.dailyVolumes();
  }

  monthlyVolumes(): MonthlyVolume[] {
    return this.queries.monthlyVolumes();
  }

  runVolumes(): RunVolume[] {
    return this.queries.runVolumes();
  }

  // --- the SLASH channel (sqlite/slash.ts) --------------------------------------------------

  slashItem(unit: string, id: string): SlashItemRow | undefined {
    return this.slash.item(unit, id);
  }

  slashPending(): SlashItemRow[] {
    return this.slash.pending();
  }

  commitSlash(c: SlashCommit): void {
    this.slash.commit(c);
  }

  slashQueue(): SlashDeliveryRow[] {
    return this.slash.queue();
  }

  slashDelivery(seq: number): SlashDeliveryRow | undefined {
    return this.slash.delivery(seq);
  }

  markSlashSending(seq: number): void {
    this.slash.markSending(seq);
  }

  slashAnswered(seq: number, a: SlashAnswered): void {
    this.slash.answered(seq, a);
  }

  resumeSlashUnit(unit: string): number {
    return this.slash.resume(unit);
  }

  slashUnits(): SlashUnitRow[] {
    return this.slash.units();
  }
}
