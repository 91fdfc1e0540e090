// The work queue on a real PostgreSQL: claims from several connections at once never give one
// tenant to two workers, a tenant's items run in order, a dead worker's lease runs out and its
// item goes to another, failures retry with backoff up to a limit, and a long backfill of one
// tenant does not starve nineteen tenants' daily runs.
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { backfillSlices, thisWorker, type WorkerIdentity, WorkQueue } from '../../runtime/workers/queue.ts';
import { CONTROL_LATEST, migrateControl } from '../../runtime/workers/schema.ts';
import { describePg, type PgServer, startPg } from '../helpers/postgres.ts';

const SCHEMA = 'kpr_control';
const worker = (n: number): WorkerIdentity => ({ ...thisWorker(`w${n}`) });

async function migrated(url: string): Promise<void> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    expect(await migrateControl(c, SCHEMA)).toEqual([CONTROL_LATEST]);
    expect(await migrateControl(c, SCHEMA)).toEqual([]);
  } finally {
    await c.end();
  }
}

describePg('the work queue in PostgreSQL', () => {
  let server: PgServer;
  beforeAll(async () => {
    server = await startPg();
  });
  afterAll(async () => {
    await server?.stop();
  });

  async function fresh(): Promise<string> {
    const url = await server.newDatabase();
    await migrated(url);
    return url;
  }

  it('refuses a queue whose schema was never migrated, naming the command', async () => {
    const url = await server.newDatabase();
    await expect(WorkQueue.open(url, SCHEMA)).rejects.toThrow(/schema version 0.*kpr queue migrate/);
  });

  it("never gives one tenant to two workers, and runs a tenant's items in order", async () => {
    const url = await fresh();
    const admin = await WorkQueue.open(url, SCHEMA);
    const tenants = ['a', 'b', 'c', 'd'];
    for (const t of tenants) await admin.enqueueBackfill(t, backfillSlices('2019-01-01', '2023-06-30'));
    const workers = await Promise.all([0, 1, 2, 3, 4, 5].map(() => WorkQueue.open(url, SCHEMA)));
    const order = new Map<string, number[]>();
    let overlap = 0;
    const running = new Set<string>();
    // Six workers claim and finish concurrently until the queue is empty.
    await Promise.all(
      workers.map(async (q, n) => {
        const me = worker(n);
        for (;;) {
          const got = await q.claim(me, 30_000);
          if (!got) {
            if ((await q.pending()).queued === 0) return;
            await new Promise((r) => setTimeout(r, 5));
            continue;
          }
          if (running.has(got.tenant)) overlap++;
          running.add(got.tenant);
          order.set(got.tenant, [...(order.get(got.tenant) ?? []), got.id]);
          await new Promise((r) => setTimeout(r, 2 + (got.id % 3)));
          running.delete(got.tenant);
          expect(await q.finish(got.id, me, 'done', { ok: true })).toBe(true);
        }
      }),
    );
    expect(overlap).toBe(0);
    for (const t of tenants) {
      const ids = order.get(t) ?? [];
      expect(ids).toHaveLength(5);
      expect(ids).toEqual([...ids].sort((x, y) => x - y));
    }
    expect((await admin.items()).every((i) => i.state === 'done' && i.attempts === 1)).toBe(true);
    for (const q of [admin, ...workers]) await q.close();
  });

  it("hands a dead worker's item on when its lease runs out, and not before", async () => {
    const url = await fresh();
    const q1 = await WorkQueue.open(url, SCHEMA);
    const q2 = await WorkQueue.open(url, SCHEMA);
    const id = await q1.enqueueRun('oslo');
    const first = await q1.claim(worker(1), 400);
    expect(first?.id).toBe(id);
    // The first worker "dies": no heartbeat, no finish. Its lease still holds for a moment.
    expect(await q2.claim(worker(2), 400)).toBeUndefined();
    await q1.close();
    await new Promise((r) => setTimeout(r, 600));
    const second = await q2.claim(worker(2), 30_000);
    expect(second).toMatchObject({ id, tenant: 'oslo', attempts: 2, claimedBy: 'w2' });
    expect(second?.lastError).toMatch(/lease of worker w1 .* ran out/);
    // The dead worker's late answer is refused: the claim is w2's now.
    const late = await WorkQueue.open(url, SCHEMA);
    expect(await late.finish(id as number, worker(1), 'done', {})).toBe(false);
    expect(await q2.finish(id as number, worker(2), 'done', { accepted: 3 })).toBe(true);
    expect((await late.items())[0]).toMatchObject({ state: 'done', claimedBy: 'w2', summary: { accepted: 3 } });
    await late.close();
    await q2.close();
  });

  it('a heartbeat keeps the claim past its first lease', async () => {
    const url = await fresh();
    const q1 = await WorkQueue.open(url, SCHEMA);
    const q2 = await WorkQueue.open(url, SCHEMA);
    await q1.enqueueRun('bergen');
    const got = await q1.claim(worker(1), 300);
    for (let i = 0; i < 4; i++) {
      await new Promise((r) => setTimeout(r, 150));
      expect(await q1.renew(got?.id as number, worker(1), 300)).toBe(true);
    }
    expect(await q2.claim(worker(2), 300)).toBeUndefined();
    await q1.close();
    await q2.close();
  });

  it('retries a failed item after a backoff, up to its limit, and does not queue a second daily run', async () => {
    const url = await fresh();
    const q = await WorkQueue.open(url, SCHEMA);
    const id = (await q.enqueueRun('tromso', 2)) as number;
    expect(await q.enqueueRun('tromso', 2)).toBeUndefined();
    const me = worker(1);
    await q.claim(me, 10_000);
    expect(await q.fail(id, me, 'receiver down', () => 300)).toBe('queued');
    expect(await q.claim(me, 10_000)).toBeUndefined();
    await new Promise((r) => setTimeout(r, 400));
    expect((await q.claim(me, 10_000))?.attempts).toBe(2);
    expect(await q.fail(id, me, 'receiver still down', () => 0)).toBe('failed');
    expect((await q.items())[0]).toMatchObject({ state: 'failed', attempts: 2, lastError: 'receiver still down' });
    expect(await q.pending()).toMatchObject({ queued: 0, failed: 1 });
    await q.close();
  });

  it("daily runs of nineteen tenants all go before the second slice of one tenant's long backfill", async () => {
    const url = await fresh();
    const admin = await WorkQueue.open(url, SCHEMA);
    // The backfill is enqueued first: age alone would put all ten of its slices first.
    await admin.enqueueBackfill('big', backfillSlices('2017-01-01', '2026-12-31'));
    const others = Array.from({ length: 19 }, (_, i) => `t${String(i).padStart(2, '0')}`);
    const workers = await Promise.all([0, 1, 2].map(() => WorkQueue.open(url, SCHEMA)));
    // One backfill slice is already under way when the daily runs arrive.
    const firstSlice = await workers[0]!.claim(worker(0), 30_000);
    expect(firstSlice).toMatchObject({ tenant: 'big', kind: 'backfill', params: { from: '2017-01-01', to: '2017-12-31' } });
    for (const t of others) await admin.enqueueRun(t);
    const finished: { tenant: string; kind: string; at: number }[] = [];
    const claimed: { tenant: string; kind: string; at: number }[] = [];
    let clock = 0;
    await Promise.all(
      workers.map(async (q, n) => {
        const me = worker(n);
        let current = n === 0 ? firstSlice : undefined;
        for (;;) {
          if (!current) {
            current = await q.claim(me, 30_000);
            if (current) claimed.push({ tenant: current.tenant, kind: current.kind, at: clock++ });
          }
          if (!current) {
            if ((await q.pending()).queued === 0) return;
            await new Promise((r) => setTimeout(r, 5));
            continue;
          }
          // A slice takes a while; a daily run (here) is over at once.
          if (current.kind === 'backfill') await new Promise((r) => setTimeout(r, 20));
          await q.finish(current.id, me, 'done', {});
          finished.push({ tenant: current.tenant, kind: current.kind, at: clock++ });
          current = undefined;
        }
      }),
    );
    const slices = finished.filter((f) => f.tenant === 'big');
    const runs = finished.filter((f) => f.kind === 'run');
    expect(slices).toHaveLength(10);
    expect(runs).toHaveLength(19);
    // Claimed: the second slice only once no daily run was waiting, but for runs whose claims
    // were under way at that moment (SKIP LOCKED passes over a row another worker is claiming),
    // at most one per other worker. When each finishes is the machine's timing, not the queue's.
    const secondSliceClaimed = claimed.filter((c) => c.tenant === 'big')[0]!.at;
    const runsClaimedAfter = claimed.filter((c) => c.kind === 'run' && c.at > secondSliceClaimed);
    expect(runsClaimedAfter.length).toBeLessThanOrEqual(workers.length - 1);
    for (const q of [admin, ...workers]) await q.close();
  });
});

it('cuts a backfill window into calendar years or months, oldest first, with no gap', () => {
  expect(backfillSlices('2017-03-05', '2019-02-10')).toEqual([
    { from: '2017-03-05', to: '2017-12-31' },
    { from: '2018-01-01', to: '2018-12-31' },
    { from: '2019-01-01', to: '2019-02-10' },
  ]);
  expect(backfillSlices('2024-01-15', '2024-03-01', 'month', true)).toEqual([
    { from: '2024-01-15', to: '2024-01-31', restart: true },
    { from: '2024-02-01', to: '2024-02-29', restart: true },
    { from: '2024-03-01', to: '2024-03-01', restart: true },
  ]);
});
