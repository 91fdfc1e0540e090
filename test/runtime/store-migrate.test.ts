// A database from before the rejection's consultation month (the report's held-back records by
// month) opens, gains the column, keeps its rejections (of no known month) and stores the month
// of the ones that follow.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { expect, it } from 'vitest';
import { NIL_GUID } from '../../runtime/notify/chain.ts';
import { openStore } from '../../runtime/store/open.ts';
import type { Rejection, Store } from '../../runtime/store/types.ts';

const held = (store: Store, sourceId: string, month?: string) => {
  const runId = store.startRun('run');
  const r: Rejection = {
    sourceId,
    changedAt: '2024-05-01T08:00:00.000Z',
    ...(month && { month }),
    file: 'epj.ndjson',
    line: 1,
    path: '/Barn_ungdom/fid',
    rule: 'REC4001',
    message: 'bad',
    consequence: 'discard-row',
  };
  store.commitBatch({ runId, messages: [], seen: [{ sourceId, changedAt: r.changedAt!, rejected: true }], rejections: [r], requeueDone: [], chainHead: NIL_GUID, notifLopeNr: 0 });
  store.finishRun(runId, 'partial', 1, {});
};

it('opens a database whose rejections have no month, and stores the month from then on', () => {
  const file = join(mkdtempSync(join(tmpdir(), 'kpr-migrate-')), 'kpr.db');
  const first = openStore(file);
  held(first, 'OLD');
  first.close();
  // The table as it was before the month.
  const raw = new Database(file);
  raw.exec('ALTER TABLE rejection DROP COLUMN month');
  expect(
    raw
      .prepare<[], { name: string }>('PRAGMA table_info(rejection)')
      .all()
      .map((c) => c.name),
  ).not.toContain('month');
  raw.close();

  const store = openStore(file);
  try {
    held(store, 'NEW', '2024-03');
    expect(store.rejections().map((r) => [r.sourceId, r.month])).toEqual([
      ['OLD', null],
      ['NEW', '2024-03'],
    ]);
    expect(store.monthlyVolumes()).toEqual([{ month: '2024-03', accepted: 0, unconfirmed: 0, rejected: 0, heldBack: 1 }]);
  } finally {
    store.close();
  }
});
