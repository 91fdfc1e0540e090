// The store folds its random-key lookup tables (consultation, source_record) in bulk instead of
// on every commit (runtime/store/sqlite/fold.ts, FOLD_EVERY). Whatever the fold interval, and whether
// a process died before its fold, every lookup must answer as if each commit had updated the
// tables itself. The judge is a plain in-memory model of the decisions, applied eagerly.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { NIL_GUID } from '../../runtime/notify/chain.ts';
import { openStore } from '../../runtime/store/open.ts';
import type { Store } from '../../runtime/store/types.ts';
import type { BatchCommit, ConsultationState, NewMessage, SeenRecord } from '../../runtime/store/types.ts';
import { prng } from '../helpers/prng.ts';

/** What the store must answer: the last write per key wins, in commit order. */
interface Model {
  seen: Map<string, string>;
  consultation: Map<string, { status: string; hash: string | null; guid: string; ref: string | null }>;
}

/** A seeded sequence of batches over a small key space, so keys repeat across folds. */
function* batches(seed: number, count: number): Generator<Omit<BatchCommit, 'runId'>> {
  const rnd = prng(seed);
  let lopeNr = 0;
  let lopenr = 0;
  for (let b = 0; b < count; b++) {
    const seen: SeenRecord[] = [];
    const messages: NewMessage[] = [];
    const nMessages = Math.floor(rnd() * 3);
    for (let m = 0; m < nMessages; m++) {
      const items = Array.from({ length: 1 + Math.floor(rnd() * 6) }, () => {
        const k = `K${Math.floor(rnd() * 40)}`;
        const status = (['N', 'M', 'C'] as const)[Math.floor(rnd() * 3)]!;
        const changedAt = `2024-01-${String(1 + Math.floor(rnd() * 28)).padStart(2, '0')}T10:00:00.000Z`;
        seen.push({ sourceId: `R-${k}`, konsultasjonId: k, changedAt, rejected: false });
        return {
          konsultasjonId: k,
          status,
          guid: crypto.randomUUID(),
          forrigeGuid: NIL_GUID,
          ref: null,
          lopeNr: ++lopeNr,
          hash: status === 'C' ? null : `h${Math.floor(rnd() * 1e6)}`,
          sourceId: `R-${k}`,
          changedAt,
          json: status === 'C' ? null : '{}',
          notifikasjonTid: '2024-01-01T11:00:00',
        };
      });
      messages.push({ messageId: crypto.randomUUID(), year: 2024, lopenr: ++lopenr, meldingstype: 'B', bytes: 1, uttakDato: '2024-02-01', items });
    }
    // Records that made no notification (unchanged, or rejected) are seen all the same.
    for (let i = Math.floor(rnd() * 4); i > 0; i--) {
      seen.push({ sourceId: `S${Math.floor(rnd() * 30)}`, changedAt: `2024-02-${String(1 + Math.floor(rnd() * 28)).padStart(2, '0')}T00:00:00.000Z`, rejected: rnd() < 0.3 });
    }
    yield { messages, seen, rejections: [], requeueDone: [], chainHead: NIL_GUID, notifLopeNr: lopeNr };
  }
}

function apply(model: Model, commit: Omit<BatchCommit, 'runId'>): void {
  for (const m of commit.messages) for (const it of m.items) model.consultation.set(it.konsultasjonId, { status: it.status, hash: it.hash, guid: it.guid, ref: it.ref });
  for (const s of commit.seen) model.seen.set(s.sourceId, s.changedAt);
}

/** Commits `count` seeded batches to `store` and applies them to a new model; `after` runs after each commit. */
function feed(store: Store, seed: number, count: number, after?: (model: Model) => void): Model {
  const runId = store.startRun('run');
  const model: Model = { seen: new Map(), consultation: new Map() };
  for (const commit of batches(seed, count)) {
    store.commitBatch({ runId, ...commit });
    apply(model, commit);
    after?.(model);
  }
  return model;
}

/** Every key's answer, as the store gives it. */
function answers(store: Store) {
  const out: Record<string, ConsultationState | undefined | boolean> = {};
  for (let k = 0; k < 40; k++) out[`K${k}`] = store.consultation(`K${k}`);
  for (let k = 0; k < 40; k++) out[`seen R-K${k}`] = store.seen(`R-K${k}`, '2024-01-15T10:00:00.000Z');
  for (let k = 0; k < 30; k++) out[`seen S${k}`] = store.seen(`S${k}`, '2024-02-15T00:00:00.000Z');
  return out;
}

