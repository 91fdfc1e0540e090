// SLASH's per-unit queue (SlashStore), judged the same way against SQLite (through the
// AsyncStore adapter) and PostgreSQL: a unit's deliveries in commit order, the next only after
// the previous is delivered, a delivery in flight sent again with the same bytes, a unit stopped
// by a refusal and regenerated from its last accepted period, other units going on meanwhile,
// and every commit all or nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AsyncStore } from '../../runtime/store/async.ts';
import type { NewSlashDelivery, SlashAnswered, SlashItemRow, SlashRejection } from '../../runtime/store/types.ts';
import { describePg, type PgServer } from '../helpers/postgres.ts';
import { opened, pgForFile, postgresKind, snapshotOf, type StoreKind, sqliteKind } from './contract-stores.ts';

const A = '974770000|0301|';
const B = '974770001|4601|';

function slashItem(unit: string, id: string, month: string, v = 1): SlashItemRow {
  const json = `{"id":"${id}","v":${v}}`;
  return { unit, id, month, hash: `h-${id}-${v}`, json, changedAt: `${month}-10T08:00:00.000Z` };
}

function delivery(unit: string, period: string, ids: string[]): NewSlashDelivery {
  // Bytes that differ per delivery, with a non-ASCII letter (bytes counted, not characters).
  const body = JSON.stringify({ orgNr: unit.split('|')[0], period, avtaler: ids.map((id) => ({ id, sted: 'Tromsø' })) });
  return { unit, orgNr: unit.split('|')[0] ?? '', period, body, ids, items: ids.length, deletes: 0 };
}

const delivered = (n: number): SlashAnswered => ({ outcome: 'delivered', msgHash: `mh-${n}`, correlationId: `c-${n}` });

type Refusal = Extract<SlashAnswered, { outcome: 'refused' | 'attention' }>;

function refused(n: number, auth = false): Refusal {
  return {
    outcome: 'refused',
    msgHash: `mh-${n}`,
    correlationId: null,
    status: auth ? 401 : 400,
    codes: [{ code: 1002, name: 'Ugyldig avtale', errorDetails: 'avtaler[0].tid' }],
    reason: 'refused',
    auth,
  };
}

/** Commits `months` of unit `unit`: items then one delivery per month carrying them. */
async function load(s: AsyncStore, unit: string, months: Record<string, string[]>, run = 1): Promise<void> {
  const items = Object.entries(months).flatMap(([m, ids]) => ids.map((id) => slashItem(unit, id, m)));
  await s.commitSlash({ runId: run, items, deliveries: [], pendingDone: [], rejections: [] });
  await s.commitSlash({
    runId: run,
    items: [],
    deliveries: Object.entries(months).map(([m, ids]) => delivery(unit, m, ids)),
    pendingDone: items.map((i) => ({ unit, id: i.id })),
    rejections: [],
  });
}

/** The head of each unit's queue: what a sender may send next (one per unit, in order). */
async function heads(s: AsyncStore): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const d of await s.slashQueue()) if (!(d.unit in out)) out[d.unit] = d.period;
  return out;
}

const unitOf = async (s: AsyncStore, unit: string) => (await s.slashUnits()).find((u) => u.unit === unit);

