// Benchmark: the PostgreSQL store against the SQLite store, both behind AsyncStore, committing
// the same batches of decisions (1000 new consultations a batch, as recordsPerTransaction), and
// answering the lookups a batch makes (seen + consultation per record). PostgreSQL runs in a
// throwaway cluster on a Unix socket (test/helpers/postgres.ts) with its default durability
// (fsync off there: a test cluster; a real server syncs each commit as SQLite's FULL does).
// Figures: records per second and the ratio PostgreSQL / SQLite, measured in the same run.
//
//   node bin/run-ts.mjs bench/run.ts store-postgres            (20 000 records)
//   KPR_BENCH_RECORDS=100000 node bin/run-ts.mjs bench/run.ts store-postgres

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AsyncStore } from '../runtime/store/async.ts';
import { openAsyncStore } from '../runtime/store/open.ts';
import type { BatchCommit, ItemRow } from '../runtime/store/types.ts';
import { findPgBin, startPg } from '../test/helpers/postgres.ts';
import { round } from './_util.ts';

const RECORDS = Number(process.env.KPR_BENCH_RECORDS ?? 20_000);
const BATCH = 1000;

function batchOf(n: number, prefix: string, runId: number): BatchCommit {
  const items: ItemRow[] = [];
  for (let i = 0; i < BATCH; i++) {
    const k = `${prefix}-${n * BATCH + i}`;
    items.push({
      konsultasjonId: k,
      status: 'N',
      guid: `g-${k}`,
      forrigeGuid: `g-prev-${k}`,
      ref: null,
      lopeNr: n * BATCH + i + 1,
      hash: `h-${k}`,
      sourceId: `s-${k}`,
      changedAt: '2024-03-01T10:00:00.000Z',
      json: `{"konsultasjonID":"${k}","datoTidStart":"2024-03-01T09:00:00","Barn_ungdom":{"fid":"01010112345"}}`,
      notifikasjonTid: '2024-03-01T11:00:00',
    });
  }
  return {
    runId,
    messages: [{ messageId: `${prefix}-m${n}`, year: 2024, lopenr: n + 1, meldingstype: 'B', bytes: 400 * BATCH, uttakDato: '2024-03-02T00:00:00', items }],
    seen: items.map((i) => ({ sourceId: i.sourceId, konsultasjonId: i.konsultasjonId, changedAt: i.changedAt, rejected: false })),
    rejections: [],
    requeueDone: [],
    chainHead: items.at(-1)!.guid,
    notifLopeNr: items.at(-1)!.lopeNr,
  };
}

/** Seconds to decide and commit RECORDS records (lookups per record unless not, then one commit per batch). */
async function fill(store: AsyncStore, prefix: string, lookups = true): Promise<number> {
  // As a run does: under the run lock (which lets a store trust what it knows of its keys).
  await store.acquireLock('bench');
  const run = await store.startRun('bench');
  const start = performance.now();
  for (let n = 0; n < RECORDS / BATCH; n++) {
    const b = batchOf(n, prefix, run);
    await store.beginBatch();
    for (const s of lookups ? b.seen : []) {
      await store.seen(s.sourceId, s.changedAt);
      await store.consultation(s.konsultasjonId ?? '');
    }
    await store.commitBatch(b);
  }
  const sec = (performance.now() - start) / 1000;
  await store.releaseLock();
  return sec;
}

export async function run(): Promise<Record<string, unknown>> {
  if (!process.env.KPR_PG_URL && !findPgBin()) return { skipped: 'no PostgreSQL (apt-get install postgresql-15, or KPR_PG_URL)' };
  const server = await startPg();
  try {
    const sqlite = await openAsyncStore({ kind: 'sqlite', path: join(mkdtempSync(join(tmpdir(), 'kpr-bench-pg-')), 'kpr.db') });
    const pg = await openAsyncStore({ kind: 'postgres', url: server.url, schema: 'bench' }, { migrate: true });
    try {
      const sqliteSec = await fill(sqlite, 'a');
      const pgSec = await fill(pg, 'a');
      // The commits alone (new keys, no lookups): what the round trips per record cost apart.
      const sqliteCommitSec = await fill(sqlite, 'b', false);
      const pgCommitSec = await fill(pg, 'b', false);
      return {
        records: RECORDS,
        sqliteRecordsPerSec: round(RECORDS / sqliteSec),
        postgresRecordsPerSec: round(RECORDS / pgSec),
        postgresOverSqliteTime: round(pgSec / sqliteSec, 2),
        commitsOnly: {
          sqliteRecordsPerSec: round(RECORDS / sqliteCommitSec),
          postgresRecordsPerSec: round(RECORDS / pgCommitSec),
          postgresOverSqliteTime: round(pgCommitSec / sqliteCommitSec, 2),
        },
      };
    } finally {
      await sqlite.close();
      await pg.close();
    }
  } finally {
    await server.stop();
  }
}