function expected(model: Model) {
  const out: Record<string, ConsultationState | undefined | boolean> = {};
  for (let k = 0; k < 40; k++) {
    const c = model.consultation.get(`K${k}`);
    out[`K${k}`] = c && {
      accHash: null,
      accGuid: null,
      accActive: false,
      pendHash: c.hash,
      pendGuid: c.guid,
      pendActive: c.status !== 'C',
      hasPending: true,
      origGuid: c.status === 'N' ? c.guid : c.ref,
    };
  }
  const seenAt = (id: string, at: string) => (model.seen.get(id) ?? '') >= at && model.seen.has(id);
  for (let k = 0; k < 40; k++) out[`seen R-K${k}`] = seenAt(`R-K${k}`, '2024-01-15T10:00:00.000Z');
  for (let k = 0; k < 30; k++) out[`seen S${k}`] = seenAt(`S${k}`, '2024-02-15T00:00:00.000Z');
  return out;
}

describe('folding the lookup tables', () => {
  for (const [foldEvery, filterAfter] of [
    [1, 1_000_000],
    [7, 1_000_000],
    [30, 1_000_000],
    [1_000_000, 1_000_000],
    // With the key filter read early, and read again when folds outgrow it.
    [7, 1],
    [30, 200],
  ] as const) {
    it(`answers as if every commit updated them (a fold every ${foldEvery} records, key filter after ${filterAfter} lookups)`, () => {
      const store = openStore(join(mkdtempSync(join(tmpdir(), 'kpr-fold-')), 'kpr.db'), { foldEvery, filterAfter });
      feed(store, 11 + foldEvery, 60, (model) => expect(answers(store)).toEqual(expected(model)));
      store.close();
    });
  }

  it('a process that died before its fold loses nothing: the next one folds what it left', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'kpr-fold-')), 'kpr.db');
    // The first store is never closed: its decisions are only in item and seen_log, as after kill -9.
    const dying = openStore(file, { foldEvery: 1_000_000 });
    const model = feed(dying, 5, 40);
    const before = dying.consultationCounts();
    const next = openStore(file, { foldEvery: 1_000_000, filterAfter: 1 });
    expect(answers(next)).toEqual(expected(model));
    expect(next.consultationCounts()).toEqual(before);
    expect(before.pending).toBe(model.consultation.size);
    next.close();
  });

  it('a reader does not fold under a live run, and still counts what the run has not folded', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'kpr-fold-')), 'kpr.db');
    const run = openStore(file, { foldEvery: 1_000_000 });
    run.acquireLock('run');
    const model = feed(run, 9, 30);
    const status = openStore(file);
    expect(status.consultationCounts()).toEqual({ active: 0, annulled: 0, pending: model.consultation.size });
    status.close();
    const raw = new Database(file, { readonly: true });
    expect(raw.prepare('SELECT COUNT(*) FROM seen_log').pluck().get()).toBeGreaterThan(0);
    raw.close();
    expect(answers(run)).toEqual(expected(model));
    run.close();
    const after = openStore(file);
    expect(answers(after)).toEqual(expected(model));
    after.close();
  });

  it('opens a version 2 database (which updated the tables on every commit) as folded', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'kpr-fold-')), 'kpr.db');
    const old = openStore(file, { foldEvery: 1 });
    const model = feed(old, 3, 20);
    old.close();
    const raw = new Database(file);
    raw.exec("UPDATE meta SET value = '2' WHERE key = 'schema_version'; DELETE FROM meta WHERE key = 'indexed_item'");
    raw.close();
    const reopened = openStore(file);
    expect(answers(reopened)).toEqual(expected(model));
    reopened.close();
    const check = new Database(file, { readonly: true });
    expect(check.prepare("SELECT value FROM meta WHERE key = 'schema_version'").pluck().get()).toBe('3');
    expect(Number(check.prepare("SELECT value FROM meta WHERE key = 'indexed_item'").pluck().get())).toBe(check.prepare('SELECT MAX(id) FROM item').pluck().get());
    check.close();
  });
});
