// Folding the two lookup tables keyed by random ids (consultation, source_record), and the
// key-filter policy in front of them. Until a fold, decisions live in append-only rows (item,
// seen_log) and in this process's memory; a fold brings the tables up to date in bulk, sorted by
// key, inside the transaction of the commit that triggers it.
import type Database from 'better-sqlite3';
import { KeyFilter } from '../key-filter.ts';
import type { Meta } from './schema.ts';

/**
 * The two lookup tables are brought up to date in bulk, sorted by key, once this many records
 * have piled up: a commit writes every page it dirtied, and a batch of random keys dirties one
 * index page per key once the tables are large (at a million rows the per-batch upserts cost 3x
 * the rest of the store).
 */
export const FOLD_EVERY = 50_000;
/**
 * Lookups a run makes before the store reads every folded key into a KeyFilter: a daily run of a
 * few thousand records probes the tables directly; a backfill, whose keys are nearly all new,
 * stops probing them (at a million records the probes cost 9 µs per record).
 */
export const FILTER_AFTER = 50_000;

/**
 * For the reliability suite (test/reliability): KPR_KILL_IN_FOLD=n kills this process with
 * SIGKILL in the middle of its n-th fold, inside the transaction, where no timing from outside
 * lands reliably. Unset in production: nothing happens.
 */
const KILL_IN_FOLD = Number(process.env.KPR_KILL_IN_FOLD) || 0;
let foldsDone = 0;
function killInFold(): void {
  if (KILL_IN_FOLD && ++foldsDone === KILL_IN_FOLD) process.kill(process.pid, 'SIGKILL');
}

export interface FoldOptions {
  /** Records between folds: FOLD_EVERY, or KPR_FOLD_EVERY (fewer: less memory, slower backfill). */
  foldEvery?: number;
  filterAfter?: number;
}

export class Folding {
  /** Decisions since the last fold, as the tables will hold them after it. */
  private readonly pendingSeen = new Map<string, string>();
  private readonly pendingConsultation = new Map<string, number>();
  /** Rows past the last fold that this process did not write (a run killed before its fold). */
  private leftovers: boolean;
  /** The folded keys of source_record and consultation, once filterAfter lookups were made. */
  private filters: { seen: KeyFilter; consultation: KeyFilter } | undefined;
  private lookups = 0;
  private readonly foldEvery: number;
  private readonly filterAfter: number;
  private readonly st;

  constructor(
    private readonly db: Database.Database,
    private readonly meta: Meta,
    opts: FoldOptions,
  ) {
    this.filterAfter = opts.filterAfter ?? FILTER_AFTER;
    this.foldEvery = opts.foldEvery ?? (Number(process.env.KPR_FOLD_EVERY) > 0 ? Number(process.env.KPR_FOLD_EVERY) : FOLD_EVERY);
    this.st = {
      // Sorted by key, so the upserts walk each B-tree once; by id within a key, so the last wins.
      // (WHERE true: an INSERT ... SELECT with an upsert clause needs a WHERE to parse.)
      foldConsultation: db.prepare<[number]>(
        'INSERT INTO consultation (id, item) SELECT konsultasjon_id, id FROM item WHERE id > ? ORDER BY konsultasjon_id, id ON CONFLICT(id) DO UPDATE SET item = excluded.item',
      ),
      foldSeen: db.prepare<[]>(
        'INSERT INTO source_record (source_id, changed_at, rejected) SELECT source_id, changed_at, rejected FROM seen_log WHERE true ORDER BY source_id, id ON CONFLICT(source_id) DO UPDATE SET changed_at = excluded.changed_at, rejected = excluded.rejected',
      ),
      clearSeenLog: db.prepare<[]>('DELETE FROM seen_log'),
      maxItem: db.prepare<[], number>('SELECT COALESCE(MAX(id), 0) FROM item').pluck(),
      anySeenLog: db.prepare<[], number>('SELECT 1 FROM seen_log LIMIT 1').pluck(),
      countSeen: db.prepare<[], number>('SELECT COUNT(*) FROM source_record').pluck(),
      keysSeen: db.prepare<[], string>('SELECT source_id FROM source_record').pluck(),
      countConsultation: db.prepare<[], number>('SELECT COUNT(*) FROM consultation').pluck(),
      keysConsultation: db.prepare<[], string>('SELECT id FROM consultation').pluck(),
    };
    this.leftovers = this.st.anySeenLog.get() !== undefined || this.maxItem() > this.indexedItem();
  }

