// `kpr store migrate`: an existing SQLite store (kpr.db) into PostgreSQL, in one transaction:
// every table's rows as they are (the chain, the outbox, items and their JSON, rejected records,
// sent warnings, requeued consultations, runs, checkpoints; SLASH's items, deliveries and units),
// then each table's count and the store's own answers (counters, states, consultations,
// findings, SLASH's units and queue) compared between the two before committing. Anything different and nothing is kept.
import { existsSync } from 'node:fs';
import Database from 'better-sqlite3';
import { UserError } from '../cli/program.ts';
import { asyncStore, type AsyncStore } from './async.ts';
import { bumpSequences, countPg, countSqlite, readSqlite, TABLES, writePg } from './copy.ts';
import { openStore } from './open.ts';
import type { PgTarget } from './postgres/connect.ts';
import { PgStore } from './postgres.ts';

export interface MigrateOptions {
  /** Empty a target that already holds a store instead of refusing it. */
  replace?: boolean;
}

export interface TableCount {
  table: string;
  source: number;
  target: number;
}

export interface MigrateResult {
  target: string;
  tables: TableCount[];
}

/** What both stores must answer alike after the copy: the chain, the outbox, the findings, SLASH's queue. */
async function answers(s: AsyncStore): Promise<unknown> {
  return {
    counters: await s.counters(),
    countsByState: await s.countsByState(),
    consultationCounts: await s.consultationCounts(),
    unconfirmed: (await s.unconfirmed()).map((m) => m.messageId),
    rejectedMessages: (await s.rejectedMessages()).map((m) => m.messageId),
    requeued: (await s.requeued()).map((r) => r.konsultasjonId),
    rejectionsByRule: await s.rejectionsByRule(),
    sentWarningsByRule: await s.sentWarningsByRule(),
    monthlyVolumes: await s.monthlyVolumes(),
    lastRun: (await s.lastRun())?.id ?? null,
    slashUnits: await s.slashUnits(),
    slashQueue: (await s.slashQueue()).map((d) => [d.seq, d.unit, d.period, d.state, d.attempts, d.msgHash]),
    slashPending: (await s.slashPending()).map((i) => [i.unit, i.id, i.hash]),
  };
}

/** Applies the pending schema migrations of `target`; returns the versions applied. */
export async function migrateSchema(target: PgTarget): Promise<number[]> {
  const { PgSession } = await import('./postgres/connect.ts');
  const { migrate } = await import('./postgres/schema.ts');
  const s = await PgSession.open(target);
  try {
    return await migrate(s, target.schema ?? 'kpr');
  } finally {
    await s.end();
  }
}

export async function migrateSqliteToPg(file: string, target: PgTarget, opts: MigrateOptions = {}): Promise<MigrateResult> {
  if (!existsSync(file)) throw new UserError(`${file}: no such SQLite store`);
  // Through the store first: it folds what a killed run left, and its lock keeps runs out
  // while the rows are read.
  const sqlite = openStore(file);
  try {
    sqlite.acquireLock('migrate');
    const db = new Database(file, { readonly: true });
    try {
      return await copyInto(db, asyncStore(sqlite), target, opts);
    } finally {
      db.close();
    }
  } finally {
    sqlite.close();
  }
}

async function copyInto(db: Database.Database, source: AsyncStore, target: PgTarget, opts: MigrateOptions): Promise<MigrateResult> {
  const pg = await PgStore.open(target, { migrate: true });
  const s = pg.session;
  try {
    await pg.acquireLock('migrate');
    await s.begin();
    try {
      const present = TABLES.filter((t) => t.name !== 'meta');
      let held = 0;
      for (const t of present) held += await countPg(s, t);
      if (held > 0 && !opts.replace) throw new UserError(`${pg.path} already holds a store (${held} rows); give --replace to empty it first`);
      if (held > 0 || opts.replace) await s.run(`TRUNCATE ${TABLES.map((t) => t.name).join(', ')}`);
      const tables: TableCount[] = [];
      for (const t of TABLES) {
        for await (const rows of readSqlite(db, t)) await writePg(s, t, rows);
        tables.push({ table: t.name, source: countSqlite(db, t), target: await countPg(s, t) });
      }
      await bumpSequences(s);
      const short = tables.filter((c) => c.source !== c.target);
      if (short.length > 0) throw new UserError(`copy incomplete, nothing kept: ${short.map((c) => `${c.table} ${c.target} of ${c.source}`).join(', ')}`);
      // The store's own answers, read inside the same transaction (the session's calls nest).
      const [want, got] = [JSON.stringify(await answers(source)), JSON.stringify(await answers(pg))];
      if (want !== got) throw new UserError(`the copy answers differently from ${db.name}, nothing kept:\n  SQLite:     ${want}\n  PostgreSQL: ${got}`);
      await s.commit();
      return { target: pg.path, tables };
    } catch (err) {
      await s.rollback().catch(() => {});
      throw err;
    }
  } finally {
    await pg.close();
  }
}
