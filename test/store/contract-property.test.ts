// Random histories against both stores at once: the same operations (batches of N/M/C built
// against the store's own answers, messages sent, accepted, retried, rejected, requeued by an
// operator, rejections and warnings, checkpoints, runs, abandoned batches) must leave SQLite and
// PostgreSQL with the same observable state (contract-stores.ts `observe`), checked after every
// rejection and at the end. SQLite folds every 3 records here, so its folded and unfolded paths
// are both compared with PostgreSQL's, which has none; both read their keys into filters after 5
// lookups, so the answers a filter gives instead of the database are compared too.
import fc from 'fast-check';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { AsyncStore } from '../../runtime/store/async.ts';
import { asyncStore } from '../../runtime/store/async.ts';
import { openAsyncStore, openStore } from '../../runtime/store/open.ts';
import type { ItemRow, NewMessage, Rejection, SentWarning } from '../../runtime/store/types.ts';
import { describePg, type PgServer } from '../helpers/postgres.ts';
import { observe, pgForFile } from './contract-stores.ts';

const KEYS = ['k1', 'k2', 'k3', 'k4'];

type Op =
  | { kind: 'build'; keys: string[]; delete: boolean[]; split: boolean; year: number; reject: boolean; warn: boolean; abandon: boolean }
  | { kind: 'send'; index: number; outcome: 'accept' | 'retry' | 'reject' | 'sending' }
  | { kind: 'resend'; index: number }
  | { kind: 'checkpoint'; value: number }
  | { kind: 'run' }
  | { kind: 'slashItems'; unit: number; ids: string[]; month: string; deleted: boolean; reject: boolean }
  | { kind: 'slashDeliver'; unit: number }
  | { kind: 'slashAnswer'; unit: number; outcome: 'delivered' | 'refused' | 'auth' | 'attention' | 'sending' }
  | { kind: 'slashResume'; unit: number };

const UNITS = ['974770000|0301|', '974770001|4601|'];

const chainOps = [
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('build' as const),
      keys: fc.uniqueArray(fc.constantFrom(...KEYS), { minLength: 1, maxLength: 3 }),
      delete: fc.array(fc.boolean(), { minLength: 3, maxLength: 3 }),
      split: fc.boolean(),
      year: fc.constantFrom(2024, 2025),
      reject: fc.boolean(),
      warn: fc.boolean(),
      abandon: fc.boolean(),
    }),
  },
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('send' as const),
      index: fc.nat(2),
      outcome: fc.constantFrom('accept' as const, 'retry' as const, 'reject' as const, 'sending' as const),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('resend' as const), index: fc.nat(2) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('checkpoint' as const), value: fc.nat(1000) }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'run' as const }) },
] as const;

// SLASH's: an answer goes to the head of a unit that has one, a resume to a held unit if any
// (`unit` picks among them), refusals often.
const slashOps = [
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('slashItems' as const),
      unit: fc.nat(1),
      ids: fc.uniqueArray(fc.constantFrom('p1', 'p2', 'p3'), { minLength: 1, maxLength: 3 }),
      month: fc.constantFrom('2024-01', '2024-02', '2024-03'),
      deleted: fc.boolean(),
      reject: fc.boolean(),
    }),
  },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('slashDeliver' as const), unit: fc.nat(1) }) },
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('slashAnswer' as const),
      unit: fc.nat(1),
      outcome: fc.constantFrom('delivered' as const, 'delivered' as const, 'refused' as const, 'refused' as const, 'auth' as const, 'attention' as const, 'sending' as const),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('slashResume' as const), unit: fc.nat(1) }) },
] as const;

const op: fc.Arbitrary<Op> = fc.oneof(...chainOps, ...slashOps);
const slashOp: fc.Arbitrary<Op> = fc.oneof(...slashOps, { weight: 1, arbitrary: fc.constant({ kind: 'run' as const }) });