function contract(kind: StoreKind): void {
  const { fresh, keep } = opened(kind);

  it('starts empty, and keeps an item pending until a delivery carries it', async () => {
    const s = await fresh();
    expect([await s.slashQueue(), await s.slashPending(), await s.slashUnits()]).toEqual([[], [], []]);
    const items = [slashItem(B, 'b1', '2024-02'), slashItem(A, 'a2', '2024-02'), slashItem(A, 'a1', '2024-01')];
    await s.commitSlash({ runId: 1, items, deliveries: [], pendingDone: [], rejections: [], checkpoints: [{ key: 'slash', value: '7' }] });
    // By unit, month, id.
    expect((await s.slashPending()).map((i) => [i.unit, i.id])).toEqual([
      [A, 'a1'],
      [A, 'a2'],
      [B, 'b1'],
    ]);
    expect(await s.slashItem(A, 'a2')).toEqual(items[1]);
    expect(await s.slashItem(A, 'nope')).toBeUndefined();
    expect(await s.checkpoint('slash')).toBe('7');
    await s.commitSlash({ runId: 1, items: [], deliveries: [delivery(A, '2024-01', ['a1'])], pendingDone: [{ unit: A, id: 'a1' }], rejections: [] });
    expect((await s.slashPending()).map((i) => i.id)).toEqual(['a2', 'b1']);
    // A newer version of an item already delivered is pending again, with its new content.
    await s.commitSlash({ runId: 1, items: [slashItem(A, 'a1', '2024-01', 2)], deliveries: [], pendingDone: [], rejections: [] });
    expect((await s.slashPending()).map((i) => i.id)).toEqual(['a1', 'a2', 'b1']);
    expect((await s.slashItem(A, 'a1'))?.hash).toBe('h-a1-2');
  });

  it("keeps each unit's deliveries in commit order; the next is the head only once the previous is delivered", async () => {
    const s = await fresh();
    await load(s, A, { '2024-01': ['a1', 'a2'], '2024-02': ['a3'], '2024-03': ['a4'] });
    await load(s, B, { '2024-01': ['b1'] });
    const q = await s.slashQueue();
    expect(q.map((d) => [d.unit, d.period, d.ids, d.state, d.attempts])).toEqual([
      [A, '2024-01', ['a1', 'a2'], 'queued', 0],
      [A, '2024-02', ['a3'], 'queued', 0],
      [A, '2024-03', ['a4'], 'queued', 0],
      [B, '2024-01', ['b1'], 'queued', 0],
    ]);
    expect(q.map((d) => d.seq)).toEqual([...q.map((d) => d.seq)].sort((x, y) => x - y));
    const first = q[0];
    if (!first) throw new Error('no delivery');
    expect(first.bytes).toBe(Buffer.byteLength(first.body));
    expect(first.bytes).toBeGreaterThan(first.body.length);
    expect(await heads(s)).toEqual({ [A]: '2024-01', [B]: '2024-01' });
    await s.markSlashSending(first.seq);
    await s.slashAnswered(first.seq, delivered(1));
    expect(await heads(s)).toEqual({ [A]: '2024-02', [B]: '2024-01' });
    expect(await s.slashDelivery(first.seq)).toMatchObject({ state: 'delivered', msgHash: 'mh-1', correlationId: 'c-1', status: 200, attempts: 1, codes: [], reason: null });
    expect((await s.slashDelivery(first.seq))?.doneAt).not.toBeNull();
    expect(await s.slashUnits()).toEqual([
      { unit: A, orgNr: '974770000', state: 'ok', seq: null, auth: false, since: null, delivered: 1, queued: 2, lastAcceptedPeriod: '2024-01' },
      { unit: B, orgNr: '974770001', state: 'ok', seq: null, auth: false, since: null, delivered: 0, queued: 1, lastAcceptedPeriod: null },
    ]);
    expect(await s.slashDelivery(9_999)).toBeUndefined();
  });

  it('a delivery in flight when the process dies is the head again, with the same bytes', async () => {
    const s = await fresh();
    await load(s, A, { '2024-01': ['a1'], '2024-02': ['a2'] });
    const [head] = await s.slashQueue();
    if (!head) throw new Error('no delivery');
    await s.markSlashSending(head.seq);
    await s.close();
    const again = await kind.same();
    keep(again);
    const [after] = await again.slashQueue();
    expect(after).toEqual({ ...head, attempts: 1 });
    // 5xx beyond the retry budget: the unit wants attention, the same delivery stays the head.
    await again.slashAnswered(head.seq, { ...refused(2), outcome: 'attention', status: 503 });
    expect(await unitOf(again, A)).toMatchObject({ state: 'attention', seq: head.seq, auth: false });
    expect((await again.slashQueue())[0]).toMatchObject({ seq: head.seq, body: head.body, state: 'queued', status: 503 });
    expect(await again.resumeSlashUnit(A)).toBe(0);
    expect(await unitOf(again, A)).toMatchObject({ state: 'ok', seq: null, since: null });
    expect((await again.slashQueue()).map((d) => [d.seq, d.body])).toEqual([
      [head.seq, head.body],
      [(await again.slashQueue())[1]?.seq, delivery(A, '2024-02', ['a2']).body],
    ]);
  });

  it('a content refusal stops its unit only; resuming regenerates from the last accepted period', async () => {
    const s = await fresh();
    await load(s, A, { '2024-01': ['a1'], '2024-02': ['a2', 'a3'], '2024-03': ['a4'] });
    await load(s, B, { '2024-01': ['b1'], '2024-02': ['b2'] });
    const q = await s.slashQueue();
    const [a1, a2, a3] = q;
    if (!a1 || !a2 || !a3) throw new Error('no deliveries');
    await s.slashAnswered(a1.seq, delivered(1));
    await s.slashAnswered(a2.seq, refused(2));
    const stopped = await unitOf(s, A);
    expect(stopped).toMatchObject({ state: 'stopped', seq: a2.seq, auth: false, delivered: 1, queued: 2, lastAcceptedPeriod: '2024-01' });
    expect(stopped?.since).not.toBeNull();
    expect(await s.slashDelivery(a2.seq)).toMatchObject({ state: 'refused', status: 400, codes: refused(2).codes, reason: 'refused' });
    // A late "delivered" for the refused delivery changes nothing.
    await s.slashAnswered(a2.seq, delivered(9));
    expect((await s.slashDelivery(a2.seq))?.state).toBe('refused');
    // The other unit goes on.
    expect(await unitOf(s, B)).toMatchObject({ state: 'ok' });
    const b = (await s.slashQueue()).filter((d) => d.unit === B);
    for (const [n, d] of b.entries()) await s.slashAnswered(d.seq, delivered(10 + n));
    expect(await unitOf(s, B)).toMatchObject({ state: 'ok', delivered: 2, queued: 0, lastAcceptedPeriod: '2024-02' });
    // The operator's fix: the refused delivery and every later one of the unit are discarded,
    // their items pending again (the delivered month's are not).
    expect(await s.resumeSlashUnit(A)).toBe(2);
    expect(await s.resumeSlashUnit(A)).toBe(0);
    expect(await unitOf(s, A)).toMatchObject({ state: 'ok', seq: null, auth: false, delivered: 1, queued: 0, lastAcceptedPeriod: '2024-01' });
    expect((await s.slashDelivery(a3.seq))?.state).toBe('discarded');
    expect(await s.slashQueue()).toEqual([]);
    expect((await s.slashPending()).map((i) => [i.unit, i.month, i.id])).toEqual([
      [A, '2024-02', 'a2'],
      [A, '2024-02', 'a3'],
      [A, '2024-03', 'a4'],
    ]);
    expect(await s.resumeSlashUnit('no-such-unit')).toBe(0);
  });

  it('an authentication refusal: the same delivery again after the fix, nothing discarded', async () => {
    const s = await fresh();
    await load(s, A, { '2024-01': ['a1'], '2024-02': ['a2'] });
    const before = await s.slashQueue();
    const [head] = before;
    if (!head) throw new Error('no delivery');
    await s.slashAnswered(head.seq, refused(1, true));
    expect(await unitOf(s, A)).toMatchObject({ state: 'stopped', auth: true, seq: head.seq });
    expect(await s.resumeSlashUnit(A)).toBe(0);
    expect((await s.slashQueue()).map((d) => [d.seq, d.state, d.body])).toEqual(before.map((d) => [d.seq, 'queued', d.body]));
    expect(await s.slashPending()).toEqual([]);
  });

  it('a snapshot (a SQLite file, read by chunks of a two-column key) holds the same SLASH state', async () => {
    const s = await fresh();
    // More items than one chunk (500), a chunk ending inside the second unit.
    const ids = (n: number) => Array.from({ length: n }, (_, k) => `i${String(k).padStart(4, '0')}`);
    await load(s, A, { '2024-01': ids(300) });
    await load(s, B, { '2024-01': ids(150), '2024-02': ids(400).slice(150) });
    const [head] = await s.slashQueue();
    if (!head) throw new Error('no delivery');
    await s.slashAnswered(head.seq, delivered(1));
    await s.commitSlash({ runId: 2, items: [slashItem(B, 'i0001', '2024-01', 2)], deliveries: [], pendingDone: [], rejections: [] });
    const copy = keep(await snapshotOf(s));
    expect(await copy.slashQueue()).toEqual(await s.slashQueue());
    expect(await copy.slashUnits()).toEqual(await s.slashUnits());
    expect(await copy.slashPending()).toEqual(await s.slashPending());
    for (const [unit, n] of [
      [A, 300],
      [B, 400],
    ] as const) {
      for (const id of ids(n)) expect(await copy.slashItem(unit, id)).toEqual(await s.slashItem(unit, id));
    }
    expect(await copy.slashItem(B, 'i0400')).toBeUndefined();
  });

  it("a commit is all or nothing; a newer run replaces a record's rejections", async () => {
    const s = await fresh();
    const bad = { ...slashItem(A, 'a2', '2024-01'), month: null as unknown as string };
    const attempt = s.commitSlash({ runId: 1, items: [slashItem(A, 'a1', '2024-01'), bad], deliveries: [delivery(A, '2024-01', ['a1'])], pendingDone: [], rejections: [] });
    await expect(attempt).rejects.toThrow();
    expect([await s.slashPending(), await s.slashQueue(), await s.slashUnits()]).toEqual([[], [], []]);
    const r = (rule: string): SlashRejection => ({
      sourceId: 'x9',
      changedAt: null,
      file: 'avtaler.ndjson',
      line: 4,
      path: 'tid',
      rule,
      message: 'missing',
      consequence: 'holdt tilbake',
    });
    await s.commitSlash({ runId: 1, items: [], deliveries: [], pendingDone: [], rejections: [r('SL1'), r('SL2')] });
    await s.commitSlash({ runId: 2, items: [], deliveries: [], pendingDone: [], rejections: [r('SL3')] });
    expect((await s.rejections()).map((x) => [x.sourceId, x.rule, x.file, x.line])).toEqual([['x9', 'SL3', 'avtaler.ndjson', 4]]);
    expect(await s.rejectionsByRule()).toEqual([{ rule: 'SL3', count: 1 }]);
  });
}

describe('SLASH queue contract: SQLite', () => contract(sqliteKind()));

describePg('SLASH queue contract: PostgreSQL', () => {
  let server: PgServer | undefined;
  beforeAll(async () => {
    server = await pgForFile();
  });
  afterAll(async () => {
    await server?.stop();
  });
  contract(postgresKind(() => server as PgServer));
});