  /** Rows a killed run left unfolded. */
  get hasLeftovers(): boolean {
    return this.leftovers;
  }

  /** Decisions of this process not yet folded. */
  get hasOwnPending(): boolean {
    return this.pendingSeen.size > 0 || this.pendingConsultation.size > 0;
  }

  /** The last item whose konsultasjonID → item is in the consultation table. */
  indexedItem(): number {
    return Number(this.meta.get('indexed_item') ?? 0);
  }

  maxItem(): number {
    return this.st.maxItem.get() ?? 0;
  }

  /** The changedAt decided for `sourceId` since the last fold, if any. */
  pendingSeenAt(sourceId: string): string | undefined {
    return this.pendingSeen.get(sourceId);
  }

  /** The item decided for `konsultasjonId` since the last fold, if any. */
  pendingItem(konsultasjonId: string): number | undefined {
    return this.pendingConsultation.get(konsultasjonId);
  }

  /** Whether a commit of `records` more decisions folds too (inside its transaction). */
  due(records: number): boolean {
    return this.leftovers || Math.max(this.pendingSeen.size, this.pendingConsultation.size) + records >= this.foldEvery;
  }

  /** Once a commit succeeded: its decisions, in memory until the next fold. */
  remember(items: readonly [string, number][], seen: readonly { sourceId: string; changedAt: string }[]): void {
    for (const [id, item] of items) this.pendingConsultation.set(id, item);
    for (const s of seen) this.pendingSeen.set(s.sourceId, s.changedAt);
  }

  /** Brings consultation and source_record up to date; inside the caller's transaction. */
  foldRows(): void {
    this.st.foldConsultation.run(this.indexedItem());
    this.st.foldSeen.run();
    killInFold();
    this.st.clearSeenLog.run();
    this.meta.set('indexed_item', String(this.maxItem()));
  }

  /** What the in-memory decisions are once a fold is committed: their keys go to the filters. */
  folded(): void {
    const f = this.filters;
    if (f && this.leftovers)
      this.filters = undefined; // keys this process never saw: read them again
    else if (f) {
      for (const id of this.pendingSeen.keys()) f.seen.add(id);
      for (const id of this.pendingConsultation.keys()) f.consultation.add(id);
      // Past its capacity a filter answers "maybe" more and more often: read the keys afresh.
      if (f.seen.count > f.seen.capacity || f.consultation.count > f.consultation.capacity) this.filters = undefined;
    }
    this.pendingSeen.clear();
    this.pendingConsultation.clear();
    this.leftovers = false;
  }

  /** False when `key` is certainly not in the folded table (see FILTER_AFTER). */
  mayHold(table: 'seen' | 'consultation', key: string): boolean {
    if (!this.filters && ++this.lookups >= this.filterAfter) this.filters = this.readFilters();
    return this.filters ? this.filters[table].mightHave(key) : true;
  }

  private readFilters(): { seen: KeyFilter; consultation: KeyFilter } {
    const fill = (count: number, keys: Iterable<string>) => {
      // Room to grow by a few folds before it has to be read again.
      const filter = new KeyFilter(2 * count + 4 * this.foldEvery);
      for (const key of keys) filter.add(key);
      return filter;
    };
    return {
      seen: fill(this.st.countSeen.get() ?? 0, this.st.keysSeen.iterate()),
      consultation: fill(this.st.countConsultation.get() ?? 0, this.st.keysConsultation.iterate()),
    };
  }

  /** Folds in a transaction of its own, if anything waits (abandoning an open batch). */
  fold(): void {
    if (!this.leftovers && !this.hasOwnPending) return;
    if (this.db.inTransaction) this.db.exec('ROLLBACK');
    this.db.transaction(() => this.foldRows()).immediate();
    this.folded();
  }
}