/** SLASH's operations: items, deliveries of a unit's pending items by month, answers to a unit's head, the operator's resume. */
async function applySlash(o: Extract<Op, { kind: `slash${string}` }>, stores: AsyncStore[], run: number): Promise<void> {
  const [ref] = stores as [AsyncStore];
  // Decided from the first store's answers before any store changes: the same for each.
  const queue = await ref.slashQueue();
  const withHead = [...new Set(queue.map((d) => d.unit))];
  const held = (await ref.slashUnits()).filter((u) => u.state !== 'ok').map((u) => u.unit);
  const among = o.kind === 'slashAnswer' ? withHead : o.kind === 'slashResume' && held.length > 0 ? held : UNITS;
  const unit = among[o.unit % Math.max(1, among.length)] ?? '';
  const orgNr = unit.split('|')[0] ?? '';
  // One number for the operation, the same in every store.
  const n = ++counter;
  const pending = (await ref.slashPending()).filter((i) => i.unit === unit);
  const at = queue.findIndex((d) => d.unit === unit);
  for (const s of stores) {
    if (o.kind === 'slashResume') await s.resumeSlashUnit(unit);
    else if (o.kind === 'slashItems') {
      const items = o.ids.map((id) => ({
        unit,
        id,
        month: o.month,
        hash: `sh${n}-${id}`,
        json: o.deleted ? null : `{"avtaleId":"${id}","n":${n}}`,
        changedAt: `${o.month}-0${(n % 9) + 1}T08:00:00.000Z`,
      }));
      const rejections = o.reject ? [{ sourceId: `s-${o.ids[0]}`, changedAt: null, rule: `SL${n % 2}`, ...finding }] : [];
      await s.commitSlash({ runId: run, items, deliveries: [], pendingDone: [], rejections });
    } else if (o.kind === 'slashDeliver') {
      const months = [...new Set(pending.map((i) => i.month))];
      const deliveries = months.map((m) => {
        const of = pending.filter((i) => i.month === m);
        const body = JSON.stringify({ orgNr, period: m, avtale: of.map((i) => i.json) });
        return { unit, orgNr, period: m, body, ids: of.map((i) => i.id), items: of.filter((i) => i.json !== null).length, deletes: of.filter((i) => i.json === null).length };
      });
      await s.commitSlash({ runId: run, items: [], deliveries, pendingDone: pending.map((i) => ({ unit, id: i.id })), rejections: [] });
    } else {
      // The unit's head, found by its rank in each store's own queue.
      const head = (await s.slashQueue())[at];
      if (at < 0 || !head) return;
      if (o.outcome === 'sending') await s.markSlashSending(head.seq);
      else if (o.outcome === 'delivered') await s.slashAnswered(head.seq, { outcome: 'delivered', msgHash: `mh${n}`, correlationId: `c${n}` });
      else {
        await s.slashAnswered(head.seq, {
          outcome: o.outcome === 'attention' ? 'attention' : 'refused',
          msgHash: `mh${n}`,
          correlationId: null,
          status: o.outcome === 'attention' ? 503 : o.outcome === 'auth' ? 401 : 400,
          codes: o.outcome === 'refused' ? [{ code: 2008, name: 'Ugyldig verdi', errorDetails: 'avtale[0]' }] : [],
          reason: o.outcome,
          auth: o.outcome === 'auth',
        });
      }
    }
  }
}

let counter = 0;
const finding = { file: 'epj.ndjson', line: 7, path: 'konsultasjon', message: 'm', consequence: 'Avvis melding' };

/** Runs `op` on both stores; its arguments are decided from the first store's answers. */
async function apply(o: Op, stores: AsyncStore[], run: number): Promise<void> {
  if (o.kind === 'slashItems' || o.kind === 'slashDeliver' || o.kind === 'slashAnswer' || o.kind === 'slashResume') return applySlash(o, stores, run);
  const [ref] = stores as [AsyncStore];
  const each = async (f: (s: AsyncStore) => Promise<unknown>) => {
    for (const s of stores) await f(s);
  };
  if (o.kind === 'checkpoint') return each((s) => s.setCheckpoint('position', String(o.value)));
  if (o.kind === 'run') return each(async (s) => s.finishRun(await s.startRun('run'), 'done', 0, { n: o.kind }));
  if (o.kind === 'send' || o.kind === 'resend') {
    const list = o.kind === 'send' ? await ref.unconfirmed() : await ref.rejectedMessages();
    const n = o.index % Math.max(1, list.length);
    if (list[n] === undefined) return;
    const pick = async (s: AsyncStore) => (o.kind === 'send' ? await s.unconfirmed() : await s.rejectedMessages())[n]?.seq ?? -1;
    if (o.kind === 'resend') return each(async (s) => s.requeueMessage(await pick(s)));
    return each(async (s) => {
      const seq = await pick(s);
      if (o.outcome === 'sending') await s.markSending(seq);
      else if (o.outcome === 'accept') await s.markAccepted(seq, `ref-${n}`);
      else if (o.outcome === 'retry') await s.markRetrying(seq, 'HTTP 503', null);
      else await s.markRejected(seq, { validationCode: 3, validationMessage: 'nei', refId: null });
    });
  }
  // A batch: N for a consultation the store does not hold active, else M (or C).
  const counters = await ref.counters();
  let head = counters.chainHead;
  let lopeNr = counters.notifLopeNr;
  const items: ItemRow[] = [];
  for (const [n, k] of o.keys.entries()) {
    const c = await ref.consultation(k);
    const active = c?.hasPending ? c.pendActive : (c?.accActive ?? false);
    const status = !active ? 'N' : o.delete[n] ? 'C' : 'M';
    const guid = `g${++counter}`;
    const t = `2024-0${(counter % 9) + 1}-1${counter % 10}T08:00:00.000Z`;
    items.push({
      konsultasjonId: k,
      status,
      guid,
      forrigeGuid: head,
      ref: status === 'N' ? null : (c?.origGuid ?? null),
      lopeNr: ++lopeNr,
      hash: status === 'C' ? null : `h${counter}`,
      sourceId: `s-${k}`,
      changedAt: t,
      json: status === 'C' ? null : `{"datoTidStart":"${o.year}-0${(counter % 9) + 1}-01T09:00:00"}`,
      notifikasjonTid: '',
    });
    head = guid;
  }
  const parts = o.split && items.length > 1 ? [items.slice(0, 1), items.slice(1)] : [items];
  let lopenr = await ref.lastLopenr(o.year);
  const messages: NewMessage[] = parts.map((p) => ({
    messageId: `m${++counter}`,
    year: o.year,
    lopenr: ++lopenr,
    meldingstype: 'HST',
    bytes: 10,
    uttakDato: '2024-09-01T00:00:00',
    items: p,
  }));
  const requeued = new Set((await ref.requeued()).map((r) => r.konsultasjonId));
  const rejections: Rejection[] = o.reject
    ? [{ sourceId: 's-bad', konsultasjonId: null, changedAt: null, rule: `REC${counter % 3}`, month: counter % 2 ? `${o.year}-0${(counter % 9) + 1}` : null, ...finding }]
    : [];
  // A consultation deleted in the EPJ that the receiver holds nothing of: a rejected message's content for it goes.
  const deletedUnsent = o.delete[2] ? KEYS.filter((k) => !o.keys.includes(k)).slice(0, 1) : [];
  const warnings: SentWarning[] =
    o.warn && items[0] ? [{ sourceId: items[0].sourceId, konsultasjonId: items[0].konsultasjonId, changedAt: items[0].changedAt, rule: 'REC9', action: 'sent', ...finding }] : [];
  const seen = [
    ...items.map((i) => ({ sourceId: i.sourceId, konsultasjonId: i.konsultasjonId, changedAt: i.changedAt, rejected: false })),
    ...(o.reject ? [{ sourceId: 's-bad', changedAt: `2024-01-0${(counter % 9) + 1}`, rejected: true }] : []),
  ];
  await each(async (s) => {
    await s.beginBatch();
    for (const i of items) await s.seen(i.sourceId, i.changedAt);
    if (o.abandon) return s.rollbackBatch();
    await s.commitBatch({
      runId: run,
      messages,
      seen,
      rejections,
      warnings,
      deletedUnsent,
      requeueDone: o.keys.filter((k) => requeued.has(k)),
      chainHead: head,
      notifLopeNr: lopeNr,
    });
  });
}

describePg('store contract: random histories, SQLite and PostgreSQL alike', () => {
  let server: PgServer | undefined;
  let schemas = 0;
  beforeAll(async () => {
    server = await pgForFile();
  });
  afterAll(async () => {
    await server?.stop();
  });

  /** The same history on a fresh SQLite and a fresh PostgreSQL store; their states compared. */
  const history = async (ops: Op[]) => {
    const file = join(mkdtempSync(join(tmpdir(), 'kpr-prop-')), 'kpr.db');
    const sqlite = asyncStore(openStore(file, { foldEvery: 3, filterAfter: 5 }));
    const pg = await openAsyncStore({ kind: 'postgres', url: (server as PgServer).url, schema: `prop_${++schemas}` }, { migrate: true, filterAfter: 5 });
    const stores = [sqlite, pg];
    try {
      // Under the run lock, as a run is: PostgreSQL's key filters need it.
      for (const s of stores) await s.acquireLock('run');
      const run = await sqlite.startRun('run');
      await pg.startRun('run');
      for (const o of ops) {
        await apply(o, stores, run);
        if ((o.kind === 'send' && o.outcome === 'reject') || (o.kind === 'slashAnswer' && o.outcome === 'refused'))
          expect(await observe(pg, KEYS)).toEqual(await observe(sqlite, KEYS));
      }
      expect(await observe(pg, KEYS)).toEqual(await observe(sqlite, KEYS));
    } finally {
      await sqlite.close();
      await pg.close();
    }
  };
  const runs = Number(process.env.KPR_CONTRACT_RUNS) || 25;

  it('the same operations leave the same observable state', async () => {
    await fc.assert(fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 25 }), history), { numRuns: runs });
  });

  it("SLASH's queue alone: the same items, deliveries, answers and resumes leave the same state", async () => {
    await fc.assert(fc.asyncProperty(fc.array(slashOp, { minLength: 1, maxLength: 25 }), history), { numRuns: runs });
  });
});
